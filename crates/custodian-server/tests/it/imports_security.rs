//! The people import grants no rights by the back door: only an administrator changes roles,
//! nobody their own; line manager and status changes are audited as such. Audit digests are
//! keyed, so the log does not give away personal numbers. Personal numbers need a real reason.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::{Backend, Session, TestApp, spawn_seeded};

const HEADER: &str = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";
const TOMASZ: &str = "A1006,Tomasz Nowak,tomasz.nowak@warwickshire.police.example,staff,Digital Services,A1002";

async fn events(app: &TestApp, subject: &str) -> Vec<custodian_store::AuditEvent> {
    app.store().audit_page(Some(subject), None, 1, 100).await.unwrap().items
}

fn role_names(p: &custodian_store::Person) -> Vec<&'static str> {
    p.roles.iter().map(|r| r.as_str()).collect()
}

/// A multipart/form-data body with the CSRF token, the file and the named checkboxes ticked.
async fn upload_people(session: &Session, file: &str, ticked: &[&str]) -> (u16, String) {
    let mut fields = vec![("csrf_token", session.csrf.as_str())];
    fields.extend(ticked.iter().map(|t| (*t, "1")));
    let (ct, body) = crate::support::multipart(&fields, &[("file", "people.csv", "text/csv", file.as_bytes())]);
    let res = session
        .http
        .post(format!("{}/imports/people", session.base))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The security test's attack: a Digital Services token imports its own row with
/// admin;psd;auditor;sio. It is refused naming the line and field, nothing is written, and the
/// token still cannot read the audit log. With ignore_roles the row's other fields apply and the
/// roles stay as stored.
async fn digital_services_cannot_give_themselves_roles_through_the_people_import(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let events_before = app.store().counts(None).await.unwrap().audit_events;
    let csv = format!("{HEADER}{TOMASZ},admin;psd;auditor;sio;digital_services,active,\n");
    let (s, body) = ds.post_raw("/imports/people", "text/csv", &csv).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["line"], 2, "{body}");
    assert_eq!(body["errors"][0]["field"], "roles", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("own roles"), "{body}");
    assert_eq!(role_names(&app.person("A1006").await), vec!["digital_services"]);
    assert_eq!(app.store().counts(None).await.unwrap().audit_events, events_before, "nothing written");
    let (s, _) = ds.get("/audit/events").await;
    assert_eq!(s, 403, "still no audit log for Digital Services");

    // skip_invalid skips the row rather than applying it.
    let (s, body) = ds.post_raw("/imports/people?skip_invalid=true", "text/csv", &csv).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["skipped"][0]["field"], "roles", "{body}");
    assert_eq!(role_names(&app.person("A1006").await), vec!["digital_services"]);

    // Someone else's row, and a new person with roles: refused too (only an administrator).
    let csv = format!(
        "{HEADER}A1007,Aisha Khan,aisha.khan@warwickshire.police.example,staff,Digital Services,A1005,auditor,active,\n\
         B2001,Sam Hill,sam.hill@warwickshire.police.example,officer,Response Policing North,A1016,psd,active,\n"
    );
    let (s, body) = ds.post_raw("/imports/people", "text/csv", &csv).await;
    assert_eq!(s, 422, "{body}");
    let places: Vec<(Value, Value)> =
        body["errors"].as_array().unwrap().iter().map(|e| (e["line"].clone(), e["field"].clone())).collect();
    assert_eq!(places, vec![(json!(2), json!("roles")), (json!(3), json!("roles"))], "{body}");
    assert!(app.store().person_by_staff_number("B2001").await.unwrap().is_none());

    // ignore_roles: the people are imported, their roles are not, and the changes are listed.
    let (s, body) = ds.post_raw("/imports/people?ignore_roles=true", "text/csv", &csv).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!((body["created"].as_u64(), body["unchanged"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(body["ignored"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(body["ignored"][0]["field"], "roles", "{body}");
    assert!(role_names(&app.person("A1007").await).is_empty());
    assert!(role_names(&app.person("B2001").await).is_empty(), "a new person gets no roles");
    assert!(events(&app, "person:B2001").await.iter().all(|e| e.action != "person.roles_changed"));
    app.stop().await;
}
on_both!(digital_services_cannot_give_themselves_roles_through_the_people_import);

/// The web imports page applies the same rule to a signed-in user.
async fn the_imports_page_refuses_role_changes_by_anyone_but_an_administrator(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let csv = format!("{HEADER}{TOMASZ},admin;digital_services,active,\n");
    let (s, html) = upload_people(&ds, &csv, &[]).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Line 2") || html.contains("line 2"), "names the line: {html}");
    assert!(html.contains("own roles"), "{html}");
    assert_eq!(role_names(&app.person("A1006").await), vec!["digital_services"]);
    let (s, html) = upload_people(&ds, &csv, &["ignore_roles"]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("ignored"), "the ignored change is listed: {html}");
    assert_eq!(role_names(&app.person("A1006").await), vec!["digital_services"]);
    app.stop().await;
}
on_both!(the_imports_page_refuses_role_changes_by_anyone_but_an_administrator);

/// An administrator changes another person's roles (audited `person.roles_changed` with before
/// and after, naming who), but not their own.
async fn an_administrator_changes_others_roles_audited_but_never_their_own(b: Backend) {
    let app = spawn_seeded(b).await;
    let admin_token = app.token("A1005").await;
    let admin = app.api(&admin_token);
    let csv = format!("{HEADER}{TOMASZ},digital_services;auditor,active,\n");
    let (s, body) = admin.post_raw("/imports/people", "text/csv", &csv).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(role_names(&app.person("A1006").await), vec!["digital_services", "auditor"]);
    let log = events(&app, "person:A1006").await;
    let changed = log.iter().find(|e| e.action == "person.roles_changed").expect("a roles_changed event");
    assert_eq!(changed.detail["before"], json!(["digital_services"]));
    assert_eq!(changed.detail["after"], json!(["digital_services", "auditor"]));
    assert_eq!(changed.detail["added"], json!(["auditor"]));
    assert!(changed.actor.starts_with("token:"), "names who: {}", changed.actor);

    let own = "A1005,Sophie Brennan,sophie.brennan@warwickshire.police.example,staff,Digital Services,A1002,digital_services;admin;auditor,active,0116 496 0105\n";
    let (s, body) = admin.post_raw("/imports/people", "text/csv", &format!("{HEADER}{own}")).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!((body["errors"][0]["line"].clone(), body["errors"][0]["field"].clone()), (json!(2), json!("roles")));
    assert_eq!(role_names(&app.person("A1005").await), vec!["digital_services", "admin"]);
    app.stop().await;
}
on_both!(an_administrator_changes_others_roles_audited_but_never_their_own);

/// Line manager and leaver status are HR fields Digital Services may import, each audited as
/// its own event with before and after; nobody makes themselves someone's line manager.
async fn line_manager_and_status_changes_are_audited_and_never_self_serving(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let csv = format!(
        "{HEADER}A1018,Jack Thornton,jack.thornton@warwickshire.police.example,officer,Response Policing North,A1001,,leaver,\n"
    );
    let (s, body) = ds.post_raw("/imports/people", "text/csv", &csv).await;
    assert_eq!(s, 200, "{body}");
    let log = events(&app, "person:A1018").await;
    let lm = log.iter().find(|e| e.action == "person.line_manager_changed").expect("line manager event");
    assert_eq!((lm.detail["before"].clone(), lm.detail["after"].clone()), (json!("A1016"), json!("A1001")));
    let st = log.iter().find(|e| e.action == "person.status_changed").expect("status event");
    assert_eq!((st.detail["before"].clone(), st.detail["after"].clone()), (json!("active"), json!("leaver")));

    let csv = format!(
        "{HEADER}A1017,Laura Fenwick,laura.fenwick@warwickshire.police.example,officer,Response Policing North,A1006,,active,\n\
         {TOMASZ},digital_services,leaver,\n"
    );
    let (s, body) = ds.post_raw("/imports/people", "text/csv", &csv).await;
    assert_eq!(s, 422, "{body}");
    let places: Vec<(Value, Value)> =
        body["errors"].as_array().unwrap().iter().map(|e| (e["line"].clone(), e["field"].clone())).collect();
    assert_eq!(places, vec![(json!(2), json!("line_manager")), (json!(3), json!("status"))], "{body}");
    assert_eq!(app.person("A1017").await.line_manager_staff_number.as_deref(), Some("A1016"));
    app.stop().await;
}
on_both!(line_manager_and_status_changes_are_audited_and_never_self_serving);

/// The fixture people as the store's `person.create` snapshot (what the digest covers).
fn snapshot(p: &custodian_store::Person) -> Value {
    json!({
        "staff_number": p.staff_number, "name": p.name, "email": p.email, "kind": p.kind.as_str(),
        "business_area": p.business_area, "line_manager": p.line_manager_staff_number,
        "roles": p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "status": p.status.as_str(),
        "personal_phones": p.personal_phones,
    })
}

/// Compact JSON with object members sorted by key at every level (the digests' text).
fn sorted_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let members: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), sorted_json(&m[*k]))).collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(sorted_json).collect::<Vec<_>>().join(",")),
        other => serde_json::to_string(other).unwrap(),
    }
}

