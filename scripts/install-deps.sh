#!/bin/sh
# Install the Debian 12 packages dncert needs. Idempotent: does nothing when all are present.
# What each package is for: README.md, "Building by hand".
# Usage: scripts/install-deps.sh [--with-python] [--with-bench] [--with-fuzz] [--with-slurm]
#   --with-python adds pytest, setuptools, pip and venv for the Python package and its tests
#   (python/, docs/python.md); --with-bench adds python3-torch and mpmath (also for the
#   PyTorch example of docs/python.md); --with-fuzz adds clang and libFuzzer
#   (scripts/fuzz.sh, docs/fuzzing.md); --with-slurm adds a single-node Slurm and munge for
#   the test of scripts/slurm/ (tests/slurm/test_slurm.sh, docs/sweeps.md)
set -eu
pkgs="build-essential cmake pkg-config libmpfr-dev libgmp-dev libflint-dev libflint-arb-dev
libopenblas-dev liblapacke-dev libssl-dev libcriterion-dev libjansson-dev python3-numpy gnuplot-nox
fonts-dejavu-core"
for opt in "$@"; do
    case "$opt" in
        --with-python) pkgs="$pkgs python3-pytest python3-setuptools python3-pip python3-venv" ;;
        --with-bench) pkgs="$pkgs python3-torch python3-mpmath" ;;
        --with-fuzz) pkgs="$pkgs clang libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev" ;;
        --with-slurm) pkgs="$pkgs slurm-wlm munge" ;;
        *) echo "install-deps.sh: unknown option '$opt' (--with-python, --with-bench, --with-fuzz, --with-slurm)" >&2; exit 2 ;;
    esac
done
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps.sh: installing:$missing (apt-get update and install: a minute or more)" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
