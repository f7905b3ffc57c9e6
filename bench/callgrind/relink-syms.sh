#!/bin/bash
# bench/callgrind/relink-syms.sh <worktree>: links build/Release/tvm_ffi_orcjit.node again
# keeping the symbol table (Release links with -s), so perfn.py can name our functions.
# Profiling only: `npm run build:native` after a source change links the stripped one again.
cd "$1/build" && cmd=$(ninja -t commands tvm_ffi_orcjit | tail -1 | sed 's/ -s / /') && bash -c "$cmd" &&
  strip --strip-debug Release/tvm_ffi_orcjit.node