/// HMAC-SHA256 of the digest's text under `key`, written here from the hmac crate rather than
/// with the store's own function.
fn hmac_hex(key: &[u8], v: &Value) -> String {
    use hmac::Mac;
    let text = sorted_json(v);
    // The same text as the unkeyed digest covers.
    assert_eq!(
        custodian_domain::audit::digest_json(v),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
    );
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn digest_key(app: &TestApp) -> Vec<Vec<u8>> {
    use sqlx::Connection;
    let q = "SELECT digest_key FROM audit_digest_key";
    if app.db_url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.db_url).await.unwrap();
        sqlx::query_scalar(q).fetch_all(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
        sqlx::query_scalar(q).fetch_all(&mut c).await.unwrap()
    }
}

/// The audit log's digest of a person record is not the plain SHA-256 an auditor can test
/// guesses against: it is HMAC-SHA256 under one key kept in the database, shared by every process
/// on it, and the log still verifies.
async fn audit_digests_of_people_are_keyed_and_the_log_still_verifies(b: Backend) {
    let app = spawn_seeded(b).await;
    let niamh = app.person("A1012").await;
    assert_eq!(niamh.personal_phones.len(), 2);
    let created = events(&app, "person:A1012").await;
    let created = created.iter().find(|e| e.action == "person.create").expect("person.create");
    let digest = created.after_digest.clone().expect("an after digest");
    let plain = custodian_domain::audit::digest_json(&snapshot(&niamh));
    assert_ne!(digest, plain, "the unkeyed digest would let an auditor test guesses at personal numbers");
    let keys = digest_key(&app).await;
    assert_eq!(keys.len(), 1, "one key");
    let key = keys[0].clone();
    assert_eq!(key.len(), 32);
    assert_eq!(digest, hmac_hex(&key, &snapshot(&niamh)));

    // A second process on the same database (the command line) uses the same key.
    let settings = custodian_server::Settings {
        database_url: app.db_url.clone(),
        data_dir: app.dir.clone(),
        ..custodian_server::Settings::default()
    };
    let other = custodian_server::open_store(&settings, false).await.unwrap();
    let csv = format!(
        "{HEADER}B3001,Sam Hill,sam.hill@warwickshire.police.example,officer,Response Policing North,,,active,0121 496 0199\n"
    );
    crate::support::cli_import_people(&other, &csv).await;
    assert_eq!(digest_key(&app).await, keys, "still the one key");
    let sam = app.person("B3001").await;
    let ev = events(&app, "person:B3001").await;
    let ev = ev.iter().find(|e| e.action == "person.create").unwrap();
    assert_eq!(ev.after_digest.as_deref(), Some(hmac_hex(&key, &snapshot(&sam)).as_str()));

    let (s, v) = app.api(&app.token("A1015").await).get("/audit/verify").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["intact"], true, "{v}");
    // Nothing in the API carries the key.
    let hexkey = hex::encode(&key);
    let (_, page) = app.api(&app.token("A1015").await).get("/audit/events?per_page=500").await;
    assert!(!page.to_string().contains(&hexkey));
    app.stop().await;
}
on_both!(audit_digests_of_people_are_keyed_and_the_log_still_verifies);

