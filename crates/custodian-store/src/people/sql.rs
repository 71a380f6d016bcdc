//! The people SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! People, business areas and the people import.

use super::{DB, Tx, DbRow, begin_write};
use super::{accounts, audit, devices};
#[allow(unused_imports)]
use crate::*;
use custodian_domain::imports::{check_row_rights, ImportAuthority, PersonRow, RowError, StoredRights};
use custodian_domain::people::{PersonKind, PersonStatus, Role};
use serde_json::{json, Value};
use sqlx::{Pool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

const PERSON_SELECT: &str = "SELECT p.id, p.staff_number, p.name, p.email, p.kind, p.status, p.line_manager_id, \
    p.business_area_id, ba.name AS business_area, ba.head_id, lm.staff_number AS lm_staff, lm.name AS lm_name \
    FROM people p JOIN business_areas ba ON ba.id = p.business_area_id LEFT JOIN people lm ON lm.id = p.line_manager_id";

pub fn bad(field: &str, v: &str) -> StoreError {
    StoreError::Invalid(format!("stored {field} {v:?} is not recognised"))
}

async fn person_from_row(conn: &mut <DB as sqlx::Database>::Connection, r: &DbRow) -> Result<Person> {
    let id: Uuid = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let head: Option<Uuid> = r.try_get("head_id")?;
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        ?;
    let mut roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r)).collect();
    roles.sort();
    let phones: Vec<String> = sqlx::query_scalar("SELECT phone FROM personal_phones WHERE person_id = $1 ORDER BY phone")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        ?;
    Ok(Person {
        id,
        staff_number: r.try_get("staff_number")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        kind: PersonKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        business_area: r.try_get("business_area")?,
        business_area_id: r.try_get("business_area_id")?,
        line_manager_id: r.try_get("line_manager_id")?,
        line_manager_staff_number: r.try_get("lm_staff")?,
        line_manager_name: r.try_get("lm_name")?,
        status: PersonStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        roles,
        personal_phones: phones,
        is_head_of_department: head == Some(id),
    })
}

pub async fn person_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.id = $1");
    match sqlx::query(&sql).bind(id).fetch_optional(pool).await? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await?, &r).await?)),
        None => Ok(None),
    }
}

pub async fn person_by_staff_number(pool: &Pool<DB>, sn: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.staff_number = $1");
    match sqlx::query(&sql).bind(sn.to_ascii_uppercase()).fetch_optional(pool).await? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await?, &r).await?)),
        None => Ok(None),
    }
}

pub async fn person_by_email(pool: &Pool<DB>, email: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.email = $1");
    match sqlx::query(&sql).bind(email.trim().to_ascii_lowercase()).fetch_optional(pool).await? {
        Some(r) => Ok(Some(person_from_row(&mut *pool.acquire().await?, &r).await?)),
        None => Ok(None),
    }
}

pub fn like(q: &Option<String>) -> Option<String> {
    q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.to_lowercase()))
}

pub async fn people_page(pool: &Pool<DB>, f: &PersonFilter, page: i64, per_page: i64) -> Result<Page<Person>> {
    let q = like(&f.q);
    let status = f.status.map(|s| s.as_str());
    let cond = "WHERE ($1 IS NULL OR lower(p.name) LIKE $1 OR lower(p.staff_number) LIKE $1 OR lower(p.email) LIKE $1) \
                AND ($2 IS NULL OR ba.name = $2) AND ($3 IS NULL OR p.status = $3)";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM people p JOIN business_areas ba ON ba.id = p.business_area_id {cond}"
    ))
    .bind(&q)
    .bind(&f.business_area)
    .bind(status)
    .fetch_one(pool)
    .await
    ?;
    let rows = sqlx::query(&format!("{PERSON_SELECT} {cond} ORDER BY p.name, p.staff_number LIMIT $4 OFFSET $5"))
        .bind(&q)
        .bind(&f.business_area)
        .bind(status)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await
        ?;
    let mut items = Vec::with_capacity(rows.len());
    let mut conn = pool.acquire().await?;
    for r in &rows {
        items.push(person_from_row(&mut conn, r).await?);
    }
    Ok(Page { items, total, page, per_page })
}

