#!/usr/bin/env bash
# What the person grouping (0051) costs the usage import in SQLite's index work, with main's own
# binary, run on 2026-12-06 in /tmp/b14d/cg. Three imports of the same 100,000-row quiet bill
# (`python3 bench/usage_gen.py DIR 300 100000`) into copies of one register, under callgrind:
#   main:   the bill as it is;
#   relab:  the bill with its record ids renamed so that they ascend in the order the import stores
#           them (relabel_grouped.py, from main's own import): same rows, same grouping, same
#           places, but the unique index on (feed, record_id) takes its keys in ascending order;
#   rf:     the bill as it is, into a register whose usage_records has UNIQUE (record_id, feed)
#           (unique_rid_first.sql applied to a copy).
#   callgrind_grouping.sh DIR MAIN_USAGE_BENCH
set -euo pipefail
D=$1
BIN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$D"
rm -f reg.db*
"$BIN" register sqlite:reg.db people.csv devices.csv --at 2026-12-06T18:24:00Z >/dev/null
sqlite3 reg.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp reg.db reg-rf.db
sqlite3 reg-rf.db <"$HERE/unique_rid_first.sql"
sqlite3 reg-rf.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
# The grouped order: one plain import (not measured), then the renamed bill.
cp reg.db order.db
"$BIN" import sqlite:order.db carrier.csv >/dev/null
python3 "$HERE/relabel_grouped.py" order.db carrier.csv carrier-relab.csv
cg() { # label register bill
  cp "$2" "imp-$1.db"
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file="cg-$1.out" "$BIN" import "sqlite:imp-$1.db" "$3" >"imp-$1.log" 2>"vg-$1.log"
  echo "$1 $(grep -E '^totals' "cg-$1.out") findings=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM findings') rows=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM usage_records')"
}
cg main reg.db carrier.csv &
cg relab reg.db carrier-relab.csv &
cg rf reg-rf.db carrier.csv &
wait
