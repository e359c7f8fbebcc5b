#!/usr/bin/env bash
# Start time of the deployer CLI: wall and CPU time (user+sys) of a `status` call (a Redis of its
# own on a free port, the real Docker engine) and of a usage error, for the plain `java -jar` and
# for what deployer/bin/portier-deployer adds: the class-data sharing archive the build makes
# (deployer/target/portier-deployer.jsa), C1 only, the serial collector. The variants run in
# turns, N rounds, and the medians are printed.
#
#   bench/deployer-start.sh [N]        # N rounds (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-15}
bench_init deployer-start
JAR=deployer/target/portier-deployer-all.jar
JSA=deployer/target/portier-deployer.jsa
need redis-server redis-cli:redis-tools python3
[ -f "$JAR" ] && [ -f "$JSA" ] || mvn -q -B -ntp -pl deployer -am package -DskipTests
start_redis
docker info >/dev/null 2>&1 || { echo "no Docker engine: status needs one" >&2; exit 1; }

cat >"$WORK/measure.py" <<'PY'
import os, resource, statistics, subprocess, sys, time
rounds, redis = int(sys.argv[1]), sys.argv[2]
jar, jsa = os.path.abspath(sys.argv[3]), os.path.abspath(sys.argv[4])
quiet = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
variants = [
    ("java -jar (before)", []),
    ("-Xshare:off", ["-Xshare:off"]),
    ("-XX:TieredStopAtLevel=1", ["-XX:TieredStopAtLevel=1"]),
    ("AppCDS", ["-Xshare:auto", "-XX:SharedArchiveFile=" + jsa] + quiet),
    ("AppCDS + C1", ["-Xshare:auto", "-XX:SharedArchiveFile=" + jsa, "-XX:TieredStopAtLevel=1"] + quiet),
    ("bin/portier-deployer", None),
]
calls = [("status", ["--redis", redis, "status"], 0), ("usage error", ["status", "--bogus"], 2)]
results = {}
load = os.getloadavg()[0]
for r in range(rounds):
    for call, args, want in calls:
        for name, opts in variants:
            cmd = (["deployer/bin/portier-deployer"] if opts is None else ["java"] + opts + ["-jar", jar]) + args
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.monotonic()
            rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            wall = time.monotonic() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if rc != want:
                sys.exit(f"{' '.join(cmd)} exited {rc}, expected {want}")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            results.setdefault((call, name), []).append((wall, cpu))
print(f"{rounds} rounds, medians (load average at the start: {load:.1f} on {os.cpu_count()} cores)")
for call, _, _ in calls:
    base = statistics.median(w for w, _ in results[(call, variants[0][0])])
    print(f"\n{call}:")
    print(f"  {'variant':26} {'wall s':>7} {'cpu s':>7} {'wall vs before':>15}")
    for name, _ in variants:
        ws = [w for w, _ in results[(call, name)]]
        cs = [c for _, c in results[(call, name)]]
        print(f"  {name:26} {statistics.median(ws):7.2f} {statistics.median(cs):7.2f} {statistics.median(ws) / base:14.2f}x")
PY
python3 "$WORK/measure.py" "$N" "redis://127.0.0.1:$REDIS_PORT" "$JAR" "$JSA"