/// A reason of one character is not a reason: the page and the API refuse it naming `reason`,
/// show nothing and log nothing; a real reason shows the numbers and is logged.
async fn personal_numbers_need_a_real_reason_on_the_page_and_the_api(b: Backend) {
    let app = spawn_seeded(b).await;
    let niamh = app.person("A1012").await;
    let views = |app: &TestApp| {
        let app_store = app.store().clone();
        async move {
            app_store
                .audit_page(Some("person:A1012"), None, 1, 100)
                .await
                .unwrap()
                .items
                .iter()
                .filter(|e| e.action == "person.view_personal_numbers")
                .count()
        }
    };
    let psd = app.sign_in("gareth.lloyd@warwickshire.police.example").await;
    for thin in ["x", "because", "a b"] {
        let (s, page) = psd.get(&format!("/people/{}?reason={thin}", niamh.id)).await;
        assert_eq!(s, 422, "{thin:?}: {page}");
        assert!(page.contains("at least 10 characters"), "{page}");
        assert!(!page.contains("+441214960112"), "no numbers shown");
    }
    let api = app.api(&app.token("A1004").await);
    let (s, body) = api.get(&format!("/people/{}/personal-numbers?reason=x", niamh.id)).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "reason", "{body}");
    let (s, body) = api.get(&format!("/people/{}/personal-numbers", niamh.id)).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(views(&app).await, 0, "nothing logged for a refused reason");

    let page = psd.get_ok(&format!("/people/{}?reason=Checking+a+call+diversion", niamh.id)).await;
    assert!(page.contains("+441214960112"), "{page}");
    let (s, body) =
        api.get(&format!("/people/{}/personal-numbers?reason=PSD%20case%201234%20call%20records", niamh.id)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["personal_phones"], json!(["+441164960112", "+441214960112"]));
    assert_eq!(views(&app).await, 2);
    // Someone who may not see the person gets nothing, reason or not.
    let other = app.api(&app.token("A1010").await);
    let (s, _) = other.get(&format!("/people/{}/personal-numbers?reason=Checking+a+call+diversion", niamh.id)).await;
    assert_eq!(s, 403);
    app.stop().await;
}
on_both!(personal_numbers_need_a_real_reason_on_the_page_and_the_api);

