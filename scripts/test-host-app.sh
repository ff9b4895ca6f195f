#!/bin/sh
# The path a user takes: installs mxc's build into a scratch prefix, moves the
# installed tree (it must still work), compiles a kernel with the installed
# mxc, builds examples/host-app against the installed CMake package (its
# kernels compiled by mxc_add_kernels with the installed mxc and embedded),
# and runs it on sim:gfx950, with the embedded kernel and with the file; then,
# when the build has the Python package, runs the same file from Python with
# the installed package (checked against NumPy), compiles it again in process
# (the same bytes as the installed mxc's), and runs
# examples/python/mxfp8_linear.py with it.
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

# Python, from the installed package only (docs/python.md).
site=
for dir in "$prefix"/lib/python3*/site-packages; do
  [ -d "$dir/mxc" ] && site=$dir
done
if [ -z "$site" ]; then
  echo "test-host-app: no Python package in the install (pybind11-dev missing at configure time); skipping Python"
  exit 0
fi
# An uninstrumented python3 cannot load ASan-instrumented modules (the ASan
# runtime must come first); the normal build runs this leg.
if grep -q '^MXC_SANITIZE:[A-Z]*=.' "$build/CMakeCache.txt"; then
  echo "test-host-app: sanitizer build; the Python leg runs in the normal build"
  exit 0
fi
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")
cd "$scratch"
PYTHONPATH=$site "${python:-python3}" - "$scratch/gemm.hsaco" "$site" <<'PY'
import sys
import numpy as np
import mxc
from mxc import reference as ref

assert mxc.__file__.startswith(sys.argv[2]), mxc.__file__  # the installed package
code = mxc.CodeObject.load(sys.argv[1])
m, n, k = 33, 256, 512
rng = np.random.default_rng(5)
a = rng.integers(0, 256, size=(m, k))
a[(a & 0x7F) == 0x7F] = 0  # no E4M3 NaN
b = rng.integers(0, 16, size=(n, k))
sa = rng.integers(120, 132, size=(m, k // 32)).astype(np.uint8)
sb = rng.integers(120, 132, size=(n, k // 32)).astype(np.uint8)
c = np.zeros((m, n), np.float32)
with mxc.Device("sim:gfx950") as device:
    device.load(code).run("gemm", ref.pack(a, "e4m3"), sa, ref.pack(b, "e2m1"), sb, c)
expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e2m1")
error = np.linalg.norm(c - expected) / np.linalg.norm(expected)
assert error < 1e-3, error
again = mxc.gemm(a_format="e4m3", b_format="e2m1", n=n, k=k, out="f32")
assert again.data == code.data, "mxc.gemm and the installed mxc gemm differ"
print(f"python: installed mxc's gemm.hsaco on sim:gfx950, M={m}: relative error {error:.2e}; "
      f"mxc.gemm compiles the same {len(code)} bytes")
PY
PYTHONPATH=$site "${python:-python3}" "$src/examples/python/mxfp8_linear.py" --m 17
