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

use crate::{Actor, Result, Store};

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
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<PolicyImport> {
        on_write!(self, policy::import(policy, approval_body, actor, now))
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
    /// A version's document-history rows, oldest first.
    pub async fn policy_history(&self, version_id: Uuid) -> Result<Vec<PolicyHistoryRow>> {
        on_read!(self, policy::history(version_id))
    }
}
