-- The routing and workflow of public comments after triage (WP034 6.7, 6.8, 8.2): wellbeing
-- cases for the line managers of the officers and staff a comment names, referrals to the
-- Resolution Centre with their evidence, what Corporate Communications advised and did, the
-- owning teams' reply queues, and Corporate Communications' out-of-hours rota. Every row is
-- written with its audit event. The PostgreSQL migration of the same name differs only in
-- column types.

-- WP034 8.2: abuse, threats or doxxing aimed at a named officer or member of staff go first to
-- that person's line manager for wellbeing support. One case per comment and person named;
-- `manager_id` is the line manager when it opened (the current one sees it).
CREATE TABLE comment_wellbeing_cases (
    id          BLOB PRIMARY KEY,
    comment_id  BLOB NOT NULL REFERENCES comments (id),
    person_id   BLOB NOT NULL REFERENCES people (id),
    manager_id  BLOB NOT NULL REFERENCES people (id),
    -- What in the comment named the person (their name, staff number, rank and surname).
    matched     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at   TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    -- The support given, recorded when the line manager closes the case.
    support     TEXT NULL,
    closed_at   TEXT NULL,
    closed_by   TEXT NULL,
    UNIQUE (comment_id, person_id)
);
CREATE INDEX comment_wellbeing_manager ON comment_wellbeing_cases (manager_id, status);
CREATE INDEX comment_wellbeing_person ON comment_wellbeing_cases (person_id);

-- WP034 8.2: possible hate crime (Home Office Counting Rules) or malicious communications,
-- referred to the Resolution Centre with the evidence snapshot, and the outcome they record.
CREATE TABLE comment_referrals (
    id               BLOB PRIMARY KEY,
    comment_id       BLOB NOT NULL UNIQUE REFERENCES comments (id),
    evidence_id      BLOB NOT NULL REFERENCES comment_evidence (id),
    referred_at      TEXT NOT NULL,
    outcome          TEXT NULL CHECK (outcome IS NULL OR outcome IN ('crime_recorded', 'no_crime', 'advice')),
    crime_reference  TEXT NULL,
    note             TEXT NULL,
    decided_at       TEXT NULL,
    decided_by       TEXT NULL,
    CHECK (outcome IS NULL OR outcome <> 'crime_recorded' OR crime_reference IS NOT NULL)
);
CREATE INDEX comment_referrals_referred ON comment_referrals (referred_at);

-- WP034 8.2: the advice Corporate Communications gave and the action taken on a comment, each
-- after the comment's evidence snapshot (`evidence_id`) was kept.
CREATE TABLE comment_actions (
    id           BLOB PRIMARY KEY,
    comment_id   BLOB NOT NULL REFERENCES comments (id),
    evidence_id  BLOB NOT NULL REFERENCES comment_evidence (id),
    action       TEXT NOT NULL CHECK (action IN ('none', 'hide', 'delete', 'reply', 'report_platform')),
    advice       TEXT NOT NULL,
    acted_at     TEXT NOT NULL,
    acted_by     TEXT NOT NULL
);
CREATE INDEX comment_actions_comment ON comment_actions (comment_id, acted_at);

-- WP034 6.7: questions, emergencies, crime reports and complaints join the owning team's reply
-- queue with the pack's service level and suggested signposting reply.
CREATE TABLE comment_replies (
    id          BLOB PRIMARY KEY,
    comment_id  BLOB NOT NULL UNIQUE REFERENCES comments (id),
    account_id  BLOB NOT NULL REFERENCES social_accounts (id),
    -- The label that set the service level (the most urgent).
    label       TEXT NOT NULL CHECK (label IN ('question', 'emergency', 'crime_report', 'complaint')),
    due_at      TEXT NOT NULL,
    -- JSON: the pack's suggested replies.
    suggested   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('waiting', 'sent')),
    sent_at     TEXT NULL,
    sent_by     TEXT NULL,
    reply       TEXT NULL
);
CREATE INDEX comment_replies_account ON comment_replies (account_id, status, due_at);
CREATE INDEX comment_replies_due ON comment_replies (status, due_at);

-- WP034 6.8: Corporate Communications' out-of-hours rota: who is on call from when to when,
-- and the handover note for the shift.
CREATE TABLE comms_rota (
    id          BLOB PRIMARY KEY,
    person_id   BLOB NOT NULL REFERENCES people (id),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    handover    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX comms_rota_ends ON comms_rota (ends_at, starts_at);
