#!/usr/bin/env bash
# Memory of idle keep-alive client connections: starts the proxy with a 256 MB heap, opens N
# connections (one request each, then idle) and prints heap and RSS before and after.
#   N=10000 bench/idle-connections.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
JAR=proxy/target/portier-proxy-all.jar
WORK=$(mktemp -d /tmp/portier-idle.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.conf" ] && nginx -c "$WORK/nginx.conf" -s quit 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ulimit -n "$(ulimit -Hn)"  # 10,000 connections need more than the usual 1024
[ -f "$JAR" ] || mvn -q -B -ntp -pl proxy -am package -DskipTests
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port); BACKEND=$(free_port); PROXY=$(free_port)

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
pids+=($!)
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$BACKEND; location / { return 200 "ok\n"; } } }
CONF
nginx -c "$WORK/nginx.conf"
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" rpush frontend:idle idle "http://127.0.0.1:$BACKEND" >/dev/null

java -Xms256m -Xmx256m -XX:+UseParallelGC -jar "$JAR" --port "$PROXY" --bind 127.0.0.1 --workers 2 \
  --redis "redis://127.0.0.1:$REDIS_PORT" --admin-port -1 >"$WORK/proxy.log" 2>&1 &
pid=$!
pids+=($pid)
for _ in $(seq 1 100); do curl -s -o /dev/null -H 'Host: idle' "http://127.0.0.1:$PROXY/" && break; sleep 0.1; done

measure() { # heap used after a full GC, and RSS
  jcmd "$pid" GC.run >/dev/null
  local heap rss
  # young + old generation "used" (ParallelGC's heap_info), in KB
  heap=$(jcmd "$pid" GC.heap_info | awk '/Gen/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K,?/,"",v); s+=v}} END {printf "%.1fMB", s/1024}')
  rss=$(awk '/VmRSS/ {print $2 $3}' /proc/$pid/status)
  echo "$1: heap used $heap, RSS $rss"
}
measure "before"
python3 bench/idle_clients.py "$PROXY" idle "$N" 30 &
clients=$!
pids+=($clients)
for _ in $(seq 1 600); do
  open=$(ss -Htn state established "( sport = :$PROXY )" | wc -l)
  [ "$open" -ge "$N" ] && break
  sleep 0.2
done
echo "$open client connections established"
measure "with $N idle connections"
