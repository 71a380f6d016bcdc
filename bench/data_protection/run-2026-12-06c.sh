#!/bin/bash
# run-2026-12-06c.sh LABEL N sqlite|postgres [ENV=VALUE ...]: one retention_bench run (release,
# this worktree's build) under bench/quiet.sh, output to bench/data_protection/LABEL.log with
# `uptime` before and after. Waits first until no un-niced rustc runs (quiet.sh stops only niced
# processes). PostgreSQL runs get a fresh database dp23b_bench.
set -u
label=$1; n=$2; be=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-/work/wt/dp23b/target/release/examples/retention_bench}
log=$here/$label.log
url=
while [ "$(ps -eo ni,comm | awk '$1==0' | grep -c rustc)" != 0 ]; do echo "waiting: an un-niced rustc runs"; sleep 20; done
if [ "$be" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS dp23b_bench' -c 'CREATE DATABASE dp23b_bench'
  url=postgres://postgres@127.0.0.1:5432/dp23b_bench
fi
{
  echo "# $(date -u +%FT%TZ) $* retention_bench $n $url"
  echo "# un-niced rustc: $(ps -eo ni,comm | awk '$1==0' | grep -c rustc)"
  echo "# uptime before: $(uptime)"
  bench/quiet.sh env "$@" $bin $n $url
  echo "# exit $?"
  echo "# uptime after: $(uptime)"
} > "$log" 2>&1
if [ "$be" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS dp23b_bench'
fi
