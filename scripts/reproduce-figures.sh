#!/bin/sh
# The three DUFM figures of Súkeník, Lampert & Mondelli (NeurIPS 2024), "Neural collapse
# versus low-rank bias: is deep neural collapse really optimal?", from three sweeps of
# full-batch gradient descent (K = 10 classes, L = 4 layers, n = 1 sample per class,
# learning rate 0.5), with the certified DNC and SRG values as references:
#
#   loss  final losses of 10 seeds at width 30, lambda = 0.004, against DNC and SRG
#   rank  rank of the class means before the ReLU against the weight decay (width 30)
#   dnc   fraction of runs of each solution class against the width (lambda = 0.004)
#
# Usage: scripts/reproduce-figures.sh [--quick] [--out DIR] [--jobs N]
#   --quick   fewer seeds, weight decays, widths and steps: about 35 s on 2 cores
#             (the full run: about 7 minutes on 2 cores; measured times in docs/sweeps.md)
#   --out     where the sweeps go (default runs/figures or runs/figures-quick); rerunning
#             resumes the sweeps, finished runs are not trained again
#   --jobs    training processes at a time (default: the number of CPUs)
# The figures are DIR/{loss,rank,dnc}/plots/<figure>-K10-L4-<value>.{png,svg,pdf,gp} (redrawn
# with --force on every run of the script, as the sweeps may have grown). The dncert binary is
# $DNCERT (default build/dncert, brought up to date with scripts/build.sh).
# This is an example of dncert sweep / sweep-plot, not part of the tests.
set -eu
cd "$(dirname "$0")/.."

quick=0
out=
jobs=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --out) out="$2"; shift ;;
        --jobs) jobs="$2"; shift ;;
        *) echo "usage: $0 [--quick] [--out DIR] [--jobs N]" >&2; exit 2 ;;
    esac
    shift
done

# An incremental build is cheap and guarantees the binary matches the sources.
if [ -z "${DNCERT:-}" ]; then
    scripts/build.sh build >/dev/null
fi
dncert="${DNCERT:-build/dncert}"

# Gradient descent reaches the tolerances of class dnc slowly (width 100: 150000 to 200000
# steps); the quick mode stops earlier, so its dnc figure shows runs of rank K that are
# still approaching DNC rather than class dnc.
if [ "$quick" = 1 ]; then
    out="${out:-runs/figures-quick}"
    steps=20000; seeds=1-10; rank_seeds=1-5; lambdas=0.001,0.002,0.003,0.004,0.006,0.008
    widths=10,20,30,50,75,100; dnc_seeds=1-4; dnc_steps=30000
else
    out="${out:-runs/figures}"
    steps=150000; seeds=1-10; rank_seeds=1-5; lambdas=0.0005,0.001,0.002,0.003,0.004,0.005,0.006,0.007,0.008
    widths=10,20,30,40,50,75,100; dnc_seeds=1-10; dnc_steps=200000
fi

common="--K 10 --n 1 --L 4 --lr 0.5 --init-std 0.1 --log-every 1000 --jobs $jobs"
start=$(date +%s)
set -x
"$dncert" sweep $common --width 30 --lambda 0.004 --seeds $seeds --steps $steps --out "$out/loss"
"$dncert" sweep-plot "$out/loss" --figure loss --force
"$dncert" sweep $common --width 30 --lambda $lambdas --seeds $rank_seeds --steps $steps --out "$out/rank"
"$dncert" sweep-plot "$out/rank" --figure rank --force
"$dncert" sweep $common --width $widths --lambda 0.004 --seeds $dnc_seeds --steps $dnc_steps --out "$out/dnc"
"$dncert" sweep-plot "$out/dnc" --figure dnc --force
set +x
echo "figures in $out/{loss,rank,dnc}/plots/ after $(( $(date +%s) - start )) s"
