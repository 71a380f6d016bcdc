//! The two migration folders stay in step, and a PostgreSQL database migrated before a twin was
//! added still opens.

use std::collections::BTreeSet;
use std::path::Path;

use custodian_store::{OpenOptions, Store};
use sqlx::Connection;

use crate::support::postgres_url;

fn names(folder: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_folders_list_the_same_migrations() {
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite.symmetric_difference(&postgres).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "every migration needs a twin of the same name in the other folder"
    );
}

/// The migrations embedded by `build.rs` are exactly what sqlx reads from each folder at run
/// time: every file, with the same version, description, type, transaction flag and checksum (a
/// different checksum would make every database migrated by an earlier build refuse to open).
#[tokio::test]
async fn embedded_migrations_are_the_folders_own() {
    for (folder, embedded) in [
        ("sqlite", custodian_store::migrations::sqlite().await.unwrap()),
        ("postgres", custodian_store::migrations::postgres().await.unwrap()),
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
        let read = sqlx::migrate::Migrator::new(dir).await.unwrap();
        let key = |m: &sqlx::migrate::Migration| {
            (m.version, m.description.to_string(), m.migration_type, m.sql.to_string(), m.checksum.to_vec(), m.no_tx)
        };
        let embedded: Vec<_> = embedded.iter().map(key).collect();
        let read: Vec<_> = read.iter().map(key).collect();
        assert_eq!(embedded.len(), names(folder).len(), "{folder}: a file is not embedded");
        assert_eq!(embedded, read, "{folder}: the embedded migrations differ from the folder's");
    }
}

