#!/usr/bin/env bash
# Installs everything mxc needs to build and test on Debian 12. Safe to run twice.
set -euo pipefail

packages=(
  cmake ninja-build ccache git
  llvm-22-dev libmlir-22-dev mlir-22-tools lld-22 llvm-22-tools clang-22
  libclang-rt-22-dev
  rocm-device-libs
  libgtest-dev libgmock-dev libzstd-dev zlib1g-dev libedit-dev libcurl4-openssl-dev libxml2-dev
  python3-numpy python3-pytest python3-dev pybind11-dev
)
# Installed where the distribution has them: PyTorch's CPU tensors exercise
# the Python package's DLPack path (Debian 12 has python3-torch; the tests
# skip that case without it).
optional=(python3-torch)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
missing_optional=()
for p in "${optional[@]}"; do
  installed "$p" || missing_optional+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
for p in "${missing_optional[@]}"; do
  if apt-cache show "$p" >/dev/null 2>&1; then
    missing+=("$p")
  else
    echo "setup: $p is not available here; skipping it"
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  echo "setup: installed ${missing[*]}"
fi
