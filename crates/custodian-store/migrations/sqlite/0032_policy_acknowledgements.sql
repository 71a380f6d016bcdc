-- Acknowledgements of the policy and training (WP034 2.3, 2.4). A campaign asks every active
-- person in its scope (everyone, or chosen business areas) to read the clauses a version changed
-- and acknowledge them by a date. One row per person enrolled, written set-based when the
-- campaign is created (INSERT ... SELECT from people) and for new starters as the HR import
-- brings them; the row keeps the person's business area at enrolment so the completion chart is
-- one GROUP BY. Training sessions (2.4) record the date, topic and who attended.
CREATE TABLE policy_campaigns (
    id          BLOB PRIMARY KEY,
    version_id  BLOB NOT NULL REFERENCES policy_versions (id),
    title       TEXT NOT NULL CHECK (length(title) > 0),
    clauses     TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- A campaign's scope when it is not everyone: the business areas it covers.
CREATE TABLE policy_campaign_areas (
    campaign_id      BLOB NOT NULL REFERENCES policy_campaigns (id),
    business_area_id BLOB NOT NULL REFERENCES business_areas (id),
    PRIMARY KEY (campaign_id, business_area_id)
);

CREATE TABLE policy_acknowledgements (
    campaign_id      BLOB NOT NULL REFERENCES policy_campaigns (id),
    person_id        BLOB NOT NULL REFERENCES people (id),
    business_area_id BLOB NOT NULL REFERENCES business_areas (id),
    enrolled_at      TEXT NOT NULL,
    acknowledged_at  TEXT NULL,
    reminded_at      TEXT NULL,
    PRIMARY KEY (campaign_id, person_id)
);
CREATE INDEX policy_acknowledgements_area ON policy_acknowledgements (campaign_id, business_area_id);
CREATE INDEX policy_acknowledgements_person ON policy_acknowledgements (person_id);

CREATE TABLE training_sessions (
    id          BLOB PRIMARY KEY,
    held_on     TEXT NOT NULL,
    topic       TEXT NOT NULL CHECK (length(topic) > 0),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (held_on, topic)
);

CREATE TABLE training_attendance (
    session_id  BLOB NOT NULL REFERENCES training_sessions (id),
    person_id   BLOB NOT NULL REFERENCES people (id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX training_attendance_person ON training_attendance (person_id);
