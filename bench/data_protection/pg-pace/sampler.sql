-- Samples pg_stat_activity every ~10 ms (wait events of every active backend, the probe's
-- job_leases upsert and the deletion's batches included) and the checkpointer/WAL counters every
-- second, into tables of the database it runs in. Run: psql -d pgpace_diag -f sampler.sql, then
-- CALL sample_waits(seconds) in another psql. Commits each sample (no long snapshot).
CREATE TABLE IF NOT EXISTS wait_samples (
  at timestamptz, pid int, backend_type text, state text, wait_event_type text, wait_event text,
  xact_ms double precision, query text);
CREATE TABLE IF NOT EXISTS counter_samples (
  at timestamptz, wal_lsn pg_lsn, buffers_checkpoint bigint, buffers_clean bigint,
  buffers_backend bigint, checkpoints_timed bigint, checkpoints_req bigint, wal_fpi bigint,
  wal_bytes numeric, wal_buffers_full bigint, wal_write bigint, wal_sync bigint,
  dirty_kb bigint, wal_write_ms double precision, wal_sync_ms double precision);
CREATE OR REPLACE PROCEDURE sample_waits(seconds double precision) LANGUAGE plpgsql AS $$
DECLARE
  stop timestamptz := clock_timestamp() + make_interval(secs => seconds);
  last_counters timestamptz := '2000-01-01';
BEGIN
  SET synchronous_commit = off;
  WHILE clock_timestamp() < stop LOOP
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO wait_samples
      SELECT clock_timestamp(), a.pid, a.backend_type, a.state, a.wait_event_type, a.wait_event,
             extract(epoch FROM clock_timestamp() - a.xact_start) * 1000, left(a.query, 80)
      FROM pg_stat_activity a
      WHERE a.pid <> pg_backend_pid()
        AND (a.state IS DISTINCT FROM 'idle' OR a.backend_type <> 'client backend')
        AND (a.wait_event IS NOT NULL OR a.state = 'active')
        AND a.wait_event IS DISTINCT FROM 'CheckpointerMain'
        AND a.wait_event IS DISTINCT FROM 'BgWriterHibernate' AND a.wait_event IS DISTINCT FROM 'BgWriterMain'
        AND a.wait_event IS DISTINCT FROM 'WalWriterMain' AND a.wait_event IS DISTINCT FROM 'AutoVacuumMain'
        AND a.wait_event IS DISTINCT FROM 'LogicalLauncherMain' AND a.wait_event IS DISTINCT FROM 'ArchiverMain';
    IF clock_timestamp() - last_counters > interval '1 second' THEN
      last_counters := clock_timestamp();
      INSERT INTO counter_samples
        SELECT clock_timestamp(), pg_current_wal_lsn(), b.buffers_checkpoint, b.buffers_clean,
               b.buffers_backend, b.checkpoints_timed, b.checkpoints_req, w.wal_fpi, w.wal_bytes,
               w.wal_buffers_full, w.wal_write, w.wal_sync, NULL, w.wal_write_time, w.wal_sync_time
        FROM pg_stat_bgwriter b, pg_stat_wal w;
    END IF;
    COMMIT;
    PERFORM pg_sleep(0.01);
  END LOOP;
END $$;
