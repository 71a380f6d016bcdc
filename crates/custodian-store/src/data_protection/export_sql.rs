//! The subject access export's SQL (UK GDPR Art. 15; WP034 3.4, 5.3), written once and compiled
//! for each backend: everything Custodian holds about one person, read in one snapshot and
//! handed to a sink record by record (usage records are streamed, never gathered), with other
//! people's personal data replaced by their roles.

use super::{DB, DbRow, Tx, begin_read};
use crate::data_protection::ExportSink;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::people::Role;
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use sqlx::{Column, Pool, Row, TypeInfo, ValueRef};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A column's value as JSON, whatever its type on this backend.
fn value(row: &DbRow, i: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map(Value::from).unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<i32>, _>(i) {
        return v.map(Value::from).unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map(Value::from).unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<OffsetDateTime>, _>(i) {
        return v
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .map(Value::from)
            .unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<time::Date>, _>(i) {
        return v.map(|d| Value::from(d.to_string())).unwrap_or(Value::Null);
    }
    // SQLite decodes any 16-byte TEXT as a Uuid (it reads the bytes): ids are BLOBs there, so a
    // text of 16 characters (an action such as "declaration.view", a name) stays text.
    let text = row.try_get_raw(i).map(|r| !r.is_null() && r.type_info().name() == "TEXT").unwrap_or(false);
    if !text && let Ok(v) = row.try_get::<Option<Uuid>, _>(i) {
        return v.map(|u| Value::from(u.to_string())).unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map(Value::from).unwrap_or(Value::Null);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map(Value::from).unwrap_or(Value::Null);
    }
    Value::Null
}

/// A row as a JSON object of its columns; columns named `us_*`/`*_us` become times too.
fn object(row: &DbRow) -> Map<String, Value> {
    let mut m = Map::new();
    for (i, c) in row.columns().iter().enumerate() {
        let name = c.name().to_string();
        let mut v = value(row, i);
        if name.ends_with("_us")
            && let Some(us) = v.as_i64()
            && let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1000)
        {
            v = t.format(&time::format_description::well_known::Rfc3339).map(Value::from).unwrap_or(v);
        }
        m.insert(name, v);
    }
    m
}

/// A time in microseconds since 1970 as RFC 3339 (the number itself if out of range).
fn time_us(us: i64) -> Value {
    OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .map(Value::from)
        .unwrap_or_else(|| Value::from(us))
}

/// A usage record as JSON, each column decoded as its declared type: the section that holds
/// nearly every row of a large export guesses no types (see [`value`]), and its booleans are
/// `true`/`false` on both backends (SQLite stores them as integers).
fn usage_record(row: &DbRow) -> Result<Value> {
    let mut m = Map::new();
    for k in ["seq", "duration_s", "bytes"] {
        m.insert(k.into(), Value::from(row.try_get::<i64, _>(k)?));
    }
    m.insert("start_us".into(), time_us(row.try_get::<i64, _>("start_us")?));
    for k in ["outgoing", "tethered"] {
        m.insert(k.into(), Value::from(row.try_get::<bool, _>(k)?));
    }
    for k in ["feed", "record_id", "event", "party", "place", "category", "account"] {
        m.insert(k.into(), Value::from(row.try_get::<String, _>(k)?));
    }
    Ok(Value::Object(m))
}

/// Other people shown by their roles (never their names or staff numbers).
struct Redactor {
    me: Uuid,
    my_label: String,
    by_id: HashMap<Uuid, String>,
    by_label: HashMap<String, String>,
}

impl Redactor {
    async fn person(&mut self, tx: &mut Tx<'_>, id: Option<Uuid>) -> Result<Value> {
        let Some(id) = id else { return Ok(Value::Null) };
        if id == self.me {
            return Ok(json!("the subject"));
        }
        if let Some(v) = self.by_id.get(&id) {
            return Ok(json!(v));
        }
        let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        let label = describe(&roles);
        self.by_id.insert(id, label.clone());
        Ok(json!(label))
    }

    /// An actor label (`person:A1234`, `token:...`, `system`, `cli`).
    async fn actor(&mut self, tx: &mut Tx<'_>, label: &str) -> Result<Value> {
        if label == self.my_label {
            return Ok(json!("the subject"));
        }
        let Some(staff) = label.strip_prefix("person:") else {
            return Ok(json!(if label.starts_with("token:") { "an API client" } else { label }));
        };
        if let Some(v) = self.by_label.get(label) {
            return Ok(json!(v));
        }
        let roles: Vec<String> = sqlx::query_scalar(
            "SELECT r.role FROM person_roles r JOIN people p ON p.id = r.person_id WHERE p.staff_number = $1 ORDER BY r.role",
        )
        .bind(staff)
        .fetch_all(&mut **tx)
        .await?;
        let v = describe(&roles);
        self.by_label.insert(label.to_string(), v.clone());
        Ok(json!(v))
    }
}

fn describe(roles: &[String]) -> String {
    let labels: Vec<&str> = roles.iter().filter_map(|r| r.parse::<Role>().ok()).map(Role::label).collect();
    if labels.is_empty() {
        "a member of staff (name withheld)".into()
    } else {
        format!("{} (name withheld)", labels.join(", "))
    }
}

/// The sections of an export, in the order they are written.
#[allow(dead_code)] // read from the SQLite copy only
pub const SECTIONS: &[&str] = &[
    "profile",
    "roles",
    "personal_numbers",
    "allocations",
    "findings",
    "finding_reviews",
    "approvals_requested",
    "approval_steps_decided",
    "monitoring_cases",
    "monitoring_case_steps",
    "overseas_windows",
    "posts",
    "declarations",
    "psd_reports_made",
    "personal_checks",
    "notifications",
    "views_of_their_data",
    "usage_records",
];

/// One record into the sink, then wait until the sink has room for more (backpressure: the usage
/// records are streamed from the database no faster than the sink's consumer takes them).
async fn emit<S: ExportSink>(out: &mut S, section: &'static str, v: Value) -> Result<()> {
    out.record(section, v)?;
    out.ready().await
}

/// Everything held about person `id`, record by record, into `out` in
/// [`SECTIONS`] order. Returns false if there is no such person.
pub async fn export<S: ExportSink>(pool: &Pool<DB>, id: Uuid, out: &mut S) -> Result<bool> {
    let mut tx = begin_read(pool).await?;
    let staff: Option<String> =
        sqlx::query_scalar("SELECT staff_number FROM people WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let Some(staff) = staff else { return Ok(false) };
    let mut red =
        Redactor { me: id, my_label: format!("person:{staff}"), by_id: HashMap::new(), by_label: HashMap::new() };

    let row = sqlx::query(
        "SELECT p.id, p.staff_number, p.name, p.email, p.kind, b.name AS business_area, p.status, \
         (p.line_manager_id IS NOT NULL) AS has_line_manager, p.created_at, p.updated_at \
         FROM people p JOIN business_areas b ON b.id = p.business_area_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    emit(out, "profile", Value::Object(object(&row))).await?;
    for r in sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
    {
        emit(out, "roles", Value::Object(object(&r))).await?;
    }
    for r in sqlx::query("SELECT phone FROM personal_phones WHERE person_id = $1 ORDER BY phone")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
    {
        emit(out, "personal_numbers", Value::Object(object(&r))).await?;
    }
    for r in sqlx::query(
        "SELECT a.id, d.asset_tag, d.device_type, d.make, d.model, d.phone_number, a.allocated_at, a.allocated_by, a.reason, \
         a.receipt_confirmed_at, a.ended_at, a.ended_by, a.end_reason FROM allocations a JOIN devices d ON d.id = a.device_id \
         WHERE a.person_id = $1 ORDER BY a.allocated_at, a.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        let mut m = object(&r);
        for k in ["allocated_by", "ended_by"] {
            if let Some(l) = m.get(k).and_then(Value::as_str).map(str::to_string) {
                m.insert(k.into(), red.actor(&mut tx, &l).await?);
            }
        }
        emit(out, "allocations", Value::Object(m)).await?;
    }
    let findings = sqlx::query(
        "SELECT id, rule, clause, summary, evidence, severity, status, outcome, reviewer_id, reasons, opened_at, updated_at, \
         closed_at FROM findings WHERE person_id = $1 ORDER BY opened_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut finding_ids = Vec::with_capacity(findings.len());
    for r in &findings {
        let fid: Uuid = r.try_get("id")?;
        finding_ids.push(fid);
        let mut m = object(r);
        let reviewer: Option<Uuid> = r.try_get("reviewer_id")?;
        m.remove("reviewer_id");
        m.insert("reviewer".into(), red.person(&mut tx, reviewer).await?);
        emit(out, "findings", Value::Object(m)).await?;
    }
    for fid in &finding_ids {
        for r in sqlx::query(
            "SELECT finding_id, reviewer_id, status, outcome, reasons, considerations, reviewed_at FROM finding_reviews \
             WHERE finding_id = $1 ORDER BY reviewed_at, id",
        )
        .bind(fid)
        .fetch_all(&mut *tx)
        .await?
        {
            let mut m = object(&r);
            let reviewer: Option<Uuid> = r.try_get("reviewer_id")?;
            m.remove("reviewer_id");
            m.insert("reviewer".into(), red.person(&mut tx, reviewer).await?);
            emit(out, "finding_reviews", Value::Object(m)).await?;
        }
    }
    for r in sqlx::query(
        "SELECT id, kind, title, status, created_at, updated_at, closed_at FROM approval_requests WHERE requester_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        let rid: Uuid = r.try_get("id")?;
        let mut m = object(&r);
        let mut steps = Vec::new();
        for s in sqlx::query(
            "SELECT step_key, clause, decider_role, decided_by, status, decided_at, reasons FROM approval_steps \
             WHERE request_id = $1 ORDER BY position",
        )
        .bind(rid)
        .fetch_all(&mut *tx)
        .await?
        {
            let mut sm = object(&s);
            let by: Option<Uuid> = s.try_get("decided_by")?;
            sm.insert("decided_by".into(), red.person(&mut tx, by).await?);
            steps.push(Value::Object(sm));
        }
        m.insert("steps".into(), Value::Array(steps));
        emit(out, "approvals_requested", Value::Object(m)).await?;
    }
    for r in sqlx::query(
        "SELECT q.kind, q.title, s.step_key, s.clause, s.status, s.decided_at, s.reasons, \
         (s.on_behalf_of IS NOT NULL) AS as_deputy FROM approval_steps s JOIN approval_requests q ON q.id = s.request_id \
         WHERE s.decided_by = $1 ORDER BY s.decided_at",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        emit(out, "approval_steps_decided", Value::Object(object(&r))).await?;
    }
    let cases = sqlx::query(
        "SELECT id, round_id, stage, slot, deadline, devices, handed_over_at, failure_referred, dmi_id, created_at, updated_at \
         FROM monitoring_cases WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut case_ids = Vec::with_capacity(cases.len());
    for r in &cases {
        case_ids.push(r.try_get::<Uuid, _>("id")?);
        let mut m = object(r);
        let dmi: Option<Uuid> = r.try_get("dmi_id")?;
        m.remove("dmi_id");
        m.insert("dmi".into(), red.person(&mut tx, dmi).await?);
        emit(out, "monitoring_cases", Value::Object(m)).await?;
    }
    for cid in &case_ids {
        for r in sqlx::query("SELECT case_id, at, actor, step, clause, detail FROM monitoring_case_steps WHERE case_id = $1 ORDER BY at, id")
            .bind(cid)
            .fetch_all(&mut *tx)
            .await?
        {
            let mut m = object(&r);
            if let Some(l) = m.get("actor").and_then(Value::as_str).map(str::to_string) {
                m.insert("actor".into(), red.actor(&mut tx, &l).await?);
            }
            emit(out, "monitoring_case_steps", Value::Object(m)).await?;
        }
    }
    for r in sqlx::query(
        "SELECT id, devices, countries, from_date, to_date, purpose, status, created_at, decided_at FROM overseas_windows \
         WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        emit(out, "overseas_windows", Value::Object(object(&r))).await?;
    }
    for r in sqlx::query(
        "SELECT p.id, a.platform, a.handle, p.body, p.state, p.version, p.scheduled_for, p.published_at, p.created_at, \
         p.updated_at FROM posts p JOIN social_accounts a ON a.id = p.account_id WHERE p.author_id = $1 ORDER BY p.created_at, p.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        emit(out, "posts", Value::Object(object(&r))).await?;
    }
    // Declarations of notifiable associations the person made (WP034 7.3), with the assessment;
    // the assessor is shown by role. What they declared (platform, who, the nature of the link)
    // is what they told the force themselves.
    let declarations = sqlx::query(
        "SELECT id, kind, platform, counterpart, nature, category, psd_required, status, outcome, conditions, \
         assessed_by, assessed_at, created_at FROM association_declarations WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut declaration_ids = Vec::with_capacity(declarations.len());
    for r in &declarations {
        declaration_ids.push(r.try_get::<Uuid, _>("id")?);
        let mut m = object(r);
        if let Some(l) = m.get("assessed_by").and_then(Value::as_str).map(str::to_string) {
            m.insert("assessed_by".into(), red.actor(&mut tx, &l).await?);
        }
        emit(out, "declarations", Value::Object(m)).await?;
    }
    // Reports to Professional Standards the person made (WP034 7.3, 8.1): their own report, the
    // evidence they gave (name, type, size and digest; the file itself on request), and its
    // timeline with Professional Standards shown by role. PSD's notes are withheld: they are
    // about the person reported. Reports made by others are never read here, so a person who
    // is the subject of a report never learns who made it.
    let reports = sqlx::query(
        "SELECT id, anonymous, platform, what, subject, description, status, outcome, created_at, closed_at \
         FROM psd_reports WHERE reporter_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut report_ids = Vec::with_capacity(reports.len());
    for r in &reports {
        let rid: Uuid = r.try_get("id")?;
        report_ids.push(rid);
        let mut m = object(r);
        let evidence = sqlx::query(
            "SELECT file_name, media_type, size_bytes, sha256, added_at FROM psd_report_evidence WHERE report_id = $1 \
             ORDER BY added_at, id",
        )
        .bind(rid)
        .fetch_all(&mut *tx)
        .await?;
        m.insert("evidence".into(), Value::Array(evidence.iter().map(|e| Value::Object(object(e))).collect()));
        let mut timeline = Vec::new();
        for e in
            sqlx::query("SELECT at, actor, event, outcome FROM psd_report_events WHERE report_id = $1 ORDER BY at, id")
                .bind(rid)
                .fetch_all(&mut *tx)
                .await?
        {
            let mut em = object(&e);
            if let Some(l) = em.get("actor").and_then(Value::as_str).map(str::to_string) {
                em.insert("actor".into(), red.actor(&mut tx, &l).await?);
            }
            timeline.push(Value::Object(em));
        }
        m.insert("timeline".into(), Value::Array(timeline));
        emit(out, "psd_reports_made", Value::Object(m)).await?;
    }
    // Personal-profile checks the person chose to keep (WP034 7.1, 7.2): only they see them.
    for r in sqlx::query(
        "SELECT id, text, advice, pack_version, created_at FROM personal_checks WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        emit(out, "personal_checks", Value::Object(object(&r))).await?;
    }
    for r in sqlx::query(
        "SELECT kind, title, body, link, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    {
        emit(out, "notifications", Value::Object(object(&r))).await?;
    }
    // Views of their sensitive data: the audit events that read it, by subject.
    let mut subjects = vec![format!("person:{staff}"), format!("person:{id}")];
    subjects.extend(finding_ids.iter().map(|f| format!("finding:{f}")));
    subjects.extend(case_ids.iter().map(|c| format!("monitoring_case:{c}")));
    subjects.extend(declaration_ids.iter().map(|d| format!("declaration:{d}")));
    subjects.extend(report_ids.iter().map(|r| format!("psd_report:{r}")));
    for s in &subjects {
        for r in sqlx::query(
            "SELECT at_us, actor, action, subject, clause, justification FROM audit_events WHERE subject = $1 \
             AND action LIKE '%view%' ORDER BY seq",
        )
        .bind(s)
        .fetch_all(&mut *tx)
        .await?
        {
            let mut m = object(&r);
            if let Some(l) = m.get("actor").and_then(Value::as_str).map(str::to_string) {
                m.insert("actor".into(), red.actor(&mut tx, &l).await?);
            }
            m.insert("why".into(), m.get("justification").cloned().unwrap_or(Value::Null));
            m.remove("justification");
            emit(out, "views_of_their_data", Value::Object(m)).await?;
        }
    }
    // The person's usage records, in `seq` order: each range that may hold one (their spans, and
    // whatever no import batch covered) walked by the table's key.
    let spans: Vec<(i64, i64)> =
        sqlx::query_as("SELECT first_seq, last_seq FROM usage_person_spans WHERE person_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let cover: Vec<(i64, i64)> =
        sqlx::query_as("SELECT first_seq, last_seq FROM usage_person_cover ORDER BY first_seq")
            .fetch_all(&mut *tx)
            .await?;
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM usage_records").fetch_one(&mut *tx).await?;
    let uncovered = newest.map(|n| crate::data_protection::gaps(&cover, 1, n)).unwrap_or_default();
    for (first, last) in crate::data_protection::merged(spans.into_iter().chain(uncovered)) {
        let mut rows = sqlx::query(
            "SELECT seq, feed, record_id, event, start_us, duration_s, bytes, outgoing, tethered, party, place, category, account \
             FROM usage_records WHERE seq >= $1 AND seq <= $2 AND person_id = $3 ORDER BY seq",
        )
        .bind(first)
        .bind(last)
        .bind(id)
        .fetch(&mut *tx);
        while let Some(r) = rows.try_next().await? {
            emit(out, "usage_records", usage_record(&r)?).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