pub async fn direct_reports(pool: &Pool<DB>, manager: Uuid) -> Result<Vec<Person>> {
    let rows = sqlx::query(&format!("{PERSON_SELECT} WHERE p.line_manager_id = $1 ORDER BY p.name"))
        .bind(manager)
        .fetch_all(pool)
        .await
        ?;
    let mut items = Vec::with_capacity(rows.len());
    let mut conn = pool.acquire().await?;
    for r in &rows {
        items.push(person_from_row(&mut conn, r).await?);
    }
    Ok(items)
}

pub async fn business_areas(pool: &Pool<DB>) -> Result<Vec<BusinessArea>> {
    let rows = sqlx::query(
        "SELECT ba.id, ba.name, ba.head_id, h.name AS head_name, \
         (SELECT COUNT(*) FROM people p WHERE p.business_area_id = ba.id AND p.status = 'active') AS people \
         FROM business_areas ba LEFT JOIN people h ON h.id = ba.head_id ORDER BY ba.name",
    )
    .fetch_all(pool)
    .await
    ?;
    rows.iter()
        .map(|r| {
            Ok(BusinessArea {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                head_id: r.try_get("head_id")?,
                head_name: r.try_get("head_name")?,
                people: r.try_get("people")?,
            })
        })
        .collect()
}

fn person_snapshot(p: &Person) -> Value {
    json!({
        "staff_number": p.staff_number, "name": p.name, "email": p.email, "kind": p.kind.as_str(),
        "business_area": p.business_area, "line_manager": p.line_manager_staff_number,
        "roles": p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": p.status.as_str(),
        "personal_phones": p.personal_phones,
    })
}

fn row_snapshot(r: &PersonRow, roles: &[Role]) -> Value {
    let mut phones = r.personal_phones.clone();
    phones.sort();
    phones.dedup();
    json!({
        "staff_number": r.staff_number.as_str(), "name": r.name, "email": r.email, "kind": r.kind.as_str(),
        "business_area": r.business_area, "line_manager": r.line_manager.as_ref().map(|m| m.as_str().to_string()),
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": r.status.as_str(),
        "personal_phones": phones,
    })
}

async fn tx_person_by_staff(tx: &mut Tx<'_>, sn: &str) -> Result<Option<Person>> {
    let sql = format!("{PERSON_SELECT} WHERE p.staff_number = $1");
    let row = sqlx::query(&sql).bind(sn).fetch_optional(&mut **tx).await?;
    match row {
        Some(r) => Ok(Some(person_from_row(tx, &r).await?)),
        None => Ok(None),
    }
}

/// Staff numbers that rows refer to as line managers but that are neither in `rows` nor stored.
pub async fn unknown_managers(pool: &Pool<DB>, rows: &[PersonRow]) -> Result<Vec<RowError>> {
    let in_file: std::collections::HashSet<&str> = rows.iter().map(|r| r.staff_number.as_str()).collect();
    let mut errs = Vec::new();
    for r in rows {
        if let Some(m) = &r.line_manager {
            if in_file.contains(m.as_str()) {
                continue;
            }
            let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                .bind(m.as_str())
                .fetch_optional(pool)
                .await
                ?;
            if found.is_none() {
                errs.push(RowError {
                    line: r.line,
                    field: Some("line_manager".into()),
                    message: format!("no person with staff number {m} in the file or the register"),
                });
            }
        }
    }
    Ok(errs)
}

