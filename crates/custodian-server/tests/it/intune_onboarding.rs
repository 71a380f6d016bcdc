//! Onboarding from an Intune export (WP034 1.2, 4.1): with `register_new`, devices the register
//! does not know are registered and allocated to their primary user from `enrolledDateTime`, so
//! a bill dated after enrolment is attributed; without it nothing is created. A primary user
//! nobody has, an enrolment in the future and the importer's own device are each reported with
//! the line and field; a known device never allocated is reported, not allocated.

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

const JACK: &str = "jack.thornton@warwickshire.police.example";
const KWAME: &str = "kwame.mensah@warwickshire.police.example";
/// Tomasz Nowak (A1006, Digital Services), who imports in these tests.
const TOMASZ: &str = "tomasz.nowak@warwickshire.police.example";
/// The SIM of the new phone.
const SIM: &str = "+441214960592";

/// `days` ago in Graph's form: seven fractional digits.
fn graph_time(days: i64) -> (String, OffsetDateTime) {
    let t = OffsetDateTime::now_utc() - Duration::days(days);
    let t = t.replace_nanosecond(123_456_700).unwrap();
    let s = t
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
        ))
        .unwrap();
    (s, t)
}

/// The export: a new phone for Jack enrolled 30 days ago, a new tablet for Kwame with no
/// enrolment time and a device name that is no asset tag, and WP-MB-0007 (known, Jack's).
fn export(enrolled: &str) -> String {
    json!({"value": [
        {"id": "6f1c2a9e-0b4d-4e21-9d1f-3a5b7c9d0e11", "deviceName": "WP-MB-9101", "serialNumber": "NEWSER9101",
         "imei": "490154203237518", "phoneNumber": SIM, "manufacturer": "samsung", "model": "SM-S911B",
         "operatingSystem": "Android", "osVersion": "14", "userPrincipalName": JACK, "enrolledDateTime": enrolled},
        {"id": "a0b1c2d3-0000-4000-8000-000000000002", "deviceName": "Kwame's iPad", "serialNumber": "NEWSER9102",
         "manufacturer": "Apple", "model": "iPad Air", "operatingSystem": "iPadOS", "osVersion": "17.5",
         "userPrincipalName": KWAME},
        {"id": "mdm-mb7", "deviceName": "WP-MB-0007", "serialNumber": "R5CTXKS0HZ7", "userPrincipalName": JACK}
    ]})
    .to_string()
}

async fn import_bill(app: &TestApp, days: i64) -> custodian_store::usage::UsageImport {
    let t = (OffsetDateTime::now_utc() - Duration::days(days)).replace_nanosecond(0).unwrap().format(&Rfc3339).unwrap();
    let rows = format!(
        "in1,{SIM},call,out,{t},60,09061234567,,GB,false,\nin2,{SIM},call,out,{t},60,0121 496 0000,,GB,false,\n"
    );
    crate::allocation_history::import_carrier(app, &rows).await
}

async fn audit_count(app: &TestApp, subject: &str, action: &str) -> usize {
    let page = app.store().audit_page(Some(subject), None, 1, 200).await.unwrap();
    page.items.iter().filter(|e| e.action == action).count()
}

