//! The people SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! People, business areas and the people import.

use super::{DB, DbRow, Tx, begin_write, chunk_rows};
use super::{accounts, audit, chunked, devices, social_accounts};
use crate::{AuditEntry, BusinessArea, ImportSummary, Page, Person, PersonFilter, Progress, Result, StoreError, Write};
use custodian_domain::imports::{ImportAuthority, PersonRow, RowError, StoredRights, check_row_rights};
use custodian_domain::people::{PersonKind, PersonStatus, Role};
use custodian_domain::social_accounts::EndedReason;
use serde_json::{Value, json};
use sqlx::Pool;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const PERSON_SELECT: &str = "SELECT p.id, p.staff_number, p.name, p.email, p.kind, p.status, p.line_manager_id, \
    p.business_area_id, ba.name AS business_area, ba.head_id, lm.staff_number AS lm_staff, lm.name AS lm_name \
    FROM people p JOIN business_areas ba ON ba.id = p.business_area_id LEFT JOIN people lm ON lm.id = p.line_manager_id";

pub fn bad(field: &str, v: &str) -> StoreError {
    StoreError::Invalid(format!("stored {field} {v:?} is not recognised"))
}

/// A person's columns as [`PERSON_SELECT`] reads them: the stored person, and the names its
/// joins add; roles and phones are read apart.
#[derive(sqlx::FromRow)]
struct PersonColumns {
    #[sqlx(flatten)]
    p: StoredPerson,
    business_area: String,
    head_id: Option<Uuid>,
    lm_staff: Option<String>,
    lm_name: Option<String>,
}

async fn person_from_row(conn: &mut <DB as sqlx::Database>::Connection, r: &DbRow) -> Result<Person> {
    let PersonColumns { p, business_area, head_id, lm_staff, lm_name } = crate::row::read(r)?;
    let id = p.id;
    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r)).collect();
    roles.sort();
    let phones: Vec<String> =
        sqlx::query_scalar("SELECT phone FROM personal_phones WHERE person_id = $1 ORDER BY phone")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Person {
        id,
        staff_number: p.staff_number,
        name: p.name,
        email: p.email,
        kind: p.kind,
        business_area,
        business_area_id: p.business_area_id,
        line_manager_id: p.line_manager_id,
        line_manager_staff_number: lm_staff,
        line_manager_name: lm_name,
        status: p.status,
        roles,
        personal_phones: phones,
        is_head_of_department: head_id == Some(id),
    })
}

/// [`person_from_row`] for each row, on one connection.
async fn people_from_rows(pool: &Pool<DB>, rows: &[DbRow]) -> Result<Vec<Person>> {
    let mut items = Vec::with_capacity(rows.len());
    let mut conn = pool.acquire().await?;
    for r in rows {
        items.push(person_from_row(&mut conn, r).await?);
    }
    Ok(items)
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
    .await?;
    let rows = sqlx::query(&format!("{PERSON_SELECT} {cond} ORDER BY p.name, p.staff_number LIMIT $4 OFFSET $5"))
        .bind(&q)
        .bind(&f.business_area)
        .bind(status)
        .bind(per_page)
        .bind((page - 1).max(0).saturating_mul(per_page))
        .fetch_all(pool)
        .await?;
    let items = people_from_rows(pool, &rows).await?;
    Ok(Page { items, total, page, per_page })
}

pub async fn direct_reports(pool: &Pool<DB>, manager: Uuid) -> Result<Vec<Person>> {
    let rows = sqlx::query(&format!("{PERSON_SELECT} WHERE p.line_manager_id = $1 ORDER BY p.name"))
        .bind(manager)
        .fetch_all(pool)
        .await?;
    people_from_rows(pool, &rows).await
}

/// A cheap signature of the people register for caches of its names (WP034 8.2: the comment
/// triage's staff index): how many people there are and the latest `updated_at`. Every insert
/// adds a row (people are never deleted) and every change of name or status sets `updated_at`,
/// so a change by any process changes the signature (unless it is stamped no later than the
/// latest stamp already there; callers also re-read after a while).
pub async fn people_signature(pool: &Pool<DB>) -> Result<(i64, Option<String>)> {
    Ok(sqlx::query_as("SELECT COUNT(*), CAST(MAX(updated_at) AS TEXT) FROM people").fetch_one(pool).await?)
}

