#!/bin/bash
# run-2026-12-06b.sh LABEL N sqlite|postgres [ENV=VALUE ...]: one retention_bench run (release)
# under bench/quiet.sh, output to bench/data_protection/LABEL.log with `uptime` before and
# after. PostgreSQL runs get a fresh database dp23_bench.
set -u
label=$1; n=$2; be=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-/work/wt/dp23/target/release/examples/retention_bench}
log=$here/$label.log
url=
if [ "$be" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS dp23_bench' -c 'CREATE DATABASE dp23_bench'
  url=postgres://postgres@127.0.0.1:5432/dp23_bench
fi
{
  echo "# $(date -u +%FT%TZ) $* retention_bench $n $url"
  echo "# uptime before: $(uptime)"
  bench/quiet.sh env "$@" $bin $n $url
  echo "# exit $?"
  echo "# uptime after: $(uptime)"
} > "$log" 2>&1
if [ "$be" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS dp23_bench'
fi
