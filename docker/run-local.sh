#!/usr/bin/env bash
# Runs the proxy on this machine with a Redis of its own and a demo backend, so that
#   curl -H 'Host: anything' localhost:8080
# answers. Installs redis-server from Debian's packages when it is missing. It writes routes only
# to the Redis it starts (on a free port, or REDIS_PORT when that port is free), never to one that
# was already running. It stays in the foreground and shows each request's access-log line;
# Ctrl-C stops everything this script started (and nothing it did not start).
#
#   PORT=8080        public port of the proxy (80 needs root or CAP_NET_BIND_SERVICE)
#   REDIS_PORT=      port of the Redis it starts (default: a free one)
#   DEMO_PORT=8099   port of the demo backend
#   ADMIN_PORT=      the proxy's admin port, status page at / (default: 9180 when free, else a free one)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8080}
REDIS_PORT=${REDIS_PORT:-}
DEMO_PORT=${DEMO_PORT:-8099}
ADMIN_PORT=${ADMIN_PORT:-}
JAR=proxy/target/portier-proxy-all.jar
pids=()

log() { printf '%s run-local: %s\n' "$(date '+%H:%M:%S')" "$*"; }

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

install_missing() {
  local need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v redis-cli >/dev/null || need+=(redis-tools)
  command -v python3 >/dev/null || need+=(python3)
  command -v curl >/dev/null || need+=(curl)
  command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} from Debian's packages"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
  fi
}

wait_for() { # wait_for <what> <seconds> <command...>: fails after that long
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "$what did not come up in $seconds s"; exit 1
}

install_missing

if [ -z "$REDIS_PORT" ]; then
  REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
elif redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "a Redis already answers on port $REDIS_PORT: this script writes only to a Redis it starts; pick a free REDIS_PORT"
  exit 1
fi
log "starting redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/tmp/portier-redis.log 2>&1 &
pids+=($!)
wait_for "redis-server" 10 redis-cli -p "$REDIS_PORT" ping

demo_dir=$(mktemp -d)
echo "hello from the demo backend" > "$demo_dir/index.html"
log "starting the demo backend on 127.0.0.1:$DEMO_PORT"
python3 -m http.server "$DEMO_PORT" --bind 127.0.0.1 --directory "$demo_dir" >/tmp/portier-demo.log 2>&1 &
pids+=($!)
wait_for "the demo backend" 10 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$DEMO_PORT/')"

# The catch-all frontend, written atomically as the deployer does: [identifier, backend].
redis-cli -p "$REDIS_PORT" >/dev/null <<REDIS
MULTI
DEL frontend:* dead:*
RPUSH frontend:* demo http://127.0.0.1:$DEMO_PORT
EXEC
REDIS
log "frontend:* -> http://127.0.0.1:$DEMO_PORT"

# built when missing or older than any source it is made from (after a git pull, say)
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml common proxy -newer "$JAR" \( -name '*.java' -o -name '*.xml' -o -name '*.html' \) -not -path '*/target/*' -print -quit)" ]; then
  log "building $JAR"
  mvn -q -B -ntp -pl proxy -am package -DskipTests
fi

log_dir=$(mktemp -d)
if [ -z "$ADMIN_PORT" ]; then
  # another proxy on this machine may hold the default admin port
  ADMIN_PORT=$(python3 -c 'import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 9180))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
fi
log "starting the proxy on port $PORT (its logs: $log_dir)"
java -XX:+UseParallelGC -jar "$JAR" --port "$PORT" --redis "redis://127.0.0.1:$REDIS_PORT" --log-dir "$log_dir" \
  --admin-port "$ADMIN_PORT" >"$log_dir/stdout.log" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
wait_for "the proxy (see $log_dir/stdout.log)" 60 curl -s -o /dev/null -H 'Host: __ping__' "http://127.0.0.1:$PORT/"
log "ready. Try:"
log "  curl -H 'Host: anything' localhost:$PORT"
log "  redis-cli -p $REDIS_PORT RPUSH 'frontend:www.example.com' www http://127.0.0.1:$DEMO_PORT"
log "  status page: http://127.0.0.1:$ADMIN_PORT/"
log "each request's access-log line follows; Ctrl-C stops everything"
tail -n 0 -F "$log_dir/$(date +%F).access.log" 2>/dev/null &
pids+=($!)
wait "$proxy_pid"
