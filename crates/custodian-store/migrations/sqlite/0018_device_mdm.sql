-- WP034 4.7 device integrity from MDM exports (Intune, Android Management API).
--
-- 1. Findings may be closed by the system with the outcome 'resolved' when a later export shows
--    the device no longer breaks the rule (no reviewer; the reasons say which export). The
--    outcomes allowed by 0017 ('reattributed') stay allowed. SQLite
--    cannot change a CHECK constraint, so the findings table is rebuilt. app_findings refers to
--    findings and foreign keys are enforced inside this transaction, so its rows are set aside
--    while the old table is dropped and put back afterwards. Self-contained: it reads and
--    writes only findings and app_findings, and keeps every column and index as they were.
CREATE TABLE findings_0018_app_keep AS SELECT * FROM app_findings;
DELETE FROM app_findings;

CREATE TABLE findings_0018 (
    id           BLOB PRIMARY KEY,
    rule         TEXT NOT NULL,
    clause       TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL UNIQUE,
    person_id    BLOB NULL REFERENCES people (id),
    device_id    BLOB NULL REFERENCES devices (id),
    summary      TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    records      TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'under_review', 'closed')),
    outcome      TEXT NULL CHECK (outcome IS NULL OR outcome IN ('no_action', 'advice_given', 'referred_to_psd', 'false_positive', 'reattributed', 'resolved')),
    reviewer_id  BLOB NULL REFERENCES people (id),
    reasons      TEXT NULL,
    opened_at    TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    closed_at    TEXT NULL,
    CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
INSERT INTO findings_0018 (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity,
                           status, outcome, reviewer_id, reasons, opened_at, updated_at, closed_at)
SELECT id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity,
       status, outcome, reviewer_id, reasons, opened_at, updated_at, closed_at
FROM findings;
DROP TABLE findings;
ALTER TABLE findings_0018 RENAME TO findings;
CREATE INDEX findings_status ON findings (status, opened_at);
CREATE INDEX findings_person ON findings (person_id);
CREATE INDEX findings_device ON findings (device_id);
CREATE INDEX findings_rule_status ON findings (rule, status);

INSERT INTO app_findings SELECT * FROM findings_0018_app_keep;
DROP TABLE findings_0018_app_keep;

-- 2. The latest state an MDM reported for each device. `as_of` is when Custodian first saw this
--    state (a re-import of the same state changes nothing); `last_sync` is the MDM's own time.
CREATE TABLE device_mdm (
    device_id         BLOB PRIMARY KEY REFERENCES devices (id),
    source            TEXT NOT NULL CHECK (source IN ('intune', 'amapi')),
    mdm_ref           TEXT NOT NULL,
    compliance        TEXT NULL,
    jailbroken        INTEGER NULL,
    encrypted         INTEGER NULL,
    management_state  TEXT NULL,
    posture           TEXT NULL,
    noncompliance     TEXT NOT NULL,
    last_sync         TEXT NULL,
    as_of             TEXT NOT NULL,
    file_sha256       TEXT NOT NULL
);
CREATE INDEX device_mdm_ref ON device_mdm (mdm_ref);
