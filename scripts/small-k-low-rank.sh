#!/bin/sh
# The trained witnesses of theorems/small-k-low-rank.json (docs/theorems.md): for each (K, L)
# (n = 1, lambda = 1/250) `certify-point --critical` certifies an exact refined point: its
# loss, dnc_not_optimal against the DNC value, and critical_point / kink_multipliers /
# strict_local_min where they can be proven. Certificates go to
# certificates/small-k-low-rank/witness-K<K>-L<L>.json (or OUT_DIR); each step's verdict lines
# are printed.
#
# By default the points are the committed ones, certificates/small-k-low-rank/points/K<K>-L<L>/
# (the refined run directories behind the committed certificates: their point-exact.json is
# the certificates' exact point): reproducible on any machine, under a minute on 2 cores.
# With --retrain the whole recipe runs instead: a fixed training recipe per (K, L), then
# `dncert refine` (double, then 256 bits), then the certificate (where refine does not reach a
# stationary point, the trained point itself is certified: an upper bound); runs go to a
# temporary directory, about a minute (33 s and 64 s on two machines, 2026-12-07). Training is
# not reproducible across machines: the BLAS kernels sum in different orders and 500 000 GD
# steps carry the last bit into another point
# (docs/theorems.md lists what another machine got).
# The K = 3 and K = 5, L = 5 witnesses are certified not to be local minima (descent_direction);
# K<K>-L5-descended are the points reached by continuing along that direction
# (scripts/descend.py, then L-BFGS and refine): lower, and d-stationary.
#   scripts/small-k-low-rank.sh [--retrain] [OUT_DIR] [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
retrain=0
if [ "${1:-}" = "--retrain" ]; then
    retrain=1
    shift
fi
case "${1:-}" in
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "small-k-low-rank.sh: unknown option $1 (allowed: --retrain, --help)" >&2; exit 2 ;;
esac
out=${1:-certificates/small-k-low-rank}
build=${2:-build}
points=certificates/small-k-low-rank/points
D=$build/dncert
[ -x "$D" ] || { echo "small-k-low-rank.sh: $D not found (build first: scripts/build.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
P="--n 1 --lambda 1/250 --quiet --force"

# A run that a witness continues from (--init): name, then the train arguments.
pretrain() {
    name=$1
    shift
    echo "small-k-low-rank.sh: $name: train $*" >&2
    $D train "$@" $P --out "$tmp/$name" >/dev/null
}

# name, extra certify-point arguments ("" or "--below srg:4"), extra refine arguments ("" or a
# looser --kink-tol), then the train arguments (a run to continue or deepen from is named by
# --init; $tmp/NAME.r is the refined run of witness NAME)
witness() {
    name=$1
    extra=$2
    rextra=$3
    shift 3
    echo "small-k-low-rank.sh: $name: train $*" >&2
    $D train "$@" $P --out "$tmp/$name" >/dev/null
    run="$tmp/$name.r" crit=--critical
    # shellcheck disable=SC2086
    if ! $D refine "$tmp/$name" --out "$run" --force $rextra >"$tmp/$name.refine.json" 2>&1; then
        echo "small-k-low-rank.sh: $name: refine did not reach a stationary point: the trained point is certified" >&2
        run="$tmp/$name" crit=
    fi
    certify "$name" "$run" "$crit" "$extra"
}

# name, run directory, "--critical" or "", extra certify-point arguments
certify() {
    # shellcheck disable=SC2086
    if ! $D certify-point "$2" $3 $4 --out "$out/witness-$1.json" --force >"$tmp/$1.out" 2>&1; then
        cat "$tmp/$1.out" >&2
        echo "small-k-low-rank.sh: $1: certify-point failed" >&2
        exit 1
    fi
    grep -E '^(exact|trained|DNC|verdict|critical|kink-mult|d-stat|descent|second|local-min|srg|below) ' "$tmp/$1.out" | sed "s/^/$1  /"
}

# descend NAME CERT RUN EPS [refine arguments]: from the point of CERT (RUN its run directory)
# along its certified descent_direction (scripts/descend.py), L-BFGS, refine, certify into
# NAME; the refined run is $tmp/NAME.r, the certificate $tmp/NAME.json as well
descend() {
    name=$1 cert=$2 from=$3 eps=$4
    shift 4
    echo "small-k-low-rank.sh: $name: descend from $cert (step $eps), L-BFGS, refine $*" >&2
    rm -rf "$tmp/$name.d"
    if ! /usr/bin/python3 scripts/descend.py "$cert" "$from" "$tmp/$name.d" "$eps" >/dev/null; then
        echo "small-k-low-rank.sh: $name: skipped (no certified descent direction on this machine's point)" >&2
        return 0
    fi
    $D train --init "$tmp/$name.d" --optimizer lbfgs --steps 5000 --quiet --force --out "$tmp/$name" >/dev/null
    # shellcheck disable=SC2086
    $D refine "$tmp/$name" --out "$tmp/$name.r" --force "$@" >"$tmp/$name.refine.json" 2>&1 || true
    certify "$name" "$tmp/$name.r" --critical ""
    cp "$out/witness-$name.json" "$tmp/$name.json"
}

if [ "$retrain" = 0 ]; then
    for name in K3-L4 K4-L4 K5-L4 K6-L4 K3-L5 K4-L5 K5-L5 K6-L5 K3-L5-descended K5-L5-descended; do
        case $name in K6-*) extra="--below srg:4" ;; *) extra="" ;; esac
        [ -f "$points/$name/point-exact.json" ] || { echo "small-k-low-rank.sh: $points/$name missing" >&2; exit 2; }
        echo "small-k-low-rank.sh: $name: certify-point $points/$name" >&2
        certify "$name" "$points/$name" --critical "$extra"
    done
    exit 0
