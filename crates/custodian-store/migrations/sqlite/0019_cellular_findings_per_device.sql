-- WP034 4.5: usage.cellular_data findings are keyed per person, device and Europe/London day
-- (usage::finding_key), no longer per person and day. Existing findings take the new key of the
-- device they name, so later imports for that device and day add to them instead of opening a
-- second finding. Old keys are 'usage.cellular_data:' (20) || person UUID (36) || ':' || YYYY-MM-DD,
-- 67 characters; the device UUID (stored as 16 bytes here) goes before the day.
UPDATE findings
SET dedupe_key = substr(dedupe_key, 1, 57)
    || lower(substr(hex(device_id), 1, 8) || '-' || substr(hex(device_id), 9, 4) || '-' || substr(hex(device_id), 13, 4)
        || '-' || substr(hex(device_id), 17, 4) || '-' || substr(hex(device_id), 21, 12))
    || ':' || substr(dedupe_key, 58)
WHERE rule = 'usage.cellular_data' AND person_id IS NOT NULL AND device_id IS NOT NULL AND length(dedupe_key) = 67;
