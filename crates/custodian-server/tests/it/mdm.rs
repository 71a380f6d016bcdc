//! WP034 4.7 device integrity from MDM exports (Intune, Android Management API): findings open
//! once, are seen by Digital Services and the holder's line manager, and close by themselves
//! when a later export shows the device healthy; the device shows its latest MDM state.

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

/// WP-MB-0007 (Galaxy S23, held by A1018, whose line manager is A1016).
const SERIAL: &str = "R5CTXKS0HZ7";
const IMEI: &str = "357481163912919";

fn ago(days: i64) -> String {
    (OffsetDateTime::now_utc() - Duration::days(days)).format(&Rfc3339).unwrap()
}

async fn findings(app: &TestApp, sn: &str, rule: &str) -> Vec<Value> {
    let (s, f) = app.api(&app.token(sn).await).get(&format!("/findings?rule={rule}&per_page=100")).await;
    assert_eq!(s, 200, "{f}");
    f["items"].as_array().unwrap().iter().filter(|i| i["device"] == "WP-MB-0007").cloned().collect()
}

async fn audit_actions(app: &TestApp, subject: &str, action: &str) -> Vec<custodian_store::AuditEvent> {
    let page = app.store().audit_page(Some(subject), None, 1, 200).await.unwrap();
    page.items.into_iter().filter(|e| e.action == action).collect()
}

const RULES: [&str; 3] = ["devices.integrity", "devices.noncompliant", "devices.stale"];

