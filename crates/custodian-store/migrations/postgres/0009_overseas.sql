-- WP034 4.2: overseas use needs line management, Digital Services and Force Vetting Unit approval.
-- A request keeps its window in overseas_windows with status 'requested' and opens an approval
-- request on the chain (approval_ref holds its id); the window becomes 'approved' only when all
-- three approve, 'rejected' on any rejection, 'withdrawn' when the requester withdraws. The line
-- manager is fixed when the request is made.
ALTER TABLE overseas_windows ADD COLUMN line_manager_id UUID NULL;
ALTER TABLE overseas_windows ADD COLUMN decided_at TIMESTAMPTZ NULL;
CREATE INDEX overseas_windows_line_manager ON overseas_windows (line_manager_id);

-- WP034 4.6: streaming exceptions listed per approver (the person's line manager or Digital Services).
CREATE INDEX streaming_exceptions_approver ON streaming_exceptions (approver_id);

-- WP034 4.1: the usage import history (one `usage.import` audit event per run) read by action.
CREATE INDEX audit_events_action ON audit_events (action, seq);
