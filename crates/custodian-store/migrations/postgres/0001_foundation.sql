-- Custodian foundation schema (WP034 1.2, 4.1, 4.7, 4.10), PostgreSQL dialect of the SQLite migration
-- the application, text with CHECK instead of enum types, no triggers or stored procedures, and
-- timestamps written by the application. The PostgreSQL migration of the same name differs only
-- in column types (UUID, TIMESTAMPTZ, BYTEA, BOOLEAN).

CREATE TABLE business_areas (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    head_id     UUID NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE people (
    id               UUID PRIMARY KEY,
    staff_number     TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('officer', 'staff', 'volunteer')),
    business_area_id UUID NOT NULL REFERENCES business_areas (id),
    line_manager_id  UUID NULL REFERENCES people (id),
    status           TEXT NOT NULL CHECK (status IN ('active', 'leaver')),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CHECK (line_manager_id IS NULL OR line_manager_id <> id)
);
CREATE INDEX people_line_manager ON people (line_manager_id);
CREATE INDEX people_business_area ON people (business_area_id);

CREATE TABLE person_roles (
    person_id  UUID NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL CHECK (role IN ('digital_services', 'corporate_comms', 'psd', 'dmi', 'vetting',
                   'head_of_department', 'sio', 'resolution_centre', 'auditor', 'admin')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE personal_phones (
    person_id  UUID NOT NULL REFERENCES people (id),
    phone      TEXT NOT NULL,
    PRIMARY KEY (person_id, phone)
);
CREATE INDEX personal_phones_phone ON personal_phones (phone);

CREATE TABLE accounts (
    person_id      UUID PRIMARY KEY REFERENCES people (id),
    password_hash  TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    person_id     UUID NOT NULL REFERENCES people (id),
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY,
    person_id   UUID NOT NULL REFERENCES people (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ NULL
);

CREATE TABLE devices (
    id                    UUID PRIMARY KEY,
    asset_tag             TEXT NOT NULL UNIQUE,
    device_type           TEXT NOT NULL CHECK (device_type IN ('laptop', 'tablet', 'phone', 'radio', 'other')),
    make                  TEXT NOT NULL,
    model                 TEXT NOT NULL,
    serial                TEXT NULL UNIQUE,
    imei                  TEXT NULL UNIQUE,
    phone_number          TEXT NULL UNIQUE,
    os                    TEXT NULL,
    mdm_id                TEXT NULL UNIQUE,
    mdm_user              TEXT NULL,
    mdm_last_sync         TIMESTAMPTZ NULL,
    status                TEXT NOT NULL CHECK (status IN ('in_stock', 'allocated', 'returned', 'lost', 'stolen',
                              'damaged', 'in_repair', 'in_examination', 'retired')),
    holder_id             UUID NULL REFERENCES people (id),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'allocated') = (holder_id IS NOT NULL))
);
CREATE INDEX devices_holder ON devices (holder_id);
CREATE INDEX devices_status ON devices (status, asset_tag);

-- One row per allocation. The partial unique index is the database's own guarantee of WP034 4.1:
-- a device has at most one current holder.
CREATE TABLE allocations (
    id                    UUID PRIMARY KEY,
    device_id             UUID NOT NULL REFERENCES devices (id),
    person_id             UUID NOT NULL REFERENCES people (id),
    allocated_at          TIMESTAMPTZ NOT NULL,
    allocated_by          TEXT NOT NULL,
    reason                TEXT NOT NULL,
    receipt_confirmed_at  TIMESTAMPTZ NULL,
    ended_at              TIMESTAMPTZ NULL,
    ended_by              TEXT NULL,
    end_reason            TEXT NULL
);
CREATE UNIQUE INDEX allocations_one_current_holder ON allocations (device_id) WHERE ended_at IS NULL;
CREATE INDEX allocations_person ON allocations (person_id);

CREATE TABLE device_events (
    id           UUID PRIMARY KEY,
    device_id    UUID NOT NULL REFERENCES devices (id),
    at           TIMESTAMPTZ NOT NULL,
    actor        TEXT NOT NULL,
    event        TEXT NOT NULL,
    from_status  TEXT NULL,
    to_status    TEXT NULL,
    person_id    UUID NULL REFERENCES people (id),
    reason       TEXT NOT NULL,
    clause       TEXT NOT NULL
);
CREATE INDEX device_events_device ON device_events (device_id, at);

CREATE TABLE findings (
    id           UUID PRIMARY KEY,
    rule         TEXT NOT NULL,
    clause       TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL UNIQUE,
    person_id    UUID NULL REFERENCES people (id),
    device_id    UUID NULL REFERENCES devices (id),
    summary      TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    records      TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'under_review', 'closed')),
    outcome      TEXT NULL CHECK (outcome IS NULL OR outcome IN ('no_action', 'advice_given', 'referred_to_psd', 'false_positive')),
    reviewer_id  UUID NULL REFERENCES people (id),
    reasons      TEXT NULL,
    opened_at    TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ NULL,
    CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
CREATE INDEX findings_status ON findings (status, opened_at);
CREATE INDEX findings_person ON findings (person_id);
CREATE INDEX findings_device ON findings (device_id);

-- The tamper-evident audit log: each event is a leaf of an RFC 6962 Merkle tree; `chain` is a
-- hash chain over the leaves (one hash per event) that names the first rewritten event; signed
-- checkpoints (C2SP format) commit to tree heads.
CREATE TABLE audit_events (
    seq            BIGINT PRIMARY KEY,
    id             UUID NOT NULL UNIQUE,
    at_us          BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    clause         TEXT NULL,
    justification  TEXT NULL,
    before_digest  TEXT NULL,
    after_digest   TEXT NULL,
    detail         TEXT NOT NULL,
    leaf_hash      BYTEA NOT NULL,
    chain          BYTEA NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    size      BIGINT NOT NULL,
    frontier  BYTEA NOT NULL,
    chain     BYTEA NOT NULL
);
INSERT INTO audit_head (id, size, frontier, chain) VALUES (1, 0, '\x0000000000000000'::bytea, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

CREATE TABLE audit_checkpoints (
    size        BIGINT PRIMARY KEY,
    root        BYTEA NOT NULL,
    note        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
