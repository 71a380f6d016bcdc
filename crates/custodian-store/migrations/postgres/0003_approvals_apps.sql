-- Approval chains, in-app notifications, and approved apps (WP034 4.8, 6.5). Portable like 0001:
-- UUIDv7 keys made by the application, text with CHECK instead of enum types, no triggers or
-- stored procedures, timestamps written by the application. The PostgreSQL migration of the same
-- name differs only in column types (UUID, TIMESTAMPTZ).

-- An approval request of any feature (`kind`: app, overseas_use, social_post...), about one
-- subject (`app_request:<id>`), following a chain fixed when it was made.
CREATE TABLE approval_requests (
    id            UUID PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    link          TEXT NOT NULL,
    requester_id  UUID NOT NULL REFERENCES people (id),
    chain_order   TEXT NOT NULL CHECK (chain_order IN ('sequential', 'all_of')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    revision      BIGINT NOT NULL CHECK (revision >= 0),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    closed_at     TIMESTAMPTZ NULL
);
CREATE INDEX approval_requests_requester ON approval_requests (requester_id, created_at);
CREATE INDEX approval_requests_status ON approval_requests (status, created_at);

-- The steps of a request, each with the clause it enforces and its decider resolved when the
-- request was made: a named person (their deputy may act for them) or a role.
CREATE TABLE approval_steps (
    request_id           UUID NOT NULL REFERENCES approval_requests (id),
    position             BIGINT NOT NULL CHECK (position >= 0),
    step_key             TEXT NOT NULL,
    clause               TEXT NOT NULL,
    decider_person_id    UUID NULL REFERENCES people (id),
    decider_role         TEXT NULL CHECK (decider_role IS NULL OR decider_role IN ('digital_services', 'corporate_comms',
                             'psd', 'dmi', 'vetting', 'head_of_department', 'sio', 'resolution_centre', 'auditor', 'admin')),
    sla_days             BIGINT NOT NULL CHECK (sla_days >= 0),
    status               TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected')),
    opened_at            TIMESTAMPTZ NULL,
    due_at               TIMESTAMPTZ NULL,
    decided_by           UUID NULL REFERENCES people (id),
    on_behalf_of         UUID NULL REFERENCES people (id),
    decided_at           TIMESTAMPTZ NULL,
    reasons              TEXT NULL,
    overdue_notified_at  TIMESTAMPTZ NULL,
    PRIMARY KEY (request_id, position),
    UNIQUE (request_id, step_key),
    CHECK ((decider_person_id IS NULL) <> (decider_role IS NULL)),
    CHECK ((status IN ('approved', 'rejected')) = (decided_by IS NOT NULL))
);
CREATE INDEX approval_steps_person ON approval_steps (decider_person_id, status);
CREATE INDEX approval_steps_role ON approval_steps (decider_role, status);

-- The timeline of a request: every request, decision, withdrawal, restart and overdue flag.
CREATE TABLE approval_events (
    id            UUID PRIMARY KEY,
    request_id    UUID NOT NULL REFERENCES approval_requests (id),
    revision      BIGINT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    actor_id      UUID NULL REFERENCES people (id),
    event         TEXT NOT NULL CHECK (event IN ('requested', 'approved', 'rejected', 'withdrawn', 'restarted', 'overdue')),
    step_key      TEXT NULL,
    clause        TEXT NULL,
    on_behalf_of  UUID NULL REFERENCES people (id),
    reasons       TEXT NULL
);
CREATE INDEX approval_events_request ON approval_events (request_id, at);

-- A deputy named by a person for a period (WP034 4.8: a Head of Department's absences).
CREATE TABLE approval_delegations (
    id          UUID PRIMARY KEY,
    person_id   UUID NOT NULL REFERENCES people (id),
    deputy_id   UUID NOT NULL REFERENCES people (id),
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TIMESTAMPTZ NULL,
    CHECK (person_id <> deputy_id)
);
CREATE INDEX approval_delegations_deputy ON approval_delegations (deputy_id);
CREATE INDEX approval_delegations_person ON approval_delegations (person_id);

-- In-app notifications, one row per person told.
CREATE TABLE notifications (
    id          UUID PRIMARY KEY,
    person_id   UUID NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT NULL,
    subject     TEXT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ NULL
);
CREATE INDEX notifications_person ON notifications (person_id, created_at);

-- The app catalogue (WP034 4.8), kept by Digital Services. `listed` apps are in the catalogue;
-- an app first named in a request is recorded unlisted with its store link until approved.
CREATE TABLE apps (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    platform    TEXT NOT NULL CHECK (platform IN ('android', 'ios', 'windows')),
    package_id  TEXT NOT NULL,
    publisher   TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('messaging', 'social', 'productivity', 'navigation', 'camera_evidence', 'other')),
    store_url   TEXT NULL,
    listed      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, package_id)
);
CREATE INDEX apps_package ON apps (package_id);

-- Who may have an app: everyone, a role, a business area or a named person, optionally until
-- an expiry. A grant made by an approved request names it.
CREATE TABLE app_grants (
    id                 UUID PRIMARY KEY,
    app_id             UUID NOT NULL REFERENCES apps (id),
    scope              TEXT NOT NULL CHECK (scope IN ('all', 'role', 'area', 'person')),
    role               TEXT NULL,
    business_area      TEXT NULL,
    person_id          UUID NULL REFERENCES people (id),
    expires_at         TIMESTAMPTZ NULL,
    request_id         UUID NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    created_by         TEXT NOT NULL,
    revoked_at         TIMESTAMPTZ NULL,
    CHECK ((scope = 'role') = (role IS NOT NULL)),
    CHECK ((scope = 'area') = (business_area IS NOT NULL)),
    CHECK ((scope = 'person') = (person_id IS NOT NULL))
);
CREATE INDEX app_grants_app ON app_grants (app_id);

-- What the MDM last saw installed on each device: one row per device and package, replaced by
-- each later inventory of that device.
CREATE TABLE app_installs (
    device_id    UUID NOT NULL REFERENCES devices (id),
    package_id   TEXT NOT NULL,
    app_name     TEXT NULL,
    version      TEXT NULL,
    seen_at      TIMESTAMPTZ NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, package_id)
);
CREATE INDEX app_installs_package ON app_installs (package_id);

-- A request for an unlisted app (WP034 4.8 a-b): the app, the devices, the business need; the
-- approval request carries the route (Head of Department, then Digital Services).
CREATE TABLE app_requests (
    id             UUID PRIMARY KEY,
    approval_id    UUID NOT NULL UNIQUE REFERENCES approval_requests (id),
    requester_id   UUID NOT NULL REFERENCES people (id),
    app_id         UUID NOT NULL REFERENCES apps (id),
    device_ids     TEXT NOT NULL,
    business_need  TEXT NOT NULL,
    grant_id       UUID NULL REFERENCES app_grants (id),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX app_requests_requester ON app_requests (requester_id);