async fn an_unhealthy_intune_export_opens_three_findings_once_and_a_healthy_one_closes_them(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let synced = ago(45);
    let bad = json!({"value": [{"id": "mdm-mb7", "deviceName": "WP-MB-0007", "serialNumber": SERIAL,
        "userPrincipalName": "jack.thornton@warwickshire.police.example", "lastSyncDateTime": synced,
        "complianceState": "noncompliant", "jailBroken": "True", "isEncrypted": false, "managementState": "managed"}]})
    .to_string();
    let (s, r) = ds.post_raw("/imports/intune", "application/json", &bad).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["findings_opened"], 3, "{r}");
    for rule in RULES {
        let f = findings(&app, "A1006", rule).await;
        assert_eq!(f.len(), 1, "{rule}: {f:?}");
        assert_eq!((f[0]["clause"].as_str(), f[0]["status"].as_str()), (Some("4.7"), Some("open")));
        assert_eq!(f[0]["person"], "A1018");
        assert_eq!(f[0]["evidence"]["asset_tag"], "WP-MB-0007");
        assert_eq!(f[0]["evidence"]["export"]["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(f[0]["evidence"]["mdm"]["mdm_ref"], "mdm-mb7");
        // Routed to the holder's line manager too.
        assert_eq!(findings(&app, "A1016", rule).await.len(), 1, "{rule}: the line manager sees it");
    }
    let integrity = &findings(&app, "A1006", "devices.integrity").await[0];
    assert_eq!(integrity["severity"], "high");
    assert!(integrity["clause_text"].as_str().unwrap().contains("operating system"));
    assert_eq!(integrity["evidence"]["mdm"]["jailbroken"], true);
    assert_eq!(findings(&app, "A1006", "devices.noncompliant").await[0]["evidence"]["mdm"]["encrypted"], false);
    // Someone else's line manager does not see it.
    assert!(findings(&app, "A1009", "devices.integrity").await.is_empty());

    // The same export again: nothing new, no second state event.
    let (_, r) = ds.post_raw("/imports/intune", "application/json", &bad).await;
    assert_eq!((r["findings_opened"].as_u64(), r["findings_closed"].as_u64()), (Some(0), Some(0)), "{r}");
    assert_eq!(audit_actions(&app, "device:WP-MB-0007", "device.mdm_state").await.len(), 1);
    for rule in RULES {
        assert_eq!(findings(&app, "A1006", rule).await.len(), 1, "{rule}");
    }

    // The device and its page show the state.
    let d = app.device("WP-MB-0007").await;
    let (s, dev) = ds.get(&format!("/devices/{}", d.id)).await;
    assert_eq!(s, 200, "{dev}");
    assert_eq!(dev["mdm_state"]["source"], "intune");
    assert_eq!(dev["mdm_state"]["compliance"], "noncompliant");
    assert_eq!(dev["mdm_state"]["jailbroken"], true);
    assert_eq!(dev["mdm_state"]["encrypted"], false);
    assert_eq!(dev["mdm_state"]["management_state"], "managed");
    let session = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let html = session.get_ok(&format!("/devices/{}", d.id)).await;
    assert!(html.contains("Device management") && html.contains("noncompliant"), "{html}");
    assert!(html.contains("Jailbroken or rooted"), "{html}");

    // A later export shows the device healthy: every finding closes by itself, audited.
    let good = json!({"value": [{"id": "mdm-mb7", "deviceName": "WP-MB-0007", "serialNumber": SERIAL,
        "userPrincipalName": "jack.thornton@warwickshire.police.example", "lastSyncDateTime": ago(1),
        "complianceState": "compliant", "jailBroken": "False", "isEncrypted": true, "managementState": "managed"}]})
    .to_string();
    let (s, r) = ds.post_raw("/imports/intune", "application/json", &good).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["findings_opened"].as_u64(), r["findings_closed"].as_u64()), (Some(0), Some(3)), "{r}");
    for rule in RULES {
        let f = &findings(&app, "A1006", rule).await[0];
        assert_eq!((f["status"].as_str(), f["outcome"].as_str()), (Some("closed"), Some("resolved")), "{rule}");
        assert!(f["reasons"].as_str().unwrap().contains("later Microsoft Intune export"), "{f}");
        let id = f["id"].as_str().unwrap();
        assert_eq!(audit_actions(&app, &format!("finding:{id}"), "finding.resolve").await.len(), 1, "{rule}");
    }
    let (_, dev) = ds.get(&format!("/devices/{}", d.id)).await;
    assert_eq!(dev["mdm_state"]["compliance"], "compliant");
    // Healthy again and again: nothing more.
    let (_, r) = ds.post_raw("/imports/intune", "application/json", &good).await;
    assert_eq!((r["findings_opened"].as_u64(), r["findings_closed"].as_u64()), (Some(0), Some(0)), "{r}");
    // An export older than the state stored, imported late, changes nothing.
    let older = bad.replace(&synced, &ago(46));
    assert_ne!(older, bad);
    let (_, r) = ds.post_raw("/imports/intune", "application/json", &older).await;
    assert_eq!(r["findings_opened"], 0, "{r}");
    let (_, dev) = ds.get(&format!("/devices/{}", d.id)).await;
    assert_eq!(dev["mdm_state"]["compliance"], "compliant");
    // A reviewer cannot pick the system's outcome.
    let (_, r) = ds.post_raw("/imports/intune", "application/json", &bad.replace(&synced, &ago(0))).await;
    assert_eq!(r["findings_opened"], 2, "integrity and compliance open again: {r}");
    let id = findings(&app, "A1006", "devices.integrity").await[0]["id"].as_str().unwrap().to_string();
    let manager = app.api(&app.token("A1016").await);
    let (s, p) = manager
        .post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "resolved", "reasons": "x"}))
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("outcome")), "{p}");
    app.stop().await;
}
on_both!(an_unhealthy_intune_export_opens_three_findings_once_and_a_healthy_one_closes_them);