/// A database that recorded every migration but 0013 (as one migrated before 0013's PostgreSQL
/// twin existed) opens, and the twin is then recorded.
#[tokio::test]
async fn postgres_database_migrated_without_the_twin_still_opens() {
    let Some(admin) = postgres_url() else { return };
    let name = format!("custodian_m_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let url = format!("{base}/{name}");
    let result = async {
        let store = Store::open(&url, &OpenOptions::default()).await.unwrap();
        store.close().await;
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let gone = sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 13").execute(&mut db).await.unwrap();
        assert_eq!(gone.rows_affected(), 1);
        db.close().await.unwrap();
        let store = Store::open(&url, &OpenOptions::default()).await.expect("a database past 0014 without 0013 opens");
        store.close().await;
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = 13")
            .fetch_one(&mut db)
            .await
            .unwrap();
        db.close().await.unwrap();
        n
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
    assert_eq!(result, 1);
}

/// A database migrated to 0017 with an app finding, then to 0018 (the MDM state): the app finding
/// is kept with its reference still checked, and the outcome `resolved` (allowed by 0017's rebuild
/// of the findings table) is accepted while an unknown one is refused.
#[tokio::test]
async fn sqlite_findings_and_their_app_findings_survive_the_mdm_migration() {
    use sqlx::ConnectOptions;
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("c.db").display());
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).foreign_keys(true);
    let mut db = opts.connect().await.unwrap();
    let mut before =
        sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite")).await.unwrap();
    before.migrations = before.migrations.iter().filter(|m| m.version < 18).cloned().collect::<Vec<_>>().into();
    before.run(&mut db).await.unwrap();
    for sql in [
        "INSERT INTO devices (id, asset_tag, device_type, make, model, status, created_at, updated_at) VALUES (x'02', 'T1', 'phone', 'm', 'm', 'in_stock', 't', 't')",
        "INSERT INTO findings (id, rule, clause, dedupe_key, summary, evidence, records, severity, status, opened_at, updated_at) VALUES (x'01', 'apps.unapproved', '4.8', 'k', 's', '{}', '[]', 'medium', 'open', 't', 't')",
        "INSERT INTO app_findings (finding_id, device_id, package_id) VALUES (x'01', x'02', 'com.example')",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    db.close().await.unwrap();

    let store = Store::open(&url, &OpenOptions::default()).await.expect("0018 applies");
    store.close().await;
    let mut db = opts.connect().await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_findings").fetch_one(&mut db).await.unwrap();
    assert_eq!(kept, 1);
    sqlx::query("UPDATE findings SET status = 'closed', outcome = 'resolved'").execute(&mut db).await.unwrap();
    let dangling =
        sqlx::query("INSERT INTO app_findings (finding_id, device_id, package_id) VALUES (x'09', x'02', 'com.other')")
            .execute(&mut db)
            .await;
    assert!(dangling.is_err(), "app_findings still refers to findings");
    let bad = sqlx::query("UPDATE findings SET outcome = 'whatever'").execute(&mut db).await;
    assert!(bad.is_err(), "the outcome is still checked");
}

/// 0017 rebuilds `findings` on SQLite to widen its outcome CHECK: the rows stay, app_findings
/// still refers to findings (a row pointing nowhere is refused), the indexes are all there, and
/// the new outcome is accepted while an unknown one is still refused.
#[tokio::test]
async fn sqlite_findings_rebuild_keeps_rows_references_and_indexes() {
    use sqlx::{ConnectOptions, Executor};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true);
    let mut c = opts.connect().await.unwrap();
    let all = custodian_store::migrations::sqlite().await.unwrap();
    let mut before = sqlx::migrate::Migrator::new(std::path::Path::new(&format!(
        "{}/migrations/sqlite",
        env!("CARGO_MANIFEST_DIR")
    )))
    .await
    .unwrap();
    before.migrations = all.migrations.iter().filter(|m| m.version < 17).cloned().collect::<Vec<_>>().into();
    before.run(&mut c).await.unwrap();
    c.execute(
        "INSERT INTO devices (id, asset_tag, device_type, make, model, status, created_at, updated_at) \
         VALUES (X'01', 'D1', 'phone', 'm', 'm', 'in_stock', 't', 't'); \
         INSERT INTO findings (id, rule, clause, dedupe_key, device_id, summary, evidence, records, severity, status, opened_at, updated_at) \
         VALUES (X'02', 'apps.unapproved', '4.8', 'k1', X'01', 's', '{}', '[]', 'low', 'open', 't', 't'); \
         INSERT INTO app_findings (finding_id, device_id, package_id) VALUES (X'02', X'01', 'com.example');",
    )
    .await
    .unwrap();
    all.run(&mut c).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings f JOIN app_findings a ON a.finding_id = f.id")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let schema: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'app_findings'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert!(schema.contains("REFERENCES \"findings\"") || schema.contains("REFERENCES findings"), "{schema}");
    let bad =
        c.execute("INSERT INTO app_findings (finding_id, device_id, package_id) VALUES (X'09', X'01', 'x')").await;
    assert!(bad.is_err(), "a reference to no finding must be refused");
    let mut idx: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('findings', 'app_findings') AND sql IS NOT NULL ORDER BY name")
        .fetch_all(&mut c)
        .await
        .unwrap();
    idx.sort();
    assert_eq!(
        idx,
        // findings_closed: 0030, for the retention job.
        [
            "app_findings_package",
            "findings_closed",
            "findings_device",
            "findings_person",
            "findings_rule_status",
            "findings_status"
        ]
    );
    c.execute("UPDATE findings SET status = 'closed', outcome = 'reattributed' WHERE id = X'02'").await.unwrap();
    assert!(c.execute("UPDATE findings SET outcome = 'whatever' WHERE id = X'02'").await.is_err());
    let fk: Vec<sqlx::sqlite::SqliteRow> = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut c).await.unwrap();
    assert!(fk.is_empty());
}

/// The findings a database at 0018 holds before 0019 re-keys `usage.cellular_data` per device
/// (WP034 4.5), and the keys 0019 must leave them with.
struct Rekey {
    person: uuid::Uuid,
    phone: uuid::Uuid,
    tablet: uuid::Uuid,
    /// (finding id, key before 0019, key expected after it).
    findings: Vec<(uuid::Uuid, String, String)>,
}

