#!/usr/bin/env bash
# Throughput and latency of portier against nginx, on one machine, in one run:
#   direct  wrk -> static nginx backend
#   nginx   wrk -> nginx reverse proxy (2 workers, upstream keepalive) -> backend
#   ours    wrk -> portier proxy (2 event loops) -> backend
# Rounds interleave the targets so machine noise spreads evenly; the table shows the median of the
# rounds. Then the switch latency of a redis-cli-style write (bench/switch_latency.py).
#
#   ROUNDS=3 DURATION=10 CONNS="64 256" bench/run.sh
#   BASE_JAR=/tmp/old.jar bench/run.sh     # A/B: another portier build as target "base", same rounds
#   PIPELINE=10 bench/run.sh               # each wrk connection pipelines 10 requests (bench/pipeline.lua)
#
# Everything it starts is stopped at exit. Results also go to bench/results/<timestamp>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-"64 256"}
WARMUP=${WARMUP:-10}
BASE_JAR=${BASE_JAR:-}
PIPELINE=${PIPELINE:-0}
TARGETS="direct nginx ours"
[ -n "$BASE_JAR" ] && TARGETS="$TARGETS base"
WRK_EXTRA=()
[ "$PIPELINE" -gt 0 ] && WRK_EXTRA=(-s bench/pipeline.lua -- "$PIPELINE")
. bench/lib.sh
bench_init bench
RESULTS=bench/results/$(date +%Y%m%d-%H%M%S).txt
mkdir -p bench/results
need nginx:nginx-light wrk redis-server redis-cli:redis-tools
build_jar

BACKEND=$(free_port); BACKEND2=$(free_port); NGINX=$(free_port); OURS=$(free_port); BASE=$(free_port)
start_redis

# nginx as the fast static backend (1 worker) and, separately, as the reference proxy (2 workers)
cat >"$WORK/nginx-backend.conf" <<EOF
worker_processes 1;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND;  location / { return 200 "hello from the backend\n"; } }
  server { listen 127.0.0.1:$BACKEND2; location / { return 200 "hello from the second backend\n"; } }
}
EOF
cat >"$WORK/nginx-proxy.conf" <<EOF
worker_processes 2;
pid $WORK/proxy.pid;
error_log $WORK/proxy-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
EOF
nginx -c "$WORK/nginx-backend.conf"
nginx -c "$WORK/nginx-proxy.conf"

redis-cli -p "$REDIS_PORT" >/dev/null <<EOF
MULTI
RPUSH frontend:bench bench http://127.0.0.1:$BACKEND
EXEC
EOF
# setsid: nginx's master daemonizes into a session of its own, and a proxy runs as a service does;
# with the kernel's autogroup scheduling (sched_autogroup_enabled=1 here) a proxy left in this
# script's session would share one CPU share with wrk, and measure the scheduler, not the proxy
setsid java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" --port "$OURS" --bind 127.0.0.1 --workers 2 \
  --redis "redis://127.0.0.1:$REDIS_PORT" >"$WORK/proxy.log" 2>&1 &
pids+=($!)
if [ -n "$BASE_JAR" ]; then
  setsid java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$BASE_JAR" --port "$BASE" --bind 127.0.0.1 --workers 2 \
    --redis "redis://127.0.0.1:$REDIS_PORT" >"$WORK/base.log" 2>&1 &
  pids+=($!)
  wait_http "$BASE"
fi
wait_http "$BACKEND"; wait_http "$NGINX"; wait_http "$OURS"

url() {
  case $1 in
    direct) echo "http://127.0.0.1:$BACKEND/";; nginx) echo "http://127.0.0.1:$NGINX/";;
    ours) echo "http://127.0.0.1:$OURS/";; base) echo "http://127.0.0.1:$BASE/";;
  esac
}

# warm up at every connection count measured: the JVM compiles for the load it has seen, and a
# first run at 256 connections after warming at 64 measured the JIT recompiling (p99 200-500 ms)
echo "warming up (${WARMUP}s for each target and connection count)"
for c in $CONNS; do
  for t in $TARGETS; do
    [ "$t" = direct ] || wrk -t2 -c"$c" -d"${WARMUP}s" -H 'Host: bench' "$(url $t)" "${WRK_EXTRA[@]}" >/dev/null
  done
done

raw="$WORK/raw.txt"; : >"$raw"
for round in $(seq 1 "$ROUNDS"); do
  for c in $CONNS; do
    for t in $TARGETS; do
      out=$(wrk -t2 -c"$c" -d"${DURATION}s" --latency -H 'Host: bench' "$(url $t)" "${WRK_EXTRA[@]}")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out")
      p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
      echo "$round $c $t $rps $p50 $p99 ${errs:-}" >>"$raw"
      printf 'round %s  %4s conns  %-6s %10s req/s  p50 %-8s p99 %-8s %s\n' "$round" "$c" "$t" "$rps" "$p50" "$p99" "${errs:-}"
    done
  done
done

{
  echo
  echo "portier benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by wrk, backend, nginx and portier"
  echo "wrk -t2, keep-alive, pipeline depth ${PIPELINE}, ${DURATION}s per run, median of $ROUNDS interleaved rounds;" \
    "sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo n/a)," \
    "each proxy in a session of its own"
  python3 - "$raw" <<'PY'
import re, statistics, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault((int(f[1]), f[2]), []).append((float(f[3]), ms(f[4]), ms(f[5])))
print(f"{'conns':>5} {'target':<7} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
med = {}
for (c, t), v in sorted(rows.items()):
    med[(c, t)] = tuple(statistics.median(x[i] for x in v) for i in range(3))
    r, p50, p99 = med[(c, t)]
    print(f"{c:>5} {t:<7} {r:>10.0f} {p50:>8.2f} {p99:>8.2f}")
for c in sorted({c for c, _ in med}):
    o, n = med[(c, "ours")], med[(c, "nginx")]
    print(f"{c:>5} conns: ours/nginx throughput {o[0] / n[0]:.2f}, p99 {o[2] / n[2]:.2f}")
    if (c, "base") in med:
        b = med[(c, "base")]
        print(f"{c:>5} conns: ours/base  throughput {o[0] / b[0]:.2f}, p99 {o[2] / b[2]:.2f}")
PY
  python3 bench/switch_latency.py "$OURS" "$REDIS_PORT" "http://127.0.0.1:$BACKEND" "http://127.0.0.1:$BACKEND2" 100
} | tee "$RESULTS"
echo "results: $RESULTS"
