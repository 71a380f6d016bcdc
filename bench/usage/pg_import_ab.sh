#!/usr/bin/env bash
# The PostgreSQL import of one bill by two builds of `usage_bench`, alternating, each run into a
# fresh template copy of one register (loaded by BIN_A):
#
#   bench/usage/pg_import_ab.sh BIN_A BIN_B BILL_DIR [RUNS]
#
# BILL_DIR is what bench/usage_gen.py wrote (people.csv, devices.csv, devices_handover.csv,
# carrier.csv). Uses the local server at 127.0.0.1:5432 (user postgres) and the databases
# ib_reg and ib_run, which it drops and creates.
set -euo pipefail
A=$1
B=$2
D=$3
RUNS=${4:-2}
URL=postgres://postgres@127.0.0.1:5432
P=(psql -q -h 127.0.0.1 -U postgres -d postgres -c)
"${P[@]}" "DROP DATABASE IF EXISTS ib_reg"
"${P[@]}" "CREATE DATABASE ib_reg"
"$A" register "$URL/ib_reg" "$D/people.csv" "$D/devices.csv" "$D/devices_handover.csv" >/dev/null
for i in $(seq 1 "$RUNS"); do
  for side in a b; do
    if [[ $side == a ]]; then X=$A; else X=$B; fi
    "${P[@]}" "DROP DATABASE IF EXISTS ib_run"
    "${P[@]}" "CREATE DATABASE ib_run TEMPLATE ib_reg"
    /usr/bin/time -f "run $i $side PostgreSQL import: %e s wall, %U+%S s cpu, %M KB peak RSS" "$X" import "$URL/ib_run" "$D/carrier.csv" >/dev/null
  done
done
"${P[@]}" "DROP DATABASE IF EXISTS ib_run"
"${P[@]}" "DROP DATABASE IF EXISTS ib_reg"
