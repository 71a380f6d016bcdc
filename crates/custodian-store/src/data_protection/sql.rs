//! The data-protection SQL, written once and compiled for each backend (see `backend.rs`):
//! legal holds, the retention status, and the deletion job's batches. Each batch is one short
//! transaction that deletes at most `limit` rows of one record type (children first) and appends
//! its audit event, naming the rule, the record type, the table and the count, in the same
//! transaction (WP034 3.4; UK GDPR Art. 5(1)(e)).

use super::{DB, Tx, audit, begin_read, begin_write, micros, uuid_literal};
use crate::data_protection::{BatchOutcome, LegalHold, NewHold, TypeStatus, UsageCursor};
#[allow(unused_imports)]
use crate::*;
use serde_json::json;
use sqlx::{Pool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

/// People under an open legal hold.
const HELD_PEOPLE: &str = "SELECT person_id FROM legal_holds WHERE released_at IS NULL AND person_id IS NOT NULL";

/// Cases of kind `kind` (finding, case, post) under an open legal hold.
fn held_cases(kind: &str) -> String {
    format!(
        "SELECT case_id FROM legal_holds WHERE released_at IS NULL AND case_id IS NOT NULL AND subject LIKE '{kind}:%'"
    )
}

/// Every table in the database (the migrated schema), by name.
pub async fn tables(pool: &Pool<DB>) -> Result<Vec<String>> {
    let sql = if std::any::type_name::<DB>().contains("Sqlite") {
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    } else {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' ORDER BY 1"
    };
    Ok(sqlx::query_scalar(sql).fetch_all(pool).await?)
}

// Legal holds ------------------------------------------------------------------------------------

pub async fn hold_create(pool: &Pool<DB>, h: &NewHold, actor: &Actor, now: OffsetDateTime) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let subject = match h.person {
        Some(p) => {
            let found: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM people WHERE id = $1").bind(p).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("person {p}")));
            }
            format!("person:{p}")
        }
        None => {
            let (kind, id) =
                h.case.as_ref().ok_or_else(|| StoreError::Invalid("case: name a person or a case".into()))?;
            let table = match kind.as_str() {
                "finding" => "findings",
                "case" => "monitoring_cases",
                "post" => "posts",
                _ => return Err(StoreError::Invalid(format!("case: {kind:?} is not finding, case or post"))),
            };
            let found: Option<Uuid> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("{kind} {id}")));
            }
            format!("{kind}:{id}")
        }
    };
    let open: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM legal_holds WHERE subject = $1 AND released_at IS NULL")
            .bind(&subject)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(o) = open {
        return Err(StoreError::Conflict(format!("subject: {subject} is already held (hold {o})")));
    }
    let id = Uuid::now_v7();
    let scope = if h.person.is_some() { "person" } else { "case" };
    sqlx::query(
        "INSERT INTO legal_holds (id, scope, subject, person_id, case_id, reason, review_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(scope)
    .bind(&subject)
    .bind(h.person)
    .bind(h.case.as_ref().map(|c| c.1))
    .bind(h.reason.trim())
    .bind(h.review_on)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    audit::audit(
        &mut tx,
        actor,
        now,
        AuditEntry::new("data_protection.hold.place", format!("hold:{id}"))
            .clause("5.5")
            .justification(h.reason.trim())
            .after(json!({"subject": subject, "review_on": h.review_on.to_string()}))
            .detail(json!({"subject": subject, "review_on": h.review_on.to_string()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn hold_release(pool: &Pool<DB>, id: Uuid, reason: &str, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let subject: Option<String> =
        sqlx::query_scalar("SELECT subject FROM legal_holds WHERE id = $1 AND released_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(subject) = subject else {
        return Err(StoreError::NotFound(format!("open legal hold {id}")));
    };
    sqlx::query("UPDATE legal_holds SET released_at = $1, released_by = $2, release_reason = $3 WHERE id = $4")
        .bind(now)
        .bind(&actor.label)
        .bind(reason.trim())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::audit(
        &mut tx,
        actor,
        now,
        AuditEntry::new("data_protection.hold.release", format!("hold:{id}"))
            .clause("5.5")
            .justification(reason.trim())
            .before(json!({"released": false}))
            .after(json!({"released": true}))
            .detail(json!({"subject": subject})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const HOLD_SELECT: &str = "SELECT h.id, h.scope, h.subject, h.person_id, p.staff_number, p.name AS person_name, h.case_id, \
    h.reason, h.review_on, h.created_at, h.created_by, h.released_at, h.released_by, h.release_reason \
    FROM legal_holds h LEFT JOIN people p ON p.id = h.person_id";

pub async fn holds(pool: &Pool<DB>, include_released: bool) -> Result<Vec<LegalHold>> {
    let sql = format!(
        "{HOLD_SELECT} WHERE ($1 OR h.released_at IS NULL) ORDER BY h.released_at IS NOT NULL, h.review_on, h.id"
    );
    Ok(sqlx::query_as(&sql).bind(include_released).fetch_all(pool).await?)
}

// Status -------------------------------------------------------------------------------------------

/// How to count one record type: its table, the column its `keep` counts from (None: the table
/// is counted only), how that column is stored, the rows the type covers, and which of them a
/// legal hold keeps.
pub struct Anchor {
    pub table: &'static str,
    pub column: Option<&'static str>,
    pub micros: bool,
    pub filter: &'static str,
    pub held: String,
}

pub fn anchor(id: &str) -> Option<Anchor> {
    let a = |table, column, micros, filter, held: String| {
        Some(Anchor { table, column: Some(column), micros, filter, held })
    };
    match id {
        "usage_records" => {
            a("usage_records", "start_us", true, "1=1", format!("COALESCE(person_id IN ({HELD_PEOPLE}), FALSE)"))
        }
        "findings_closed_nfa" => a(
            "findings",
            "closed_at",
            false,
            "status = 'closed' AND outcome IN ('no_action', 'advice_given', 'false_positive', 'resolved', 'reattributed')",
            format!("(COALESCE(person_id IN ({HELD_PEOPLE}), FALSE) OR id IN ({}))", held_cases("finding")),
        ),
        "findings_referred" => a(
            "findings",
            "closed_at",
            false,
            "status = 'closed' AND outcome = 'referred_to_psd'",
            format!("(COALESCE(person_id IN ({HELD_PEOPLE}), FALSE) OR id IN ({}))", held_cases("finding")),
        ),
        "findings_open" => a("findings", "opened_at", false, "status <> 'closed'", "1=0".into()),
        "monitoring_cases" => a(
            "monitoring_cases",
            "updated_at",
            false,
            "stage IN ('returned', 'withdrawn')",
            format!("(COALESCE(person_id IN ({HELD_PEOPLE}), FALSE) OR id IN ({}))", held_cases("case")),
        ),
        "monitoring_referrals" => {
            a("monitoring_referrals", "opened_at", false, "1=1", format!("case_id IN ({})", held_cases("case")))
        }
        "notifications" => {
            a("notifications", "created_at", false, "1=1", format!("COALESCE(person_id IN ({HELD_PEOPLE}), FALSE)"))
        }
        "email_outbox" => a("email_outbox", "created_us", true, "status IN ('sent', 'failed')", "1=0".into()),
        "sessions" => a("sessions", "expires_at", false, "1=1", "1=0".into()),
        "api_tokens" => a("api_tokens", "expires_at", false, "1=1", "1=0".into()),
        "oidc_logins" => a("oidc_logins", "expires_at", false, "1=1", "1=0".into()),
        "posts" => a(
            "posts",
            "published_at",
            false,
            "state = 'published'",
            format!("(COALESCE(author_id IN ({HELD_PEOPLE}), FALSE) OR id IN ({}))", held_cases("post")),
        ),
        "association_declarations" => a(
            "association_declarations",
            "assessed_at",
            false,
            "status = 'assessed'",
            format!("COALESCE(person_id IN ({HELD_PEOPLE}), FALSE)"),
        ),
        "psd_reports" => a(
            "psd_reports",
            "closed_at",
            false,
            "status = 'closed'",
            format!("COALESCE(reporter_id IN ({HELD_PEOPLE}), FALSE)"),
        ),
        "legal_holds" => a("legal_holds", "released_at", false, "released_at IS NOT NULL", "1=0".into()),
        "personal_checks" => a("personal_checks", "created_at", false, "1=1", "1=0".into()),
        "vault_reveals" => a("vault_reveals", "at", false, "1=1", "1=0".into()),
        "usage_day_totals" => None,
        _ => None,
    }
}

/// Count, oldest, due and held for one record type.
pub async fn type_status(
    pool: &Pool<DB>,
    id: &str,
    first_table: Option<&str>,
    cutoff: Option<OffsetDateTime>,
) -> Result<TypeStatus> {
    let mut tx = begin_read(pool).await?;
    let mut st = TypeStatus::default();
    if id == "usage_day_totals" {
        let row = sqlx::query("SELECT COUNT(*), CAST(MIN(day) AS BIGINT) FROM usage_cellular_days")
            .fetch_one(&mut *tx)
            .await?;
        st.count = row.try_get::<i64, _>(0)?;
        let min: Option<i64> = row.try_get(1)?;
        st.oldest = min.map(|d| custodian_domain::usage::day_date(d as i32).midnight().assume_utc());
        if let Some(c) = cutoff {
            let day = custodian_domain::usage::london_day(micros(c)) as i64;
            st.due = sqlx::query_scalar("SELECT COUNT(*) FROM usage_cellular_days WHERE day < $1")
                .bind(day)
                .fetch_one(&mut *tx)
                .await?;
        }
        return Ok(st);
    }
    let Some(a) = anchor(id) else {
        if let Some(t) = first_table {
            st.count = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&mut *tx).await?;
        }
        return Ok(st);
    };
    let col = a.column.unwrap_or("1");
    let row = sqlx::query(&format!("SELECT COUNT(*), MIN({col}) FROM {} WHERE {}", a.table, a.filter))
        .fetch_one(&mut *tx)
        .await?;
    st.count = row.try_get::<i64, _>(0)?;
    st.oldest = if a.micros {
        row.try_get::<Option<i64>, _>(1)?
            .and_then(|us| OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1000).ok())
    } else {
        row.try_get::<Option<OffsetDateTime>, _>(1)?
    };
    if let Some(c) = cutoff {
        let (due, held): (i64, i64) = if a.micros {
            due_counts(&mut tx, &a, col, micros(c)).await?
        } else {
            due_counts(&mut tx, &a, col, c).await?
        };
        st.due = due;
        st.held = held;
    }
    Ok(st)
}

async fn due_counts<T>(tx: &mut Tx<'_>, a: &Anchor, col: &str, cutoff: T) -> Result<(i64, i64)>
where
    T: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Send + Clone,
{
    let sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN {held} THEN 0 ELSE 1 END), 0), COALESCE(SUM(CASE WHEN {held} THEN 1 ELSE 0 END), 0) \
         FROM {t} WHERE {f} AND {col} < $1",
        held = a.held,
        t = a.table,
        f = a.filter
    );
    let row = sqlx::query(&sql).bind(cutoff).fetch_one(&mut **tx).await?;
    Ok((row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?))
}

/// Usage records past `cutoff` that a legal hold keeps, counted through the held people's own
/// spans (`usage_person_spans`) and whatever no import batch covered (`usage_person_cover`), as
/// a subject access export finds them: only the held people's records are read, never the table.
pub async fn held_usage_count(pool: &Pool<DB>, cutoff: OffsetDateTime) -> Result<i64> {
    let mut tx = begin_read(pool).await?;
    let mut people: Vec<Uuid> = sqlx::query_scalar(HELD_PEOPLE).fetch_all(&mut *tx).await?;
    people.sort_unstable();
    people.dedup();
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM usage_records").fetch_one(&mut *tx).await?;
    let (false, Some(newest)) = (people.is_empty(), newest) else { return Ok(0) };
    let cover: Vec<(i64, i64)> =
        sqlx::query_as("SELECT first_seq, last_seq FROM usage_person_cover ORDER BY first_seq")
            .fetch_all(&mut *tx)
            .await?;
    let uncovered = crate::data_protection::gaps(&cover, 1, newest);
    let mut held = 0i64;
    for p in people {
        let spans: Vec<(i64, i64)> =
            sqlx::query_as("SELECT first_seq, last_seq FROM usage_person_spans WHERE person_id = $1")
                .bind(p)
                .fetch_all(&mut *tx)
                .await?;
        for (first, last) in crate::data_protection::merged(spans.into_iter().chain(uncovered.iter().copied())) {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM usage_records WHERE seq >= $1 AND seq <= $2 AND person_id = $3 AND start_us < $4",
            )
            .bind(first)
            .bind(last)
            .bind(p)
            .bind(micros(cutoff))
            .fetch_one(&mut *tx)
            .await?;
            held += n;
        }
    }
    Ok(held)
}

// Usage spans (`usage_spans`, migration 0050) -------------------------------------------------------

/// The `seq` ranges no span covers that hold records (stored other than by an import: a span is
/// written by each import batch), with their earliest `start_us`; read outside any write.
pub async fn uncovered_usage_ranges(pool: &Pool<DB>) -> Result<Vec<(i64, i64, i64)>> {
    let spans: Vec<(i64, i64)> =
        sqlx::query_as("SELECT first_seq, last_seq FROM usage_spans ORDER BY first_seq").fetch_all(pool).await?;
    // The gaps between spans (spans of imports running at once may overlap), and past the last.
    let mut gaps = Vec::new();
    let mut covered_to = i64::MIN;
    for (first, last) in spans {
        if first > covered_to.saturating_add(1) {
            gaps.push((covered_to.saturating_add(1), first - 1));
        }
        covered_to = covered_to.max(last);
    }
    gaps.push((covered_to.saturating_add(1), i64::MAX));
    let mut out = Vec::new();
    for (lo, hi) in gaps {
        let row: (Option<i64>, Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(seq), MAX(seq), MIN(start_us) FROM usage_records WHERE seq >= $1 AND seq <= $2")
                .bind(lo)
                .bind(hi)
                .fetch_one(pool)
                .await?;
        if let (Some(first), Some(last), Some(start)) = row {
            out.push((first, last, start));
        }
    }
    Ok(out)
}

/// A span added, merged with one that starts at the same `seq` (the wider range, the earlier start).
const ADD_SPAN: &str = "INSERT INTO usage_spans (first_seq, last_seq, min_start_us) VALUES ($1, $2, $3) \
     ON CONFLICT (first_seq) DO UPDATE SET \
     last_seq = CASE WHEN usage_spans.last_seq > excluded.last_seq THEN usage_spans.last_seq ELSE excluded.last_seq END, \
     min_start_us = CASE WHEN usage_spans.min_start_us < excluded.min_start_us \
     THEN usage_spans.min_start_us ELSE excluded.min_start_us END";

/// Record spans for ranges found by [`uncovered_usage_ranges`].
pub async fn add_usage_spans(pool: &Pool<DB>, ranges: &[(i64, i64, i64)]) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    for (first, last, start) in ranges {
        sqlx::query(ADD_SPAN).bind(first).bind(last).bind(start).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The spans holding a record that starts before `cutoff` (some may be held), in `seq` order.
pub async fn due_usage_spans(pool: &Pool<DB>, cutoff: OffsetDateTime) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT first_seq, last_seq FROM usage_spans WHERE min_start_us < $1 ORDER BY first_seq")
        .bind(micros(cutoff))
        .fetch_all(pool)
        .await?)
}

/// How much of a span's `seq` range one batch reads, and the most a span covers once the job has
/// walked it: a span left behind covers at most this many records, so a later run reads only the
/// windows that hold a due record.
pub const SPAN_WINDOW: i64 = 100_000;

/// After the deletion job has walked a span: replace it with one span per [`SPAN_WINDOW`] of its
/// range that still holds records (held ones, or ones not yet due), each narrowed to them, or
/// with none. The windows are read before the one short write. A record stored into the range
/// meanwhile by a writer that bypasses imports is found in a gap by the next run.
pub async fn refresh_usage_span(pool: &Pool<DB>, first: i64, last: i64) -> Result<()> {
    let mut left = Vec::new();
    let mut lo = first;
    while lo <= last {
        let hi = last.min(lo.saturating_add(SPAN_WINDOW - 1));
        let (a, b, start): (Option<i64>, Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(seq), MAX(seq), MIN(start_us) FROM usage_records WHERE seq >= $1 AND seq <= $2")
                .bind(lo)
                .bind(hi)
                .fetch_one(pool)
                .await?;
        if let (Some(a), Some(b), Some(start)) = (a, b, start) {
            left.push((a, b, start));
        }
        if hi == i64::MAX {
            break;
        }
        lo = hi + 1;
    }
    let mut tx = begin_write(pool).await?;
    sqlx::query("DELETE FROM usage_spans WHERE first_seq = $1").bind(first).execute(&mut *tx).await?;
    for (a, b, start) in left {
        sqlx::query(ADD_SPAN).bind(a).bind(b).bind(start).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// PostgreSQL: the time, in milliseconds, a synchronous commit of a transaction that holds
/// nothing but a transaction id takes now: its commit waits until the WAL up to it (the deletion
/// job's last batch included, which committed without waiting) is on the disk. The deletion job
/// runs it after each batch, outside the batch, to tell how long a commit of the server's waits.
#[allow(dead_code)] // compiled for SQLite too, called on PostgreSQL only
pub async fn wal_flush_wait(pool: &Pool<DB>) -> Result<f64> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('synchronous_commit', 'on', true), txid_current()").execute(&mut *tx).await?;
    let t = std::time::Instant::now();
    tx.commit().await?;
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

// Deletion -------------------------------------------------------------------------------------------

/// One batch of the deletion job for record type `rule` (deleting what is past `cutoff` and not
/// held, at most `limit` rows of its main table), with its audit event, in one transaction. For
/// usage records `cursor` is the last `seq` passed and the end of the span being walked
/// (`usage_spans`): the batch takes the next `limit` due, unheld rows of that span after it,
/// reading at most [`SPAN_WINDOW`] of its `seq` range, and says in `next_cursor` how far it got.
#[allow(clippy::too_many_arguments)] // one batch: the rule, its window and its audit actor
pub async fn delete_batch(
    pool: &Pool<DB>,
    rule: &str,
    clause: &str,
    cutoff: OffsetDateTime,
    limit: i64,
    cursor: UsageCursor,
    actor: &Actor,
    now: OffsetDateTime,
    flush_after_kib: u32,
) -> Result<BatchOutcome> {
    let mut tx = begin_write(pool).await?;
    let postgres = !std::any::type_name::<DB>().contains("Sqlite");
    // PostgreSQL: where the WAL stood when the batch began, to tell the job how much it wrote.
    let mut wal_start = None;
    if postgres {
        // The batch's commit does not wait for its WAL to reach the disk, so a long run's
        // thousands of commits do not queue behind checkpoints with the server's other writes.
        // A crash may lose the last batches: their deletions and audit events together (the
        // next run deletes those records again), never one without the other, and any later
        // synchronous commit makes them durable first.
        // The pages the batch's backend writes out itself (evicting the buffers it dirtied:
        // a deletion touches far more pages than `shared_buffers` holds) are pushed to the disk
        // every `flush_after_kib` (`backend_flush_after`; 0 leaves the server's setting, off by
        // default), instead of piling up in the kernel's page cache until it writes gigabytes
        // back at once and every commit's WAL sync on the disk waits behind them.
        let flush_after = if flush_after_kib > 0 { format!("{}kB", flush_after_kib.min(2048)) } else { String::new() };
        let lsn: String = sqlx::query_scalar(
            "SELECT CAST(pg_current_wal_insert_lsn() AS TEXT) FROM (SELECT set_config('synchronous_commit', 'off', true), \
             CASE WHEN $1 = '' THEN '' ELSE set_config('backend_flush_after', $1, true) END) AS s",
        )
        .bind(flush_after)
        .fetch_one(&mut *tx)
        .await?;
        wal_start = Some(lsn);
    }
    let mut out = BatchOutcome { next_cursor: cursor, ..BatchOutcome::default() };
    let mut tables: Vec<(&'static str, u64)> = Vec::new();
    match rule {
        "usage_records" => {
            // The due, unheld keys of the span being walked after the cursor (a range read of
            // the table's `seq` key), then the rows by key.
            // At most a window of the range is read, so a stretch of records not yet due never
            // holds the writer for long.
            let end = cursor.upto.min(cursor.seq.saturating_add(SPAN_WINDOW));
            let keys: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT seq FROM usage_records WHERE seq > $1 AND seq <= $2 AND start_us < $3 \
                 AND (person_id IS NULL OR person_id NOT IN ({HELD_PEOPLE})) ORDER BY seq LIMIT $4"
            ))
            .bind(cursor.seq)
            .bind(end)
            .bind(micros(cutoff))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            out.next_cursor = UsageCursor { seq: end, upto: cursor.upto };
            if let Some(&seq) = keys.last() {
                let list = keys.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                let r =
                    sqlx::query(&format!("DELETE FROM usage_records WHERE seq IN ({list})")).execute(&mut *tx).await?;
                tables.push(("usage_records", r.rows_affected()));
                if keys.len() as i64 >= limit {
                    out.next_cursor.seq = seq;
                }
            }
            out.selected = keys.len() as u64;
        }
        "usage_day_totals" => {
            let day = custodian_domain::usage::london_day(micros(cutoff)) as i64;
            let first: Option<i64> =
                sqlx::query_scalar("SELECT CAST(MIN(day) AS BIGINT) FROM usage_cellular_days WHERE day < $1")
                    .bind(day)
                    .fetch_one(&mut *tx)
                    .await?;
            if let Some(d) = first {
                let r = sqlx::query("DELETE FROM usage_cellular_days WHERE day = $1").bind(d).execute(&mut *tx).await?;
                tables.push(("usage_cellular_days", r.rows_affected()));
            }
        }
        _ => {
            let Some(a) = anchor(rule) else {
                return Err(StoreError::Invalid(format!("rule: Custodian cannot delete {rule:?}")));
            };
            let col = a.column.unwrap_or("1");
            let key = match rule {
                "sessions" => "token_hash",
                "oidc_logins" => "state_hash",
                _ => "id",
            };
            let sql = format!(
                "SELECT {key} FROM {t} WHERE {f} AND {col} < $1 AND NOT {held}{unref} ORDER BY {col}, {key} LIMIT $2",
                t = a.table,
                f = a.filter,
                held = a.held,
                unref = unreferenced(rule)
            );
            if key != "id" {
                let keys: Vec<String> = sqlx::query_scalar(&sql).bind(cutoff).bind(limit).fetch_all(&mut *tx).await?;
                let mut n = 0;
                for k in &keys {
                    n += sqlx::query(&format!("DELETE FROM {} WHERE {key} = $1", a.table))
                        .bind(k)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tables.push((a.table, n));
                out.selected = keys.len() as u64;
            } else {
                let ids: Vec<Uuid> = if a.micros {
                    sqlx::query_scalar(&sql).bind(micros(cutoff)).bind(limit).fetch_all(&mut *tx).await?
                } else {
                    sqlx::query_scalar(&sql).bind(cutoff).bind(limit).fetch_all(&mut *tx).await?
                };
                if !ids.is_empty() {
                    let list = id_list(&ids);
                    let children: &[(&'static str, &str)] = match rule {
                        "findings_closed_nfa" => &[("finding_reviews", "finding_id"), ("app_findings", "finding_id")],
                        "monitoring_cases" => &[("monitoring_case_steps", "case_id")],
                        "notifications" => &[("email_outbox", "notification_id")],
                        "posts" => &[("post_steps", "post_id"), ("post_versions", "post_id")],
                        _ => &[],
                    };
                    for (child, fk) in children {
                        let r = sqlx::query(&format!("DELETE FROM {child} WHERE {fk} IN ({list})"))
                            .execute(&mut *tx)
                            .await?;
                        tables.push((child, r.rows_affected()));
                    }
                    let r =
                        sqlx::query(&format!("DELETE FROM {} WHERE id IN ({list})", a.table)).execute(&mut *tx).await?;
                    tables.push((a.table, r.rows_affected()));
                }
                out.selected = ids.len() as u64;
            }
        }
    }
    out.deleted = tables.iter().map(|(_, n)| n).sum();
    // Read before the audit event, whose append locks the log's head until the commit: nothing
    // but the commit follows it.
    if let Some(lsn) = wal_start {
        // The WAL written since the batch began (by the batch, and by any other session meanwhile;
        // its audit event's few hundred bytes are not counted).
        let bytes: i64 = sqlx::query_scalar("SELECT CAST(pg_current_wal_insert_lsn() - CAST($1 AS pg_lsn) AS BIGINT)")
            .bind(lsn)
            .fetch_one(&mut *tx)
            .await?;
        out.wal_bytes = bytes.max(0) as u64;
    }
    if out.deleted > 0 {
        let counts: serde_json::Map<String, serde_json::Value> =
            tables.iter().filter(|(_, n)| *n > 0).map(|(t, n)| (t.to_string(), json!(n))).collect();
        // The event keeps the rule, the record type, the cutoff and the counts per table: no id,
        // no content of a deleted record.
        audit::audit(
            &mut tx,
            actor,
            now,
            AuditEntry::new("data_protection.retention.delete", format!("retention:{rule}"))
                .clause(clause)
                .detail(json!({"rule": rule, "record_type": rule, "count": out.deleted, "tables": counts,
                    "cutoff": cutoff.unix_timestamp()})),
        )
        .await?;
    }
    out.tables = tables.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
    let t = std::time::Instant::now();
    tx.commit().await?;
    out.commit_ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(out)
}

/// Rows of `rule` that are due but still referenced by a record kept longer, and so skipped:
/// a monitoring case with a referral (WP034 5.5) stays with its referral.
fn unreferenced(rule: &str) -> &'static str {
    match rule {
        "monitoring_cases" => " AND id NOT IN (SELECT case_id FROM monitoring_referrals)",
        _ => "",
    }
}

/// How many due, unheld rows of `rule` are skipped because a record kept longer refers to them.
pub async fn referenced_count(pool: &Pool<DB>, rule: &str, cutoff: OffsetDateTime) -> Result<i64> {
    match (rule, anchor(rule)) {
        ("monitoring_cases", Some(a)) => Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {t} WHERE {f} AND {col} < $1 AND NOT {held} AND id IN (SELECT case_id FROM monitoring_referrals)",
            t = a.table,
            f = a.filter,
            col = a.column.unwrap_or("1"),
            held = a.held
        ))
        .bind(cutoff)
        .fetch_one(pool)
        .await?),
        _ => Ok(0),
    }
}

fn id_list(ids: &[Uuid]) -> String {
    ids.iter().map(uuid_literal).collect::<Vec<_>>().join(", ")
}

/// After deletions: drop the subject access spans and cover ranges (`usage_person_spans`,
/// `usage_person_cover`) that lie wholly below the oldest usage record left, so they do not
/// outlive the records they pointed at. Walked in windows of [`SPAN_WINDOW`] `seq`, each its own
/// short transaction, which reads the oldest record again (a span is only dropped when no record
/// can be in its range). Returns how many spans went.
pub async fn prune_person_spans(pool: &Pool<DB>) -> Result<u64> {
    const OLDEST: &str = "SELECT COALESCE(MIN(seq), 9223372036854775807) FROM usage_records";
    let oldest: i64 = sqlx::query_scalar(OLDEST).fetch_one(pool).await?;
    let mut next: Option<i64> =
        sqlx::query_scalar("SELECT MIN(first_seq) FROM usage_person_spans WHERE first_seq < $1")
            .bind(oldest)
            .fetch_one(pool)
            .await?;
    let mut dropped = 0u64;
    while let Some(lo) = next {
        let hi = lo.saturating_add(SPAN_WINDOW);
        let mut tx = begin_write(pool).await?;
        let oldest: i64 = sqlx::query_scalar(OLDEST).fetch_one(&mut *tx).await?;
        dropped +=
            sqlx::query("DELETE FROM usage_person_spans WHERE first_seq >= $1 AND first_seq < $2 AND last_seq < $3")
                .bind(lo)
                .bind(hi)
                .bind(oldest)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        next = if hi >= oldest {
            None
        } else {
            sqlx::query_scalar("SELECT MIN(first_seq) FROM usage_person_spans WHERE first_seq >= $1 AND first_seq < $2")
                .bind(hi)
                .bind(oldest)
                .fetch_one(pool)
                .await?
        };
    }
    let mut tx = begin_write(pool).await?;
    let oldest: i64 = sqlx::query_scalar(OLDEST).fetch_one(&mut *tx).await?;
    sqlx::query("DELETE FROM usage_person_cover WHERE last_seq < $1").bind(oldest).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(dropped)
}
