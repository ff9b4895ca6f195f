#!/usr/bin/env bash
# Profiles mxc's gfx950 GEMMs and the Triton oracle GEMMs (../shared/oracles) on
# the same problems with `mxc-run --profile=json`, and prints one row per
# kernel: the figures of docs/profile.md. Usage: scripts/profile-gemms.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${MXC_BUILD_DIR:-build}}
mxc=$build/bin/mxc
run=$build/bin/mxc-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=${MXC_PROFILE_WORKGROUPS:-8}

row() { # name json
  /usr/bin/python3 -c '
import json, sys
p = json.loads(sys.stdin.read().splitlines()[0])
f = lambda k: p.get(k)
print("| %s | %s | %.1f | %.1f | %s | %s | %s | %s | %.1f |" % (sys.argv[1], p["bound"],
      p["percent_of_matrix_peak"], p["percent_of_hbm_peak"],
      "%.1f" % f("l1_lines_per_mflop") if f("l1_lines_per_mflop") is not None else "-",
      "%.0f" % f("l2_bytes_per_mflop") if f("l2_bytes_per_mflop") is not None else "-",
      "%.0f" % f("lds_bytes_per_mflop") if f("lds_bytes_per_mflop") is not None else "-",
      int(p["lds_bank_conflicts"]), p["modelled_us"]))' "$1"
}

bytes_of() { # format rows k
  case $1 in e2m1) echo $(($2 * $3 / 2)) ;; e2m3|e3m2) echo $(($2 * $3 * 3 / 4)) ;; *) echo $(($2 * $3)) ;; esac
}

echo "| kernel | bound | % matrix peak | % HBM | L1 lines/MFLOP | L2 B/MFLOP | LDS B/MFLOP | LDS conflicts | modelled us |"
echo "|---|---|---|---|---|---|---|---|---|"
for spec in "8192 8192 8192 e4m3 e4m3" "8192 8192 8192 e2m1 e2m1" "8192 8192 8192 e4m3 e2m1" \
            "16 8192 8192 e4m3 e4m3" "16 8192 8192 e4m3 e2m1" "1 8192 8192 e4m3 e4m3" \
            "1 8192 8192 e4m3 e2m1" "1 8192 8192 e2m1 e2m1"; do
  read -r M N K A B <<<"$spec"
  "$mxc" gemm --a-format "$A" --b-format "$B" --n "$N" --k "$K" --out bf16 -o "$tmp/g.hsaco" --tune-m "$M"
  json=$("$run" --device sim:gfx950 "$tmp/g.hsaco" --plan "M=$M" \
    --arg zero:$(bytes_of "$A" "$M" "$K") --arg zero:$((M * K / 32)) \
    --arg zero:$(bytes_of "$B" "$N" "$K") --arg zero:$((N * K / 32)) --arg zero:$((M * N * 2)) \
    --profile=json --workgroups "$sample")
  row "mxc ${M}x${N}x${K} $A x $B" <<<"$json"
done

oracles=../shared/oracles/triton-3.6-gfx950
if [ -d "$oracles" ]; then
  # name A-format B-format BM BN LDS
  for spec in "e4m3xe4m3_128x128x128_w4_s2 e4m3 e4m3 128 128 33792" \
              "e4m3xe2m1_128x128x128_w4_s2 e4m3 e2m1 128 128 25600"; do
    read -r name A B BM BN LDS <<<"$spec"
    M=8192 N=8192 K=8192
    json=$("$run" --device sim:gfx950 "$oracles/$name.ll" --kernel mx_gemm \
      --grid $((M / BM)),$((N / BN)) --block 256 --lds "$LDS" \
      --arg zero:$(bytes_of "$A" "$M" "$K") --arg zero:$((M * K / 32)) \
      --arg zero:$(bytes_of "$B" "$N" "$K") --arg zero:$((N * K / 32)) --arg zero:$((M * N * 2)) \
      --arg i32:$M --arg i32:$N --arg i32:$K --arg i32:$(bytes_of "$A" 1 "$K") \
      --arg i32:$(bytes_of "$B" 1 "$K") --arg i32:$N --arg null --arg null \
      --profile=json --workgroups "$sample")
    row "Triton $name 8192^3" <<<"$json"
  done
fi
