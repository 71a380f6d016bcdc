#!/usr/bin/env bash
# Set-up for load_window.sh (untimed; run it niced): bench/register_load.sh's register (5,000
# people and 10,000 devices from bench/gen_register.py, the same files for both builds), imported
# by each build into its own SQLite database, with the same bench user and a read-scoped token.
#
#   bench/restructure-2026-12-06/load_prep.sh BEFORE AFTER DIR
#
# DIR/people.csv and DIR/devices.csv must exist (`python3 bench/gen_register.py DIR 5000 10000`).
# Leaves DIR/load-a and DIR/load-b, each with custodian.db (checkpointed, no WAL), its data folder
# (the audit key) and token.txt.
set -euo pipefail
W=$3
declare -A BIN=([a]=$1 [b]=$2)
for side in a b; do
  D="$W/load-$side"
  rm -rf "$D"
  mkdir -p "$D/data"
  export CUSTODIAN_DATA_DIR="$D/data"
  url="sqlite:$D/custodian.db"
  bin=${BIN[$side]}
  "$bin" --database-url "$url" migrate --create >/dev/null
  "$bin" --database-url "$url" import people "$W/people.csv" >/dev/null
  "$bin" --database-url "$url" import devices "$W/devices.csv" >/dev/null
  echo "correct horse battery staple volt" | "$bin" --database-url "$url" user add --staff-number BENCH1 \
    --name "Bench Digital" --email bench@warwickshire.police.example --business-area "Digital Services" \
    --role digital_services >/dev/null
  "$bin" --database-url "$url" user token BENCH1 --name bench --scope read | tail -n 1 >"$D/token.txt"
  sqlite3 "$D/custodian.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  echo "prepared $D: $(sqlite3 "$D/custodian.db" 'SELECT COUNT(*) FROM devices') devices"
done
