-- Notifiable associations declarations (WP034 7.3, with 7.2). A person declares an online
-- association (platform, who or what group, the nature of the link, the Notifiable Associations
-- category), or that they have nothing to declare (the annual re-declaration). The Force Vetting
-- Unit assesses each declaration, and Professional Standards too where the category requires
-- (`psd_required`, copied from the policy pack when the declaration is made); the outcome and any
-- conditions are recorded once. Every view by an assessor is an audit event with its reason.
-- PostgreSQL dialect of the SQLite migration of the same name.
-- A campaign's kind: an acknowledgement of changed clauses (WP034 2.3) or the annual
-- re-declaration of notifiable associations (7.3), which a declaration or "nothing to declare"
-- completes.
ALTER TABLE policy_campaigns ADD COLUMN kind TEXT NOT NULL DEFAULT 'acknowledgement'
    CHECK (kind IN ('acknowledgement', 'declaration'));

CREATE TABLE association_declarations (
    id             UUID PRIMARY KEY,
    person_id      UUID NOT NULL REFERENCES people (id),
    kind           TEXT NOT NULL CHECK (kind IN ('association', 'nothing_to_declare')),
    platform       TEXT NULL,
    counterpart    TEXT NULL,
    nature         TEXT NULL,
    category       TEXT NULL,
    psd_required   BOOLEAN NOT NULL,
    campaign_id    UUID NULL REFERENCES policy_campaigns (id),
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'assessed')),
    outcome        TEXT NULL CHECK (outcome IN ('no_concern', 'conditions', 'vetting_review')),
    conditions     TEXT NULL,
    assessed_by_id UUID NULL REFERENCES people (id),
    assessed_by    TEXT NULL,
    assessed_at    TIMESTAMPTZ NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    CHECK (kind = 'nothing_to_declare' OR (platform IS NOT NULL AND counterpart IS NOT NULL
        AND nature IS NOT NULL AND category IS NOT NULL))
);
CREATE INDEX association_declarations_person ON association_declarations (person_id, created_at);
CREATE INDEX association_declarations_status ON association_declarations (status, created_at);
