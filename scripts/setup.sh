#!/usr/bin/env bash
# One-shot set-up from a bare Debian 12 machine: system packages (LLVM 22 from
# bookworm-security, clang-22, gcc, cmake, ninja), npm dependencies, the addon and the
# TypeScript build. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in llvm-22-dev clang-22 libclang-rt-22-dev libzstd-dev zlib1g-dev gcc g++ libc6-dev libatomic1 cmake ninja-build util-linux; do
  have_pkg "$pkg" || need+=("$pkg")
done
# Compile farms (distcc, icecream) and compiler caches (ccache, sccache) for the launcher tests
# (test/compiler/launcher*.test.ts).
for pkg in distcc ccache sccache icecc; do have_pkg "$pkg" || need+=("$pkg"); done
# Real debuggers for the GDB JIT interface tests (test/debug/gdb.test.ts, docs/debugging.md).
for pkg in gdb lldb-22; do have_pkg "$pkg" || need+=("$pkg"); done
if ((${#need[@]})); then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund

echo "setup: building the native addon (LLVM 22, static)"
npm run build:native

echo "setup: building TypeScript"
npm run build:ts
echo "setup: done"
