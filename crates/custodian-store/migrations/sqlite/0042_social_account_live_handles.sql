-- A handle is held only by a live account (WP034 6.6): a request Corporate Communications refused,
-- or one withdrawn, never became an account and no longer holds its platform and handle, so the
-- same handle may be asked for again, as a new request, while the earlier one keeps its real
-- handle (0027's register renamed it "<handle> (earlier request N)" instead).
--
-- * Two statuses are added: `refused` and `withdrawn` (a request that never became an account).
--   Rows 0027 recorded as `closed` with the reason the approval effect wrote and never active are
--   moved to them, and a handle renamed "<handle> (earlier request N)" gets its real handle back
--   (its `social_account.handle_released` audit event stays as the history of that rename).
-- * Platform and handle are unique among the rows that hold a handle: requested, active, dormant
--   and closed. A closed account keeps its handle: it was a real account, whose platform handle
--   the force still holds and whose log-in details and history the register keeps (6.6);
--   using the handle again means reopening that account, not a second register entry with a
--   second set of credentials for one platform account.
--
-- SQLite cannot drop the table's UNIQUE (platform, handle) or change its status CHECK, so the
-- table is rebuilt in the migration's transaction. Six tables refer to social_accounts (posts,
-- social_account_users, social_account_tasks, vault_secrets, vault_reveals, comments); rather
-- than rebuild them and their own children, the foreign keys are deferred to the commit: the old
-- table is copied aside and dropped (the children's rows then point nowhere, which SQLite counts),
-- the new table is made under the old name and filled with the same ids (each row back cancels
-- those counts), and at the commit SQLite refuses the whole migration if any reference is left
-- pointing nowhere. The children's REFERENCES social_accounts (id) are untouched text and refer to
-- the new table. The indexes are made again under their old names.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE social_accounts_0042 AS SELECT * FROM social_accounts;
DROP TABLE social_accounts;

CREATE TABLE social_accounts (
    id              BLOB PRIMARY KEY,
    platform        TEXT NOT NULL CHECK (platform IN ('x', 'facebook', 'instagram', 'nextdoor', 'linkedin',
                        'tiktok', 'youtube', 'threads', 'bluesky', 'other')),
    handle          TEXT NOT NULL,
    owning_team     TEXT NOT NULL,
    -- Corporate Communications must approve every post (WP034 6.4).
    comms_approval  BIGINT NOT NULL CHECK (comms_approval IN (0, 1)),
    -- A corporate channel run by Corporate Communications: it keeps publishing in a major
    -- incident (WP034 6.8); every other account is departmental.
    corporate       BIGINT NOT NULL CHECK (corporate IN (0, 1)),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    team_manager_id BLOB NULL REFERENCES people (id),
    status          TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('requested', 'active', 'dormant', 'closed', 'refused', 'withdrawn')),
    url             TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    audience        TEXT NOT NULL DEFAULT '',
    profile         TEXT NOT NULL DEFAULT '',
    last_post_at    TEXT NULL,
    recertified_at  TEXT NULL,
    active_since    TEXT NULL,
    approval_id     BLOB NULL,
    closed_at       TEXT NULL,
    closed_reason   TEXT NULL
);

INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, created_by,
                             team_manager_id, status, url, purpose, audience, profile, last_post_at, recertified_at,
                             active_since, approval_id, closed_at, closed_reason)
SELECT id, platform,
       CASE WHEN status = 'closed' AND active_since IS NULL
                 AND closed_reason IN ('request refused by Corporate Communications', 'request withdrawn')
                 AND instr(handle, ' (earlier request ') > 1
            THEN substr(handle, 1, instr(handle, ' (earlier request ') - 1)
            ELSE handle END,
       owning_team, comms_approval, corporate, created_at, created_by, team_manager_id,
       CASE WHEN status = 'closed' AND active_since IS NULL
                 AND closed_reason = 'request refused by Corporate Communications' THEN 'refused'
            WHEN status = 'closed' AND active_since IS NULL AND closed_reason = 'request withdrawn' THEN 'withdrawn'
            ELSE status END,
       url, purpose, audience, profile, last_post_at, recertified_at, active_since, approval_id, closed_at,
       closed_reason
FROM social_accounts_0042;
DROP TABLE social_accounts_0042;

CREATE INDEX social_accounts_status ON social_accounts (status);
CREATE INDEX social_accounts_team_manager ON social_accounts (team_manager_id);
CREATE UNIQUE INDEX social_accounts_live_handle ON social_accounts (platform, handle)
    WHERE status NOT IN ('refused', 'withdrawn');
