//! Social media posts in the store (WP034 6.3-6.8): accounts, the SIO of each operation or
//! reference, posts with their screening, approvals and signed steps, major incidents and the
//! pause they put on departmental publishing. Each write commits with its audit event.

use std::future::Future;

use custodian_domain::posts::{Approval, Attachment, Gate, Platform, PostState};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::row::{Flag, JsonText};
use crate::{Result, Store, Write};

/// A social media account at its simplest (WP034 6.6, 6.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Account {
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub platform: Platform,
    pub handle: String,
    pub owning_team: String,
    /// Corporate Communications approve every post (WP034 6.4).
    #[sqlx(try_from = "Flag")]
    pub comms_approval: bool,
    /// A corporate channel: keeps publishing in a major incident (WP034 6.8).
    #[sqlx(try_from = "Flag")]
    pub corporate: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

/// The SIO recorded for an operation or a crime/incident reference (WP034 6.3e).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InvestigationSio {
    pub id: Uuid,
    /// "operation" or "reference".
    pub kind: String,
    /// Normalised for lookup (see `custodian_domain::posts::investigation_key`).
    pub key: String,
    /// As entered.
    pub label: String,
    pub sio_id: Uuid,
    #[sqlx(rename = "name")]
    pub sio_name: String,
    #[sqlx(rename = "staff_number")]
    pub sio_staff_number: String,
}

/// The screening of one version of a post, done by the caller with the current pack.
#[derive(Debug, Clone)]
pub struct Screened {
    pub pack_version: String,
    /// block, needs_approval, warn or clear.
    pub verdict: String,
    /// The findings as JSON (category, clause, severity, start, end, match, explanation).
    pub findings: serde_json::Value,
    pub gate: Gate,
}

/// A post's account as `POST_SELECT` names its columns (`account_id`, `a_created_at`, ...).
#[derive(sqlx::FromRow)]
pub(crate) struct PostAccountColumns {
    account_id: Uuid,
    #[sqlx(try_from = "String")]
    platform: Platform,
    handle: String,
    owning_team: String,
    #[sqlx(try_from = "Flag")]
    comms_approval: bool,
    #[sqlx(try_from = "Flag")]
    corporate: bool,
    a_created_at: OffsetDateTime,
    a_created_by: String,
}

impl From<PostAccountColumns> for Account {
    fn from(c: PostAccountColumns) -> Self {
        Account {
            id: c.account_id,
            platform: c.platform,
            handle: c.handle,
            owning_team: c.owning_team,
            comms_approval: c.comms_approval,
            corporate: c.corporate,
            created_at: c.a_created_at,
            created_by: c.a_created_by,
        }
    }
}

/// A post's screening gate: the counts and flags stored with it.
#[derive(sqlx::FromRow)]
pub(crate) struct GateColumns {
    #[sqlx(try_from = "i64")]
    blocks: u32,
    #[sqlx(try_from = "i64")]
    warnings: u32,
    #[sqlx(try_from = "Flag")]
    investigation: bool,
    #[sqlx(try_from = "Flag")]
    comms_found: bool,
}

impl From<GateColumns> for Gate {
    fn from(c: GateColumns) -> Self {
        Gate { blocks: c.blocks, warnings: c.warnings, investigation: c.investigation, comms: c.comms_found }
    }
}

/// Whether a post's current version is the one whose warnings were overridden.
#[derive(sqlx::FromRow)]
pub(crate) struct OverrideColumns {
    version: i64,
    override_version: Option<i64>,
}

impl From<OverrideColumns> for bool {
    fn from(c: OverrideColumns) -> Self {
        c.override_version == Some(c.version)
    }
}

/// A new post or a new version of one.
#[derive(Debug, Clone)]
pub struct PostInput {
    pub account_id: Uuid,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub scheduled_for: Option<OffsetDateTime>,
    pub screened: Screened,
}

