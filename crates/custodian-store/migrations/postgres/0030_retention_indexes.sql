-- The deletion job's reads (WP034 3.4, retention): each batch finds its oldest due rows through an
-- index, so a batch costs the rows it deletes, not a scan of the table. usage_records needs none:
-- the job walks it by seq in bounded windows (see data_protection/sql.rs).
CREATE INDEX findings_closed ON findings (closed_at);
CREATE INDEX notifications_created ON notifications (created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX email_outbox_created ON email_outbox (created_us);
CREATE INDEX email_outbox_notification ON email_outbox (notification_id);
CREATE INDEX posts_published ON posts (published_at);
CREATE INDEX monitoring_cases_updated ON monitoring_cases (updated_at);
