//! The routing and workflow of public comments after triage, in the store (WP034 6.7, 6.8, 8.2).
//! The SQL is `workflow_sql.rs`; routing runs inside the intake's transaction, right after the
//! evidence snapshot, so every case, referral and queue entry points at kept evidence.
//!
//! * Every labelled comment alerts Corporate Communications (8.2).
//! * Wellbeing (8.2): the pack's labels (abuse of staff, threat, doxxing) on a comment that names
//!   a person of the register open a case for their line manager, due in the pack's working
//!   days; the line manager and the person are told. A person without a line manager gets no
//!   case: Corporate Communications are told so (audited `comment.wellbeing_unassigned`).
//! * Referral (8.2): hate strands and threats refer the comment to the Resolution Centre with
//!   the evidence snapshot; the Resolution Centre are told and record the outcome.
//! * Replies (6.7): questions, emergencies, crime reports and complaints join the account's
//!   reply queue with the service level and suggested replies the triage pack gave.
//! * Out of hours (6.8): emergencies, threats and doxxing received outside office hours go to
//!   the person on Corporate Communications' rota at that moment (notification and e-mail).
//! * Corporate Communications' advice and actions are recorded only against kept evidence: the
//!   snapshot is taken in the same transaction when there is none yet.

use custodian_domain::comments::{CommentAction, ReferralOutcome};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::comments::{Comment, Evidence};
use crate::{Result, Store, Write};

/// A wellbeing case (WP034 8.2) with the person it is for and the comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WellbeingCase {
    pub id: Uuid,
    pub comment_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub person_staff_number: String,
    /// The person's line manager now (who sees the case).
    pub line_manager_id: Option<Uuid>,
    pub matched: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub support: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub closed_by: Option<String>,
    pub body: String,
    pub account_handle: String,
    pub platform: String,
}

/// A Resolution Centre referral (WP034 8.2) with its comment's text and strands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Referral {
    pub id: Uuid,
    pub comment_id: Uuid,
    pub evidence_id: Uuid,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    pub outcome: Option<String>,
    pub crime_reference: Option<String>,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub body: String,
    pub author_name: String,
    pub account_handle: String,
    pub platform: String,
    /// The labels that referred it (hate strands, threat).
    #[sqlx(skip)]
    pub strands: Vec<String>,
}

/// Advice and an action Corporate Communications recorded on a comment (WP034 8.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ActionRecord {
    pub id: Uuid,
    pub comment_id: Uuid,
    pub evidence_id: Uuid,
    pub action: String,
    pub advice: String,
    #[serde(with = "time::serde::rfc3339")]
    pub acted_at: OffsetDateTime,
    pub acted_by: String,
}

/// A comment waiting in (or answered from) an owning team's reply queue (WP034 6.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReplyItem {
    pub id: Uuid,
    pub comment_id: Uuid,
    pub account_id: Uuid,
    pub account_handle: String,
    pub platform: String,
    pub owning_team: String,
    pub label: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// JSON array of the pack's suggested replies.
    pub suggested: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    pub sent_by: Option<String>,
    pub reply: Option<String>,
    pub body: String,
    pub author_name: String,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

impl ReplyItem {
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.status == "waiting" && self.due_at < now
    }

    pub fn suggestions(&self) -> Vec<String> {
        serde_json::from_str(&self.suggested).unwrap_or_default()
    }
}

/// One shift of Corporate Communications' out-of-hours rota (WP034 6.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RotaShift {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub staff_number: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub handover: String,
}

/// A new shift.
#[derive(Debug, Clone)]
pub struct NewShift {
    pub person: Uuid,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub handover: String,
}

/// Which reply queue entries to list.
#[derive(Debug, Clone, Default)]
pub struct ReplyFilter {
    /// Only accounts this person manages or is authorised to use (None: every account).
    pub person: Option<Uuid>,
    /// Waiting replies only.
    pub waiting: bool,
}

