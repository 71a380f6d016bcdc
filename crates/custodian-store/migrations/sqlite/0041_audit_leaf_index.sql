-- Proofs read runs of leaf hashes (WP034 3.3: a log outsiders can check). An inclusion or
-- consistency proof reads at most a few hundred leaf hashes beside the stored subtree hashes;
-- through the events themselves that touches a page for every few events (each event's row holds
-- its whole record), through this index a page for about a hundred. The index is written at the
-- log's right edge as events are appended. Building it on an existing log reads every event once
-- (about 20 s for 10,000,000 events on SQLite).
CREATE INDEX audit_events_leaf ON audit_events (seq, leaf_hash);