/// A post with its account, screening and approvals.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Post {
    pub id: Uuid,
    #[sqlx(flatten, try_from = "PostAccountColumns")]
    pub account: Account,
    pub author_id: Uuid,
    pub author_name: String,
    #[sqlx(rename = "author_sn")]
    pub author_staff_number: String,
    pub body: String,
    #[sqlx(try_from = "JsonText<Vec<Attachment>>")]
    pub attachments: Vec<Attachment>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub scheduled_for: Option<OffsetDateTime>,
    #[sqlx(try_from = "String")]
    pub state: PostState,
    pub version: i64,
    pub pack_version: String,
    pub verdict: String,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub findings: serde_json::Value,
    #[sqlx(flatten, try_from = "GateColumns")]
    pub gate: Gate,
    #[sqlx(try_from = "Flag")]
    pub needs_sio: bool,
    /// The SIO recorded for the investigation named, if known; otherwise any SIO may approve.
    pub sio_id: Option<Uuid>,
    pub sio_name: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub needs_comms: bool,
    /// Held by a major incident: Corporate Communications must approve again.
    #[sqlx(try_from = "Flag")]
    pub reapproval: bool,
    /// Who approved each step of the post's current approval request (name and staff number).
    #[sqlx(rename = "sio_by")]
    pub sio_approved_by: Option<String>,
    #[sqlx(rename = "comms_by")]
    pub comms_approved_by: Option<String>,
    /// The approval request (on the shared chain) the post's current route follows.
    pub approval_id: Option<Uuid>,
    pub override_reason: Option<String>,
    #[sqlx(rename = "override_name")]
    pub override_by: Option<String>,
    /// Whether the warnings of this version are overridden.
    #[sqlx(flatten, try_from = "OverrideColumns")]
    pub overridden: bool,
    /// Who saved each version, oldest first: the author wrote version 1 (WP034 6.3: whoever
    /// wrote or edited the words may not approve them).
    #[sqlx(skip)]
    pub editors: Vec<PostEditor>,
    pub publish_attempts: i64,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub published_ref: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Who saved one version of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostEditor {
    pub version: i64,
    #[sqlx(rename = "editor_id")]
    pub person_id: Uuid,
    pub name: String,
    pub staff_number: String,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
}

/// One step of a post's record, with its clause and audit event.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PostStep {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub step: String,
    pub clause: String,
    #[sqlx(try_from = "JsonText<serde_json::Value>")]
    pub detail: serde_json::Value,
    pub audit_seq: i64,
}

/// A major incident (WP034 6.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Incident {
    pub id: Uuid,
    pub name: String,
    pub reason: String,
    pub guidance: String,
    #[serde(with = "time::serde::rfc3339")]
    pub declared_at: OffsetDateTime,
    pub declared_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
}

/// Which posts to list.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Only posts this person wrote or edited, or that were submitted for an account of this
    /// team (need to know: an unsubmitted draft is its writers' own).
    pub visible_to: Option<(Uuid, String)>,
    /// Every post except other people's unsubmitted drafts (approvers who are not Corporate
    /// Communications): the person's own and edited drafts stay listed.
    pub drafts_only_of: Option<Uuid>,
    pub state: Option<PostState>,
}

/// What happened to one post the publisher was asked to send.
#[derive(Debug, Clone, PartialEq)]
pub enum PublishOutcome {
    Published(Box<Post>),
    /// Not sent: paused by a major incident, or no longer scheduled.
    Skipped(String),
    /// The publisher refused; the attempt is recorded and retried.
    Failed(String),
}

impl Store {
    /// One account as posts see it (accounts are set up in the register: `social_set_up`,
    /// `social_request`, `social_import`).
    pub async fn posts_account(&self, id: Uuid) -> Result<Option<Account>> {
        on_read!(self, posts::account(id))
    }

    /// The accounts posts may go out from: active or dormant (requests, refused, withdrawn and
    /// closed accounts are in the register only).
    pub async fn posts_accounts(&self) -> Result<Vec<Account>> {
        on_read!(self, posts::accounts())
    }

