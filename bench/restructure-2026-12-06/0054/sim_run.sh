#!/usr/bin/env bash
# gen_sql.py's rows (grouped / file order, no schema) into copies of an empty SQLite database
# migrated by the sqlite3 shell through 0051 (main) or 0054, under callgrind with the system sqlite3.
cg() { # db order
  n=$1_$2
  cp $1.db $n.db
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file=$n.cg sqlite3 $n.db < $2.sql > $n.out 2> $n.vg
  echo "$n $(grep -E '^totals' $n.cg) rows=$(sqlite3 $n.db 'select count(*) from usage_records') pages=$(sqlite3 $n.db 'pragma page_count')"
}
cg before grouped & cg after grouped & wait
cg before file & cg after file & wait
echo ALLDONE
