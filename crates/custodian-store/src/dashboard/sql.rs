//! The dashboard SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Dashboard counts.

use super::DB;
#[allow(unused_imports)]
use crate::*;
use sqlx::Pool;
use uuid::Uuid;

pub async fn grouped(pool: &Pool<DB>, sql: &str) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(sql).fetch_all(pool).await?)
}

pub async fn counts(pool: &Pool<DB>, holder: Option<Uuid>) -> Result<Counts> {
    Ok(Counts {
        devices_by_status: grouped(pool, "SELECT status, COUNT(*) FROM devices GROUP BY status ORDER BY status").await?,
        devices_by_type: grouped(pool, "SELECT device_type, COUNT(*) FROM devices GROUP BY device_type ORDER BY device_type").await?,
        findings_by_status: grouped(pool, "SELECT status, COUNT(*) FROM findings GROUP BY status ORDER BY status").await?,
        findings_open_by_rule: grouped(pool, "SELECT rule, COUNT(*) FROM findings WHERE status <> 'closed' GROUP BY rule ORDER BY rule").await?,
        people_active: sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE status = 'active'").fetch_one(pool).await?,
        awaiting_receipt: sqlx::query_scalar("SELECT COUNT(*) FROM allocations WHERE ended_at IS NULL AND receipt_confirmed_at IS NULL AND ($1 IS NULL OR person_id = $1)")
            .bind(holder)
            .fetch_one(pool)
            .await?,
        audit_events: sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(pool).await?,
    })
}
