//! Approved apps through the API (WP034 4.8, 6.5): the catalogue and its grants, inventories
//! from the MDM, the `apps.unapproved` findings they open, close and re-open in place, the
//! unlisted apps seen, the MDM export, and the request route (Head of Department of the
//! requester's business area, then Digital Services) ending in a grant that closes the finding.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

const CATALOGUE: &str = "name,platform,package_id,publisher,category,allowed_for\n\
Microsoft Teams,ios,com.microsoft.skype.teams,Microsoft,productivity,all\n\
Microsoft Teams,android,com.microsoft.teams,Microsoft,productivity,all\n\
WhatsApp,ios,net.whatsapp.WhatsApp,Meta,messaging,role:dmi\n\
Waze,android,com.waze,Google,navigation,area:Response Policing North\n\
Evidence Cam,ios,uk.police.evidence,Axon,camera_evidence,person:A1013\n";

/// WP-MB-0006 is Laura Fenwick's (A1017, Response Policing North); 352283928926456 is the IMEI
/// of WP-MB-0008 (A1019); WP-MB-0004 is Rajesh Patel's (A1013, DMI); WP-MB-0007 Jack
/// Thornton's (A1018, Response Policing North); WP-MB-0012 is in stock (no holder).
const INVENTORY: &str = "device,app_id,version,seen_at\n\
WP-MB-0006,com.microsoft.skype.teams,6.1,2026-11-27T09:00:00Z\n\
WP-MB-0006,net.whatsapp.WhatsApp,24.1,2026-11-27T09:00:00Z\n\
WP-MB-0006,com.zhiliaoapp.musically,30.1,2026-11-27\n\
352283928926456,net.whatsapp.WhatsApp,24.1,\n\
WP-MB-0004,net.whatsapp.WhatsApp,24.1,\n\
WP-MB-0004,uk.police.evidence,1.0,\n\
WP-MB-0007,com.waze,5.0,\n\
WP-MB-0012,com.zhiliaoapp.musically,30.1,\n\
WP-XX-9999,com.example,1,\n";

async fn app_findings(app: &TestApp, status: Option<&str>) -> Vec<Value> {
    let ds = app.api(&app.token("A1006").await);
    let q = status.map(|s| format!("&status={s}")).unwrap_or_default();
    let (s, page) = ds.get(&format!("/findings?rule=apps.unapproved&per_page=100{q}")).await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "apps.unapproved")
        .filter(|f| status.is_none_or(|st| f["status"] == st))
        .cloned()
        .collect()
}

fn find<'a>(fs: &'a [Value], device: &str, app: &str) -> Option<&'a Value> {
    fs.iter().find(|f| f["evidence"]["device"] == device && f["evidence"]["app"] == app)
}

async fn load(app: &TestApp) {
    let ds = app.api(&app.token("A1006").await);
    let (s, r) = ds.post_raw("/apps/import-catalogue", "text/csv", CATALOGUE).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 5, "{r}");
    let (s, r) = ds.post_raw("/imports/apps", "text/csv", INVENTORY).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["findings_opened"], 3, "{r}");
    assert_eq!(r["evaluation"]["opened"], 3, "{r}");
    // The unknown device is reported with its line, not dropped.
    assert_eq!(r["unmatched"][0]["line"], 10, "{r}");
    assert!(r["unmatched"][0]["message"].as_str().unwrap().contains("WP-XX-9999"), "{r}");
}