pub async fn staff_names(pool: &Pool<DB>) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT staff_number, name FROM people WHERE status = 'active' ORDER BY staff_number")
        .fetch_all(pool)
        .await?)
}

pub async fn business_areas(pool: &Pool<DB>) -> Result<Vec<BusinessArea>> {
    let rows = sqlx::query(
        "SELECT ba.id, ba.name, ba.head_id, h.name AS head_name, \
         (SELECT COUNT(*) FROM people p WHERE p.business_area_id = ba.id AND p.status = 'active') AS people \
         FROM business_areas ba LEFT JOIN people h ON h.id = ba.head_id ORDER BY ba.name",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(crate::row::read).collect()
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

/// Staff numbers that rows refer to as line managers but that are neither in `rows` nor stored.
/// One query per chunk of the managers outside the file, not one per row.
pub async fn unknown_managers(pool: &Pool<DB>, rows: &[PersonRow]) -> Result<Vec<RowError>> {
    let in_file: HashSet<&str> = rows.iter().map(|r| r.staff_number.as_str()).collect();
    let outside: Vec<&str> = {
        let mut v: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.line_manager.as_ref().map(|m| m.as_str()))
            .filter(|m| !in_file.contains(m))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let found: Vec<(String,)> = chunked::fetch_in(
        &mut *pool.acquire().await?,
        "SELECT staff_number FROM people WHERE staff_number IN (",
        &outside,
    )
    .await?;
    let stored: HashSet<String> = found.into_iter().map(|(sn,)| sn).collect();
    let mut errs = Vec::new();
    for r in rows {
        if let Some(m) = &r.line_manager
            && !in_file.contains(m.as_str())
            && !stored.contains(m.as_str())
        {
            errs.push(RowError {
                line: r.line,
                field: Some("line_manager".into()),
                message: format!("no person with staff number {m} in the file or the register"),
            });
        }
    }
    Ok(errs)
}

/// A person as stored when an import starts, read with every other in one pass (roles and
/// phones apart).
#[derive(sqlx::FromRow)]
struct StoredPerson {
    id: Uuid,
    staff_number: String,
    name: String,
    email: String,
    #[sqlx(try_from = "String")]
    kind: PersonKind,
    business_area_id: Uuid,
    line_manager_id: Option<Uuid>,
    #[sqlx(try_from = "String")]
    status: PersonStatus,
    #[sqlx(skip)]
    roles: Vec<Role>,
    #[sqlx(skip)]
    phones: Vec<String>,
}

/// The register as an import sees it: every person by staff number, roles and phones, and the
/// business areas with their heads. One query per table.
struct Register {
    people: Vec<StoredPerson>,
    by_staff: HashMap<String, usize>,
    by_id: HashMap<Uuid, usize>,
    area_by_name: HashMap<String, Uuid>,
    area_name: HashMap<Uuid, String>,
    heads: HashMap<Uuid, Option<Uuid>>,
}

impl Register {
    async fn load(tx: &mut Tx<'_>) -> Result<Self> {
        let mut people = Vec::new();
        let mut index: HashMap<Uuid, usize> = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, staff_number, name, email, kind, business_area_id, line_manager_id, status FROM people",
        )
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            let p: StoredPerson = crate::row::read(r)?;
            index.insert(p.id, people.len());
            people.push(p);
        }
        drop(rows);
        let roles: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT person_id, role FROM person_roles").fetch_all(&mut **tx).await?;
        for (id, role) in roles {
            if let (Some(i), Some(role)) = (index.get(&id), Role::parse(&role)) {
                people[*i].roles.push(role);
            }
        }
        let phones: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT person_id, phone FROM personal_phones").fetch_all(&mut **tx).await?;
        for (id, phone) in phones {
            if let Some(i) = index.get(&id) {
                people[*i].phones.push(phone);
            }
        }
        for p in &mut people {
            p.roles.sort();
            p.phones.sort();
        }
        let by_staff = people.iter().enumerate().map(|(i, p)| (p.staff_number.clone(), i)).collect();
        let (mut area_by_name, mut area_name, mut heads) = (HashMap::new(), HashMap::new(), HashMap::new());
        let areas: Vec<(Uuid, String, Option<Uuid>)> =
            sqlx::query_as("SELECT id, name, head_id FROM business_areas").fetch_all(&mut **tx).await?;
        for (id, name, head) in areas {
            area_by_name.insert(name.clone(), id);
            area_name.insert(id, name);
            heads.insert(id, head);
        }
        Ok(Self { people, by_staff, by_id: index, area_by_name, area_name, heads })
    }

    /// The staff number of a stored person.
    fn staff_of(&self, id: Option<Uuid>) -> Option<&str> {
        id.and_then(|id| self.by_id.get(&id)).map(|i| self.people[*i].staff_number.as_str())
    }

    /// The stored person as the audit log's snapshot shows them (the same fields and order as
    /// [`row_snapshot`], so an unchanged row compares equal).
    fn snapshot(&self, p: &StoredPerson) -> Value {
        let manager = self.staff_of(p.line_manager_id);
        json!({
            "staff_number": p.staff_number, "name": p.name, "email": p.email, "kind": p.kind.as_str(),
            "business_area": self.area_name.get(&p.business_area_id), "line_manager": manager,
            "roles": p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": p.status.as_str(),
            "personal_phones": p.phones,
        })
    }
}

