#!/bin/sh
# The fast tier against one float64 gradient evaluation and against Arb (docs/fast-tier.md,
# issue 13): L = 4, K = 10 and 100, at N = 2000 / width 256 (Arb too) and N = 50 000 /
# width 512 (Arb out of reach: hours). One JSON line per configuration, each measured in one
# run of bench_fast (ratios, not absolute times); OpenBLAS on one thread unless set.
#   bench/bench_fast.sh [BUILD_DIR] [--quick]     (--quick: the N = 2000 rows only)
set -eu
build=${1:-build}
quick=${2:-}
bin="$build/bench_fast"
[ -x "$bin" ] || { echo "bench_fast.sh: $bin missing; build the target bench_fast" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
echo "# OpenBLAS threads $OPENBLAS_NUM_THREADS; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
dncert="$build/dncert"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# certify-point --method auto on a point trained 20 steps (the same sizes), against the
# float64 gradient of bench_fast's line above it: one JSON line each.
certify_point() {
    "$dncert" train --K "$1" --n "$2" --L 4 --width 256 --steps 20 --out "$tmp/run$1" >/dev/null 2>&1
    t0=$(date +%s.%N)
    "$dncert" certify-point "$tmp/run$1" --out "$tmp/c$1.json" --force >/dev/null
    t1=$(date +%s.%N)
    echo "{\"certify_point_K\": $1, \"n\": $2, \"t_certify_point\": $(echo "$t1 - $t0" | bc)}"
}
"$bin" 10 200 4 256 3 arb
certify_point 10 200
"$bin" 100 20 4 256 3 arb
certify_point 100 20
if [ "$quick" != "--quick" ]; then
    "$bin" 10 5000 4 512 1
    "$bin" 100 500 4 512 1
fi