async fn inventories_open_close_and_reopen_findings_in_place(b: Backend) {
    let app = spawn_seeded(b).await;
    load(&app).await;
    let [ds, laura] = app.apis(["A1006", "A1017"]).await;

    // Unlisted and unapproved apps on held devices are findings; the DMI's WhatsApp, the
    // area's Waze and the named person's app are not; the device in stock raises none.
    let open = app_findings(&app, Some("open")).await;
    assert_eq!(open.len(), 3, "{open:?}");
    let wa = find(&open, "WP-MB-0006", "net.whatsapp.WhatsApp").expect("Laura's WhatsApp");
    assert_eq!(wa["clause"], "4.8");
    assert_eq!(wa["evidence"]["direct_messaging"], true);
    assert!(find(&open, "WP-MB-0006", "com.zhiliaoapp.musically").is_some());
    assert!(find(&open, "WP-MB-0008", "net.whatsapp.WhatsApp").is_some(), "matched by IMEI");
    assert!(find(&open, "WP-MB-0012", "com.zhiliaoapp.musically").is_none());
    let wa_id = wa["id"].as_str().unwrap().to_string();

    // Digital Services see the unlisted app on both devices (held or not); others may not.
    let (s, unlisted) = ds.get("/apps/unlisted").await;
    assert_eq!(s, 200);
    assert_eq!(unlisted[0]["package_id"], "com.zhiliaoapp.musically", "{unlisted}");
    assert_eq!(unlisted[0]["devices"], 2);
    assert_eq!(laura.get("/apps/unlisted").await.0, 403);
    assert_eq!(laura.post_raw("/imports/apps", "text/csv", INVENTORY).await.0, 403);

    // Everyone sees the catalogue; direct messaging carries WP034 6.5.
    let (_, cat) = laura.get("/apps").await;
    let whatsapp = cat.as_array().unwrap().iter().find(|a| a["package_id"] == "net.whatsapp.WhatsApp").unwrap();
    assert!(whatsapp["warning"].as_str().unwrap().contains("WP034 6.5"), "{whatsapp}");
    assert_eq!(whatsapp["grants"][0]["allowed_for"], "role:dmi");
    let teams = cat.as_array().unwrap().iter().find(|a| a["package_id"] == "com.microsoft.teams").unwrap();
    assert!(teams["warning"].is_null());

    // The same file again changes nothing.
    let (_, r) = ds.post_raw("/imports/apps", "text/csv", INVENTORY).await;
    assert_eq!((r["findings_opened"].as_u64(), r["created"].as_u64()), (Some(0), Some(0)), "{r}");
    assert_eq!(r["unchanged"], 8, "{r}");

    // A later inventory of Laura's phone without TikTok closes that finding only.
    let later = "device,app_id,version,seen_at\nWP-MB-0006,com.microsoft.skype.teams,6.2,\nWP-MB-0006,net.whatsapp.WhatsApp,24.2,\n";
    let (_, r) = ds.post_raw("/imports/apps", "text/csv", later).await;
    assert_eq!(r["evaluation"]["closed"], 1, "{r}");
    let all = app_findings(&app, None).await;
    let tiktok = find(&all, "WP-MB-0006", "com.zhiliaoapp.musically").unwrap();
    assert_eq!(tiktok["status"], "closed");
    assert_eq!(tiktok["outcome"], "no_action");
    assert_eq!(find(&all, "WP-MB-0006", "net.whatsapp.WhatsApp").unwrap()["status"], "open");

    // A grant to Laura until tomorrow closes her WhatsApp finding at once...
    let wa_app = whatsapp["id"].as_str().unwrap();
    let until = (OffsetDateTime::now_utc() + Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (s, g) =
        ds.post(&format!("/apps/{wa_app}/grants"), json!({"allowed_for": "person:A1017", "expires_at": until})).await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["evaluation"]["closed"], 1, "{g}");
    let (_, f) = ds.get(&format!("/findings/{wa_id}")).await;
    assert_eq!(f["status"], "closed", "{f}");
    // ...and its expiry re-opens the same finding (same id, same dedupe key) while the app is there.
    let e = app.store().apps_sweep_expired(OffsetDateTime::now_utc() + Duration::hours(2)).await.unwrap();
    assert_eq!(e.reopened, 1, "{e:?}");
    let (_, f) = ds.get(&format!("/findings/{wa_id}")).await;
    assert_eq!(f["status"], "open", "{f}");
    assert!(f["outcome"].is_null());
    // A second sweep has nothing left to do.
    let e = app.store().apps_sweep_expired(OffsetDateTime::now_utc() + Duration::hours(3)).await.unwrap();
    assert_eq!(e.reopened + e.closed + e.opened, 0);

    // Revoking the DMI role grant opens a finding for the DMI's WhatsApp.
    let role_grant = whatsapp["grants"][0]["id"].as_str().unwrap();
    let (s, r) = ds.post(&format!("/apps/grants/{role_grant}/revoke"), json!({"reason": "review"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["opened"], 1, "{r}");
    assert_eq!(ds.post(&format!("/apps/grants/{role_grant}/revoke"), json!({"reason": "again"})).await.0, 404);

    // The MDM export per role: Android packages as an AMAPI fragment, every platform as CSV.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/apps/export?role=dmi&format=amapi", app.base))
        .bearer_auth(&ds.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let amapi: Value = res.json().await.unwrap();
    assert_eq!(amapi["applications"], json!([{"packageName": "com.microsoft.teams", "installType": "AVAILABLE"}]));
    let csv = crate::support::text_of(
        reqwest::Client::new()
            .get(format!("{}/api/v1/apps/export?role=digital_services&format=csv", app.base))
            .bearer_auth(&ds.token),
    )
    .await;
    assert!(csv.contains("Microsoft Teams,ios,com.microsoft.skype.teams,productivity,no"), "{csv}");
    assert!(!csv.contains("whatsapp"), "{csv}");
    assert_eq!(ds.get("/apps/export?role=wizard").await.0, 422);

    // Every import is audited with the file's SHA-256.
    let events = app.store().audit_page(Some("import:apps"), None, 1, 50).await.unwrap();
    let sha = custodian_server::imports::sha256_hex(INVENTORY.as_bytes());
    assert!(events.items.iter().any(|e| e.action == "import.apps" && e.detail["sha256"] == sha.as_str()));
    app.stop().await;
}
on_both!(inventories_open_close_and_reopen_findings_in_place);

async fn bad_files_are_refused_whole_or_skipped_by_line(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let bad = "name,platform,package_id,publisher,category,allowed_for\n\
        Teams,android,com.microsoft.teams,Microsoft,productivity,all\n\
        Nope,symbian,x,Y,other,all\n\
        Ghost,android,com.ghost,G,other,person:Z9999\n";
    let (s, p) = ds.post_raw("/apps/import-catalogue", "text/csv", bad).await;
    assert_eq!(s, 422, "{p}");
    let places: Vec<(u64, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(places, vec![(3, "platform".into()), (4, "allowed_for".into())], "{p}");
    assert_eq!(ds.get("/apps").await.1.as_array().unwrap().len(), 0, "nothing half-written");
    let (s, r) = ds.post_raw("/apps/import-catalogue?skip_invalid=true", "text/csv", bad).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1);
    assert_eq!(r["skipped"].as_array().unwrap().len(), 2);

    let (s, p) = ds.post_raw("/imports/apps", "text/csv", "device,app\nx,y\n").await;
    assert_eq!(s, 422, "{p}");
    let (s, p) =
        ds.post_raw("/imports/apps", "text/csv", "device,app_id,version,seen_at\nWP-MB-0006,bad id,1,\n").await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["line"], 2);

    // A Graph detectedApps export: the device by name, the app by its catalogue name.
    let graph = r#"{"@odata.context":"x","value":[{"id":"da-1","displayName":"Teams","version":"6","managedDevices":[
        {"id":"md-1","deviceName":"WP-MB-0007"},{"id":"md-2","deviceName":"NOT-A-DEVICE"}]},
        {"id":"da-2","displayName":"Snapchat","version":"12","managedDevices":[{"id":"md-1","deviceName":"WP-MB-0007"}]}]}"#;
    let (s, r) = ds.post_raw("/imports/apps", "application/json", graph).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 2, "{r}");
    assert_eq!(r["unmatched"][0]["line"], 1, "{r}");
    assert_eq!(r["evaluation"]["opened"], 1, "only Snapchat is unapproved: {r}");
    let jack = app.device("WP-MB-0007").await;
    let installs = app.store().apps_installed(jack.id).await.unwrap();
    assert!(installs.iter().any(|i| i.package_id == "com.microsoft.teams"), "{installs:?}");
    app.stop().await;
}
on_both!(bad_files_are_refused_whole_or_skipped_by_line);

