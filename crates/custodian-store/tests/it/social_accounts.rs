//! The social media account register and its credential vault in SQL (WP034 6.6, 9.1): reveals
//! in flight at once never pass the per-person limit, and migration 0042 (a handle held only by
//! a live account) keeps every row and reference of a database migrated before it.

use std::path::Path;
use std::sync::Arc;

use custodian_domain::posts::Platform;
use custodian_domain::vault::Field;
use custodian_store::social_accounts::SetUp;
use custodian_store::vault::{RevealLimit, RevealLogged};
use custodian_store::{Actor, OpenOptions, Store};
use sqlx::Connection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::on_both;
use crate::support::{TestDb, postgres_url};

async fn account(db: &TestDb, handle: &str) -> Uuid {
    db.store
        .social_set_up(
            &SetUp {
                platform: Platform::X,
                handle: handle.into(),
                owning_team: "Response Policing North".into(),
                team_manager: db.person("A1001").await.id,
                comms_approval: false,
                corporate: false,
                url: String::new(),
                profile: "Emergencies: call 999. Report crime on 101.".into(),
            },
            Actor::system().at(OffsetDateTime::now_utc()),
        )
        .await
        .unwrap()
}

/// `n` reveals by `actor` started together, each through its own transaction; how many were
/// given and how many refused for the limit.
async fn reveal_at_once(store: &Store, account: Uuid, actor: &Actor, n: usize, limit: RevealLimit) -> (usize, usize) {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let now = OffsetDateTime::now_utc();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (store, actor, barrier) = (store.clone(), actor.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.vault_log_reveal(account, Field::Password, "checking the account", Some(limit), actor.at(now)).await
        }));
    }
    let (mut given, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap().unwrap() {
            RevealLogged::Revealed => given += 1,
            RevealLogged::Limited { .. } => refused += 1,
        }
    }
    (given, refused)
}

/// WP034 6.6: a person may reveal at most `limit` values in the window. Twenty reveals started at
/// once (PostgreSQL runs them side by side on its pool) give exactly `limit`, for a person and for
/// the command line; the rest are refused and recorded as refusals, and the audit log has one
/// event for each.
async fn reveals_in_flight_at_once_never_pass_the_limit(db: &TestDb) {
    db.seed().await;
    let a = account(db, "WarksRace").await;
    let limit = RevealLimit { max: 5, window: time::Duration::minutes(10) };
    let eleanor = db.actor("A1009").await;
    assert_eq!(reveal_at_once(&db.store, a, &eleanor, 20, limit).await, (5, 15));
    // The command line is counted by its actor.
    assert_eq!(reveal_at_once(&db.store, a, &Actor::cli(), 20, limit).await, (5, 15));
    // Another person has a limit of their own.
    let priya = db.actor("A1003").await;
    assert_eq!(reveal_at_once(&db.store, a, &priya, 8, limit).await, (5, 3));
    let rows = db.ints("SELECT refused, COUNT(*) FROM vault_reveals GROUP BY refused ORDER BY refused").await;
    assert_eq!(rows, vec![vec![0, 15], vec![1, 33]]);
    let events = db.store.audit_page(Some(&format!("social_account:{a}")), None, 1, 200).await.unwrap().items;
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!((count("vault.credential.reveal"), count("vault.credential.reveal_refused")), (15, 33));
}
on_both!(reveals_in_flight_at_once_never_pass_the_limit);

