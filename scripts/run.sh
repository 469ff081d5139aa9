#!/bin/sh
# The main job: install what is missing, build, then run the bundled theorem suite:
# `dncert certify` writes a certificate for every instance of theorems/*.json into
# runs/certificates/ and prints the per-theorem summary; `dncert verify` then re-checks
# every certificate with dncert-verify, the independent checker. Exit status 0 only if both
# succeed.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build >/dev/null
build/dncert certify theorems/*.json --out runs/certificates --summary
build/dncert-verify runs/certificates/*/*.json --quiet