impl Rekey {
    fn new() -> Self {
        use custodian_domain::usage::{CELLULAR_DATA, INTERNATIONAL, date_day, finding_key};
        let (person, phone, tablet) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let day = date_day(time::Date::from_calendar_date(2026, time::Month::November, 3).unwrap());
        let old = format!("usage.cellular_data:{person}:2026-11-03");
        assert_eq!(old.len(), 67, "the old key's length, which 0019 recognises");
        let findings = vec![
            // A person's data finding naming the phone: the phone goes into its key.
            (uuid::Uuid::now_v7(), old.clone(), finding_key(&CELLULAR_DATA, Some(person), &phone.to_string(), day)),
            // The same person's tablet, keyed the new way already: left as it is.
            (
                uuid::Uuid::now_v7(),
                finding_key(&CELLULAR_DATA, Some(person), &tablet.to_string(), day),
                finding_key(&CELLULAR_DATA, Some(person), &tablet.to_string(), day),
            ),
            // An unattributed data finding (device key, also 67 characters): left as it is.
            (
                uuid::Uuid::now_v7(),
                finding_key(&CELLULAR_DATA, None, &tablet.to_string(), day + 1),
                finding_key(&CELLULAR_DATA, None, &tablet.to_string(), day + 1),
            ),
            // Another rule keyed per person and day: left as it is.
            (
                uuid::Uuid::now_v7(),
                finding_key(&INTERNATIONAL, Some(person), "", day),
                finding_key(&INTERNATIONAL, Some(person), "", day),
            ),
        ];
        Self { person, phone, tablet, findings }
    }

    /// The person and device of each finding, in the order of `findings`.
    fn owners(&self) -> [(Option<uuid::Uuid>, uuid::Uuid, &'static str); 4] {
        [
            (Some(self.person), self.phone, "usage.cellular_data"),
            (Some(self.person), self.tablet, "usage.cellular_data"),
            (None, self.tablet, "usage.cellular_data"),
            (Some(self.person), self.phone, "usage.international"),
        ]
    }
}

/// Store `r`'s person, devices and findings (keyed the old way) through `$c`, a connection to a
/// database at 0018 of either backend.
macro_rules! seed_0018 {
    ($c:expr, $r:expr) => {{
        let t = time::OffsetDateTime::now_utc();
        let area = uuid::Uuid::now_v7();
        sqlx::query("INSERT INTO business_areas (id, name, created_at) VALUES ($1, 'Area', $2)")
            .bind(area)
            .bind(t)
            .execute(&mut $c)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO people (id, staff_number, name, email, kind, business_area_id, status, created_at, updated_at) \
             VALUES ($1, 'A1', 'A', 'a@example.org', 'officer', $2, 'active', $3, $3)",
        )
        .bind($r.person)
        .bind(area)
        .bind(t)
        .execute(&mut $c)
        .await
        .unwrap();
        for (id, tag) in [($r.phone, "PH-1"), ($r.tablet, "TB-1")] {
            sqlx::query(
                "INSERT INTO devices (id, asset_tag, device_type, make, model, status, created_at, updated_at) \
                 VALUES ($1, $2, 'phone', 'm', 'm', 'in_stock', $3, $3)",
            )
            .bind(id)
            .bind(tag)
            .bind(t)
            .execute(&mut $c)
            .await
            .unwrap();
        }
        for ((id, key, _), (person, device, rule)) in $r.findings.iter().zip($r.owners()) {
            sqlx::query(
                "INSERT INTO findings (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, \
                 severity, status, opened_at, updated_at) VALUES ($1, $2, '4.5', $3, $4, $5, 's', '{}', '[]', 'medium', 'open', $6, $6)",
            )
            .bind(*id)
            .bind(rule)
            .bind(key)
            .bind(person)
            .bind(device)
            .bind(t)
            .execute(&mut $c)
            .await
            .unwrap();
        }
    }};
}

/// Each finding's key after the migration, in the order of `r.findings`.
macro_rules! keys_after {
    ($c:expr, $r:expr) => {{
        let mut keys = Vec::new();
        for (id, _, _) in &$r.findings {
            let k: String = sqlx::query_scalar("SELECT dedupe_key FROM findings WHERE id = $1")
                .bind(*id)
                .fetch_one(&mut $c)
                .await
                .unwrap();
            keys.push(k);
        }
        keys
    }};
}

