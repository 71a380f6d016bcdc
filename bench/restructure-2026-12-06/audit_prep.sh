#!/usr/bin/env bash
# Set-up for audit_window.sh (untimed; run it niced): for each build, its own SQLite database of
# N events through its own `audit_fill` (the real append path, batches of 20,000), then one signed
# checkpoint (as bench/audit_verify.sh does with `custodian audit checkpoint`).
#
#   bench/restructure-2026-12-06/audit_prep.sh BEFORE_BINDIR AFTER_BINDIR DIR [N]
# Each BINDIR holds the examples audit_fill and audit_verify_store of one build.
set -euo pipefail
A=$1
B=$2
W=$3
N=${4:-1000000}
mkdir -p "$W"
for side in a b; do
  if [[ $side == a ]]; then D=$A; else D=$B; fi
  rm -f "$W/audit-$side.db"*
  "$D/audit_fill" "$W/audit-$side.db" "$N" "$W/canonical-$side.bin" 2>&1 | tr '\r' '\n' | tail -n 1
  "$D/audit_verify_store" checkpoint "$W/audit-$side.db"
  "$D/audit_verify_store" verify "$W/audit-$side.db"
done
ls -l "$W"/canonical-*.bin
