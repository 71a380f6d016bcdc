-- Reports to Professional Standards of inappropriate social media activity (WP034 7.3, 8.1): a
-- group chat, a colleague's post. The reporter may stay anonymous to colleagues, never to PSD:
-- the reporter is always recorded, and only PSD and the reporter see a report. Evidence files are
-- kept with their SHA-256, size and type (checked by their first bytes). PSD triage the report:
-- no action, management action, or a conduct assessment (8.1); every step is a timeline row and
-- an audit event.
-- PostgreSQL dialect of the SQLite migration of the same name.
CREATE TABLE psd_reports (
    id           UUID PRIMARY KEY,
    reporter_id  UUID NOT NULL REFERENCES people (id),
    anonymous    BOOLEAN NOT NULL,
    platform     TEXT NOT NULL CHECK (length(platform) > 0),
    what         TEXT NOT NULL CHECK (what IN ('group_chat', 'post', 'profile', 'other')),
    subject      TEXT NULL,
    description  TEXT NOT NULL CHECK (length(description) > 0),
    status       TEXT NOT NULL CHECK (status IN ('received', 'triaged', 'closed')),
    outcome      TEXT NULL CHECK (outcome IN ('no_action', 'management_action', 'conduct_assessment')),
    created_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ NULL
);
CREATE INDEX psd_reports_status ON psd_reports (status, created_at);
CREATE INDEX psd_reports_reporter ON psd_reports (reporter_id, created_at);

CREATE TABLE psd_report_evidence (
    id           UUID PRIMARY KEY,
    report_id    UUID NOT NULL REFERENCES psd_reports (id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain')),
    size_bytes   BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    content      BYTEA NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX psd_report_evidence_report ON psd_report_evidence (report_id);

CREATE TABLE psd_report_events (
    id           UUID PRIMARY KEY,
    report_id    UUID NOT NULL REFERENCES psd_reports (id),
    at           TIMESTAMPTZ NOT NULL,
    actor        TEXT NOT NULL,
    event        TEXT NOT NULL CHECK (event IN ('received', 'evidence', 'triaged', 'note', 'closed')),
    outcome      TEXT NULL,
    note         TEXT NULL
);
CREATE INDEX psd_report_events_report ON psd_report_events (report_id, at);
