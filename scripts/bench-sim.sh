#!/usr/bin/env bash
# Benchmark (not a test): the 128x128x128 MXFP8 Triton oracle at M=N=K=1024 in the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MXC_BUILD_DIR:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np
d = sys.argv[1]; rng = np.random.default_rng(0)
a = rng.integers(0, 0x7e, size=(1024, 1024), dtype=np.uint8); a.tofile(f"{d}/a.bin"); a.tofile(f"{d}/b.bin")
rng.integers(120, 135, size=(1024, 32), dtype=np.uint8).tofile(f"{d}/s.bin")
PY
"$build/bin/mxc-run" --device sim:gfx950 ../shared/oracles/triton-3.6-gfx950/e4m3xe4m3_128x128x128_w4_s2.ll \
  --kernel mx_gemm --grid 8,8 --block 256 --lds 33792 \
  --arg in:"$tmp/a.bin" --arg in:"$tmp/s.bin" --arg in:"$tmp/b.bin" --arg in:"$tmp/s.bin" \
  --arg out:"$tmp/c.bin":2097152 --arg i32:1024 --arg i32:1024 --arg i32:1024 --arg i32:1024 \
  --arg i32:1024 --arg i32:1024 --arg null --arg null --print-stats
