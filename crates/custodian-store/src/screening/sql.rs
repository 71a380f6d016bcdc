//! The screening SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Screening pack versions (WP034 6.3, 6.5).

use super::audit::Record;
use super::{DB, begin_write};
#[allow(unused_imports)]
use crate::*;
use serde_json::json;
use sqlx::Pool;
use uuid::Uuid;

const PACK_COLUMNS: &str = "id, seq, version, body, sha256, rules, examples, reason, author, created_at";

/// Put a checked pack into effect: it becomes the newest version, with its audit event.
pub async fn activate(
    pool: &Pool<DB>,
    p: &crate::screening::NewPackVersion<'_>,
    Write { actor, now }: Write<'_>,
) -> Result<crate::screening::PackVersion> {
    let mut tx = begin_write(pool).await?;
    let previous: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, version FROM screening_packs ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT seq FROM screening_packs WHERE version = $1")
        .bind(p.version)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "pack version {:?} has been used before; give the changed pack a new version",
            p.version
        )));
    }
    let seq = previous.as_ref().map(|(s, _)| s + 1).unwrap_or(1);
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO screening_packs (id, seq, version, body, sha256, rules, examples, reason, author_id, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(seq)
    .bind(p.version)
    .bind(p.body)
    .bind(p.sha256)
    .bind(p.rules)
    .bind(p.examples)
    .bind(p.reason)
    .bind(actor.person_id)
    .bind(&actor.label)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("screening.pack.activate", format!("screening-pack:{}", p.version))
        .clause("6.3")
        .justification(p.reason)
        .detail(json!({
            "sha256": p.sha256,
            "previous": previous.map(|(_, v)| v),
            "rules": p.rules,
            "examples": p.examples,
        }))
        .record(&mut tx, actor, now)
        .await?;
    let out = sqlx::query_as(&format!("SELECT {PACK_COLUMNS} FROM screening_packs WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// The pack in force, if one has been put into effect since installation.
pub async fn current(pool: &Pool<DB>) -> Result<Option<crate::screening::PackVersion>> {
    Ok(sqlx::query_as(&format!("SELECT {PACK_COLUMNS} FROM screening_packs ORDER BY seq DESC LIMIT 1"))
        .fetch_optional(pool)
        .await?)
}

/// Every version, newest first.
pub async fn history(pool: &Pool<DB>) -> Result<Vec<crate::screening::PackVersion>> {
    Ok(sqlx::query_as(&format!("SELECT {PACK_COLUMNS} FROM screening_packs ORDER BY seq DESC")).fetch_all(pool).await?)
}

/// One version by its version string.
pub async fn pack(pool: &Pool<DB>, version: &str) -> Result<Option<crate::screening::PackVersion>> {
    Ok(sqlx::query_as(&format!("SELECT {PACK_COLUMNS} FROM screening_packs WHERE version = $1"))
        .bind(version)
        .fetch_optional(pool)
        .await?)
}
