//! The apps SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Approved apps (WP034 4.8, 6.5); `UUID_SQL` is the id column type of the backend.

use super::{Conn, DB, Tx, UUID_SQL, begin_write};
use super::{approvals, audit::Record, findings, people};
use crate::approvals::Decided;
use crate::apps::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::apps::{self as domain, Audience, Category as AppCategory, Platform as AppPlatform};
use custodian_domain::imports::RowError;
use custodian_domain::people::Role;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

type LiveGrantRow = (String, String, Option<String>, Option<String>, Option<Uuid>, Option<OffsetDateTime>);
/// An app request row: approval, requester, requester's name, area, app, devices (JSON), need, grant, created.
type AppRequestRow = (Uuid, Uuid, String, Option<String>, Uuid, String, String, Option<Uuid>, OffsetDateTime);

const APP_COLS: &str = "a.id, a.name, a.platform, a.package_id, a.publisher, a.category, a.store_url, a.listed, a.created_at, a.updated_at";

const GRANT_SELECT: &str = "SELECT g.id, g.app_id, g.scope, g.role, g.business_area, g.person_id, p.staff_number, p.name AS person_name, \
    g.expires_at, g.request_id, g.created_at, g.created_by, g.revoked_at FROM app_grants g LEFT JOIN people p ON p.id = g.person_id";

async fn load(conn: &mut Conn, id: Uuid) -> Result<Option<AppRecord>> {
    let Some(app) = sqlx::query_as::<_, AppRecord>(&format!("SELECT {APP_COLS} FROM apps a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let grants = sqlx::query_as(&format!("{GRANT_SELECT} WHERE g.app_id = $1 ORDER BY g.created_at, g.id"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(app.with_grants(grants)))
}

pub async fn get(pool: &Pool<DB>, id: Uuid) -> Result<Option<AppRecord>> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, id).await
}

pub async fn list(pool: &Pool<DB>) -> Result<Vec<AppRecord>> {
    let apps: Vec<AppRecord> = sqlx::query_as(&format!(
        "SELECT {APP_COLS} FROM apps a ORDER BY a.listed DESC, a.name, a.platform, a.package_id"
    ))
    .fetch_all(pool)
    .await?;
    let grants: Vec<GrantRecord> =
        sqlx::query_as(&format!("{GRANT_SELECT} ORDER BY g.created_at, g.id")).fetch_all(pool).await?;
    let mut by_app: std::collections::HashMap<Uuid, Vec<GrantRecord>> = std::collections::HashMap::new();
    for g in grants {
        by_app.entry(g.app_id).or_default().push(g);
    }
    Ok(apps
        .into_iter()
        .map(|a| {
            let grants = by_app.remove(&a.id).unwrap_or_default();
            a.with_grants(grants)
        })
        .collect())
}

fn check(a: &NewApp) -> Result<()> {
    if a.name.trim().is_empty() {
        return Err(StoreError::Invalid("name: enter the app's name".into()));
    }
    if a.package_id.trim().is_empty() || a.package_id.contains(char::is_whitespace) {
        return Err(StoreError::Invalid("package_id: enter the package or bundle id, without spaces".into()));
    }
    if a.publisher.trim().is_empty() {
        return Err(StoreError::Invalid("publisher: enter the publisher".into()));
    }
    if let Some(u) = &a.store_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(StoreError::Invalid("store_url: give the app's store link (https://...)".into()));
    }
    Ok(())
}

