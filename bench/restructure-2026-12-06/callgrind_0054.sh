#!/usr/bin/env bash
# Migration 0054 (usage_records' unique key as (record_id, feed)) against main's key, on main's own
# usage import, with callgrind_grouping.sh's method: one register loaded by main's `usage_bench`
# (`--at 2026-12-06T18:24:00Z`), the 100,000-row quiet bill of `python3 bench/usage_gen.py DIR 300
# 100000`, two imports under `valgrind --tool=callgrind` (whole process, every thread):
#   main:  into a copy of the register as main migrates it (to 0051);
#   m0054: into a copy with 0054's own SQLite file applied by the sqlite3 shell (the binary is main's,
#          which does not embed 0054: it opens the copy as at 0051, so the key is the only change).
#   callgrind_0054.sh DIR MAIN_USAGE_BENCH MIGRATION_0054.sql
set -euo pipefail
D=$1
BIN=$2
M=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
cd "$D"
rm -f reg.db* reg-0054.db* imp-*.db*
"$BIN" register sqlite:reg.db people.csv devices.csv --at 2026-12-06T18:24:00Z >/dev/null
sqlite3 reg.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp reg.db reg-0054.db
{ echo "BEGIN;"; cat "$M"; echo "COMMIT;"; } | sqlite3 reg-0054.db
sqlite3 reg-0054.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "key main: $(sqlite3 reg.db "SELECT group_concat(name, ',') FROM pragma_index_info('sqlite_autoindex_usage_records_1')")"
echo "key 0054: $(sqlite3 reg-0054.db "SELECT group_concat(name, ',') FROM pragma_index_info('sqlite_autoindex_usage_records_1')")"
cg() { # label register bill
  cp "$2" "imp-$1.db"
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file="cg-$1.out" "$BIN" import "sqlite:imp-$1.db" "$3" >"imp-$1.log" 2>"vg-$1.log"
  echo "$1 $(grep -E '^totals' "cg-$1.out") findings=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM findings') rows=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM usage_records') spans=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM usage_person_spans')"
}
cg main reg.db carrier.csv &
cg m0054 reg-0054.db carrier.csv &
wait
