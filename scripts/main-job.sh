#!/usr/bin/env bash
# The main job: compile the example kernels and MX linear layers under examples/ to HSACO for gfx950,
# show what was produced, and run the linear layers in the simulator against the reference.
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

# Linear layers: compile for gfx950, run in the simulator, check against a
# NumPy reference written from SPEC.md.
for src in examples/linear/*.mlir; do
  name=$(basename "$src" .mlir)
  "$build/bin/mxc" "$src" --target gfx950 -o "$out/$name.hsaco"
  for m in 1 77; do
    /usr/bin/python3 scripts/check_linear.py --mxc "$build/bin/mxc" --mxc-run "$build/bin/mxc-run" \
      --src "$src" --hsaco "$out/$name.hsaco" --m "$m"
  done
done
