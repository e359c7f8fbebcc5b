#!/usr/bin/env bash
# A flood of distinct unknown Host headers against portier and what it costs everyone else:
#   - new-host lookups/s the proxy sustains (wrk, every request a Host never seen before)
#   - switch latency of a real host (bench/switch_latency.py) before and during the flood
#   - Redis commands/s and the proxy's CPU during the flood and after it (the lasting load)
#
#   DURATION=15 CONNS=32 bench/host-flood.sh
#   JAR=/path/to/other/portier-proxy-all.jar bench/host-flood.sh   # to compare builds
#
# Everything it starts is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
CONNS=${CONNS:-32}
SWITCHES=${SWITCHES:-40}
AFTER=${AFTER:-10}
. bench/lib.sh
bench_init flood
need wrk redis-server redis-cli:redis-tools nginx:nginx-light
build_jar
B1=$(free_port); B2=$(free_port); PROXY=$(free_port)
start_redis
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$B1; location / { return 200 "one\n"; } }
  server { listen 127.0.0.1:$B2; location / { return 200 "two\n"; } }
}
CONF
nginx -c "$WORK/nginx.conf"
# a few real frontends, as a deployment has
for i in $(seq 1 20); do rcli rpush "frontend:app$i.example.com" "app$i" "http://127.0.0.1:$B1" >/dev/null; done

java -Xms256m -Xmx256m -jar "$JAR" --port "$PROXY" --bind 127.0.0.1 --workers 2 \
  --redis "redis://127.0.0.1:$REDIS_PORT" --admin-port -1 >"$WORK/proxy.log" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
for _ in $(seq 1 100); do curl -s -o /dev/null -H 'Host: app1.example.com' "http://127.0.0.1:$PROXY/" && break; sleep 0.1; done

commands() { rcli info stats | awk -F: '/^total_commands_processed/ {print $2+0}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$proxy_pid/stat"; }
TICK=$(getconf CLK_TCK)
load() { # load <seconds>: Redis commands/s and proxy CPU % over that window
  local c0 t0 c1 t1
  c0=$(commands); t0=$(cpu_ticks)
  sleep "$1"
  c1=$(commands); t1=$(cpu_ticks)
  # minus load()'s own two INFO commands
  echo "$(( (c1 - c0 - 1) / $1 )) Redis commands/s, proxy CPU $(( (t1 - t0) * 100 / TICK / $1 )) %"
}

echo "build: $JAR"
echo "idle before the flood:      $(load 5)"
echo "switch latency, no flood:   $(python3 bench/switch_latency.py "$PROXY" "$REDIS_PORT" "http://127.0.0.1:$B1" "http://127.0.0.1:$B2" "$SWITCHES" | sed 's/^switch latency //')"

c0=$(commands); t0=$(cpu_ticks)
FLOOD_RUN=$RANDOM wrk -t1 -c"$CONNS" -d"${DURATION}s" -s bench/host-flood.lua "http://127.0.0.1:$PROXY/" >"$WORK/wrk.txt" 2>&1 &
wrk_pid=$!
pids+=($wrk_pid)
sleep 2
ops_mid=$(rcli info stats | awk -F: '/^instantaneous_ops_per_sec/ {print $2+0}')
switch=$(python3 bench/switch_latency.py "$PROXY" "$REDIS_PORT" "http://127.0.0.1:$B1" "http://127.0.0.1:$B2" "$SWITCHES" \
  | sed 's/^switch latency //') || switch="(failed)"
wait "$wrk_pid" || true
c1=$(commands); t1=$(cpu_ticks)
requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
rate=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
echo "flood: $requests distinct unknown hosts in ${DURATION} s = $rate new-host lookups/s ($CONNS connections)"
echo "switch latency, in flood:   $switch"
echo "during the flood:           $(( (c1 - c0) / DURATION )) Redis commands/s (instantaneous_ops_per_sec $ops_mid), proxy CPU $(( (t1 - t0) * 100 / TICK / DURATION )) %"
sleep 3
echo "after the flood (${AFTER} s):   $(load "$AFTER")"
grep -E "Non-2xx|Socket errors" "$WORK/wrk.txt" | sed 's/^ */wrk: /' || true
