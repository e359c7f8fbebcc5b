#!/usr/bin/env bash
# A fleet deploy under load: three Docker engines, each in a network namespace of its own with its
# own dockerd (made and taken away by the test), two proxy processes (proxy/target/portier-proxy-all.jar,
# built by the install below) reading one Redis Sentinel group, 4 clients sending
# requests without pause; v1 is deployed, then v2. Prints per run the requests, the failed ones
# (must be 0), the deploy's duration and the switch window (how long v1 and v2 answered side by
# side, through either proxy). Needs root (ip netns, dockerd).
# Usage: bench/fleet-deploy.sh [RUNS]   (default 3; about a minute per run)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
mvn -B -ntp -o -q install -pl common,proxy -DskipTests
for i in $(seq "$RUNS"); do
  mvn -B -ntp -o -q -pl deployer test \
      -Dtest='FleetDeployTest#v1ThenV2OnThreeEnginesUnderLoadThroughTwoProxiesLoseNoRequestAndSpreadOverEveryHost' \
      -Dsurefire.failIfNoSpecifiedTests=false >/dev/null || { echo "run $i failed: see deployer/target/surefire-reports" >&2; exit 1; }
  grep '^fleet-deploy' deployer/target/surefire-reports/dev.portier.deploy.fleet.FleetDeployTest-output.txt
done
