#!/usr/bin/env bash
# One timed window of the monitoring draw benchmark (250,000 people, 1,000 areas; each invocation
# draws and verifies 10 times), BEFORE (a) and AFTER (b) alternating. Through /work/notes/quiet.sh.
#
#   /work/notes/quiet.sh bench/restructure-2026-12-06/monitoring_window.sh BEFORE_BIN AFTER_BIN ROUNDS
set -euo pipefail
A=$1
B=$2
ROUNDS=${3:-2}
echo "window, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$ROUNDS"); do
  if (( i % 2 )); then order="a b"; else order="b a"; fi
  for side in $order; do
    if [[ $side == a ]]; then X=$A; else X=$B; fi
    echo "== round $i $side"
    /usr/bin/time -f "round $i $side: %e s wall, %U+%S s cpu, %M KB peak RSS" "$X"
  done
done
echo "window end $(date -u +%H:%M:%S) UTC"
