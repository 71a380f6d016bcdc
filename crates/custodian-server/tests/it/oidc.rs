//! OpenID Connect sign-in against a real OpenID provider: `oidc-provider` (a certified
//! implementation, `tests/oidc-provider/`, installed by `.ci/run` with `npm ci`), started on a
//! loopback port with a small configuration (WP034 9.1, 4.1, 1.2).
//!
//! Successful sign-ins go through the provider unmodified. The refusals need a token the
//! provider would not hand Custodian itself, so those tests put a small loopback proxy between
//! Custodian and the provider (the provider's issuer is the proxy's address, so discovery, the
//! keys and the token endpoint all pass through it) that corrupts a signature, swaps in another
//! real token from the same provider (another client's, or an earlier sign-in's), or holds the
//! token response until a short-lived token has expired. Restarting the provider behind the
//! proxy gives it a new signing key: a key rotation.
//!
//! Without node or the npm packages the tests that need the provider skip with a message, except
//! when CI=true, where that is a failure (as the browser tests treat Chromium).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use custodian_domain::people::Role;
use custodian_server::config::OidcSettings;
use serde_json::{Value, json};
use sha2::Digest;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_with};

const SECRET: &str = "custodian-test-client-secret-0123456789";
const OTHER_SECRET: &str = "another-client-secret-0123456789abcdef";
const OTHER_REDIRECT: &str = "http://127.0.0.1:9/other/callback";

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// Whether node and the provider's packages are here; in CI their absence fails the test.
fn provider_available() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let packages = provider_dir().join("node_modules/oidc-provider/package.json").is_file();
    if node && packages {
        return true;
    }
    let missing =
        if node { "the npm packages (npm ci in crates/custodian-server/tests/oidc-provider)" } else { "node" };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the OpenID provider tests cannot run: {missing} is missing (.ci/run installs it)"
    );
    eprintln!("skipping OpenID Connect test: {missing} is missing");
    false
}

/// A free loopback port (bound, read and released: another process could take it in between,
/// which the tests accept as they do for chromedriver).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The provider's accounts: Entra-like claims (object id, e-mail, groups).
fn accounts() -> Value {
    json!({
        "gareth": {"oid": "oid-gareth", "email": "gareth.lloyd@warwickshire.police.example", "name": "Gareth Lloyd", "groups": ["g-psd"]},
        "priya": {"oid": "oid-priya", "email": "priya.raman@warwickshire.police.example", "name": "Priya Raman", "groups": ["g-psd", "g-unmapped"]},
        // The same directory account later: a new e-mail, out of the PSD group.
        "priya-moved": {"oid": "oid-priya", "email": "p.raman@new.police.example", "name": "Priya Raman", "groups": ["g-unmapped"]},
        "daniel": {"oid": "oid-daniel", "preferred_username": "daniel.okafor@warwickshire.police.example", "name": "Daniel Okafor", "groups": ["g-ds"]},
        "stranger": {"oid": "oid-stranger", "email": "stranger@elsewhere.example", "name": "A Stranger", "groups": ["g-psd"]},
    })
}

