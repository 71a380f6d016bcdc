#!/usr/bin/env bash
# The dry run beside DuckDB on a bill from bench/usage_gen.py, three runs alternating:
#
#   USAGE_BENCH=target/release/examples/usage_bench PYTHON=python-with-duckdb \
#     bench/usage/dry_run_duckdb.sh BILL_DIR
#
# BILL_DIR holds the bill and its register loaded into reg.db (`usage_bench register
# sqlite:BILL_DIR/reg.db people.csv devices.csv devices_handover.csv`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
cd "$1"
echo "start $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2 3; do
  /usr/bin/time -f "run $i custodian dry run (usage_bench check): %e s wall, %M KB" \
    "${USAGE_BENCH:?release usage_bench}" check sqlite:reg.db carrier.csv out-c.csv >/dev/null
  /usr/bin/time -f "run $i DuckDB, 2 threads: %e s wall, %M KB" \
    "${PYTHON:-python3}" "$HERE/usage_check_duckdb.py" carrier.csv register_numbers.csv people.csv out-d.csv 2 >/dev/null
done
if cmp -s <(sort out-c.csv) <(sort out-d.csv); then
  echo "same answers: $(wc -l <out-c.csv) lines"
else
  echo "answers DIFFER: $(wc -l <out-c.csv) vs $(wc -l <out-d.csv)"
fi
