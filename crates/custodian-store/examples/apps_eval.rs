//! The WP034 4.8 evaluation benchmark: N devices, each held by its own person, with K installed
//! apps each, against a catalogue of grants to everyone, roles, business areas and named people.
//!
//! cargo run --release -p custodian-store --example apps_eval -- build DB N K
//! cargo run --release -p custodian-store --example apps_eval -- custodian DB
//! cargo run --release -p custodian-store --example apps_eval -- one-query DB
//!
//! `build` writes the register, catalogue and inventories straight into a fresh SQLite database
//! (a fixture, not an import). `custodian` runs `Store::apps_evaluate`, the code path of every
//! import, grant and sweep: the set-based evaluation, then opening, re-opening and closing
//! findings with their audit events; the first run opens the findings, a second run is the
//! steady-state re-evaluation. `one-query` counts the same unapproved installs with ONE SQL
//! query over the same tables (grant expiry checked in SQL). Measure peak RSS with
//! `/usr/bin/time -v` (see bench/apps_eval.sh).

use custodian_store::{Actor, OpenOptions, Store};
use uuid::Uuid;

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const AREAS: usize = 10;
const ROLES: [&str; 4] = ["digital_services", "dmi", "sio", "resolution_centre"];

fn uuid_n(kind: u8, n: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0] = kind;
    b[8..].copy_from_slice(&n.to_be_bytes());
    *Uuid::from_bytes(b).as_bytes()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, db) = match (args.get(1), args.get(2)) {
        (Some(m), Some(d)) => (m.as_str(), d.as_str()),
        _ => return Err("usage: apps_eval build DB N K | custodian DB | one-query DB".into()),
    };
    let url = format!("sqlite:{db}");
    let now = time::OffsetDateTime::now_utc();
    match mode {
        "build" => {
            let n: u64 = args.get(3).ok_or("build needs N")?.parse()?;
            let k: u64 = args.get(4).ok_or("build needs K")?.parse()?;
            let store = Store::open(&url, &OpenOptions { create_if_missing: true, max_connections: None }).await?;
            store.close().await;
            build(db, n, k, now)?;
            println!("built {n} devices x {k} installed apps = {} installs in {db}", n * k);
        }
        "custodian" => {
            let store = Store::open(&url, &OpenOptions::default()).await?;
            let started = std::time::Instant::now();
            let e = store.apps_evaluate(Actor::cli().at(now)).await?;
            println!(
                "custodian apps_evaluate: {} unapproved installs; findings opened {} re-opened {} closed {} in {:.3} s",
                e.unapproved,
                e.opened,
                e.reopened,
                e.closed,
                started.elapsed().as_secs_f64()
            );
        }
        "one-query" => {
            let store = Store::open(&url, &OpenOptions::default()).await?;
            let started = std::time::Instant::now();
            let n = store.apps_unapproved_count_one_query(now).await?;
            println!("one SQL query: {n} unapproved installs in {:.3} s", started.elapsed().as_secs_f64());
        }
        other => return Err(format!("unknown mode {other:?}").into()),
    }
    Ok(())
}

