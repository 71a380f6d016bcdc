-- The personal-profile check (WP034 7.1, 7.2) keeps nothing of what a person pastes, unless they
-- ask: then the text and the advice it got are kept here for that person alone (nobody else
-- reads them, no audit event carries the text), until they delete it or the retention schedule
-- does (policy-pack/retention.toml, personal_checks).
-- PostgreSQL dialect of the SQLite migration of the same name.
CREATE TABLE personal_checks (
    id            UUID PRIMARY KEY,
    person_id     UUID NOT NULL REFERENCES people (id),
    text          TEXT NOT NULL,
    advice        TEXT NOT NULL,
    pack_version  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX personal_checks_person ON personal_checks (person_id, created_at);
