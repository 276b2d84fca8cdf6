#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the test suite: Chromium and iproute2 from apt
# (the e2e suite drives /usr/bin/chromium inside a private network namespace), then the npm
# dependencies. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from apt"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  # npm ci can fail when the registry lacks an optional platform package pinned in the lockfile;
  # npm install with the lockfile then works (see the platform notes).
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
echo "setup: done"
