#!/usr/bin/env bash
# portier against nginx and HAProxy as reverse proxies, on one machine, in one run, in every
# scenario an operator meets (names: SCENARIOS):
#   small-64     100 B answers, 64 kept-alive connections
#   small-256    100 B answers, 256 kept-alive connections
#   large-64     64 KiB answers, 64 kept-alive connections
#   new-32       100 B answers, 32 connections, a new connection for every request
#   tls-64       HTTPS (TLS terminated by each proxy, same certificate), 64 kept-alive connections
#   tls-new-32   HTTPS, 32 connections, a new connection and a full handshake for every request
# Each proxy runs with 2 workers/threads/event loops in front of one static nginx backend (1
# worker) and keeps its backend connections alive. Rounds interleave the targets so that machine
# noise spreads evenly; the table shows medians of the rounds: req/s, p99 and the CPU time the
# proxy's processes spent per request (user + system, from /proc, so waiting does not count).
# Then the switch latency of a redis-cli-style write (bench/switch_latency.py).
#
#   ROUNDS=3 DURATION=10 bench/run.sh
#   SCENARIOS="new-32 tls-new-32" PEERS=nginx bench/run.sh
#   BASE_JAR=/tmp/old.jar bench/run.sh     # A/B: another portier build as target "base", same rounds
#   PIPELINE=10 SCENARIOS=small-64 bench/run.sh   # each connection pipelines 10 requests
#   JAVA_OPTS="..." bench/run.sh           # extra JVM options for ours (and base, unless BASE_JAVA_OPTS)
#   JAVA=/usr/lib/jvm/X/bin/java BASE_JAR=proxy/target/portier-proxy-all.jar bench/run.sh
#                                          # another JVM for ours (BASE_JAVA for base): one build, two JVMs
#   OURS_ARGS="--transport io_uring" BASE_JAR=proxy/target/portier-proxy-all.jar bench/run.sh
#                                          # proxy flags for ours (BASE_ARGS for base): one build, two settings
#
# Everything it starts is stopped at exit. Results also go to bench/results/<timestamp>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-8}
SCENARIOS=${SCENARIOS:-"small-64 small-256 large-64 new-32 tls-64 tls-new-32"}
PEERS=${PEERS-"nginx haproxy"}
BASE_JAR=${BASE_JAR:-}
PIPELINE=${PIPELINE:-0}
JAVA_OPTS=${JAVA_OPTS:-}
JAVA=${JAVA:-java}
TARGETS="ours $PEERS"
[ -n "$BASE_JAR" ] && TARGETS="$TARGETS base"
. bench/lib.sh
bench_init bench
RESULTS=bench/results/$(date +%Y%m%d-%H%M%S).txt
mkdir -p bench/results
need nginx:nginx-light haproxy wrk redis-server redis-cli:redis-tools openssl
build_jar
ulimit -n "$(ulimit -Hn)"

start_redis
BACKEND=$(free_port); BACKEND2=$(free_port)
declare -A HTTP HTTPS
for t in $TARGETS; do HTTP[$t]=$(free_port); HTTPS[$t]=$(free_port); done

# one self-signed certificate for every proxy
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" 2>/dev/null
cat "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/both.pem"

# the static backend: /small is 100 bytes, /large 64 KiB
# nginx's workers run as www-data: they must be able to read the files
chmod 755 "$WORK"; mkdir -p "$WORK/www"
head -c 99 /dev/zero | tr '\0' x >"$WORK/www/small"; echo >>"$WORK/www/small"
head -c 65536 /dev/urandom >"$WORK/www/large"
cat >"$WORK/nginx-backend.conf" <<EOF
worker_processes 1;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND backlog=4096; root $WORK/www; }
  server { listen 127.0.0.1:$BACKEND2; location / { return 200 "hello from the second backend\n"; } }
}
EOF
nginx -c "$WORK/nginx-backend.conf"

for t in $TARGETS; do
  case $t in
    nginx) cat >"$WORK/nginx-proxy.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile 16384;
pid $WORK/nginx-proxy.pid;
error_log $WORK/nginx-proxy-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 256; }
  ssl_certificate $WORK/cert.pem;
  ssl_certificate_key $WORK/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:${HTTP[nginx]} backlog=4096;
    listen 127.0.0.1:${HTTPS[nginx]} ssl backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
      nginx -c "$WORK/nginx-proxy.conf";;
    haproxy) cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 8000
  nbthread 2
  tune.ssl.default-dh-param 2048
