-- Data protection (WP034 3.4, 5.3; UK GDPR, DPA 2018): the Data Protection Officer role and legal
-- holds.
--
-- The role: person_roles' CHECK lists the roles, and SQLite cannot change a CHECK, so the table is
-- rebuilt (nothing refers to it). approval_steps.decider_role keeps its list: the Data Protection
-- Officer decides no approval step.
CREATE TABLE person_roles_v2 (
    person_id  BLOB NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL CHECK (role IN ('digital_services', 'corporate_comms', 'psd', 'dmi', 'vetting',
                   'head_of_department', 'sio', 'resolution_centre', 'auditor', 'admin', 'data_protection_officer')),
    PRIMARY KEY (person_id, role)
);
INSERT INTO person_roles_v2 (person_id, role) SELECT person_id, role FROM person_roles;
DROP TABLE person_roles;
ALTER TABLE person_roles_v2 RENAME TO person_roles;

-- A legal hold (PSD): a person's records, or one case's (a finding, a monitoring case, a post),
-- kept from the deletion job until the hold is released. `subject` is `person:ID`,
-- `finding:ID`, `case:ID` or `post:ID`; person_id is set for a person's hold only.
CREATE TABLE legal_holds (
    id              BLOB PRIMARY KEY,
    scope           TEXT NOT NULL CHECK (scope IN ('person', 'case')),
    subject         TEXT NOT NULL,
    person_id       BLOB NULL REFERENCES people (id),
    case_id         BLOB NULL,
    reason          TEXT NOT NULL CHECK (length(reason) > 0),
    review_on       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    released_at     TEXT NULL,
    released_by     TEXT NULL,
    release_reason  TEXT NULL,
    CHECK ((scope = 'person') = (person_id IS NOT NULL)),
    CHECK ((scope = 'case') = (case_id IS NOT NULL)),
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE INDEX legal_holds_open ON legal_holds (released_at, subject);
