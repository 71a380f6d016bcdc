#!/bin/bash
# bench/usage/dry_run_duckdb.sh: the dry run beside DuckDB on a bill from bench/usage_gen.py, three runs,
# in BILL_DIR (default /work/bills/issue) with its register loaded into reg.db by usage_bench register;
# USAGE_BENCH and PYTHON (with duckdb) from the environment.
cd "${BILL_DIR:-/work/bills/issue}"
echo "start $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2 3; do
  /usr/bin/time -f "run $i custodian dry run (usage_bench check, B): %e s wall, %M KB" "${USAGE_BENCH:?release usage_bench}" check sqlite:reg.db carrier.csv out-c.csv > /dev/null
  /usr/bin/time -f "run $i DuckDB 2.0.1, 2 threads: %e s wall, %M KB" "${PYTHON:-python3}" "$(dirname "$0")/../usage_check_duckdb.py carrier.csv register_numbers.csv people.csv out-d.csv 2 > /dev/null
done
cmp -s <(sort out-c.csv) <(sort out-d.csv) && echo "same answers: $(wc -l < out-c.csv) lines" || echo "answers DIFFER: $(wc -l < out-c.csv) vs $(wc -l < out-d.csv)"
echo "end $(date -u)"
