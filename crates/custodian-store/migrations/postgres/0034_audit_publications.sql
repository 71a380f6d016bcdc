-- How far each checkpoint sink outside the database has got (WP034 3.3: the audit log can be
-- checked by outsiders): the size of the latest signed checkpoint the folder or webhook accepted.
-- Kept in the database, not in each server's memory, so that several servers on one database,
-- or a server after a restart, do not send the same checkpoint again. `sink` names the sink
-- without its secret parts ("dir:" and the folder, or "webhook:" and a digest of the URL).
-- Operational state like job_leases: not a change of record, so no audit event.
CREATE TABLE audit_publications (
    sink          TEXT PRIMARY KEY,
    size          BIGINT NOT NULL,
    published_us  BIGINT NOT NULL
);

-- Witness cosignatures (C2SP tlog-cosignature) a witness gave on this log's checkpoints: the
-- signature line as the witness sent it, kept with the checkpoint's size and published with it.
CREATE TABLE audit_cosignatures (
    size          BIGINT NOT NULL,
    witness       TEXT NOT NULL,
    line          TEXT NOT NULL,
    cosigned_us   BIGINT NOT NULL,
    PRIMARY KEY (size, witness)
);

-- When this Custodian is a witness for other logs (C2SP tlog-witness): the latest checkpoint it
-- cosigned for each log's origin. A new checkpoint is cosigned only if a consistency proof shows
-- it extends this one; the row moves forward in one conditional statement, never back.
CREATE TABLE witness_logs (
    origin        TEXT PRIMARY KEY,
    size          BIGINT NOT NULL,
    root          BYTEA NOT NULL,
    updated_us    BIGINT NOT NULL
);
