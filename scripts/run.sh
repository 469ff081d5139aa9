#!/bin/sh
# The main job: install what is missing, build, then run the built-in default.
# For now that is a default training run (K=2, n=5, L=3, width 10, lambda=1/250, L-BFGS),
# whose optimum is known in closed form (the DNC value 0.0238535931285789...).
# Extra arguments are passed to `dncert train`.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec build/dncert train --optimizer lbfgs --lr 1 --steps 5000 --log-every 50 --out runs/default --force "$@"