async fn area_id(tx: &mut Tx<'_>, name: &str, now: OffsetDateTime) -> Result<Uuid> {
    if let Some(id) = sqlx::query_scalar::<_, Uuid>("SELECT id FROM business_areas WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await
        ?
    {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO business_areas (id, name, head_id, created_at) VALUES ($1, $2, NULL, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(&mut **tx)
        .await
        ?;
    Ok(id)
}

/// Upsert people by staff number in one transaction (WP034 4.1: devices go to named people).
/// A leaver keeps their record and history. Unchanged rows write nothing.
///
/// Each row is checked inside the transaction against `authority` and what is stored now
/// ([`check_row_rights`]): a change the importer may not make (roles by anyone but an
/// administrator or the system operator, their own roles, line manager or status, ...) rolls
/// the whole import back and the inner `Err` lists every such row with its line and field.
/// Role changes ignored under `ignore_roles` are listed in [`ImportSummary::ignored`]. Changes
/// to roles, line manager and status are each audited as their own event (`person.roles_changed`,
/// `person.line_manager_changed`, `person.status_changed`) with the values before and after.
pub async fn import_people(pool: &Pool<DB>, rows: &[PersonRow], authority: &ImportAuthority, actor: &Actor, now: OffsetDateTime, file_sha256: &str, progress: Progress<'_>) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    let mut befores: Vec<(Option<Person>, Vec<Role>)> = Vec::with_capacity(rows.len());
    let mut refused: Vec<RowError> = Vec::new();
    // Pass 1: the people themselves.
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 + 1);
        let before = tx_person_by_staff(&mut tx, r.staff_number.as_str()).await?;
        let rights = check_row_rights(
            authority,
            r,
            before.as_ref().map(|p| StoredRights {
                roles: &p.roles,
                line_manager: p.line_manager_staff_number.as_deref(),
                status: p.status,
                business_area: &p.business_area,
            }),
        );
        sum.ignored.extend(rights.ignored);
        if !rights.errors.is_empty() || !refused.is_empty() {
            // Nothing is written once a row is refused; the rest are only checked.
            refused.extend(rights.errors);
            continue;
        }
        let roles = rights.roles;
        let area = area_id(&mut tx, &r.business_area, now).await?;
        let id = match &before {
            Some(p) => {
                sqlx::query("UPDATE people SET name = $1, email = $2, kind = $3, business_area_id = $4, status = $5, updated_at = $6 WHERE id = $7")
                    .bind(&r.name)
                    .bind(&r.email)
                    .bind(r.kind.as_str())
                    .bind(area)
                    .bind(r.status.as_str())
                    .bind(now)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                if p.name != r.name {
                    devices::search_sync(&mut tx).await?;
                }
                if r.status == PersonStatus::Leaver {
                    accounts::end_leaver_credentials(&mut tx, p.id, r.staff_number.as_str(), actor, now).await?;
                }
                p.id
            }
            None => {
                let id = Uuid::now_v7();
                sqlx::query("INSERT INTO people (id, staff_number, name, email, kind, business_area_id, line_manager_id, status, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $8)")
                    .bind(id)
                    .bind(r.staff_number.as_str())
                    .bind(&r.name)
                    .bind(&r.email)
                    .bind(r.kind.as_str())
                    .bind(area)
                    .bind(r.status.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| line_err(r.line, e))?;
                id
            }
        };
        sqlx::query("DELETE FROM person_roles WHERE person_id = $1").bind(id).execute(&mut *tx).await?;
        for role in &roles {
            sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await
                ?;
        }
        sqlx::query("DELETE FROM personal_phones WHERE person_id = $1").bind(id).execute(&mut *tx).await?;
        let mut phones = r.personal_phones.clone();
        phones.sort();
        phones.dedup();
        for ph in &phones {
            sqlx::query("INSERT INTO personal_phones (person_id, phone) VALUES ($1, $2)")
                .bind(id)
                .bind(ph)
                .execute(&mut *tx)
                .await
                ?;
        }
        // WP034 4.8b: a head_of_department heads their own business area.
        if roles.contains(&Role::HeadOfDepartment) {
            sqlx::query("UPDATE business_areas SET head_id = $1 WHERE id = $2").bind(id).bind(area).execute(&mut *tx).await?;
        } else {
            sqlx::query("UPDATE business_areas SET head_id = NULL WHERE head_id = $1").bind(id).execute(&mut *tx).await?;
        }
        befores.push((before, roles));
    }
    if !refused.is_empty() {
        // Dropping the transaction rolls back: nothing of the file is written.
        refused.sort_by_key(|e| e.line);
        return Ok(Err(refused));
    }
    // Pass 2: line managers, now that everyone in the file exists.
    for r in rows {
        let mgr: Option<Uuid> = match &r.line_manager {
            Some(m) => Some(
                sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                    .bind(m.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    ?
                    .ok_or_else(|| StoreError::Invalid(format!("line {}: line_manager: no person with staff number {m}", r.line)))?,
            ),
            None => None,
        };
        sqlx::query("UPDATE people SET line_manager_id = $1 WHERE staff_number = $2")
            .bind(mgr)
            .bind(r.staff_number.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| line_err(r.line, e))?;
    }
    // Pass 3: audit what changed.
    let names = |roles: &[Role]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    for (r, (before, roles)) in rows.iter().zip(befores) {
        let after = row_snapshot(r, &roles);
        let subject = format!("person:{}", r.staff_number);
        let (old_roles, old_manager, old_status) = match &before {
            Some(p) => (p.roles.clone(), p.line_manager_staff_number.clone(), Some(p.status)),
            None => (Vec::new(), None, None),
        };
        match before {
            None => {
                sum.created += 1;
                audit::audit(&mut tx, actor, now, AuditEntry::new("person.create", subject.clone()).clause("4.1").after(after)).await?;
            }
            Some(p) => {
                let b = person_snapshot(&p);
                if b == after {
                    sum.unchanged += 1;
                } else {
                    sum.updated += 1;
                    audit::audit(&mut tx, actor, now, AuditEntry::new("person.update", subject.clone()).clause("4.1").before(b).after(after)).await?;
                }
            }
        }
        if roles != old_roles {
            let added: Vec<&str> = roles.iter().filter(|x| !old_roles.contains(x)).map(|x| x.as_str()).collect();
            let removed: Vec<&str> = old_roles.iter().filter(|x| !roles.contains(x)).map(|x| x.as_str()).collect();
            audit::audit(&mut tx, actor, now, AuditEntry::new("person.roles_changed", subject.clone()).clause("4.1").detail(json!({
                "before": names(&old_roles), "after": names(&roles), "added": added, "removed": removed, "by": "import",
            })))
            .await?;
        }
        let new_manager = r.line_manager.as_ref().map(|m| m.as_str().to_string());
        if old_status.is_some() && new_manager != old_manager {
            audit::audit(&mut tx, actor, now, AuditEntry::new("person.line_manager_changed", subject.clone()).clause("4.2").detail(json!({
                "before": old_manager, "after": new_manager, "by": "import",
            })))
            .await?;
        }
        if let Some(old) = old_status.filter(|s| *s != r.status) {
            audit::audit(&mut tx, actor, now, AuditEntry::new("person.status_changed", subject).clause("4.1").detail(json!({
                "before": old.as_str(), "after": r.status.as_str(), "by": "import",
            })))
            .await?;
        }
    }
    if sum.created + sum.updated > 0 {
        audit::audit(&mut tx, actor, now, AuditEntry::new("import.people", "import:people").detail(json!({
            "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged,
            "roles_ignored": sum.ignored.len(),
        })))
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(sum))
}

pub fn line_err(line: u64, e: sqlx::Error) -> StoreError {
    match StoreError::from_sqlx(e) {
        StoreError::Conflict(m) => StoreError::Conflict(format!("line {line}: {m}")),
        StoreError::Invalid(m) => StoreError::Invalid(format!("line {line}: {m}")),
        other => other,
    }
}
