#!/usr/bin/env bash
# Runs the live test files N times in a row (default 10) while a shell loop keeps one core busy,
# and prints one line a run: the live accuracy tests must hold (or fail naming the harness's
# pace) with a neighbour on the machine.  Usage: bash scripts/live_under_load.sh [N]
set -u
cd "$(dirname "$0")/.."
runs=${1:-10}
log=$(mktemp -d)
( while :; do :; done ) &
busy=$!
trap 'kill $busy 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  QUEUELAB_REQUIRE_ALL=1 ./node_modules/.bin/bun test --timeout 300000 \
    ./sim/live/live_test.ts ./sim/live/faults_test.ts ./sim/live/accounting_test.ts ./cli/summary_test.ts > "$log/run$i.log" 2>&1
  code=$?
  [ "$code" = 0 ] || failed=$((failed + 1))
  echo "run $i: exit $code, $(grep -E '^ *[0-9]+ (pass|fail)$' "$log/run$i.log" | tr -s ' \n' ' ')$(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "$((runs - failed)) of $runs runs passed (logs in $log)"
[ "$failed" = 0 ]
