#!/usr/bin/env bash
# Runs every test: unit tests, then integration tests against real server processes and real kernel
# devices (those need root; they are skipped with a message otherwise). This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -ntp verify "$@"
