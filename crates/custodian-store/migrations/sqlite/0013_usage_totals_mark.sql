-- WP034 4.5: on SQLite the bulk import adds its day totals once per run (or once per few hundred
-- thousand device-days) instead of once per batch, because several batches of a billing file
-- touch the same device-days and every upsert rewrote a page of usage_cellular_days.
--
-- `seq` is the mark: every carrier record with a `seq` at or below it is counted in
-- usage_cellular_days. An import first counts any records above the mark (those a killed run
-- committed but never totalled), then moves the mark with each flush of its totals. Imports into
-- one database take turns (a lock file beside it), so no other run stores records in between.
-- PostgreSQL adds to the totals in each batch's own statement and has no mark.
CREATE TABLE usage_totals_mark (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO usage_totals_mark (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM usage_records;