/// The running provider process; killed when dropped.
struct Provider {
    child: Child,
    port: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_provider(issuer: &str, port: u16, custodian: &str, id_token_ttl: u64) -> Provider {
    let cfg = json!({
        "issuer": issuer,
        "port": port,
        "id_token_ttl": id_token_ttl,
        "accounts": accounts(),
        "clients": [
            {
                "client_id": "custodian", "client_secret": SECRET,
                "redirect_uris": [format!("{custodian}/oidc/callback")],
                "post_logout_redirect_uris": [format!("{custodian}/sign-in")],
                "response_types": ["code"], "grant_types": ["authorization_code"],
            },
            {
                "client_id": "other", "client_secret": OTHER_SECRET,
                "redirect_uris": [OTHER_REDIRECT],
                "response_types": ["code"], "grant_types": ["authorization_code"],
            },
        ],
    });
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .arg(cfg.to_string())
        .current_dir(provider_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node provider.mjs");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = std::io::BufReader::new(stdout);
        let mut line = String::new();
        let _ = out.read_line(&mut line);
        let _ = tx.send(line);
        // Keep reading: a closed pipe would end the provider at its next write.
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).expect("the provider printed its port");
    let v: Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
    Provider { child, port: v["port"].as_u64().unwrap() as u16 }
}

/// What the proxy does to the token endpoint's answer.
#[derive(Clone, Debug)]
enum Mode {
    Pass,
    /// Change one character in the middle of the ID token's signature.
    CorruptSignature,
    /// Put this (real, provider-signed) ID token in place of the one issued.
    Replace(String),
    /// Hold the answer this long.
    Delay(Duration),
}

#[derive(Clone)]
struct ProxyState {
    upstream: Arc<Mutex<u16>>,
    mode: Arc<Mutex<Mode>>,
    /// Every ID token the token endpoint issued through the proxy.
    issued: Arc<Mutex<Vec<String>>>,
    http: reqwest::Client,
}

struct Proxy {
    port: u16,
    state: ProxyState,
}

impl Proxy {
    async fn start() -> Proxy {
        let state = ProxyState {
            upstream: Arc::new(Mutex::new(0)),
            mode: Arc::new(Mutex::new(Mode::Pass)),
            issued: Arc::new(Mutex::new(Vec::new())),
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy { port, state }
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    fn set_upstream(&self, port: u16) {
        *self.state.upstream.lock().unwrap() = port;
    }
    fn set_mode(&self, m: Mode) {
        *self.state.mode.lock().unwrap() = m;
    }
    fn issued(&self) -> Vec<String> {
        self.state.issued.lock().unwrap().clone()
    }
}

async fn forward(
    axum::extract::State(p): axum::extract::State<ProxyState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let upstream = *p.upstream.lock().unwrap();
    let path = req.uri().path_and_query().map(|x| x.as_str().to_string()).unwrap_or_default();
    let method = req.method().clone();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.unwrap();
    let mut out = p.http.request(method, format!("http://127.0.0.1:{upstream}{path}"));
    // The Host header goes along: the provider names its endpoints after it.
    for (k, v) in headers.iter().filter(|(k, _)| *k != "content-length") {
        out = out.header(k, v);
    }
    let res = out.body(body).send().await.unwrap();
    let status = res.status();
    let res_headers = res.headers().clone();
    let mut bytes = res.bytes().await.unwrap().to_vec();
    if path.starts_with("/token") && status.is_success() {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        let issued = v["id_token"].as_str().unwrap_or_default().to_string();
        p.issued.lock().unwrap().push(issued.clone());
        let mode = p.mode.lock().unwrap().clone();
        match mode {
            Mode::Pass => {}
            Mode::CorruptSignature => {
                let mut t = issued.into_bytes();
                let i = t.len() - 20;
                t[i] = if t[i] == b'A' { b'B' } else { b'A' };
                v["id_token"] = Value::String(String::from_utf8(t).unwrap());
            }
            Mode::Replace(other) => v["id_token"] = Value::String(other),
            Mode::Delay(d) => tokio::time::sleep(d).await,
        }
        bytes = serde_json::to_vec(&v).unwrap();
    }
    let mut b = axum::http::Response::builder().status(status.as_u16());
    for (k, v) in res_headers.iter().filter(|(k, _)| *k != "content-length" && *k != "transfer-encoding") {
        b = b.header(k, v);
    }
    b.body(axum::body::Body::from(bytes)).unwrap()
}

/// Custodian with `[oidc]` pointing at `issuer`, on a port chosen beforehand (the provider must
/// know the callback address when it starts).
async fn custodian(b: Backend, port: u16, issuer: &str) -> TestApp {
    let issuer = issuer.to_string();
    let app = spawn_with(b, move |s| {
        s.bind = format!("127.0.0.1:{port}");
        s.break_glass_accounts = vec!["admin.breakglass@warwickshire.police.example".into()];
        s.oidc = Some(OidcSettings {
            issuer_url: issuer,
            client_id: "custodian".into(),
            client_secret: SECRET.into(),
            redirect_url: format!("http://127.0.0.1:{port}/oidc/callback"),
            post_logout_redirect_url: Some(format!("http://127.0.0.1:{port}/sign-in")),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            user_id_claim: "oid".into(),
            role_claim: "groups".into(),
            role_mapping: [("g-psd".to_string(), vec![Role::Psd]), ("g-ds".to_string(), vec![Role::DigitalServices])]
                .into_iter()
                .collect(),
            provider_name: "Test provider".into(),
            starts_per_address: 300,
        });
    })
    .await;
    app.seed().await;
    app
}

/// Custodian and the provider directly (no proxy), or None (the test skips) where the provider
/// cannot run.
async fn direct(b: Backend) -> Option<(TestApp, Provider)> {
    if !provider_available() {
        return None;
    }
    let (port, provider_port) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let app = custodian(b, port, &issuer).await;
    let provider = start_provider(&issuer, provider_port, &app.base, 3600);
    Some((app, provider))
}

/// Custodian and the provider with the proxy between them.
async fn proxied(b: Backend, id_token_ttl: u64) -> Option<(TestApp, Provider, Proxy)> {
    if !provider_available() {
        return None;
    }
    let proxy = Proxy::start().await;
    let app = custodian(b, free_port(), &proxy.url()).await;
    let provider = start_provider(&proxy.url(), 0, &app.base, id_token_ttl);
    proxy.set_upstream(provider.port);
    Some((app, provider, proxy))
}

/// The status of a sign-in with the test password, from a client of its own.
async fn password_sign_in(app: &TestApp, email: &str) -> reqwest::StatusCode {
    crate::support::post_sign_in(&browser_client(), &app.base, email, crate::support::PASSWORD).await.status()
}

fn browser_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn location(res: &reqwest::Response, base: &str) -> String {
    let l = res.headers().get("location").unwrap().to_str().unwrap();
    if l.starts_with('/') { format!("{base}{l}") } else { l.to_string() }
}

fn origin(url: &str) -> String {
    let u = reqwest::Url::parse(url).unwrap();
    format!("{}://{}:{}", u.scheme(), u.host_str().unwrap(), u.port().unwrap())
}

/// Follow the provider's pages from an authorisation URL as `login` until it redirects to an
/// address starting with `stop`; returns that address (the callback with code and state).
async fn at_provider(http: &reqwest::Client, auth_url: &str, login: &str, stop: &str) -> String {
    let base = origin(auth_url);
    let mut url = auth_url.to_string();
    for _ in 0..10 {
        let res = http.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            let next = location(&res, &base);
            if next.starts_with(stop) {
                return next;
            }
            url = next;
            continue;
        }
        assert_eq!(res.status(), 200, "provider page {url}");
        // The login form: post the account; the provider redirects on.
        let res = http.post(&url).form(&[("login", login)]).send().await.unwrap();
        assert!(res.status().is_redirection(), "provider login for {login}: {}", res.status());
        let next = location(&res, &base);
        if next.starts_with(stop) {
            return next;
        }
        url = next;
    }
    panic!("the provider never redirected to {stop}");
}

/// Start a sign-in at Custodian: the provider's authorisation URL.
async fn start(http: &reqwest::Client, app: &TestApp) -> String {
    let res = http.get(format!("{}/oidc/start", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 303, "GET /oidc/start");
    location(&res, &app.base)
}

/// A whole sign-in as `login`: the callback's response from Custodian.
async fn sign_in(http: &reqwest::Client, app: &TestApp, login: &str) -> (u16, String, String) {
    let auth = start(http, app).await;
    let callback = at_provider(http, &auth, login, &format!("{}/oidc/callback", app.base)).await;
    let res = http.get(&callback).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap(), callback)
}

/// Whether the client's session is signed in (home page rather than a redirect to sign in).
async fn signed_in(http: &reqwest::Client, app: &TestApp) -> bool {
    let res = http.get(format!("{}/", app.base)).send().await.unwrap();
    res.status() == 200
}

async fn events(app: &TestApp, subject: &str, action: &str) -> Vec<custodian_store::AuditEvent> {
    let page = app.store().audit_page(Some(subject), None, 1, 500).await.unwrap();
    page.items.into_iter().filter(|e| e.action == action).collect()
}

/// The role changes sign-in made (the HR import's own are not counted).
async fn oidc_role_changes(app: &TestApp, subject: &str) -> Vec<custodian_store::AuditEvent> {
    events(app, subject, "person.roles_changed").await.into_iter().filter(|e| e.detail["by"] == "oidc").collect()
}

async fn oidc_links_by_email_then_finds_by_oid_and_maps_groups_to_roles(b: Backend) {
    let Some((app, _provider)) = direct(b).await else { return };
    let before = app.person("A1003").await;
    assert!(!before.roles.contains(&Role::Psd));
    // First sign-in: linked by e-mail; in the PSD group, so PSD's role is given; the roles the
    // mapping does not govern (head of department, corporate comms) stay.
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "priya").await;
    assert_eq!(status, 200, "{body}");
    assert!(signed_in(&http, &app).await);
    let p = app.person("A1003").await;
    assert_eq!(p.roles, vec![Role::CorporateComms, Role::Psd, Role::HeadOfDepartment]);
    let linked = events(&app, "person:A1003", "person.oidc_linked").await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].detail["oid"], "oid-priya");
    assert_eq!(linked[0].clause.as_deref(), Some("4.1"));
    let changed = oidc_role_changes(&app, "person:A1003").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].detail["added"], json!(["psd"]));
    assert_eq!(changed[0].detail["by"], "oidc");
    assert_eq!(changed[0].detail["claim"], "groups");

    // Later, the same directory account with another e-mail and out of the PSD group: found by
    // its object id, not by e-mail; the PSD role goes, audited; no second link.
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "priya-moved").await;
    assert_eq!(status, 200, "{body}");
    let p = app.person("A1003").await;
    assert_eq!(p.roles, vec![Role::CorporateComms, Role::HeadOfDepartment]);
    assert_eq!(events(&app, "person:A1003", "person.oidc_linked").await.len(), 1);
    let changed = oidc_role_changes(&app, "person:A1003").await;
    assert_eq!(changed.len(), 2);
    assert!(changed.iter().any(|e| e.detail["removed"] == json!(["psd"])));

    // Signing in again with the same groups changes nothing.
    let http = browser_client();
    assert_eq!(sign_in(&http, &app, "priya-moved").await.0, 200);
    assert_eq!(oidc_role_changes(&app, "person:A1003").await.len(), 2);

    // No `email` claim: Entra's preferred_username (the UPN) links instead; DS stays granted.
    let http = browser_client();
    assert_eq!(sign_in(&http, &app, "daniel").await.0, 200);
    assert!(app.person("A1002").await.roles.contains(&Role::DigitalServices));
    assert_eq!(oidc_role_changes(&app, "person:A1002").await.len(), 0);
    app.stop().await;
}
on_both!(oidc_links_by_email_then_finds_by_oid_and_maps_groups_to_roles);

