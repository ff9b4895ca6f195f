#!/usr/bin/env bash
# Profiles mxc's gfx950 row-wise kernels (quantize, dequantize, SwiGLU, RMSNorm) and the Triton 3.6
# oracles of the same ops (../shared/oracles/triton-3.6-gfx950-kernels) at
# M=8192, K=H=I=4096 with `mxc-run --profile=json`, and prints one row per kernel:
# the table of docs/quantize.md. Usage: scripts/profile-row-kernels.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${MXC_BUILD_DIR:-build}}
mxc=$build/bin/mxc
run=$build/bin/mxc-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=${MXC_PROFILE_WORKGROUPS:-16}
M=8192 K=4096 I=4096 H=4096

row() { # name minimal-bytes json
  /usr/bin/python3 -c '
import json, sys
p = json.loads(sys.stdin.read().splitlines()[0])
moved = p["global_load_bytes"] + p["global_store_bytes"]
print("| %s | %s | %.1f | %.2f | %.2f | %d | %d | %.2f |" % (sys.argv[1], p["bound"],
      p["percent_of_hbm_peak"], p["unique_global_bytes"] / float(sys.argv[2]),
      moved / float(sys.argv[2]), p["workgroups"], p["block"][0], p["modelled_us"]))' "$1" "$2"
}

echo "| kernel | bound | % HBM | HBM bytes / minimal | bytes requested / minimal | workgroups | lanes | modelled us |"
echo "|---|---|---|---|---|---|---|---|"
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

# SwiGLU: input [M, 2I] bf16, output E4M3 + scales or bf16.
for spec in "split 7 e4m3" "interleaved - bf16"; do
  read -r L LIM OUT <<<"$spec"
  limit=(); [ "$LIM" != - ] && limit=(--limit "$LIM")
  case $OUT in bf16) ob=$((M * I * 2)); extra=() ;; *) ob=$((M * I)); extra=(--arg zero:$((M * I / 32))) ;; esac
  "$mxc" swiglu --i "$I" --layout "$L" "${limit[@]}" --out "$OUT" -o "$tmp/s.hsaco"
  json=$("$run" --device sim:gfx950 "$tmp/s.hsaco" --plan "M=$M" \
    --arg zero:$((M * 2 * I * 2)) --arg zero:$ob "${extra[@]}" \
    --profile=json --workgroups "$sample")
  sb=0; [ "$OUT" != bf16 ] && sb=$((M * I / 32))
  row "mxc swiglu $L${limit[*]:+ limit} bf16 -> $OUT ${M}x${I}" $((M * 2 * I * 2 + ob + sb)) <<<"$json"
done

# RMSNorm: bf16 input and weight; with residual to bf16, or quantized to E4M3.
"$mxc" rmsnorm --h "$H" --residual -o "$tmp/r.hsaco"
json=$("$run" --device sim:gfx950 "$tmp/r.hsaco" --plan "M=$M" \
  --arg zero:$((M * H * 2)) --arg zero:$((H * 2)) --arg zero:$((M * H * 2)) \
  --arg zero:$((M * H * 2)) --arg zero:$((M * H * 2)) --profile=json --workgroups "$sample")
row "mxc rmsnorm residual bf16 ${M}x${H}" $((M * H * 8 + H * 2)) <<<"$json"
"$mxc" rmsnorm --h "$H" --out e4m3 -o "$tmp/n.hsaco"
json=$("$run" --device sim:gfx950 "$tmp/n.hsaco" --plan "M=$M" \
  --arg zero:$((M * H * 2)) --arg zero:$((H * 2)) --arg zero:$((M * H)) \
  --arg zero:$((M * H / 32)) --profile=json --workgroups "$sample")
row "mxc rmsnorm bf16 -> e4m3 ${M}x${H}" $((M * H * 3 + H * 2 + M * H / 32)) <<<"$json"
"$mxc" rmsnorm --h "$H" --residual --out e4m3 -o "$tmp/rn.hsaco"
json=$("$run" --device sim:gfx950 "$tmp/rn.hsaco" --plan "M=$M" \
  --arg zero:$((M * H * 2)) --arg zero:$((H * 2)) --arg zero:$((M * H * 2)) \
  --arg zero:$((M * H * 2)) --arg zero:$((M * H)) --arg zero:$((M * H / 32)) \
  --profile=json --workgroups "$sample")
row "mxc rmsnorm residual bf16 -> e4m3 ${M}x${H}" $((M * H * 7 + H * 2 + M * H / 32)) <<<"$json"

