-- The usage records' unique key (WP034 4.1: a supplier's record is stored once, however often its
-- file is imported) as (record_id, feed) instead of (feed, record_id). The same rows are refused;
-- only the order of the index's columns changes.
--
-- Since 0051 each import batch stores its rows grouped by person (for subject access, WP034 3.4,
-- 5.3), so the key index takes its keys out of order and every insert descends it from its root.
-- With the feed first (`carrier` on every carrier row) each comparison on that descent first
-- matches the feed and then decides on the record id; with the record id first it decides at once.
-- Measured on a 100,000-row bill: 5.5% fewer instructions for the whole import
-- (bench/restructure-2026-12-06.md). Every lookup names both columns (`feed = 'carrier' AND
-- record_id = $1`, PostgreSQL's `ON CONFLICT (feed, record_id)`), so none needs the feed first.
--
-- SQLite cannot change a table's UNIQUE constraint in place, so the table is rebuilt as 0012 did:
-- the same columns, CHECKs and `seq` values (the rowid alias; no AUTOINCREMENT, so the next record
-- still takes MAX(seq) + 1). usage_records has no other index, no trigger, no view and no foreign
-- key in either direction. The copy runs inside this migration's transaction and holds the one
-- writer while it runs.
CREATE TABLE usage_records_v3 (
    seq         INTEGER PRIMARY KEY,
    feed        TEXT NOT NULL CHECK (feed = 'carrier' OR feed = 'web'),
    record_id   TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event = 'call' OR event = 'sms' OR event = 'mms' OR event = 'data' OR event = 'divert' OR event = 'web'),
    tethered    INTEGER NOT NULL,
    device_id   BLOB NULL,
    day         INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    start_us    INTEGER NOT NULL,
    person_id   BLOB NULL,
    subject     TEXT NOT NULL,
    outgoing    INTEGER NOT NULL,
    duration_s  INTEGER NOT NULL,
    party       TEXT NOT NULL,
    place       TEXT NOT NULL,
    category    TEXT NOT NULL,
    account     TEXT NOT NULL,
    UNIQUE (record_id, feed)
);
INSERT INTO usage_records_v3 (seq, feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id,
                              subject, outgoing, duration_s, party, place, category, account)
SELECT seq, feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id,
       subject, outgoing, duration_s, party, place, category, account
FROM usage_records ORDER BY seq;
DROP TABLE usage_records;
ALTER TABLE usage_records_v3 RENAME TO usage_records;
