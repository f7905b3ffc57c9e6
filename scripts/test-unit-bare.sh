#!/usr/bin/env bash
# Runs `npm run test:unit` as on a machine with no LLVM, no C/C++ compiler and no addon:
# PATH keeps everything but compilers/linkers/LLVM tools, ORCJIT_ADDON_PATH points at nothing.
# Proves the unit project needs neither (docs/architecture.md#tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  for f in "$d"/*; do
    b=$(basename "$f")
    case $b in clang* | gcc* | g++* | cc | c++ | cpp* | ld | ld.* | lld* | llvm* | *-gcc* | *-g++* | as | nvcc | cl | distcc* | ccache | cmake* | ninja) continue ;; esac
    [ -e "$bin/$b" ] || ln -s "$f" "$bin/$b"
  done
done
PATH="$bin" ORCJIT_ADDON_PATH=/nonexistent/tvm_ffi_orcjit.node npm run test:unit "$@"
