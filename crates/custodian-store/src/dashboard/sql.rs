//! The dashboard SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Dashboard counts.

use super::{DB, db_err};
#[allow(unused_imports)]
use crate::*;
use sqlx::{Pool, Row};
use uuid::Uuid;

pub async fn grouped(pool: &Pool<DB>, sql: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(sql).fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>(0).map_err(db_err)?, r.try_get::<i64, _>(1).map_err(db_err)?))).collect()
}

pub async fn counts(pool: &Pool<DB>, holder: Option<Uuid>) -> Result<Counts> {
    Ok(Counts {
        devices_by_status: grouped(pool, "SELECT status, COUNT(*) FROM devices GROUP BY status ORDER BY status").await?,
        devices_by_type: grouped(pool, "SELECT device_type, COUNT(*) FROM devices GROUP BY device_type ORDER BY device_type").await?,
        findings_by_status: grouped(pool, "SELECT status, COUNT(*) FROM findings GROUP BY status ORDER BY status").await?,
        findings_open_by_rule: grouped(pool, "SELECT rule, COUNT(*) FROM findings WHERE status <> 'closed' GROUP BY rule ORDER BY rule").await?,
        people_active: sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE status = 'active'").fetch_one(pool).await.map_err(db_err)?,
        awaiting_receipt: sqlx::query_scalar("SELECT COUNT(*) FROM allocations WHERE ended_at IS NULL AND receipt_confirmed_at IS NULL AND ($1 IS NULL OR person_id = $1)")
            .bind(holder)
            .fetch_one(pool)
            .await
            .map_err(db_err)?,
        audit_events: sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(pool).await.map_err(db_err)?,
    })
}
