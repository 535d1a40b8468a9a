#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing (apt-get, through sudo
# when not root), builds layerlab, then runs the demo (`demo`) or the whole test suite (`test`).
# Safe to run again: installs only what is missing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libboost-program-options-dev libfmt-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev
  libbenchmark-dev libarchive-dev libssl-dev nlohmann-json3-dev libcurl4-openssl-dev zlib1g-dev
  busybox-static tar gzip python3
)
# Real peers the interop tests talk to (they skip, saying why, where one is missing).
TEST_PACKAGES=(docker-registry skopeo umoci podman chromium runc crun jupyter-nbconvert python3-nbclient python3-ipykernel python3-matplotlib)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"
  fi
}

build() {
  cmake --preset default >/dev/null
  cmake --build --preset default -j "$(nproc)"
}

case "${1:-}" in
  demo)
    install_missing "${PACKAGES[@]}"
    build
    exec scripts/demo.sh build/sim/layerlab
    ;;
  test)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build
    exec ctest --test-dir build --output-on-failure -j "$(nproc)"
    ;;
  deps)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ;;
  *)
    echo "usage: scripts/setup.sh demo|test|deps" >&2
    exit 2
    ;;
esac
