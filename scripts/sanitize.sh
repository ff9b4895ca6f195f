#!/usr/bin/env bash
# Builds mxc with AddressSanitizer and UndefinedBehaviorSanitizer (clang-22)
# into ${MXC_SANITIZE_BUILD_DIR:-build-asan} and runs the whole test suite
# there. The same build has the libFuzzer targets (MXC_FUZZERS=ON), which
# scripts/fuzz.sh runs. docs/hardening.md says what is checked and why.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MXC_SANITIZE_BUILD_DIR:-build-asan}
# -O1 and line tables: usable stacks at half the build time of -O2 -g.
cmake -G Ninja -S . -B "$build" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DMXC_SANITIZE=address,undefined -DMXC_FUZZERS=ON >/dev/null
ninja -C "$build"
. scripts/sanitizer-env.sh
# mxrt-host-app-install builds examples/host-app against this build's
# libmxrt: with the same compiler and sanitizers, so that the ASan runtime
# comes first in the host program.
rt=$(clang++-22 -print-runtime-dir)
export CC=clang-22 CXX=clang++-22
export CFLAGS="-fsanitize=address,undefined" CXXFLAGS="-fsanitize=address,undefined"
export LDFLAGS="-fsanitize=address,undefined -shared-libsan -Wl,-rpath,$rt"
# mxrt-core-deps checks what libmxrt needs in a plain build; a sanitized
# libmxrt needs the sanitizer runtime too. The Python tests run in the normal
# build: an uninstrumented python3 cannot load ASan-instrumented modules.
ctest --test-dir "$build" -j2 --output-on-failure -E '^(mxrt-core-deps|python)$'