fn messages(r: &Value, key: &str) -> Vec<(u64, String, String)> {
    r[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["line"].as_u64().unwrap_or(0),
                w["field"].as_str().unwrap_or_default().to_string(),
                w["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn onboarding_from_intune_allocates_from_enrolment_and_attributes_a_later_bill(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (enrolled, enrolled_at) = graph_time(30);
    let body = export(&enrolled);

    // Without register_new nothing is created: the new devices are listed as unmatched.
    let (s, r) = ds.post_raw("/imports/intune", "application/json", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["created"].as_u64(), r["unmatched"].as_array().map(Vec::len)), (Some(0), Some(2)), "{r}");
    assert!(app.store().device_by_asset_tag("WP-MB-9101").await.unwrap().is_none());

    let (s, r) = ds.post_raw("/imports/intune?register_new=true", "application/json", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["created"].as_u64(), r["unmatched"].as_array().map(Vec::len)), (Some(2), Some(0)), "{r}");
    assert!(r["reattribution"].is_object(), "the new allocations' usage is attributed again: {r}");

    // The phone: its name is free, so it is its asset tag; allocated to Jack from enrolment,
    // kept to the microsecond.
    let jack = app.person("A1018").await;
    let phone = app.device("WP-MB-9101").await;
    assert_eq!(
        (phone.device_type.as_str(), phone.make.as_str(), phone.model.as_str(), phone.os.as_deref()),
        ("phone", "samsung", "SM-S911B", Some("Android 14"))
    );
    assert_eq!((phone.holder_id, phone.phone_number.as_deref()), (Some(jack.id), Some(SIM)));
    assert_eq!(phone.mdm_id.as_deref(), Some("6f1c2a9e-0b4d-4e21-9d1f-3a5b7c9d0e11"));
    let allocations = app.store().allocations(phone.id).await.unwrap();
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].allocated_at, enrolled_at.replace_nanosecond(123_456_000).unwrap());
    assert_eq!(audit_count(&app, "device:WP-MB-9101", "device.create").await, 1);
    assert_eq!(audit_count(&app, "device:WP-MB-9101", "device.allocate").await, 1);

    // The tablet: "Kwame's iPad" is no asset tag, so INTUNE- and the id's first 8; allocated now.
    let tablet = app.device("INTUNE-A0B1C2D3").await;
    assert_eq!((tablet.device_type.as_str(), tablet.holder_id), ("tablet", Some(app.person("A1016").await.id)));
    let started = app.store().allocations(tablet.id).await.unwrap()[0].allocated_at;
    assert!(OffsetDateTime::now_utc() - started < Duration::minutes(5), "{started}");

    // Last month's bill, dated after enrolment: every record is Jack's.
    let bill = import_bill(&app, 20).await;
    assert_eq!(bill.imported, 2);
    assert_eq!(app.store().usage_record_holders(&["in1", "in2"]).await.unwrap(), vec![Some(jack.id), Some(jack.id)]);
    let findings = app.store().findings(&Default::default(), 1, 200).await.unwrap().items;
    assert!(findings.iter().all(|f| f.rule != "usage.unattributed"), "{findings:?}");
    let premium = findings.iter().find(|f| f.rule == "usage.premium_rate").expect("a premium-rate finding");
    assert_eq!(premium.person_id, Some(jack.id));

    // Idempotent: the same export again creates and allocates nothing more.
    let (s, r) = ds.post_raw("/imports/intune?register_new=true", "application/json", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["created"].as_u64(), r["unchanged"].as_u64()), (Some(0), Some(3)), "{r}");
    assert!(r.get("reattribution").is_none_or(Value::is_null), "{r}");
    assert_eq!(app.store().allocations(phone.id).await.unwrap().len(), 1);
    assert_eq!(audit_count(&app, "device:WP-MB-9101", "device.create").await, 1);
    app.stop().await;
}
on_both!(onboarding_from_intune_allocates_from_enrolment_and_attributes_a_later_bill);

