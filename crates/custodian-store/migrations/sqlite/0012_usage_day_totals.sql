-- WP034 4.5 day totals kept as records arrive, and a cheaper usage_records for bulk imports.
--
-- 0004 kept a partial index (device_id, day, bytes) over carrier data so the import could sum a
-- device's day. Its entries land at random places in the index, so every batch of a billing file
-- rewrote most of the index's pages: on SQLite it cost more than half of an import's time. It is
-- replaced by usage_cellular_days, one row per Europe/London day and device (keyed day first,
-- so the days an import touched are one range read), added to in the same
-- transaction as the batch whose records it counts. `first_seq` is the lowest `seq` of any record
-- counted in that row, so the records behind an over-limit day are found by reading the table
-- forward from there (records are appended in `seq` order and never deleted).
--
-- The table is rebuilt because SQLite cannot add a rowid alias to an existing table. The CHECK
-- constraints are written as OR chains: an IN list builds a lookup table on every statement run,
-- which cost as much as the insert itself. The columns the day-total evidence scan filters on come
-- first, so reading a record stops early.

CREATE TABLE usage_records_v2 (
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
    UNIQUE (feed, record_id)
);
INSERT INTO usage_records_v2 (seq, feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id,
                              subject, outgoing, duration_s, party, place, category, account)
SELECT rowid, feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id,
       subject, outgoing, duration_s, party, place, category, account
FROM usage_records ORDER BY rowid;
DROP TABLE usage_records;
ALTER TABLE usage_records_v2 RENAME TO usage_records;

CREATE TABLE usage_cellular_days (
    device_id  BLOB NOT NULL,
    day        INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    first_seq  INTEGER NOT NULL,
    PRIMARY KEY (day, device_id)
) WITHOUT ROWID;
INSERT INTO usage_cellular_days (device_id, day, bytes, first_seq)
SELECT device_id, day, SUM(bytes), MIN(seq) FROM usage_records
WHERE event = 'data' AND NOT tethered AND device_id IS NOT NULL
GROUP BY device_id, day;
