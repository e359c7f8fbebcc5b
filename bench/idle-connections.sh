#!/usr/bin/env bash
# Memory of idle keep-alive client connections: starts the proxy with a 256 MB heap, opens N
# connections (one request each, then idle) and prints heap and RSS before and after.
#   N=10000 bench/idle-connections.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
. bench/lib.sh
bench_init idle
ulimit -n "$(ulimit -Hn)"  # 10,000 connections need more than the usual 1024
need nginx:nginx-light redis-server redis-cli:redis-tools
build_jar
BACKEND=$(free_port); PROXY=$(free_port)
start_redis
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$BACKEND; location / { return 200 "ok\n"; } } }
CONF
nginx -c "$WORK/nginx.conf"
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
