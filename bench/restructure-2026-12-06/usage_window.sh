#!/usr/bin/env bash
# One timed window of the usage benchmark, BEFORE (a) and AFTER (b) alternating, on the files
# usage_prep.sh made. Run it through /work/notes/quiet.sh, not niced. Each run, as in
# bench/usage_ab.sh: the dry run, an import into a fresh copy of the register, the same file
# again. Odd runs go a then b, even runs b then a.
#
#   /work/notes/quiet.sh bench/restructure-2026-12-06/usage_window.sh BEFORE AFTER DIR FIRST LAST
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
    cp "$W/reg-$side.db" "$W/imp-$side.db"
    sync
    /usr/bin/time -f "run $i $side check:    %e s wall, %U+%S s cpu, %M KB peak RSS" "$X" check "sqlite:$W/reg-$side.db" "$W/carrier.csv" "$W/out-$side.csv" >/dev/null
    /usr/bin/time -f "run $i $side import:   %e s wall, %U+%S s cpu, %M KB peak RSS" "$X" import "sqlite:$W/imp-$side.db" "$W/carrier.csv" >/dev/null
    /usr/bin/time -f "run $i $side reimport: %e s wall, %U+%S s cpu, %M KB peak RSS" "$X" import "sqlite:$W/imp-$side.db" "$W/carrier.csv" >/dev/null
    rm -f "$W/imp-$side.db"*
  done
done
if cmp -s <(sort "$W/out-a.csv") <(sort "$W/out-b.csv"); then
  echo "dry-run answers: identical ($(wc -l <"$W/out-a.csv") lines)"
else
  echo "dry-run answers: DIFFER ($(wc -l <"$W/out-a.csv") vs $(wc -l <"$W/out-b.csv") lines)"
fi
echo "window end $(date -u +%H:%M:%S) UTC"
