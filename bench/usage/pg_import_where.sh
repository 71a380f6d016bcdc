#!/bin/bash
# bench/usage/pg_import_where.sh USAGE_BENCH BILL_DIR: one PostgreSQL import with the server's reaped-children CPU before/after and a wait-event sample.
set -u
B=${1:?usage: pg_import_where.sh USAGE_BENCH BILL_DIR}; D=${2:?bill dir}; URL=postgres://postgres@127.0.0.1:5432
PM=$(head -1 /var/lib/postgresql/15/main/postmaster.pid)
P="psql -q -h 127.0.0.1 -U postgres -d postgres"
$P -c "DROP DATABASE IF EXISTS ib_reg"; $P -c "CREATE DATABASE ib_reg"
$B register $URL/ib_reg $D/people.csv $D/devices.csv $D/devices_handover.csv > /dev/null
$P -c "DROP DATABASE IF EXISTS ib_run"; $P -c "CREATE DATABASE ib_run TEMPLATE ib_reg"
$P -c "CHECKPOINT"
read u0 s0 < <(awk '{print $16, $17}' /proc/$PM/stat)
rm -f /tmp/waits.txt
( while true; do $P -Atc "SELECT coalesce(wait_event_type,'CPU')||':'||coalesce(wait_event,'-') FROM pg_stat_activity WHERE datname='ib_run' AND state='active'" >> /tmp/waits.txt 2>/dev/null; sleep 0.1; done ) & S=$!
/usr/bin/time -f "import: %e s wall, %U+%S s client cpu" $B import $URL/ib_run $D/carrier.csv > /dev/null
kill $S
read u1 s1 < <(awk '{print $16, $17}' /proc/$PM/stat)
echo "server backends (reaped children): user $(( (u1-u0) ))0 ms, system $(( (s1-s0) ))0 ms"
echo "wait samples (every 0.1 s, active import backend):"; sort /tmp/waits.txt | uniq -c | sort -rn | head -8
$P -Atc "SELECT pg_size_pretty(pg_database_size('ib_run'))"
$P -c "DROP DATABASE IF EXISTS ib_run"; $P -c "DROP DATABASE IF EXISTS ib_reg"
