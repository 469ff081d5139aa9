#!/bin/sh
# Install the Debian 12 packages dncert needs. Idempotent: does nothing when all are present.
# Usage: scripts/install-deps.sh [--with-bench]   (--with-bench adds python3-torch and mpmath)
set -eu
pkgs="build-essential cmake pkg-config libmpfr-dev libgmp-dev libflint-dev libflint-arb-dev
libopenblas-dev liblapacke-dev libcriterion-dev libjansson-dev python3-numpy gnuplot-nox"
if [ "${1:-}" = "--with-bench" ]; then
    pkgs="$pkgs python3-torch python3-mpmath"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
