-- OpenID Connect sign-in (WP034 9.1, 4.1: each person signs in with their own force credentials).
-- A person's directory account: the provider (issuer) and its stable user id (Entra ID's `oid`),
-- linked once, on the first sign-in, by e-mail; afterwards found by the id alone. One directory
-- account per person per issuer, one person per directory account.
CREATE TABLE person_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    person_id  BLOB NOT NULL REFERENCES people (id),
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX person_identities_person ON person_identities (issuer, person_id);

-- Sign-ins under way: the state's SHA-256, with the nonce and the PKCE verifier the callback
-- needs. Taken (deleted) by the callback, so a state, and the nonce bound to it, is used once.
CREATE TABLE oidc_logins (
    state_hash     TEXT PRIMARY KEY,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- The ID token a session was signed in with, for RP-initiated sign-out (`id_token_hint`).
ALTER TABLE sessions ADD COLUMN id_token TEXT NULL;
