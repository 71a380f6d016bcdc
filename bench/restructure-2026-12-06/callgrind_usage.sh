#!/usr/bin/env bash
# Instruction counts of the usage import for three builds (a: 3595498, b: main, c: 8271c70),
# run as it was on 2026-12-06 in /work/bench14-data/cg. Set-up, untimed:
#   python3 bench/usage_gen.py DIR 300 100000
#   BEFORE/usage_bench register sqlite:DIR/reg-a.db DIR/people.csv DIR/devices.csv
#   checkpoint reg-a.db's WAL (PRAGMA wal_checkpoint(TRUNCATE)) before copying it to reg-b.db
#   and reg-c.db, then one `usage_bench check` of each other build on its copy (its migrations),
#   and a checkpoint again. Then:
#   callgrind_usage.sh DIR BEFORE_BIN AFTER_BIN MID_BIN
#   callgrind_annotate DIR/cg-a.out (and b, c): "totals" is the whole import, every thread.
set -euo pipefail
D=$1
cd "$D"
declare -A BIN=([a]=$2 [b]=$3 [c]=$4)
for s in a b c; do
  cp "reg-$s.db" "imp-$s.db"
  if [[ -s reg-$s.db-wal ]]; then echo "reg-$s.db has a WAL: checkpoint it first" >&2; exit 9; fi
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file="cg-$s.out" "${BIN[$s]}" import "sqlite:imp-$s.db" carrier.csv >"imp-$s.log" 2>"vg-$s.log"
  grep -E '^totals' "cg-$s.out"
done
