-- Two outcomes that Custodian itself gives, never a reviewer: `resolved` (WP034 4.7: a later MDM
-- export shows the device healthy again) and `reattributed` (WP034 4.1), when the
-- register's allocation history is corrected and the finding's records are attributed again.
-- (SQLite rebuilds the table; PostgreSQL swaps the constraint.)
ALTER TABLE findings DROP CONSTRAINT findings_outcome_check;
ALTER TABLE findings ADD CONSTRAINT findings_outcome_check
    CHECK (outcome IS NULL OR outcome IN ('no_action', 'advice_given', 'referred_to_psd', 'false_positive', 'reattributed', 'resolved'));
