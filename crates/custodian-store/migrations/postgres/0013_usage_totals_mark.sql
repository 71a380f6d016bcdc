-- The twin of the SQLite migration of the same name. PostgreSQL needs no mark: it adds to
-- usage_cellular_days in each batch's own statement (see 0012_usage_day_totals.sql), so every
-- stored record is counted as it arrives. This file keeps the two folders in step (one list of
-- migration names); its statement changes nothing, so a database that already ran later
-- migrations can apply it (sqlx applies any embedded migration it has not yet recorded).
SELECT 1;