/// 0019 on SQLite: a person's `usage.cellular_data` finding keyed per person and day takes the key
/// `usage::finding_key` gives its device and day; new-style, unattributed and other rules' keys stay.
#[tokio::test]
async fn sqlite_cellular_data_findings_are_rekeyed_per_device() {
    use sqlx::ConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true);
    let mut c = opts.connect().await.unwrap();
    let mut before =
        sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite")).await.unwrap();
    before.migrations = before.migrations.iter().filter(|m| m.version < 19).cloned().collect::<Vec<_>>().into();
    before.run(&mut c).await.unwrap();
    let r = Rekey::new();
    seed_0018!(c, r);
    c.close().await.unwrap();

    let store =
        Store::open(&format!("sqlite:{}", path.display()), &OpenOptions::default()).await.expect("0019 applies");
    store.close().await;
    let mut c = opts.connect().await.unwrap();
    let expected: Vec<String> = r.findings.iter().map(|(_, _, k)| k.clone()).collect();
    assert_eq!(keys_after!(c, r), expected);
    assert_ne!(r.findings[0].1, r.findings[0].2, "the first finding's key must change");
}

/// 0019 on PostgreSQL, as on SQLite.
#[tokio::test]
async fn postgres_cellular_data_findings_are_rekeyed_per_device() {
    let Some(admin) = postgres_url() else { return };
    let name = format!("custodian_k_{}", uuid::Uuid::now_v7().simple());
    let mut admin_c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin_c).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let url = format!("{base}/{name}");
    let r = Rekey::new();
    let result = async {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        let mut before =
            sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres"))
                .await
                .unwrap();
        before.migrations = before.migrations.iter().filter(|m| m.version < 19).cloned().collect::<Vec<_>>().into();
        before.run(&mut c).await.unwrap();
        seed_0018!(c, r);
        c.close().await.unwrap();
        let store = Store::open(&url, &OpenOptions::default()).await.expect("0019 applies");
        store.close().await;
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        let keys = keys_after!(c, r);
        c.close().await.unwrap();
        keys
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin_c).await.unwrap();
    let expected: Vec<String> = r.findings.iter().map(|(_, _, k)| k.clone()).collect();
    assert_eq!(result, expected);
}

/// Usage records as 0053 leaves them (WP034 4.1): two carrier records and a web record, the
/// middle one deleted (as retention does), so `seq` has a gap the rebuild must keep.
const USAGE_0053: &str = "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, \
     person_id, subject, outgoing, duration_s, party, place, category, account) VALUES \
     ('carrier', 'C2', 'call', FALSE, NULL, 20400, 0, 1, NULL, '07700900001', TRUE, 60, '07700900002', 'GB', '', 'A1'), \
     ('carrier', 'C1', 'data', FALSE, NULL, 20400, 10, 2, NULL, '07700900001', FALSE, 0, '', 'GB', '', 'A1'), \
     ('web', 'C2', 'web', FALSE, NULL, 20400, 5, 3, NULL, 'u1', FALSE, 0, 'example.org', '', 'news', ''); \
     DELETE FROM usage_records WHERE record_id = 'C1';";

/// The rows after 0054: the same records with the same `seq`.
const USAGE_ROWS: &str = "SELECT seq, feed, record_id, bytes FROM usage_records ORDER BY seq";

