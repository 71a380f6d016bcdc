-- Device search moves into the server's memory (see src/search.rs): the whole register's
-- searchable text, scanned per query, which answers any substring in well under a millisecond
-- for tens of thousands of devices. `device_search_rev` is bumped in the same transaction as
-- every write that changes what a search or its filters see (a device's fields, status or
-- holder, a holder's name), so each server reloads its copy when, and only when, it is stale.
-- The FTS5 trigram index of 0006 is no longer used.
DROP TABLE device_search;
CREATE TABLE device_search_rev (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    rev BIGINT NOT NULL
);
INSERT INTO device_search_rev (id, rev) VALUES (1, 0);