/// Insert or update an app by platform and package id; `listed` only ever turns on here.
/// Returns the id and whether it was created.
async fn upsert_tx(
    tx: &mut Tx<'_>,
    a: &NewApp,
    listed: bool,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(Uuid, bool)> {
    check(a)?;
    let existing: Option<(Uuid, String, String, String, Option<String>, bool)> = sqlx::query_as(
        "SELECT id, name, publisher, category, store_url, listed FROM apps WHERE platform = $1 AND package_id = $2",
    )
    .bind(a.platform.as_str())
    .bind(a.package_id.trim())
    .fetch_optional(&mut **tx)
    .await?;
    let after = json!({"name": a.name.trim(), "platform": a.platform.as_str(), "package_id": a.package_id.trim(),
        "publisher": a.publisher.trim(), "category": a.category.as_str(), "store_url": a.store_url, "listed": listed});
    match existing {
        Some((id, name, publisher, category, store_url, was_listed)) => {
            let store_url = a.store_url.clone().or(store_url);
            let listed = listed || was_listed;
            if name == a.name.trim()
                && publisher == a.publisher.trim()
                && category == a.category.as_str()
                && listed == was_listed
            {
                return Ok((id, false));
            }
            sqlx::query("UPDATE apps SET name = $1, publisher = $2, category = $3, store_url = $4, listed = $5, updated_at = $6 WHERE id = $7")
                .bind(a.name.trim())
                .bind(a.publisher.trim())
                .bind(a.category.as_str())
                .bind(&store_url)
                .bind(listed)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            AuditEntry::new("app.update", format!("app:{id}"))
                .clause("4.8")
                .before(json!({"name": name, "publisher": publisher, "category": category, "listed": was_listed}))
                .after(after)
                .record(tx, actor, now)
                .await?;
            Ok((id, false))
        }
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO apps (id, name, platform, package_id, publisher, category, store_url, listed, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(id)
            .bind(a.name.trim())
            .bind(a.platform.as_str())
            .bind(a.package_id.trim())
            .bind(a.publisher.trim())
            .bind(a.category.as_str())
            .bind(&a.store_url)
            .bind(listed)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            AuditEntry::new("app.create", format!("app:{id}"))
                .clause("4.8")
                .after(after)
                .record(tx, actor, now)
                .await?;
            Ok((id, true))
        }
    }
}

pub async fn upsert(pool: &Pool<DB>, a: &NewApp, Write { actor, now }: Write<'_>) -> Result<Uuid> {
    let mut tx = begin_write(pool).await?;
    let (id, _) = upsert_tx(&mut tx, a, true, actor, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Insert a grant; a person audience names a staff number.
async fn grant_tx(
    tx: &mut Tx<'_>,
    app: Uuid,
    audience: &Audience,
    expires_at: Option<OffsetDateTime>,
    request: Option<Uuid>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Uuid> {
    if expires_at.is_some_and(|e| e <= now) {
        return Err(StoreError::Invalid("expires_at: the expiry must be in the future".into()));
    }
    let (scope, role, area, person) = match audience {
        Audience::All => ("all", None, None, None),
        Audience::Role(r) => ("role", Some(r.as_str()), None, None),
        Audience::Area(a) => {
            let name: Option<String> =
                sqlx::query_scalar("SELECT name FROM business_areas WHERE lower(name) = lower($1)")
                    .bind(a.trim())
                    .fetch_optional(&mut **tx)
                    .await?;
            let name =
                name.ok_or_else(|| StoreError::Invalid(format!("allowed_for: no business area is called {a:?}")))?;
            ("area", None, Some(name), None)
        }
        Audience::Person(sn) => {
            let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
                .bind(sn.trim().to_ascii_uppercase())
                .fetch_optional(&mut **tx)
                .await?;
            (
                "person",
                None,
                None,
                Some(id.ok_or_else(|| StoreError::Invalid(format!("allowed_for: no person has staff number {sn}")))?),
            )
        }
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO app_grants (id, app_id, scope, role, business_area, person_id, expires_at, request_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(app)
    .bind(scope)
    .bind(role)
    .bind(&area)
    .bind(person)
    .bind(expires_at)
    .bind(request)
    .bind(now)
    .bind(&actor.label)
    .execute(&mut **tx)
    .await?;
    AuditEntry::new("app.grant", format!("app:{app}")).clause("4.8").after(json!({
        "grant": id, "audience": audience.as_text(), "expires_at": expires_at.map(|e| e.unix_timestamp()), "request": request,
    })).record(tx, actor, now).await?;
    Ok(id)
}

async fn package(tx: &mut Tx<'_>, app: Uuid) -> Result<String> {
    sqlx::query_scalar("SELECT package_id FROM apps WHERE id = $1")
        .bind(app)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("app {app}")))
}

pub async fn grant(
    pool: &Pool<DB>,
    app: Uuid,
    audience: &Audience,
    expires_at: Option<OffsetDateTime>,
    Write { actor, now }: Write<'_>,
) -> Result<(Uuid, EvalSummary)> {
    let mut tx = begin_write(pool).await?;
    let package = package(&mut tx, app).await?;
    sqlx::query("UPDATE apps SET listed = $1, updated_at = $2 WHERE id = $3 AND NOT listed")
        .bind(true)
        .bind(now)
        .bind(app)
        .execute(&mut *tx)
        .await?;
    let id = grant_tx(&mut tx, app, audience, expires_at, None, actor, now).await?;
    let eval = eval_tx(&mut tx, Some(&package), actor, now).await?;
    tx.commit().await?;
    Ok((id, eval))
}

pub async fn grant_revoke(
    pool: &Pool<DB>,
    grant: Uuid,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<EvalSummary> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("reason: say why the grant is revoked".into()));
    }
    let mut tx = begin_write(pool).await?;
    let app: Option<Uuid> = sqlx::query_scalar("SELECT app_id FROM app_grants WHERE id = $1 AND revoked_at IS NULL")
        .bind(grant)
        .fetch_optional(&mut *tx)
        .await?;
    let app = app.ok_or_else(|| StoreError::NotFound(format!("live grant {grant}")))?;
    sqlx::query("UPDATE app_grants SET revoked_at = $1 WHERE id = $2").bind(now).bind(grant).execute(&mut *tx).await?;
    AuditEntry::new("app.grant_revoke", format!("app:{app}"))
        .clause("4.8")
        .justification(reason.trim())
        .detail(json!({"grant": grant}))
        .record(&mut tx, actor, now)
        .await?;
    let package = package(&mut tx, app).await?;
    let eval = eval_tx(&mut tx, Some(&package), actor, now).await?;
    tx.commit().await?;
    Ok(eval)
}

pub async fn import_catalogue(
    pool: &Pool<DB>,
    rows: &[domain::CatalogueRow],
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
) -> Result<(ImportSummary, EvalSummary)> {
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    for r in rows {
        let a = NewApp {
            name: r.name.clone(),
            platform: r.platform,
            package_id: r.package_id.clone(),
            publisher: r.publisher.clone(),
            category: r.category,
            store_url: None,
        };
        let (id, created) = upsert_tx(&mut tx, &a, true, actor, now).await.map_err(|e| match e {
            StoreError::Invalid(m) => StoreError::Invalid(format!("line {}: {m}", r.line)),
            e => e,
        })?;
        // The catalogue's own grants (not those made by requests) become exactly `allowed_for`.
        let current: Vec<GrantRecord> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.app_id = $1 AND g.request_id IS NULL AND g.revoked_at IS NULL"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let same = |a: &Audience, b: &Audience| a.as_text().eq_ignore_ascii_case(&b.as_text());
        let mut changed = false;
        for g in
            current.iter().filter(|g| g.expires_at.is_none() && !r.allowed_for.iter().any(|a| same(a, &g.audience)))
        {
            sqlx::query("UPDATE app_grants SET revoked_at = $1 WHERE id = $2")
                .bind(now)
                .bind(g.id)
                .execute(&mut *tx)
                .await?;
            AuditEntry::new("app.grant_revoke", format!("app:{id}"))
                .clause("4.8")
                .justification("no longer in the catalogue's allowed_for")
                .detail(json!({"grant": g.id, "audience": g.audience.as_text()}))
                .record(&mut tx, actor, now)
                .await?;
            changed = true;
        }
        for a in
            r.allowed_for.iter().filter(|a| !current.iter().any(|g| g.expires_at.is_none() && same(a, &g.audience)))
        {
            grant_tx(&mut tx, id, a, None, None, actor, now).await.map_err(|e| match e {
                StoreError::Invalid(m) => StoreError::Invalid(format!("line {}: {m}", r.line)),
                e => e,
            })?;
            changed = true;
        }
        if created {
            sum.created += 1;
        } else if changed {
            sum.updated += 1;
        } else {
            sum.unchanged += 1;
        }
    }
    let eval = eval_tx(&mut tx, None, actor, now).await?;
    sum.findings_opened = eval.opened + eval.reopened;
    AuditEntry::new("import.apps_catalogue", "import:apps_catalogue").clause("4.8").detail(json!({
        "sha256": file_sha256, "rows": sum.rows, "created": sum.created, "updated": sum.updated, "unchanged": sum.unchanged,
        "findings_opened": eval.opened, "findings_reopened": eval.reopened, "findings_closed": eval.closed,
    })).record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok((sum, eval))
}

// ---------------------------------------------------------------------------------------------
// Inventories

pub async fn import_inventory(
    pool: &Pool<DB>,
    rows: &[domain::InventoryRow],
    Write { actor, now }: Write<'_>,
    file_sha256: &str,
    progress: Progress<'_>,
) -> Result<(ImportSummary, EvalSummary)> {
    use std::collections::{HashMap, HashSet};
    let mut tx = begin_write(pool).await?;
    let mut sum = ImportSummary { rows: rows.len(), ..ImportSummary::default() };
    // Graph exports name apps by display name: map a name to the catalogue's package when
    // exactly one listed package has that name.
    let names: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT lower(name), package_id FROM apps WHERE listed").fetch_all(&mut *tx).await?;
    let mut by_name: HashMap<String, Option<String>> = HashMap::new();
    for (n, p) in names {
        by_name
            .entry(n)
            .and_modify(|e| {
                if e.as_deref() != Some(p.as_str()) {
                    *e = None
                }
            })
            .or_insert(Some(p));
    }
    let mut devices: HashMap<String, Option<(Uuid, bool)>> = HashMap::new();
    let mut per_device: HashMap<Uuid, Vec<&domain::InventoryRow>> = HashMap::new();
    let mut order: Vec<Uuid> = vec![];
    let mut unmatched_lines: HashSet<u64> = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        progress(i as u64 / 2 + 1);
        let key = format!(
            "{}|{}|{}|{}",
            r.device,
            r.mdm_id.as_deref().unwrap_or(""),
            r.serial.as_deref().unwrap_or(""),
            r.imei.as_deref().unwrap_or("")
        );
        if !devices.contains_key(&key) {
            let found: Option<(Uuid, Option<Uuid>)> = sqlx::query_as(
                "SELECT id, holder_id FROM devices WHERE ($1 <> '' AND (asset_tag = $1 OR imei = $1)) OR ($2 IS NOT NULL AND mdm_id = $2) \
                 OR ($3 IS NOT NULL AND serial = $3) OR ($4 IS NOT NULL AND imei = $4) \
                 ORDER BY CASE WHEN mdm_id = $2 THEN 0 WHEN asset_tag = $1 THEN 1 ELSE 2 END LIMIT 1",
            )
            .bind(r.device.trim())
            .bind(&r.mdm_id)
            .bind(&r.serial)
            .bind(&r.imei)
            .fetch_optional(&mut *tx)
            .await?;
            devices.insert(key.clone(), found.map(|(id, h)| (id, h.is_some())));
        }
        match devices[&key] {
            Some((id, _)) => {
                per_device
                    .entry(id)
                    .or_insert_with(|| {
                        order.push(id);
                        vec![]
                    })
                    .push(r);
            }
            None => {
                if unmatched_lines.insert(r.line) {
                    let what = [
                        Some(r.device.as_str()).filter(|d| !d.is_empty()),
                        r.mdm_id.as_deref(),
                        r.serial.as_deref(),
                        r.imei.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" / ");
                    sum.unmatched.push(RowError {
                        line: r.line,
                        field: Some("device".into()),
                        message: format!("device {what} is not in the register (asset tag, IMEI, serial or MDM id)"),
                    });
                }
            }
        }
    }
    let without_holder = devices.values().flatten().filter(|(_, held)| !held).count();
    let mut removed = 0usize;
    let mut done = rows.len() as u64 / 2;
    for device in &order {
        let existing: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT package_id, version FROM app_installs WHERE device_id = $1")
                .bind(device)
                .fetch_all(&mut *tx)
                .await?;
        let existing: HashMap<String, Option<String>> = existing.into_iter().collect();
        let mut now_there: HashSet<String> = HashSet::new();
        for r in &per_device[device] {
            done += 1;
            progress(done);
            let package = if r.package_from_name {
                by_name.get(&r.package_id.to_lowercase()).cloned().flatten().unwrap_or_else(|| r.package_id.clone())
            } else {
                r.package_id.clone()
            };
            if !now_there.insert(package.clone()) {
                continue;
            }
            match existing.get(&package) {
                None => sum.created += 1,
                Some(v) if *v != r.version => sum.updated += 1,
                Some(_) => sum.unchanged += 1,
            }
            sqlx::query(
                "INSERT INTO app_installs (device_id, package_id, app_name, version, seen_at, imported_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (device_id, package_id) DO UPDATE SET app_name = excluded.app_name, version = excluded.version, \
                 seen_at = excluded.seen_at, imported_at = excluded.imported_at",
            )
            .bind(device)
            .bind(&package)
            .bind(&r.app_name)
            .bind(&r.version)
            .bind(r.seen_at.unwrap_or(now))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| people::line_err(r.line, e))?;
        }
        // This inventory replaces the device's earlier one: what it no longer shows is gone.
        for gone in existing.keys().filter(|p| !now_there.contains(*p)) {
            sqlx::query("DELETE FROM app_installs WHERE device_id = $1 AND package_id = $2")
                .bind(device)
                .bind(gone)
                .execute(&mut *tx)
                .await?;
            removed += 1;
        }
    }
    let eval = eval_tx(&mut tx, None, actor, now).await?;
    sum.findings_opened = eval.opened + eval.reopened;
    AuditEntry::new("import.apps", "import:apps").clause("4.8").detail(json!({
        "sha256": file_sha256, "rows": sum.rows, "devices": order.len(), "devices_without_holder": without_holder,
        "installs_created": sum.created, "installs_updated": sum.updated, "installs_unchanged": sum.unchanged, "installs_removed": removed,
        "unmatched": sum.unmatched.len(), "findings_opened": eval.opened, "findings_reopened": eval.reopened, "findings_closed": eval.closed,
    })).record(&mut tx, actor, now).await?;
    tx.commit().await?;
    Ok((sum, eval))
}

