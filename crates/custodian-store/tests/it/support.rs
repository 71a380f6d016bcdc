//! A fresh database per test, on SQLite and (when configured) PostgreSQL, with the fixture force.

use custodian_domain::declarations::ReportedThing;
use custodian_domain::imports::ImportAuthority;
use custodian_store::declarations::{NewEvidence, NewReport, ReportRow};
use custodian_store::{Actor, OpenOptions, Person, Store, no_progress};
use sqlx::Connection;
use time::OffsetDateTime;
use uuid::Uuid;

const PEOPLE: &str = include_str!("../../../../fixtures/people.csv");
const DEVICES: &str = include_str!("../../../../fixtures/devices.csv");

/// PostgreSQL's admin URL when configured; in CI its absence is a failure, not a skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true but CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI");
            }
            eprintln!("skipping PostgreSQL: CUSTODIAN_TEST_DATABASE_URL is not set");
            None
        }
    }
}

/// A store over a database of its own, and that database's URL for raw SQL.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the admin URL and the database's name, to drop it at the end.
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("custodian.db").display());
        let store = Store::open(&url, &OpenOptions { create_if_missing: true, ..Default::default() }).await.unwrap();
        TestDb { store, url, _dir: Some(dir), pg: None }
    }

    pub async fn postgres() -> Option<Self> {
        let admin = postgres_url()?;
        let name = format!("custodian_s_{}", uuid::Uuid::now_v7().simple());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
        let url = format!("{base}/{name}");
        let store = Store::open(&url, &OpenOptions::default()).await.unwrap();
        Some(TestDb { store, url, _dir: None, pg: Some((admin, name)) })
    }

    /// Close the store and drop a PostgreSQL database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.pg {
            let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
        }
    }

    /// The fixture force: its people and its device register.
    pub async fn seed(&self) {
        let now = OffsetDateTime::now_utc();
        self.import_people(PEOPLE, "people", now).await;
        let devices = custodian_domain::imports::parse_devices_csv(DEVICES.as_bytes()).unwrap();
        assert!(devices.errors.is_empty(), "{:?}", devices.errors);
        self.store.import_devices(&devices.rows, Actor::system().at(now), "devices", &no_progress).await.unwrap();
    }

    /// Import a people register (the HR import's CSV) as the operator, as file `source`.
    pub async fn import_people(&self, csv: &str, source: &str, now: OffsetDateTime) {
        let people = custodian_domain::imports::parse_people_csv(csv.as_bytes()).unwrap();
        assert!(people.errors.is_empty(), "{:?}", people.errors);
        self.store
            .import_people(&people.rows, &ImportAuthority::operator(), Actor::system().at(now), source, &no_progress)
            .await
            .unwrap()
            .unwrap();
    }

    /// `reporter` reports a group chat's offensive memes anonymously (WP034 8.1), with the
    /// screenshot `shot` as evidence.
    pub async fn report_group_chat(
        &self,
        reporter: Uuid,
        subject: &str,
        shot: &[u8],
        actor: &Actor,
        now: OffsetDateTime,
    ) -> ReportRow {
        let report = NewReport {
            anonymous: true,
            platform: "WhatsApp".into(),
            what: ReportedThing::GroupChat,
            subject: Some(subject.into()),
            description: "Offensive memes about a victim".into(),
        };
        let evidence = [NewEvidence { file_name: "chat.png".into(), media_type: "image/png", bytes: shot.to_vec() }];
        self.store.report_create(reporter, &report, &evidence, actor.at(now)).await.unwrap()
    }

    pub async fn person(&self, sn: &str) -> Person {
        self.store.person_by_staff_number(sn).await.unwrap().unwrap()
    }

    pub async fn actor(&self, sn: &str) -> Actor {
        Actor::person(self.person(sn).await.id, sn)
    }

    /// Run a statement on a connection of its own (to read what the store keeps, or to play a
    /// corrupt row).
    pub async fn exec(&self, statement: &str) {
        crate::with_connection!(self, c => {
            sqlx::query(statement).execute(&mut c).await.unwrap();
        });
    }

    /// Run several statements in one go, on a connection of their own (an attacker's script).
    pub async fn script(&self, statements: &str) {
        crate::with_connection!(self, c => {
            sqlx::raw_sql(statements).execute(&mut c).await.unwrap();
        });
    }

    /// Store usage records straight into the table, as no import does (no spans): each row a SQL
    /// tuple of (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id,
    /// subject, outgoing, duration_s, party, place, category, account).
    pub async fn insert_usage_records(&self, rows: &[String]) {
        self.exec(&format!(
            "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, \
             subject, outgoing, duration_s, party, place, category, account) VALUES {}",
            rows.join(", ")
        ))
        .await;
    }

    /// The rows of a query whose columns are all integers.
    pub async fn ints(&self, query: &str) -> Vec<Vec<i64>> {
        use sqlx::Row;
        fn read<R: Row>(rows: Vec<R>) -> Vec<Vec<i64>>
        where
            for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            rows.iter().map(|r| (0..r.len()).map(|i| r.try_get::<i64, _>(i).unwrap()).collect()).collect()
        }
        crate::with_connection!(self, c => {
            read(sqlx::query(query).fetch_all(&mut c).await.unwrap())
        })
    }
}

/// Run `$body` with `$c` a connection of its own to `$db` (SQLite or PostgreSQL, each its own
/// type), for statements with bound values, written as the store writes them.
#[macro_export]
macro_rules! with_connection {
    ($db:expr, $c:ident => $body:block) => {{
        use sqlx::Connection as _;
        if $db.url.starts_with("sqlite:") {
            let mut $c = sqlx::SqliteConnection::connect(&$db.url).await.unwrap();
            $body
        } else {
            let mut $c = sqlx::PgConnection::connect(&$db.url).await.unwrap();
            $body
        }
    }};
}

/// Run `async fn $name(db: &TestDb)` as two tests, `$name::sqlite` and `$name::postgres`, each
/// on a fresh database.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::support::TestDb::sqlite().await;
                super::$name(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::support::TestDb::postgres().await else { return };
                super::$name(&db).await;
                db.finish().await;
            }
        }
    };
}
