-- The usage_records table with its unique key as (record_id, feed) instead of (feed, record_id),
-- applied by hand to a copy of a migrated register for the callgrind comparison (not a
-- migration). Every comparison in the key's index then starts with the record id, which differs
-- between neighbours, instead of the feed, which is the same for every carrier record.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE usage_records_rf (
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
INSERT INTO usage_records_rf SELECT * FROM usage_records;
DROP TABLE usage_records;
ALTER TABLE usage_records_rf RENAME TO usage_records;
COMMIT;