/// Referrals counted per month ("2026-12", UTC) and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrandCount {
    pub month: String,
    pub label: String,
    pub count: i64,
}

impl Store {
    /// The open and closed wellbeing cases of the people whose line manager is `manager` now.
    pub async fn wellbeing_cases(&self, manager: Uuid) -> Result<Vec<WellbeingCase>> {
        on_read!(self, comments_workflow::wellbeing_cases(manager))
    }

    pub async fn wellbeing_case(&self, id: Uuid) -> Result<Option<WellbeingCase>> {
        on_read!(self, comments_workflow::wellbeing_case(id))
    }

    /// Close a wellbeing case with the support given (audited `comment.wellbeing_closed`).
    pub async fn wellbeing_close(&self, id: Uuid, support: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, comments_workflow::wellbeing_close(id, support, w))
    }

    pub async fn referrals(&self) -> Result<Vec<Referral>> {
        on_read!(self, comments_workflow::referrals())
    }

    /// One referral with its comment and evidence snapshot.
    pub async fn referral(&self, id: Uuid) -> Result<Option<(Referral, Comment, Evidence)>> {
        on_read!(self, comments_workflow::referral(id))
    }

    /// Record the Resolution Centre's outcome (once; audited `comment.referral_decided`).
    pub async fn referral_decide(
        &self,
        id: Uuid,
        outcome: ReferralOutcome,
        crime_reference: Option<&str>,
        note: &str,
        w: Write<'_>,
    ) -> Result<()> {
        on_write!(self, comments_workflow::referral_decide(id, outcome, crime_reference, note, w))
    }

    /// Referrals per month and strand.
    pub async fn referral_counts(&self) -> Result<Vec<StrandCount>> {
        on_read!(self, comments_workflow::referral_counts())
    }

    /// Record Corporate Communications' advice and action on a comment, after its evidence:
    /// the snapshot is kept in the same transaction when there is none yet.
    pub async fn comment_act(
        &self,
        comment: Uuid,
        action: CommentAction,
        advice: &str,
        w: Write<'_>,
    ) -> Result<ActionRecord> {
        on_write!(self, comments_workflow::act(comment, action, advice, w))
    }

    pub async fn comment_actions(&self, comment: Uuid) -> Result<Vec<ActionRecord>> {
        on_read!(self, comments_workflow::actions_of(comment))
    }

    pub async fn replies(&self, f: &ReplyFilter) -> Result<Vec<ReplyItem>> {
        on_read!(self, comments_workflow::replies(f))
    }

    pub async fn reply(&self, id: Uuid) -> Result<Option<ReplyItem>> {
        on_read!(self, comments_workflow::reply(id))
    }

    /// Mark a reply sent (once; audited `comment.reply_sent`).
    pub async fn reply_mark_sent(&self, id: Uuid, reply: &str, w: Write<'_>) -> Result<()> {
        on_write!(self, comments_workflow::reply_mark_sent(id, reply, w))
    }

    /// Whether `person` is an account's team manager or one of its authorised users now.
    pub async fn works_account(&self, person: Uuid, account: Uuid) -> Result<bool> {
        on_read!(self, comments_workflow::works_account(person, account))
    }

    /// Shifts that end after `from`, earliest first.
    pub async fn rota(&self, from: OffsetDateTime) -> Result<Vec<RotaShift>> {
        on_read!(self, comments_workflow::rota(from))
    }

    /// Who is on call at `at`: the shift that started last among those running.
    pub async fn on_call(&self, at: OffsetDateTime) -> Result<Option<RotaShift>> {
        on_read!(self, comments_workflow::on_call(at))
    }

    /// Add a shift (the person must hold the Corporate Communications role; audited).
    pub async fn rota_add(&self, s: &NewShift, w: Write<'_>) -> Result<Uuid> {
        on_write!(self, comments_workflow::rota_add(s, w))
    }
}
