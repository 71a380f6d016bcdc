-- Usage compliance (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12): carrier billing and web gateway records,
-- approved overseas-use windows and streaming exceptions. Records are keyed by the supplier's own
-- (feed, record_id), so importing a file twice or overlapping files adds nothing. Times are integer
-- microseconds since the epoch; `day` is the Europe/London calendar day (days since 1970-01-01).
-- No foreign keys on usage_records: they are written in bulk, and a record that matches no device
-- is kept on purpose (usage.unattributed).

CREATE TABLE usage_records (
    feed        TEXT NOT NULL CHECK (feed IN ('carrier', 'web')),
    record_id   TEXT NOT NULL,
    start_us    BIGINT NOT NULL,
    day         INTEGER NOT NULL,
    device_id   UUID NULL,
    person_id   UUID NULL,
    subject     TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('call', 'sms', 'mms', 'data', 'divert', 'web')),
    outgoing    BOOLEAN NOT NULL,
    duration_s  BIGINT NOT NULL,
    party       TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    place       TEXT NOT NULL,
    category    TEXT NOT NULL,
    tethered    BOOLEAN NOT NULL,
    account     TEXT NOT NULL,
    PRIMARY KEY (feed, record_id)
);
-- WP034 4.5: day totals of non-tethered carrier data per device.
-- The queries repeat the predicate word for word (`NOT tethered`) so SQLite uses the partial index.
CREATE INDEX usage_records_cellular ON usage_records (device_id, day, bytes) WHERE event = 'data' AND NOT tethered;

-- WP034 4.2: approved overseas use silences usage.roaming for that person, countries and dates.
CREATE TABLE overseas_windows (
    id            UUID PRIMARY KEY,
    person_id     UUID NOT NULL REFERENCES people (id),
    devices       TEXT NOT NULL,
    countries     TEXT NOT NULL,
    from_date     TEXT NOT NULL,
    to_date       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'withdrawn')),
    approval_ref  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    CHECK (from_date <= to_date)
);
CREATE INDEX overseas_windows_person ON overseas_windows (person_id, status);

-- WP034 4.6: streaming video for a specific policing purpose, recorded with who approved it and
-- until when.
CREATE TABLE streaming_exceptions (
    id           UUID PRIMARY KEY,
    person_id    UUID NOT NULL REFERENCES people (id),
    reason       TEXT NOT NULL,
    approver_id  UUID NOT NULL REFERENCES people (id),
    from_us      BIGINT NOT NULL,
    expires_us   BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK (from_us < expires_us)
);
CREATE INDEX streaming_exceptions_person ON streaming_exceptions (person_id);
