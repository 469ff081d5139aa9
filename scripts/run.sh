#!/bin/sh
# The main job: install what is missing, build, then run the bundled theorem suite:
# `dncert certify` writes a certificate for every instance of theorems/*.json into
# runs/certificates/ and prints the per-theorem summary; `dncert verify` then re-checks
# every certificate with dncert-verify, the independent checker. Exit status 0 only if both
# succeed. Each stage and the build's progress are shown on stderr; stdout has the results.
set -eu
cd "$(dirname "$0")/.."
stage() { echo "run.sh: $*" >&2; }
stage "[1/4] checking the packages of scripts/install-deps.sh"
scripts/install-deps.sh
stage "[2/4] building dncert and dncert-verify in build/ (the first time: about 10 s on 2 cores)"
DNCERT_TARGETS="dncert dncert-verify dncert_man" scripts/build.sh build >&2
stage "[3/4] certifying every instance of theorems/*.json into runs/certificates/"
build/dncert certify theorems/*.json --out runs/certificates --summary
stage "[4/4] re-checking every certificate with the independent checker"
build/dncert-verify runs/certificates/*/*.json --quiet
