-- Two outcomes that Custodian itself gives, never a reviewer: `resolved` (WP034 4.7: a later MDM
-- export shows the device healthy again) and `reattributed` (WP034 4.1), when the
-- register's allocation history is corrected (an import with allocated_from, or Digital Services
-- correcting an allocation's dates) and the finding's records are attributed again.
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt inside the migration's
-- transaction with foreign keys on: the copy is made, app_findings (the one table that refers to
-- findings) is rebuilt to refer to the copy, the old tables are dropped, and the renames put
-- the old names back (SQLite rewrites the reference to the renamed table). The indexes are made
-- again under their old names.

CREATE TABLE findings_v2 (
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
INSERT INTO findings_v2 (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity,
                         status, outcome, reviewer_id, reasons, opened_at, updated_at, closed_at)
SELECT id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity,
       status, outcome, reviewer_id, reasons, opened_at, updated_at, closed_at
FROM findings;

-- app_findings is the one table that refers to findings: rebuilt to refer to the new table, so
-- the old one is dropped with nothing pointing at it.
CREATE TABLE app_findings_v2 (
    finding_id  BLOB PRIMARY KEY REFERENCES findings_v2 (id),
    device_id   BLOB NOT NULL REFERENCES devices (id),
    package_id  TEXT NOT NULL,
    UNIQUE (device_id, package_id)
);
INSERT INTO app_findings_v2 (finding_id, device_id, package_id) SELECT finding_id, device_id, package_id FROM app_findings;
DROP TABLE app_findings;
DROP TABLE findings;

-- Renaming rewrites app_findings_v2's REFERENCES findings_v2 (id) to findings (id).
ALTER TABLE findings_v2 RENAME TO findings;
ALTER TABLE app_findings_v2 RENAME TO app_findings;
CREATE INDEX findings_status ON findings (status, opened_at);
CREATE INDEX findings_person ON findings (person_id);
CREATE INDEX findings_device ON findings (device_id);
CREATE INDEX findings_rule_status ON findings (rule, status);
CREATE INDEX app_findings_package ON app_findings (package_id);