/// 0054 on SQLite: usage_records rebuilt with its unique key as (record_id, feed). Every row keeps
/// its `seq` and columns, the key still refuses a second (feed, record_id) and allows the same id
/// in the other feed, the next record takes the next `seq`, and no other index appeared.
#[tokio::test]
async fn sqlite_usage_records_key_reordered() {
    use sqlx::{ConnectOptions, Executor, Row};
    let dir = tempfile::tempdir().unwrap();
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("m.db")).create_if_missing(true);
    let mut c = opts.connect().await.unwrap();
    let all = custodian_store::migrations::sqlite().await.unwrap();
    let mut before =
        sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite")).await.unwrap();
    before.migrations = all.migrations.iter().filter(|m| m.version < 54).cloned().collect::<Vec<_>>().into();
    before.run(&mut c).await.unwrap();
    sqlx::raw_sql(USAGE_0053).execute(&mut c).await.unwrap();
    all.run(&mut c).await.unwrap();
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(USAGE_ROWS).fetch_all(&mut c).await.unwrap();
    assert_eq!(rows, [(1, "carrier".into(), "C2".into(), 0), (3, "web".into(), "C2".into(), 5)]);
    let key: Vec<String> =
        sqlx::query("SELECT name FROM pragma_index_info('sqlite_autoindex_usage_records_1') ORDER BY seqno")
            .fetch_all(&mut c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
    assert_eq!(key, ["record_id", "feed"]);
    let indexes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_records'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(indexes, 1, "the unique key is usage_records' only index");
    let again = "INSERT INTO usage_records (feed, record_id, event, tethered, day, bytes, start_us, subject, outgoing, \
                 duration_s, party, place, category, account) VALUES ('carrier', 'C2', 'sms', 0, 20400, 0, 4, 's', 1, 0, 'p', '', '', '')";
    assert!(c.execute(again).await.is_err(), "a second (carrier, C2) must be refused");
    c.execute(&*again.replace("'carrier', 'C2'", "'carrier', 'C3'")).await.unwrap();
    let seq: i64 =
        sqlx::query_scalar("SELECT seq FROM usage_records WHERE record_id = 'C3'").fetch_one(&mut c).await.unwrap();
    assert_eq!(seq, 4);
    let bad = c.execute(&*again.replace("'carrier', 'C2'", "'fax', 'C4'")).await;
    assert!(bad.is_err(), "the feed is still checked");
}

/// 0054 on PostgreSQL: the primary key becomes (record_id, feed), the rows stay, and the import's
/// `ON CONFLICT (feed, record_id)` still finds the key.
#[tokio::test]
async fn postgres_usage_records_key_reordered() {
    use sqlx::Executor;
    let Some(admin) = postgres_url() else { return };
    let name = format!("custodian_u_{}", uuid::Uuid::now_v7().simple());
    let mut admin_c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin_c).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let url = format!("{base}/{name}");
    let result = async {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        let mut before =
            sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres"))
                .await
                .unwrap();
        before.migrations = before.migrations.iter().filter(|m| m.version < 54).cloned().collect::<Vec<_>>().into();
        before.run(&mut c).await.unwrap();
        sqlx::raw_sql(USAGE_0053).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
        let store = Store::open(&url, &OpenOptions::default()).await.expect("0054 applies");
        store.close().await;
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(USAGE_ROWS).fetch_all(&mut c).await.unwrap();
        let key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) \
             JOIN pg_attribute a ON a.attnum = k.attnum \
             WHERE i.indrelid = 'usage_records'::regclass AND a.attrelid = i.indrelid AND i.indisprimary ORDER BY k.n",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let insert = "INSERT INTO usage_records (feed, record_id, event, tethered, day, bytes, start_us, subject, outgoing, \
                      duration_s, party, place, category, account) VALUES ('carrier', 'C2', 'sms', FALSE, 20400, 0, 4, 's', \
                      TRUE, 0, 'p', '', '', '') ON CONFLICT (feed, record_id) DO NOTHING";
        let dup = c.execute(insert).await.unwrap().rows_affected();
        let new = c.execute(&*insert.replace("'carrier', 'C2'", "'carrier', 'C3'")).await.unwrap().rows_affected();
        c.close().await.unwrap();
        (rows, key, dup, new)
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin_c).await.unwrap();
    let (rows, key, dup, new) = result;
    assert_eq!(rows, [(1, "carrier".into(), "C2".into(), 0), (3, "web".into(), "C2".into(), 5)]);
    assert_eq!(key, ["record_id", "feed"]);
    assert_eq!((dup, new), (0, 1), "ON CONFLICT (feed, record_id) skips the stored record and stores the new one");
}