defaults
  mode http
  option http-keep-alive
  option forwardfor
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend public
  bind 127.0.0.1:${HTTP[haproxy]}
  bind 127.0.0.1:${HTTPS[haproxy]} ssl crt $WORK/both.pem
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  default_backend web
backend web
  http-reuse always
  server backend 127.0.0.1:$BACKEND
EOF
      # setsid: each proxy in a session of its own (see bench/README.md, autogroup scheduling)
      setsid haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
      pids+=($!); echo $! >"$WORK/haproxy.pid";;
    ours|base)
      jar=$JAR; opts=$JAVA_OPTS; args=${OURS_ARGS:-}; jvm=$JAVA
      [ "$t" = base ] && jar=$BASE_JAR && opts=${BASE_JAVA_OPTS-$JAVA_OPTS} && args=${BASE_ARGS:-} \
        && jvm=${BASE_JAVA:-java}
      cat >"$WORK/$t.json" <<EOF
{
  "driver": "redis://127.0.0.1:$REDIS_PORT",
  "http": {"port": ${HTTP[$t]}, "bind": "127.0.0.1"},
  "https": {"port": ${HTTPS[$t]}, "bind": "127.0.0.1", "cert": "$WORK/cert.pem", "key": "$WORK/key.pem"},
  "server": {"workers": 2, "adminPort": -1}
}
EOF
      # shellcheck disable=SC2086
      setsid "$jvm" -Xms512m -Xmx512m -XX:+UseParallelGC $opts -jar "$jar" --config "$WORK/$t.json" $args \
        >"$WORK/$t.log" 2>&1 &
      pids+=($!); echo $! >"$WORK/$t.pid";;
    *) echo "unknown target $t" >&2; exit 1;;
  esac
done
redis-cli -p "$REDIS_PORT" RPUSH frontend:bench bench "http://127.0.0.1:$BACKEND" >/dev/null
wait_http "$BACKEND"
for t in $TARGETS; do
  wait_http "${HTTP[$t]}"
  for _ in $(seq 1 150); do
    curl -sk -o /dev/null -H 'Host: bench' "https://127.0.0.1:${HTTPS[$t]}/" && break
    sleep 0.1
  done
done

