-- Social media posts (WP034 6.3-6.8): departmental and corporate accounts, the Senior
-- Investigating Officer recorded for each operation or crime reference, posts with their
-- screening and approvals, the signed steps of each post, and major incidents with the pause
-- they put on departmental publishing. Portable like 0001: UUIDv7 keys made by the application,
-- text with CHECK instead of enum types, no triggers, timestamps written by the application.
-- PostgreSQL dialect of the SQLite migration of the same name: only the column types differ.

-- An account at its simplest (WP034 6.6, 6.7): the full account register comes later.
CREATE TABLE social_accounts (
    id              UUID PRIMARY KEY,
    platform        TEXT NOT NULL CHECK (platform IN ('x', 'facebook', 'instagram', 'nextdoor', 'linkedin',
                        'tiktok', 'youtube', 'threads', 'bluesky', 'other')),
    handle          TEXT NOT NULL,
    owning_team     TEXT NOT NULL,
    -- Corporate Communications must approve every post (WP034 6.4).
    comms_approval  BIGINT NOT NULL CHECK (comms_approval IN (0, 1)),
    -- A corporate channel run by Corporate Communications: it keeps publishing in a major
    -- incident (WP034 6.8); every other account is departmental.
    corporate       BIGINT NOT NULL CHECK (corporate IN (0, 1)),
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    UNIQUE (platform, handle)
);

-- The SIO of an operation or crime/incident reference (WP034 6.3e): a post naming it goes to
-- that SIO; a post naming one not recorded here goes to any SIO. `key` is normalised (lower
-- case, single spaces) by the application.
CREATE TABLE investigation_sios (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('operation', 'reference')),
    key         TEXT NOT NULL,
    label       TEXT NOT NULL,
    sio_id      UUID NOT NULL REFERENCES people (id),
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (kind, key)
);

CREATE TABLE posts (
    id                     UUID PRIMARY KEY,
    account_id             UUID NOT NULL REFERENCES social_accounts (id),
    author_id              UUID NOT NULL REFERENCES people (id),
    body                   TEXT NOT NULL,
    -- JSON: [{"name", "rights", "holder"}], each with its rights declaration (WP034 6.3c).
    attachments            TEXT NOT NULL,
    scheduled_for          TIMESTAMPTZ NULL,
    state                  TEXT NOT NULL CHECK (state IN ('draft', 'pending_sio', 'pending_comms', 'scheduled',
                               'held', 'published')),
    -- Incremented by every save; approvals and overrides are for one version only.
    version                BIGINT NOT NULL CHECK (version >= 1),
    -- The screening of this version, with the version of the pack that did it.
    pack_version           TEXT NOT NULL,
    verdict                TEXT NOT NULL CHECK (verdict IN ('block', 'needs_approval', 'warn', 'clear')),
    findings               TEXT NOT NULL,
    blocks                 BIGINT NOT NULL CHECK (blocks >= 0),
    warnings               BIGINT NOT NULL CHECK (warnings >= 0),
    -- An investigation detail was found (SIO, 6.3e); a finding asks for Corporate Communications.
    investigation          BIGINT NOT NULL CHECK (investigation IN (0, 1)),
    comms_found            BIGINT NOT NULL CHECK (comms_found IN (0, 1)),
    -- The route, fixed when the post is submitted.
    needs_sio              BIGINT NOT NULL CHECK (needs_sio IN (0, 1)),
    sio_id                 UUID NULL REFERENCES people (id),
    needs_comms            BIGINT NOT NULL CHECK (needs_comms IN (0, 1)),
    -- Held in a major incident: Corporate Communications must approve again (WP034 6.8).
    reapproval             BIGINT NOT NULL CHECK (reapproval IN (0, 1)),
    sio_approved_by        UUID NULL REFERENCES people (id),
    comms_approved_by      UUID NULL REFERENCES people (id),
    override_reason        TEXT NULL,
    override_by            UUID NULL REFERENCES people (id),
    override_version       BIGINT NULL,
    publish_attempts       BIGINT NOT NULL CHECK (publish_attempts >= 0),
    last_error             TEXT NULL,
    published_at           TIMESTAMPTZ NULL,
    published_ref          TEXT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    CHECK ((state = 'published') = (published_at IS NOT NULL)),
    CHECK (sio_approved_by IS NULL OR sio_approved_by <> author_id),
    CHECK (comms_approved_by IS NULL OR comms_approved_by <> author_id),
    CHECK ((override_reason IS NULL) = (override_by IS NULL))
);
CREATE INDEX posts_state ON posts (state, scheduled_for);
CREATE INDEX posts_author ON posts (author_id);
CREATE INDEX posts_account ON posts (account_id);

-- Every step on a post, with its clause; the audit event (by sequence number) carries the same.
CREATE TABLE post_steps (
    id         UUID PRIMARY KEY,
    post_id    UUID NOT NULL REFERENCES posts (id),
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    step       TEXT NOT NULL,
    clause     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    audit_seq  BIGINT NOT NULL
);
CREATE INDEX post_steps_post ON post_steps (post_id, at);

-- Major incidents (WP034 6.8): declared and ended by Corporate Communications, with reasons.
CREATE TABLE incidents (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    guidance     TEXT NOT NULL,
    declared_at  TIMESTAMPTZ NOT NULL,
    declared_by  TEXT NOT NULL,
    ended_at     TIMESTAMPTZ NULL,
    ended_by     TEXT NULL,
    end_reason   TEXT NULL,
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);

-- The pause itself: one row naming the incident in force, if any. Publishing reads it in the
-- transaction that marks a post published (sharing its lock on PostgreSQL); declaring an
-- incident sets it, so the two cannot interleave.
CREATE TABLE post_pause (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    incident_id  UUID NULL REFERENCES incidents (id)
);
INSERT INTO post_pause (id, incident_id) VALUES (1, NULL);
