-- Each review of a finding, kept (WP034 4.10: reasonable use is judged case by case with four
-- considerations): who reviewed it, when, the status and outcome they gave, their reasons and
-- the considerations of 4.10 they ticked as weighed (a JSON array of their names, in 4.10's
-- order). The finding itself keeps its latest status; this is its history. Reviews made
-- before this table existed stay in the audit log only.
CREATE TABLE finding_reviews (
    id              BLOB PRIMARY KEY,
    finding_id      BLOB NOT NULL REFERENCES findings (id),
    reviewer_id     BLOB NOT NULL REFERENCES people (id),
    status          TEXT NOT NULL CHECK (status IN ('under_review', 'closed')),
    outcome         TEXT NULL CHECK (outcome IS NULL OR outcome IN ('no_action', 'advice_given', 'referred_to_psd', 'false_positive')),
    reasons         TEXT NULL,
    considerations  TEXT NOT NULL,
    reviewed_at     TEXT NOT NULL
);
CREATE INDEX finding_reviews_finding ON finding_reviews (finding_id, reviewed_at);
