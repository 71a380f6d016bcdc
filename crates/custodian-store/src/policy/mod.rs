//! The policy as a document with versions (WP034 10, 11): each version's cover fields, clauses
//! and document-history rows, its owner, approval body, adoption and next review dates. Reading
//! the published text is the domain's job (`custodian_domain::policy::text`); the store keeps
//! what was read, refuses a second, different text under a version number already used, and
//! writes an audit event with every change.

use custodian_domain::policy::Policy;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, Write};

/// One version of a policy.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PolicyVersion {
    pub id: Uuid,
    /// The force's reference, e.g. "WP034".
    pub reference: String,
    pub version: i64,
    /// draft, consultation, adopted, superseded or withdrawn.
    pub status: String,
    pub title: String,
    /// The business area that owns the policy (the cover's BUSINESS AREA).
    pub owner: String,
    pub directorate: String,
    /// Who approved or adopted it, where known.
    pub approval_body: Option<String>,
    /// YYYY-MM-DD.
    pub adopted_on: Option<String>,
    /// YYYY-MM-DD.
    pub next_review_on: String,
    pub sha256: String,
    pub based_on_id: Option<Uuid>,
    pub approval_request_id: Option<Uuid>,
    pub created_by_id: Option<Uuid>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One numbered clause of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PolicyClause {
    pub clause_id: String,
    pub position: i64,
    pub section_id: String,
    /// The clause's lead text.
    pub text: String,
    /// Its lettered items as a JSON array of {"id", "text"}.
    pub items: String,
}

/// One row of a version's document-history table, cells as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PolicyHistoryRow {
    pub position: i64,
    pub date_label: String,
    pub author: String,
    pub amendment: String,
    pub approval: Option<String>,
}

impl PolicyVersion {
    /// The next review date.
    pub fn next_review_date(&self) -> Option<time::Date> {
        custodian_domain::policy::text::iso_date(&self.next_review_on)
    }
}

/// A change to one clause of a draft: new words (lead text, items as a JSON array of {"id",
/// "text"}), or `text: None` to remove the clause.
#[derive(Debug, Clone)]
pub struct ClauseEdit {
    pub clause_id: String,
    pub text: Option<String>,
    pub items: String,
}

/// What adopting a version records.
#[derive(Debug, Clone)]
pub struct Adoption {
    /// The body that approved it, e.g. "Executive Board".
    pub approval_body: String,
    pub adopted_on: time::Date,
    pub next_review_on: time::Date,
    /// The history row's author / reviewer and its amendments and rationale.
    pub author: String,
    pub amendment: String,
    /// The acknowledgement campaign adoption starts (WP034 2.3), if any; its `version_id` is
    /// replaced by the adopted version's.
    pub campaign: Option<NewCampaign>,
}

/// A new acknowledgement campaign (WP034 2.3).
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub version_id: Uuid,
    pub title: String,
    /// The clauses to read (those the version changed).
    pub clauses: Vec<String>,
    /// The business areas it covers; empty for every active person.
    pub areas: Vec<Uuid>,
    /// The roles it covers (their holders); empty for every role. With areas as well, a person
    /// must be in one of the areas and hold one of the roles.
    pub roles: Vec<custodian_domain::people::Role>,
    pub due_on: time::Date,
}

/// An acknowledgement campaign.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: Uuid,
    pub version_id: Uuid,
    pub title: String,
    /// JSON array of clause ids.
    pub clauses: String,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub status: String,
    /// acknowledgement (WP034 2.3) or declaration (the annual re-declaration, 7.3).
    pub kind: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One business area's completion of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AreaCompletion {
    pub business_area: String,
    pub enrolled: i64,
    pub acknowledged: i64,
}

/// Someone who has not acknowledged an open campaign past its date, for their line manager.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OverdueAcknowledgement {
    pub campaign_id: Uuid,
    pub title: String,
    pub due_on: String,
    pub person_id: Uuid,
    pub name: String,
    pub staff_number: String,
}

/// One campaign a person is enrolled in.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PersonAcknowledgement {
    pub campaign_id: Uuid,
    pub title: String,
    pub clauses: String,
    pub due_on: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// A training session a person attended (WP034 2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TrainingRecord {
    /// YYYY-MM-DD.
    pub held_on: String,
    pub topic: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub enum PolicyImport {
    /// The text was new and is now the version in force.
    Imported(PolicyVersion),
    /// The same text was imported before; nothing was written.
    Unchanged(PolicyVersion),
}

impl PolicyImport {
    /// The version, new or already there.
    pub fn version(&self) -> &PolicyVersion {
        match self {
            PolicyImport::Imported(v) | PolicyImport::Unchanged(v) => v,
        }
    }
}

