#!/usr/bin/env bash
# Builds and runs the object-loader fuzzer (fuzz/object_loader_fuzzer.cc), then the
# library_bin decoder fuzzer (fuzz/library_bin_fuzzer.cc), each bounded in time or in executions.
#   scripts/fuzz.sh [seconds=60] [extra libFuzzer flags...]    a timed (random) campaign
#   FUZZ_RUNS=N scripts/fuzz.sh                                 exactly N mutations (repeatable)
# Env: FUZZ_JOBS (parallel fuzzing processes, default 1), FUZZ_BUILD_DIR (default build-fuzz),
#      FUZZ_SEED (libFuzzer -seed; default 0 = random). The CI test uses FUZZ_RUNS with seed 1:
#      the corpus is byte-identical on every checkout, so CI replays the same inputs that passed
#      here, and a red run means a code change broke the loader, not a lucky draw.
# Replays fuzz/regressions/* first; new crashing inputs land in fuzz/regressions/ (keep them:
# the reliability test replays them). Writes $FUZZ_RESULT (default build-fuzz/fuzz-result.json)
# for docs/reliability.md (and <that>-library-bin.json for the decoder; its crashing inputs land in
# fuzz/regressions-library-bin/); logs go to build-fuzz/fuzz-<pid>.log (concurrent runs do not clobber).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"; shift || true
dir="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${FUZZ_JOBS:-1}"
bin="$dir/object_loader_fuzzer"
result="${FUZZ_RESULT:-$dir/fuzz-result.json}"
log="$dir/fuzz-$$.log"

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DORCJIT_FUZZ=ON >/dev/null
fi
# Same lock as the addon build: 2 cores are shared.
flock /tmp/tvm-ffi-orcjit-build.lock cmake --build "$dir" --target object_loader_fuzzer

corpus="$dir/corpus"
node fuzz/build-corpus.mjs "$corpus"
seeds=$(ls "$corpus" | wc -l)  # before this run adds to it

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# 1. Regression inputs: each must now end cleanly.
shopt -s nullglob
regs=(fuzz/regressions/*)
if ((${#regs[@]})); then
  "$bin" -runs=0 -timeout=20 "${regs[@]}" 2>"$log" || {
    cat "$log" >&2; echo "fuzz: a regression input fails again" >&2; exit 1; }
fi

# 2. Fuzz for a bounded time (or a fixed number of runs), seeded from the corpus.
bound=(-max_total_time="$secs")
norand=()
if [ -n "${FUZZ_RUNS:-}" ]; then
  bound=(-runs="$FUZZ_RUNS")
  # Without address randomisation, pointer-keyed maps in LLVM iterate the same way each run,
  # so coverage (and with it the mutation sequence) repeats.
  setarch "$(uname -m)" -R true 2>/dev/null && norand=(setarch "$(uname -m)" -R)
fi
start=$(date +%s)
set +e
"${norand[@]}" "$bin" "${bound[@]}" -timeout=20 -rss_limit_mb=4096 -max_len=262144 \
  -print_final_stats=1 -jobs="$jobs" -workers="$jobs" -seed="${FUZZ_SEED:-0}" \
  -artifact_prefix=fuzz/regressions/ "$@" "$corpus" 2>"$log"
rc=$?
set -e
end=$(date +%s)
# -jobs>1 writes fuzz-<n>.log in the working directory; one job reports in $log.
execs=$({ cat "$log" fuzz-[0-9]*.log 2>/dev/null || true; } | { grep -o 'stat::number_of_executed_units: *[0-9]*' || true; } | awk '{s+=$2} END {print s+0}')
printf '{"tool":"libFuzzer","seconds":%d,"executions":%d,"corpus":%d,"regressions":%d,"exitCode":%d}\n' \
  "$((end - start))" "$execs" "$seeds" "${#regs[@]}" "$rc" >"$result"
cat "$result"
if [ "$rc" -ne 0 ]; then tail -n 80 "$log" >&2; exit "$rc"; fi
rm -f "$log"

# 3. The __tvm_ffi__library_bin decoder on raw blobs (fuzz/library_bin_fuzzer.cc), with the
#    same bound: its regressions first, then mutations of the generated seed corpus.
lbbin="$dir/library_bin_fuzzer"
lbcorpus="$dir/library-bin-corpus"
lbregs_dir=fuzz/regressions-library-bin
lblog="$dir/fuzz-library-bin-$$.log"
flock /tmp/tvm-ffi-orcjit-build.lock cmake --build "$dir" --target library_bin_fuzzer
node fuzz/build-library-bin-corpus.mjs "$lbcorpus" >/dev/null
lbseeds=$(ls "$lbcorpus" | wc -l)
mkdir -p "$lbregs_dir"
lbregs=("$lbregs_dir"/*)
if ((${#lbregs[@]})); then
  "$lbbin" -runs=0 -timeout=20 "${lbregs[@]}" 2>"$lblog" || {
    cat "$lblog" >&2; echo "fuzz: a library_bin regression input fails again" >&2; exit 1; }
fi
lbstart=$(date +%s)
set +e
"${norand[@]}" "$lbbin" "${bound[@]}" -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -seed="${FUZZ_SEED:-0}" -artifact_prefix="$lbregs_dir/" "$lbcorpus" 2>"$lblog"
lbrc=$?
set -e
lbend=$(date +%s)
lbexecs=$({ grep -o 'stat::number_of_executed_units: *[0-9]*' "$lblog" || true; } | awk '{s+=$2} END {print s+0}')
printf '{"tool":"libFuzzer","target":"library_bin","seconds":%d,"executions":%d,"corpus":%d,"regressions":%d,"exitCode":%d}\n' \
  "$((lbend - lbstart))" "$lbexecs" "$lbseeds" "${#lbregs[@]}" "$lbrc" >"${result%.json}-library-bin.json"
cat "${result%.json}-library-bin.json"
if [ "$lbrc" -ne 0 ]; then tail -n 80 "$lblog" >&2; exit "$lbrc"; fi
rm -f "$lblog"
