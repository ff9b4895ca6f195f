#!/usr/bin/env bash
# Profiles mxc's gfx950 row-wise kernels (quantize, dequantize) and the Triton 3.6
# oracles of the same ops (../shared/oracles/triton-3.6-gfx950-kernels) at
# M=8192, K=4096 with `mxc-run --profile=json`, and prints one row per kernel:
# the table of docs/quantize.md. Usage: scripts/profile-row-kernels.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${MXC_BUILD_DIR:-build}}
mxc=$build/bin/mxc
run=$build/bin/mxc-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=${MXC_PROFILE_WORKGROUPS:-16}
M=8192 K=4096

row() { # name minimal-bytes json
  /usr/bin/python3 -c '
import json, sys
p = json.loads(sys.stdin.read().splitlines()[0])
moved = p["global_load_bytes"] + p["global_store_bytes"]
print("| %s | %s | %.1f | %.2f | %d | %d | %.2f |" % (sys.argv[1], p["bound"],
      p["percent_of_hbm_peak"], moved / float(sys.argv[2]), p["workgroups"],
      p["block"][0], p["modelled_us"]))' "$1" "$2"
}

echo "| kernel | bound | % HBM | bytes moved / minimal | workgroups | lanes | modelled us |"
echo "|---|---|---|---|---|---|---|"
for spec in "e4m3 bf16" "e2m1 bf16" "e3m2 bf16" "e4m3 f32"; do
  read -r F IN <<<"$spec"
  case $F in e2m1) qb=$((M * K / 2)) ;; e2m3|e3m2) qb=$((M * K * 3 / 4)) ;; *) qb=$((M * K)) ;; esac
  case $IN in f32) ib=$((M * K * 4)) ;; *) ib=$((M * K * 2)) ;; esac
  "$mxc" quantize --format "$F" --k "$K" --in "$IN" -o "$tmp/q.hsaco"
  json=$("$run" --device sim:gfx950 "$tmp/q.hsaco" --plan "M=$M" \
    --arg zero:$ib --arg zero:$qb --arg zero:$((M * K / 32)) \
    --profile=json --workgroups "$sample")
  row "mxc quantize $IN -> $F ${M}x${K}" $((ib + qb + M * K / 32)) <<<"$json"
done

for spec in "e4m3 bf16" "e2m1 bf16"; do
  read -r F OUT <<<"$spec"
  case $F in e2m1) qb=$((M * K / 2)) ;; e2m3|e3m2) qb=$((M * K * 3 / 4)) ;; *) qb=$((M * K)) ;; esac
  case $OUT in f32) ob=$((M * K * 4)) ;; *) ob=$((M * K * 2)) ;; esac
  "$mxc" dequantize --format "$F" --k "$K" --out "$OUT" -o "$tmp/d.hsaco"
  json=$("$run" --device sim:gfx950 "$tmp/d.hsaco" --plan "M=$M" \
    --arg zero:$qb --arg zero:$((M * K / 32)) --arg zero:$ob \
    --profile=json --workgroups "$sample")
  row "mxc dequantize $F -> $OUT ${M}x${K}" $((qb + ob + M * K / 32)) <<<"$json"
done

oracles=../shared/oracles/triton-3.6-gfx950-kernels
if [ -f "$oracles/mxfp8_quant_bm32_bk128.ll" ]; then
  json=$("$run" --device sim:gfx950 "$oracles/mxfp8_quant_bm32_bk128.ll" --kernel mxfp8_quant \
    --grid $((M / 32)),$((K / 128)) --block 256 --lds 128 \
    --arg zero:$((M * K * 2)) --arg zero:$((M * K)) --arg zero:$((M * K / 32)) \
    --arg i32:$M --arg i32:$K --arg i32:$K --arg i32:$K --arg i32:$((K / 32)) --arg null --arg null \
    --profile=json --workgroups "$sample")
  row "Triton mxfp8_quant_bm32_bk128 bf16 -> e4m3 ${M}x${K}" $((M * K * 3 + M * K / 32)) <<<"$json"
fi
