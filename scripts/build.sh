#!/usr/bin/env bash
# Configures and builds mxc into ${MXC_BUILD_DIR:-build}.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MXC_BUILD_DIR:-build}
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build"
