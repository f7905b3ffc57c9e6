#!/bin/bash
# bench/callgrind/ir.sh <worktree> <which>...: callgrind runs of call.mjs at 200 k and 500 k
# calls (output in $OUT, default /tmp/orcjit-callgrind); `python3 perfn.py <which>` then prints
# the instructions per call by function. Whole-program totals are printed too but are not
# comparable between runs: V8 tiers the loop up at different points.
root=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-/tmp/orcjit-callgrind}; mkdir -p "$out"
for w in "$@"; do
  for n in 200000 500000; do
    N=$n valgrind --tool=callgrind --callgrind-out-file="$out/$w.$n.out" node "$here/call.mjs" "$root" "$w" >/dev/null 2>"$out/$w.$n.err"
  done
  a=$(grep -oP 'summary: \K[0-9]+' "$out/$w.200000.out"); b=$(grep -oP 'summary: \K[0-9]+' "$out/$w.500000.out")
  echo "$w $(( (b - a) / 300000 )) instr/call (whole program)"
done
