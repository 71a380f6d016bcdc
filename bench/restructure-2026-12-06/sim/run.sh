#!/usr/bin/env bash
# The four orderings of the simulation (gen_sql.py), each under callgrind with the system sqlite3
# (3.40.1), run on 2026-12-06 in /tmp/b14d/sim. Set-up: python3 bench/usage_gen.py DIR 300 100000;
# schema_feed_first.sql is main's usage_records (`sqlite3 DB .schema usage_records` of a database
# migrated by main, to 0051), schema_rid_first.sql the same with UNIQUE (record_id, feed).
#   run.sh CARRIER.csv   (in a scratch folder holding the two schema files)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
for v in ff:file ff:grouped rf:grouped rf:file; do
  s=${v%%:*} o=${v#*:} n=${v/:/_}
  [[ $s == ff ]] && schema=schema_feed_first.sql || schema=schema_rid_first.sql
  python3 "$HERE/gen_sql.py" "$1" "$schema" "$o" "$n.sql"
  rm -f "$n".db*
  nice -n 19 valgrind --tool=callgrind --callgrind-out-file="$n.cg" sqlite3 "$n.db" <"$n.sql" >"$n.out" 2>"$n.vg"
  echo "$n $(grep -E '^totals' "$n.cg") pages=$(sqlite3 "$n.db" 'pragma page_count')"
done