/// A handle is held only by live rows (0042): requested, active, dormant and closed rows hold it;
/// refused and withdrawn ones do not, on either backend, and two live rows never share one.
async fn only_live_rows_hold_a_handle(db: &TestDb) {
    db.seed().await;
    let live = account(db, "WarksLive").await;
    let row = |id: u8, handle: &str, status: &str| {
        let id = if db.url.starts_with("sqlite:") {
            format!("X'{:032x}'", id)
        } else {
            format!("'{}'", Uuid::from_u128(u128::from(id)))
        };
        format!(
            "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, \
             created_by, status) VALUES ({id}, 'x', '{handle}', 'T', 0, 0, '2026-12-01T00:00:00Z', 'test', '{status}')"
        )
    };
    db.exec(&row(1, "WarksLive", "refused")).await;
    db.exec(&row(2, "WarksLive", "withdrawn")).await;
    db.exec(&row(3, "WarksLive", "refused")).await;
    for status in ["requested", "active", "dormant", "closed"] {
        let refused = try_exec(db, &row(9, "WarksLive", status)).await;
        assert!(refused.is_err(), "a second {status} row for a live handle must be refused");
    }
    db.exec("UPDATE social_accounts SET status = 'closed' WHERE handle = 'WarksLive' AND status = 'active'").await;
    assert!(try_exec(db, &row(9, "WarksLive", "requested")).await.is_err(), "a closed account keeps its handle");
    let n = db.ints("SELECT COUNT(*) FROM social_accounts WHERE handle = 'WarksLive'").await;
    assert_eq!(n, vec![vec![4]]);
    let detail = db.store.social_account(live).await.unwrap().unwrap();
    assert_eq!(detail.earlier_requests.len(), 3);
    assert!(detail.earlier_requests.iter().all(|e| e.handle == "WarksLive"));
}
on_both!(only_live_rows_hold_a_handle);

async fn try_exec(db: &TestDb, statement: &str) -> Result<(), sqlx::Error> {
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await?;
        sqlx::query(statement).execute(&mut c).await.map(drop)
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await?;
        sqlx::query(statement).execute(&mut c).await.map(drop)
    }
}

/// Rows of a register at 0041: an active account with a child row in each of the six tables
/// that refer to social_accounts, a refused request renamed "(earlier request 1)" by 0027's
/// register, a withdrawn one renamed "(earlier request 2)", the live request that took the
/// handle after them, and an account closed after it was active. Written with `hex` ids (SQLite
/// BLOBs) or uuid literals (PostgreSQL).
fn rows_at_0041(sqlite: bool) -> Vec<String> {
    let id = |n: u8| {
        if sqlite { format!("X'{:032x}'", n) } else { format!("'{}'", Uuid::from_u128(u128::from(n))) }
    };
    let t = "'2026-11-01T10:00:00Z'";
    let account = |n: u8, handle: &str, status: &str, active: bool, reason: &str| {
        format!(
            "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, \
             created_by, status, active_since, closed_at, closed_reason) VALUES ({}, 'instagram', '{handle}', \
             'Response Policing North', 0, 0, {t}, 'person:A1016', '{status}', {}, {}, {})",
            id(n),
            if active { t } else { "NULL" },
            if reason.is_empty() { "NULL".to_string() } else { t.to_string() },
            if reason.is_empty() { "NULL".to_string() } else { format!("'{reason}'") },
        )
    };
    vec![
        format!(
            "INSERT INTO business_areas (id, name, created_at) VALUES ({}, 'Response Policing North', {t})",
            id(90)
        ),
        format!(
            "INSERT INTO people (id, staff_number, name, email, kind, business_area_id, status, created_at, updated_at) \
             VALUES ({}, 'A1016', 'Kwame Mensah', 'k@example.org', 'officer', {}, 'active', {t}, {t})",
            id(80),
            id(90)
        ),
        account(1, "WarksNorth", "active", true, ""),
        account(2, "WarksCareers (earlier request 1)", "closed", false, "request refused by Corporate Communications"),
        account(3, "WarksCareers (earlier request 2)", "closed", false, "request withdrawn"),
        account(4, "WarksCareers", "requested", false, ""),
        account(5, "WarksOld", "closed", true, "Merged into the main account"),
        format!(
            "INSERT INTO social_account_users (id, account_id, person_id, authorised_from, authorised_by) \
             VALUES ({}, {}, {}, {t}, 'person:A1016')",
            id(20),
            id(1),
            id(80)
        ),
        format!(
            "INSERT INTO social_account_tasks (id, account_id, rule, clause, assignee, summary, detail, status, open_key, \
             opened_at) VALUES ({}, {}, 'social.dormant', '6.1', 'team_manager', 's', '{{}}', 'open', 'k1', {t})",
            id(21),
            id(1)
        ),
        format!(
            "INSERT INTO vault_secrets (id, account_id, field, key_id, wrapped_key, ciphertext, set_at, set_by) \
             VALUES ({}, {}, 'username', 'k', {}, {}, {t}, 'cli')",
            id(22),
            id(1),
            if sqlite { "X'01'" } else { "'\\x01'::bytea" },
            if sqlite { "X'02'" } else { "'\\x02'::bytea" }
        ),
        format!(
            "INSERT INTO vault_reveals (id, person_id, actor, account_id, field, at, refused) \
             VALUES ({}, {}, 'person:A1016', {}, 'username', {t}, 0)",
            id(23),
            id(80),
            id(1)
        ),
    ]
}

