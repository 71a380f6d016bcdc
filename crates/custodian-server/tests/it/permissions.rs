//! The whole permission matrix: every route for every role, expected allow or deny, written out
//! so a change to the policies must change this table too (WP034 3.3, 4.1, 4.10, 5.3: need to know).

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn};
use custodian_domain::people::Role;
use custodian_store::{Actor, NewFinding};

const ALL: &[&str] = &["*"];
const PEOPLE_READERS: &[&str] = &["digital_services", "psd", "vetting", "admin", "head_of_department"];
/// A Head of Department sees only their own business area's people; the person viewed here is
/// in another area.
const PERSON_VIEWERS: &[&str] = &["digital_services", "psd", "vetting", "admin"];
const DEVICE_READERS: &[&str] = &["digital_services", "psd", "dmi", "auditor"];
const DS: &[&str] = &["digital_services"];
const IMPORT_PEOPLE: &[&str] = &["digital_services", "admin"];
const FINDING_READERS: &[&str] = &["digital_services", "psd", "auditor"];
const REVIEWERS: &[&str] = &["digital_services", "psd"];
const AUDITORS: &[&str] = &["auditor", "admin"];
const METRICS: &[&str] = &["admin", "digital_services"];
const HOLDER_ONLY: &[&str] = &[];
const PACK_READERS: &[&str] = &["corporate_comms", "auditor"];
const CC: &[&str] = &["corporate_comms"];
const APPROVALS_OVERVIEW: &[&str] = &["digital_services", "admin"];
const SIO: &[&str] = &["sio"];
const POST_VIEWERS: &[&str] = &["corporate_comms", "sio"];
/// Which SIO leads which operation (WP034 6.3e).
const SIO_TABLE_READERS: &[&str] = &["corporate_comms", "psd", "sio", "admin"];
const OVERSEAS_VIEWERS: &[&str] = &["digital_services", "vetting"];

struct Route {
    method: &'static str,
    path: String,
    body: Option<serde_json::Value>,
    raw: Option<(&'static str, &'static str)>,
    allowed: &'static [&'static str],
}

fn get(path: impl Into<String>, allowed: &'static [&'static str]) -> Route {
    Route { method: "GET", path: path.into(), body: None, raw: None, allowed }
}
fn post(path: impl Into<String>, body: serde_json::Value, allowed: &'static [&'static str]) -> Route {
    Route { method: "POST", path: path.into(), body: Some(body), raw: None, allowed }
}
fn put(path: impl Into<String>, body: serde_json::Value, allowed: &'static [&'static str]) -> Route {
    Route { method: "PUT", path: path.into(), body: Some(body), raw: None, allowed }
}
fn post_raw(path: impl Into<String>, ct: &'static str, body: &'static str, allowed: &'static [&'static str]) -> Route {
    Route { method: "POST", path: path.into(), body: None, raw: Some((ct, body)), allowed }
}

fn persona(role: Option<Role>) -> String {
    format!("R-{}", role.map(|r| r.as_str().replace('_', "-").to_uppercase()).unwrap_or_else(|| "NONE".into()))
}