async fn oidc_refuses_an_unknown_user_and_audits_it(b: Backend) {
    let Some((app, _provider)) = direct(b).await else { return };
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "stranger").await;
    assert_eq!(status, 403);
    assert!(body.contains("Custodian has no record of you"), "{body}");
    assert!(!signed_in(&http, &app).await);
    let refused = events(&app, "oidc:oid-stranger", "session.oidc_refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].detail["reason"], "unknown_user");
    assert_eq!(refused[0].detail["email"], "stranger@elsewhere.example");
    assert_eq!(refused[0].clause.as_deref(), Some("9.1"));
    app.stop().await;
}
on_both!(oidc_refuses_an_unknown_user_and_audits_it);

/// A refused callback: the page says so, no session starts, and the refusal is audited with the
/// validation's reason, which must contain `why`.
async fn assert_refused(http: &reqwest::Client, app: &TestApp, status: u16, body: &str, why: &str) {
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("could not confirm who you are"), "{body}");
    assert!(!signed_in(http, app).await);
    assert!(events(app, "person:A1004", "session.sign_in").await.is_empty());
    let refused = events(app, "oidc:invalid_token", "session.oidc_refused").await;
    assert_eq!(refused.len(), 1, "one refusal audited");
    let error = refused[0].detail["error"].as_str().unwrap();
    assert!(error.contains(why), "refused for {error:?}, not for {why:?}");
    assert_eq!(refused[0].clause.as_deref(), Some("9.1"));
}

