#!/usr/bin/env bash
# Usage benchmarks, side by side in one run (see BENCHMARKS.md, "Usage compliance").
#
#   bench/usage_bench.sh ROWS [DEVICES]
#   USAGE_GEN_OPTS="--realistic" bench/usage_bench.sh ROWS [DEVICES]     # the realistic bill
#   USAGE_GEN_OPTS="--realistic --days 12 --heavy-days 0.3" bench/usage_bench.sh 1000000 300
#
# 1. Generates a register of DEVICES phones and tablets and a carrier bill of ROWS rows
#    (`bench/usage_gen.py`, with USAGE_GEN_OPTS), and loads the register (the quiet bill's
#    allocations dated 2026-11-30, before its December; the realistic bill's carry their own dates
#    and a second file of handovers).
# 2. Dry run: `usage::check` (what `custodian usage check` runs) against the same rules written
#    as DuckDB SQL over the same CSV, three runs each, alternating; CSV on disk to breaching
#    (record_id, rule); results compared. PYTHON names an interpreter with duckdb installed.
# 3. Import: the carrier file into a fresh copy of the register on SQLite and on PostgreSQL
#    (CUSTODIAN_BENCH_PG, default postgres://postgres@127.0.0.1:5432), rows/s and peak RSS.
#    USAGE_BENCH_BIN runs an already built `usage_bench` instead of building one.
set -euo pipefail
ROWS=${1:-1000000}
DEVICES=${2:-3000}
PG=${CUSTODIAN_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PY=${PYTHON:-python3}
GEN_OPTS=${USAGE_GEN_OPTS:-}
HERE=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
W=$(mktemp -d /tmp/custodian-usage-bench.XXXXXX)
cd "$HERE"
if [[ -n ${USAGE_BENCH_BIN:-} ]]; then
  X=$USAGE_BENCH_BIN
else
  nice cargo build -q --release -p custodian-store --example usage_bench
  X=$CARGO_TARGET_DIR/release/examples/usage_bench
fi
# shellcheck disable=SC2086
python3 bench/usage_gen.py "$W" "$DEVICES" "$ROWS" $GEN_OPTS
ls -la "$W/carrier.csv"
REG=("$W/people.csv" "$W/devices.csv")
if [[ -f $W/devices_handover.csv ]]; then
  REG+=("$W/devices_handover.csv")
else
  # The quiet bill is for December 2026: its devices are held from the day before.
  REG+=(--at 2026-11-30T00:00:00Z)
fi
"$X" register "sqlite:$W/reg.db" "${REG[@]}"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_tpl" -c "CREATE DATABASE usage_bench_tpl"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run"
"$X" register "$PG/usage_bench_tpl" "${REG[@]}"

echo "== dry run: custodian (usage::check) vs DuckDB, 2 threads, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2 3; do
  /usr/bin/time -f "custodian check: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" check "sqlite:$W/reg.db" "$W/carrier.csv" "$W/rust.csv"
  /usr/bin/time -f "duckdb: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$PY" bench/usage_check_duckdb.py "$W/carrier.csv" "$W/register_numbers.csv" "$W/people.csv" "$W/duck.csv" 2
done
python3 - "$W" <<'PY'
import collections
import sys
w = sys.argv[1]
r = set(l.strip() for l in open(f"{w}/rust.csv"))
d = set(l.strip() for l in open(f"{w}/duck.csv"))
print(f"breaches: custodian {len(r)}, duckdb {len(d)}, identical: {r == d}")
print("per rule:", dict(sorted(collections.Counter(x.split(",")[1] for x in r).items())))
if r != d:
    print("only custodian:", sorted(r - d)[:10])
    print("only duckdb:", sorted(d - r)[:10])
PY

echo "== import on SQLite, load $(cut -d' ' -f1-3 /proc/loadavg)"
cp "$W/reg.db" "$W/imp.db"
/usr/bin/time -f "sqlite import: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "sqlite:$W/imp.db" "$W/carrier.csv"
/usr/bin/time -f "sqlite re-import (all duplicates): %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "sqlite:$W/imp.db" "$W/carrier.csv"

echo "== import on PostgreSQL, load $(cut -d' ' -f1-3 /proc/loadavg)"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run" -c "CREATE DATABASE usage_bench_run TEMPLATE usage_bench_tpl"
/usr/bin/time -f "postgres import: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "$PG/usage_bench_run" "$W/carrier.csv"
/usr/bin/time -f "postgres re-import (all duplicates): %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "$PG/usage_bench_run" "$W/carrier.csv"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run" -c "DROP DATABASE IF EXISTS usage_bench_tpl"
rm -rf "$W"