pub async fn installed(pool: &Pool<DB>, device: Uuid) -> Result<Vec<Install>> {
    let rows: Vec<(String, Option<String>, Option<String>, OffsetDateTime)> = sqlx::query_as(
        "SELECT package_id, app_name, version, seen_at FROM app_installs WHERE device_id = $1 ORDER BY package_id",
    )
    .bind(device)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(package_id, app_name, version, seen_at)| Install { package_id, app_name, version, seen_at })
        .collect())
}

pub async fn unlisted_seen(pool: &Pool<DB>) -> Result<Vec<UnlistedSeen>> {
    let rows: Vec<(String, Option<String>, i64, OffsetDateTime)> = sqlx::query_as(
        "SELECT i.package_id, MAX(i.app_name), COUNT(*), MAX(i.seen_at) FROM app_installs i \
         WHERE NOT EXISTS (SELECT 1 FROM apps a WHERE a.package_id = i.package_id AND a.listed) \
         GROUP BY i.package_id ORDER BY COUNT(*) DESC, i.package_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(package_id, app_name, devices, last_seen)| UnlistedSeen { package_id, app_name, devices, last_seen })
        .collect())
}

pub async fn for_role(pool: &Pool<DB>, role: Role, now: OffsetDateTime) -> Result<Vec<domain::ExportApp>> {
    let rows: Vec<(String, String, String, String, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT a.name, a.platform, a.package_id, a.category, g.expires_at FROM apps a JOIN app_grants g ON g.app_id = a.id \
         WHERE a.listed AND g.revoked_at IS NULL AND (g.scope = 'all' OR (g.scope = 'role' AND g.role = $1)) ORDER BY a.platform, a.package_id",
    )
    .bind(role.as_str())
    .fetch_all(pool)
    .await?;
    let mut out: Vec<domain::ExportApp> = vec![];
    for (name, platform, package_id, category, expires) in rows {
        if expires.is_some_and(|e| e <= now)
            || out.iter().any(|a| a.package_id == package_id && a.platform.as_str() == platform)
        {
            continue;
        }
        out.push(domain::ExportApp {
            name,
            platform: AppPlatform::parse(&platform).ok_or_else(|| people::bad("platform", &platform))?,
            package_id,
            category: AppCategory::parse(&category).ok_or_else(|| people::bad("category", &category))?,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Evaluation (WP034 4.8): set-based

/// The installed apps of held devices with no live grant covering the holder, as one query
/// over the temporary tables: `apps_eval_pkgs`, the packages seen that no live grant approves for
/// everyone (the only ones that can be unapproved; most installs are of apps approved for all
/// staff and are never read), and `apps_eval_grants`, their live grants. The joins are written
/// as CROSS JOIN so SQLite walks them in this order: package, its installs (by the
/// `app_installs_package_device` index, covering), device, holder.
const VIOLATIONS: &str = "SELECT i.device_id, i.package_id, d.holder_id, d.asset_tag FROM apps_eval_pkgs c \
    CROSS JOIN app_installs i CROSS JOIN devices d CROSS JOIN people p \
    WHERE i.package_id = c.package_id AND d.id = i.device_id AND d.holder_id IS NOT NULL AND p.id = d.holder_id \
    AND NOT EXISTS (SELECT 1 FROM apps_eval_grants g WHERE g.package_id = i.package_id AND ( \
      (g.scope = 'person' AND g.person_id = d.holder_id) OR (g.scope = 'area' AND g.area_id = p.business_area_id) \
      OR (g.scope = 'role' AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = d.holder_id AND r.role = g.role))))";

/// The distinct packages installed anywhere, by skipping through the `app_installs_package_device`
/// index (one seek per package, not one row per install).
const DISTINCT_PACKAGES: &str = "WITH RECURSIVE pk (x) AS (SELECT MIN(package_id) FROM app_installs \
    UNION ALL SELECT (SELECT MIN(i.package_id) FROM app_installs i WHERE i.package_id > pk.x) FROM pk WHERE pk.x IS NOT NULL) \
    SELECT x FROM pk WHERE x IS NOT NULL";

/// The same evaluation as ONE query, with expiry checked in SQL (for the benchmark).
pub async fn unapproved_count_one_query(pool: &Pool<DB>, now: OffsetDateTime) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM devices d JOIN people p ON p.id = d.holder_id JOIN app_installs i ON i.device_id = d.id \
         WHERE d.holder_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM apps a JOIN app_grants g ON g.app_id = a.id \
           LEFT JOIN business_areas ba ON ba.id = p.business_area_id \
           WHERE a.package_id = i.package_id AND a.listed AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $1) AND ( \
             g.scope = 'all' OR (g.scope = 'person' AND g.person_id = d.holder_id) OR (g.scope = 'area' AND lower(g.business_area) = lower(ba.name)) \
             OR (g.scope = 'role' AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = d.holder_id AND r.role = g.role))))",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// Fill the temporary tables: live grants (expiry decided here, areas resolved to ids), and
/// the violations for `package` (or all).
async fn eval_prepare(tx: &mut Tx<'_>, package: Option<&str>, now: OffsetDateTime) -> Result<usize> {
    for ddl in [
        format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS apps_eval_grants (package_id TEXT NOT NULL, scope TEXT NOT NULL, role TEXT NULL, area_id {UUID_SQL} NULL, person_id {UUID_SQL} NULL)"
        ),
        "CREATE INDEX IF NOT EXISTS apps_eval_grants_package ON apps_eval_grants (package_id)".to_string(),
        "CREATE TEMPORARY TABLE IF NOT EXISTS apps_eval_pkgs (package_id TEXT PRIMARY KEY)".to_string(),
        format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS apps_eval_viol (device_id {UUID_SQL} NOT NULL, package_id TEXT NOT NULL, holder_id {UUID_SQL} NOT NULL, asset_tag TEXT NOT NULL, PRIMARY KEY (device_id, package_id))"
        ),
        "DELETE FROM apps_eval_grants".to_string(),
        "DELETE FROM apps_eval_pkgs".to_string(),
        "DELETE FROM apps_eval_viol".to_string(),
    ] {
        sqlx::query(&ddl).execute(&mut **tx).await?;
    }
    let grants: Vec<LiveGrantRow> = sqlx::query_as(
        "SELECT a.package_id, g.scope, g.role, g.business_area, g.person_id, g.expires_at FROM app_grants g JOIN apps a ON a.id = g.app_id \
         WHERE g.revoked_at IS NULL AND a.listed",
    )
    .fetch_all(&mut **tx)
    .await?;
    let live: Vec<LiveGrantRow> =
        grants.into_iter().filter(|g| g.5.is_none_or(|e| e > now) && package.is_none_or(|p| p == g.0)).collect();
    // Packages approved for everyone cannot be unapproved for anyone.
    let for_all: std::collections::HashSet<&str> = live.iter().filter(|g| g.1 == "all").map(|g| g.0.as_str()).collect();
    let seen: Vec<String> = match package {
        Some(p) => vec![p.to_string()],
        None => sqlx::query_scalar(DISTINCT_PACKAGES).fetch_all(&mut **tx).await?,
    };
    let candidates: Vec<&String> = seen.iter().filter(|p| !for_all.contains(p.as_str())).collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    for p in &candidates {
        sqlx::query("INSERT INTO apps_eval_pkgs (package_id) VALUES ($1)").bind(p.as_str()).execute(&mut **tx).await?;
    }
    let areas: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM business_areas").fetch_all(&mut **tx).await?;
    for (pkg, scope, role, area, person, _) in live.iter().filter(|g| !for_all.contains(g.0.as_str())) {
        let area_id =
            area.as_ref().and_then(|a| areas.iter().find(|(_, n)| n.eq_ignore_ascii_case(a)).map(|(id, _)| *id));
        if scope == "area" && area_id.is_none() {
            continue;
        }
        sqlx::query(
            "INSERT INTO apps_eval_grants (package_id, scope, role, area_id, person_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(pkg)
        .bind(scope)
        .bind(role)
        .bind(area_id)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    }
    let sql = format!("INSERT INTO apps_eval_viol (device_id, package_id, holder_id, asset_tag) {VIOLATIONS}");
    let res = sqlx::query(&sql).execute(&mut **tx).await?;
    Ok(res.rows_affected() as usize)
}

