#!/bin/sh
# Searches for witnesses against DNC optimality in the deep linear UFM under cross-entropy
# (Garrod & Keating, NeurIPS 2025) on the grid K = 3..8, L = 2..4 (docs/theorems.md,
# "garrod-keating-ce.json"): trains SEEDS runs per (K, L) by L-BFGS from fan-in starts,
# keeps the lowest, and when its double loss is below the DNC-structured value (the
# trainer's summary, from the certified closed form) certifies it with certify-point, which
# writes a dnc_not_optimal claim the verifier re-checks. Usage:
#   scripts/garrod-keating.sh [BUILD] [OUT] [SEEDS]     (defaults: build, certificates/garrod-keating-ce, 50)
# The best run of each (K, L) with a witness is kept in runs/garrod-keating/K<K>-L<L>.
# Prints a table: K, L, runs, best loss, DNC value, witness file or "none".
set -eu
B=${1:-build}
OUT=${2:-certificates/garrod-keating-ce}
SEEDS=${3:-50}
N=1
LAMBDA=1/100
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
printf 'K\tL\truns\tbest\tdnc\twitness\n'
for K in 3 4 5 6 7 8; do
    for L in 2 3 4; do
        best= bestdir= dnc=
        s=1
        while [ "$s" -le "$SEEDS" ]; do
            d="$TMP/K$K-L$L-s$s"
            "$B/dncert" train --K "$K" --n "$N" --L "$L" --width "$K" --activation linear --loss ce \
                --lambda "$LAMBDA" --optimizer lbfgs --lr 1 --steps 20000 --grad-tol 1e-13 --seed "$s" \
                --out "$d" --quiet >/dev/null 2>&1 || { s=$((s + 1)); continue; }
            loss=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' "$d/summary.json")
            dnc=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["class"]["dnc_value"]))' "$d/summary.json")
            if [ -z "$best" ] || python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$loss" "$best"; then
                best=$loss bestdir=$d
            fi
            s=$((s + 1))
        done
        w=none
        # below by more than the double rounding of both numbers (equal points differ by ~1e-16)
        if [ -n "$best" ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) * (1 - 1e-9) else 1)' "$best" "$dnc"; then
            w="$OUT/witness-K$K-L$L.json"
            run="runs/garrod-keating/K$K-L$L"
            mkdir -p runs/garrod-keating
            rm -rf "$run"
            cp -r "$bestdir" "$run"
            "$B/dncert" certify-point "$run" --out "$w" --force >"$TMP/cp.txt" 2>&1 \
                || w="certify-point failed: $(tail -1 "$TMP/cp.txt")"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$K" "$L" "$SEEDS" "$best" "$dnc" "$w"
    done
done
