-- WP034 4.7 device integrity from MDM exports (Intune, Android Management API). The findings'
-- outcome `resolved` was allowed by 0017 (one rebuild of the findings table for both outcomes).
--
-- The latest state an MDM reported for each device. `as_of` is when Custodian first saw this
-- state (a re-import of the same state changes nothing); `last_sync` is the MDM's own time.
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
