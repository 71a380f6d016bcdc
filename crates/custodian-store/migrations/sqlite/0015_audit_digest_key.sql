-- The secret key of the audit log's before/after digests. An event's before_digest and
-- after_digest are HMAC-SHA256 under this key of the record before and after the change, so
-- nobody who can read the log can test guesses at what a record held (a declared personal phone
-- number has few enough possibilities to guess from an unkeyed SHA-256). Events written before
-- this table existed keep their unkeyed digests; the log verifies unchanged, since a leaf covers
-- the digest text, not the record.
--
-- One row, made with a random key by the first transaction that needs it (inside that
-- transaction), so every server and the command line on one database use the same key.
-- first_seq is the first event whose digests are keyed. No page or API reads this table.
CREATE TABLE audit_digest_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    digest_key  BLOB NOT NULL CHECK (length(digest_key) = 32),
    first_seq   BIGINT NOT NULL,
    created_at  TEXT NOT NULL
);
