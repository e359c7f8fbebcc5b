#!/usr/bin/env bash
# Kills the Redis master of a real Sentinel group on loopback (a master, a replica, three sentinels)
# N times under continuous load through one proxy (4 clients, one routed host), and prints per
# failover: Sentinel's failover time (kill until every sentinel names the new master), how long a
# route written on the new master then takes to be routed, and the failed requests (must be 0).
# Usage: bench/sentinel-failover.sh [FAILOVERS]   (default 5; about 25 s per failover)
set -euo pipefail
cd "$(dirname "$0")/.."
FAILOVERS="${1:-5}"
mvn -B -ntp -o -q install -pl common -DskipTests
mvn -B -ntp -o -q -pl proxy test -Dtest=SentinelFailoverEndToEndTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dportier.failovers="$FAILOVERS" >/dev/null || { echo "the run failed: see proxy/target/surefire-reports" >&2; exit 1; }
grep '^sentinel-failover' proxy/target/surefire-reports/dev.portier.proxy.SentinelFailoverEndToEndTest-output.txt