async fn oidc_refuses_a_token_with_a_bad_signature(b: Backend) {
    let Some((app, _provider, proxy)) = proxied(b, 3600).await else { return };
    proxy.set_mode(Mode::CorruptSignature);
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "gareth").await;
    assert_refused(&http, &app, status, &body, "Signature verification failed").await;
    // The same flow through the untouched proxy signs in: it was the signature that failed.
    proxy.set_mode(Mode::Pass);
    let (status, body, _) = sign_in(&http, &app, "gareth").await;
    assert_eq!(status, 200, "{body}");
    assert!(signed_in(&http, &app).await);
    app.stop().await;
}
on_both!(oidc_refuses_a_token_with_a_bad_signature);

/// PKCE S256 challenge of a verifier (RFC 7636), for the test's own client.
fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

fn query(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

async fn oidc_refuses_a_token_for_another_audience(b: Backend) {
    let Some((app, _provider, proxy)) = proxied(b, 3600).await else { return };
    let http = browser_client();
    let auth = start(&http, &app).await;
    let nonce = query(&auth)["nonce"].clone();
    // The provider issues a real token to another client, with Custodian's nonce.
    let verifier = "another-client-verifier-0123456789-0123456789-0123456789";
    let other_auth = format!(
        "{}/auth?client_id=other&response_type=code&scope=openid%20email&redirect_uri={}&state=s&nonce={nonce}&code_challenge={}&code_challenge_method=S256",
        proxy.url(),
        OTHER_REDIRECT,
        challenge(verifier)
    );
    let cb = at_provider(&http, &other_auth, "gareth", OTHER_REDIRECT).await;
    let code = query(&cb)["code"].clone();
    let res = http
        .post(format!("{}/token", proxy.url()))
        .basic_auth("other", Some(OTHER_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", OTHER_REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let other_token = res.json::<Value>().await.unwrap()["id_token"].as_str().unwrap().to_string();
    // Custodian's own flow continues; its token response carries the other client's token.
    proxy.set_mode(Mode::Replace(other_token));
    let callback = at_provider(&http, &auth, "gareth", &format!("{}/oidc/callback", app.base)).await;
    let res = http.get(&callback).send().await.unwrap();
    let status = res.status().as_u16();
    assert_refused(&http, &app, status, &res.text().await.unwrap(), "Invalid audiences").await;
    app.stop().await;
}
on_both!(oidc_refuses_a_token_for_another_audience);

async fn oidc_refuses_an_expired_token(b: Backend) {
    // ID tokens that live one second, and a token endpoint answer held for two and a half.
    let Some((app, _provider, proxy)) = proxied(b, 1).await else { return };
    proxy.set_mode(Mode::Delay(Duration::from_millis(2500)));
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "gareth").await;
    assert_refused(&http, &app, status, &body, "Expired").await;
    app.stop().await;
}
on_both!(oidc_refuses_an_expired_token);

async fn oidc_refuses_a_replayed_nonce(b: Backend) {
    let Some((app, _provider, proxy)) = proxied(b, 3600).await else { return };
    let http = browser_client();
    let (status, body, callback) = sign_in(&http, &app, "gareth").await;
    assert_eq!(status, 200, "{body}");
    let first = proxy.issued().pop().unwrap();
    // The same callback again (state and nonce already used): refused before the provider is
    // asked anything, even with the browser's state cookie put back.
    let replay = browser_client();
    let state = query(&callback)["state"].clone();
    let res = replay.get(&callback).header("cookie", format!("custodian_oidc={state}")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("expired or was already used"));
    assert!(!signed_in(&replay, &app).await);
    // A new sign-in whose token response carries the earlier token (valid signature, audience
    // and expiry, but the earlier sign-in's nonce): refused.
    proxy.set_mode(Mode::Replace(first));
    let other = browser_client();
    let (status, body, _) = sign_in(&other, &app, "gareth").await;
    assert_eq!(status, 401, "{body}");
    assert!(!signed_in(&other, &app).await);
    assert_eq!(events(&app, "person:A1004", "session.sign_in").await.len(), 1);
    let refused = events(&app, "oidc:invalid_token", "session.oidc_refused").await;
    assert_eq!(refused.len(), 1);
    assert!(refused[0].detail["error"].as_str().unwrap().contains("nonce mismatch"));
    app.stop().await;
}
on_both!(oidc_refuses_a_replayed_nonce);

async fn oidc_follows_the_providers_key_rotation(b: Backend) {
    let Some((app, provider, proxy)) = proxied(b, 3600).await else { return };
    let http = browser_client();
    assert_eq!(sign_in(&http, &app, "gareth").await.0, 200);
    let kid = |t: &str| {
        let head = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t.split('.').next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&head).unwrap()["kid"].as_str().unwrap().to_string()
    };
    let old = kid(&proxy.issued().pop().unwrap());
    // A new provider process behind the same issuer signs with a new key.
    drop(provider);
    let provider = start_provider(&proxy.url(), 0, &app.base, 3600);
    proxy.set_upstream(provider.port);
    let http = browser_client();
    let (status, body, _) = sign_in(&http, &app, "gareth").await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(kid(&proxy.issued().pop().unwrap()), old, "the provider rotated its key");
    assert!(signed_in(&http, &app).await);
    app.stop().await;
}
on_both!(oidc_follows_the_providers_key_rotation);

/// Each sign-in started keeps a row until used or expired, so one address may start only so many
/// in ten minutes: past the limit the sign-in page answers 429 with Retry-After and writes
/// nothing. (No provider needed: the limit is checked before the provider is asked.)
async fn oidc_limits_sign_ins_started_from_one_address(b: Backend) {
    let unreachable = format!("http://127.0.0.1:{}", free_port());
    let app = spawn_with(b, move |s| {
        s.oidc = Some(OidcSettings {
            issuer_url: unreachable.clone(),
            client_id: "custodian".into(),
            client_secret: SECRET.into(),
            redirect_url: format!("{unreachable}/oidc/callback"),
            post_logout_redirect_url: None,
            scopes: vec!["openid".into()],
            user_id_claim: "oid".into(),
            role_claim: "groups".into(),
            role_mapping: Default::default(),
            provider_name: "Test provider".into(),
            starts_per_address: 3,
        });
    })
    .await;
    let http = browser_client();
    for _ in 0..3 {
        let res = http.get(format!("{}/oidc/start", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 503, "within the limit the provider is asked (and is unreachable here)");
    }
    let res = http.get(format!("{}/oidc/start", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((60..=600).contains(&wait), "Retry-After {wait}");
    let body = res.text().await.unwrap();
    assert!(body.contains("Too many sign-ins were started from your network"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM oidc_logins").await, 0);
}
on_both!(oidc_limits_sign_ins_started_from_one_address);

/// With an identity provider, passwords are break-glass only: the named account signs in with
/// its password, anyone else is refused as for a wrong password; switched off, nobody is.
/// (No provider needed: the password path never calls it.)
async fn oidc_leaves_passwords_to_break_glass_accounts(b: Backend) {
    let port = free_port();
    let app = custodian(b.clone(), port, &format!("http://127.0.0.1:{}", free_port())).await;
    let ds = app.person("A1002").await;
    app.sql(&format!(
        "UPDATE people SET email = 'admin.breakglass@warwickshire.police.example' WHERE staff_number = '{}'",
        ds.staff_number
    ))
    .await;
    assert_eq!(
        password_sign_in(&app, "admin.breakglass@warwickshire.police.example").await,
        303,
        "the break-glass account signs in with its password"
    );
    assert_eq!(
        password_sign_in(&app, "gareth.lloyd@warwickshire.police.example").await,
        401,
        "other accounts sign in through the provider only"
    );
    // The sign-in page offers the provider first, the password as break-glass.
    let page = browser_client().get(format!("{}/sign-in", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sign in with Test provider"));
    assert!(page.contains("Break-glass sign-in"));
    app.stop().await;

    let app = spawn_with(b, move |s| {
        s.password_sign_in = false;
        s.oidc = Some(OidcSettings {
            issuer_url: "http://127.0.0.1:9".into(),
            client_id: "custodian".into(),
            client_secret: SECRET.into(),
            redirect_url: "http://127.0.0.1:9/oidc/callback".into(),
            post_logout_redirect_url: None,
            scopes: vec!["openid".into()],
            user_id_claim: "oid".into(),
            role_claim: "roles".into(),
            role_mapping: Default::default(),
            provider_name: "Test provider".into(),
            starts_per_address: 300,
        });
    })
    .await;
    app.seed().await;
    assert_eq!(password_sign_in(&app, "gareth.lloyd@warwickshire.police.example").await, 403);
    let page = browser_client().get(format!("{}/sign-in", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"password\""), "no password field when passwords are off");
    // The provider cannot be reached: the page says so, nothing breaks.
    let res = browser_client().get(format!("{}/oidc/start", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 503);
    app.stop().await;
}
on_both!(oidc_leaves_passwords_to_break_glass_accounts);

/// The journey in a real browser: the sign-in page's button, the provider's page, back signed
/// in; then signing out ends the session at the provider too (RP-initiated sign-out) and comes
/// back to the sign-in page.
async fn oidc_sign_in_and_out_in_the_browser(b: Backend) {
    use fantoccini::Locator;
    if !provider_available() {
        return;
    }
    let Some(browser) = crate::browser::start().await else { return };
    let Some((app, _provider)) = direct(b).await else { return };
    let c = &browser.client;
    c.goto(&format!("{}/sign-in", app.base)).await.unwrap();
    c.find(Locator::Id("sign-in-oidc")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap().send_keys("gareth").await.unwrap();
    c.find(Locator::Id("continue")).await.unwrap().click().await.unwrap();
    let h1 = c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();
    assert!(!h1.text().await.unwrap().is_empty());
    assert!(c.current_url().await.unwrap().as_str().starts_with(&app.base));
    assert_eq!(events(&app, "person:A1004", "session.sign_in").await.len(), 1);
    // Sign out: Custodian's session ends, and the provider asks to end its own.
    c.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    let yes = c.wait().for_element(Locator::Css("button[name='logout']")).await.unwrap();
    yes.click().await.unwrap();
    c.wait().for_element(Locator::Id("sign-in-oidc")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().starts_with(&format!("{}/sign-in", app.base)));
    // Signed out at the provider too: the next sign-in asks who you are again.
    c.find(Locator::Id("sign-in-oidc")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
    browser.close().await;
    app.stop().await;
}
on_both!(oidc_sign_in_and_out_in_the_browser);
