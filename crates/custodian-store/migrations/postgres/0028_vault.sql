-- The credential vault of the force's social media accounts (WP034 6.6: Corporate Communications
-- "must keep an up-to-date record of" each account's "log-in details"; 9.1: no common passwords).
--
-- Only sealed values are stored: each row's value is encrypted with XChaCha20-Poly1305 under its
-- own random data key, which is itself encrypted ("wrapped") under the key-encryption key kept
-- outside the database (see docs/vault.md). `key_id` names that key; both seals are bound to the
-- account, the field and the row's id, so rows cannot be swapped. `reuse_mac` (passwords only) is
-- a keyed HMAC-SHA256 of the password under a key derived from the key-encryption key: equal
-- MACs mean a password used by two accounts, without the password being stored.
CREATE TABLE vault_secrets (
    id           UUID PRIMARY KEY,
    account_id   UUID NOT NULL REFERENCES social_accounts (id),
    field        TEXT NOT NULL CHECK (field IN ('username', 'password', 'recovery_email', 'recovery_phone',
                     'recovery_codes', 'totp_seed')),
    key_id       TEXT NOT NULL,
    wrapped_key  BYTEA NOT NULL,
    ciphertext   BYTEA NOT NULL,
    reuse_mac    TEXT NULL CHECK (reuse_mac IS NULL OR field = 'password'),
    set_at       TIMESTAMPTZ NOT NULL,
    set_by       TEXT NOT NULL,
    UNIQUE (account_id, field)
);
CREATE INDEX vault_secrets_reuse ON vault_secrets (reuse_mac);

-- The key-encryption key the vault is sealed under (one row once anything is stored):
-- `custodian vault rotate-kek` changes it in the same transaction that re-wraps every data key.
CREATE TABLE vault_key (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    key_id   TEXT NOT NULL,
    since    TIMESTAMPTZ NOT NULL
);
