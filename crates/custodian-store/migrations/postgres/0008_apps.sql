-- Approved apps (WP034 4.8, 6.5), second part: the link from each 4.8 finding to its device and
-- package, so a re-evaluation finds the findings a grant, an expiry or a later inventory
-- touches without reading their evidence; and the mark that a grant's expiry has been acted on
-- (the minute sweep re-evaluates an app once when one of its grants expires). Portable like
-- 0003; the PostgreSQL migration of the same name differs only in column types.

CREATE TABLE app_findings (
    finding_id  UUID PRIMARY KEY REFERENCES findings (id),
    device_id   UUID NOT NULL REFERENCES devices (id),
    package_id  TEXT NOT NULL,
    UNIQUE (device_id, package_id)
);
CREATE INDEX app_findings_package ON app_findings (package_id);

ALTER TABLE app_grants ADD COLUMN expiry_handled_at TIMESTAMPTZ NULL;
CREATE INDEX app_grants_expiry ON app_grants (expires_at);

-- The requester's business area when the request was made (its Head of Department decides
-- the first step, even if the requester moves area mid-request); and findings by rule.
ALTER TABLE app_requests ADD COLUMN business_area TEXT NULL;
CREATE INDEX findings_rule_status ON findings (rule, status);

-- The evaluation reads the installs of the few packages not approved for everyone by package;
-- with the device id in the index it never touches the table (0003's index was its prefix).
CREATE INDEX app_installs_package_device ON app_installs (package_id, device_id);
DROP INDEX app_installs_package;
