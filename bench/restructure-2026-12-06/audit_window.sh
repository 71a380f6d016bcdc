#!/usr/bin/env bash
# One timed window of `Store::audit_verify` (what `custodian audit verify` calls), BEFORE (a)
# and AFTER (b) alternating on the databases audit_prep.sh filled. Through /work/notes/quiet.sh.
#
#   /work/notes/quiet.sh bench/restructure-2026-12-06/audit_window.sh BEFORE_BINDIR AFTER_BINDIR DIR FIRST LAST
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
    if [[ $side == a ]]; then D=$A; else D=$B; fi
    /usr/bin/time -f "run $i $side verify: %e s wall, %U+%S s cpu, %M KB peak RSS" "$D/audit_verify_store" verify "$W/audit-$side.db"
  done
done
echo "window end $(date -u +%H:%M:%S) UTC"
