#!/bin/sh
# The fast tier against one float64 gradient evaluation and against Arb (docs/fast-tier.md,
# issue 13): L = 4, K = 10 and 100, at N = 2000 / width 256 (Arb too) and N = 50 000 /
# width 512 (Arb out of reach: hours), on a random point. One JSON line per configuration,
# each measured in one run of bench_fast (ratios, not absolute times); OpenBLAS on one
# thread unless set. The whole certify-point and dncert-verify on a trained point:
# bench/bench_certify.py.
#   bench/bench_fast.sh [BUILD_DIR] [--quick]     (--quick: the N = 2000 rows only)
set -eu
build=${1:-build}
quick=${2:-}
bin="$build/bench_fast"
[ -x "$bin" ] || { echo "bench_fast.sh: $bin missing; build the target bench_fast" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
echo "# OpenBLAS threads $OPENBLAS_NUM_THREADS; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$bin" 10 200 4 256 3 arb
"$bin" 100 20 4 256 3 arb
if [ "$quick" != "--quick" ]; then
    "$bin" 10 5000 4 512 1
    "$bin" 100 500 4 512 1
fi
