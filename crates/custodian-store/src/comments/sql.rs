//! The comments' SQL, written once and compiled for each backend (see `backend.rs`).
//!
//! WP034 6.7 and 8.2: every write opens one transaction that carries the change and its audit
//! events (see `crate::comments` for the design).

use std::collections::HashMap;

use super::audit::Record;
use super::{DB, Tx, begin_write};
use crate::comments::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::imports::RowError;
use custodian_domain::posts::Platform;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const COMMENT_SELECT: &str = "SELECT c.id, c.platform, c.external_id, c.account_id, a.handle AS account_handle, \
    a.owning_team, a.team_manager_id, a.corporate, c.post, c.author, c.author_name, c.url, c.body, c.posted_at, \
    c.received_at, c.source, c.routes, c.pack_version FROM comments c JOIN social_accounts a ON a.id = c.account_id";

const LABEL_SELECT: &str =
    "SELECT l.comment_id, l.label, l.span_start, l.span_end, l.matched, l.explanation, l.clause FROM comment_labels l";

const EVIDENCE_SELECT: &str = "SELECT id, comment_id, record, sha256, taken_at, taken_by FROM comment_evidence";

fn subject(id: Uuid) -> String {
    format!("comment:{id}")
}

pub(crate) async fn labels_of(tx: &mut Tx<'_>, id: Uuid) -> Result<Vec<CommentLabel>> {
    let sql = format!("{LABEL_SELECT} WHERE l.comment_id = $1 ORDER BY l.span_start, l.label");
    Ok(sqlx::query_as(&sql).bind(id).fetch_all(&mut **tx).await?)
}

