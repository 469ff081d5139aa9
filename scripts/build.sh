#!/bin/sh
# Configure and build dncert, showing the build's progress. Usage:
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# DNCERT_TARGETS="dncert dncert-verify" builds only those targets (default: all, with the
# tests and benchmarks).
set -eu
cd "$(dirname "$0")/.."
dir="${1:-build}"
[ $# -gt 0 ] && shift
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DDNCERT_WERROR=ON "$@" >/dev/null
targets=""
for t in ${DNCERT_TARGETS:-}; do
    targets="$targets --target $t"
done
cmake --build "$dir" -j "$(nproc)" $targets -- --no-print-directory
