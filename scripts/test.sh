#!/bin/sh
# Install what is missing, build, and run the whole test suite.
#   scripts/test.sh             Release build in build/
#   scripts/test.sh --sanitize  AddressSanitizer + UBSan build in build-asan/
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-python
if [ "${1:-}" = "--sanitize" ]; then
    dir=build-asan
    scripts/build.sh "$dir" -DCMAKE_BUILD_TYPE=Debug -DDNCERT_SANITIZE=ON
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
    # one Criterion worker per test binary: with parallel workers Criterion's own runner leaks
    # 48 bytes (libcriterion 2.4; seen on test_critical), which LeakSanitizer reports; a
    # suppression would also hide leaks under the test bodies, which run inside libcriterion
    export CRITERION_JOBS=1
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
    dir=build
    scripts/build.sh "$dir"
fi
export OPENBLAS_NUM_THREADS=1
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
