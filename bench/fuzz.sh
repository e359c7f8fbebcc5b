#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer: the wire parsers, and whole exchanges through the relay
# against a misbehaving backend. Each fuzz target runs for N minutes (default 5), then its
# executions, coverage and findings are printed.
#
#   bench/fuzz.sh [minutes] [Class#method | Class ...]
#   bench/fuzz.sh 2 ExchangeFuzzTest          # one target by name
#
# The corpus Jazzer grows stays in proxy/.cifuzz-corpus/ (ignored by git; plain test runs replay
# it too). A finding stops its target; its input is saved under
# proxy/src/test/resources/<package>/<Class>Inputs/<method>/ where, once the bug is fixed and the
# file committed, every test run replays it. Logs go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${1:-5}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(RequestDecoderFuzzTest#requests ResponseDecoderFuzzTest#responses ExchangeFuzzTest#exchanges)
fi
mkdir -p bench/results
STAMP=$(date +%Y%m%d-%H%M%S)

printf '%-36s %8s %12s %8s %6s %7s %12s %s\n' target seconds executions exec/s cov ft corpus findings
for target in "${TARGETS[@]}"; do
  class=${target%%#*}
  source=$(find proxy/src/test/java -name "$class.java" | head -1)
  if [ -z "$source" ]; then
    echo "no fuzz target class $class under proxy/src/test/java" >&2
    exit 2
  fi
  if [[ $target == *#* ]]; then
    method=${target##*#}
  else
    # the class's one @FuzzTest method
    method=$(grep -A1 '@FuzzTest' "$source" | sed -nE 's/.*void ([A-Za-z0-9_]+)\(.*/\1/p' | head -1)
    target="$class#$method"
  fi
  pkg=$(dirname "${source#proxy/src/test/java/}")
  INPUTS=proxy/src/test/resources/$pkg
  log=bench/results/fuzz-$STAMP-$class.log
  before=$(find "$INPUTS/${class}Inputs/$method" -type f 2>/dev/null | wc -l)
  # JAZZER_FUZZ selects fuzzing over replaying the inputs; jazzer.internal.arg.N are libFuzzer's
  # arguments (argument 0 is its program name), the one way jazzer-junit 0.24 takes them: the
  # last -max_total_time overrides the @FuzzTest(maxDuration) default
  status=0
  JAZZER_FUZZ=1 mvn -B -ntp -o -pl proxy -am test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((MINUTES * 60)) \
    -Djazzer.internal.arg.2=-max_len=4096 >"$log" 2>&1 || status=$?
  after=$(find "$INPUTS/${class}Inputs/$method" -type f 2>/dev/null | wc -l)
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  runs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+).*/\1/' <<<"$done_line")
  secs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+).*/\2/' <<<"$done_line")
  if [ -z "$done_line" ]; then
    # a finding ends the run before libFuzzer's summary: take the last status line
    runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$stats")
    secs='-'
  fi
  rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$stats")
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$stats")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")
  corp=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$stats")
  findings=$((after - before))
  if [ "$status" -ne 0 ] && [ "$findings" -eq 0 ]; then
    findings="run failed (see $log)"
  fi
  printf '%-36s %8s %12s %8s %6s %7s %12s %s\n' "$target" "${secs:--}" "${runs:--}" "${rate:--}" "${cov:--}" \
    "${ft:--}" "${corp:--}" "$findings"
done
echo "logs: bench/results/fuzz-$STAMP-*.log"