async fn an_android_management_api_export_opens_and_closes_the_same_findings(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let reported = ago(40);
    let bad = json!({"devices": [
        {"name": "enterprises/LC0abc/devices/37a1", "state": "ACTIVE", "hardwareInfo": {"serialNumber": SERIAL},
         "securityPosture": {"devicePosture": "POTENTIALLY_COMPROMISED"},
         "nonComplianceDetails": [{"settingName": "passwordPolicies", "nonComplianceReason": "USER_ACTION"}],
         "lastStatusReportTime": reported},
        {"name": "enterprises/LC0abc/devices/unknown", "hardwareInfo": {"serialNumber": "NOT-OURS"}}]})
    .to_string();
    let (s, r) = ds.post_raw("/imports/amapi", "application/json", &bad).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["findings_opened"], 3, "{r}");
    assert_eq!(r["unmatched"][0]["line"], 2, "{r}");
    let nc = &findings(&app, "A1006", "devices.noncompliant").await[0];
    assert!(nc["summary"].as_str().unwrap().contains("passwordPolicies"), "{nc}");
    assert_eq!(nc["records"][0], "amapi:enterprises/LC0abc/devices/37a1");
    let (_, r) = ds.post_raw("/imports/amapi", "application/json", &bad).await;
    assert_eq!(r["findings_opened"], 0, "{r}");
    let imports = audit_actions(&app, "import:amapi", "import.amapi").await;
    let opened: Vec<u64> = imports.iter().map(|e| e.detail["findings_opened"].as_u64().unwrap()).collect();
    assert_eq!((opened.len(), opened.iter().sum::<u64>()), (2, 3), "one audit event per import");

    let d = app.device("WP-MB-0007").await;
    let (_, dev) = ds.get(&format!("/devices/{}", d.id)).await;
    assert_eq!(
        (dev["mdm_state"]["source"].as_str(), dev["mdm_state"]["posture"].as_str()),
        (Some("amapi"), Some("POTENTIALLY_COMPROMISED"))
    );

    // Matched this time by the resource name recorded before (and the IMEI); healthy.
    let good = json!([{"name": "enterprises/LC0abc/devices/37a1", "state": "ACTIVE", "networkInfo": {"imei": IMEI},
        "securityPosture": {"devicePosture": "SECURE"}, "policyCompliant": true, "nonComplianceDetails": [],
        "lastStatusReportTime": ago(0)}])
    .to_string();
    let (s, r) = ds.post_raw("/imports/amapi", "application/json", &good).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["findings_closed"], 3, "{r}");
    for rule in RULES {
        assert_eq!(findings(&app, "A1006", rule).await[0]["outcome"], "resolved", "{rule}");
    }
    // A device that goes bad again opens a new finding.
    let (_, r) = ds.post_raw("/imports/amapi", "application/json", &bad.replace(&reported, &ago(0))).await;
    assert_eq!(r["findings_opened"], 2, "integrity and compliance again, not stale: {r}");
    app.stop().await;
}
on_both!(an_android_management_api_export_opens_and_closes_the_same_findings);