    /// Record (or replace) the SIO of an operation or reference.
    pub async fn posts_set_sio(
        &self,
        kind: &str,
        label: &str,
        sio_staff_number: &str,
        w: Write<'_>,
    ) -> Result<InvestigationSio> {
        on_write!(self, posts::set_sio(kind, label, sio_staff_number, w))
    }

    pub async fn posts_sios(&self) -> Result<Vec<InvestigationSio>> {
        on_read!(self, posts::sios())
    }

    /// Save a post: a new draft when `id` is `None`, else a new version, which restarts
    /// approval (the post returns to draft, approvals and overrides are cleared).
    pub async fn posts_save(&self, id: Option<Uuid>, input: &PostInput, author: Uuid, w: Write<'_>) -> Result<Post> {
        on_write!(self, posts::save(id, input, author, w))
    }

    pub async fn posts_submit(&self, id: Uuid, w: Write<'_>) -> Result<Post> {
        on_write!(self, posts::submit(id, w))
    }

    /// Corporate Communications override the warnings of the current version, with a reason.
    pub async fn posts_override(&self, id: Uuid, reason: &str, w: Write<'_>) -> Result<Post> {
        on_write!(self, posts::override_chain(id, reason, w))
    }

    pub async fn posts_approve(&self, id: Uuid, kind: Approval, w: Write<'_>) -> Result<Post> {
        on_write!(self, posts::approve(id, kind, w))
    }

    /// An approver sends a post back to its author, with a reason: the step they decide is
    /// rejected on the approval chain (a held post, whose chain is complete, just returns).
    pub async fn posts_return(&self, id: Uuid, reason: &str, w: Write<'_>) -> Result<Post> {
        on_write!(self, posts::return_to_author(id, reason, w))
    }

    pub async fn posts_list(&self, f: &PostFilter) -> Result<Vec<Post>> {
        on_read!(self, posts::list(f))
    }

    pub async fn posts_get(&self, id: Uuid) -> Result<Option<Post>> {
        on_read!(self, posts::get(id))
    }

    pub async fn posts_steps(&self, id: Uuid) -> Result<Vec<PostStep>> {
        on_read!(self, posts::steps(id))
    }

    /// Scheduled posts due at `now`, oldest first.
    pub async fn posts_due(&self, now: OffsetDateTime) -> Result<Vec<Uuid>> {
        on_read!(self, posts::due(now))
    }

    /// Publish one scheduled post. In one transaction: read the pause (sharing its lock on
    /// PostgreSQL, so declaring an incident waits for this to finish), lock the post, check it
    /// is still scheduled and not paused, call `send`, and mark it published with its audit
    /// event. A failed send rolls back and is recorded as an attempt.
    pub async fn posts_publish<F, Fut>(&self, id: Uuid, w: Write<'_>, send: F) -> Result<PublishOutcome>
    where
        F: FnOnce(Post) -> Fut,
        Fut: Future<Output = std::result::Result<String, String>>,
    {
        on_write_once!(self, posts::publish(id, w, send))
    }

    /// Declare a major incident: every departmental account's scheduled posts are held at once.
    pub async fn posts_declare_incident(
        &self,
        name: &str,
        reason: &str,
        guidance: &str,
        w: Write<'_>,
    ) -> Result<(Incident, usize)> {
        on_write!(self, posts::declare_incident(name, reason, guidance, w))
    }

    /// End the incident in force, with a reason: held posts go back for approval.
    pub async fn posts_end_incident(&self, reason: &str, w: Write<'_>) -> Result<(Incident, usize)> {
        on_write!(self, posts::end_incident(reason, w))
    }

    pub async fn posts_active_incident(&self) -> Result<Option<Incident>> {
        on_read!(self, posts::active_incident())
    }

    pub async fn posts_incidents(&self) -> Result<Vec<Incident>> {
        on_read!(self, posts::incidents())
    }
}
