-- The audit log's signing key, bound to the log: the Ed25519 public key whose signatures the
-- log's checkpoints carry. Written once, when the log first gets its key (or, for a log created
-- before this table, adopting the key that signed its latest checkpoint), with an
-- `audit.key.bind` event in the same transaction. Custodian never signs this log's checkpoints
-- with any other key and never creates a key for a log that has one. The private key stays in
-- the data folder, outside the database.
CREATE TABLE audit_log_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  BLOB NOT NULL CHECK (length(public_key) = 32),
    -- 'created' (a new key for this log) or 'adopted' (the key of the latest signed checkpoint).
    how         TEXT NOT NULL CHECK (how IN ('created', 'adopted')),
    -- For an adopted key: the size of the checkpoint whose signature it verified.
    checkpoint_size  BIGINT NULL,
    bound_at    TEXT NOT NULL
);
