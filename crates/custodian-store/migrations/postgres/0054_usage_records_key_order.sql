-- The usage records' unique key (WP034 4.1: a supplier's record is stored once, however often its
-- file is imported) as (record_id, feed) instead of (feed, record_id): see the SQLite file of the
-- same name for why. The same rows are refused; only the order of the index's columns changes.
-- `ON CONFLICT (feed, record_id)` still finds it: PostgreSQL infers the arbiter index from the set
-- of columns, in any order.
--
-- One statement, in this migration's transaction: the old key is dropped and the new one built
-- together, so no moment exists without a unique key. The build holds an ACCESS EXCLUSIVE lock on
-- usage_records while it runs (about a second per million rows); a concurrent build would need
-- `-- no-transaction` and a second migration to swap the constraint, and could stop half-way.
ALTER TABLE usage_records
    DROP CONSTRAINT usage_records_pkey,
    ADD CONSTRAINT usage_records_pkey PRIMARY KEY (record_id, feed);
