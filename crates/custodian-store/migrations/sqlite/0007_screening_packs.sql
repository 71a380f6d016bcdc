-- Screening pack versions (WP034 6.3, 6.5): every pack Corporate Communications have put into
-- effect, in order, with its full text, who changed it and why. The newest row is the pack in
-- force; the one compiled into the build applies until the first row exists. A row is written
-- only after the pack's saved examples pass, so every stored version was checked before it took
-- effect. Portable as the rest of the schema; the PostgreSQL migration differs only in types.

CREATE TABLE screening_packs (
    id          BLOB PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE CHECK (seq > 0),
    version     TEXT NOT NULL UNIQUE,
    body        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rules       INTEGER NOT NULL CHECK (rules >= 0),
    examples    INTEGER NOT NULL CHECK (examples >= 0),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    author_id   BLOB NULL REFERENCES people (id),
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