fi

witness K3-L4 "" "" --K 3 --L 4 --width 10 --optimizer lbfgs --init-std 0.5 --seed 5 --steps 5000
witness K4-L4 "" "" --K 4 --L 4 --width 10 --optimizer lbfgs --init-std 0.5 --seed 8 --steps 5000
# K = 5, 6: L-BFGS, then 500 000 GD steps from there (docs/theorems.md: shorter runs stop where
# refinement cycles or finds a saddle)
pretrain K5-L4-lbfgs --K 5 --L 4 --width 10 --optimizer lbfgs --init-std 0.5 --seed 2 --steps 5000
witness K5-L4 "" "" --init "$tmp/K5-L4-lbfgs" --lr 0.05 --steps 500000
pretrain K6-L4-lbfgs --K 6 --L 4 --width 10 --optimizer lbfgs --init-std 0.5 --seed 4 --steps 5000
witness K6-L4 "--below srg:4" "" --init "$tmp/K6-L4-lbfgs" --lr 0.05 --steps 500000
# L = 5 from the L = 4 runs (K = 5: from the refined one), one identity layer inserted (train
# --deepen, docs/trainer.md)
witness K3-L5 "" "" --init "$tmp/K3-L4" --deepen --optimizer lbfgs --steps 5000
witness K4-L5 "" "--kink-tol 0.05" --init "$tmp/K4-L4" --deepen --optimizer lbfgs --steps 5000
witness K5-L5 "" "--kink-tol 0.05" --init "$tmp/K5-L4.r" --deepen --lr 0.05 --steps 500000
witness K6-L5 "--below srg:4" "" --init "$tmp/K6-L4" --deepen --lr 0.05 --steps 500000
# The K = 3 and K = 5, L = 5 witnesses are not local minima (descent_direction certified,
# docs/refine.md §7.18): continue along the certified direction (K = 5: twice, the second
# time with --kink-tol 1e-3)
descend K3-L5-descended "$out/witness-K3-L5.json" "$tmp/K3-L5.r" 0.1
descend K5-L5-step "$out/witness-K5-L5.json" "$tmp/K5-L5.r" 0.01
descend K5-L5-descended "$tmp/K5-L5-step.json" "$tmp/K5-L5-step.r" 1.0 --kink-tol 1e-3
rm -f "$out/witness-K5-L5-step.json"