/// What 0042 must leave of [`rows_at_0041`]: (handle, status) by id, in id order.
const AFTER_0042: [(&str, &str); 5] = [
    ("WarksNorth", "active"),
    ("WarksCareers", "refused"),
    ("WarksCareers", "withdrawn"),
    ("WarksCareers", "requested"),
    ("WarksOld", "closed"),
];

/// 0042 rebuilds `social_accounts` on SQLite with its foreign keys deferred to the commit: every
/// row stays with the same id, the renamed earlier requests get their real handles and their
/// statuses, the six tables that refer to it still refer to it (a row pointing nowhere is
/// refused, and `foreign_key_check` finds nothing), the indexes are all there, and the unique
/// index holds among live rows only.
#[tokio::test]
async fn sqlite_0042_rebuild_keeps_rows_references_and_indexes() {
    use sqlx::{ConnectOptions, Executor};
    let dir = tempfile::tempdir().unwrap();
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("m.db"))
        .create_if_missing(true)
        .foreign_keys(true);
    let mut c = opts.connect().await.unwrap();
    let all = custodian_store::migrations::sqlite().await.unwrap();
    let mut before =
        sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite")).await.unwrap();
    before.migrations = all.migrations.iter().filter(|m| m.version < 42).cloned().collect::<Vec<_>>().into();
    before.run(&mut c).await.unwrap();
    for sql in rows_at_0041(true) {
        c.execute(sql.as_str()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    all.run(&mut c).await.unwrap();

    let rows: Vec<(Vec<u8>, String, String)> =
        sqlx::query_as("SELECT id, handle, status FROM social_accounts ORDER BY id").fetch_all(&mut c).await.unwrap();
    let got: Vec<(&str, &str)> = rows.iter().map(|(_, h, s)| (h.as_str(), s.as_str())).collect();
    assert_eq!(got, AFTER_0042);
    assert_eq!(rows[0].0, Uuid::from_u128(1).as_bytes().to_vec());
    for (table, n) in
        [("social_account_users", 1), ("social_account_tasks", 1), ("vault_secrets", 1), ("vault_reveals", 1)]
    {
        let kept: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} t JOIN social_accounts a ON a.id = t.account_id"
        ))
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(kept, n, "{table}");
    }
    let fk: Vec<sqlx::sqlite::SqliteRow> = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut c).await.unwrap();
    assert!(fk.is_empty());
    for child in ["posts", "social_account_users", "social_account_tasks", "vault_secrets", "vault_reveals", "comments"]
    {
        let schema: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
            .bind(child)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert!(schema.contains("REFERENCES social_accounts (id)"), "{child}: {schema}");
    }
    let dangling = c
        .execute(
            "INSERT INTO social_account_tasks (id, account_id, rule, clause, assignee, summary, detail, status, open_key, \
             opened_at) VALUES (X'99', X'98', 'social.dormant', '6.1', 'team_manager', 's', '{}', 'open', 'k9', 't')",
        )
        .await;
    assert!(dangling.is_err(), "a task for no account must be refused");
    let idx: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'social_accounts' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(idx, ["social_accounts_live_handle", "social_accounts_status", "social_accounts_team_manager"]);
    // Live rows still hold their handle; a third refused request for it is one row more.
    let insert = |id: &str, status: &str| {
        format!(
            "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, \
             created_by, status) VALUES ({id}, 'instagram', 'WarksCareers', 'T', 0, 0, 't', 'test', '{status}')"
        )
    };
    assert!(c.execute(insert("X'31'", "requested").as_str()).await.is_err());
    c.execute(insert("X'32'", "refused").as_str()).await.unwrap();
    assert!(c.execute("UPDATE social_accounts SET status = 'whatever' WHERE id = X'32'").await.is_err());
    c.close().await.unwrap();
}

