//! The register of social media accounts in the store (WP034 6.1, 6.4, 6.6, 6.7, 9.1): requests
//! on the approval chain, authorised users with their dates, the tasks the register's rules raise,
//! and the import. Each write commits with its audit events. The SQL is `sql.rs`.
//!
//! * A request opens an approval request of kind `social_account` with one step for Corporate
//!   Communications (6.6); its `EFFECT` makes the account active on approval and closes it on
//!   refusal or withdrawal.
//! * Authorisations are rows of `social_account_users` (migration 0026): ending one sets
//!   `authorised_to` and `ended_reason` and keeps the row. The people import ends those of
//!   leavers and movers in its own transaction ([`sql::end_for_people`]) and raises a
//!   `social.rotate_credentials` task on every account they could use (9.1).
//! * Tasks (`social_account_tasks`): one open task per account and rule; the re-certification,
//!   signposting and dormancy tasks close when their cause goes (re-certified, profile fixed, a
//!   post), the rotation task when Corporate Communications record the new log-in details.

use custodian_domain::imports::RowError;
use custodian_domain::posts::Platform;
use custodian_domain::social_accounts::{AccountRow, AccountStatus, RegisterParams};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::row::Flag;
use crate::{Result, Store, Write};

/// An account in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RegisterAccount {
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub platform: Platform,
    pub handle: String,
    pub url: String,
    pub owning_team: String,
    pub team_manager_id: Option<Uuid>,
    pub team_manager_name: Option<String>,
    pub team_manager_staff_number: Option<String>,
    /// A corporate channel (6.8); otherwise departmental.
    #[sqlx(try_from = "Flag")]
    pub corporate: bool,
    /// Corporate Communications approve every post (6.4).
    #[sqlx(try_from = "Flag")]
    pub comms_approval: bool,
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    pub purpose: String,
    pub audience: String,
    pub profile: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_post_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub recertified_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub active_since: Option<OffsetDateTime>,
    pub approval_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub closed_reason: Option<String>,
    /// Open tasks on the account.
    pub open_tasks: i64,
}

impl RegisterAccount {
    /// When the list of authorised users was last certified, or the account set up.
    pub fn certified_since(&self) -> OffsetDateTime {
        self.recertified_at.or(self.active_since).unwrap_or(self.created_at)
    }
    /// The last post, or when the account was set up.
    pub fn posted_since(&self) -> OffsetDateTime {
        self.last_post_at.or(self.active_since).unwrap_or(self.created_at)
    }
}

/// One authorisation of a person to use an account (WP034 6.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuthorisedUser {
    pub id: Uuid,
    pub account_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub staff_number: String,
    pub business_area: String,
    #[serde(with = "time::serde::rfc3339")]
    pub authorised_from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub authorised_to: Option<OffsetDateTime>,
    pub authorised_by: String,
    /// left, moved, removed or account_closed.
    pub ended_reason: Option<String>,
    pub ended_by: Option<String>,
}

/// A task a register rule raised on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AccountTask {
    pub id: Uuid,
    pub account_id: Uuid,
    pub rule: String,
    pub clause: String,
    /// team_manager, corporate_comms or both.
    pub assignee: String,
    pub summary: String,
    /// open or done.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    pub done_by: Option<String>,
    pub outcome: Option<String>,
}

/// An account with its authorised users (current and past), its tasks (open first) and the
/// earlier requests for its handle.
#[derive(Debug, Clone, Serialize)]
pub struct AccountDetail {
    pub account: RegisterAccount,
    pub users: Vec<AuthorisedUser>,
    pub tasks: Vec<AccountTask>,
    /// Earlier requests for the same platform and handle that were refused or withdrawn, newest
    /// first (they hold no handle; migration 0042).
    pub earlier_requests: Vec<RegisterAccount>,
}

/// What a team manager asks for (WP034 6.4, 6.6).
#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub platform: Platform,
    pub handle: String,
    pub purpose: String,
    pub audience: String,
    pub owning_team: String,
    pub team_manager: Uuid,
    pub corporate: bool,
}

