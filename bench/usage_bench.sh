#!/usr/bin/env bash
# Usage benchmarks, side by side in one run (see BENCHMARKS.md, "Usage compliance").
#
#   bench/usage_bench.sh ROWS [DEVICES]
#
# 1. Generates a register of DEVICES phones and tablets and a carrier bill of ROWS rows.
# 2. Dry run: `usage::check` (what `custodian usage check` runs) against the same rules written
#    as DuckDB SQL over the same CSV; CSV on disk to breaching (record_id, rule); results compared.
# 3. Import: the carrier file into a fresh copy of the register on SQLite and on PostgreSQL
#    (CUSTODIAN_BENCH_PG, default postgres://postgres@127.0.0.1:5432), rows/s and peak RSS.
set -euo pipefail
ROWS=${1:-1000000}
DEVICES=${2:-3000}
PG=${CUSTODIAN_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
HERE=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
W=$(mktemp -d /tmp/custodian-usage-bench.XXXXXX)
cd "$HERE"
nice cargo build -q --release -p custodian-store --example usage_bench
X=$CARGO_TARGET_DIR/release/examples/usage_bench
python3 bench/usage_gen.py "$W" "$DEVICES" "$ROWS"
ls -la "$W/carrier.csv"
"$X" register "sqlite:$W/reg.db" "$W/people.csv" "$W/devices.csv"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_tpl" -c "CREATE DATABASE usage_bench_tpl"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run"
"$X" register "$PG/usage_bench_tpl" "$W/people.csv" "$W/devices.csv"

echo "== dry run: custodian (usage::check) vs DuckDB, 2 threads"
for i in 1 2; do
  /usr/bin/time -f "custodian check: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" check "sqlite:$W/reg.db" "$W/carrier.csv" "$W/rust.csv"
  /usr/bin/time -f "duckdb: %e s wall, %U s user, %S s sys, %M KB peak RSS" python3 bench/usage_check_duckdb.py "$W/carrier.csv" "$W/register_numbers.csv" "$W/people.csv" "$W/duck.csv" 2
done
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
r = set(l.strip() for l in open(f"{w}/rust.csv"))
d = set(l.strip() for l in open(f"{w}/duck.csv"))
print(f"breaches: custodian {len(r)}, duckdb {len(d)}, identical: {r == d}")
PY

echo "== import on SQLite"
cp "$W/reg.db" "$W/imp.db"
/usr/bin/time -f "sqlite import: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "sqlite:$W/imp.db" "$W/carrier.csv"
/usr/bin/time -f "sqlite re-import (all duplicates): %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "sqlite:$W/imp.db" "$W/carrier.csv"

echo "== import on PostgreSQL"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run" -c "CREATE DATABASE usage_bench_run TEMPLATE usage_bench_tpl"
/usr/bin/time -f "postgres import: %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "$PG/usage_bench_run" "$W/carrier.csv"
/usr/bin/time -f "postgres re-import (all duplicates): %e s wall, %U s user, %S s sys, %M KB peak RSS" "$X" import "$PG/usage_bench_run" "$W/carrier.csv"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS usage_bench_run" -c "DROP DATABASE IF EXISTS usage_bench_tpl"
rm -rf "$W"
