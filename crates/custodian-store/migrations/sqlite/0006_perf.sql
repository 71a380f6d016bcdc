-- Device search index for SQLite: an FTS5 table with the trigram tokenizer, so a search for any
-- substring of three or more characters (asset tag, serial, IMEI, phone number, make, model,
-- holder's name or staff number) finds its devices without scanning the register. Its rowid is
-- the device's rowid. The application keeps it in step in the same transaction as each change
-- (no triggers, as elsewhere) and rebuilds it at start-up; the LIKE conditions of the search
-- still decide every match. SQLite only: PostgreSQL's migration 0006 is empty.
CREATE VIRTUAL TABLE device_search USING fts5 (body, tokenize = 'trigram');
