-- SQLite's migration 0006 adds an FTS5 trigram index for device search. PostgreSQL needs no
-- schema change for the same release: pg_trgm is a contrib extension that PostgreSQL-compatible
-- distributed engines may not offer, so device search scans here (see BENCHMARKS.md).
SELECT 1;
