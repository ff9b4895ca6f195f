#!/usr/bin/env bash
# Installs everything mxc needs to build and test on Debian 12. Safe to run twice.
set -euo pipefail

packages=(
  cmake ninja-build ccache git
  llvm-22-dev libmlir-22-dev mlir-22-tools lld-22 llvm-22-tools clang-22
  libclang-rt-22-dev
  rocm-device-libs
  libgtest-dev libgmock-dev libzstd-dev zlib1g-dev libedit-dev libcurl4-openssl-dev libxml2-dev
  python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: installed ${missing[*]}"
