-- Separation of duties on posts (WP034 6.3, 6.4): whoever wrote or edited the words being
-- approved, or overrode their screening warnings, may not approve them.
--
-- post_versions records who saved each version of a post (the author saves version 1, every
-- later save is one more version by whoever made it). Existing posts are filled in from their
-- record: version 1 by the author, each later edit by the person named on its step (an edit
-- made through an API token is not named there and stays unrecorded).
CREATE TABLE post_versions (
    post_id    UUID NOT NULL REFERENCES posts (id),
    version    BIGINT NOT NULL CHECK (version >= 1),
    editor_id  UUID NOT NULL REFERENCES people (id),
    saved_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, version)
);
CREATE INDEX post_versions_editor ON post_versions (editor_id, post_id);

INSERT INTO post_versions (post_id, version, editor_id, saved_at)
SELECT id, 1, author_id, created_at FROM posts;

INSERT INTO post_versions (post_id, version, editor_id, saved_at)
SELECT e.post_id, e.version, x.id, e.at
FROM (SELECT post_id, actor, at, 1 + ROW_NUMBER() OVER (PARTITION BY post_id ORDER BY audit_seq) AS version
      FROM post_steps WHERE step = 'edit') e
JOIN people x ON e.actor = 'person:' || x.staff_number;

-- The people an approval request's current revision may not be decided by, besides its
-- requester: for a post, everyone who wrote or edited the words and whoever overrode their
-- warnings. The feature replaces the list whenever the subject changes.
CREATE TABLE approval_exclusions (
    request_id  UUID NOT NULL REFERENCES approval_requests (id),
    person_id   UUID NOT NULL REFERENCES people (id),
    reason      TEXT NOT NULL,
    PRIMARY KEY (request_id, person_id)
);
