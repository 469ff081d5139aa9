#!/bin/sh
# Builds the libFuzzer targets of fuzz/ (docs/fuzzing.md) in build-fuzz/ and runs each for
# SECONDS (default 30) on a working copy of its seed corpus fuzz/corpus/<target>/, with a
# 10 s limit per input and 2 GiB of memory. Prints one line of numbers per target and exits
# non-zero when any target crashed, hung or ran out of memory (the input is saved as
# build-fuzz/artifacts/<target>-crash-..., -timeout-... or -oom-...).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (default: every fuzz/fuzz_*.c)
set -eu
cd "$(dirname "$0")/.."
secs="${1:-30}"
[ $# -gt 0 ] && shift
targets="$*"
[ -z "$targets" ] && targets=$(for f in fuzz/fuzz_*.c; do basename "$f" .c; done)
dir=build-fuzz
cc="${CC:-clang}"
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDNCERT_FUZZ=ON \
      -DDNCERT_WERROR=ON >/dev/null
cmake --build "$dir" --target fuzz -j "$(nproc)" -- --no-print-directory >/dev/null
mkdir -p "$dir/artifacts" "$dir/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export TMPDIR="$PWD/$dir/tmp"   # the targets' scratch files (fuzz_tmpdir), removed after each run
failed=0
for t in $targets; do
    work="$dir/corpus/$t"
    mkdir -p "$work"
    cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
    log="$dir/logs/$t.log"
    rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
    if "$dir/fuzz/$t" "$work" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
           -artifact_prefix="$dir/artifacts/$t-" >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "$t: $status, ${execs:-?} executions in ${secs} s, corpus $(ls "$work" | wc -l) inputs"
    if [ "$status" = FAILED ]; then
        grep -E "ERROR|SUMMARY|fuzz: |Test unit written" "$log" | head -5 | sed 's/^/    /'
    fi
done
rm -rf "$TMPDIR"
exit $failed
