-- Several servers on one database (WP034 3.3, 5.5: the sweeps that open referrals, flag overdue
-- approval steps and sign audit checkpoints run once, whichever server runs them). One row per
-- background job. A server runs a job for tick T only if its one upsert moves `last_tick` from
-- below T to T (see `leases/sql.rs`); `holder` and `expires_us` keep a run that outlasts its tick
-- from overlapping the next one. No advisory locks or SKIP LOCKED: the upsert is plain SQL that
-- CockroachDB, YugabyteDB and Citus run too. Times are microseconds since the Unix epoch so the
-- comparison is the same integer comparison on both backends.
CREATE TABLE job_leases (
    job         TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_us  BIGINT NOT NULL,
    last_tick   BIGINT NOT NULL,
    runs        BIGINT NOT NULL,
    updated_us  BIGINT NOT NULL
);