pub(crate) async fn load(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<Comment>> {
    let sql = format!("{COMMENT_SELECT} WHERE c.id = $1");
    let Some(mut c) = sqlx::query_as::<_, Comment>(&sql).bind(id).fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    c.labels = labels_of(tx, id).await?;
    Ok(Some(c))
}

pub(crate) async fn evidence_of(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<Evidence>> {
    let sql = format!("{EVIDENCE_SELECT} WHERE comment_id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&mut **tx).await?)
}

/// Write the snapshot of a loaded comment with its audit event (WP034 8.2).
pub(crate) async fn snapshot(tx: &mut Tx<'_>, c: &Comment, actor: &Actor, now: OffsetDateTime) -> Result<Evidence> {
    let (record, sha256) = EvidenceRecord::of(c).canonical();
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO comment_evidence (id, comment_id, record, sha256, taken_at, taken_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(c.id)
    .bind(&record)
    .bind(&sha256)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut **tx)
    .await?;
    AuditEntry::new("comment.evidence_kept", subject(c.id))
        .clause("8.2")
        .detail(json!({"evidence": id, "sha256": sha256, "platform": c.platform.as_str(), "comment": c.external_id}))
        .record(tx, actor, now)
        .await?;
    Ok(Evidence { id, comment_id: c.id, record, sha256, taken_at: now, taken_by: actor.label.clone() })
}

pub async fn intake(
    pool: &Pool<DB>,
    items: &[NewComment],
    Write { actor, now }: Write<'_>,
) -> Result<std::result::Result<Vec<Intake>, Vec<RowError>>> {
    let mut tx = begin_write(pool).await?;
    // The register's accounts the batch names.
    let mut accounts: HashMap<(Platform, String), Uuid> = HashMap::new();
    let mut errors = Vec::new();
    for c in items {
        let key = (c.platform, c.account.to_lowercase());
        if accounts.contains_key(&key) {
            continue;
        }
        let found: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM social_accounts WHERE platform = $1 AND LOWER(handle) = $2 \
             AND status NOT IN ('closed', 'refused', 'withdrawn')",
        )
        .bind(c.platform.as_str())
        .bind(&key.1)
        .fetch_optional(&mut *tx)
        .await?;
        match found {
            Some(id) => {
                accounts.insert(key, id);
            }
            None => errors.push(RowError {
                line: c.line,
                field: Some("account".into()),
                message: format!(
                    "{} {} is not an account in the register (or it is closed)",
                    c.platform.as_str(),
                    c.account
                ),
            }),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut out = Vec::with_capacity(items.len());
    for c in items {
        let account = accounts[&(c.platform, c.account.to_lowercase())];
        let existing: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM comments WHERE platform = $1 AND external_id = $2")
                .bind(c.platform.as_str())
                .bind(&c.external_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = existing {
            out.push(Intake::Duplicate(id));
            continue;
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO comments (id, platform, external_id, account_id, post, author, author_name, url, body, \
             posted_at, received_at, source, routes, pack_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(c.platform.as_str())
        .bind(&c.external_id)
        .bind(account)
        .bind(&c.post)
        .bind(&c.author)
        .bind(&c.author_name)
        .bind(&c.url)
        .bind(&c.text)
        .bind(c.posted_at)
        .bind(now)
        .bind(&c.source)
        .bind(c.routes.to_string())
        .bind(&c.pack_version)
        .execute(&mut *tx)
        .await?;
        for l in &c.labels {
            sqlx::query(
                "INSERT INTO comment_labels (comment_id, label, span_start, span_end, matched, explanation, clause) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&l.label)
            .bind(l.span_start)
            .bind(l.span_end)
            .bind(&l.matched)
            .bind(&l.explanation)
            .bind(&l.clause)
            .execute(&mut *tx)
            .await?;
        }
        let labels: Vec<&str> = c.labels.iter().map(|l| l.label.as_str()).collect();
        AuditEntry::new("comment.received", subject(id))
            .clause(if labels.is_empty() { "6.7" } else { "8.2" })
            .detail(json!({"platform": c.platform.as_str(), "comment": c.external_id, "account": c.account,
                       "source": c.source, "labels": labels, "pack_version": c.pack_version}))
            .record(&mut tx, actor, now)
            .await?;
        if !c.labels.is_empty() {
            let Some(stored) = load(&mut tx, id).await? else {
                return Err(StoreError::NotFound(format!("comment {id}")));
            };
            let evidence = snapshot(&mut tx, &stored, actor, now).await?;
            // Routing and workflow, after the evidence (WP034 6.7, 6.8, 8.2).
            super::comments_workflow::route(&mut tx, &stored, &evidence, actor, now).await?;
        }
        out.push(Intake::Stored(id));
    }
    tx.commit().await?;
    Ok(Ok(out))
}

pub async fn detail(pool: &Pool<DB>, id: Uuid) -> Result<Option<(Comment, Option<Evidence>)>> {
    let mut tx = super::begin_read(pool).await?;
    let Some(c) = load(&mut tx, id).await? else {
        return Ok(None);
    };
    let e = evidence_of(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Some((c, e)))
}

pub async fn list(pool: &Pool<DB>, f: &CommentFilter) -> Result<Vec<Comment>> {
    let mut tx = super::begin_read(pool).await?;
    let filter = "($1 = 0 OR EXISTS (SELECT 1 FROM comment_labels x WHERE x.comment_id = c.id)) \
         AND ($2 IS NULL OR EXISTS (SELECT 1 FROM comment_labels x WHERE x.comment_id = c.id AND x.label = $2)) \
         AND ($3 IS NULL OR (c.platform = $3 AND c.author = $4)) \
         AND ($5 IS NULL OR a.owning_team = $5)";
    let limit = if f.limit > 0 { f.limit } else { 200 };
    let sql = format!("{COMMENT_SELECT} WHERE {filter} ORDER BY c.received_at DESC, c.id DESC LIMIT {limit}");
    let (platform, author) = match &f.author {
        Some((p, a)) => (Some(p.as_str()), Some(a.as_str())),
        None => (None, None),
    };
    let mut rows: Vec<Comment> = sqlx::query_as(&sql)
        .bind(i64::from(f.labelled))
        .bind(f.label.as_deref())
        .bind(platform)
        .bind(author)
        .bind(f.team.as_deref())
        .fetch_all(&mut *tx)
        .await?;
    for c in &mut rows {
        c.labels = labels_of(&mut tx, c.id).await?;
    }
    tx.commit().await?;
    Ok(rows)
}

pub async fn keep_evidence(pool: &Pool<DB>, id: Uuid, Write { actor, now }: Write<'_>) -> Result<Evidence> {
    let mut tx = begin_write(pool).await?;
    let Some(c) = load(&mut tx, id).await? else {
        return Err(StoreError::NotFound(format!("comment {id}")));
    };
    if let Some(e) = evidence_of(&mut tx, id).await? {
        tx.commit().await?;
        return Ok(e);
    }
    let e = snapshot(&mut tx, &c, actor, now).await?;
    tx.commit().await?;
    Ok(e)
}

pub async fn author_evidence(
    pool: &Pool<DB>,
    platform: Platform,
    author: &str,
) -> Result<Vec<(Comment, Option<Evidence>)>> {
    let mut tx = super::begin_read(pool).await?;
    let sql = format!("{COMMENT_SELECT} WHERE c.platform = $1 AND c.author = $2 ORDER BY c.posted_at, c.id");
    let rows: Vec<Comment> = sqlx::query_as(&sql).bind(platform.as_str()).bind(author).fetch_all(&mut *tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for mut c in rows {
        c.labels = labels_of(&mut tx, c.id).await?;
        let e = evidence_of(&mut tx, c.id).await?;
        out.push((c, e));
    }
    tx.commit().await?;
    Ok(out)
}
