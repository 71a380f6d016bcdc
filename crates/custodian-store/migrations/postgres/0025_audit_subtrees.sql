-- Proofs that read a few rows, not every event (WP034 3.3: a log outsiders can check). The hash
-- of every aligned perfect subtree of the audit tree of at least 256 events: leaves
-- idx * 2^level .. (idx + 1) * 2^level, level >= 8. Written in the transaction that appends the
-- event completing it; a log older than this table is filled in by the checkpoint job. An
-- inclusion or consistency proof over millions of events then reads a few dozen of these rows
-- and at most a few hundred leaf hashes. `custodian audit verify` recomputes each row from the
-- events and names any that disagree; a missing row only makes proofs slower.
CREATE TABLE audit_subtrees (
    level  INTEGER NOT NULL,
    idx    BIGINT NOT NULL,
    hash   BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
