#!/bin/sh
# Configure and build dncert. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -eu
cd "$(dirname "$0")/.."
dir="${1:-build}"
[ $# -gt 0 ] && shift
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DDNCERT_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" -- --no-print-directory