async fn intune_registration_reports_unknown_users_future_enrolment_and_the_importers_own_device(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (past, _) = graph_time(10);
    let (future, _) = graph_time(-2);
    // Line 1: a primary user nobody has. Line 2: enrolled in two days. Line 3: the importer's
    // own. Line 4: WP-MB-0012, in stock and never allocated, used by Kwame.
    let body = json!({"value": [
        {"id": "n1", "deviceName": "WP-MB-9201", "serialNumber": "S9201", "operatingSystem": "iOS", "model": "iPhone 15",
         "userPrincipalName": "nobody@warwickshire.police.example", "enrolledDateTime": past},
        {"id": "n2", "deviceName": "WP-MB-9202", "serialNumber": "S9202", "userPrincipalName": JACK, "enrolledDateTime": future},
        {"id": "n3", "deviceName": "WP-MB-9203", "serialNumber": "S9203", "userPrincipalName": TOMASZ, "enrolledDateTime": past},
        {"id": "k4", "serialNumber": "FE1X20XRDCY3", "userPrincipalName": KWAME}
    ]})
    .to_string();

    // Rejected as a whole, naming line and field of each.
    let (s, r) = ds.post_raw("/imports/intune?register_new=true", "application/json", &body).await;
    assert_eq!(s, 422, "{r}");
    let errors: Vec<(u64, String)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        errors,
        vec![(2, "/value/1/enrolledDateTime".to_string()), (3, "/value/2/userPrincipalName".to_string())],
        "{r}"
    );
    assert!(app.store().device_by_asset_tag("WP-MB-9201").await.unwrap().is_none(), "nothing was imported");

    // Skipping them imports the rest.
    let (s, r) = ds.post_raw("/imports/intune?register_new=true&skip_invalid=true", "application/json", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1, "{r}");
    let skipped = messages(&r, "skipped");
    assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), vec![2, 3], "{r}");
    assert!(skipped[0].2.contains("future"), "{r}");
    assert!(skipped[1].2.contains("your own"), "{r}");
    for tag in ["WP-MB-9202", "WP-MB-9203"] {
        assert!(app.store().device_by_asset_tag(tag).await.unwrap().is_none(), "{tag}");
    }

    // The unknown user's device is registered unallocated, with a warning on its line and field.
    let unknown = app.device("WP-MB-9201").await;
    assert_eq!((unknown.status.as_str(), unknown.holder_id), ("in_stock", None));
    assert!(app.store().allocations(unknown.id).await.unwrap().is_empty());
    let warnings = messages(&r, "warnings");
    let w = warnings.iter().find(|w| w.0 == 1).expect("a warning on line 1");
    assert_eq!(w.1, "/value/0/userPrincipalName");
    assert!(w.2.contains("nobody@warwickshire.police.example"), "{w:?}");

    // The known device never allocated is reported on its line, and not allocated.
    let w = warnings.iter().find(|w| w.0 == 4).expect("a warning on line 4");
    assert_eq!(w.1, "/value/3/userPrincipalName");
    assert!(w.2.contains("never been allocated") && w.2.contains("A1016"), "{w:?}");
    let mb12 = app.device("WP-MB-0012").await;
    assert_eq!((mb12.status.as_str(), mb12.holder_id), ("in_stock", None));
    assert!(app.store().allocations(mb12.id).await.unwrap().is_empty());

    // Another member of Digital Services may register the third device for its owner.
    let other = app.api(&app.token("A1005").await);
    let (s, r) = other.post_raw("/imports/intune?register_new=true&skip_invalid=true", "application/json", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(app.device("WP-MB-9203").await.holder_id, Some(app.person("A1006").await.id));
    app.stop().await;
}
on_both!(intune_registration_reports_unknown_users_future_enrolment_and_the_importers_own_device);

/// The imports page offers the checkbox, and the upload honours it.
async fn the_imports_page_registers_new_intune_devices_when_asked(b: Backend) {
    let app = spawn_seeded(b).await;
    let session = app.sign_in(TOMASZ).await;
    let page = session.get_ok("/imports").await;
    assert!(page.contains("name=\"register_new\""), "{page}");
    let (enrolled, _) = graph_time(5);
    let body = export(&enrolled);
    let (ct, form) = crate::support::multipart(
        &[("csrf_token", &session.csrf), ("register_new", "1")],
        &[("file", "export.json", "application/json", body.as_bytes())],
    );
    let res = session
        .http
        .post(format!("{}/imports/intune", session.base))
        .header("content-type", ct)
        .body(form)
        .send()
        .await
        .unwrap();
    let (s, html) = (res.status().as_u16(), res.text().await.unwrap());
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("2 created"), "{html}");
    assert_eq!(app.device("WP-MB-9101").await.holder_id, Some(app.person("A1018").await.id));
    app.stop().await;
}
on_both!(the_imports_page_registers_new_intune_devices_when_asked);
