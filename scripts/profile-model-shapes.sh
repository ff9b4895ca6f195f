#!/usr/bin/env bash
# Profiles the kernels mxc selects for the model shapes of issue 10 (gpt-oss,
# DeepSeek-V3, Llama-3-70B) in MXFP8, MXFP4 and MXFP8 x MXFP4 at M in
# {16, 128, 8192}: one kernel per row (`mxc gemm --m-buckets none --tune-m M`),
# the cost model's own estimate for it (`mxc gemm --print-cost`) and the
# simulator's profile (`mxc-run --profile=json`, sampled workgroups as in
# scripts/profile-gemms.sh), as the Markdown table of docs/gemm.md.
# Usage: scripts/profile-model-shapes.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${MXC_BUILD_DIR:-build}}
mxc=$build/bin/mxc
run=$build/bin/mxc-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=${MXC_PROFILE_WORKGROUPS:-4}

bytes_of() { # format rows k
  case $1 in e2m1) echo $(($2 * $3 / 2)) ;; e2m3|e3m2) echo $(($2 * $3 * 3 / 4)) ;; *) echo $(($2 * $3)) ;; esac
}

echo "| model, N x K | formats | M | config | bound | % matrix peak | % HBM | modelled us | estimate us | estimate % peak | estimate / profile | goal (M=8192: >= 60%) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for shape in "gpt-oss 2880 4096" "gpt-oss 5760 2880" "gpt-oss 5120 2880" \
             "DeepSeek-V3 36864 7168" "DeepSeek-V3 7168 18432" \
             "Llama-3-70B 10240 8192" "Llama-3-70B 57344 8192" "Llama-3-70B 8192 28672"; do
  read -r model N K <<<"$shape"
  for formats in "MXFP8 e4m3 e4m3" "MXFP4 e2m1 e2m1" "MXFP8xMXFP4 e4m3 e2m1"; do
    read -r name A B <<<"$formats"
    for M in 16 128 8192; do
      cost=$("$mxc" gemm --a-format "$A" --b-format "$B" --n "$N" --k "$K" --out bf16 \
        --m-buckets none --tune-m "$M" --print-cost -o "$tmp/g.hsaco")
      json=$("$run" --device sim:gfx950 "$tmp/g.hsaco" --plan "M=$M" \
        --arg zero:$(bytes_of "$A" "$M" "$K") --arg zero:$((M * K / 32)) \
        --arg zero:$(bytes_of "$B" "$N" "$K") --arg zero:$((N * K / 32)) --arg zero:$((M * N * 2)) \
        --profile=json --workgroups "$sample")
      /usr/bin/python3 -c '
import json, sys
model, n, k, name, m, cost = sys.argv[1:7]
p = json.loads(sys.stdin.read().splitlines()[0])
f = dict(zip(cost.split()[2::2], cost.split()[3::2]))
config = f["config"].replace("mfma=", "").replace("tile=", "").replace("waves=", "").replace(",prefetch=1", ",prefetch").replace(",prefetch=0", "").replace(",", ", ")
est_us, est_peak = float(f["us"]), float(f["matrix_peak"])
peak = p["percent_of_matrix_peak"]
goal = ("met" if peak >= 60 else "not met") if m == "8192" else "-"
print("| %s %sx%s | %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %s |" % (
    model, n, k, name, m, config, p["bound"], peak, p["percent_of_hbm_peak"],
    p["modelled_us"], est_us, est_peak, est_us / p["modelled_us"], goal))' \
        "$model" "$N" "$K" "$name" "$M" "$cost" <<<"$json"
    done
  done
done
