#!/usr/bin/env bash
# Runs every test of every module against a real redis-server and a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")"
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 TESTCONTAINERS_CHECKS_DISABLE=true
exec mvn -B -ntp verify "$@"
