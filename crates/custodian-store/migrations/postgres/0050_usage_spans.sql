-- Where the deletion job looks for usage records past their retention (WP034 3.4; UK GDPR
-- storage limitation), without an index on every record. Each committed batch of a usage import
-- adds one span: the range of `seq` it stored and the earliest `start_us` among its records. The
-- deletion job reads only the spans whose earliest record is due, walks each one's `seq` range
-- (the `usage_records_seq` index), and narrows or removes the span as it deletes. Rows stored any
-- other way are found in the gaps between spans and given spans of their own by the job. Imports
-- running at once on several servers write spans that may overlap; a span is only where to look.
--
-- This replaces `usage_records_start` (0047), an index on (start_us, seq) that every imported
-- record had to be sorted into: it made a 1,000,000-row import 75% slower on SQLite.
CREATE TABLE usage_spans (
    first_seq    BIGINT PRIMARY KEY,
    last_seq     BIGINT NOT NULL,
    min_start_us BIGINT NOT NULL
);
INSERT INTO usage_spans (first_seq, last_seq, min_start_us)
SELECT MIN(seq), MAX(seq), MIN(start_us) FROM usage_records HAVING COUNT(*) > 0;
DROP INDEX IF EXISTS usage_records_start;