/// The catalogue import's `allowed_for` grants apps (WP034 4.8): Digital Services may not name
/// themselves in it, nor grant themselves an app by hand; they request it like anyone else.
async fn nobody_grants_an_app_to_themselves_by_import_or_by_hand(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let csv = "Teams,android,com.microsoft.teams,Microsoft,productivity,all\n\
        Telegram,android,org.telegram.messenger,Telegram,messaging,person:a1006\n";
    let (s, p) = ds.import_catalogue(csv).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        (p["errors"][0]["line"].clone(), p["errors"][0]["field"].clone()),
        (json!(3), json!("allowed_for")),
        "{p}"
    );
    assert_eq!(ds.get("/apps").await.1.as_array().unwrap().len(), 0, "nothing written");
    let ok = "Telegram,android,org.telegram.messenger,Telegram,messaging,person:A1017\n";
    let (s, p) = ds.import_catalogue(ok).await;
    assert_eq!(s, 200, "{p}");
    let (_, apps) = ds.get("/apps").await;
    let id = apps[0]["id"].as_str().unwrap().to_string();
    let (s, p) = ds.post(&format!("/apps/{id}/grants"), json!({"allowed_for": "person:A1006"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "allowed_for", "{p}");
    let (s, p) = ds.post(&format!("/apps/{id}/grants"), json!({"allowed_for": "person:A1018"})).await;
    assert_eq!(s, 200, "{p}");
    app.stop().await;
}
on_both!(nobody_grants_an_app_to_themselves_by_import_or_by_hand);
