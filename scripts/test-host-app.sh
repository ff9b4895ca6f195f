#!/bin/sh
# The path a user takes: installs mxc's build into a scratch prefix, moves the
# installed tree (it must still work), compiles a kernel with the installed
# mxc, builds examples/host-app against the installed CMake package (its
# kernels compiled by mxc_add_kernels with the installed mxc and embedded),
# and runs it on sim:gfx950, with the embedded kernel and with the file.
#   scripts/test-host-app.sh BUILD_DIR SCRATCH_DIR
set -eu
build=$1
scratch=$2
src=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$scratch"
cmake --install "$build" --prefix "$scratch/staging" >/dev/null
mv "$scratch/staging" "$scratch/prefix"
prefix=$scratch/prefix
"$prefix/bin/mxc" gemm --a-format e4m3 --b-format e2m1 --n 256 --k 512 \
  --out f32 -o "$scratch/gemm.hsaco"
cmake -S "$src/examples/host-app" -B "$scratch/app" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/app" >/dev/null
"$scratch/app/host-app" --m 33
"$scratch/app/host-app" "$scratch/gemm.hsaco" --m 33
# M = 5: A 5x512 bytes, its scales 5x16, B 256x512 E2M1, its scales, C f32.
"$prefix/bin/mxc-run" "$scratch/gemm.hsaco" --plan M=5 --arg zero:2560 \
  --arg zero:80 --arg zero:65536 --arg zero:4096 --arg zero:5120 >/dev/null
