-- Data protection (WP034 3.4, 5.3; UK GDPR, DPA 2018): the Data Protection Officer role and legal
-- holds. See sqlite/0029_data_protection.sql. approval_steps.decider_role keeps its list: the
-- Data Protection Officer decides no approval step.
ALTER TABLE person_roles DROP CONSTRAINT person_roles_role_check;
ALTER TABLE person_roles ADD CONSTRAINT person_roles_role_check CHECK (role IN ('digital_services', 'corporate_comms',
    'psd', 'dmi', 'vetting', 'head_of_department', 'sio', 'resolution_centre', 'auditor', 'admin',
    'data_protection_officer'));

CREATE TABLE legal_holds (
    id              UUID PRIMARY KEY,
    scope           TEXT NOT NULL CHECK (scope IN ('person', 'case')),
    subject         TEXT NOT NULL,
    person_id       UUID NULL REFERENCES people (id),
    case_id         UUID NULL,
    reason          TEXT NOT NULL CHECK (length(reason) > 0),
    review_on       DATE NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    released_at     TIMESTAMPTZ NULL,
    released_by     TEXT NULL,
    release_reason  TEXT NULL,
    CHECK ((scope = 'person') = (person_id IS NOT NULL)),
    CHECK ((scope = 'case') = (case_id IS NOT NULL)),
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE INDEX legal_holds_open ON legal_holds (released_at, subject);
