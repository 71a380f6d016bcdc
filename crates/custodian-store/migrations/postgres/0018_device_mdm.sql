-- WP034 4.7 device integrity from MDM exports (Intune, Android Management API).
--
-- 1. Findings may be closed by the system with the outcome 'resolved' when a later export shows
--    the device no longer breaks the rule (no reviewer; the reasons say which export); 0017's
--    'reattributed' stays allowed. The column's CHECK (named by PostgreSQL findings_outcome_check in 0001) is replaced.
ALTER TABLE findings DROP CONSTRAINT findings_outcome_check;
ALTER TABLE findings ADD CONSTRAINT findings_outcome_check
    CHECK (outcome IS NULL OR outcome IN ('no_action', 'advice_given', 'referred_to_psd', 'false_positive', 'reattributed', 'resolved'));

-- 2. The latest state an MDM reported for each device. `as_of` is when Custodian first saw this
--    state (a re-import of the same state changes nothing); `last_sync` is the MDM's own time.
CREATE TABLE device_mdm (
    device_id         UUID PRIMARY KEY REFERENCES devices (id),
    source            TEXT NOT NULL CHECK (source IN ('intune', 'amapi')),
    mdm_ref           TEXT NOT NULL,
    compliance        TEXT NULL,
    jailbroken        BOOLEAN NULL,
    encrypted         BOOLEAN NULL,
    management_state  TEXT NULL,
    posture           TEXT NULL,
    noncompliance     TEXT NOT NULL,
    last_sync         TIMESTAMPTZ NULL,
    as_of             TIMESTAMPTZ NOT NULL,
    file_sha256       TEXT NOT NULL
);
CREATE INDEX device_mdm_ref ON device_mdm (mdm_ref);
