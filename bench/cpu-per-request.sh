#!/usr/bin/env bash
# CPU time per request of two portier builds (this one and BASE_JAR), loaded in turns in one run:
# the user + system time each proxy process spent over a wrk run, divided by the requests it
# answered. Steadier than req/s when the machine is shared, since it does not count waiting.
#
#   BASE_JAR=/tmp/old.jar C=256 ROUNDS=4 bench/cpu-per-request.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE_JAR:?set BASE_JAR to the portier-proxy-all.jar of the build to compare with}"
C=${C:-256}
ROUNDS=${ROUNDS:-4}
. bench/lib.sh
bench_init cpu
need nginx:nginx-light wrk redis-server redis-cli:redis-tools
build_jar
BACKEND=$(free_port); A=$(free_port); B=$(free_port)
start_redis
cat >"$WORK/nginx-backend.conf" <<CONF
worker_processes 1;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { return 200 "hello from the backend\n"; } } }
CONF
nginx -c "$WORK/nginx-backend.conf"
redis-cli -p "$REDIS_PORT" RPUSH frontend:bench bench "http://127.0.0.1:$BACKEND" >/dev/null
setsid java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" --port "$A" --bind 127.0.0.1 --workers 2 --redis "redis://127.0.0.1:$REDIS_PORT" --admin-port -1 >"$WORK/a.log" 2>&1 &
pa=$!; pids+=($pa)
setsid java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$BASE_JAR" --port "$B" --bind 127.0.0.1 --workers 2 --redis "redis://127.0.0.1:$REDIS_PORT" --admin-port -1 >"$WORK/b.log" 2>&1 &
pb=$!; pids+=($pb)
wait_http "$A"; wait_http "$B"
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
for t in A B; do wrk -t2 -c$C -d10s -H 'Host: bench' "http://127.0.0.1:$([ $t = A ] && echo $A || echo $B)/" >/dev/null; done
for r in $(seq 1 "$ROUNDS"); do
  for t in A B; do
    pid=$([ $t = A ] && echo $pa || echo $pb); port=$([ $t = A ] && echo $A || echo $B)
    before=$(ticks $pid)
    out=$(wrk -t2 -c$C -d10s -H 'Host: bench' "http://127.0.0.1:$port/")
    after=$(ticks $pid)
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    name=$([ $t = A ] && echo ours || echo base)
    python3 -c "print(f'round $r $name $C conns  {float($rps):9.0f} req/s  cpu {($after-$before)*10000/$reqs:6.2f} us/request')"
  done
done
