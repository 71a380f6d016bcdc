-- The policy as a document with versions (WP034 10, 11). A version holds the whole policy (its
-- cover fields as JSON in `body`, its clauses and its document-history rows in the tables below),
-- its owner (the business area on the cover), the body that approved it and the date it was
-- adopted, and its next review date. A version is drafted from the one in force, goes to
-- consultation on the shared approval chain (WP034 10.2; `approval_request_id`; 'consulted' once
-- every consultee has approved, back to 'draft' on a rejection), and is adopted;
-- adopting it supersedes the version before, which stays readable. Dates are ISO text
-- (YYYY-MM-DD) in both backends. PostgreSQL dialect of the SQLite migration of the same name.
CREATE TABLE policy_versions (
    id                  UUID PRIMARY KEY,
    reference           TEXT NOT NULL,
    version             BIGINT NOT NULL CHECK (version > 0),
    status              TEXT NOT NULL CHECK (status IN ('draft', 'consultation', 'consulted', 'adopted', 'superseded', 'withdrawn')),
    title               TEXT NOT NULL,
    owner               TEXT NOT NULL,
    directorate         TEXT NOT NULL,
    approval_body       TEXT NULL,
    adopted_on          TEXT NULL,
    next_review_on      TEXT NOT NULL,
    body                TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    based_on_id         UUID NULL REFERENCES policy_versions (id),
    approval_request_id UUID NULL,
    created_by_id       UUID NULL REFERENCES people (id),
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (reference, version),
    CHECK (status <> 'adopted' OR adopted_on IS NOT NULL)
);
CREATE INDEX policy_versions_status ON policy_versions (reference, status);

-- One row per numbered clause of a version: its lead text and its lettered items (JSON array of
-- {"id", "text"}), in document order.
CREATE TABLE policy_clauses (
    version_id  UUID NOT NULL REFERENCES policy_versions (id),
    clause_id   TEXT NOT NULL,
    position    BIGINT NOT NULL CHECK (position >= 0),
    section_id  TEXT NOT NULL,
    text        TEXT NOT NULL,
    items       TEXT NOT NULL,
    PRIMARY KEY (version_id, clause_id)
);

-- The document-history table (section 11) of a version, one row per line, cells as printed.
CREATE TABLE policy_history (
    version_id  UUID NOT NULL REFERENCES policy_versions (id),
    position    BIGINT NOT NULL CHECK (position >= 0),
    date_label  TEXT NOT NULL,
    author      TEXT NOT NULL,
    amendment   TEXT NOT NULL,
    approval    TEXT NULL,
    PRIMARY KEY (version_id, position)
);
