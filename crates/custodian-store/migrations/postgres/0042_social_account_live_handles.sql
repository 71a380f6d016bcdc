-- A handle is held only by a live account (WP034 6.6): a request Corporate Communications refused,
-- or one withdrawn, never became an account and no longer holds its platform and handle, so the
-- same handle may be asked for again, as a new request, while the earlier one keeps its real
-- handle (0027's register renamed it "<handle> (earlier request N)" instead).
--
-- * Two statuses are added: `refused` and `withdrawn` (a request that never became an account).
--   Rows 0027 recorded as `closed` with the reason the approval effect wrote and never active are
--   moved to them, and a handle renamed "<handle> (earlier request N)" gets its real handle back
--   (its `social_account.handle_released` audit event stays as the history of that rename).
-- * Platform and handle are unique among the rows that hold a handle: requested, active, dormant
--   and closed. A closed account keeps its handle: it was a real account, whose platform handle
--   the force still holds and whose log-in details and history the register keeps (6.6);
--   using the handle again means reopening that account, not a second register entry with a
--   second set of credentials for one platform account.
--
-- (SQLite rebuilds the table; PostgreSQL swaps the constraints.)
ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_platform_handle_key;
ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_status_check;
ALTER TABLE social_accounts ADD CONSTRAINT social_accounts_status_check
    CHECK (status IN ('requested', 'active', 'dormant', 'closed', 'refused', 'withdrawn'));

UPDATE social_accounts
SET handle = CASE WHEN strpos(handle, ' (earlier request ') > 1
                  THEN substr(handle, 1, strpos(handle, ' (earlier request ') - 1)
                  ELSE handle END,
    status = CASE WHEN closed_reason = 'request refused by Corporate Communications' THEN 'refused'
                  ELSE 'withdrawn' END
WHERE status = 'closed' AND active_since IS NULL
  AND closed_reason IN ('request refused by Corporate Communications', 'request withdrawn');

CREATE UNIQUE INDEX social_accounts_live_handle ON social_accounts (platform, handle)
    WHERE status NOT IN ('refused', 'withdrawn');
