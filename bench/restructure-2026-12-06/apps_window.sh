#!/usr/bin/env bash
# One timed window of the WP034 4.8 evaluation (`Store::apps_evaluate`), BEFORE (a) and AFTER
# (b) alternating: on a fresh copy of each build's fixture, the first evaluation (opens every
# finding with its audit event), then the full re-evaluation twice. Through /work/notes/quiet.sh.
#
#   /work/notes/quiet.sh bench/restructure-2026-12-06/apps_window.sh BEFORE_BIN AFTER_BIN DIR FIRST LAST
set -euo pipefail
A=$1
B=$2
W=$3
FIRST=$4
LAST=$5
echo "window runs $FIRST-$LAST, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$FIRST" "$LAST"); do
  if (( i % 2 )); then order="a b"; else order="b a"; fi
  for side in $order; do
    if [[ $side == a ]]; then X=$A; else X=$B; fi
    rm -f "$W/work-$side.db"*
    cp "$W/apps-$side.db" "$W/work-$side.db"
    for what in first re-eval re-eval2; do
      /usr/bin/time -f "run $i $side $what: %e s wall, %U+%S s cpu, %M KB peak RSS" "$X" custodian "$W/work-$side.db" | tr '\n' ' '
      echo
    done
  done
done
rm -f "$W"/work-*.db*
echo "window end $(date -u +%H:%M:%S) UTC"
