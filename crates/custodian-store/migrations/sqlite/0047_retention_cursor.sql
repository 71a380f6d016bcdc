-- The deletion job's cursor through the usage records (WP034 3.4, retention): each batch takes the
-- next due rows in (start_us, seq) order after the last one it deleted, through this index, so a
-- run reads only the rows it deletes (and the held ones it passes), never the whole seq range.
-- On SQLite an index build takes the one writer until it ends (about a second a million rows);
-- there is no online build, so a large database should be migrated in a quiet hour.
CREATE INDEX IF NOT EXISTS usage_records_start ON usage_records (start_us, seq);
