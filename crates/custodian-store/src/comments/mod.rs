//! Public comments on the force's social media channels in the store (WP034 6.7, 8.2): intake
//! (each comment stored once by platform and id, with the labels the triage gave it and the
//! pack's version), and the evidence snapshot kept before anyone hides, deletes or replies to a
//! comment. Each write commits with its audit events. The SQL is `sql.rs`.
//!
//! * Intake is all or nothing: a comment on an account the register does not hold refuses the
//!   whole batch, naming the line and `account`. A comment already stored (same platform and
//!   id) is counted as a duplicate and left as it was.
//! * A labelled comment gets its evidence snapshot in the intake's own transaction; any other
//!   comment gets one on request ([`Store::comment_keep_evidence`]). The snapshot is the
//!   canonical JSON of [`EvidenceRecord`] (fields in a fixed order, times in RFC 3339 UTC) and
//!   its SHA-256, written with a `comment.evidence_kept` audit event that carries the hash.

pub mod workflow;

use custodian_domain::imports::RowError;
use custodian_domain::posts::Platform;
use serde::Serialize;
use sha2::Digest;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::row::Flag;
use crate::{Result, Store, Write};

/// One label a comment was given at intake, with the first span that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CommentLabel {
    #[serde(skip)]
    pub comment_id: Uuid,
    pub label: String,
    #[serde(rename = "start")]
    pub span_start: i64,
    #[serde(rename = "end")]
    pub span_end: i64,
    #[serde(rename = "match")]
    pub matched: String,
    pub explanation: String,
    pub clause: String,
}

/// A comment to store, already triaged.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// The line of the file (or 1 for a webhook delivery), for errors.
    pub line: u64,
    pub platform: Platform,
    pub external_id: String,
    /// The register handle of the account it was made on.
    pub account: String,
    pub post: String,
    pub author: String,
    pub author_name: String,
    pub url: String,
    pub text: String,
    pub posted_at: OffsetDateTime,
    pub source: String,
    pub labels: Vec<CommentLabel>,
    /// The routes the pack gave, as JSON.
    pub routes: serde_json::Value,
    pub pack_version: String,
}

/// What intake did with one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "id", rename_all = "snake_case")]
pub enum Intake {
    Stored(Uuid),
    /// Already stored (same platform and id): left as it was.
    Duplicate(Uuid),
}

impl Intake {
    pub fn id(self) -> Uuid {
        match self {
            Intake::Stored(id) | Intake::Duplicate(id) => id,
        }
    }
}

/// A stored comment with its account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Comment {
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub platform: Platform,
    pub external_id: String,
    pub account_id: Uuid,
    pub account_handle: String,
    pub owning_team: String,
    pub team_manager_id: Option<Uuid>,
    #[sqlx(try_from = "Flag")]
    pub corporate: bool,
    pub post: String,
    pub author: String,
    pub author_name: String,
    pub url: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub posted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub source: String,
    pub routes: String,
    pub pack_version: String,
    #[sqlx(skip)]
    pub labels: Vec<CommentLabel>,
}

impl Comment {
    pub fn has(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.label == label)
    }
}

/// The evidence snapshot of a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: Uuid,
    pub comment_id: Uuid,
    /// The canonical JSON of [`EvidenceRecord`], exactly as hashed.
    pub record: String,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    pub taken_by: String,
}

impl Evidence {
    /// Whether the record still hashes to the stored SHA-256.
    pub fn intact(&self) -> bool {
        sha256_hex(self.record.as_bytes()) == self.sha256
    }
}

/// The label of a comment as the evidence record holds it (fields in alphabetical order).
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLabel {
    pub clause: String,
    pub end: i64,
    pub explanation: String,
    pub label: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub start: i64,
}

/// What an evidence snapshot holds. The canonical encoding is this struct as compact JSON: its
/// fields are declared in alphabetical order, labels sorted by label, times RFC 3339 in UTC.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRecord {
    pub account: String,
    pub author: String,
    pub author_name: String,
    pub comment_id: String,
    pub labels: Vec<EvidenceLabel>,
    pub pack_version: String,
    pub platform: String,
    pub post: String,
    pub posted_at: String,
    pub received_at: String,
    pub text: String,
    pub url: String,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

impl EvidenceRecord {
    pub fn of(c: &Comment) -> Self {
        let mut labels: Vec<EvidenceLabel> = c
            .labels
            .iter()
            .map(|l| EvidenceLabel {
                clause: l.clause.clone(),
                end: l.span_end,
                explanation: l.explanation.clone(),
                label: l.label.clone(),
                matched: l.matched.clone(),
                start: l.span_start,
            })
            .collect();
        labels.sort_by(|a, b| a.label.cmp(&b.label));
        Self {
            account: format!("{} {}", c.platform.as_str(), c.account_handle),
            author: c.author.clone(),
            author_name: c.author_name.clone(),
            comment_id: c.external_id.clone(),
            labels,
            pack_version: c.pack_version.clone(),
            platform: c.platform.as_str().to_string(),
            post: c.post.clone(),
            posted_at: rfc3339(c.posted_at),
            received_at: rfc3339(c.received_at),
            text: c.body.clone(),
            url: c.url.clone(),
        }
    }

    /// The canonical encoding and its SHA-256 (hex).
    pub fn canonical(&self) -> (String, String) {
        let json = serde_json::to_string(self).unwrap_or_default();
        let hash = sha256_hex(json.as_bytes());
        (json, hash)
    }
}

/// Which comments to list.
#[derive(Debug, Clone, Default)]
pub struct CommentFilter {
    /// Only comments with at least one label.
    pub labelled: bool,
    /// Only comments with this label.
    pub label: Option<String>,
    /// Only this author (platform and author id).
    pub author: Option<(Platform, String)>,
    /// Only comments on accounts of this owning team.
    pub team: Option<String>,
    pub limit: i64,
}

/// What an intake did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntakeSummary {
    pub lines: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub labelled: usize,
    pub evidence_kept: usize,
}

impl Store {
    /// Store triaged comments, all or nothing; the inner `Err` names each line and field
    /// refused (an account the register does not hold). A labelled comment's evidence snapshot
    /// is kept in the same transaction.
    pub async fn comments_intake(
        &self,
        items: &[NewComment],
        w: Write<'_>,
    ) -> Result<std::result::Result<Vec<Intake>, Vec<RowError>>> {
        on_write!(self, comments::intake(items, w))
    }

    pub async fn comment(&self, id: Uuid) -> Result<Option<(Comment, Option<Evidence>)>> {
        on_read!(self, comments::detail(id))
    }

    pub async fn comments(&self, f: &CommentFilter) -> Result<Vec<Comment>> {
        on_read!(self, comments::list(f))
    }

    /// Keep the evidence snapshot of a comment (once: an existing snapshot is returned as it is).
    pub async fn comment_keep_evidence(&self, id: Uuid, w: Write<'_>) -> Result<Evidence> {
        on_write!(self, comments::keep_evidence(id, w))
    }

    /// The evidence snapshots of every comment of one author, oldest first.
    pub async fn comment_author_evidence(
        &self,
        platform: Platform,
        author: &str,
    ) -> Result<Vec<(Comment, Option<Evidence>)>> {
        on_read!(self, comments::author_evidence(platform, author))
    }
}
