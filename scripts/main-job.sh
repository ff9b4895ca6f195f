#!/usr/bin/env bash
# The main job: compile the example kernels under examples/ to HSACO for gfx950 and show what was produced.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
build=${MXC_BUILD_DIR:-build}
out="$build/examples"
mkdir -p "$out"
llvm=/usr/lib/llvm-22/bin
for src in examples/kernels/*.mlir; do
  name=$(basename "$src" .mlir)
  "$build/bin/mxc" "$src" --target gfx950 -o "$out/$name.hsaco"
  echo "== $out/$name.hsaco ($(stat -c %s "$out/$name.hsaco") bytes)"
  "$llvm/llvm-readelf" --notes "$out/$name.hsaco" |
    grep -E '^\s+(amdhsa.target|\.name|\.vgpr_count|\.agpr_count|\.sgpr_count|\.vgpr_spill_count|\.group_segment_fixed_size):' |
    sed 's/^ */   /'
  echo "   matrix instructions:"
  "$llvm/llvm-objdump" -d --mcpu=gfx950 "$out/$name.hsaco" | grep -oE 'v_(mfma|wmma)[a-z0-9_]*' | sort | uniq -c | sed 's/^ */     /'
done
