#!/usr/bin/env bash
# Set-up for usage_window.sh (untimed; run it niced): one quiet bill, one register loaded by the
# BEFORE build (its schema is the older one), copied for AFTER and migrated by one untimed dry run
# of AFTER, so neither side's timed runs include a migration.
#
#   bench/restructure-2026-12-06/usage_prep.sh BEFORE_BIN AFTER_BIN DIR [ROWS] [DEVICES]
set -euo pipefail
A=$1
B=$2
W=$3
ROWS=${4:-1000000}
DEVICES=${5:-3000}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$W"
[[ -f $W/carrier.csv ]] || python3 "$HERE/bench/usage_gen.py" "$W" "$DEVICES" "$ROWS" >/dev/null
rm -f "$W"/reg-a.db* "$W"/reg-b.db*
"$A" register "sqlite:$W/reg-a.db" "$W/people.csv" "$W/devices.csv" >/dev/null
cp "$W/reg-a.db" "$W/reg-b.db"
"$B" check "sqlite:$W/reg-b.db" "$W/carrier.csv" "$W/warm-b.csv" >/dev/null
"$A" check "sqlite:$W/reg-a.db" "$W/carrier.csv" "$W/warm-a.csv" >/dev/null
echo "prepared $W: $(wc -l <"$W/carrier.csv") carrier lines"