/// Re-evaluate (one package, or everything) in the caller's transaction: open, re-open in
/// place, and close `apps.unapproved` findings, each change with its audit event.
async fn eval_tx(tx: &mut Tx<'_>, package: Option<&str>, actor: &Actor, now: OffsetDateTime) -> Result<EvalSummary> {
    let mut out = EvalSummary { unapproved: eval_prepare(tx, package, now).await?, ..EvalSummary::default() };
    let pkg_cond = if package.is_some() { "AND v.package_id = $1" } else { "AND ($1 IS NULL OR 1 = 1)" };

    // New: violations with no finding yet.
    let sql = format!(
        "SELECT v.device_id, v.package_id, v.holder_id, v.asset_tag, i.app_name, i.version, i.seen_at, p.name AS holder_name, \
         (SELECT MIN(a.name) FROM apps a WHERE a.package_id = v.package_id) AS catalogue_name, \
         (SELECT MIN(a.category) FROM apps a WHERE a.package_id = v.package_id) AS category, \
         (SELECT COUNT(*) FROM apps a WHERE a.package_id = v.package_id AND a.listed) AS listed \
         FROM apps_eval_viol v JOIN app_installs i ON i.device_id = v.device_id AND i.package_id = v.package_id \
         JOIN people p ON p.id = v.holder_id \
         WHERE NOT EXISTS (SELECT 1 FROM app_findings af WHERE af.device_id = v.device_id AND af.package_id = v.package_id) {pkg_cond} \
         ORDER BY v.asset_tag, v.package_id"
    );
    /// An install that no live grant covers and no finding records yet.
    #[derive(sqlx::FromRow)]
    struct NewViolation {
        device_id: Uuid,
        package_id: String,
        holder_id: Uuid,
        asset_tag: String,
        holder_name: String,
        catalogue_name: Option<String>,
        app_name: Option<String>,
        version: Option<String>,
        seen_at: OffsetDateTime,
        #[sqlx(try_from = "crate::row::OptText<AppCategory>")]
        category: Option<AppCategory>,
        listed: i64,
    }
    let rows: Vec<NewViolation> = sqlx::query_as(&sql).bind(package).fetch_all(&mut **tx).await?;
    for r in rows {
        let NewViolation {
            device_id: device,
            package_id: pkg,
            holder_id: holder,
            asset_tag: tag,
            holder_name,
            catalogue_name,
            app_name,
            version,
            seen_at,
            category,
            listed,
        } = r;
        let app_name = catalogue_name.or(app_name);
        let dm = category.is_some_and(|c| c.is_direct_messaging());
        let shown = app_name.clone().unwrap_or_else(|| pkg.clone());
        let summary = if listed > 0 {
            format!("{shown} ({pkg}) is installed on {tag} but is not approved for {holder_name} (WP034 4.8)")
        } else {
            format!("{shown} ({pkg}) is installed on {tag} and is not in the approved apps catalogue (WP034 4.8)")
        };
        let f = NewFinding {
            rule: &domain::UNAPPROVED,
            dedupe_key: domain::finding_key(&tag, &pkg),
            person_id: Some(holder),
            device_id: Some(device),
            summary,
            evidence: json!({
                "app": pkg, "app_name": app_name, "version": version, "device": tag, "listed": listed > 0,
                "direct_messaging": dm, "seen_at": seen_at.format(&time::format_description::well_known::Rfc3339).ok(),
                "request_link": format!("/apps/requests/new?package={pkg}&device={device}"),
            }),
            records: vec![format!("app_install:{tag}:{pkg}")],
        };
        if let Some(id) = findings::tx_raise(tx, &f, actor, now).await? {
            sqlx::query("INSERT INTO app_findings (finding_id, device_id, package_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(device)
                .bind(&pkg)
                .execute(&mut **tx)
                .await?;
            out.opened += 1;
        }
    }

    // Re-open in place: a finding closed automatically whose app is unapproved again (a grant
    // expired or was revoked, or the app came back). A finding a person closed stays closed.
    let sql = format!(
        "SELECT f.id, v.holder_id FROM apps_eval_viol v JOIN app_findings af ON af.device_id = v.device_id AND af.package_id = v.package_id \
         JOIN findings f ON f.id = af.finding_id WHERE f.status = 'closed' AND f.reviewer_id IS NULL {pkg_cond} ORDER BY f.id"
    );
    let reopen: Vec<(Uuid, Uuid)> = sqlx::query_as(&sql).bind(package).fetch_all(&mut **tx).await?;
    for (id, holder) in reopen {
        sqlx::query("UPDATE findings SET status = 'open', outcome = NULL, reasons = NULL, closed_at = NULL, person_id = $1, updated_at = $2 WHERE id = $3")
            .bind(holder)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        AuditEntry::new("finding.reopen", format!("finding:{id}"))
            .clause("4.8")
            .before(json!({"status": "closed"}))
            .after(json!({"status": "open", "rule": domain::RULE_UNAPPROVED}))
            .justification("the app is installed and no live grant covers the holder")
            .record(tx, actor, now)
            .await?;
        out.reopened += 1;
    }

    // Close: open findings whose device no longer has the app, or whose holder a grant covers.
    let pkg_cond_af = pkg_cond.replace("v.package_id", "af.package_id");
    let sql = format!(
        "SELECT f.id, \
         (SELECT COUNT(*) FROM app_installs i WHERE i.device_id = af.device_id AND i.package_id = af.package_id) AS installed, d.holder_id \
         FROM app_findings af JOIN findings f ON f.id = af.finding_id JOIN devices d ON d.id = af.device_id \
         WHERE f.status <> 'closed' {pkg_cond_af} \
         AND NOT EXISTS (SELECT 1 FROM apps_eval_viol v WHERE v.device_id = af.device_id AND v.package_id = af.package_id) ORDER BY f.id"
    );
    let rows: Vec<(Uuid, i64, Option<Uuid>)> = sqlx::query_as(&sql).bind(package).fetch_all(&mut **tx).await?;
    for (id, installed, holder) in rows {
        let reason = if installed == 0 {
            "Closed automatically: a later inventory no longer shows the app on the device (WP034 4.8)."
        } else if holder.is_some() {
            "Closed automatically: an approval (grant) now covers the device's holder (WP034 4.8)."
        } else {
            // The device has no holder now: no 4.8 finding is raised for it, and none is closed
            // for that reason alone.
            continue;
        };
        sqlx::query("UPDATE findings SET status = 'closed', outcome = 'no_action', reasons = $1, reviewer_id = NULL, closed_at = $2, updated_at = $2 WHERE id = $3")
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        AuditEntry::new("finding.close_auto", format!("finding:{id}"))
            .clause("4.8")
            .justification(reason)
            .after(json!({"status": "closed", "outcome": "no_action", "rule": domain::RULE_UNAPPROVED}))
            .record(tx, actor, now)
            .await?;
        out.closed += 1;
    }
    Ok(out)
}

pub async fn evaluate(pool: &Pool<DB>, Write { actor, now }: Write<'_>) -> Result<EvalSummary> {
    let mut tx = begin_write(pool).await?;
    let eval = eval_tx(&mut tx, None, actor, now).await?;
    AuditEntry::new("apps.evaluate", "apps:evaluation")
        .clause("4.8")
        .detail(json!({
            "unapproved": eval.unapproved, "opened": eval.opened, "reopened": eval.reopened, "closed": eval.closed,
        }))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(eval)
}

pub async fn sweep_expired(pool: &Pool<DB>, now: OffsetDateTime) -> Result<EvalSummary> {
    let mut tx = begin_write(pool).await?;
    let expired: Vec<(Uuid, Uuid, String, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT g.id, g.app_id, a.package_id, g.expires_at FROM app_grants g JOIN apps a ON a.id = g.app_id \
         WHERE g.expires_at IS NOT NULL AND g.revoked_at IS NULL AND g.expiry_handled_at IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    let system = Actor::system();
    let mut total = EvalSummary::default();
    let mut packages: Vec<String> = vec![];
    for (id, app, package, expires) in expired {
        if expires.is_none_or(|e| e > now) {
            continue;
        }
        sqlx::query("UPDATE app_grants SET expiry_handled_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        AuditEntry::new("app.grant_expired", format!("app:{app}"))
            .clause("4.8")
            .detail(json!({"grant": id, "expired_at": expires.map(|e| e.unix_timestamp())}))
            .record(&mut tx, &system, now)
            .await?;
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    for p in &packages {
        let e = eval_tx(&mut tx, Some(p), &system, now).await?;
        total.unapproved += e.unapproved;
        total.opened += e.opened;
        total.reopened += e.reopened;
        total.closed += e.closed;
    }
    tx.commit().await?;
    Ok(total)
}

// ---------------------------------------------------------------------------------------------
// Requests for apps (WP034 4.8 a-b) through the approval chain

fn request_subject(id: Uuid) -> String {
    format!("app_request:{id}")
}

pub async fn request_create(pool: &Pool<DB>, r: &NewAppRequest, Write { actor, now }: Write<'_>) -> Result<Uuid> {
    use custodian_domain::approvals::{ChainSpec, Decider, Order, StepSpec};
    if r.business_need.trim().is_empty() {
        return Err(StoreError::Invalid("business_need: set out the business need for the app (WP034 4.8)".into()));
    }
    if r.devices.is_empty() {
        return Err(StoreError::Invalid("devices: choose the device or devices the app is for".into()));
    }
    let mut tx = begin_write(pool).await?;
    let requester: Option<(String, String, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT p.staff_number, ba.name, ba.id, ba.head_id FROM people p JOIN business_areas ba ON ba.id = p.business_area_id WHERE p.id = $1",
    )
    .bind(r.requester)
    .fetch_optional(&mut *tx)
    .await?;
    let (_, area, _, head) = requester.ok_or_else(|| StoreError::NotFound(format!("person {}", r.requester)))?;
    let mut tags = vec![];
    for d in &r.devices {
        let row: Option<(String, Option<Uuid>)> =
            sqlx::query_as("SELECT asset_tag, holder_id FROM devices WHERE id = $1")
                .bind(d)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            Some((tag, Some(h))) if h == r.requester => tags.push(tag),
            Some((tag, _)) => return Err(StoreError::Invalid(format!("devices: {tag} is not allocated to you"))),
            None => return Err(StoreError::Invalid(format!("devices: no device {d}"))),
        }
    }
    let app = match &r.app {
        RequestedApp::Existing(id) => {
            package(&mut tx, *id).await?;
            *id
        }
        RequestedApp::New(a) => upsert_tx(&mut tx, a, false, actor, now).await?.0,
    };
    let (app_name, package): (String, String) =
        sqlx::query_as("SELECT name, package_id FROM apps WHERE id = $1").bind(app).fetch_one(&mut *tx).await?;
    let id = Uuid::now_v7();
    // Step 1: the Head of Department of the requester's business area now (kept if they move).
    // With no head named, or when the requester is the head, any Head of Department decides.
    let hod = match head {
        Some(h) if h != r.requester => Decider::Person(h),
        _ => Decider::Role(Role::HeadOfDepartment),
    };
    let spec = ChainSpec::new(
        Order::Sequential,
        vec![
            StepSpec::new("head_of_department", "4.8", hod),
            StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
        ],
    );
    let approval = approvals::open(
        &mut tx,
        &crate::approvals::NewApproval {
            kind: "app".into(),
            subject: request_subject(id),
            title: format!("App request: {app_name} ({package}) for {}", tags.join(", ")),
            link: format!("/apps/requests/{id}"),
            requester: r.requester,
            spec,
        },
        actor,
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO app_requests (id, approval_id, requester_id, app_id, device_ids, business_need, created_at, business_area) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(approval)
    .bind(r.requester)
    .bind(app)
    .bind(serde_json::to_string(&r.devices).unwrap_or_else(|_| "[]".into()))
    .bind(r.business_need.trim())
    .bind(now)
    .bind(&area)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("app.request", request_subject(id))
        .clause("4.8")
        .justification(r.business_need.trim())
        .after(json!({"app": package, "devices": tags, "business_area": area, "approval": approval}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

async fn request_load(conn: &mut Conn, id: Uuid) -> Result<Option<AppRequestRecord>> {
    let row: Option<AppRequestRow> = sqlx::query_as(
        "SELECT r.approval_id, r.requester_id, p.name, r.business_area, r.app_id, r.device_ids, r.business_need, r.grant_id, r.created_at \
         FROM app_requests r JOIN people p ON p.id = r.requester_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        approval_id,
        requester_id,
        requester_name,
        business_area,
        app_id,
        device_ids,
        business_need,
        grant_id,
        created_at,
    )) = row
    else {
        return Ok(None);
    };
    let device_ids: Vec<Uuid> = crate::error::stored_json("device_ids", &device_ids)?;
    let mut devices = vec![];
    for d in &device_ids {
        let tag: Option<String> = sqlx::query_scalar("SELECT asset_tag FROM devices WHERE id = $1")
            .bind(d)
            .fetch_optional(&mut *conn)
            .await?;
        devices.extend(tag);
    }
    let app = load(conn, app_id).await?.ok_or_else(|| StoreError::NotFound(format!("app {app_id}")))?;
    let approval = approvals::load(conn, approval_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("approval {approval_id}")))?;
    let timeline = vec![];
    Ok(Some(AppRequestRecord {
        id,
        requester_id,
        requester_name,
        business_area,
        app,
        devices,
        device_ids,
        business_need,
        grant_id,
        created_at,
        approval,
        timeline,
    }))
}

pub async fn request_get(pool: &Pool<DB>, id: Uuid) -> Result<Option<AppRequestRecord>> {
    let mut conn = pool.acquire().await?;
    let Some(mut r) = request_load(&mut conn, id).await? else { return Ok(None) };
    drop(conn);
    r.timeline = approvals::timeline(pool, r.approval.id).await?;
    Ok(Some(r))
}

pub async fn requests_of(pool: &Pool<DB>, person: Uuid) -> Result<Vec<AppRequestRecord>> {
    let mut conn = pool.acquire().await?;
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM app_requests WHERE requester_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(person)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = vec![];
    for id in ids {
        out.extend(request_load(&mut conn, id).await?);
    }
    Ok(out)
}

/// Digital Services' approval: grant the app (the requester, or a role), list it, record the
/// grant on the request, and re-evaluate the app so the findings it covers close. In the
/// deciding transaction.
pub async fn request_grant_tx(
    tx: &mut Tx<'_>,
    subject: &str,
    grant_to: GrantTo,
    expires_at: Option<OffsetDateTime>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    let Some(id) = subject.strip_prefix("app_request:").and_then(|s| Uuid::parse_str(s).ok()) else {
        return Err(StoreError::Invalid(format!("approval subject {subject:?} is not an app request")));
    };
    let (app, requester_sn, approval, existing): (Uuid, String, Uuid, Option<Uuid>) = sqlx::query_as(
        "SELECT r.app_id, p.staff_number, r.approval_id, r.grant_id FROM app_requests r JOIN people p ON p.id = r.requester_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("app request {id}")))?;
    if existing.is_some() {
        return Ok(());
    }
    let audience = match grant_to {
        GrantTo::Requester => Audience::Person(requester_sn),
        GrantTo::Role(r) => Audience::Role(r),
    };
    sqlx::query("UPDATE apps SET listed = $1, updated_at = $2 WHERE id = $3 AND NOT listed")
        .bind(true)
        .bind(now)
        .bind(app)
        .execute(&mut **tx)
        .await?;
    let grant = grant_tx(tx, app, &audience, expires_at, Some(approval), actor, now).await?;
    sqlx::query("UPDATE app_requests SET grant_id = $1 WHERE id = $2").bind(grant).bind(id).execute(&mut **tx).await?;
    let package = package(tx, app).await?;
    eval_tx(tx, Some(&package), actor, now).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn request_decide(
    pool: &Pool<DB>,
    id: Uuid,
    step: &str,
    person: Uuid,
    verdict: custodian_domain::approvals::Verdict,
    reasons: Option<&str>,
    grant_to: GrantTo,
    expires_at: Option<OffsetDateTime>,
    Write { actor, now }: Write<'_>,
) -> Result<AppRequestRecord> {
    let mut tx = begin_write(pool).await?;
    let approval: Uuid = sqlx::query_scalar("SELECT approval_id FROM app_requests WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("app request {id}")))?;
    let d = approvals::decide_tx(&mut tx, approval, step, person, verdict, reasons, actor, now).await?;
    if d.outcome == custodian_domain::approvals::Outcome::Approved {
        request_grant_tx(&mut tx, &d.request.subject, grant_to, expires_at, actor, now).await?;
    }
    tx.commit().await?;
    request_get(pool, id).await?.ok_or_else(|| StoreError::NotFound(format!("app request {id}")))
}

approval_effect!(
    /// WP034 4.8: Digital Services' approval grants the app to the requester (`app_request_decide`
    /// also offers a role grant and an expiry); see [`approvals::Effect`].
    kind: "app",
    run: |tx, d, actor, now| async move {
        if d.outcome != custodian_domain::approvals::Outcome::Approved {
            return Ok(());
        }
        request_grant_tx(tx, &d.request.subject, GrantTo::Requester, None, actor, now).await
    }
);