async fn a_partial_graph_page_is_refused_unless_allowed_and_warnings_are_reported(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let page = json!({"value": [{"id": "mdm-mb7", "serialNumber": SERIAL, "phoneNumber": "not a number",
        "lastSyncDateTime": ago(1)}],
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices?$skiptoken=x"})
    .to_string();
    let (s, p) = ds.post_raw("/imports/intune", "application/json", &page).await;
    assert_eq!(s, 422, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("other pages are missing"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("--allow-partial"), "{p}");
    assert_eq!(p["errors"][0]["field"], "/@odata.nextLink");
    assert!(app.store().device_mdm(app.device("WP-MB-0007").await.id).await.unwrap().is_none(), "nothing imported");

    let (s, r) = ds.post_raw("/imports/intune?allow_partial=true", "application/json", &page).await;
    assert_eq!(s, 200, "{r}");
    let fields: Vec<&str> = r["warnings"].as_array().unwrap().iter().map(|w| w["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["/@odata.nextLink", "/value/0/phoneNumber"], "{r}");
    let event = audit_actions(&app, "import:intune", "import.intune").await.pop().unwrap();
    assert_eq!(event.detail["warnings"].as_array().unwrap().len(), 2, "{}", event.detail);

    // Bytes that are not UTF-8: the line and member, not a byte index.
    let mut bytes = b"{\"value\": [\n {\"id\": \"x\",\n  \"deviceName\": \"Caf".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b"\"}]}");
    let resp = ds
        .http
        .post(format!("{}/imports/intune", ds.base))
        .bearer_auth(&ds.token)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(
        (p["errors"][0]["line"].as_u64(), p["errors"][0]["field"].as_str()),
        (Some(3), Some("deviceName")),
        "{p}"
    );
    assert!(!p.to_string().contains("index"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("--skip-invalid"), "{p}");
    app.stop().await;
}
on_both!(a_partial_graph_page_is_refused_unless_allowed_and_warnings_are_reported);

/// The imports page takes Android Management API exports and Intune pages: a partial page is
/// refused with the way to fetch the rest unless the box is ticked, and warnings are listed.
async fn the_imports_page_takes_mdm_exports_and_refuses_a_partial_page_unless_ticked(b: Backend) {
    let app = spawn_seeded(b).await;
    let session = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let page = session.get_ok("/imports").await;
    assert!(page.contains("action=\"/imports/amapi\"") && page.contains("name=\"allow_partial\""), "{page}");
    let upload = |kind: &'static str, file: String, ticked: &'static [&'static str]| {
        let mut fields = vec![("csrf_token", session.csrf.as_str())];
        fields.extend(ticked.iter().map(|t| (*t, "1")));
        let (ct, body) =
            crate::support::multipart(&fields, &[("file", "export.json", "application/json", file.as_bytes())]);
        let req = session.http.post(format!("{}/imports/{kind}", session.base)).header("content-type", ct).body(body);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let partial = json!({"value": [{"id": "mdm-mb7", "serialNumber": SERIAL, "lastSyncDateTime": ago(1)}],
        "@odata.nextLink": "https://graph.microsoft.com/next"})
    .to_string();
    let (s, html) = upload("intune", partial.clone(), &[]).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("other pages are missing"), "{html}");
    let (s, html) = upload("intune", partial, &["allow_partial"]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("warning: this is one page of a longer export"), "{html}");
    let amapi = json!([{"name": "enterprises/e/devices/1", "hardwareInfo": {"serialNumber": SERIAL},
        "securityPosture": {"devicePosture": "AT_RISK"}, "lastStatusReportTime": ago(1)}])
    .to_string();
    let (s, html) = upload("amapi", amapi, &[]).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("1 findings opened"), "{html}");
    app.stop().await;
}
on_both!(the_imports_page_takes_mdm_exports_and_refuses_a_partial_page_unless_ticked);

/// The device page's MDM state fits a 390 px wide phone screen without sideways scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_the_mdm_state_fits_a_phone_screen() {
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let ds = app.api(&app.token("A1006").await);
    let list = json!({"devices": [{"name": "enterprises/LC0abcdefghijklmnop/devices/37a1b2c3d4e5f60718293a4b5c6d7e8f",
        "hardwareInfo": {"serialNumber": SERIAL}, "securityPosture": {"devicePosture": "POTENTIALLY_COMPROMISED"},
        "nonComplianceDetails": [{"settingName": "passwordPolicies", "nonComplianceReason": "USER_ACTION"},
                                 {"settingName": "encryptionPolicy", "nonComplianceReason": "MANAGEMENT_MODE"}],
        "lastStatusReportTime": ago(3), "state": "ACTIVE"}]})
    .to_string();
    let (s, r) = ds.post_raw("/imports/amapi", "application/json", &list).await;
    assert_eq!(s, 200, "{r}");
    let c = &browser.client;
    crate::support::browser_sign_in(c, &app.base, "tomasz.nowak@warwickshire.police.example").await;
    c.set_window_size(390, 900).await.unwrap();
    let d = app.device("WP-MB-0007").await;
    c.goto(&format!("{}/devices/{}", app.base, d.id)).await.unwrap();
    let text = c.find(fantoccini::Locator::Id("mdm-state-list")).await.unwrap().text().await.unwrap();
    assert!(text.contains("POTENTIALLY_COMPROMISED") && text.contains("passwordPolicies"), "{text}");
    let widths = c
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]", vec![])
        .await
        .unwrap();
    let (scroll, client) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(client <= 390, "the window is phone-sized: {client}");
    assert!(scroll <= client, "no sideways scrolling at {client} px: the page is {scroll} px wide");
    browser.close().await;
    app.stop().await;
}