/// An account Corporate Communications set up themselves, without a team's request (WP034 6.6:
/// they approve and set up every departmental account; the team manager is still named).
#[derive(Debug, Clone)]
pub struct SetUp {
    pub platform: Platform,
    pub handle: String,
    pub owning_team: String,
    pub team_manager: Uuid,
    /// Corporate Communications approve every post (6.4).
    pub comms_approval: bool,
    /// A corporate channel (6.8); otherwise departmental.
    pub corporate: bool,
    pub url: String,
    pub profile: String,
}

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub status: Option<AccountStatus>,
    pub platform: Option<Platform>,
    /// Exactly this owning team.
    pub team: Option<String>,
    /// Only accounts this person manages or is authorised to use, or whose team is `team_of`.
    pub visible_to: Option<Uuid>,
    pub team_of: Option<String>,
    /// Only accounts with an open task.
    pub with_tasks: bool,
}

/// What an accounts import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountImportSummary {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub users_added: usize,
    pub users_ended: usize,
}

/// What a sweep of the register raised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    pub recertification_overdue: usize,
    pub dormant: usize,
}

impl Store {
    /// Request an account: the account (requested), its audit event and its approval request to
    /// Corporate Communications, in one transaction. Returns the account's and the request's ids.
    pub async fn social_request(&self, r: &AccountRequest, w: Write<'_>) -> Result<(Uuid, Uuid)> {
        on_write!(self, social_accounts::request(r, w))
    }

    /// Corporate Communications set up an account directly (WP034 6.6): active at once, with its
    /// team manager, audited as `social_account.set_up`, its profile's signposting checked (6.7).
    pub async fn social_set_up(&self, s: &SetUp, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, social_accounts::set_up(s, w))
    }

    pub async fn social_accounts(&self, f: &AccountFilter) -> Result<Vec<RegisterAccount>> {
        on_read!(self, social_accounts::list(f))
    }

    pub async fn social_account(&self, id: Uuid) -> Result<Option<AccountDetail>> {
        on_read!(self, social_accounts::detail(id))
    }

    /// Authorise a person to use an account (WP034 6.7).
    pub async fn social_authorise(&self, account: Uuid, person: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::authorise(account, person, w))
    }

    /// End one authorisation (removed from the list); the account's log-in details are then due
    /// for a change (WP034 9.1).
    pub async fn social_deauthorise(&self, account: Uuid, authorisation: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::deauthorise(account, authorisation, w))
    }

    /// The team manager certifies the list of authorised users as accurate (WP034 6.7).
    pub async fn social_recertify(&self, account: Uuid, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::recertify(account, w))
    }

    /// Change the profile text and address; the signposting is checked (WP034 6.7).
    pub async fn social_update_profile(&self, account: Uuid, profile: &str, url: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::update_profile(account, profile, url, w))
    }

    /// Record a post made on the account (outside Custodian's publisher), reviving it (WP034 6.1).
    pub async fn social_record_post(&self, account: Uuid, at: OffsetDateTime, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::record_post(account, at, w))
    }

    /// Close an account: its authorisations end and its tasks close; its history stays.
    pub async fn social_close(&self, account: Uuid, reason: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::close(account, reason, w))
    }

    /// Corporate Communications record that the log-in details were changed (WP034 9.1).
    pub async fn social_task_done(&self, account: Uuid, task: Uuid, outcome: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, social_accounts::task_done(account, task, outcome, w))
    }

    /// Raise the re-certification and dormancy tasks that are due (WP034 6.1, 6.7).
    pub async fn social_sweep(&self, params: RegisterParams, w: Write<'_>) -> Result<SweepSummary> {
        on_write!(self, social_accounts::sweep(params, w))
    }

    /// Import accounts (create or update by platform and handle; the file's list of authorised
    /// users is the account's list), all or nothing. The inner `Err` names each line and field
    /// the register refuses.
    pub async fn social_import(
        &self,
        rows: &[AccountRow],
        w: Write<'_>,
    ) -> Result<std::result::Result<AccountImportSummary, Vec<RowError>>> {
        on_write!(self, social_accounts::import(rows, w))
    }
}
