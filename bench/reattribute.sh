#!/usr/bin/env bash
# Re-attribution benchmark (WP034 4.1, 4.2) on SQLite, release build, side by side with what a
# force would do instead: import the bill again into a database whose register has allocated_from.
#
#   cargo build --release -p custodian-cli
#   bench/reattribute.sh [ROWS] [DEVICES] [RUNS]
#
# Each run, on fresh databases:
#  A. people, the register WITHOUT allocated_from (allocations start now), then a ROWS-row carrier
#     bill of last month (usage_gen.py's December bill moved to November 2026): nearly every record
#     predates the allocations, so it is usage.unattributed.
#     A1. `custodian import devices` of the same register WITH allocated_from = 2026-11-01: the
#         import, then the re-attribution it runs over every stored record.
#     A2. `custodian usage reattribute` right after (idempotent: finds nothing to change).
#     A3. `custodian usage reattribute` alone, on a copy of the database from before A1 whose
#         allocations were moved to 2026-11-01 in SQL (as if a run had been interrupted after the
#         register import committed): every record read, re-attributed, findings closed and opened.
#  B. people and the register WITH allocated_from, then a full import of the same bill.
# Prints the medians of RUNS runs (wall seconds, /usr/bin/time).
set -euo pipefail
ROWS=${1:-1000000}
DEVICES=${2:-3000}
RUNS=${3:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CUSTODIAN_BIN:-$HERE/target/release/custodian}
W=$(mktemp -d /tmp/custodian-reattribute.XXXXXX)
trap 'rm -rf "$W"' EXIT
export CUSTODIAN_DATA_DIR="$W"
cd "$HERE"
python3 bench/usage_gen.py "$W" "$DEVICES" "$ROWS"
sed -i 's/,2026-12-\([0-3][0-9]T\)/,2026-11-\1/' "$W/carrier.csv"
awk 'NR==1 { print $0 ",allocated_from"; next } { print $0 ",2026-11-01" }' "$W/devices.csv" >"$W/devices_from.csv"
ls -la "$W/carrier.csv"

timed() { # timed LABEL DB ARGS...: run, append "LABEL seconds" to the results, show the output
  local label=$1 db=$2
  shift 2
  /usr/bin/time -f "%e" -o "$W/t" "$BIN" --database-url "sqlite:$db" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
  echo "$label $(cat "$W/t")" >>"$W/results"
  echo "  $label: $(cat "$W/t") s: $(tail -n 2 "$W/out" | tr '\n' ' ')"
}
quiet() { "$BIN" --database-url "sqlite:$1" "${@:2}" >/dev/null; }

: >"$W/results"
for run in $(seq 1 "$RUNS"); do
  echo "== run $run"
  A="$W/a.db"
  rm -f "$W"/a.db* "$W"/a3.db* "$W"/b.db*
  quiet "$A" migrate --create
  quiet "$A" import people "$W/people.csv"
  quiet "$A" import devices "$W/devices.csv"
  timed "bill_import_without_allocated_from" "$A" usage import carrier "$W/carrier.csv"
  sqlite3 "$A" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  cp "$A" "$W/a3.db"
  timed "A1_register_import_with_allocated_from_and_reattribution" "$A" import devices "$W/devices_from.csv"
  timed "A2_reattribute_again_no_change" "$A" usage reattribute
  sqlite3 "$W/a3.db" "UPDATE allocations SET allocated_at = '2026-11-01T00:00:00Z';"
  timed "A3_usage_reattribute_all" "$W/a3.db" usage reattribute
  B="$W/b.db"
  quiet "$B" migrate --create
  quiet "$B" import people "$W/people.csv"
  quiet "$B" import devices "$W/devices_from.csv"
  timed "B_bill_import_with_allocated_from" "$B" usage import carrier "$W/carrier.csv"
done
echo "== medians of $RUNS runs ($ROWS records, $DEVICES devices, SQLite)"
python3 - "$W/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    runs.setdefault(k, []).append(float(v))
for k, v in runs.items():
    print(f"{k}: median {statistics.median(v):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in v)})")
PY
