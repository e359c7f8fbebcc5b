#!/usr/bin/env bash
# CPU cost per byte of parsing a request head and writing it for a backend, for heads of 1 to 8
# times the size of issue 10's hop-by-hop attack head (see bench/HeadCost.java). Linear work
# shows as ns/byte that stays flat as heads grow.
#
#   bench/head-cost.sh [seconds per size, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl proxy -am compile
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -B -ntp -q -o -pl proxy dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=runtime
java -cp "proxy/target/classes:$(cat "$cp")" bench/HeadCost.java "${1:-2}"
