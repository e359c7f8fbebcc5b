#!/usr/bin/env bash
# Runs every test of every module against a real redis-server and a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -ntp verify "$@"
