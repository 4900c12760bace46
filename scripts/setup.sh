#!/usr/bin/env bash
# One-command, idempotent set-up for a fresh machine of this kind (Debian 12, Node 20, npm + apt).
# Every step checks whether its work is already done and says so; a second run takes seconds.
# Steps: system packages (apt) → npm packages (npm ci) → on-chain program → circuit keys.
# Set CYX_SETUP_QUIET=1 to print only the steps that do work.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stamp_dir="$root/node_modules/.cyx-setup"
quiet="${CYX_SETUP_QUIET:-}"

step() { printf '\033[1m[setup %s]\033[0m %s\n' "$1" "$2"; }
skip() { [ -n "$quiet" ] || printf '[setup %s] %s\n' "$1" "$2"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# 1. Node itself: the project targets Node 20.19+ (mocha 12, undici 7 need it).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
node_minor="$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  die "Node >= 20.19 is required (found $(node --version 2>/dev/null || echo none)); install it and run again"
fi

# 2. System packages. The on-chain program is Rust with no crates, built for bpfel with Debian's
#    rustc-web (it brings llc-22 and llvm-ar-22) and the vendored std sources of rust-web-src.
#    The multi-host tests (test/e2e/net/netns) build NAT with nftables, shape links with iproute2's tc
#    and delay them with a stdlib python3 program (netem.py: these kernels have no netem qdisc).
#    The live page's browser test (test/e2e/ui/browser.test.ts) drives Debian's chromium.
apt_packages=(rustc-web rust-web-src cargo-web rust-web-llvm nftables iproute2 python3 chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  skip apt "system packages present (${apt_packages[*]})"
else
  step apt "installing ${missing[*]} (one-time, about a minute)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  step apt "done"
fi

# 3. npm packages, reinstalled only when package-lock.json changed. onnxruntime-node's postinstall
#    downloads CUDA libraries, which cannot be reached here: skip it (the CPU binaries ship in the
#    tarball). `npm install` against the committed lock file, not `npm ci`: the registry reachable
#    here does not serve litesvm's darwin/arm64 optional packages, so they are absent from the lock
#    and `npm ci` refuses the lock as "out of sync"; `npm install` installs the same locked tree.
mkdir -p "$stamp_dir" 2>/dev/null || true
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp_dir/npm.sha256" ] && [ "$(cat "$stamp_dir/npm.sha256")" = "$lock_hash" ] && [ -d node_modules/.bin ]; then
  skip npm "node_modules matches package-lock.json"
else
  step npm "npm install from package-lock.json (one-time, about a minute)"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error
  mkdir -p "$stamp_dir"
  echo "$lock_hash" > "$stamp_dir/npm.sha256"
  step npm "done"
fi

# 4. Builds that later parts of the project add (on-chain program, circuits). Each build script is
#    itself incremental: it rebuilds only when its sources changed.
for build in scripts/build-program.ts scripts/build-circuits.ts; do
  if [ -f "$build" ]; then
    node --import tsx --import ./peer/runtime/node20.mjs "$build"
  fi
done

skip done "set-up complete"