/// The SHA-256 of a policy's content (its JSON form), which tells a re-import of the same text
/// from a different text under the same version number.
pub fn policy_sha256(policy: &Policy) -> String {
    let json = serde_json::to_string(policy).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

impl Store {
    /// Record a published version of a policy (read from its text) as the version in force,
    /// superseding the one before; the same text again changes nothing; a different text under
    /// a version number already used, or an older version than the one in force, is refused.
    pub async fn policy_import(
        &self,
        policy: &Policy,
        approval_body: Option<&str>,
        w: Write<'_>,
    ) -> Result<PolicyImport> {
        on_write!(self, policy::import(policy, approval_body, w))
    }
    /// The adopted version of the policy with this reference, if one has been recorded.
    pub async fn policy_in_force(&self, reference: &str) -> Result<Option<PolicyVersion>> {
        on_read!(self, policy::in_force(reference))
    }
    /// Every version of the policy, newest first.
    pub async fn policy_versions(&self, reference: &str) -> Result<Vec<PolicyVersion>> {
        on_read!(self, policy::versions(reference))
    }
    /// One version by id.
    pub async fn policy_version(&self, id: Uuid) -> Result<Option<PolicyVersion>> {
        on_read!(self, policy::version(id))
    }
    /// A version's clauses in document order.
    pub async fn policy_clauses(&self, version_id: Uuid) -> Result<Vec<PolicyClause>> {
        on_read!(self, policy::clauses(version_id))
    }
    /// Draft the next version from the one in force (one draft at a time).
    pub async fn policy_draft(&self, reference: &str, w: Write<'_>) -> Result<PolicyVersion> {
        on_write!(self, policy::draft(reference, w))
    }
    /// Change, add or remove one clause of a draft.
    pub async fn policy_edit_clause(&self, version_id: Uuid, edit: &ClauseEdit, w: Write<'_>) -> Result<()> {
        on_write!(self, policy::edit_clause(version_id, edit, w))
    }
    /// Send a draft to consultation on the approval chain (WP034 10.2).
    pub async fn policy_consult(&self, version_id: Uuid, requester: Uuid, w: Write<'_>) -> Result<PolicyVersion> {
        on_write!(self, policy::consult(version_id, requester, w))
    }
    /// Adopt a consulted version: it comes into force and the one before is superseded.
    pub async fn policy_adopt(&self, version_id: Uuid, adoption: &Adoption, w: Write<'_>) -> Result<PolicyVersion> {
        on_write!(self, policy::adopt(version_id, adoption, w))
    }
    /// Start an acknowledgement campaign and enrol everyone in its scope (set-based); returns
    /// the campaign and how many were enrolled.
    pub async fn policy_campaign_create(&self, c: &NewCampaign, w: Write<'_>) -> Result<(Campaign, u64)> {
        on_write!(self, policy_campaigns::create(c, w))
    }
    /// Enrol new starters (and people moved into scope) in every open campaign.
    pub async fn policy_campaigns_enrol_new(&self, w: Write<'_>) -> Result<u64> {
        on_write!(self, policy_campaigns::enrol_new_starters(w))
    }
    /// Acknowledge a campaign; `false` if already acknowledged.
    pub async fn policy_acknowledge(&self, campaign: Uuid, person: Uuid, w: Write<'_>) -> Result<bool> {
        on_write!(self, policy_campaigns::acknowledge(campaign, person, w))
    }
    /// A campaign's completion per business area (one GROUP BY).
    pub async fn policy_campaign_completion(&self, campaign: Uuid) -> Result<Vec<AreaCompletion>> {
        on_read!(self, policy_campaigns::completion(campaign))
    }
    /// The overdue acknowledgements of a line manager's people.
    pub async fn policy_overdue_for_manager(
        &self,
        manager: Uuid,
        today: time::Date,
    ) -> Result<Vec<OverdueAcknowledgement>> {
        on_read!(self, policy_campaigns::overdue_for_manager(manager, today))
    }
    /// A person's campaigns.
    pub async fn policy_acknowledgements_of(&self, person: Uuid) -> Result<Vec<PersonAcknowledgement>> {
        on_read!(self, policy_campaigns::of_person(person))
    }
    /// One campaign.
    pub async fn policy_campaign(&self, id: Uuid) -> Result<Option<Campaign>> {
        on_read!(self, policy_campaigns::campaign(id))
    }
    /// Every campaign, newest first.
    pub async fn policy_campaigns(&self) -> Result<Vec<Campaign>> {
        on_read!(self, policy_campaigns::campaigns())
    }
    /// Remind up to `limit` people who have not acknowledged (and were not reminded since
    /// `not_since`), through the notifications.
    pub async fn policy_campaign_remind(
        &self,
        campaign: Uuid,
        not_since: OffsetDateTime,
        limit: i64,
        w: Write<'_>,
    ) -> Result<usize> {
        on_write!(self, policy_campaigns::remind(campaign, not_since, limit, w))
    }
    /// Record training attendance (whole file or nothing); returns the sessions touched and the
    /// attendances added.
    pub async fn training_import(
        &self,
        rows: &[custodian_domain::policy::training::Attendance],
        w: Write<'_>,
    ) -> Result<(usize, u64)> {
        on_write!(self, policy_campaigns::training_import(rows, w))
    }
    /// The training sessions a person attended.
    pub async fn training_of(&self, person: Uuid) -> Result<Vec<TrainingRecord>> {
        on_read!(self, policy_campaigns::training_of(person))
    }
    /// A campaign's scope: the names of its business areas and its roles (both empty for every
    /// active person).
    pub async fn policy_campaign_scope(&self, campaign: Uuid) -> Result<(Vec<String>, Vec<String>)> {
        on_read!(self, policy_campaigns::scope(campaign))
    }
    /// Remind, for every open campaign, the people who have not acknowledged and were not
    /// reminded since `not_since`, in transactions of up to `batch` people (each person is
    /// claimed by a conditional update, so servers running this at once never remind anyone
    /// twice); returns how many were reminded.
    pub async fn policy_campaigns_remind_due(
        &self,
        not_since: OffsetDateTime,
        batch: i64,
        w: Write<'_>,
    ) -> Result<usize> {
        let mut total = 0;
        for c in self.policy_campaigns().await?.into_iter().filter(|c| c.status == "open") {
            loop {
                let (selected, reminded) = on_write!(self, policy_campaigns::remind_batch(c.id, not_since, batch, w))?;
                total += reminded;
                if selected < batch as usize {
                    break;
                }
            }
        }
        Ok(total)
    }
    /// A version's document-history rows, oldest first.
    pub async fn policy_history(&self, version_id: Uuid) -> Result<Vec<PolicyHistoryRow>> {
        on_read!(self, policy::history(version_id))
    }
}
