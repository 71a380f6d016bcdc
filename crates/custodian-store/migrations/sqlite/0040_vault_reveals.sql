-- Reveals of the credential vault's values, counted for the reveal limit (WP034 6.6: Corporate
-- Communications and a team manager may reveal log-in details, each reveal recorded; a person
-- may reveal only so many values in a window, so that a stolen session or token cannot empty the
-- vault). One row per reveal given (`refused` = 0) or refused for the limit (`refused` = 1); the
-- audit log holds the same facts with the reason. `person_id` is the person revealing (NULL for
-- the command line, counted by `actor`). Kept one day (policy-pack/retention.toml): the limit
-- needs only its window. The PostgreSQL migration of the same name differs only in column types.
CREATE TABLE vault_reveals (
    id          BLOB PRIMARY KEY,
    person_id   BLOB NULL REFERENCES people (id),
    actor       TEXT NOT NULL,
    account_id  BLOB NOT NULL REFERENCES social_accounts (id),
    field       TEXT NOT NULL CHECK (field IN ('username', 'password', 'recovery_email', 'recovery_phone',
                    'recovery_codes', 'totp_seed')),
    at          TEXT NOT NULL,
    refused     BIGINT NOT NULL CHECK (refused IN (0, 1))
);
CREATE INDEX vault_reveals_person ON vault_reveals (person_id, at);
CREATE INDEX vault_reveals_actor ON vault_reveals (actor, at);
CREATE INDEX vault_reveals_at ON vault_reveals (at);
