//! Allocation history on onboarding and the re-attribution of stored usage (WP034 4.1, 4.2): a
//! register imported with `allocated_from` attributes last month's bill; a register imported
//! without it, then again with it (or corrected), closes the unattributed findings as
//! `reattributed` and opens the rule findings for the holder; a correction that shortens an
//! allocation makes its records unattributed again.

use custodian_domain::usage::UsagePack;
use custodian_server::error::AppError;
use custodian_store::Actor;
use custodian_store::usage::{ReattributeScope, Reattribution};
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

const DEVICES: &str = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n";
/// A phone the fixture register does not have, and its SIM.
const TAG: &str = "WP-MB-9001";
const SIM: &str = "+441214960590";

fn rfc(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn days_ago(n: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::days(n)
}

async fn import_register(app: &TestApp, from: &str) -> Result<custodian_server::imports::ImportOutcome, AppError> {
    import_register_as(app, &Actor::system(), from).await
}

/// The fixture phone, allocated to A1018 since `from` (empty: now), in a register `by` imports.
async fn import_register_as(
    app: &TestApp,
    by: &Actor,
    from: &str,
) -> Result<custodian_server::imports::ImportOutcome, AppError> {
    let csv = format!("{DEVICES}{TAG},phone,Samsung,Galaxy S23,,,0121 496 0590,Android 14,allocated,A1018,{from}\n");
    custodian_server::imports::import_devices(app.store(), by, OffsetDateTime::now_utc(), csv.as_bytes(), false).await
}

/// A premium-rate call and an ordinary call from the phone `n` days ago.
async fn import_bill(app: &TestApp, n: i64) -> custodian_store::usage::UsageImport {
    let t = rfc(days_ago(n));
    import_carrier(
        app,
        &format!(
            "prem1,{SIM},call,out,{t},60,09061234567,,GB,false,\nord1,{SIM},call,out,{t},60,0121 496 0000,,GB,false,\n"
        ),
    )
    .await
}

/// Carrier records (without the header line), imported by the system now.
pub(crate) async fn import_carrier(app: &TestApp, rows: &str) -> custodian_store::usage::UsageImport {
    crate::usage::import(app, rows.to_string()).await
}

/// The fixture phone returned and allocated again, now, to `to`.
async fn reissue(app: &TestApp, device: uuid::Uuid, to: uuid::Uuid) {
    let now = OffsetDateTime::now_utc();
    app.store()
        .transition(device, custodian_domain::devices::DeviceStatus::Returned, "returned", Actor::system().at(now))
        .await
        .unwrap();
    app.store().allocate(device, to, "reissued", Actor::system().at(now)).await.unwrap();
}

async fn usage_findings(app: &TestApp) -> Vec<custodian_store::Finding> {
    let all = app.store().findings(&Default::default(), 1, 200).await.unwrap().items;
    all.into_iter().filter(|f| f.rule.starts_with("usage.")).collect()
}

async fn reattribute_all(app: &TestApp) -> Reattribution {
    app.store()
        .reattribute_usage(
            &ReattributeScope::default(),
            UsagePack::shipped(),
            Actor::system().at(OffsetDateTime::now_utc()),
        )
        .await
        .unwrap()
}

async fn reattribute_events(app: &TestApp) -> usize {
    app.store().audit_events_by_action("usage.reattribute").await.unwrap()
}

async fn onboarding_with_allocated_from_attributes_last_months_bill(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.person("A1018").await;
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    let r = import_bill(&app, 20).await;
    assert_eq!(r.imported, 2);
    let fs = usage_findings(&app).await;
    assert!(fs.iter().all(|f| f.rule != "usage.unattributed"), "{fs:?}");
    let premium = fs.iter().find(|f| f.rule == "usage.premium_rate").expect("a premium-rate finding");
    assert_eq!((premium.person_id, premium.records.as_slice()), (Some(jack.id), &["prem1".to_string()][..]));
    // Nothing to do afterwards.
    assert_eq!(reattribute_all(&app).await.records_reattributed, 0);
}
on_both!(onboarding_with_allocated_from_attributes_last_months_bill);

async fn a_later_allocated_from_closes_unattributed_findings_and_opens_the_holders(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.person("A1018").await;
    // The register without a start: the allocation begins now, after the calls.
    import_register(&app, "").await.unwrap();
    import_bill(&app, 10).await;
    let fs = usage_findings(&app).await;
    let un: Vec<_> = fs.iter().filter(|f| f.rule == "usage.unattributed").collect();
    assert_eq!(un.len(), 1, "{fs:?}");
    assert_eq!(un[0].records.len(), 2);
    assert!(fs.iter().all(|f| f.rule != "usage.premium_rate"));

    // The same register with allocated_from a month back.
    let out = import_register(&app, &rfc(days_ago(30))).await.unwrap();
    let re = out.reattribution.expect("a re-attribution ran");
    assert_eq!((re.records_reattributed, re.findings_closed, re.findings_opened), (2, 1, 1), "{re:?}");
    let fs = usage_findings(&app).await;
    let un = fs.iter().find(|f| f.rule == "usage.unattributed").unwrap();
    assert_eq!(un.status, custodian_domain::findings::FindingStatus::Closed);
    assert_eq!(un.outcome, Some(custodian_domain::findings::Outcome::Reattributed));
    let premium = fs.iter().find(|f| f.rule == "usage.premium_rate").expect("premium-rate finding for the holder");
    assert_eq!((premium.person_id, premium.records.as_slice()), (Some(jack.id), &["prem1".to_string()][..]));
    let held: Vec<Option<uuid::Uuid>> = app.store().usage_record_holders(&["prem1", "ord1"]).await.unwrap();
    assert_eq!(held, vec![Some(jack.id), Some(jack.id)]);
    let events = reattribute_events(&app).await;
    assert_eq!(events, 1);

    // Idempotent: the same file again, and a run by hand, change nothing and write no event.
    let again = import_register(&app, &rfc(days_ago(30))).await.unwrap();
    assert_eq!(again.summary.updated, 0);
    assert_eq!(again.reattribution.map(|r| r.records_reattributed), Some(0));
    assert_eq!(reattribute_all(&app).await.records_reattributed, 0);
    assert_eq!(reattribute_events(&app).await, events);
    assert_eq!(usage_findings(&app).await.len(), fs.len());
}
on_both!(a_later_allocated_from_closes_unattributed_findings_and_opens_the_holders);

async fn a_correction_that_shortens_an_allocation_makes_its_records_unattributed(b: Backend) {
    let app = spawn_seeded(b).await;
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    import_bill(&app, 20).await;
    let device = app.device(TAG).await;
    let allocation = app.store().allocations(device.id).await.unwrap()[0].id;
    // Refused: a start in the future; an empty reason is the use case's to refuse.
    let future = app
        .store()
        .correct_allocation(
            allocation,
            Some(OffsetDateTime::now_utc() + Duration::days(1)),
            None,
            "typo",
            Actor::system().at(OffsetDateTime::now_utc()),
        )
        .await;
    assert!(matches!(
        future,
        Err(custodian_store::StoreError::InvalidField { field: Some(f), line: None, .. }) if f == "allocated_at"
    ));

    let (_, re) = custodian_server::devices::apply_allocation_correction(
        app.store(),
        allocation,
        Some(days_ago(10)),
        None,
        "The handover form shows the phone was issued ten days ago",
        &Actor::system(),
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert_eq!((re.records_reattributed, re.findings_closed, re.findings_opened), (2, 1, 1), "{re:?}");
    let fs = usage_findings(&app).await;
    let premium = fs.iter().find(|f| f.rule == "usage.premium_rate").unwrap();
    assert_eq!(premium.outcome, Some(custodian_domain::findings::Outcome::Reattributed));
    let un = fs.iter().find(|f| f.rule == "usage.unattributed").expect("records unattributed again");
    assert_eq!(un.status, custodian_domain::findings::FindingStatus::Open);
    let mut recs = un.records.clone();
    recs.sort();
    assert_eq!(recs, ["ord1", "prem1"]);
    assert_eq!(app.store().usage_record_holders(&["prem1"]).await.unwrap(), vec![None]);
    // And back: the records are attributed again and the unattributed finding closes.
    let (_, back) = custodian_server::devices::apply_allocation_correction(
        app.store(),
        allocation,
        Some(days_ago(30)),
        None,
        "Corrected again",
        &Actor::system(),
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert_eq!((back.records_reattributed, back.findings_closed), (2, 1), "{back:?}");
}
on_both!(a_correction_that_shortens_an_allocation_makes_its_records_unattributed);

async fn bad_allocated_from_rows_name_line_and_field(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = OffsetDateTime::now_utc();
    // WP-MB-9002 was held by A1018 from 40 to 20 days ago, then returned.
    let csv =
        format!("{DEVICES}WP-MB-9002,phone,Samsung,Galaxy S23,,,,Android 14,allocated,A1018,{}\n", rfc(days_ago(40)));
    custodian_server::imports::import_devices(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let d = app.device("WP-MB-9002").await;
    app.store()
        .transition(d.id, custodian_domain::devices::DeviceStatus::Returned, "returned", Actor::system().at(now))
        .await
        .unwrap();
    let a = app.store().allocations(d.id).await.unwrap()[0].id;
    custodian_server::devices::apply_allocation_correction(
        app.store(),
        a,
        None,
        Some(days_ago(20)),
        "returned then",
        &Actor::system(),
        now,
    )
    .await
    .unwrap();

    let csv = format!(
        "{DEVICES}\
         WP-MB-9002,phone,Samsung,Galaxy S23,,,,Android 14,allocated,A1016,{}\n\
         WP-MB-9003,phone,Samsung,Galaxy S23,,,,Android 14,allocated,A1016,{}\n\
         WP-MB-9004,phone,Samsung,Galaxy S23,,,,Android 14,allocated,A1016,last tuesday\n\
         WP-MB-9005,phone,Samsung,Galaxy S23,,,,Android 14,in_stock,,2026-01-01\n",
        rfc(days_ago(30)),
        rfc(now + Duration::days(2)),
    );
    let e = custodian_server::imports::import_devices(app.store(), &Actor::system(), now, csv.as_bytes(), false)
        .await
        .unwrap_err();
    let mut got: Vec<_> = crate::support::refused_rows(e).into_iter().map(|(line, field, _)| (line, field)).collect();
    got.sort();
    let want: Vec<(Option<u64>, Option<String>)> =
        (2..=5).map(|l| (Some(l), Some("allocated_from".to_string()))).collect();
    assert_eq!(got, want);
    // Nothing was imported.
    assert!(app.store().device_by_asset_tag("WP-MB-9003").await.unwrap().is_none());
}
on_both!(bad_allocated_from_rows_name_line_and_field);

async fn the_usage_import_counts_records_from_before_the_first_allocation(b: Backend) {
    let app = spawn_seeded(b).await;
    // Allocated now: the calls ten days ago predate every allocation of the phone.
    import_register(&app, "").await.unwrap();
    let r = import_bill(&app, 10).await;
    assert_eq!(r.before_first_allocation, 2, "{r:?}");
    // A number no device has is unattributed but not counted: the register has no device for it.
    let t = rfc(days_ago(10));
    let other = import_carrier(&app, &format!("x1,+447700900999,call,out,{t},60,0121 496 0000,,GB,false,\n")).await;
    assert_eq!((other.imported, other.before_first_allocation), (1, 0));
    // Once the register says since when, new records of that period are attributed and not counted.
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    let t = rfc(days_ago(9));
    let later = import_carrier(&app, &format!("n2,{SIM},call,out,{t},60,0121 496 0000,,GB,false,\n")).await;
    assert_eq!((later.imported, later.before_first_allocation), (1, 0));
}
on_both!(the_usage_import_counts_records_from_before_the_first_allocation);

async fn digital_services_correct_allocation_dates_through_the_api(b: Backend) {
    let app = spawn_seeded(b).await;
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    import_bill(&app, 22).await;
    let d = app.device(TAG).await;
    let kwame = app.person("A1016").await;
    reissue(&app, d.id, kwame.id).await;
    let allocs = app.store().allocations(d.id).await.unwrap();
    let (second, first) = (allocs[0].id, allocs[1].id);
    let ds = app.api(&app.token("A1002").await);
    let path = |a: uuid::Uuid| format!("/devices/{}/allocations/{a}/correct", d.id);

    // Only Digital Services.
    let (s, _) = app
        .api(&app.token("A1018").await)
        .post(&path(second), serde_json::json!({"allocated_at": rfc(days_ago(20)), "reason": "x"}))
        .await;
    assert_eq!(s, 403);
    // The second holder from 20 days ago overlaps the first's allocation: refused, naming the field.
    let (s, body) =
        ds.post(&path(second), serde_json::json!({"allocated_at": rfc(days_ago(20)), "reason": "handover form"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "allocated_at", "{body}");
    // A reason is required.
    let (s, body) = ds.post(&path(first), serde_json::json!({"ended_at": rfc(days_ago(25)), "reason": " "})).await;
    assert_eq!((s, body["errors"][0]["field"].as_str()), (422, Some("reason")), "{body}");
    // The first ended 25 days ago, then the second started 20 days ago.
    let (s, body) =
        ds.post(&path(first), serde_json::json!({"ended_at": rfc(days_ago(25)), "reason": "handover form"})).await;
    assert_eq!(s, 200, "{body}");
    // The calls 22 days ago lost their holder.
    assert_eq!(body["reattribution"]["records_reattributed"], 2, "{body}");
    let (s, body) =
        ds.post(&path(second), serde_json::json!({"allocated_at": "2026-01-01", "reason": "handover form"})).await;
    assert_eq!((s, body["errors"][0]["field"].as_str()), (422, Some("allocated_at")), "{body}");
    let (s, body) =
        ds.post(&path(second), serde_json::json!({"allocated_at": rfc(days_ago(23)), "reason": "handover form"})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["reattribution"]["records_reattributed"], 2, "{body}");
    assert_eq!(
        app.store().usage_record_holders(&["prem1", "ord1"]).await.unwrap(),
        vec![Some(kwame.id), Some(kwame.id)]
    );
    // Audited with the dates before and after.
    assert!(app.store().audit_events_by_action("device.allocation_correct").await.unwrap() >= 2);
}
on_both!(digital_services_correct_allocation_dates_through_the_api);

async fn the_device_page_lists_allocations_and_lets_digital_services_correct_them(b: Backend) {
    let app = spawn_seeded(b).await;
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    import_bill(&app, 20).await;
    let d = app.device(TAG).await;
    let a = app.store().allocations(d.id).await.unwrap()[0].id;
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let page = ds.get_ok(&format!("/devices/{}", d.id)).await;
    assert!(page.contains("id=\"allocations\"") && page.contains("Jack Thornton (A1018)"), "{page}");
    assert!(page.contains(&format!("/devices/{}/allocations/{a}/correct", d.id)));
    // A start in the future is shown beside the form, naming the field.
    let future = rfc(OffsetDateTime::now_utc() + Duration::days(3));
    let (s, page) = ds
        .post(
            &format!("/devices/{}/allocations/{a}/correct", d.id),
            &[("allocated_at", &future), ("ended_at", ""), ("reason", "typo")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("in the future"), "{page}");
    // A valid correction redirects back to the page, and the usage follows it.
    let start = rfc(days_ago(10));
    let (s, _) = ds
        .post(
            &format!("/devices/{}/allocations/{a}/correct", d.id),
            &[("allocated_at", &start), ("ended_at", ""), ("reason", "handover form")],
        )
        .await;
    assert!(s == 200 || s == 303, "{s}");
    assert_eq!(app.store().usage_record_holders(&["prem1"]).await.unwrap(), vec![None]);
    // The holder sees the history but no correction form.
    let holder = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (_, page) = holder.get(&format!("/devices/{}", d.id)).await;
    assert!(!page.contains("/correct\""), "{page}");
}
on_both!(the_device_page_lists_allocations_and_lets_digital_services_correct_them);

/// Separation of duties (WP034 4.1): dating one's own allocation would move one's own usage, and
/// its findings, to someone else or to nobody. Digital Services cannot correct their own
/// allocation, and a register import cannot date the importer's.
async fn nobody_dates_their_own_allocation(b: Backend) {
    let app = spawn_seeded(b).await;
    // A1018's phone, imported by A1018: refused on allocated_from.
    let holder = app.person("A1018").await;
    let me = Actor { person_id: Some(holder.id), label: "person:A1018".into() };
    let e = import_register_as(&app, &me, &rfc(days_ago(30))).await.unwrap_err();
    let text = format!("{e:?}");
    assert!(text.contains("allocated_from") && text.contains("your own"), "{text}");
    // Imported by someone else, it is accepted.
    import_register(&app, &rfc(days_ago(30))).await.unwrap();

    // A member of Digital Services holding the phone cannot correct that allocation.
    let d = app.device(TAG).await;
    let ds = app.person("A1002").await;
    reissue(&app, d.id, ds.id).await;
    let own = app.store().allocations(d.id).await.unwrap()[0].id;
    assert_eq!(app.store().allocations(d.id).await.unwrap()[0].person_id, ds.id);
    let api = app.api(&app.token("A1002").await);
    let (s, body) = api
        .post(
            &format!("/devices/{}/allocations/{own}/correct", d.id),
            serde_json::json!({"allocated_at": rfc(days_ago(1)), "reason": "my own correction"}),
        )
        .await;
    assert_eq!(s, 403, "{body}");
    // Another allocation on the same device (A1018's) is theirs to correct.
    let other = app.store().allocations(d.id).await.unwrap()[1].id;
    let (s, body) = api
        .post(
            &format!("/devices/{}/allocations/{other}/correct", d.id),
            serde_json::json!({"allocated_at": rfc(days_ago(29)), "reason": "handover form"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
}
on_both!(nobody_dates_their_own_allocation);

/// The device page's correction form in a real browser on a 390 x 844 phone screen: Digital
/// Services correct an allocation's start and see the success and the new dates; an invalid date
/// re-renders the form with the error summary and the error beside the field, keeping what was
/// typed; the page never scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_digital_services_correct_an_allocation_on_a_phone_screen() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    import_register(&app, &rfc(days_ago(30))).await.unwrap();
    let d = app.device(TAG).await;
    let (allocation, recorded) = {
        let a = &app.store().allocations(d.id).await.unwrap()[0];
        (a.id, a.allocated_at)
    };
    let c = &browser.client;
    crate::support::browser_sign_in(c, &app.base, "tomasz.nowak@warwickshire.police.example").await;
    c.set_window_size(390, 844).await.unwrap();
    let fits = || async {
        let w = c.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.unwrap();
        let (scroll, inner) = (w[0].as_u64().unwrap(), w[1].as_u64().unwrap());
        assert!(inner <= 390, "the window is phone-sized: {inner}");
        assert!(scroll <= inner, "no sideways scrolling at {inner} px: the page is {scroll} px wide");
    };
    let page = format!("{}/devices/{}", app.base, d.id);
    let form = format!("form[action='/devices/{}/allocations/{allocation}/correct']", d.id);
    let from_id = format!("allocated_at-{allocation}");
    let reason_id = format!("correct-reason-{allocation}");
    // The start typed in the GOV.UK date input: day, month, year and a time on London's clocks.
    let fill = |(day, month, year, clock): (String, String, String, &'static str), reason: &'static str| {
        let (form, from_id, reason_id) = (form.clone(), from_id.clone(), reason_id.clone());
        async move {
            // Open the details unless a refused correction left it open.
            if c.find(Locator::Css("#correct-allocations[open]")).await.is_err() {
                c.find(Locator::Css("#correct-allocations summary")).await.unwrap().click().await.unwrap();
            }
            for (part, v) in [("day", day), ("month", month), ("year", year), ("time", clock.to_string())] {
                let input = c.find(Locator::Id(&format!("{from_id}-{part}"))).await.unwrap();
                input.clear().await.unwrap();
                input.send_keys(&v).await.unwrap();
            }
            let r = c.find(Locator::Id(&reason_id)).await.unwrap();
            r.clear().await.unwrap();
            r.send_keys(reason).await.unwrap();
            c.find(Locator::Css(&format!("{form} button"))).await.unwrap().click().await.unwrap();
        }
    };

    c.goto(&page).await.unwrap();
    fits().await;
    // A date that is not real: the same page, with the summary and the inline error on "From".
    fill(("31".into(), "13".into(), "2026".into(), "9am"), "handover form found").await;
    let summary = c.wait().for_element(Locator::Id("form-errors")).await.unwrap().text().await.unwrap();
    assert!(summary.contains("The start must be a real date"), "{summary}");
    assert_eq!(c.current_url().await.unwrap().as_str(), page, "the same address");
    let link = c.find(Locator::Css("#form-errors a")).await.unwrap().attr("href").await.unwrap();
    assert_eq!(link.as_deref(), Some(format!("#{from_id}-day").as_str()));
    let inline = c.find(Locator::Css(&format!("#{from_id} .govuk-error-message"))).await.unwrap().text().await.unwrap();
    assert!(inline.contains("real date"), "the message is beside the date: {inline}");
    let kept = c.find(Locator::Id(&format!("{from_id}-month"))).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("13"));
    let reason = c.find(Locator::Id(&reason_id)).await.unwrap().prop("value").await.unwrap();
    assert_eq!(reason.as_deref(), Some("handover form found"));
    assert!(c.find(Locator::Css("#correct-allocations[open]")).await.is_ok(), "the form stays open");
    fits().await;
    assert_eq!(app.store().allocations(d.id).await.unwrap()[0].allocated_at, recorded, "nothing changed");

    // A valid start 40 days back at 9am London time: success, and the table shows it.
    let day = days_ago(40).date();
    let start = custodian_server::web::date_input::from_london(day.with_time(time::macros::time!(09:00))).unwrap();
    fill(
        (day.day().to_string(), u8::from(day.month()).to_string(), day.year().to_string(), "9:00am"),
        "handover form found",
    )
    .await;
    let banner = c.wait().for_element(Locator::Id("corrected")).await.unwrap().text().await.unwrap();
    assert!(banner.contains("Allocation dates corrected"), "{banner}");
    let shown = day.format(time::macros::format_description!("[day padding:none] [month repr:long] [year]")).unwrap();
    let table = c.find(Locator::Id("allocations")).await.unwrap().text().await.unwrap();
    assert!(table.contains(&shown), "the new start {shown} is listed: {table}");
    assert_eq!(app.store().allocations(d.id).await.unwrap()[0].allocated_at, start);
    fits().await;
    browser.close().await;
    app.stop().await;
}
