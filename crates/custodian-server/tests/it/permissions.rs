//! The whole permission matrix, generated from the router: every registered (method, path) of
//! the pages, the API and the operations endpoints must have a rule here, and each is tried for
//! every role, for an officer with no role and for an anonymous caller, signed in with a session
//! and with API tokens of `read` and `write` scope (WP034 3.3, 4.1, 4.10, 5.3: need to know).
//! A new route without a rule fails the test, naming the route.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use sha2::Digest;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};
use custodian_domain::people::Role;
use custodian_store::{Actor, NewFinding};

const ALL: &[&str] = &["*"];
/// Reached by anyone, signed in or not (sign-in, health checks, the API description).
const PUBLIC: &[&str] = &["public"];
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
/// Only the holder, requester or author of the thing named may act; no persona is.
const HOLDER_ONLY: &[&str] = &[];
const PACK_READERS: &[&str] = &["corporate_comms", "auditor"];
const CC: &[&str] = &["corporate_comms"];
/// Starting an acknowledgement campaign (WP034 2.3): the policy's owner and the administrator.
const CAMPAIGN_STARTERS: &[&str] = &["corporate_comms", "admin"];
const APPROVALS_OVERVIEW: &[&str] = &["digital_services", "admin"];
const SIO: &[&str] = &["sio"];
const POST_VIEWERS: &[&str] = &["corporate_comms", "sio"];
/// Which SIO leads which operation (WP034 6.3e).
const SIO_TABLE_READERS: &[&str] = &["corporate_comms", "psd", "sio", "admin"];
const OVERSEAS_VIEWERS: &[&str] = &["digital_services", "vetting"];
/// An overseas request's approval: its deciders (Digital Services, the Force Vetting Unit) and
/// administrators, who oversee every approval (WP034 4.2).
const APPROVAL_VIEWERS: &[&str] = &["digital_services", "vetting", "admin"];
const MONITORING: &[&str] = &["psd", "dmi"];
/// Rounds and their draws: PSD, the DMIs who examine the devices (WP034 5.4), and the auditor who
/// checks the draw was random.
const ROUND_VIEWERS: &[&str] = &["psd", "dmi", "auditor"];
/// A round's verification bundle names everyone selected and in reserve: PSD and the auditor only
/// (a DMI sees their assigned cases).
const BUNDLE_READERS: &[&str] = &["psd", "auditor"];
const PSD: &[&str] = &["psd"];
/// The retention schedule: the Data Protection Officer and Digital Services (WP034 3.4).
const RETENTION: &[&str] = &["digital_services", "data_protection_officer"];
/// Legal holds: Professional Standards place them, the Data Protection Officer sees them (5.5).
const HOLD_VIEWERS: &[&str] = &["psd", "data_protection_officer"];
/// The data-protection page: anyone with one of its parts.
const DATA_PROTECTION: &[&str] = &["digital_services", "psd", "data_protection_officer"];
const DPO: &[&str] = &["data_protection_officer"];
/// Every social media account: Corporate Communications and the auditor (WP034 6.6, 6.7).
const SOCIAL_VIEWERS: &[&str] = &["corporate_comms", "auditor"];
/// Assess declarations of notifiable associations (WP034 7.3): the Force Vetting Unit, and PSD
/// for the categories the pack sends them (the fixture's is one).
const ASSESSORS: &[&str] = &["psd", "vetting"];
const HOD: &[&str] = &["head_of_department"];
const VETTING: &[&str] = &["vetting"];
/// Resolution Centre referrals of public comments (WP034 8.2): the Resolution Centre, and
/// Corporate Communications who advise on the comments.
const REFERRAL_VIEWERS: &[&str] = &["corporate_comms", "resolution_centre"];
const RC: &[&str] = &["resolution_centre"];

