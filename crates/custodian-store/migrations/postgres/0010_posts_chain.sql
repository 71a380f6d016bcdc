-- Post approvals on the shared approval chain (WP034 6.3e, 6.4): each post names the approval
-- request its current route follows (SIO, then Corporate Communications), whose steps,
-- decisions and timeline live in approval_requests / approval_steps / approval_events. The
-- columns posts.sio_approved_by and posts.comms_approved_by are no longer written; they stay
-- for the history they hold. A post sent for approval again after an edit keeps its restarted
-- request; a new route (or a request that was rejected) opens a new one.
ALTER TABLE posts ADD COLUMN approval_id UUID NULL REFERENCES approval_requests (id);
CREATE INDEX posts_approval ON posts (approval_id);
