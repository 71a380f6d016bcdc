-- Lawful business monitoring (WP034 3.3, 5.1-5.5), PostgreSQL dialect of the SQLite migration of
-- the same name: rounds, their frozen populations and
-- exclusions, the verifiable draw, each selected person's case with its signed custody steps,
-- and the conduct assessment referrals cases open. Portable like 0001: UUIDv7 keys made by the
-- application, text with CHECK instead of enum types, no triggers or stored procedures, and
-- timestamps written by the application. Only the column types differ (UUID, TIMESTAMPTZ).

-- A round: its name, the commitment to PSD's secret, the deferral rule it publishes, and after
-- the draw the public beacon, the revealed secret, the seed and the selection with reserves
-- (JSON: {"selected": {area: [staff]}, "reserve": {area: [staff]}}).
CREATE TABLE monitoring_rounds (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'drawn')),
    commitment       TEXT NOT NULL CHECK (length(commitment) = 64),
    deferral_days    BIGINT NOT NULL CHECK (deferral_days >= 0),
    beacon           TEXT NULL,
    secret           TEXT NULL,
    seed             TEXT NULL,
    population_hash  TEXT NULL,
    draw_result      TEXT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    created_by       TEXT NOT NULL,
    drawn_at         TIMESTAMPTZ NULL,
    drawn_by         TEXT NULL,
    CHECK ((status = 'drawn') = (seed IS NOT NULL)),
    CHECK ((status = 'drawn') = (draw_result IS NOT NULL))
);
CREATE INDEX monitoring_rounds_created ON monitoring_rounds (created_at);

-- The business areas in scope and each one's sample size k.
CREATE TABLE monitoring_round_areas (
    round_id       UUID NOT NULL REFERENCES monitoring_rounds (id),
    business_area  TEXT NOT NULL,
    sample_size    BIGINT NOT NULL CHECK (sample_size >= 0),
    PRIMARY KEY (round_id, business_area)
);

-- The population frozen when the round is created: a copy of each person's staff number and
-- business area at that moment, so later changes to the register cannot change the draw.
-- An exclusion is recorded with its reason, time and author, and only before the draw.
CREATE TABLE monitoring_population (
    round_id         UUID NOT NULL REFERENCES monitoring_rounds (id),
    person_id        UUID NOT NULL REFERENCES people (id),
    staff_number     TEXT NOT NULL,
    business_area    TEXT NOT NULL,
    excluded_reason  TEXT NULL,
    excluded_at      TIMESTAMPTZ NULL,
    excluded_by      TEXT NULL,
    PRIMARY KEY (round_id, person_id),
    UNIQUE (round_id, staff_number),
    CHECK ((excluded_reason IS NULL) = (excluded_at IS NULL))
);

-- One case per person called: the selected, and any reserve called by a reasoned withdrawal.
CREATE TABLE monitoring_cases (
    id                UUID PRIMARY KEY,
    round_id          UUID NOT NULL REFERENCES monitoring_rounds (id),
    person_id         UUID NOT NULL REFERENCES people (id),
    staff_number      TEXT NOT NULL,
    business_area     TEXT NOT NULL,
    draw_rank         BIGINT NOT NULL CHECK (draw_rank >= 0),
    stage             TEXT NOT NULL CHECK (stage IN ('selected', 'consulted', 'mandated', 'handed_over',
                          'downloaded', 'examined', 'returned', 'withdrawn')),
    slot              TIMESTAMPTZ NULL,
    first_slot        TIMESTAMPTZ NULL,
    deferred          BIGINT NOT NULL CHECK (deferred IN (0, 1)),
    dmi_id            UUID NULL REFERENCES people (id),
    deadline          TIMESTAMPTZ NULL,
    devices           TEXT NOT NULL,
    handed_over_at    TIMESTAMPTZ NULL,
    failure_referred  BIGINT NOT NULL CHECK (failure_referred IN (0, 1)),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (round_id, person_id)
);
CREATE INDEX monitoring_cases_round ON monitoring_cases (round_id, business_area, draw_rank);
CREATE INDEX monitoring_cases_person ON monitoring_cases (person_id);
CREATE INDEX monitoring_cases_dmi ON monitoring_cases (dmi_id);
CREATE INDEX monitoring_cases_stage ON monitoring_cases (stage);

-- Every step on a case, signed by its actor (and, for a person or their API token, that
-- person's name and staff number): the audit event (by its sequence number in the
-- tamper-evident log) carries the same actor, time and details.
CREATE TABLE monitoring_case_steps (
    id         UUID PRIMARY KEY,
    case_id    UUID NOT NULL REFERENCES monitoring_cases (id),
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    signed_by  TEXT NULL,
    step       TEXT NOT NULL,
    clause     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    audit_seq  BIGINT NOT NULL
);
CREATE INDEX monitoring_case_steps_case ON monitoring_case_steps (case_id, at);

-- Conduct assessment referrals (WP034 5.5): at most one of each kind per case.
CREATE TABLE monitoring_referrals (
    id         UUID PRIMARY KEY,
    case_id    UUID NOT NULL REFERENCES monitoring_cases (id),
    kind       TEXT NOT NULL CHECK (kind IN ('failure_to_provide', 'concerns_identified')),
    clause     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    opened_at  TIMESTAMPTZ NOT NULL,
    opened_by  TEXT NOT NULL,
    UNIQUE (case_id, kind)
);
CREATE INDEX monitoring_referrals_opened ON monitoring_referrals (opened_at);
