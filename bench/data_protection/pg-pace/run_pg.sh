#!/bin/bash
# One retention_bench run on PostgreSQL with the wait-event sampler (sampler.sql) and the
# server's checkpoint log, e.g.:  run_pg.sh before 10000000            (env: WAL_BUDGET_KIB, USAGE_WALK)
# Writes bench/data_protection/pg-pace/LABEL.log (bench output, load, checkpoint log lines) and
# LABEL-waits.txt (the probe's sampled wait events, all and during its slow writes).
set -u
label=$1; n=${2:-10000000}
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
bin=${BENCH_BIN:-$root/target/release/examples/retention_bench}
db=pgpace_$label; log=$here/$label.log; waits=$here/$label-waits.txt
P="psql -h 127.0.0.1 -U postgres -X -q"
$P -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
$P -d pgpace_diag -c "TRUNCATE wait_samples, counter_samples"
pglog=/var/log/postgresql/postgresql-15-main.log; from=$(wc -l < $pglog)
PGAPPNAME=pgpace_sampler $P -d pgpace_diag -c "CALL sample_waits(3000)" 2>/dev/null &
sampler=$!
io=$here/$label-io.txt; "$here/iosample.sh" > $io & iosampler=$!
{ date -u; uptime; echo "env: WAL_BUDGET_KIB=${WAL_BUDGET_KIB:-} USAGE_WALK=${USAGE_WALK:-}"
  nice -n 19 /usr/bin/time -v $bin $n postgres://postgres@127.0.0.1:5432/$db 2>&1
  date -u; uptime
  echo "--- server log (checkpoints) during the run"; tail -n +$((from+1)) $pglog | grep -E "checkpoint" ; } > $log 2>&1
$P -d pgpace_diag -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgpace_sampler' AND pid <> pg_backend_pid()" >/dev/null
wait $sampler 2>/dev/null
kill $iosampler
{ echo "== samples: $($P -At -d pgpace_diag -c "SELECT count(DISTINCT at) || ' sampling rounds, ' || count(*) || ' rows, ' || min(at) || ' .. ' || max(at) FROM wait_samples")"
  echo "== probe (job_leases upsert) backends' wait events over the whole run"
  $P -d pgpace_diag -c "SELECT coalesce(wait_event_type,'-') AS type, coalesce(wait_event,'(on cpu)') AS event, state, count(*) FROM wait_samples WHERE query ILIKE '%job_leases%' AND state <> 'idle' GROUP BY 1,2,3 ORDER BY 4 DESC"
  echo "== the deletion job's wait events over the whole run"
  $P -d pgpace_diag -c "SELECT coalesce(wait_event_type,'-') AS type, coalesce(wait_event,'(on cpu)') AS event, count(*) FROM wait_samples WHERE query ILIKE '%usage_records%' AND state <> 'idle' GROUP BY 1,2 ORDER BY 3 DESC LIMIT 15"
  echo "== other backends (checkpointer, walwriter, bgwriter) busy"
  $P -d pgpace_diag -c "SELECT backend_type, coalesce(wait_event_type,'-') AS type, coalesce(wait_event,'(on cpu)') AS event, count(*) FROM wait_samples WHERE backend_type <> 'client backend' GROUP BY 1,2,3 ORDER BY 4 DESC LIMIT 15"
  echo "== during each slow probe write (>100 ms): every sample in its window"
  grep "slow probe write" $log | while read -r _ _ _ _ d t _ _ w _; do
    start="$d $t"; echo "-- slow write started $start UTC, waited $w ms"
    s0=$(date -u -d "$start" +%H:%M:%S); s1=$(date -u -d "$start 1 second" +%H:%M:%S); sm=$(date -u -d "$start 1 second ago" +%H:%M:%S)
    echo "   page cache and disk (time, Dirty kB, Writeback kB, sectors written, writes in flight, queue ms) from 1 s before:"
    grep -E "^($sm|$s0|$s1)" $io | awk 'NR>1{printf "   %s dirty %d kB writeback %d kB; written %.1f MB; in flight %d; queue +%d ms\n", $1, $2, $3, ($4-p4)*512/1e6, $5, $6-p6} {p4=$4; p6=$6}'
    $P -d pgpace_diag -c "SELECT to_char(at,'HH24:MI:SS.MS') AS at, pid, backend_type, state, wait_event_type, wait_event, round(xact_ms::numeric,1) AS xact_ms, left(query,60) AS query FROM wait_samples WHERE at BETWEEN timestamptz '$start' AND timestamptz '$start' + make_interval(secs => $w/1000.0 + 0.02) ORDER BY at, pid"
  done
  echo "== counters each second (WAL, checkpoint buffers)"
  $P -d pgpace_diag -c "SELECT to_char(at,'HH24:MI:SS') AS at, wal_lsn, round((wal_bytes - lag(wal_bytes) OVER w)/1048576.0 / extract(epoch from at - lag(at) OVER w)::numeric,1) AS wal_mib_s, wal_fpi - lag(wal_fpi) OVER w AS fpi, buffers_checkpoint - lag(buffers_checkpoint) OVER w AS ckpt_buf, buffers_backend - lag(buffers_backend) OVER w AS backend_buf, buffers_clean - lag(buffers_clean) OVER w AS bgw_buf, checkpoints_req + checkpoints_timed AS ckpts, wal_buffers_full - lag(wal_buffers_full) OVER w AS wal_buf_full, wal_sync - lag(wal_sync) OVER w AS wal_syncs, round((wal_sync_ms - lag(wal_sync_ms) OVER w)::numeric,1) AS wal_sync_ms FROM counter_samples WINDOW w AS (ORDER BY at) ORDER BY at"
} > $waits 2>&1
$P -c "DROP DATABASE IF EXISTS $db"
grep -E "retention|concurrent|slow probe|load|checkpoint (starting|complete)" $log | head -60