oracles=../shared/oracles/triton-3.6-gfx950-kernels
if [ -f "$oracles/mxfp8_quant_bm32_bk128.ll" ]; then
  json=$("$run" --device sim:gfx950 "$oracles/mxfp8_quant_bm32_bk128.ll" --kernel mxfp8_quant \
    --grid $((M / 32)),$((K / 128)) --block 256 --lds 128 \
    --arg zero:$((M * K * 2)) --arg zero:$((M * K)) --arg zero:$((M * K / 32)) \
    --arg i32:$M --arg i32:$K --arg i32:$K --arg i32:$K --arg i32:$((K / 32)) --arg null --arg null \
    --profile=json --workgroups "$sample")
  row "Triton mxfp8_quant_bm32_bk128 bf16 -> e4m3 ${M}x${K}" $((M * K * 3 + M * K / 32)) <<<"$json"
fi
if [ -f "$oracles/swiglu_split_limit_bm32_bn64.ll" ]; then
  json=$("$run" --device sim:gfx950 "$oracles/swiglu_split_limit_bm32_bn64.ll" \
    --kernel swiglu_oai_quant_mxfp8 --grid $((M / 32)),$((I / 64)) --block 256 --lds 64 \
    --arg zero:$((M * 2 * I * 2)) --arg zero:$((M * I)) --arg zero:$((M * I / 32)) \
    --arg i32:$M --arg i32:$I --arg i32:$((2 * I)) --arg i32:$I --arg i32:$((I / 32)) \
    --arg f32:1.702 --arg f32:1.0 --arg f32:7.0 --arg null --arg null \
    --profile=json --workgroups "$sample")
  row "Triton swiglu_split_limit_bm32_bn64 bf16 -> e4m3 ${M}x${I}" $((M * 2 * I * 2 + M * I + M * I / 32)) <<<"$json"
fi
if [ -f "$oracles/gemma_rmsnorm_residual_h4096.ll" ]; then
  json=$("$run" --device sim:gfx950 "$oracles/gemma_rmsnorm_residual_h4096.ll" \
    --kernel gemma_rmsnorm --grid $M --block 256 --lds 16 \
    --arg zero:$((M * H * 2)) --arg zero:$((M * H * 2)) --arg zero:$((H * 2)) \
    --arg zero:$((M * H * 2)) --arg zero:$((M * H * 2)) --arg null --arg null \
    --arg i32:$H --arg f32:1e-6 --arg i32:$H --arg i32:$H --arg i32:$H --arg i32:$H \
    --arg i32:$((H / 32)) --arg null --arg null --profile=json --workgroups "$sample")
  row "Triton gemma_rmsnorm_residual_h4096 bf16 ${M}x${H}" $((M * H * 8 + H * 2)) <<<"$json"
fi

# Decode and small batches: the plan's kernel for M in {1, 16, 64} (one-wave
# workgroups, or a row a workgroup for RMSNorm, until the large-M kernel
# fills the CUs).
echo
echo "| kernel | M | kernel run | bound | % HBM | HBM bytes / minimal | workgroups | lanes | modelled us |"
echo "|---|---|---|---|---|---|---|---|---|"
small() { # name M minimal-bytes json
  /usr/bin/python3 -c '
import json, sys
p = json.loads(sys.stdin.read().splitlines()[0])
print("| %s | %s | %s | %s | %.1f | %.2f | %d | %d | %.2f |" % (sys.argv[1], sys.argv[2],
      p["kernel"], p["bound"], p["percent_of_hbm_peak"],
      p["unique_global_bytes"] / float(sys.argv[3]), p["workgroups"], p["block"][0],
      p["modelled_us"]))' "$1" "$2" "$3"
}
"$mxc" quantize --format e4m3 --k "$K" -o "$tmp/q.hsaco"
"$mxc" swiglu --i "$I" --layout split --limit 7 --out e4m3 -o "$tmp/s.hsaco"
for m in 1 16 64; do
  json=$("$run" --device sim:gfx950 "$tmp/q.hsaco" --plan "M=$m" \
    --arg zero:$((m * K * 2)) --arg zero:$((m * K)) --arg zero:$((m * K / 32)) --profile=json)
  small "mxc quantize bf16 -> e4m3 K=$K" $m $((m * K * 3 + m * K / 32)) <<<"$json"
  json=$("$run" --device sim:gfx950 "$tmp/s.hsaco" --plan "M=$m" \
    --arg zero:$((m * 2 * I * 2)) --arg zero:$((m * I)) --arg zero:$((m * I / 32)) --profile=json)
  small "mxc swiglu split limit bf16 -> e4m3 I=$I" $m $((m * 2 * I * 2 + m * I + m * I / 32)) <<<"$json"
  json=$("$run" --device sim:gfx950 "$tmp/r.hsaco" --plan "M=$m" \
    --arg zero:$((m * H * 2)) --arg zero:$((H * 2)) --arg zero:$((m * H * 2)) \
    --arg zero:$((m * H * 2)) --arg zero:$((m * H * 2)) --profile=json)
  small "mxc rmsnorm residual bf16 H=$H" $m $((m * H * 8 + H * 2)) <<<"$json"
done