# the processes whose CPU time counts for a target: nginx's workers, HAProxy's and Java's one process
proxy_pids() {
  case $1 in
    nginx) pgrep -P "$(cat "$WORK/nginx-proxy.pid")";;
    *) cat "$WORK/$1.pid";;
  esac
}
cpu_ticks() { # user + system clock ticks of a target's processes, all threads
  local sum=0 p
  for p in $(proxy_pids "$1"); do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
jit_ticks() { # clock ticks of the JIT compiler threads of a Java target (0 for the others)
  local sum=0 t
  case $1 in ours|base) ;; *) echo 0; return;; esac
  for t in /proc/"$(cat "$WORK/$1.pid")"/task/*; do
    grep -q Compiler "$t/comm" 2>/dev/null && sum=$((sum + $(awk '{print $14 + $15}' "$t/stat")))
  done
  echo "$sum"
}

# scenario name -> wrk arguments
wrk_args() {
  local t=$1 s=$2 scheme=http port=${HTTP[$1]} path=/small conns args=()
  case $s in tls-*) scheme=https; port=${HTTPS[$t]};; esac
  case $s in large-*) path=/large;; esac
  conns=${s##*-}
  args=(-t2 -c"$conns" -H 'Host: bench')
  case $s in *new-*) args+=(-H 'Connection: close');; esac
  [ "$PIPELINE" -gt 0 ] && args+=(-s bench/pipeline.lua)
  args+=("$scheme://127.0.0.1:$port$path")
  [ "$PIPELINE" -gt 0 ] && args+=(-- "$PIPELINE")
  printf '%s\n' "${args[@]}"
}
run_wrk() { # run_wrk TARGET SCENARIO SECONDS [--latency]
  local a=()
  mapfile -t a < <(wrk_args "$1" "$2")
  wrk -d"$3s" ${4:-} "${a[@]}"
}

# warm up every target in every scenario: the JVM compiles for the load it has seen (a first run at
# 256 connections after warming at 64 once measured the JIT recompiling, p99 200-500 ms)
echo "warming up (${WARMUP}s for each target and scenario)"
for s in $SCENARIOS; do
  for t in $TARGETS; do run_wrk "$t" "$s" "$WARMUP" >/dev/null; done
done

raw="$WORK/raw.txt"; : >"$raw"
for round in $(seq 1 "$ROUNDS"); do
  for s in $SCENARIOS; do
    for t in $TARGETS; do
      before=$(cpu_ticks "$t"); jit_before=$(jit_ticks "$t")
      out=$(run_wrk "$t" "$s" "$DURATION" --latency)
      after=$(cpu_ticks "$t"); jit_after=$(jit_ticks "$t")
      reqs=$(awk '/requests in/ {print $1}' <<<"$out")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out")
      p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      cpu=$(python3 -c "print(f'{($after - $before) * 1e6 / $HZ / max($reqs, 1):.1f}')")
      # of which the JIT compiler spent (part of cpu; Java targets only)
      jit=$(python3 -c "print(f'{($jit_after - $jit_before) * 1e6 / $HZ / max($reqs, 1):.1f}')")
      errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
      echo "$round $s $t $rps $p50 $p99 $cpu $jit ${errs:-}" >>"$raw"
      printf 'round %s  %-10s %-7s %10s req/s  p50 %-8s p99 %-8s cpu %6s us/req (jit %s) %s\n' \
        "$round" "$s" "$t" "$rps" "$p50" "$p99" "$cpu" "$jit" "${errs:-}"
    done
  done
done

{
  echo
  echo "portier benchmark $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by wrk, backend and proxies"
  echo "wrk -t2, ${DURATION}s per run, median of $ROUNDS interleaved rounds, pipeline depth ${PIPELINE};" \
    "each proxy with 2 workers in a session of its own; cpu = user+system of the proxy's processes per request"
  python3 - "$raw" "$TARGETS" <<'PY'
import re, statistics, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rows, order = {}, []
for line in open(sys.argv[1]):
    f = line.split()
    if f[1] not in order:
        order.append(f[1])
    rows.setdefault((f[1], f[2]), []).append((float(f[3]), ms(f[4]), ms(f[5]), float(f[6])))
targets = sys.argv[2].split()
med = {k: tuple(statistics.median(x[i] for x in v) for i in range(4)) for k, v in rows.items()}
print(f"{'scenario':<11} {'target':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu us/req':>10}")
for s in order:
    for t in targets:
        r, p50, p99, cpu = med[(s, t)]
        print(f"{s:<11} {t:<8} {r:>9.0f} {p50:>8.2f} {p99:>8.2f} {cpu:>10.1f}")
peers = [t for t in targets if t not in ("ours", "base")]
print()
print(f"{'scenario':<11} {'best peer':<9} {'ours/best req/s':>15} {'ours/best p99':>14} {'cpu ours/best':>14}"
      + ("  ours/base req/s  cpu" if "base" in targets else ""))
for s in order:
    o = med[(s, "ours")]
    line = f"{s:<11}"
    if peers:
        best = max(peers, key=lambda t: med[(s, t)][0])
        b = med[(s, best)]
        bp99 = min(med[(s, t)][2] for t in peers)
        bcpu = min(med[(s, t)][3] for t in peers)
        line += f" {best:<9} {o[0] / b[0]:>15.2f} {o[2] / bp99:>14.2f} {o[3] / bcpu:>14.2f}"
    if "base" in targets:
        b = med[(s, "base")]
        line += f"  {o[0] / b[0]:>15.2f} {o[3] / b[3]:>5.2f}"
    print(line)
print("(p99 and cpu against the best peer on each; req/s against the peer with the most req/s)")
jit = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[2] in ("ours", "base"):
        jit.setdefault((f[1], f[2]), []).append(float(f[7]))
for (s, t), v in jit.items():
    print(f"{s:<11} {t:<5} of its cpu us/req, the JIT compiler's, by round: {' '.join(f'{x:.1f}' for x in v)}")
print()
print("rounds: round scenario target req/s p50 p99 cpu-us/req jit-us/req [errors]")
sys.stdout.write(open(sys.argv[1]).read())
PY
  python3 bench/switch_latency.py "${HTTP[ours]}" "$REDIS_PORT" "http://127.0.0.1:$BACKEND" "http://127.0.0.1:$BACKEND2" 100
} | tee "$RESULTS"
echo "results: $RESULTS"
