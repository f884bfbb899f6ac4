#!/usr/bin/env bash
# Longer run of the server's hostile-input fuzz test (CI runs 1,000,000 frames with a fixed seed).
# usage: scripts/fuzz.sh [FRAMES] [SEED]     e.g. scripts/fuzz.sh 50000000 7
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -ntp -pl dst-server -am test -Dtest=HostileInputFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Ddst.fuzz.frames="${1:-20000000}" -Ddst.fuzz.seed="${2:-20261125}"
