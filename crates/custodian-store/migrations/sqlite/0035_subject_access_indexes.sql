-- Subject access (UK GDPR Art. 15; WP034 3.4, 5.3) and legal holds: the export reads a person's
-- usage records in seq order, and the deletion job keeps a held person's records, so both find a
-- person's records through this index rather than by scanning the table (seq is the rowid, which
-- every SQLite index carries: the export reads the index in order, with no sort).
CREATE INDEX usage_records_person ON usage_records (person_id, seq);
-- The approval steps a person decided (the export's "approval_steps_decided").
CREATE INDEX approval_steps_decided ON approval_steps (decided_by, decided_at);