async fn every_route_answers_every_role_as_the_policy_says(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    // One person per role holding only that role, plus one with none.
    let mut csv =
        String::from("staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n");
    let personas: Vec<Option<Role>> = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some)).collect();
    for r in &personas {
        let sn = persona(*r);
        csv.push_str(&format!(
            "{sn},Persona {sn},{}@warwickshire.police.example,staff,Matrix Unit,,{},active,\n",
            sn.to_lowercase(),
            r.map(|r| r.as_str()).unwrap_or("")
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    custodian_server::usecases::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let hash = app.state.passwords().hash(crate::support::PASSWORD).await.unwrap();

    let third_party_device = app.device("WP-LT-0001").await;
    let returned = app.device("WP-LT-0007").await;
    let in_repair = app.device("WP-TB-0003").await;
    let a1001 = app.person("A1001").await;
    let finding = app
        .store()
        .raise(
            &NewFinding {
                rule: &custodian_domain::findings::DEVICE_LOST_OR_STOLEN,
                dedupe_key: "matrix".into(),
                person_id: Some(a1001.id),
                device_id: Some(third_party_device.id),
                summary: "matrix".into(),
                evidence: json!({}),
                records: vec![],
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap()
        .unwrap();

    // A post by an officer of another team, on their team's account: only its author, that
    // team and the approvers see it (WP034 6.3, 6.7).
    let account = app
        .store()
        .posts_create_account(
            &custodian_store::posts_api::NewAccount {
                platform: custodian_domain::posts::Platform::X,
                handle: "@MatrixNorth".into(),
                owning_team: "Response Policing North".into(),
                comms_approval: false,
                corporate: false,
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap();
    let (status, created) = app
        .api(&app.token("A1017").await)
        .post("/posts", json!({"account_id": account.id, "text": "Road closed on the A46 near Warwick this morning."}))
        .await;
    assert_eq!(status, 201, "{created}");
    let post_id = created["id"].as_str().unwrap().to_string();
    let post_body = json!({"account_id": account.id, "text": "Road closed on the A46 near Warwick today."});

    // An overseas-use request by A1018 (WP034 4.2): seen by them, their line manager, Digital
    // Services and the Force Vetting Unit; withdrawn only by them.
    let jack = app.person("A1018").await;
    let (window, _) = app
        .store()
        .overseas_request(
            &custodian_store::overseas_api::NewOverseasRequest {
                person: jack.id,
                devices: vec![app.device("WP-MB-0007").await.id],
                countries: vec!["FR".into()],
                from: now.date(),
                to: now.date(),
                purpose: "matrix".into(),
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap();

    // An app of the catalogue (WP034 4.8).
    let matrix_app = app
        .store()
        .app_upsert(
            &custodian_store::apps_api::NewApp {
                name: "Matrix Messenger".into(),
                platform: custodian_domain::apps::Platform::Android,
                package_id: "uk.matrix.messenger".into(),
                publisher: "Matrix".into(),
                category: custodian_domain::apps::Category::Messaging,
                store_url: None,
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap();

    let api_routes = vec![
        get("/me", ALL),
        get("/people", PEOPLE_READERS),
        get(format!("/people/{}", a1001.id), PERSON_VIEWERS),
        get("/devices", DEVICE_READERS),
        get(format!("/devices/{}", third_party_device.id), DEVICE_READERS),
        get(format!("/devices/{}/history", third_party_device.id), DEVICE_READERS),
        post("/devices", json!({"asset_tag": "MATRIX-1", "type": "radio", "make": "Motorola", "model": "MXP600"}), DS),
        post(format!("/devices/{}/allocate", returned.id), json!({"staff_number": "A1017", "reason": "matrix"}), DS),
        post(format!("/devices/{}/transition", in_repair.id), json!({"status": "in_stock", "reason": "repaired"}), DS),
        post(format!("/devices/{}/confirm-receipt", third_party_device.id), json!({}), HOLDER_ONLY),
        post(
            format!("/devices/{}/report-loss", third_party_device.id),
            json!({"stolen": false, "circumstances": "x"}),
            HOLDER_ONLY,
        ),
        post_raw(
            "/imports/people",
            "text/csv",
            "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n",
            IMPORT_PEOPLE,
        ),
        post_raw(
            "/imports/devices",
            "text/csv",
            "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n",
            DS,
        ),
        post_raw("/imports/intune", "application/json", "[]", DS),
        get("/findings", ALL),
        get(format!("/findings/{finding}"), FINDING_READERS),
        post(format!("/findings/{finding}/review"), json!({"status": "under_review"}), REVIEWERS),
        get("/audit/events", AUDITORS),
        get("/audit/verify", AUDITORS),
        get("/policy/clauses/4.1", ALL),
        get("/screening/pack", PACK_READERS),
        get("/screening/pack/versions", PACK_READERS),
        post("/screening/pack/check", json!({"body": "not a pack"}), CC),
        post("/screening/pack", json!({"body": "not a pack", "reason": "matrix"}), CC),
        get("/notifications", ALL),
        get("/approvals/to-decide", ALL),
        get("/approvals/mine", ALL),
        get("/approvals/delegations", ALL),
        get("/approvals/overdue", APPROVALS_OVERVIEW),
        get("/posts", ALL),
        get("/posts/accounts", ALL),
        get("/posts/investigations", SIO_TABLE_READERS),
        get("/posts/incident", ALL),
        post("/posts/screen", json!({"text": "Road closed on the A46."}), ALL),
        post("/posts", json!({"account_id": account.id, "text": "Road closed on the A46."}), ALL),
        post(
            "/posts/accounts",
            json!({"platform": "facebook", "handle": "@MatrixPage", "owning_team": "Matrix Unit"}),
            CC,
        ),
        post(
            "/posts/investigations",
            json!({"kind": "operation", "label": "Operation Matrix", "sio_staff_number": "A1012"}),
            SIO,
        ),
        get(format!("/posts/{post_id}"), POST_VIEWERS),
        // Corporate Communications may change and submit another's post; the SIO may not.
        put(format!("/posts/{post_id}"), post_body.clone(), CC),
        post(format!("/posts/{post_id}/submit"), json!({}), CC),
        // Allowed but refused on the state (409): no warnings; not waiting for approval.
        post(format!("/posts/{post_id}/override"), json!({"reason": "matrix"}), CC),
        post(format!("/posts/{post_id}/approve"), json!({"as": "sio"}), SIO),
        post(format!("/posts/{post_id}/approve"), json!({"as": "comms"}), CC),
        post(format!("/posts/{post_id}/return"), json!({"reason": "matrix"}), CC),
        post("/posts/incident", json!({"name": "Matrix", "reason": "matrix", "guidance": "matrix"}), CC),
        post("/posts/incident/end", json!({"reason": "matrix"}), CC),
        // Allowed but refused on the input (422): the personas hold no devices.
        post(
            "/overseas/requests",
            json!({"devices": ["WP-MB-0007"], "countries": ["FR"], "from": "2030-01-01", "to": "2030-01-02", "purpose": "matrix"}),
            ALL,
        ),
        get("/overseas/mine", ALL),
        get("/overseas/windows", ALL),
        get("/overseas/export", DS),
        get(format!("/overseas/{window}"), OVERSEAS_VIEWERS),
        post(format!("/overseas/{window}/withdraw"), json!({}), HOLDER_ONLY),
        get("/usage/streaming-exceptions", ALL),
        // Only the person's line manager records one; no persona manages A1018.
        post(
            "/usage/streaming-exceptions",
            json!({"staff_number": "A1018", "reason": "matrix", "until": "2030-01-01"}),
            HOLDER_ONLY,
        ),
        get("/usage/imports", DS),
        post_raw(
            "/usage/imports/carrier",
            "text/csv",
            "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n",
            DS,
        ),
        get("/apps", ALL),
        get(format!("/apps/{}", matrix_app), ALL),
        get("/apps/unlisted", DS),
        get("/apps/export?role=dmi&format=amapi", DS),
        get("/apps/requests", ALL),
        post(
            "/apps",
            json!({"name": "Matrix", "platform": "android", "package_id": "uk.matrix", "publisher": "M", "category": "other"}),
            DS,
        ),
        post(format!("/apps/{}/grants", matrix_app), json!({"allowed_for": "role:dmi"}), DS),
        post_raw("/apps/import-catalogue", "text/csv", "name,platform,package_id,publisher,category,allowed_for\n", DS),
        post_raw("/imports/apps", "text/csv", "device,app_id,version,seen_at\n", DS),
        // Everyone may request; these personas hold no device, so the request is refused (422).
        post("/apps/requests", json!({"app_id": matrix_app, "devices": [], "business_need": "matrix"}), ALL),
    ];
    let ui_routes = vec![
        get("/", ALL),
        get("/my-devices", ALL),
        get("/findings", ALL),
        get("/policy", ALL),
        get("/account", ALL),
        get("/devices", DEVICE_READERS),
        get(format!("/devices/{}", third_party_device.id), DEVICE_READERS),
        get("/devices/new", DS),
        get("/people", PEOPLE_READERS),
        get(format!("/people/{}", a1001.id), PERSON_VIEWERS),
        get("/imports", IMPORT_PEOPLE),
        get("/audit", AUDITORS),
        get(format!("/findings/{finding}"), FINDING_READERS),
        get("/metrics", METRICS),
        get("/screening/pack", PACK_READERS),
        get("/notifications", ALL),
        get("/approvals", ALL),
        get("/posts", ALL),
        get("/posts/new", ALL),
        get("/posts/setup", ALL),
        get(format!("/posts/{post_id}"), POST_VIEWERS),
        get("/overseas", ALL),
        get(format!("/overseas/{window}"), OVERSEAS_VIEWERS),
        get("/overseas/export.csv", DS),
        get("/usage/streaming-exceptions", ALL),
        get("/usage/imports", DS),
        get("/apps", ALL),
        get(format!("/apps/{}", matrix_app), ALL),
        get("/apps/unlisted", DS),
        get("/apps/requests", ALL),
        get("/apps/requests/new", ALL),
    ];

    let mut failures = Vec::new();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for r in &personas {
        let sn = persona(*r);
        let role = r.map(|r| r.as_str()).unwrap_or("none");
        let p = app.person(&sn).await;
        app.store().set_password_hash(p.id, &hash, &Actor::system(), now).await.unwrap();
        let token = app.token(&sn).await;
        for route in &api_routes {
            let url = format!("{}/api/v1{}", app.base, route.path);
            let req = match route.method {
                "GET" => http.get(&url),
                "PUT" => http.put(&url),
                _ => http.post(&url),
            };
            let req = match (&route.body, &route.raw) {
                (Some(b), _) => req.json(b),
                (_, Some((ct, body))) => req.header("content-type", *ct).body(*body),
                _ => req,
            };
            let status = req.bearer_auth(&token).send().await.unwrap().status().as_u16();
            let expect = route.allowed == ALL || route.allowed.contains(&role);
            if expect == (status == 403) || status == 401 || status >= 500 {
                failures.push(format!(
                    "API {} {} as {role}: got {status}, expected {}",
                    route.method,
                    route.path,
                    if expect { "allowed" } else { "403" }
                ));
            }
        }
        let session = app.sign_in(&format!("{}@warwickshire.police.example", sn.to_lowercase())).await;
        for route in &ui_routes {
            let (status, _) = session.get(&route.path).await;
            let expect = route.allowed == ALL || route.allowed.contains(&role);
            if expect == (status == 403) || status >= 500 {
                failures.push(format!(
                    "UI GET {} as {role}: got {status}, expected {}",
                    route.path,
                    if expect { "allowed" } else { "403" }
                ));
            }
        }
    }
    // Anonymous callers: API routes answer 401, pages send them to sign in.
    for route in &api_routes {
        let url = format!("{}/api/v1{}", app.base, route.path);
        let req = match route.method {
            "GET" => http.get(&url),
            "PUT" => http.put(&url).json(&json!({})),
            _ => http.post(&url).json(&json!({})),
        };
        let status = req.send().await.unwrap().status().as_u16();
        if status != 401 {
            failures.push(format!("API {} {} anonymous: got {status}, expected 401", route.method, route.path));
        }
    }
    for route in ui_routes.iter().filter(|r| r.path != "/metrics") {
        let res = http.get(format!("{}{}", app.base, route.path)).send().await.unwrap();
        let to_sign_in = res.headers().get("location").and_then(|l| l.to_str().ok()) == Some("/sign-in");
        if !res.status().is_redirection() || !to_sign_in {
            failures.push(format!(
                "UI GET {} anonymous: got {}, expected a redirect to /sign-in",
                route.path,
                res.status()
            ));
        }
    }
    let metrics = http.get(format!("{}/metrics", app.base)).send().await.unwrap().status().as_u16();
    if metrics != 401 && metrics != 303 {
        failures.push(format!("GET /metrics anonymous: got {metrics}"));
    }
    assert!(failures.is_empty(), "permission matrix mismatches:\n{}", failures.join("\n"));
    app.stop().await;
}
on_both!(every_route_answers_every_role_as_the_policy_says);
