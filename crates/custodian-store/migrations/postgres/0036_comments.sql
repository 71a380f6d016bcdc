-- Public comments on the force's social media channels (WP034 6.7, 8.2): each comment stored
-- once by (platform, id), with the account of the register it was made on, the labels the triage
-- pack gave it at intake (with their spans) and the pack's version; and the evidence snapshot
-- kept before anyone hides, deletes or replies to it (8.2). The PostgreSQL migration of the same
-- name differs only in column types.
CREATE TABLE comments (
    id            UUID PRIMARY KEY,
    platform      TEXT NOT NULL,
    -- The platform's id of the comment: a re-sent comment is stored once.
    external_id   TEXT NOT NULL,
    account_id    UUID NOT NULL REFERENCES social_accounts (id),
    -- The platform's id of the force post it answers.
    post          TEXT NOT NULL,
    author        TEXT NOT NULL,
    author_name   TEXT NOT NULL,
    url           TEXT NOT NULL,
    body          TEXT NOT NULL,
    posted_at     TIMESTAMPTZ NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    -- 'import' or the name of the webhook source that delivered it.
    source        TEXT NOT NULL,
    -- JSON: the routes the pack gave (ids, clauses, service levels).
    routes        TEXT NOT NULL,
    pack_version  TEXT NOT NULL,
    UNIQUE (platform, external_id)
);
CREATE INDEX comments_account ON comments (account_id, received_at);
CREATE INDEX comments_author ON comments (platform, author);
CREATE INDEX comments_received ON comments (received_at);

-- The labels of a comment, one row each, with the first span that gave it (UTF-8 byte offsets).
CREATE TABLE comment_labels (
    comment_id   UUID NOT NULL REFERENCES comments (id),
    label        TEXT NOT NULL CHECK (label IN ('question', 'emergency', 'crime_report', 'complaint',
                     'abuse_staff', 'hate.race', 'hate.religion', 'hate.sexual_orientation',
                     'hate.disability', 'hate.transgender', 'threat', 'doxxing', 'spam')),
    span_start   BIGINT NOT NULL,
    span_end     BIGINT NOT NULL,
    matched      TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    clause       TEXT NOT NULL,
    PRIMARY KEY (comment_id, label)
);
CREATE INDEX comment_labels_label ON comment_labels (label);

-- The evidence snapshot of a comment (8.2): the canonical JSON record and its SHA-256, written
-- with its audit event before any action on the comment. One per comment.
CREATE TABLE comment_evidence (
    id          UUID PRIMARY KEY,
    comment_id  UUID NOT NULL UNIQUE REFERENCES comments (id),
    record      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    taken_at    TIMESTAMPTZ NOT NULL,
    taken_by    TEXT NOT NULL
);
