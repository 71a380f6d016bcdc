-- E-mail notifications (see docs/email.md). Every in-app notification is written by one
-- function (in approvals/sql.rs), which in the same transaction, beside the notification and the
-- change's audit event, writes the e-mail it owes to email_outbox. Servers send the outbox
-- afterwards, claiming rows with a lease so two servers never send one row; a row's id is the
-- e-mail's Message-ID, so a resend after a crash is recognisable. Times are microseconds since
-- the Unix epoch (compared in SQL on both backends, like job_leases).
CREATE TABLE email_outbox (
    id               BLOB PRIMARY KEY,
    notification_id  BLOB NOT NULL REFERENCES notifications (id),
    person_id        BLOB NOT NULL REFERENCES people (id),
    to_address       TEXT NOT NULL,
    -- immediate: one e-mail for this notification; digest: gathered with the person's other
    -- digest rows into one e-mail a day at the configured hour.
    delivery         TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    kind             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    link             TEXT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    created_us       INTEGER NOT NULL,
    -- Not before this time (the retry backoff).
    next_attempt_us  INTEGER NOT NULL,
    -- Claims begun, whether or not they ended (a crash mid-send counts).
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- The server sending it and until when: nobody else claims the row before then.
    lease_holder     TEXT NULL,
    lease_until_us   INTEGER NULL,
    last_error       TEXT NULL,
    sent_us          INTEGER NULL,
    -- The e-mail it went in: its own id, or the first row of its digest.
    message_id       TEXT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, delivery, next_attempt_us);
CREATE INDEX email_outbox_person ON email_outbox (person_id, status);

-- Each person's choice of how to be e-mailed (immediate when no row). There is no "off":
-- see docs/email.md.
CREATE TABLE email_preferences (
    person_id   BLOB PRIMARY KEY REFERENCES people (id),
    delivery    TEXT NOT NULL CHECK (delivery IN ('immediate', 'digest')),
    updated_us  INTEGER NOT NULL
);
