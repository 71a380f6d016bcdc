-- WP034 4.5: usage.cellular_data findings are keyed per person, device and Europe/London day
-- (usage::finding_key), no longer per person and day. Existing findings take the new key of the
-- device they name, so later imports for that device and day add to them instead of opening a
-- second finding. Old keys are 'usage.cellular_data:' (20) || person UUID (36) || ':' || YYYY-MM-DD,
-- 67 characters; the device UUID goes before the day.
UPDATE findings
SET dedupe_key = left(dedupe_key, 57) || device_id::text || ':' || substr(dedupe_key, 58)
WHERE rule = 'usage.cellular_data' AND person_id IS NOT NULL AND device_id IS NOT NULL AND length(dedupe_key) = 67;
