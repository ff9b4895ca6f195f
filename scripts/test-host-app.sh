#!/bin/sh
# Installs mxc's build into a scratch prefix, builds examples/host-app against
# the installed mxrt package (find_package(mxrt)), and runs it on sim:gfx950.
#   scripts/test-host-app.sh BUILD_DIR SCRATCH_DIR
set -eu
build=$1
scratch=$2
src=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$src/examples/host-app" -B "$scratch/app" -G Ninja \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/app" >/dev/null
"$build/bin/mxc" gemm --a-format e4m3 --b-format e2m1 --n 256 --k 512 --out f32 \
  -o "$scratch/gemm.hsaco"
"$scratch/app/host-app" "$scratch/gemm.hsaco" --m 33
