//! Test harness: spawn the real application on port 0 with a fresh database.

use std::path::PathBuf;

use custodian_server::{AppState, Application, Settings};
use custodian_store::{Actor, Store};
use serde_json::Value;

pub const PEOPLE: &str = include_str!("../../../../fixtures/people.csv");
pub const DEVICES: &str = include_str!("../../../../fixtures/devices.csv");
pub const INTUNE: &str = include_str!("../../../../fixtures/intune.json");
pub const PASSWORD: &str = "a long test passphrase for wp034";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when configured; in CI its absence is a failure, not a skip.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("CI=true but CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI");
                }
                eprintln!("skipping PostgreSQL: CUSTODIAN_TEST_DATABASE_URL is not set");
                None
            }
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub db_url: String,
    pub dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
    pg_admin: Option<(String, String)>,
}

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("custodian-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// A server with the fixture force loaded (see [`TestApp::seed`]).
pub async fn spawn_seeded(backend: Backend) -> TestApp {
    let app = spawn(backend).await;
    app.seed().await;
    app
}

pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = temp_dir();
    let (db_url, pg_admin) = match &backend {
        Backend::Sqlite => (format!("sqlite:{}", dir.join("custodian.db").display()), None),
        Backend::Postgres(admin) => {
            use sqlx::Connection;
            let name = format!("custodian_t_{}", uuid::Uuid::now_v7().simple());
            let mut c = sqlx::PgConnection::connect(admin).await.expect("connect to CUSTODIAN_TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
            (format!("{base}/{name}"), Some((admin.clone(), name)))
        }
    };
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: db_url.clone(),
        data_dir: dir.clone(),
        checkpoint_every: 0,
        // Tests publish due posts themselves, so the loop never races them.
        publish_every_seconds: 0,
        ..Settings::default()
    };
    tweak(&mut settings);
    let store = custodian_server::open_store(&settings, true).await.unwrap();
    let app = Application::build(settings, store).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let handle = tokio::spawn(async move {
        app.run_until(async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestApp { base, state, db_url, dir, shutdown: Some(tx), handle: Some(handle), pg_admin }
}

impl TestApp {
    pub fn store(&self) -> &Store {
        self.state.store()
    }

    /// Load the fixture force and give the listed people the test password.
    pub async fn seed(&self) {
        let now = time::OffsetDateTime::now_utc();
        custodian_server::imports::import_people(self.store(), &Actor::system(), now, PEOPLE.as_bytes(), false)
            .await
            .unwrap();
        custodian_server::imports::import_devices(self.store(), &Actor::system(), now, DEVICES.as_bytes(), false)
            .await
            .unwrap();
        let hash = self.state.passwords().hash(PASSWORD).await.unwrap();
        let people = self.store().people(&Default::default(), 1, 100).await.unwrap().items;
        for p in people.iter().filter(|p| p.status == custodian_domain::people::PersonStatus::Active) {
            self.store().set_password_hash(p.id, &hash, Actor::system().at(now)).await.unwrap();
        }
    }

    pub async fn person(&self, sn: &str) -> custodian_store::Person {
        self.store().person_by_staff_number(sn).await.unwrap().unwrap()
    }

    pub async fn device(&self, tag: &str) -> custodian_store::Device {
        self.store().device_by_asset_tag(tag).await.unwrap().unwrap()
    }

    /// A bearer token with `write` scope for the person.
    pub async fn token(&self, sn: &str) -> String {
        self.token_scoped(sn, &["write"]).await
    }

    pub async fn token_scoped(&self, sn: &str, scopes: &[&str]) -> String {
        let p = self.person(sn).await;
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        custodian_server::auth::issue_token(&self.state, &p, "test", &scopes, 30, &Actor::system()).await.unwrap().1
    }

    /// API clients with `write` tokens (see [`TestApp::token`]) of the people with these staff
    /// numbers, in order.
    pub async fn apis<const N: usize>(&self, staff_numbers: [&str; N]) -> [Api; N] {
        let mut apis = Vec::with_capacity(N);
        for sn in staff_numbers {
            apis.push(self.api(&self.token(sn).await));
        }
        match apis.try_into() {
            Ok(apis) => apis,
            Err(_) => unreachable!("one client a staff number"),
        }
    }

    pub fn api(&self, token: &str) -> Api {
        Api { base: format!("{}/api/v1", self.base), token: token.to_string(), http: reqwest::Client::new() }
    }

    /// A browser-like client signed in with a session cookie; returns it with its CSRF token.
    pub async fn sign_in(&self, email: &str) -> Session {
        self.sign_in_with(email, PASSWORD).await
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) -> Session {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = post_sign_in(&http, &self.base, email, password).await;
        assert_eq!(res.status(), 303, "sign-in of {email} failed");
        let home = http.get(format!("{}/", self.base)).send().await.unwrap().text().await.unwrap();
        let csrf = home
            .split("name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf meta tag")
            .to_string();
        Session { base: self.base.clone(), http, csrf }
    }

    /// Raw SQL against the test database (to play an attacker with database access).
    pub async fn sql(&self, statement: &str) {
        use sqlx::Connection;
        if self.db_url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&self.db_url).await.unwrap();
            sqlx::query(statement).execute(&mut c).await.unwrap();
        } else {
            let mut c = sqlx::PgConnection::connect(&self.db_url).await.unwrap();
            sqlx::query(statement).execute(&mut c).await.unwrap();
        }
    }

    /// The one integer a query such as `SELECT COUNT(*) ...` answers.
    pub async fn count(&self, query: &str) -> i64 {
        use sqlx::Connection;
        if self.db_url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&self.db_url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut c).await.unwrap()
        } else {
            let mut c = sqlx::PgConnection::connect(&self.db_url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut c).await.unwrap()
        }
    }

    pub async fn try_sql(&self, statement: &str) -> Result<(), String> {
        use sqlx::Connection;
        let r = if self.db_url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&self.db_url).await.unwrap();
            sqlx::query(statement).execute(&mut c).await.map(|_| ())
        } else {
            let mut c = sqlx::PgConnection::connect(&self.db_url).await.unwrap();
            sqlx::query(statement).execute(&mut c).await.map(|_| ())
        };
        r.map_err(|e| e.to_string())
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        if let Some((admin, name)) = self.pg_admin.take() {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The sign-in form's pre-session cookie and token, as a browser gets them with the form.
/// Send a request: its answer's status and JSON body (null when the body is not JSON).
pub async fn status_and_json(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The boundary of every [`multipart`] body.
const MULTIPART_BOUNDARY: &str = "custodian-test-boundary-51c2";

/// A `multipart/form-data` upload, as a browser sends a form with files: the content type to send
/// and the body, with `fields` as text parts in their order (the CSRF token among them, where the
/// form carries one), then each file as `(field, file name, content type, bytes)`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let b = MULTIPART_BOUNDARY;
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{b}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (field, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{b}\r\ncontent-disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\ncontent-type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

/// The rows and fields an import refused, with their messages (a failure other than
/// [`AppError::Invalid`] fails the test).
pub fn refused_rows(e: custodian_server::error::AppError) -> Vec<(Option<u64>, Option<String>, String)> {
    match e {
        custodian_server::error::AppError::Invalid { errors, .. } => {
            errors.into_iter().map(|p| (p.line, p.field, p.message)).collect()
        }
        other => panic!("expected a refusal naming rows and fields, got {other:?}"),
    }
}

/// Send a request and read its answer's body as text.
pub async fn text_of(request: reqwest::RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// Import a people register into `store` as the command line does (`Actor::cli`, now).
pub async fn cli_import_people(store: &Store, csv: &str) {
    let now = time::OffsetDateTime::now_utc();
    custodian_server::imports::import_people(store, &Actor::cli(), now, csv.as_bytes(), false).await.unwrap();
}

/// Import a device register into `store` as the command line does (`Actor::cli`, now).
pub async fn cli_import_devices(store: &Store, csv: &str) {
    let now = time::OffsetDateTime::now_utc();
    custodian_server::imports::import_devices(store, &Actor::cli(), now, csv.as_bytes(), false).await.unwrap();
}

pub async fn sign_in_form(http: &reqwest::Client, base: &str) -> (String, String) {
    try_sign_in_form(http, base).await.expect("the sign-in form sets its pre-session cookie and carries its token")
}

pub async fn try_sign_in_form(http: &reqwest::Client, base: &str) -> Option<(String, String)> {
    let res = http.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("custodian_signin="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let page = res.text().await.unwrap();
    let token =
        page.split("name=\"signin_token\" value=\"").nth(1).and_then(|s| s.split('"').next()).map(str::to_string);
    Some((cookie?, token?))
}

/// Sign in as a browser does: fetch the form (its pre-session cookie and token), then post it.
pub async fn post_sign_in(http: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    let mut req = http.post(format!("{base}/sign-in"));
    let mut form = vec![("email", email.to_string()), ("password", password.to_string())];
    if let Some((cookie, token)) = try_sign_in_form(http, base).await {
        req = req.header("cookie", cookie);
        form.push(("signin_token", token));
    }
    req.form(&form).send().await.unwrap()
}

/// JSON API client with a bearer token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    /// GET that must answer 200: the body.
    pub async fn get_ok(&self, path: &str) -> Value {
        let (s, body) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {body}");
        body
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r =
            self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body.to_string());
        status_and_json(r).await
    }
    /// Import the approved-apps catalogue with these CSV lines under its header.
    pub async fn import_catalogue(&self, lines: &str) -> (u16, Value) {
        let csv = format!("name,platform,package_id,publisher,category,allowed_for\n{lines}");
        self.post_raw("/apps/import-catalogue", "text/csv", &csv).await
    }

    /// Sets up the social account `account` (`POST /posts/accounts`), requires 201 and returns
    /// the account.
    pub async fn create_account(&self, account: Value) -> Value {
        let (s, a) = self.post("/posts/accounts", account).await;
        assert_eq!(s, 201, "{a}");
        a
    }
}

/// A signed-in browser-like session.
pub struct Session {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
}

impl Session {
    /// GET that must answer 200: the page.
    pub async fn get_ok(&self, path: &str) -> String {
        let (s, page) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {page}");
        page
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("csrf_token", &self.csrf));
        let r = self.http.post(format!("{}{path}", self.base)).form(&f).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// Post a form as a browser does from `page` (the page as `Referer`, the CSRF token added):
    /// the response as it comes.
    pub async fn post_from_page(&self, page: &str, action: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("csrf_token", &self.csrf));
        self.http
            .post(format!("{}{action}", self.base))
            .header("Referer", format!("{}{page}", self.base))
            .form(&f)
            .send()
            .await
            .unwrap()
    }

    /// The same, for its status and where it sends the browser (empty without a `Location`): a
    /// refused form comes back to `page`.
    pub async fn post_from(&self, page: &str, action: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self.post_from_page(page, action, form).await;
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        (r.status().as_u16(), location)
    }

    pub async fn post_without_csrf(&self, path: &str, form: &[(&str, &str)]) -> u16 {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap().status().as_u16()
    }
}

/// Signs in through the sign-in page in a real browser, as `email` with the test password, and
/// waits for the page that follows.
pub async fn browser_sign_in(c: &fantoccini::Client, base: &str, email: &str) {
    browser_sign_in_with(c, base, email, PASSWORD).await;
}

/// Signs in with a password of its own (the demo force's) in a real browser.
pub async fn browser_sign_in_with(c: &fantoccini::Client, base: &str, email: &str, password: &str) {
    use fantoccini::Locator;
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();
}

/// Signs out with the header's button in a real browser, and waits for the sign-in page.
pub async fn browser_sign_out(c: &fantoccini::Client) {
    use fantoccini::Locator;
    c.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("email")).await.unwrap();
}