async fn a_request_goes_to_the_original_head_then_digital_services_and_its_grant_closes_the_finding(b: Backend) {
    let app = spawn_seeded(b).await;
    load(&app).await;
    let laura = app.api(&app.token("A1017").await);
    let helen = app.api(&app.token("A1001").await); // Head of Department, Response Policing North
    let gareth = app.api(&app.token("A1004").await); // Head of Department, Professional Standards
    let ds = app.api(&app.token("A1006").await);
    let phone = app.device("WP-MB-0006").await;
    let (_, cat) = laura.get("/apps").await;
    let wa = cat.as_array().unwrap().iter().find(|a| a["package_id"] == "net.whatsapp.WhatsApp").unwrap()["id"].clone();

    // Only one's own devices; a business need is required.
    let other = app.device("WP-MB-0007").await;
    let (s, p) = laura.post("/apps/requests", json!({"app_id": wa, "devices": [other.id], "business_need": "x"})).await;
    assert_eq!(s, 422, "{p}");
    let (s, _) = laura.post("/apps/requests", json!({"app_id": wa, "devices": [phone.id], "business_need": " "})).await;
    assert_eq!(s, 422);

    let (s, r) = laura
        .post(
            "/apps/requests",
            json!({"app_id": wa, "devices": [phone.id], "business_need": "Witness liaison on Operation Heron"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["business_area"], "Response Policing North");
    assert_eq!(r["steps"][0]["decider"], "Helen Marsh");
    assert_eq!(r["steps"][1]["status"], "waiting");

    // Laura moves to Professional Standards mid-request: Helen still decides, Gareth cannot.
    app.sql("UPDATE people SET business_area_id = (SELECT id FROM business_areas WHERE name = 'Professional Standards') WHERE staff_number = 'A1017'").await;
    let (s, p) = gareth
        .post(&format!("/apps/requests/{id}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403, "{p}");
    // Nobody decides their own request; Digital Services wait for the Head of Department.
    let (s, _) = laura
        .post(&format!("/apps/requests/{id}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = ds
        .post(&format!("/apps/requests/{id}/decide"), json!({"step": "digital_services", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403);
    let (s, r) = helen
        .post(&format!("/apps/requests/{id}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "pending");
    let open_wa =
        find(&app_findings(&app, Some("open")).await, "WP-MB-0006", "net.whatsapp.WhatsApp").cloned().unwrap();

    let (s, r) = ds
        .post(
            &format!("/apps/requests/{id}/decide"),
            json!({"step": "digital_services", "verdict": "approve", "grant_to": "requester"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "approved");
    assert!(r["grant_id"].is_string(), "{r}");
    assert_eq!(r["app"]["grants"].as_array().unwrap().iter().filter(|g| g["allowed_for"] == "person:A1017").count(), 1);
    // The grant closed Laura's open 4.8 finding for the app, in the same transaction.
    let (_, f) = ds.get(&format!("/findings/{}", open_wa["id"].as_str().unwrap())).await;
    assert_eq!(f["status"], "closed", "{f}");
    // The requester sees the timeline and was told of each decision.
    let (_, mine) = laura.get(&format!("/apps/requests/{id}")).await;
    let events: Vec<&str> = mine["timeline"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["requested", "approved", "approved"], "{mine}");
    let (_, n) = laura.get("/notifications").await;
    assert!(n["unread"].as_i64().unwrap() >= 2, "{n}");

    // A new app with its store link; withdrawn by the requester only.
    let new = json!({"new_app": {"name": "Signal", "platform": "ios", "package_id": "org.whispersystems.signal",
        "publisher": "Signal", "category": "messaging"}, "devices": [phone.id], "business_need": "Test"});
    assert_eq!(laura.post("/apps/requests", new.clone()).await.0, 422, "a new app needs its store link");
    let mut with_link = new.clone();
    with_link["new_app"]["store_url"] = json!("https://apps.apple.com/app/signal/id874139669");
    let (s, r) = laura.post("/apps/requests", with_link).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["app"]["listed"], false);
    assert!(r["app"]["warning"].as_str().unwrap().contains("6.5"));
    let id2 = r["id"].as_str().unwrap().to_string();
    assert_eq!(helen.post(&format!("/apps/requests/{id2}/withdraw"), json!({})).await.0, 403);
    let (s, r) = laura.post(&format!("/apps/requests/{id2}/withdraw"), json!({})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "withdrawn");

    // Decided through the generic approvals route, Digital Services' approval grants to the
    // requester too (the "app" effect of the chain), and rejection needs reasons.
    let tiktok_req = json!({"new_app": {"name": "TikTok", "platform": "android", "package_id": "com.zhiliaoapp.musically",
        "publisher": "TikTok", "category": "social", "store_url": "https://play.google.com/store/apps/details?id=com.zhiliaoapp.musically"},
        "devices": [phone.id], "business_need": "Community engagement"});
    let (s, r) = laura.post("/apps/requests", tiktok_req).await;
    assert_eq!(s, 200, "{r}");
    let approval = r["approval_id"].as_str().unwrap().to_string();
    // Laura is in Professional Standards now: her new request goes to its Head of Department.
    assert_eq!(r["business_area"], "Professional Standards");
    let (s, _) = helen
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = gareth
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 200);
    let (s, d) = ds
        .post(&format!("/approvals/{approval}/decide"), json!({"step": "digital_services", "verdict": "approve"}))
        .await;
    assert_eq!(s, 200, "{d}");
    let (_, r) = laura.get(&format!("/apps/requests/{}", r["id"].as_str().unwrap())).await;
    assert!(r["grant_id"].is_string(), "{r}");
    assert_eq!(r["app"]["listed"], true);

    // Digital Services may grant to a role instead, until an expiry.
    let (_, cat) = laura.get("/apps").await;
    let waze = cat.as_array().unwrap().iter().find(|a| a["package_id"] == "com.waze").unwrap()["id"].clone();
    let (s, r) =
        laura.post("/apps/requests", json!({"app_id": waze, "devices": [phone.id], "business_need": "Driving"})).await;
    assert_eq!(s, 200, "{r}");
    let id4 = r["id"].as_str().unwrap().to_string();
    let (s, _) = gareth
        .post(&format!("/apps/requests/{id4}/decide"), json!({"step": "head_of_department", "verdict": "approve"}))
        .await;
    assert_eq!(s, 200);
    let (s, p) = ds
        .post(
            &format!("/apps/requests/{id4}/decide"),
            json!({"step": "digital_services", "verdict": "approve", "grant_to": "wizard"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (s, r) = ds
        .post(
            &format!("/apps/requests/{id4}/decide"),
            json!({"step": "digital_services", "verdict": "approve", "grant_to": "psd", "expires_at": "2099-12-31T23:59:59Z"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let g = r["app"]["grants"].as_array().unwrap().iter().find(|g| g["allowed_for"] == "role:psd").cloned().unwrap();
    assert!(g["expires_at"].as_str().unwrap().starts_with("2099-12-31"), "{g}");
    assert_eq!(g["request_id"], r["approval_id"], "{g}");
    app.stop().await;
}
on_both!(a_request_goes_to_the_original_head_then_digital_services_and_its_grant_closes_the_finding);

/// In a real browser, three people: the officer follows "Request this app" from her 4.8
/// finding; her Head of Department approves; Digital Services approve; the grant closes the
/// finding, and the officer's timeline shows each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_request_is_approved_twice_and_the_grant_closes_the_finding() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    load(&app).await;
    let finding =
        find(&app_findings(&app, Some("open")).await, "WP-MB-0006", "net.whatsapp.WhatsApp").cloned().unwrap();
    let finding_id = finding["id"].as_str().unwrap().to_string();
    let c = &browser.client;
    let sign_in = |email: &'static str| crate::support::browser_sign_in(c, &app.base, email);
    let sign_out = || crate::support::browser_sign_out(c);

    // The officer opens her finding: WP034 6.5's warning, and the link to request the app.
    sign_in("laura.fenwick@warwickshire.police.example").await;
    c.goto(&format!("{}/findings/{finding_id}", app.base)).await.unwrap();
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("WP034 6.5"), "{body}");
    c.find(Locator::Id("request-this-app")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("business_need")).await.unwrap();
    let chosen = c.find(Locator::Css("#app_id option:checked")).await.unwrap().text().await.unwrap();
    assert!(chosen.contains("WhatsApp"), "{chosen}");
    c.find(Locator::Id("business_need")).await.unwrap().send_keys("Witness liaison on Operation Heron").await.unwrap();
    c.find(Locator::Id("submit-request")).await.unwrap().click().await.unwrap();
    let status = c.wait().for_element(Locator::Id("request-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "pending");
    let url = c.current_url().await.unwrap().to_string();
    assert!(c.find(Locator::Id("decide-head_of_department")).await.is_err(), "nobody decides their own request");
    sign_out().await;

    // Her Head of Department approves and forwards to Digital Services.
    sign_in("helen.marsh@warwickshire.police.example").await;
    c.goto(&url).await.unwrap();
    c.wait().for_element(Locator::Id("verdict-approve-head_of_department")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("decide-head_of_department")).await.unwrap().click().await.unwrap();
    // The old page has the same step element, so wait for the new page's text rather than the
    // element (which may go stale as the page is replaced).
    let step = crate::browser::text_when(c, Locator::Id("step-head_of_department"), |t| t.contains("Decided by")).await;
    assert!(step.contains("approved") && step.contains("Decided by Helen Marsh"), "{step}");
    sign_out().await;

    // Digital Services approve: the app is granted to her and her finding closes.
    sign_in("tomasz.nowak@warwickshire.police.example").await;
    c.goto(&url).await.unwrap();
    c.wait().for_element(Locator::Id("verdict-approve-digital_services")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("decide-digital_services")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("granted")).await.unwrap();
    let status = c.find(Locator::Id("request-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "approved");
    c.goto(&format!("{}/findings/{finding_id}", app.base)).await.unwrap();
    let status = c.wait().for_element(Locator::Id("finding-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "closed");
    sign_out().await;

    // The officer's timeline shows every step.
    sign_in("laura.fenwick@warwickshire.police.example").await;
    c.goto(&url).await.unwrap();
    let timeline = c.wait().for_element(Locator::Id("timeline")).await.unwrap().text().await.unwrap();
    assert!(timeline.contains("Laura Fenwick requested the app"), "{timeline}");
    assert!(timeline.contains("Helen Marsh approved step head of department (WP034 4.8)"), "{timeline}");
    assert!(timeline.contains("Tomasz Nowak approved step digital services (WP034 4.8)"), "{timeline}");
    browser.close().await;
    app.stop().await;
}

async fn the_pages_show_the_clauses_and_the_direct_messaging_warning(b: Backend) {
    let app = spawn_seeded(b).await;
    load(&app).await;
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let page = ds.get_ok("/apps").await;
    assert!(page.contains("data-clause=\"4.8\"") && page.contains("data-clause=\"6.5\""), "the clauses' words");
    assert_eq!(page.matches("app-dm-warning").count(), 1, "once, beside WhatsApp");
    // Digital Services add a messaging app by hand: it carries the warning too.
    let (s, _) = ds
        .post(
            "/apps",
            &[
                ("name", "Signal"),
                ("platform", "android"),
                ("package_id", "org.thoughtcrime.securesms"),
                ("publisher", "Signal"),
                ("category", "messaging"),
                ("store_url", ""),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = ds.get("/apps").await;
    assert_eq!(page.matches("app-dm-warning").count(), 2);
    let (s, page) = ds.post("/apps", &[("name", "Bad"), ("platform", "symbian")]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("govuk-error-summary"));
    let page = ds.get_ok("/apps/unlisted").await;
    assert!(page.contains("com.zhiliaoapp.musically"));

    // The officer: her finding links to the request form, which needs a business need.
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let f = find(&app_findings(&app, Some("open")).await, "WP-MB-0006", "com.zhiliaoapp.musically").cloned().unwrap();
    let page = laura.get_ok(&format!("/findings/{}", f["id"].as_str().unwrap())).await;
    assert!(page.contains("id=\"request-this-app\""), "{page}");
    let phone = app.device("WP-MB-0006").await;
    let (s, page) =
        laura.get(&format!("/apps/requests/new?package=com.zhiliaoapp.musically&device={}", phone.id)).await;
    assert_eq!(s, 200);
    assert!(page.contains("value=\"com.zhiliaoapp.musically\"") && page.contains("checked"), "prefilled");
    let device = phone.id.to_string();
    let (s, page) = laura
        .post(
            "/apps/requests",
            &[
                ("app_id", "new"),
                ("name", "TikTok"),
                ("platform", "android"),
                ("package_id", "com.zhiliaoapp.musically"),
                ("publisher", "TikTok"),
                ("category", "social"),
                ("store_url", "https://play.google.com/store/apps/details?id=com.zhiliaoapp.musically"),
                ("devices", &device),
                ("business_need", ""),
            ],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("business need"), "{page}");
    let (s, _) = laura.get("/apps/unlisted").await;
    assert_eq!(s, 403);
    let page = laura.get_ok("/apps/requests").await;
    assert!(page.contains("You have not requested any apps."));
    app.stop().await;
}
on_both!(the_pages_show_the_clauses_and_the_direct_messaging_warning);