/// On PostgreSQL 0042 swaps the constraints: a database at 0041 with the same rows opens through
/// the store, keeps every row and reference, and gives the earlier requests their real handles.
#[tokio::test]
async fn postgres_0042_keeps_rows_and_frees_refused_handles() {
    let Some(admin) = postgres_url() else { return };
    let name = format!("custodian_m_{}", Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let url = format!("{base}/{name}");
    let result = async {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let all = custodian_store::migrations::postgres().await.unwrap();
        let mut before =
            sqlx::migrate::Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres"))
                .await
                .unwrap();
        before.migrations = all.migrations.iter().filter(|m| m.version < 42).cloned().collect::<Vec<_>>().into();
        before.run(&mut db).await.unwrap();
        for sql in rows_at_0041(false) {
            sqlx::query(&sql).execute(&mut db).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        db.close().await.unwrap();
        let store = Store::open(&url, &OpenOptions::default()).await.expect("0042 applies");
        let detail = store.social_account(Uuid::from_u128(4)).await.unwrap().unwrap();
        let earlier: Vec<(Uuid, String)> =
            detail.earlier_requests.iter().map(|e| (e.id, e.handle.clone())).collect();
        store.close().await;
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let rows: Vec<(Uuid, String, String)> =
            sqlx::query_as("SELECT id, handle, status FROM social_accounts ORDER BY id").fetch_all(&mut db).await.unwrap();
        let kept: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM social_account_users) + (SELECT COUNT(*) FROM social_account_tasks) \
             + (SELECT COUNT(*) FROM vault_secrets) + (SELECT COUNT(*) FROM vault_reveals)",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        let dangling = sqlx::query(
            "INSERT INTO social_account_tasks (id, account_id, rule, clause, assignee, summary, detail, status, open_key, \
             opened_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'social.dormant', '6.1', 'team_manager', 's', '{}', \
             'open', 'k9', now())",
        )
        .execute(&mut db)
        .await;
        let second_live = sqlx::query(
            "INSERT INTO social_accounts (id, platform, handle, owning_team, comms_approval, corporate, created_at, \
             created_by, status) VALUES (gen_random_uuid(), 'instagram', 'WarksCareers', 'T', 0, 0, now(), 't', 'active')",
        )
        .execute(&mut db)
        .await;
        db.close().await.unwrap();
        (rows, kept, earlier, dangling.is_err(), second_live.is_err())
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
    let (rows, kept, earlier, dangling_refused, second_live_refused) = result;
    let got: Vec<(&str, &str)> = rows.iter().map(|(_, h, s)| (h.as_str(), s.as_str())).collect();
    assert_eq!(got, AFTER_0042);
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), (1..=5).map(Uuid::from_u128).collect::<Vec<_>>());
    assert_eq!(kept, 4);
    assert_eq!(
        earlier,
        [(Uuid::from_u128(3), "WarksCareers".to_string()), (Uuid::from_u128(2), "WarksCareers".to_string())]
    );
    assert!(dangling_refused, "a task for no account must be refused");
    assert!(second_live_refused, "the live request holds WarksCareers");
}