/// One row the import applies: the row, its person's id, what was stored (if anything) and the
/// roles to store.
struct Planned<'a> {
    row: &'a PersonRow,
    id: Uuid,
    before: Option<usize>,
    roles: Vec<Role>,
    area: Uuid,
    manager: Option<Uuid>,
}

/// Upsert people by staff number in one transaction (WP034 4.1: devices go to named people).
/// A leaver keeps their record and history. Unchanged rows write nothing.
///
/// The register is read once (one query per table), every row is planned in memory in file
/// order, and the changes go out as multi-row statements, so the time does not grow with the
/// database's round trips. The outcome is the one applying the rows one at a time in file order
/// gives: the same checks in the same order, the same records and the same audit events.
///
/// Each row is checked against `authority` and what is stored now ([`check_row_rights`]): a
/// change the importer may not make (roles by anyone but an administrator or the system
/// operator, their own roles, line manager or status, ...) rolls the whole import back and the
/// inner `Err` lists every such row with its line and field. Role changes ignored under
/// `ignore_roles` are listed in [`ImportSummary::ignored`]. Changes to roles, line manager and
/// status are each audited as their own event (`person.roles_changed`,
/// `person.line_manager_changed`, `person.status_changed`) with the values before and after.
pub async fn import_people(
    pool: &Pool<DB>,
    rows: &[PersonRow],
    authority: &ImportAuthority,
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
    progress: Progress<'_>,
) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    let mut reg = Register::load(&mut tx).await?;
    let mut refused: Vec<RowError> = Vec::new();
    let mut plan: Vec<Planned> = Vec::with_capacity(rows.len());
    let mut new_areas: Vec<(Uuid, &str)> = Vec::new();
    // Pass 1: rights, business areas and ids, in file order.
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 + 1);
        let before = reg.by_staff.get(r.staff_number.as_str()).copied();
        let stored = before.map(|b| &reg.people[b]);
        let rights = check_row_rights(
            authority,
            r,
            stored.map(|p| StoredRights {
                roles: &p.roles,
                line_manager: reg.staff_of(p.line_manager_id),
                status: p.status,
                business_area: reg.area_name.get(&p.business_area_id).map_or("", String::as_str),
            }),
        );
        sum.ignored.extend(rights.ignored);
        if !rights.errors.is_empty() || !refused.is_empty() {
            // Nothing is written once a row is refused; the rest are only checked.
            refused.extend(rights.errors);
            continue;
        }
        let area = match reg.area_by_name.get(&r.business_area) {
            Some(a) => *a,
            None => {
                let a = Uuid::now_v7();
                reg.area_by_name.insert(r.business_area.clone(), a);
                reg.area_name.insert(a, r.business_area.clone());
                reg.heads.insert(a, None);
                new_areas.push((a, &r.business_area));
                a
            }
        };
        let id = stored.map_or_else(Uuid::now_v7, |p| p.id);
        plan.push(Planned { row: r, id, before, roles: rights.roles, area, manager: None });
    }
    if !refused.is_empty() {
        // Dropping the transaction rolls back: nothing of the file is written.
        refused.sort_by_key(|e| e.line);
        return Ok(Err(refused));
    }
    // Email addresses are unique: checked in file order, as each row's write would find them.
    let mut emails: HashMap<&str, (Uuid, &str)> =
        reg.people.iter().map(|p| (p.email.as_str(), (p.id, p.staff_number.as_str()))).collect();
    for p in &plan {
        if let Some((other, sn)) = emails.get(p.row.email.as_str())
            && *other != p.id
        {
            return Err(StoreError::Conflict(format!(
                "line {}: email: {} is already the email address of {sn}",
                p.row.line, p.row.email
            )));
        }
        if let Some(b) = p.before {
            emails.remove(reg.people[b].email.as_str());
        }
        emails.insert(&p.row.email, (p.id, p.row.staff_number.as_str()));
    }
    drop(emails);
    // Pass 2: line managers, once everyone in the file has an id.
    let ids: HashMap<&str, Uuid> = reg
        .people
        .iter()
        .map(|p| (p.staff_number.as_str(), p.id))
        .chain(plan.iter().map(|p| (p.row.staff_number.as_str(), p.id)))
        .collect();
    for p in &mut plan {
        p.manager = match &p.row.line_manager {
            Some(m) => Some(*ids.get(m.as_str()).ok_or_else(|| {
                StoreError::invalid_line(p.row.line, Some("line_manager"), format!("no person with staff number {m}"))
            })?),
            None => None,
        };
    }
    drop(ids);
    // WP034 4.8b: a head_of_department heads their own business area; anyone else heads none.
    let stored_heads = reg.heads.clone();
    for p in &plan {
        if p.roles.contains(&Role::HeadOfDepartment) {
            reg.heads.insert(p.area, Some(p.id));
        } else {
            for head in reg.heads.values_mut().filter(|h| **h == Some(p.id)) {
                *head = None;
            }
        }
    }
    // Pass 3: what changed, and its audit events, in file order.
    let names = |roles: &[Role]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    let mut events: Vec<AuditEntry> = Vec::new();
    let mut changed: Vec<&Planned> = Vec::new();
    let mut renamed = false;
    for p in &plan {
        let r = p.row;
        let after = row_snapshot(r, &p.roles);
        let subject = format!("person:{}", r.staff_number);
        let before = p.before.map(|b| &reg.people[b]);
        match before {
            None => {
                sum.created += 1;
                events.push(AuditEntry::new("person.create", subject.clone()).clause("4.1").after(after));
            }
            Some(b) => {
                let snap = reg.snapshot(b);
                if snap == after {
                    sum.unchanged += 1;
                } else {
                    sum.updated += 1;
                    renamed |= b.name != r.name;
                    changed.push(p);
                    events.push(
                        AuditEntry::new("person.update", subject.clone()).clause("4.1").before(snap).after(after),
                    );
                }
            }
        }
        let old_roles: &[Role] = before.map_or(&[], |b| &b.roles);
        if p.roles != old_roles {
            let added: Vec<&str> = p.roles.iter().filter(|x| !old_roles.contains(x)).map(|x| x.as_str()).collect();
            let removed: Vec<&str> = old_roles.iter().filter(|x| !p.roles.contains(x)).map(|x| x.as_str()).collect();
            events.push(AuditEntry::new("person.roles_changed", subject.clone()).clause("4.1").detail(json!({
                "before": names(old_roles), "after": names(&p.roles), "added": added, "removed": removed, "by": "import",
            })));
        }
        if let Some(b) = before {
            let old_manager = reg.staff_of(b.line_manager_id).map(str::to_string);
            let new_manager = r.line_manager.as_ref().map(|m| m.as_str().to_string());
            if new_manager != old_manager {
                events.push(AuditEntry::new("person.line_manager_changed", subject.clone()).clause("4.2").detail(
                    json!({
                        "before": old_manager, "after": new_manager, "by": "import",
                    }),
                ));
            }
            if b.status != r.status {
                events.push(AuditEntry::new("person.status_changed", subject).clause("4.1").detail(json!({
                    "before": b.status.as_str(), "after": r.status.as_str(), "by": "import",
                })));
            }
        }
    }
    // The writes: areas, people, line managers, roles, phones, heads.
    for chunk in new_areas.chunks(chunk_rows(3)) {
        let mut q = sqlx::QueryBuilder::<DB>::new("INSERT INTO business_areas (id, name, head_id, created_at) ");
        q.push_values(chunk, |mut b, (id, name)| {
            b.push_bind(*id).push_bind(*name).push("NULL").push_bind(now);
        });
        q.build().persistent(false).execute(&mut *tx).await?;
    }
    let created: Vec<&Planned> = plan.iter().filter(|p| p.before.is_none()).collect();
    for chunk in created.chunks(chunk_rows(9)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO people (id, staff_number, name, email, kind, business_area_id, line_manager_id, status, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.id)
                .push_bind(p.row.staff_number.as_str())
                .push_bind(&p.row.name)
                .push_bind(&p.row.email)
                .push_bind(p.row.kind.as_str())
                .push_bind(p.area)
                .push("NULL")
                .push_bind(p.row.status.as_str())
                .push_bind(now)
                .push_bind(now);
        });
        q.build()
            .persistent(false)
            .execute(&mut *tx)
            .await
            .map_err(|e| chunk_err(chunk.iter().map(|p| p.row.line), e))?;
    }
    // An address one person gives up may be taken by another in the same file (checked above in
    // file order); a multi-row UPDATE checks uniqueness row by row in an order of its own, so
    // the addresses that move are first parked on values no real address can equal (no "@").
    let moving: Vec<(Uuid, String)> = changed
        .iter()
        .filter(|p| p.before.is_some_and(|b| reg.people[b].email != p.row.email))
        .map(|p| (p.id, format!("moving:{}", p.row.staff_number)))
        .collect();
    for chunk in moving.chunks(chunk_rows(2)) {
        let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE people SET email = v.column2 FROM (");
        q.push_values(chunk, |mut b, (id, parked)| {
            b.push_bind(*id).push_bind(parked);
        });
        q.push(") AS v WHERE people.id = v.column1");
        q.build().persistent(false).execute(&mut *tx).await?;
    }
    for chunk in changed.chunks(chunk_rows(7)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "UPDATE people SET name = v.column2, email = v.column3, kind = v.column4, business_area_id = v.column5, \
             status = v.column6, updated_at = v.column7 FROM (",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.id)
                .push_bind(&p.row.name)
                .push_bind(&p.row.email)
                .push_bind(p.row.kind.as_str())
                .push_bind(p.area)
                .push_bind(p.row.status.as_str())
                .push_bind(now);
        });
        q.push(") AS v WHERE people.id = v.column1");
        q.build()
            .persistent(false)
            .execute(&mut *tx)
            .await
            .map_err(|e| chunk_err(chunk.iter().map(|p| p.row.line), e))?;
    }
    let managers: Vec<(Uuid, Option<Uuid>)> = plan
        .iter()
        .filter(|p| p.manager != p.before.and_then(|b| reg.people[b].line_manager_id))
        .map(|p| (p.id, p.manager))
        .collect();
    for chunk in managers.chunks(chunk_rows(2)) {
        let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE people SET line_manager_id = v.column2 FROM (");
        q.push_values(chunk, |mut b, (id, m)| {
            b.push_bind(*id).push_bind(*m);
        });
        q.push(") AS v WHERE people.id = v.column1");
        q.build().persistent(false).execute(&mut *tx).await?;
    }
    let mut roles_gone: Vec<(Uuid, &str)> = Vec::new();
    let mut roles_new: Vec<(Uuid, &str)> = Vec::new();
    let mut phones_gone: Vec<(Uuid, &str)> = Vec::new();
    let mut phones_new: Vec<(Uuid, &str)> = Vec::new();
    let mut leavers: Vec<(Uuid, &str)> = Vec::new();
    // WP034 6.7, 9.1: leavers and movers stop being authorised users of social media accounts.
    let mut endings: Vec<social_accounts::Ending> = Vec::new();
    for p in &plan {
        let (old_roles, old_phones): (&[Role], &[String]) = match p.before {
            Some(b) => (&reg.people[b].roles, &reg.people[b].phones),
            None => (&[], &[]),
        };
        roles_gone.extend(old_roles.iter().filter(|x| !p.roles.contains(x)).map(|x| (p.id, x.as_str())));
        roles_new.extend(p.roles.iter().filter(|x| !old_roles.contains(x)).map(|x| (p.id, x.as_str())));
        let mut phones: Vec<&str> = p.row.personal_phones.iter().map(String::as_str).collect();
        phones.sort_unstable();
        phones.dedup();
        phones_gone.extend(old_phones.iter().filter(|x| !phones.contains(&x.as_str())).map(|x| (p.id, x.as_str())));
        phones_new.extend(phones.iter().filter(|x| !old_phones.iter().any(|o| o == *x)).map(|x| (p.id, *x)));
        if p.before.is_some() && p.row.status == PersonStatus::Leaver {
            leavers.push((p.id, p.row.staff_number.as_str()));
            endings.push(social_accounts::Ending {
                person: p.id,
                staff_number: p.row.staff_number.as_str(),
                reason: EndedReason::Left,
                new_team: None,
            });
        } else if let Some(b) = p.before
            && reg.people[b].business_area_id != p.area
        {
            endings.push(social_accounts::Ending {
                person: p.id,
                staff_number: p.row.staff_number.as_str(),
                reason: EndedReason::Moved,
                new_team: Some(p.row.business_area.as_str()),
            });
        }
    }
    pairs_delete(&mut tx, "person_roles", "role", &roles_gone).await?;
    pairs_insert(&mut tx, "person_roles", "role", &roles_new).await?;
    pairs_delete(&mut tx, "personal_phones", "phone", &phones_gone).await?;
    pairs_insert(&mut tx, "personal_phones", "phone", &phones_new).await?;
    for (area, head) in &reg.heads {
        if stored_heads.get(area) != Some(head) {
            sqlx::query("UPDATE business_areas SET head_id = $1 WHERE id = $2")
                .bind(*head)
                .bind(*area)
                .execute(&mut *tx)
                .await?;
        }
    }
    if renamed {
        devices::search_sync(&mut tx).await?;
    }
    // WP034 9.1: a leaver's tokens and sessions end (their events come first, as they did when
    // each row ended them as it was written).
    let mut all = accounts::end_leavers_credentials(&mut tx, &leavers, now).await?;
    all.append(&mut events);
    all.append(&mut social_accounts::end_for_people(&mut tx, &endings, now).await?);
    if sum.created + sum.updated > 0 {
        all.push(AuditEntry::new("import.people", "import:people").detail(json!({
            "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged,
            "roles_ignored": sum.ignored.len(),
        })));
    }
    audit::audit_batch(&mut tx, actor, now, all).await?;
    tx.commit().await?;
    Ok(Ok(sum))
}

