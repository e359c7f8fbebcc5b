#!/usr/bin/env bash
# Slowloris against portier, nginx and HAProxy, one proxy at a time, on one machine:
#   for each proxy, SLOW (10,000) connections that send a request head one byte a second and never
#   finish it (bench/slow_clients.py); while they are held, normal keep-alive requests with wrk
#   (CONNS connections, DURATION s) through the same proxy to the same backend; then how many
#   slow connections the proxy still holds 60 s and 90 s after the last one opened.
# Each proxy is also measured without slow connections first (the baseline), and every proxy may
# accept SLOW + 2,000 connections, so that a refused connection is never the defence measured.
#
#   nginx 1.22    client_header_timeout 60s
#   HAProxy 2.6   timeout http-request 60s
#   portier       server.headerTimeout HEADER_TIMEOUT (30) s in its config file: a build without
#                 the key warns "unknown key, ignored" and has no deadline for a request head
#                 (the script says which it ran)
#
#   SLOW=10000 CONNS=32 DURATION=10 CHECKPOINTS="60 90" PROXIES="portier nginx haproxy" bench/slowloris.sh
#
# Everything it starts is stopped at exit. Results also go to bench/results/slowloris-<timestamp>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

SLOW=${SLOW:-10000}
CONNS=${CONNS:-32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-30}
CHECKPOINTS=${CHECKPOINTS:-"60 90"}
PROXIES=${PROXIES:-"portier nginx haproxy"}
LIMIT=$((SLOW + 2000))
. bench/lib.sh
bench_init slowloris
RESULTS=bench/results/slowloris-$(date +%Y%m%d-%H%M%S).txt
mkdir -p bench/results
need nginx:nginx-light haproxy wrk redis-server redis-cli:redis-tools
build_jar

# the slow client and every proxy need more descriptors than the usual 1024
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((LIMIT + 100)) ]; then
  echo "open-file limit $(ulimit -n) is below the $((LIMIT + 100)) this run needs (SLOW=$SLOW)" >&2; exit 1
fi

BACKEND=$(free_port); OURS=$(free_port); NGINX=$(free_port); HAPROXY=$(free_port)
start_redis

# the backend: a static answer from nginx, 1 worker
cat >"$WORK/nginx-backend.conf" <<EOF
worker_processes 1;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { return 200 "hello from the backend\n"; } }
}
EOF
cat >"$WORK/nginx-proxy.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile $((LIMIT + 100));
pid $WORK/proxy.pid;
error_log $WORK/proxy-error.log;
events { worker_connections $LIMIT; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_header_timeout 60s;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
EOF
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn $LIMIT
  # HAProxy reserves two descriptors a connection (client and server side) and refuses to start
  # when the hard limit is lower; a slow connection never gets its server side, one is enough
  ulimit-n $(ulimit -n)
  no strict-limits
  nbthread 2
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
  timeout http-request 60s
frontend public
  bind 127.0.0.1:$HAPROXY
  maxconn $LIMIT
  default_backend web
backend web
  http-reuse always
  server backend 127.0.0.1:$BACKEND
EOF
cat >"$WORK/portier.json" <<EOF
{
  "driver": "redis://127.0.0.1:$REDIS_PORT",
  "http": {"port": $OURS, "bind": "127.0.0.1"},
  "server": {"workers": 2, "maxConnections": $LIMIT, "headerTimeout": $HEADER_TIMEOUT, "adminPort": -1}
}
EOF

nginx -c "$WORK/nginx-backend.conf"
nginx -c "$WORK/nginx-proxy.conf"
redis-cli -p "$REDIS_PORT" RPUSH frontend:bench bench "http://127.0.0.1:$BACKEND" >/dev/null
# setsid: each proxy in a session of its own, as bench/run.sh explains (autogroup scheduling)
setsid haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
pids+=($!)
setsid java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" --config "$WORK/portier.json" >"$WORK/portier.log" 2>&1 &
pids+=($!)
wait_http "$BACKEND"; wait_http "$NGINX"; wait_http "$HAPROXY"; wait_http "$OURS"

if grep -q "headerTimeout: unknown key" "$WORK/portier.log"; then
  PORTIER_NOTE="this build has no server.headerTimeout: no deadline for a request head"
else
  PORTIER_NOTE="server.headerTimeout $HEADER_TIMEOUT s"
fi

port_of() { case $1 in portier) echo "$OURS";; nginx) echo "$NGINX";; haproxy) echo "$HAPROXY";; esac; }

load() { # load <port> <label>: one wrk run, one summary line
  local out rps p50 p99 errs
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H 'Host: bench' "http://127.0.0.1:$1/")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s; ", $0}' <<<"$out")
  printf '%-8s %-22s %10s req/s  p50 %-8s p99 %-8s %s\n' "$3" "$2" "$rps" "$p50" "$p99" "${errs:-no errors}"
}

{
  echo "portier slowloris benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by wrk, the slow client, backend and proxies"
  echo "$SLOW slow connections (a header byte a second), wrk -t2 -c$CONNS -d${DURATION}s; portier: $PORTIER_NOTE;"
  echo "nginx client_header_timeout 60s; HAProxy timeout http-request 60s; held@T: slow connections still open T s after the last opened"
} | tee "$RESULTS"

for proxy in $PROXIES; do
  port=$(port_of "$proxy")
  echo
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" -H 'Host: bench' "http://127.0.0.1:$port/" >/dev/null
  load "$port" "baseline" "$proxy" | tee -a "$RESULTS"
  python3 bench/slow_clients.py "$port" "$SLOW" $CHECKPOINTS >"$WORK/slow-$proxy.log" 2>&1 &
  client=$!
  pids+=("$client")
  for _ in $(seq 1 1200); do
    grep -q '^ready' "$WORK/slow-$proxy.log" && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.1
  done
  grep '^ready' "$WORK/slow-$proxy.log" >/dev/null || { echo "the slow client did not get ready:" >&2; cat "$WORK/slow-$proxy.log" >&2; exit 1; }
  echo "$proxy   slow client: $(grep '^ready' "$WORK/slow-$proxy.log")" | tee -a "$RESULTS"
  load "$port" "with $SLOW slow" "$proxy" | tee -a "$RESULTS"
  wait "$client" || true
  grep '^held@\|^client CPU' "$WORK/slow-$proxy.log" | sed "s/^/$proxy   /" | tee -a "$RESULTS"
done
echo "results: $RESULTS"