/// Write the fixture with rusqlite in one transaction. Timestamps are written in the text form
/// the store's SQLite driver reads back (RFC 3339).
fn build(db: &str, n: u64, k: u64, now: time::OffsetDateTime) -> Result<(), Box<dyn std::error::Error>> {
    let ts = now.format(&time::format_description::well_known::Rfc3339)?;
    let mut c = rusqlite::Connection::open(db)?;
    c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    let tx = c.transaction()?;
    for a in 0..AREAS as u64 {
        tx.execute(
            "INSERT INTO business_areas (id, name, head_id, created_at) VALUES (?1, ?2, NULL, ?3)",
            rusqlite::params![&uuid_n(1, a)[..], format!("Area {a}"), ts],
        )?;
    }
    // The catalogue: 40 apps for everyone, one per role, one per area, 20 named-person apps
    // (each granted to 50 people), and 20 unlisted packages seen in the wild.
    let mut app = 0u64;
    let mut grant = 0u64;
    let mut add_app = |tx: &rusqlite::Transaction, pkg: &str, cat: &str| -> rusqlite::Result<[u8; 16]> {
        app += 1;
        let id = uuid_n(5, app);
        tx.execute(
            "INSERT INTO apps (id, name, platform, package_id, publisher, category, store_url, listed, created_at, updated_at) \
             VALUES (?1, ?2, 'android', ?2, 'Bench', ?3, NULL, 1, ?4, ?4)",
            rusqlite::params![&id[..], pkg, cat, ts],
        )?;
        Ok(id)
    };
    let mut add_grant = |tx: &rusqlite::Transaction,
                         app: &[u8; 16],
                         scope: &str,
                         role: Option<&str>,
                         area: Option<String>,
                         person: Option<[u8; 16]>|
     -> rusqlite::Result<()> {
        grant += 1;
        tx.execute(
            "INSERT INTO app_grants (id, app_id, scope, role, business_area, person_id, expires_at, request_id, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, ?7, 'bench')",
            rusqlite::params![&uuid_n(6, grant)[..], &app[..], scope, role, area, person.as_ref().map(|p| &p[..]), ts],
        )?;
        Ok(())
    };
    for i in 0..40 {
        let a = add_app(&tx, &format!("uk.bench.all{i}"), if i == 0 { "messaging" } else { "productivity" })?;
        add_grant(&tx, &a, "all", None, None, None)?;
    }
    for r in ROLES {
        let a = add_app(&tx, &format!("uk.bench.role.{r}"), "other")?;
        add_grant(&tx, &a, "role", Some(r), None, None)?;
    }
    for i in 0..AREAS {
        let a = add_app(&tx, &format!("uk.bench.area{i}"), "navigation")?;
        add_grant(&tx, &a, "area", None, Some(format!("Area {i}")), None)?;
    }
    let mut person_apps = vec![];
    for i in 0..20 {
        person_apps.push(add_app(&tx, &format!("uk.bench.person{i}"), "camera_evidence")?);
    }
    let mut rng = Lcg(20261128);
    {
        let mut person = tx.prepare(
            "INSERT INTO people (id, staff_number, name, email, kind, business_area_id, line_manager_id, status, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 'staff', ?5, NULL, 'active', ?6, ?6)",
        )?;
        let mut role = tx.prepare("INSERT INTO person_roles (person_id, role) VALUES (?1, ?2)")?;
        let mut device = tx.prepare(
            "INSERT INTO devices (id, asset_tag, device_type, make, model, status, holder_id, created_at, updated_at) \
             VALUES (?1, ?2, 'phone', 'Samsung', 'Galaxy S23', 'allocated', ?3, ?4, ?4)",
        )?;
        let mut grant_stmt = tx.prepare(
            "INSERT INTO app_grants (id, app_id, scope, role, business_area, person_id, expires_at, request_id, created_at, created_by) \
             VALUES (?1, ?2, 'person', NULL, NULL, ?3, NULL, NULL, ?4, 'bench')",
        )?;
        let mut install = tx.prepare(
            "INSERT INTO app_installs (device_id, package_id, app_name, version, seen_at, imported_at) VALUES (?1, ?2, NULL, '1.0', ?3, ?3)",
        )?;
        for i in 0..n {
            let pid = uuid_n(2, i);
            person.execute(rusqlite::params![
                &pid[..],
                format!("B{i:07}"),
                format!("Bench Person {i}"),
                format!("b{i}@bench.example"),
                &uuid_n(1, i % AREAS as u64)[..],
                ts
            ])?;
            if i % 10 == 0 {
                role.execute(rusqlite::params![&pid[..], ROLES[(i / 10 % ROLES.len() as u64) as usize]])?;
            }
            let did = uuid_n(3, i);
            device.execute(rusqlite::params![&did[..], format!("BENCH-{i:07}"), &pid[..], ts])?;
            // K distinct apps: mostly approved for everyone; the holder's own role app and area
            // app; every 50th device an app granted to its holder by name; about one device in
            // ten an unlisted app and one in twenty another role's app (the unapproved ones).
            let mut pkgs: Vec<String> = Vec::with_capacity(k as usize);
            if i % 10 == 0 {
                pkgs.push(format!("uk.bench.role.{}", ROLES[(i / 10 % ROLES.len() as u64) as usize]));
            }
            pkgs.push(format!("uk.bench.area{}", i % AREAS as u64));
            if i % 50 == 0 {
                let a = (i / 50 % 20) as usize;
                pkgs.push(format!("uk.bench.person{a}"));
                grant_stmt.execute(rusqlite::params![
                    &Uuid::now_v7().as_bytes()[..],
                    &person_apps[a][..],
                    &pid[..],
                    ts
                ])?;
            }
            if rng.below(10) == 0 {
                pkgs.push(format!("com.unlisted.app{}", rng.below(20)));
            }
            if rng.below(20) == 0 {
                let r = format!("uk.bench.role.{}", ROLES[rng.below(ROLES.len() as u64) as usize]);
                if !pkgs.contains(&r) {
                    pkgs.push(r);
                }
            }
            pkgs.truncate(k as usize);
            let mut j = 0;
            while (pkgs.len() as u64) < k {
                pkgs.push(if j < 40 { format!("uk.bench.all{j}") } else { format!("com.unlisted.extra{j}") });
                j += 1;
            }
            for p in &pkgs {
                install.execute(rusqlite::params![&did[..], p, ts])?;
            }
        }
    }
    tx.commit()?;
    c.execute_batch("ANALYZE;")?;
    Ok(())
}
