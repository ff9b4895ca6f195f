#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds mxc and runs every test (lit suites and unit tests through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir "${MXC_BUILD_DIR:-build}" --output-on-failure
