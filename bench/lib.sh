# Shared by the bench scripts (sourced): a work directory cleaned at exit with everything started,
# free ports, waiting for a server, the tools a script needs, and the proxy jar.
#
#   . bench/lib.sh
#   bench_init idle            # WORK=/tmp/portier-idle.XXXXXX, pids=(), cleanup on exit
#   need nginx:nginx-light wrk redis-server redis-cli:redis-tools
#   start_redis                # REDIS_PORT
#   build_jar                  # JAR (proxy/target/portier-proxy-all.jar unless set)

bench_init() {
  WORK=$(mktemp -d "/tmp/portier-$1.XXXXXX")
  JAR=${JAR:-proxy/target/portier-proxy-all.jar}
  pids=()
  trap bench_cleanup EXIT INT TERM
}

# every process started (pids) and every nginx started from a config in WORK is stopped
bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for conf in "$WORK"/nginx*.conf; do
    [ -f "$conf" ] && nginx -c "$conf" -s quit 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}

# need TOOL[:DEBIAN_PACKAGE]...: installs what is missing (the package is the tool's name unless given)
need() {
  local missing=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null || missing+=("${spec#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
}

build_jar() {
  [ -f "$JAR" ] || mvn -q -B -ntp -pl proxy -am package -DskipTests
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http PORT [HOST]: up to 15 s for an HTTP answer
wait_http() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -H "Host: ${2:-bench}" "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2
  exit 1
}

# a Redis of the script's own, on a free port (REDIS_PORT), answering before this returns
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start" >&2
  exit 1
}
