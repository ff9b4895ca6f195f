#!/usr/bin/env bash
# Runs each libFuzzer target of the sanitizer build (scripts/sanitize.sh) for
# ${MXC_FUZZ_SECONDS:-60} seconds from its seed corpus in fuzz/corpus; fails
# on any crash, timeout, leak or sanitizer report (the input is kept under
# ${MXC_FUZZ_ARTIFACTS:-fuzz-artifacts}/). New inputs go to a temporary
# directory, not into the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MXC_SANITIZE_BUILD_DIR:-build-asan}
seconds=${MXC_FUZZ_SECONDS:-60}
artifacts=${MXC_FUZZ_ARTIFACTS:-fuzz-artifacts}
. scripts/sanitizer-env.sh
mkdir -p "$artifacts"
status=0
for target in cli code_object mlir_pipeline; do
  work=$(mktemp -d)
  log="$work/log"
  mkdir -p "$work/new"
  # -timeout: one input compiling (or loading) for over 30 s is a hang.
  if "$build/bin/${target}_fuzzer" -max_total_time="$seconds" -timeout=30 \
      -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$artifacts/${target}-" \
      "$work/new" "fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $target: $runs inputs in ${seconds}s, no crash"
  else
    echo "fuzz: $target FAILED:"
    tail -n 60 "$log"
    status=1
  fi
  rm -rf "$work"
done
exit $status
