#!/usr/bin/env bash
# The same comparison the other way round, with `3595498`'s usage_bench (no grouping): its register
# (loaded "now": that build has no --at), then the bill as it is and the renamed bill of
# callgrind_grouping.sh (ids ascending in main's stored order, so no longer in file order), under
# callgrind. Run on 2026-12-06 in the same folder after callgrind_grouping.sh.
#   callgrind_grouping_old.sh DIR OLD_USAGE_BENCH
set -euo pipefail
D=$1
BIN=$2
cd "$D"
rm -f reg-old.db*
"$BIN" register sqlite:reg-old.db people.csv devices.csv >/dev/null
sqlite3 reg-old.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cg() { # label bill
  cp reg-old.db "imp-$1.db"
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file="cg-$1.out" "$BIN" import "sqlite:imp-$1.db" "$2" >"imp-$1.log" 2>"vg-$1.log"
  echo "$1 $(grep -E '^totals' "cg-$1.out") findings=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM findings') rows=$(sqlite3 "imp-$1.db" 'SELECT COUNT(*) FROM usage_records')"
}
cg old carrier.csv &
cg old-relab carrier-relab.csv &
wait
