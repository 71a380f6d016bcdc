-- Screening pack versions (WP034 6.3, 6.5), PostgreSQL dialect of the SQLite migration of the
-- same name: every pack Corporate Communications have put into effect, in order, with its full
-- text, who changed it and why. The newest row is the pack in force; the one compiled into the
-- build applies until the first row exists. Only the column types differ.

CREATE TABLE screening_packs (
    id          UUID PRIMARY KEY,
    seq         BIGINT NOT NULL UNIQUE CHECK (seq > 0),
    version     TEXT NOT NULL UNIQUE,
    body        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rules       BIGINT NOT NULL CHECK (rules >= 0),
    examples    BIGINT NOT NULL CHECK (examples >= 0),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    author_id   UUID NULL REFERENCES people (id),
    author      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
