-- The register of departmental and corporate social media accounts (WP034 6.1, 6.4, 6.6, 6.7,
-- 9.1), on the accounts table of 0005 and the authorised users of 0026. An account is requested
-- by a team manager and approved and set up by Corporate Communications (6.6) on the shared
-- approval chain; it is active, dormant (no post for longer than the pack allows, 6.1) or closed.
-- Closing keeps the account's row, its authorisations and its tasks as history. Accounts set up
-- before this migration are active. The PostgreSQL migration of the same name differs only in
-- column types.
ALTER TABLE social_accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('requested', 'active', 'dormant', 'closed'));
ALTER TABLE social_accounts ADD COLUMN url TEXT NOT NULL DEFAULT '';
-- What the team asked for (6.4: Corporate Communications define the channels by campaign,
-- audience, purpose and type of content).
ALTER TABLE social_accounts ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE social_accounts ADD COLUMN audience TEXT NOT NULL DEFAULT '';
-- The profile text (bio), checked for signposting to 999 and 101 on every change (6.7).
ALTER TABLE social_accounts ADD COLUMN profile TEXT NOT NULL DEFAULT '';
-- The last post: set when Custodian's publisher sends one, or recorded by hand (6.1).
ALTER TABLE social_accounts ADD COLUMN last_post_at TEXT NULL;
-- When the team manager last re-certified the list of authorised users (6.7), and when the
-- account became active (the clock for both re-certification and dormancy before any of those).
ALTER TABLE social_accounts ADD COLUMN recertified_at TEXT NULL;
ALTER TABLE social_accounts ADD COLUMN active_since TEXT NULL;
-- The approval request of an account that was requested through Custodian.
ALTER TABLE social_accounts ADD COLUMN approval_id BLOB NULL;
ALTER TABLE social_accounts ADD COLUMN closed_at TEXT NULL;
ALTER TABLE social_accounts ADD COLUMN closed_reason TEXT NULL;
CREATE INDEX social_accounts_status ON social_accounts (status);
CREATE INDEX social_accounts_team_manager ON social_accounts (team_manager_id);

-- Tasks the register's rules raise on an account, for its team manager and/or Corporate
-- Communications: re-certify the authorised users (6.7), change the log-in details after a
-- leaver or mover (9.1), fix the profile's signposting (6.7), revive or close a dormant account
-- (6.1). One open task per account and rule (open_key, NULL once done); a done task stays.
CREATE TABLE social_account_tasks (
    id          BLOB PRIMARY KEY,
    account_id  BLOB NOT NULL REFERENCES social_accounts (id),
    rule        TEXT NOT NULL CHECK (rule IN ('social.recertification_overdue', 'social.rotate_credentials',
                    'social.signposting', 'social.dormant')),
    clause      TEXT NOT NULL,
    assignee    TEXT NOT NULL CHECK (assignee IN ('team_manager', 'corporate_comms', 'both')),
    summary     TEXT NOT NULL,
    -- JSON: what raised it (the people who left or moved, the signposting missing, the dates).
    detail      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done')),
    open_key    TEXT NULL UNIQUE,
    opened_at   TEXT NOT NULL,
    done_at     TEXT NULL,
    done_by     TEXT NULL,
    outcome     TEXT NULL,
    CHECK ((status = 'open') = (open_key IS NOT NULL)),
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX social_account_tasks_account ON social_account_tasks (account_id, status);
CREATE INDEX social_account_tasks_status ON social_account_tasks (status, rule);
