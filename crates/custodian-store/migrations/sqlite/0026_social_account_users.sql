-- Who may use each departmental social media account (WP034 6.7: teams "keep an accurate list
-- of who is authorised to use each account" and share it with Corporate Communications), and the
-- team manager who answers for the account. A row is one authorisation, from a date to a date:
-- ending it (a leaver, a mover, removal by the team manager, the account closed) sets
-- authorised_to and the reason, and keeps the row as history. The credential vault (6.6, 9.1)
-- reads these rows: a credential an ended user could know is due for rotation.
ALTER TABLE social_accounts ADD COLUMN team_manager_id BLOB NULL REFERENCES people (id);

CREATE TABLE social_account_users (
    id               BLOB PRIMARY KEY,
    account_id       BLOB NOT NULL REFERENCES social_accounts (id),
    person_id        BLOB NOT NULL REFERENCES people (id),
    authorised_from  TEXT NOT NULL,
    authorised_to    TEXT NULL,
    authorised_by    TEXT NOT NULL,
    ended_reason     TEXT NULL CHECK (ended_reason IS NULL OR ended_reason IN ('left', 'moved', 'removed', 'account_closed')),
    ended_by         TEXT NULL
);
CREATE INDEX social_account_users_account ON social_account_users (account_id, authorised_to);
CREATE INDEX social_account_users_person ON social_account_users (person_id, authorised_to);
