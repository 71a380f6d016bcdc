-- Acknowledgement campaigns (WP034 2.3) scoped by role as well as by business area, and the
-- completion chart's index. PostgreSQL dialect of the SQLite migration of the same name.
--
-- A campaign's scope: every active person, or those in its chosen business areas
-- (policy_campaign_areas), or those holding one of its chosen roles (this table); when both are
-- chosen, a person must match both.
CREATE TABLE policy_campaign_roles (
    campaign_id  UUID NOT NULL REFERENCES policy_campaigns (id),
    role         TEXT NOT NULL CHECK (role IN ('digital_services', 'corporate_comms', 'psd', 'dmi', 'vetting',
                     'head_of_department', 'sio', 'resolution_centre', 'auditor', 'admin', 'data_protection_officer')),
    PRIMARY KEY (campaign_id, role)
);

-- The completion chart counts a campaign's rows per business area and how many are
-- acknowledged: with acknowledged_at in the index the count reads the index alone, never the
-- table (the index on (campaign_id, business_area_id) it replaces made SQLite fetch every row).
CREATE INDEX policy_acknowledgements_completion
    ON policy_acknowledgements (campaign_id, business_area_id, acknowledged_at);
DROP INDEX policy_acknowledgements_area;