/// Delete `(person_id, column)` pairs from `table` in multi-row statements.
async fn pairs_delete(tx: &mut Tx<'_>, table: &str, column: &str, pairs: &[(Uuid, &str)]) -> Result<()> {
    for chunk in pairs.chunks(chunk_rows(2)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE (person_id, {column}) IN ("));
        q.push_values(chunk, |mut b, (id, v)| {
            b.push_bind(*id).push_bind(*v);
        });
        q.push(")");
        q.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Insert `(person_id, column)` pairs into `table` in multi-row statements.
async fn pairs_insert(tx: &mut Tx<'_>, table: &str, column: &str, pairs: &[(Uuid, &str)]) -> Result<()> {
    for chunk in pairs.chunks(chunk_rows(2)) {
        let mut q = sqlx::QueryBuilder::<DB>::new(format!("INSERT INTO {table} (person_id, {column}) "));
        q.push_values(chunk, |mut b, (id, v)| {
            b.push_bind(*id).push_bind(*v);
        });
        q.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A database error from a multi-row statement, naming the lines it wrote (the checks before it
/// name the line and field of every problem they know of; this is for the rest).
pub fn chunk_err(lines: impl Iterator<Item = u64>, e: sqlx::Error) -> StoreError {
    let lines: Vec<u64> = lines.collect();
    let span = match (lines.iter().min(), lines.iter().max()) {
        (Some(a), Some(b)) if a == b => format!("line {a}"),
        (Some(a), Some(b)) => format!("lines {a}-{b}"),
        _ => "the file".to_string(),
    };
    match StoreError::from_sqlx(e) {
        StoreError::Conflict(m) => StoreError::Conflict(format!("{span}: {m}")),
        StoreError::Invalid(m) => StoreError::Invalid(format!("{span}: {m}")),
        other => other,
    }
}

pub fn line_err(line: u64, e: sqlx::Error) -> StoreError {
    match StoreError::from_sqlx(e) {
        StoreError::Conflict(m) => StoreError::Conflict(format!("line {line}: {m}")),
        StoreError::Invalid(m) => StoreError::invalid_line(line, None, m),
        other => other,
    }
}