enum Body {
    None,
    Json(Value),
    Raw(&'static str, &'static str),
    Form(Vec<(&'static str, String)>),
    /// A multipart upload with one `file` field.
    File(&'static str),
}

struct Rule {
    method: &'static str,
    /// The path as registered, e.g. `/api/v1/devices/{id}`.
    pattern: &'static str,
    /// The path requested, with real ids of the fixtures.
    path: String,
    body: Body,
    allowed: &'static [&'static str],
    /// A POST that changes nothing (verifying the audit log), so a `read` token may make it.
    reads: bool,
    /// Only a signed-in browser may (a password change): every API token gets 403.
    session_only: bool,
}

fn rule(
    method: &'static str,
    pattern: &'static str,
    path: impl Into<String>,
    body: Body,
    allowed: &'static [&'static str],
) -> Rule {
    Rule { method, pattern, path: path.into(), body, allowed, reads: false, session_only: false }
}
fn get(pattern: &'static str, path: impl Into<String>, allowed: &'static [&'static str]) -> Rule {
    rule("GET", pattern, path, Body::None, allowed)
}
fn post(pattern: &'static str, path: impl Into<String>, body: Value, allowed: &'static [&'static str]) -> Rule {
    rule("POST", pattern, path, Body::Json(body), allowed)
}
fn form(
    pattern: &'static str,
    path: impl Into<String>,
    fields: &[(&'static str, &str)],
    allowed: &'static [&'static str],
) -> Rule {
    rule("POST", pattern, path, Body::Form(fields.iter().map(|(k, v)| (*k, v.to_string())).collect()), allowed)
}
fn session_only(mut r: Rule) -> Rule {
    r.session_only = true;
    r
}
fn reads(mut r: Rule) -> Rule {
    r.reads = true;
    r
}

/// Whether `path` is an instance of `pattern` (same segments, `{..}` matching any one).
fn instance_of(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
}

fn persona(role: Option<Role>) -> String {
    // A staff number has at most 20 characters (R-DATA-PROTECTION-OF).
    let sn =
        format!("R-{}", role.map(|r| r.as_str().replace('_', "-").to_uppercase()).unwrap_or_else(|| "NONE".into()));
    sn.chars().take(20).collect()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Via {
    Session,
    ReadToken,
    WriteToken,
}

/// Pages answer the anonymous with a redirect to sign in; the API and /metrics with 401.
fn is_page(pattern: &str) -> bool {
    !pattern.starts_with("/api/") && pattern != "/metrics"
}

/// Send one rule's request as `who` (None: anonymous) and answer its status and `location`.
async fn send(
    http: &reqwest::Client,
    base: &str,
    r: &Rule,
    token: Option<&str>,
    session: Option<&crate::support::Session>,
) -> (u16, Option<String>) {
    let url = format!("{base}{}", r.path);
    let client = session.map(|s| &s.http).unwrap_or(http);
    let mut req = match r.method {
        "GET" => client.get(&url),
        "PUT" => client.put(&url),
        "DELETE" => client.delete(&url),
        "PATCH" => client.patch(&url),
        _ => client.post(&url),
    };
    let csrf = session.map(|s| s.csrf.clone());
    req = match &r.body {
        Body::None => req,
        Body::Json(b) => req.json(b),
        Body::Raw(ct, b) => req.header("content-type", *ct).body(*b),
        Body::Form(fields) => {
            let mut f: Vec<(&str, String)> = fields.clone();
            if let Some(c) = &csrf {
                f.push(("csrf_token", c.clone()));
            }
            req.form(&f)
        }
        Body::File(file) => {
            let fields: Vec<(&str, &str)> = csrf.as_deref().map(|c| ("csrf_token", c)).into_iter().collect();
            let (ct, body) = crate::support::multipart(&fields, &[("file", "m.csv", "text/csv", file.as_bytes())]);
            req.header("content-type", ct).body(body)
        }
    };
    if let Some(c) = &csrf {
        req = req.header("x-csrf-token", c);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let location = res.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
    (res.status().as_u16(), location)
}

async fn every_route_answers_every_role_and_token_scope_as_the_policy_says(b: Backend) {
    let app = spawn_seeded(b).await;
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
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let hash = app.state.passwords().hash(crate::support::PASSWORD).await.unwrap();

    let third_party_device = app.device("WP-LT-0001").await;
    let returned = app.device("WP-LT-0007").await;
    let in_repair = app.device("WP-TB-0003").await;
    // WP-LT-0001's allocation, whose start Digital Services may correct (WP034 4.1).
    let allocation = app.store().allocations(third_party_device.id).await.unwrap()[0].id;
    let corrected_start =
        (now - time::Duration::days(3)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let a1001 = app.person("A1001").await;
    // An audit event about A1001 (not one of the personas): only auditors may have its proof.
    let audit_event = app.store().audit_page(Some("person:A1001"), None, 1, 1).await.unwrap().items[0].id;
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
            Actor::system().at(now),
        )
        .await
        .unwrap()
        .unwrap();

    // A post by an officer of another team, on their team's account: only its author, that
    // team and the approvers see it (WP034 6.3, 6.7).
    // Its team manager is a fixture person (A1001), none of the personas.
    let account_id = app
        .store()
        .social_set_up(
            &custodian_store::social_accounts::SetUp {
                platform: custodian_domain::posts::Platform::X,
                handle: "@MatrixNorth".into(),
                owning_team: "Response Policing North".into(),
                team_manager: app.person("A1001").await.id,
                comms_approval: false,
                corporate: false,
                url: String::new(),
                profile: String::new(),
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();
    let account = app.store().posts_account(account_id).await.unwrap().unwrap();
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
            &custodian_store::overseas::NewOverseasRequest {
                person: jack.id,
                devices: vec![app.device("WP-MB-0007").await.id],
                countries: vec!["FR".into()],
                from: now.date(),
                to: now.date(),
                purpose: "matrix".into(),
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();

    // A social media account requested by its team manager A1016 (WP034 6.6), waiting for
    // Corporate Communications: seen by them and the auditor; changed by them (on a requested
    // account most changes are refused on its state, 409).
    let kwame = app.person("A1016").await;
    let (social, _) = app
        .store()
        .social_request(
            &custodian_store::social_accounts::AccountRequest {
                platform: custodian_domain::posts::Platform::Facebook,
                handle: "MatrixNorth".into(),
                purpose: "matrix".into(),
                audience: "matrix".into(),
                owning_team: "Response Policing North".into(),
                team_manager: kwame.id,
                corporate: false,
            },
            (Actor::person(kwame.id, "A1016")).at(now),
        )
        .await
        .unwrap();

    // A public comment on that account, with its evidence kept (WP034 8.2): Corporate
    // Communications see it and act on it.
    custodian_server::comments::import(
        app.store(),
        &Actor::cli(),
        now,
        br#"{"id":"m-1","platform":"facebook","account":"MatrixNorth","post":"p-1","author":"fb-1","author_name":"Matrix Author","url":"https://facebook.com/MatrixNorth/p-1","text":"PC Smith is a useless fat pr*ck","created_at":"2026-12-01T10:00:00Z"}"#,
    )
    .await
    .unwrap();
    let comment = app.store().comments(&Default::default()).await.unwrap()[0].id;
    // A wellbeing case for Laura Fenwick's line manager (A1016, not a persona), a referral to the
    // Resolution Centre and a question in MatrixNorth's reply queue (WP034 6.7, 8.2).
    custodian_server::comments::import(
        app.store(),
        &Actor::cli(),
        now,
        concat!(
            r#"{"id":"m-3","platform":"facebook","account":"MatrixNorth","post":"p-1","author":"fb-2","author_name":"Matrix Two","url":"https://facebook.com/MatrixNorth/p-1","text":"PC Fenwick is a useless fat pr*ck","created_at":"2026-12-01T10:00:00Z"}"#,
            "\n",
            r#"{"id":"m-4","platform":"facebook","account":"MatrixNorth","post":"p-1","author":"fb-3","author_name":"Matrix Three","url":"https://facebook.com/MatrixNorth/p-1","text":"Send them all back home, dirty p*kis. I'll burn their shop down","created_at":"2026-12-01T10:00:00Z"}"#,
            "\n",
            r#"{"id":"m-5","platform":"facebook","account":"MatrixNorth","post":"p-1","author":"fb-4","author_name":"Matrix Four","url":"https://facebook.com/MatrixNorth/p-1","text":"What time does the front counter at Leamington open on Saturdays?","created_at":"2026-12-01T10:00:00Z"}"#,
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let wellbeing_case = app.store().wellbeing_cases(kwame.id).await.unwrap()[0].id;
    let referral = app.store().referrals().await.unwrap()[0].id;
    let reply = app.store().replies(&Default::default()).await.unwrap()[0].id;

    // An app of the catalogue (WP034 4.8).
    let matrix_app = app
        .store()
        .app_upsert(
            &custodian_store::apps::NewApp {
                name: "Matrix Messenger".into(),
                platform: custodian_domain::apps::Platform::Android,
                package_id: "uk.matrix.messenger".into(),
                publisher: "Matrix".into(),
                category: custodian_domain::apps::Category::Messaging,
                store_url: None,
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();

    // A round of lawful business monitoring by PSD (WP034 5.3), not yet drawn.
    let psd = app.api(&app.token("A1012").await);
    let commitment = hex::encode(sha2::Sha256::digest(b"matrix secret"));
    let (s, round) = psd
        .post(
            "/monitoring/rounds",
            json!({"name": "Matrix", "areas": ["Response Policing North"], "sample_size": 1, "commitment": commitment}),
        )
        .await;
    assert_eq!(s, 201, "{round}");
    let round = round["id"].as_str().unwrap().to_string();
    // The overseas request's approval, seen by its requester.
    let (s, mine) = app.api(&app.token("A1018").await).get("/approvals/mine").await;
    assert_eq!(s, 200, "{mine}");
    let approval = mine
        .as_array()
        .and_then(|a| a.first())
        .or_else(|| mine["items"].as_array().and_then(|a| a.first()))
        .map(|a| a["id"].as_str().unwrap().to_string())
        .expect("the overseas request's approval");
    // A grant of the app to DMIs, by Digital Services.
    let ds = app.api(&app.token("A1002").await);
    let (s, grant) = ds.post(&format!("/apps/{matrix_app}/grants"), json!({"allowed_for": "role:dmi"})).await;
    assert_eq!(s, 200, "{grant}");
    let grant = grant["id"].as_str().expect("grant id").to_string();
    // WP034 as imported, and a draft of its next version (WP034 10, 11).
    let wp034 =
        custodian_domain::policy::text::parse_text(include_str!("../../../../fixtures/policy/WP034.txt")).unwrap();
    app.store().policy_import(&wp034, None, Actor::system().at(now)).await.unwrap();
    let policy_draft = app.store().policy_draft("WP034", Actor::system().at(now)).await.unwrap().id;
    let in_force = app.store().policy_in_force("WP034").await.unwrap().unwrap().id;
    let (policy_campaign, _) = app
        .store()
        .policy_campaign_create(
            &custodian_store::policy::NewCampaign {
                version_id: in_force,
                title: "Matrix".into(),
                clauses: vec!["6.5".into()],
                areas: vec![],
                roles: Vec::new(),
                due_on: time::macros::date!(2026 - 12 - 31),
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();
    let policy_campaign = policy_campaign.id;
    let (s, pack) = app.api(&app.token("A1003").await).get("/screening/pack").await;
    assert_eq!(s, 200, "{pack}");
    let pack_version = pack["version"].to_string().trim_matches('"').to_string();
    // A legal hold on A1001's records, placed by PSD (WP034 5.5).
    let hold = app
        .store()
        .hold_place(
            &custodian_store::data_protection::NewHold {
                person: Some(a1001.id),
                case: None,
                reason: "Misconduct hearing pending".into(),
                review_on: (now + time::Duration::days(60)).date(),
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap();
    // A declaration by A1001 (not a persona) in a category PSD assess too, and a report to PSD by
    // A1001: seen by the assessors / PSD only (WP034 7.3, 8.1).
    let declaration = app
        .store()
        .declaration_make(
            a1001.id,
            Some(&custodian_domain::declarations::Declaration {
                platform: "LinkedIn".into(),
                counterpart: "Matrix".into(),
                nature: "Matrix".into(),
                category: "criminality".into(),
            }),
            true,
            Actor::system().at(now),
        )
        .await
        .unwrap()
        .id;
    let psd_report = app
        .store()
        .report_create(
            a1001.id,
            &custodian_store::declarations::NewReport {
                anonymous: false,
                platform: "WhatsApp".into(),
                what: custodian_domain::declarations::ReportedThing::GroupChat,
                subject: None,
                description: "Matrix".into(),
            },
            &[custodian_store::declarations::NewEvidence {
                file_name: "m.txt".into(),
                media_type: "text/plain",
                bytes: b"matrix".to_vec(),
            }],
            Actor::system().at(now),
        )
        .await
        .unwrap()
        .id;
    let evidence = app.store().report_evidence(psd_report).await.unwrap()[0].id;
    let due_on = (now + time::Duration::days(30)).date();
    let (due_day, due_month, due_year) =
        (due_on.day().to_string(), u8::from(due_on.month()).to_string(), due_on.year().to_string());
    let review_on = (now + time::Duration::days(90)).date().to_string();
    // Things no persona may touch whose ids need only exist as ids.
    let nobody = uuid::Uuid::now_v7();
    let device = third_party_device.id;
    let people_csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";
    let devices_csv = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n";
    let carrier_csv =
        "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";
    let post_form =
        [("account_id", account.id.to_string()), ("text", "Road closed on the A46 near Warwick today.".to_string())];
    let post_form: Vec<(&str, &str)> = post_form.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let rules = vec![
        // ---- pages ------------------------------------------------------------------------
        get("/", "/", ALL),
        get("/sign-in", "/sign-in", PUBLIC),
        form("/sign-in", "/sign-in", &[("email", "nobody@example.invalid"), ("password", "wrong")], PUBLIC),
        form("/sign-out", "/sign-out", &[], PUBLIC),
        // OpenID Connect sign-in (not configured here: both answer 404).
        get("/oidc/start", "/oidc/start", PUBLIC),
        get("/oidc/callback", "/oidc/callback?code=c&state=s", PUBLIC),
        get("/my-devices", "/my-devices", ALL),
        form("/my-devices/{id}/confirm", format!("/my-devices/{device}/confirm"), &[], HOLDER_ONLY),
        form(
            "/my-devices/{id}/report-loss",
            format!("/my-devices/{device}/report-loss"),
            &[("what", "lost"), ("circumstances", "matrix")],
            HOLDER_ONLY,
        ),
        get("/devices", "/devices", DEVICE_READERS),
        form(
            "/devices",
            "/devices",
            &[
                ("asset_tag", "MATRIX-UI"),
                ("type", "radio"),
                ("make", "Motorola"),
                ("model", "MXP600"),
                ("serial", ""),
                ("imei", ""),
                ("phone_number", ""),
                ("os", ""),
            ],
            DS,
        ),
        get("/devices/new", "/devices/new", DS),
        get("/devices/{id}", format!("/devices/{device}"), DEVICE_READERS),
        form(
            "/devices/{id}/allocate",
            format!("/devices/{}/allocate", returned.id),
            &[("staff_number", "A1017"), ("reason", "matrix")],
            DS,
        ),
        form(
            "/devices/{id}/transition",
            format!("/devices/{}/transition", in_repair.id),
            &[("status", "in_stock"), ("reason", "repaired")],
            DS,
        ),
        form(
            "/devices/{id}/allocations/{allocation}/correct",
            format!("/devices/{}/allocations/{allocation}/correct", third_party_device.id),
            &[("allocated_at", corrected_start.as_str()), ("ended_at", ""), ("reason", "matrix")],
            DS,
        ),
        get("/people", "/people", PEOPLE_READERS),
        // A person chooser's suggestions: everyone may ask; each is offered only the people
        // Cedar lets them see (tests/it/human_inputs.rs).
        get("/people/suggest", "/people/suggest?q=mensah", ALL),
        get("/people/{id}", format!("/people/{}", a1001.id), PERSON_VIEWERS),
        get("/imports", "/imports", IMPORT_PEOPLE),
        rule("POST", "/imports/{kind}", "/imports/people", Body::File(people_csv), IMPORT_PEOPLE),
        get("/findings", "/findings", ALL),
        get("/findings/{id}", format!("/findings/{finding}"), FINDING_READERS),
        form("/findings/{id}/review", format!("/findings/{finding}/review"), &[("status", "under_review")], REVIEWERS),
        get("/audit", "/audit", AUDITORS),
        // Verifying the audit log changes nothing (a POST only to carry the CSRF token).
        reads(form("/audit/verify", "/audit/verify", &[], AUDITORS)),
        get("/policy", "/policy", ALL),
        get("/policy/versions", "/policy/versions", ALL),
        get("/policy/campaigns/{id}", format!("/policy/campaigns/{policy_campaign}"), ALL),
        get("/policy/overdue", "/policy/overdue", ALL),
        get("/policy/record", "/policy/record", ALL),
        get("/policy/campaigns", "/policy/campaigns", CAMPAIGN_STARTERS),
        form(
            "/policy/campaigns",
            "/policy/campaigns",
            &[
                ("clauses", "9.1"),
                ("roles", "corporate_comms"),
                ("due_on-day", &due_day),
                ("due_on-month", &due_month),
                ("due_on-year", &due_year),
            ],
            CAMPAIGN_STARTERS,
        ),
        get("/policy/training", "/policy/training", CC),
        rule("POST", "/policy/training", "/policy/training", Body::File("date,topic,staff_number\n"), CC),
        get("/declarations", "/declarations", ALL),
        form("/declarations", "/declarations", &[("nothing", "yes")], ALL),
        get("/declarations/queue", "/declarations/queue", ASSESSORS),
        form(
            "/declarations/campaigns",
            "/declarations/campaigns",
            &[("due_on-day", &due_day), ("due_on-month", &due_month), ("due_on-year", &due_year)],
            VETTING,
        ),
        get("/declarations/{id}", format!("/declarations/{declaration}"), ASSESSORS),
        form(
            "/declarations/{id}/assess",
            format!("/declarations/{declaration}/assess"),
            &[("outcome", "no_concern")],
            ASSESSORS,
        ),
        get("/profile-check", "/profile-check", ALL),
        form("/profile-check", "/profile-check", &[("text", "Runner, reader, Villa fan")], ALL),
        form("/profile-check/{id}/delete", format!("/profile-check/{}/delete", uuid::Uuid::nil()), &[], ALL),
        get("/psd-reports", "/psd-reports", ALL),
        rule("POST", "/psd-reports", "/psd-reports", Body::File("matrix"), ALL),
        get("/psd-reports/queue", "/psd-reports/queue", PSD),
        get("/psd-reports/{id}", format!("/psd-reports/{psd_report}"), PSD),
        form(
            "/psd-reports/{id}/triage",
            format!("/psd-reports/{psd_report}/triage"),
            &[("outcome", "conduct_assessment")],
            PSD,
        ),
        form("/psd-reports/{id}/close", format!("/psd-reports/{psd_report}/close"), &[("note", "Matrix")], PSD),
        get("/psd-reports/{id}/evidence/{file}", format!("/psd-reports/{psd_report}/evidence/{evidence}"), PSD),
        form(
            "/policy/campaigns/{id}/acknowledge",
            format!("/policy/campaigns/{policy_campaign}/acknowledge"),
            &[],
            ALL,
        ),
        form("/policy/versions", "/policy/versions", &[], CC),
        get("/policy/versions/{id}", format!("/policy/versions/{policy_draft}"), ALL),
        form(
            "/policy/versions/{id}/clauses",
            format!("/policy/versions/{policy_draft}/clauses"),
            &[("clause", "9.1"), ("text", "Matrix words.")],
            CC,
        ),
        form("/policy/versions/{id}/consult", format!("/policy/versions/{policy_draft}/consult"), &[], CC),
        form(
            "/policy/versions/{id}/adopt",
            format!("/policy/versions/{policy_draft}/adopt"),
            &[
                ("approval_body", "Board"),
                ("adopted_on", "2026-12-01"),
                ("next_review_on", "2029-12-01"),
                ("amendment", "m"),
            ],
            CC,
        ),
        get("/account", "/account", ALL),
        get("/account/email", "/account/email", ALL),
        // Each person's own choice, from a session only (never an API token).
        session_only(form("/account/email", "/account/email", &[("delivery", "digest")], ALL)),
        // Refused on its input (422): the current password is wrong.
        session_only(form(
            "/account/password",
            "/account/password",
            &[("current_password", "x"), ("new_password", "y"), ("confirm_password", "z")],
            ALL,
        )),
        // Everyone sees the page: a person selected answers on availability there (WP034 5.3).
        get("/monitoring", "/monitoring", ALL),
        form(
            "/monitoring/rounds",
            "/monitoring/rounds",
            &[("name", "Matrix UI"), ("sample_size", "1"), ("commitment", &commitment)],
            PSD,
        ),
        get("/monitoring/rounds/{id}", format!("/monitoring/rounds/{round}"), ROUND_VIEWERS),
        form(
            "/monitoring/rounds/{id}/exclusions",
            format!("/monitoring/rounds/{round}/exclusions"),
            &[("staff_number", "A1018"), ("reason", "matrix")],
            PSD,
        ),
        // Refused on the input (422): the wrong secret.
        form(
            "/monitoring/rounds/{id}/draw",
            format!("/monitoring/rounds/{round}/draw"),
            &[("beacon", "matrix"), ("secret", "wrong")],
            PSD,
        ),
        get("/monitoring/cases/{id}", format!("/monitoring/cases/{nobody}"), MONITORING),
        form(
            "/monitoring/cases/{id}/steps",
            format!("/monitoring/cases/{nobody}/steps"),
            &[("step", "withdraw"), ("reason", "matrix")],
            MONITORING,
        ),
        // Asking for another date: the person selected (or PSD) on their own case (WP034 5.4).
        get("/monitoring/cases/{id}/defer", format!("/monitoring/cases/{nobody}/defer"), MONITORING),
        form(
            "/monitoring/cases/{id}/defer",
            format!("/monitoring/cases/{nobody}/defer"),
            &[("to", "2026-12-10T14:00"), ("reason", "matrix")],
            MONITORING,
        ),
        get("/screening/pack", "/screening/pack", PACK_READERS),
        form("/screening/pack", "/screening/pack", &[("body", "not a pack"), ("reason", "matrix")], CC),
        form("/screening/pack/check", "/screening/pack/check", &[("body", "not a pack")], CC),
        get("/screening/pack/versions/{version}", format!("/screening/pack/versions/{pack_version}"), PACK_READERS),
        get("/notifications", "/notifications", ALL),
        get("/notifications/count", "/notifications/count", ALL),
        form("/notifications/read-all", "/notifications/read-all", &[], ALL),
        // Marks the caller's own notification of that id, if any.
        form("/notifications/{id}/read", format!("/notifications/{nobody}/read"), &[], ALL),
        get("/approvals", "/approvals", ALL),
        form(
            "/approvals/delegations",
            "/approvals/delegations",
            &[
                ("deputy", "A1017"),
                ("starts_at", "2030-01-01T00:00:00Z"),
                ("ends_at", "2030-01-02T00:00:00Z"),
                ("reason", "matrix"),
            ],
            ALL,
        ),
        form("/approvals/delegations/{id}/revoke", format!("/approvals/delegations/{nobody}/revoke"), &[], HOLDER_ONLY),
        get("/approvals/{id}", format!("/approvals/{approval}"), APPROVAL_VIEWERS),
        // Its deciders may try (refused on the input, 422: not their step).
        form(
            "/approvals/{id}/decide",
            format!("/approvals/{approval}/decide"),
            &[("step", "hod"), ("verdict", "approve")],
            APPROVAL_VIEWERS,
        ),
        form("/approvals/{id}/withdraw", format!("/approvals/{approval}/withdraw"), &[], HOLDER_ONLY),
        get("/posts", "/posts", ALL),
        form("/posts", "/posts", &post_form, ALL),
        get("/posts/new", "/posts/new", ALL),
        form("/posts/highlight", "/posts/highlight", &[("text", "Road closed on the A46.")], ALL),
        get("/posts/setup", "/posts/setup", ALL),
        form(
            "/posts/setup/investigations",
            "/posts/setup/investigations",
            &[("kind", "operation"), ("label", "Operation Matrix UI"), ("sio_staff_number", "A1012")],
            SIO,
        ),
        form(
            "/posts/incident",
            "/posts/incident",
            &[("name", "Matrix"), ("reason", "matrix"), ("guidance", "matrix")],
            CC,
        ),
        form("/posts/incident/end", "/posts/incident/end", &[("reason", "matrix")], CC),
        get("/posts/{id}", format!("/posts/{post_id}"), POST_VIEWERS),
        form("/posts/{id}", format!("/posts/{post_id}"), &post_form, CC),
        form("/posts/{id}/submit", format!("/posts/{post_id}/submit"), &[], CC),
        form("/posts/{id}/override", format!("/posts/{post_id}/override"), &[("reason", "matrix")], CC),
        form("/posts/{id}/approve", format!("/posts/{post_id}/approve"), &[("as", "comms")], CC),
        form("/posts/{id}/return", format!("/posts/{post_id}/return"), &[("reason", "matrix")], CC),
        // The credential vault (WP034 6.6): Corporate Communications; the account's team manager
        // (A1001) is none of the personas.
        get("/vault", "/vault", CC),
        get("/accounts/{id}/credentials", format!("/accounts/{}/credentials", account.id), CC),
        form(
            "/accounts/{id}/credentials",
            format!("/accounts/{}/credentials", account.id),
            &[("secret_username", "matrix_user")],
            CC,
        ),
        form(
            "/accounts/{id}/credentials/reveal",
            format!("/accounts/{}/credentials/reveal", account.id),
            &[("field", "username"), ("reason", "matrix")],
            CC,
        ),
        get("/overseas", "/overseas", ALL),
        form(
            "/overseas",
            "/overseas",
            &[
                ("devices", "WP-MB-0007"),
                ("countries", "FR"),
                ("from", "2030-01-01"),
                ("to", "2030-01-02"),
                ("purpose", "matrix"),
            ],
            ALL,
        ),
        get("/overseas/export.csv", "/overseas/export.csv", DS),
        get("/data-protection", "/data-protection", DATA_PROTECTION),
        form(
            "/data-protection/holds",
            "/data-protection/holds",
            &[("staff_number", "A1018"), ("reason", "Misconduct hearing pending"), ("review_on", review_on.as_str())],
            PSD,
        ),
        form(
            "/data-protection/holds/{id}/release",
            format!("/data-protection/holds/{hold}/release"),
            &[("reason", "Proceedings concluded")],
            PSD,
        ),
        form(
            "/data-protection/export",
            "/data-protection/export",
            &[("staff_number", "A1001"), ("reason", "Subject access request SAR-17"), ("form", "json")],
            DPO,
        ),
        get("/overseas/{id}", format!("/overseas/{window}"), OVERSEAS_VIEWERS),
        // Its deciders may try (refused on the state, 409: the line manager decides first).
        form(
            "/overseas/{id}/decide",
            format!("/overseas/{window}/decide"),
            &[("step", "hod"), ("verdict", "approve")],
            OVERSEAS_VIEWERS,
        ),
        form("/overseas/{id}/withdraw", format!("/overseas/{window}/withdraw"), &[], HOLDER_ONLY),
        // Public comments and their evidence packs: Corporate Communications (WP034 8.2).
        get("/comments", "/comments", CC),
        get("/comments/{id}", format!("/comments/{comment}"), CC),
        form("/comments/{id}/evidence", format!("/comments/{comment}/evidence"), &[], CC),
        get("/comments/authors/{platform}/{author}", "/comments/authors/facebook/fb-1", CC),
        // The comments' workflow (WP034 6.7, 6.8, 8.2): everyone opens their own wellbeing cases
        // and reply queues (the server lists only theirs); a case is its person's line manager's
        // (not a persona); the Resolution Centre decide referrals, which Corporate
        // Communications also see; the rota is Corporate Communications'.
        get("/comments/wellbeing", "/comments/wellbeing", ALL),
        get("/comments/wellbeing/{id}", format!("/comments/wellbeing/{wellbeing_case}"), HOLDER_ONLY),
        form(
            "/comments/wellbeing/{id}/close",
            format!("/comments/wellbeing/{wellbeing_case}/close"),
            &[("support", "matrix")],
            HOLDER_ONLY,
        ),
        get("/comments/referrals", "/comments/referrals", REFERRAL_VIEWERS),
        get("/comments/referrals/{id}", format!("/comments/referrals/{referral}"), REFERRAL_VIEWERS),
        form(
            "/comments/referrals/{id}/decide",
            format!("/comments/referrals/{referral}/decide"),
            &[("outcome", "advice")],
            RC,
        ),
        form(
            "/comments/{id}/actions",
            format!("/comments/{comment}/actions"),
            &[("action", "hide"), ("advice", "matrix")],
            CC,
        ),
        get("/comments/replies", "/comments/replies", ALL),
        form("/comments/replies/{id}/sent", format!("/comments/replies/{reply}/sent"), &[("reply", "matrix")], CC),
        get("/comments/rota", "/comments/rota", CC),
        form(
            "/comments/rota",
            "/comments/rota",
            &[("person", "A1003"), ("starts_at", "2026-12-04T18:00"), ("ends_at", "2026-12-05T08:00")],
            CC,
        ),
        get("/accounts", "/accounts", ALL),
        get("/accounts/new", "/accounts/new", ALL),
        // Everyone may request (the first persona's request is recorded, the others find the
        // handle taken, 409).
        form(
            "/accounts",
            "/accounts",
            &[("platform", "x"), ("handle", "MatrixRequest"), ("purpose", "matrix"), ("audience", "matrix")],
            ALL,
        ),
        get("/accounts/{id}", format!("/accounts/{social}"), SOCIAL_VIEWERS),
        // Corporate Communications decide (refused on the verdict here, 422, so the account stays requested).
        form(
            "/accounts/{id}/decide",
            format!("/accounts/{social}/decide"),
            &[("step", "corporate_comms"), ("verdict", "maybe")],
            CC,
        ),
        form("/accounts/{id}/users", format!("/accounts/{social}/users"), &[("staff_number", "A1017")], CC),
        form("/accounts/{id}/users/{user}/end", format!("/accounts/{social}/users/{nobody}/end"), &[], CC),
        // Only the account's team manager (no persona) re-certifies.
        form("/accounts/{id}/recertify", format!("/accounts/{social}/recertify"), &[], HOLDER_ONLY),
        form(
            "/accounts/{id}/profile",
            format!("/accounts/{social}/profile"),
            &[("profile", "Emergency? Call 999. Report crime on 101."), ("url", "")],
            CC,
        ),
        form("/accounts/{id}/posts", format!("/accounts/{social}/posts"), &[("day", "")], CC),
        form("/accounts/{id}/close", format!("/accounts/{social}/close"), &[("reason", "matrix")], CC),
        form(
            "/accounts/{id}/tasks/{task}/done",
            format!("/accounts/{social}/tasks/{nobody}/done"),
            &[("outcome", "matrix")],
            CC,
        ),
        get("/usage/streaming-exceptions", "/usage/streaming-exceptions", ALL),
        form(
            "/usage/streaming-exceptions",
            "/usage/streaming-exceptions",
            &[("staff_number", "A1018"), ("reason", "matrix"), ("until", "2030-01-01")],
            HOLDER_ONLY,
        ),
        get("/usage/imports", "/usage/imports", DS),
        get("/usage/out-of-hours", "/usage/out-of-hours", HOD),
        rule("POST", "/usage/imports/{feed}", "/usage/imports/carrier", Body::File(carrier_csv), DS),
        get("/apps", "/apps", ALL),
        form(
            "/apps",
            "/apps",
            &[
                ("name", "Matrix UI"),
                ("platform", "android"),
                ("package_id", "uk.matrix.ui"),
                ("publisher", "M"),
                ("category", "other"),
            ],
            DS,
        ),
        get("/apps/unlisted", "/apps/unlisted", DS),
        get("/apps/requests", "/apps/requests", ALL),
        form(
            "/apps/requests",
            "/apps/requests",
            &[("app_id", &matrix_app.to_string()), ("business_need", "matrix")],
            ALL,
        ),
        get("/apps/requests/new", "/apps/requests/new", ALL),
        get("/apps/requests/{id}", format!("/apps/requests/{nobody}"), HOLDER_ONLY),
        form(
            "/apps/requests/{id}/decide",
            format!("/apps/requests/{nobody}/decide"),
            &[("step", "digital_services"), ("verdict", "approve")],
            HOLDER_ONLY,
        ),
        form("/apps/requests/{id}/withdraw", format!("/apps/requests/{nobody}/withdraw"), &[], HOLDER_ONLY),
        form("/apps/grants/{id}/revoke", format!("/apps/grants/{grant}/revoke"), &[("reason", "matrix")], DS),
        get("/apps/{id}", format!("/apps/{matrix_app}"), ALL),
        form("/apps/{id}/grants", format!("/apps/{matrix_app}/grants"), &[("allowed_for", "role:dmi")], DS),
        // ---- operations -------------------------------------------------------------------
        get("/healthz", "/healthz", PUBLIC),
        // A witness is asked without a session: the log's signature on the checkpoint is the proof.
        rule(
            "POST",
            "/witness/add-checkpoint",
            "/witness/add-checkpoint",
            Body::Raw("text/plain", "old 0\n\n"),
            PUBLIC,
        ),
        get("/readyz", "/readyz", PUBLIC),
        get("/metrics", "/metrics", METRICS),
        // ---- the API ----------------------------------------------------------------------
        get("/api/v1/openapi.json", "/api/v1/openapi.json", PUBLIC),
        get("/api/v1/me", "/api/v1/me", ALL),
        get("/api/v1/people", "/api/v1/people", PEOPLE_READERS),
        get("/api/v1/people/{id}", format!("/api/v1/people/{}", a1001.id), PERSON_VIEWERS),
        // Whoever may see the person may see their declared numbers, with a reason that is logged.
        get(
            "/api/v1/people/{id}/personal-numbers",
            format!("/api/v1/people/{}/personal-numbers?reason=checking%20a%20diverted%20call", a1001.id),
            PERSON_VIEWERS,
        ),
        get("/api/v1/devices", "/api/v1/devices", DEVICE_READERS),
        post(
            "/api/v1/devices",
            "/api/v1/devices",
            json!({"asset_tag": "MATRIX-1", "type": "radio", "make": "Motorola", "model": "MXP600"}),
            DS,
        ),
        get("/api/v1/devices/{id}", format!("/api/v1/devices/{device}"), DEVICE_READERS),
        get("/api/v1/devices/{id}/history", format!("/api/v1/devices/{device}/history"), DEVICE_READERS),
        post(
            "/api/v1/devices/{id}/allocate",
            format!("/api/v1/devices/{}/allocate", returned.id),
            json!({"staff_number": "A1017", "reason": "matrix"}),
            DS,
        ),
        post(
            "/api/v1/devices/{id}/transition",
            format!("/api/v1/devices/{}/transition", in_repair.id),
            json!({"status": "in_stock", "reason": "repaired"}),
            DS,
        ),
        post(
            "/api/v1/devices/{id}/allocations/{allocation}/correct",
            format!("/api/v1/devices/{}/allocations/{allocation}/correct", third_party_device.id),
            json!({"allocated_at": corrected_start, "reason": "matrix"}),
            DS,
        ),
        post(
            "/api/v1/devices/{id}/confirm-receipt",
            format!("/api/v1/devices/{device}/confirm-receipt"),
            json!({}),
            HOLDER_ONLY,
        ),
        post(
            "/api/v1/devices/{id}/report-loss",
            format!("/api/v1/devices/{device}/report-loss"),
            json!({"stolen": false, "circumstances": "x"}),
            HOLDER_ONLY,
        ),
        rule(
            "POST",
            "/api/v1/imports/people",
            "/api/v1/imports/people",
            Body::Raw("text/csv", people_csv),
            IMPORT_PEOPLE,
        ),
        rule("POST", "/api/v1/imports/devices", "/api/v1/imports/devices", Body::Raw("text/csv", devices_csv), DS),
        rule("POST", "/api/v1/imports/intune", "/api/v1/imports/intune", Body::Raw("application/json", "[]"), DS),
        rule("POST", "/api/v1/imports/amapi", "/api/v1/imports/amapi", Body::Raw("application/json", "[]"), DS),
        get("/api/v1/findings", "/api/v1/findings", ALL),
        get("/api/v1/findings/{id}", format!("/api/v1/findings/{finding}"), FINDING_READERS),
        post(
            "/api/v1/findings/{id}/review",
            format!("/api/v1/findings/{finding}/review"),
            json!({"status": "under_review"}),
            REVIEWERS,
        ),
        get("/api/v1/audit/events", "/api/v1/audit/events", AUDITORS),
        get("/api/v1/audit/verify", "/api/v1/audit/verify", AUDITORS),
        reads(post("/api/v1/audit/verify", "/api/v1/audit/verify", json!({"checkpoints": ["not a note"]}), AUDITORS)),
        // The verifier key is public: anyone signed in may have it.
        get("/api/v1/audit/key", "/api/v1/audit/key", ALL),
        get("/api/v1/audit/consistency", "/api/v1/audit/consistency?old_size=1", AUDITORS),
        get("/api/v1/audit/events/{id}/proof", format!("/api/v1/audit/events/{audit_event}/proof"), AUDITORS),
        get("/api/v1/policy/clauses/{id}", "/api/v1/policy/clauses/4.1", ALL),
        get("/api/v1/declarations", "/api/v1/declarations", ALL),
        post(
            "/api/v1/declarations",
            "/api/v1/declarations",
            json!({"platform": "X", "counterpart": "Matrix", "nature": "Matrix", "category": "other"}),
            ALL,
        ),
        get("/api/v1/declarations/categories", "/api/v1/declarations/categories", ALL),
        get("/api/v1/declarations/queue", "/api/v1/declarations/queue", ASSESSORS),
        get("/api/v1/declarations/{id}", format!("/api/v1/declarations/{declaration}?reason=matrix"), ASSESSORS),
        post(
            "/api/v1/declarations/{id}/assessment",
            format!("/api/v1/declarations/{declaration}/assessment"),
            json!({"outcome": "no_concern"}),
            ASSESSORS,
        ),
        post("/api/v1/profile-check", "/api/v1/profile-check", json!({"text": "Runner, reader, Villa fan"}), ALL),
        get("/api/v1/psd-reports", "/api/v1/psd-reports", ALL),
        post(
            "/api/v1/psd-reports",
            "/api/v1/psd-reports",
            json!({"platform": "X", "what": "post", "description": "Matrix"}),
            ALL,
        ),
        get("/api/v1/psd-reports/queue", "/api/v1/psd-reports/queue", PSD),
        get("/api/v1/psd-reports/{id}", format!("/api/v1/psd-reports/{psd_report}"), PSD),
        post(
            "/api/v1/psd-reports/{id}/triage",
            format!("/api/v1/psd-reports/{psd_report}/triage"),
            json!({"outcome": "no_action"}),
            PSD,
        ),
        get("/api/v1/policy/status", "/api/v1/policy/status", ALL),
        get("/api/v1/monitoring/rounds", "/api/v1/monitoring/rounds", ROUND_VIEWERS),
        post(
            "/api/v1/monitoring/rounds",
            "/api/v1/monitoring/rounds",
            json!({"name": "Matrix API", "sample_size": 1, "commitment": commitment}),
            PSD,
        ),
        get("/api/v1/monitoring/rounds/{id}", format!("/api/v1/monitoring/rounds/{round}"), ROUND_VIEWERS),
        post(
            "/api/v1/monitoring/rounds/{id}/exclusions",
            format!("/api/v1/monitoring/rounds/{round}/exclusions"),
            json!({"staff_number": "A1018", "reason": "matrix"}),
            PSD,
        ),
        post(
            "/api/v1/monitoring/rounds/{id}/draw",
            format!("/api/v1/monitoring/rounds/{round}/draw"),
            json!({"beacon": "matrix", "secret": "wrong"}),
            PSD,
        ),
        get(
            "/api/v1/monitoring/rounds/{id}/bundle",
            format!("/api/v1/monitoring/rounds/{round}/bundle"),
            BUNDLE_READERS,
        ),
        // Everyone may list cases: a person sees their own (WP034 5.3).
        get("/api/v1/monitoring/cases", "/api/v1/monitoring/cases", ALL),
        get("/api/v1/monitoring/cases/{id}", format!("/api/v1/monitoring/cases/{nobody}"), MONITORING),
        get("/api/v1/monitoring/cases/{id}/steps", format!("/api/v1/monitoring/cases/{nobody}/steps"), MONITORING),
        post(
            "/api/v1/monitoring/cases/{id}/steps",
            format!("/api/v1/monitoring/cases/{nobody}/steps"),
            json!({"step": "withdraw", "reason": "matrix"}),
            MONITORING,
        ),
        get("/api/v1/monitoring/cases/{id}/report", format!("/api/v1/monitoring/cases/{nobody}/report"), MONITORING),
        get(
            "/api/v1/monitoring/cases/{id}/export",
            format!("/api/v1/monitoring/cases/{nobody}/export?purpose=matrix"),
            MONITORING,
        ),
        get("/api/v1/monitoring/dashboard", "/api/v1/monitoring/dashboard", ROUND_VIEWERS),
        get(
            "/api/v1/monitoring/sample-size",
            "/api/v1/monitoring/sample-size?rate=0.05&confidence=0.95",
            ROUND_VIEWERS,
        ),
        get("/api/v1/screening/pack", "/api/v1/screening/pack", PACK_READERS),
        post("/api/v1/screening/pack", "/api/v1/screening/pack", json!({"body": "not a pack", "reason": "matrix"}), CC),
        post("/api/v1/screening/pack/check", "/api/v1/screening/pack/check", json!({"body": "not a pack"}), CC),
        get("/api/v1/screening/pack/versions", "/api/v1/screening/pack/versions", PACK_READERS),
        get(
            "/api/v1/screening/pack/versions/{version}",
            format!("/api/v1/screening/pack/versions/{pack_version}"),
            PACK_READERS,
        ),
        get("/api/v1/notifications", "/api/v1/notifications", ALL),
        post("/api/v1/notifications/read-all", "/api/v1/notifications/read-all", json!({}), ALL),
        post("/api/v1/notifications/{id}/read", format!("/api/v1/notifications/{nobody}/read"), json!({}), ALL),
        get("/api/v1/approvals/to-decide", "/api/v1/approvals/to-decide", ALL),
        get("/api/v1/approvals/mine", "/api/v1/approvals/mine", ALL),
        get("/api/v1/approvals/overdue", "/api/v1/approvals/overdue", APPROVALS_OVERVIEW),
        get("/api/v1/approvals/delegations", "/api/v1/approvals/delegations", ALL),
        post(
            "/api/v1/approvals/delegations",
            "/api/v1/approvals/delegations",
            json!({"deputy": "A1017", "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-02T00:00:00Z", "reason": "matrix"}),
            ALL,
        ),
        post(
            "/api/v1/approvals/delegations/{id}/revoke",
            format!("/api/v1/approvals/delegations/{nobody}/revoke"),
            json!({}),
            HOLDER_ONLY,
        ),
        get("/api/v1/approvals/{id}", format!("/api/v1/approvals/{approval}"), APPROVAL_VIEWERS),
        post(
            "/api/v1/approvals/{id}/decide",
            format!("/api/v1/approvals/{approval}/decide"),
            json!({"step": "hod", "verdict": "approve"}),
            APPROVAL_VIEWERS,
        ),
        post(
            "/api/v1/approvals/{id}/withdraw",
            format!("/api/v1/approvals/{approval}/withdraw"),
            json!({}),
            HOLDER_ONLY,
        ),
        get("/api/v1/posts", "/api/v1/posts", ALL),
        post(
            "/api/v1/posts",
            "/api/v1/posts",
            json!({"account_id": account.id, "text": "Road closed on the A46."}),
            ALL,
        ),
        post("/api/v1/posts/screen", "/api/v1/posts/screen", json!({"text": "Road closed on the A46."}), ALL),
        get("/api/v1/posts/accounts", "/api/v1/posts/accounts", ALL),
        post(
            "/api/v1/posts/accounts",
            "/api/v1/posts/accounts",
            json!({"platform": "facebook", "handle": "@MatrixPage", "owning_team": "Matrix Unit", "team_manager": "A1001"}),
            CC,
        ),
        get("/api/v1/posts/investigations", "/api/v1/posts/investigations", SIO_TABLE_READERS),
        post(
            "/api/v1/posts/investigations",
            "/api/v1/posts/investigations",
            json!({"kind": "operation", "label": "Operation Matrix", "sio_staff_number": "A1012"}),
            SIO,
        ),
        get("/api/v1/posts/incident", "/api/v1/posts/incident", ALL),
        post(
            "/api/v1/posts/incident",
            "/api/v1/posts/incident",
            json!({"name": "Matrix", "reason": "matrix", "guidance": "matrix"}),
            CC,
        ),
        post("/api/v1/posts/incident/end", "/api/v1/posts/incident/end", json!({"reason": "matrix"}), CC),
        get("/api/v1/posts/{id}", format!("/api/v1/posts/{post_id}"), POST_VIEWERS),
        // Corporate Communications may change and submit another's post; the SIO may not.
        rule("PUT", "/api/v1/posts/{id}", format!("/api/v1/posts/{post_id}"), Body::Json(post_body.clone()), CC),
        post("/api/v1/posts/{id}/submit", format!("/api/v1/posts/{post_id}/submit"), json!({}), CC),
        // Allowed but refused on the state (409): no warnings; not waiting for approval.
        post(
            "/api/v1/posts/{id}/override",
            format!("/api/v1/posts/{post_id}/override"),
            json!({"reason": "matrix"}),
            CC,
        ),
        post("/api/v1/posts/{id}/approve", format!("/api/v1/posts/{post_id}/approve"), json!({"as": "comms"}), CC),
        post("/api/v1/posts/{id}/return", format!("/api/v1/posts/{post_id}/return"), json!({"reason": "matrix"}), CC),
        // Allowed but refused on the input (422): the personas hold no devices.
        post(
            "/api/v1/overseas/requests",
            "/api/v1/overseas/requests",
            json!({"devices": ["WP-MB-0007"], "countries": ["FR"], "from": "2030-01-01", "to": "2030-01-02", "purpose": "matrix"}),
            ALL,
        ),
        get("/api/v1/accounts/{id}/credentials", format!("/api/v1/accounts/{}/credentials", account.id), CC),
        post(
            "/api/v1/accounts/{id}/credentials",
            format!("/api/v1/accounts/{}/credentials", account.id),
            json!({"username": "matrix_user"}),
            CC,
        ),
        post(
            "/api/v1/accounts/{id}/credentials/reveal",
            format!("/api/v1/accounts/{}/credentials/reveal", account.id),
            json!({"field": "username", "reason": "matrix"}),
            CC,
        ),
        get("/api/v1/overseas/mine", "/api/v1/overseas/mine", ALL),
        get("/api/v1/overseas/windows", "/api/v1/overseas/windows", ALL),
        get("/api/v1/overseas/export", "/api/v1/overseas/export", DS),
        get("/api/v1/data-protection/retention", "/api/v1/data-protection/retention", RETENTION),
        get("/api/v1/data-protection/holds", "/api/v1/data-protection/holds", HOLD_VIEWERS),
        post(
            "/api/v1/data-protection/holds",
            "/api/v1/data-protection/holds",
            json!({"staff_number": "A1017", "reason": "Misconduct hearing pending", "review_on": review_on}),
            PSD,
        ),
        post(
            "/api/v1/data-protection/holds/{id}/release",
            format!("/api/v1/data-protection/holds/{hold}/release"),
            json!({"reason": "Proceedings concluded"}),
            PSD,
        ),
        get(
            "/api/v1/data-protection/people/{staff_number}/export",
            "/api/v1/data-protection/people/A1001/export?reason=Subject%20access%20request%20SAR-17",
            DPO,
        ),
        get("/api/v1/overseas/{id}", format!("/api/v1/overseas/{window}"), OVERSEAS_VIEWERS),
        post("/api/v1/overseas/{id}/withdraw", format!("/api/v1/overseas/{window}/withdraw"), json!({}), HOLDER_ONLY),
        // A comment source delivers without a session: the signature over the body is the proof
        // (unsigned, every caller is refused).
        rule("POST", "/api/v1/comments", "/api/v1/comments", Body::Json(json!({"id": "m-2"})), PUBLIC),
        get("/api/v1/comments/{id}/evidence", format!("/api/v1/comments/{comment}/evidence"), CC),
        get(
            "/api/v1/comments/authors/{platform}/{author}/evidence",
            "/api/v1/comments/authors/facebook/fb-1/evidence",
            CC,
        ),
        get("/api/v1/comments/wellbeing", "/api/v1/comments/wellbeing", ALL),
        post(
            "/api/v1/comments/wellbeing/{id}/close",
            format!("/api/v1/comments/wellbeing/{wellbeing_case}/close"),
            json!({"support": "matrix"}),
            HOLDER_ONLY,
        ),
        get("/api/v1/comments/referrals", "/api/v1/comments/referrals", REFERRAL_VIEWERS),
        post(
            "/api/v1/comments/referrals/{id}/outcome",
            format!("/api/v1/comments/referrals/{referral}/outcome"),
            json!({"outcome": "no_crime"}),
            RC,
        ),
        post(
            "/api/v1/comments/{id}/actions",
            format!("/api/v1/comments/{comment}/actions"),
            json!({"action": "none", "advice": "matrix"}),
            CC,
        ),
        get("/api/v1/comments/replies", "/api/v1/comments/replies", ALL),
        post(
            "/api/v1/comments/replies/{id}/sent",
            format!("/api/v1/comments/replies/{reply}/sent"),
            json!({"reply": "matrix"}),
            CC,
        ),
        get("/api/v1/accounts", "/api/v1/accounts", ALL),
        post(
            "/api/v1/accounts",
            "/api/v1/accounts",
            json!({"platform": "x", "handle": "MatrixApi", "purpose": "matrix", "audience": "matrix"}),
            ALL,
        ),
        get("/api/v1/accounts/{id}", format!("/api/v1/accounts/{social}"), SOCIAL_VIEWERS),
        get("/api/v1/usage/streaming-exceptions", "/api/v1/usage/streaming-exceptions", ALL),
        // Only the person's line manager records one; no persona manages A1018.
        post(
            "/api/v1/usage/streaming-exceptions",
            "/api/v1/usage/streaming-exceptions",
            json!({"staff_number": "A1018", "reason": "matrix", "until": "2030-01-01"}),
            HOLDER_ONLY,
        ),
        get("/api/v1/usage/imports", "/api/v1/usage/imports", DS),
        rule(
            "POST",
            "/api/v1/usage/imports/{feed}",
            "/api/v1/usage/imports/carrier",
            Body::Raw("text/csv", carrier_csv),
            DS,
        ),
        get("/api/v1/apps", "/api/v1/apps", ALL),
        post(
            "/api/v1/apps",
            "/api/v1/apps",
            json!({"name": "Matrix", "platform": "android", "package_id": "uk.matrix", "publisher": "M", "category": "other"}),
            DS,
        ),
        get("/api/v1/apps/unlisted", "/api/v1/apps/unlisted", DS),
        get("/api/v1/apps/export", "/api/v1/apps/export?role=dmi&format=amapi", DS),
        rule(
            "POST",
            "/api/v1/apps/import-catalogue",
            "/api/v1/apps/import-catalogue",
            Body::Raw("text/csv", "name,platform,package_id,publisher,category,allowed_for\n"),
            DS,
        ),
        get("/api/v1/apps/requests", "/api/v1/apps/requests", ALL),
        // Everyone may request; these personas hold no device, so the request is refused (422).
        post(
            "/api/v1/apps/requests",
            "/api/v1/apps/requests",
            json!({"app_id": matrix_app, "devices": [], "business_need": "matrix"}),
            ALL,
        ),
        get("/api/v1/apps/requests/{id}", format!("/api/v1/apps/requests/{nobody}"), HOLDER_ONLY),
        post(
            "/api/v1/apps/requests/{id}/decide",
            format!("/api/v1/apps/requests/{nobody}/decide"),
            json!({"step": "digital_services", "verdict": "approve"}),
            HOLDER_ONLY,
        ),
        post(
            "/api/v1/apps/requests/{id}/withdraw",
            format!("/api/v1/apps/requests/{nobody}/withdraw"),
            json!({}),
            HOLDER_ONLY,
        ),
        post(
            "/api/v1/apps/grants/{id}/revoke",
            format!("/api/v1/apps/grants/{grant}/revoke"),
            json!({"reason": "matrix"}),
            DS,
        ),
        get("/api/v1/apps/{id}", format!("/api/v1/apps/{matrix_app}"), ALL),
        post(
            "/api/v1/apps/{id}/grants",
            format!("/api/v1/apps/{matrix_app}/grants"),
            json!({"allowed_for": "role:dmi"}),
            DS,
        ),
        rule(
            "POST",
            "/api/v1/imports/apps",
            "/api/v1/imports/apps",
            Body::Raw("text/csv", "device,app_id,version,seen_at\n"),
            DS,
        ),
    ];

    // Every registered route has exactly one rule, and every rule names a registered route.
    let table: BTreeSet<(String, String)> =
        custodian_server::route_table().into_iter().map(|e| (e.method.to_string(), e.path)).collect();
    let mut problems = Vec::new();
    let mut ruled = BTreeSet::new();
    for r in &rules {
        let key = (r.method.to_string(), r.pattern.to_string());
        if !table.contains(&key) {
            problems.push(format!("rule for {} {} names no route the server registers", r.method, r.pattern));
        }
        if !ruled.insert(key) {
            problems.push(format!("two rules for {} {}", r.method, r.pattern));
        }
        if !instance_of(r.pattern, &r.path) {
            problems.push(format!("rule for {} {} requests {}, not an instance of it", r.method, r.pattern, r.path));
        }
    }
    for (method, path) in table.difference(&ruled) {
        problems.push(format!("route {method} {path} has no rule in the permission matrix: add one"));
    }
    assert!(problems.is_empty(), "the permission matrix does not match the router:\n{}", problems.join("\n"));

    let mut failures = Vec::new();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // Anonymous callers: the API (and /metrics) answers 401, pages send them to sign in.
    for r in rules.iter().filter(|r| r.allowed != PUBLIC) {
        let (status, location) = send(&http, &app.base, r, None, None).await;
        let ok = if is_page(r.pattern) {
            (300..400).contains(&status) && location.as_deref() == Some("/sign-in")
        } else {
            status == 401
        };
        if !ok {
            failures.push(format!(
                "{} {} anonymous: got {status}{}, expected {}",
                r.method,
                r.path,
                location.map(|l| format!(" to {l}")).unwrap_or_default(),
                if is_page(r.pattern) { "a redirect to /sign-in" } else { "401" }
            ));
        }
    }
    for p in &personas {
        let sn = persona(*p);
        let role = p.map(|r| r.as_str()).unwrap_or("none");
        let person = app.person(&sn).await;
        app.store().set_password_hash(person.id, &hash, Actor::system().at(now)).await.unwrap();
        let read = app.token_scoped(&sn, &["read"]).await;
        let write = app.token_scoped(&sn, &["write"]).await;
        let email = format!("{}@warwickshire.police.example", sn.to_lowercase());
        for via in [Via::ReadToken, Via::WriteToken, Via::Session] {
            // Signing out ends the session, so each persona signs in afresh and signs out last.
            let session = if via == Via::Session { Some(app.sign_in(&email).await) } else { None };
            let mut ordered: Vec<&Rule> = rules.iter().filter(|r| r.pattern != "/sign-out").collect();
            ordered.extend(rules.iter().filter(|r| r.pattern == "/sign-out"));
            for r in ordered {
                let token = match via {
                    Via::ReadToken => Some(read.as_str()),
                    Via::WriteToken => Some(write.as_str()),
                    Via::Session => None,
                };
                let (status, location) = send(&http, &app.base, r, token, session.as_ref()).await;
                let to_sign_in = location.as_deref() == Some("/sign-in");
                let permitted = r.allowed == PUBLIC || r.allowed == ALL || r.allowed.contains(&role);
                let changes = r.method != "GET" && !r.reads && r.allowed != PUBLIC;
                let expected = if r.allowed == PUBLIC {
                    (status < 500, "not 5xx")
                } else if r.session_only && via != Via::Session {
                    (status == 403, "403: only a signed-in browser may")
                } else if via == Via::ReadToken && changes {
                    (status == 403 || status == 404, "403 (or 404): a read token changes nothing")
                } else if permitted {
                    (status != 401 && status != 403 && status < 500 && !to_sign_in, "allowed (not 401, 403, 5xx)")
                } else {
                    (status == 403 || status == 404, "403 or 404")
                };
                if !expected.0 {
                    failures.push(format!(
                        "{} {} as {role} by {via:?}: got {status}{}, expected {}",
                        r.method,
                        r.path,
                        location.map(|l| format!(" to {l}")).unwrap_or_default(),
                        expected.1
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix mismatches ({}):\n{}", failures.len(), failures.join("\n"));
    app.stop().await;
}
on_both!(every_route_answers_every_role_and_token_scope_as_the_policy_says);
