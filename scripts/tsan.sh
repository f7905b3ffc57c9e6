#!/usr/bin/env bash
# ThreadSanitizer run of the worker_threads stress (issue 13), next to scripts/sanitize.sh.
#  1. builds build-tsan/ with clang-22 and -DORCJIT_TSAN=ON (the addon only);
#  2. runs test/reliability/threads-worker.mjs through node with the TSan runtime preloaded
#     (LD_PRELOAD=libclang_rt.tsan-x86_64.so) and the TSan addon (ORCJIT_ADDON_PATH).
# node and LLVM are not instrumented: races inside them are not seen; what is checked is the
# addon's own code (binding, runtime, JIT glue) and its use of LLVM/libc locks.
# Any TSan warning with a frame in the addon (scripts/tsan-classify.mjs) or a stress error
# fails the script; warnings entirely inside node/V8/libuv (uninstrumented) are listed only.
# Not part of `npm test` (the build alone takes minutes); writes build-tsan/tsan-result.json.
#   scripts/tsan.sh [workers] [cycles]        default 8 2000
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-tsan
lock=/tmp/tvm-ffi-orcjit-build.lock
workers=${1:-8}
cycles=${2:-2000}
start=$(date +%s)
CC=clang-22 CXX=clang++-22 flock "$lock" npx cmake-js compile -G Ninja --out "$dir" \
  --CDORCJIT_TSAN=ON --CDCMAKE_BUILD_TYPE=RelWithDebInfo >"$dir.log" 2>&1 || {
  tail -n 60 "$dir.log" >&2; echo "tsan: TSan addon build failed" >&2; exit 1; }
built=$(date +%s)
[ -d test/.fixtures/gcc ] || npx vitest run test/jit/basic.test.ts >/dev/null  # builds the fixtures
[ -f dist/index.js ] || npm run build:ts >/dev/null

reports="$dir/reports"
rm -rf "$reports"; mkdir -p "$reports"
rt=$(clang-22 -print-file-name=libclang_rt.tsan-x86_64.so)
cache=$(mktemp -d)
set +e
LD_PRELOAD="$rt" \
TSAN_OPTIONS="exitcode=0:halt_on_error=0:report_signal_unsafe=0:second_deadlock_stack=1:log_path=$PWD/$reports/tsan" \
ORCJIT_ADDON_PATH="$PWD/$dir/Release/tvm_ffi_orcjit.node" \
  node test/reliability/threads-worker.mjs dist test/.fixtures/gcc "$cache" "$workers" "$cycles" >"$dir/stress.out" 2>"$dir/stress.err"
rc=$?
set -e
rm -rf "$cache"
end=$(date +%s)
# node and V8 are not instrumented, so TSan also reports races between their own threads
# (it cannot see their atomics). Only warnings with a frame in the addon count; the others
# are listed by their summary line.
counts=$(node "$PWD/scripts/tsan-classify.mjs" "$reports" "$dir/tsan-addon-reports.txt")
stress=$(tail -n 1 "$dir/stress.out" 2>/dev/null || echo '{}')
printf '{"tool":"TSan","buildSeconds":%d,"runSeconds":%d,"workers":%d,"cycles":%d,"stress":%s,"warnings":%s,"exitCode":%d}\n' \
  "$((built - start))" "$((end - built))" "$workers" "$cycles" "${stress:-{\}}" "$counts" "$rc" >"$dir/tsan-result.json"
cat "$dir/tsan-result.json"
if ! grep -q '"addon":0' <<<"$counts"; then cat "$dir/tsan-addon-reports.txt" >&2; echo "tsan: warnings in the addon" >&2; exit 1; fi
if [ "$rc" -ne 0 ]; then tail -n 40 "$dir/stress.err" >&2; exit "$rc"; fi
grep -q '"errors":0' "$dir/stress.out" || { echo "tsan: stress errors" >&2; exit 1; }
