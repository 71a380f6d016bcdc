//! Usage compliance end to end (WP034 4.1, 4.2, 4.10, 4.12): carrier records attributed to the
//! holder at that instant, findings grouped per person, rule and day, idempotent imports on both
//! databases, and the line manager's review with the evidence and the 90-day frequency.

use std::sync::Arc;

use custodian_domain::usage::{Feed, OverseasWindow, UsagePack};
use custodian_store::Actor;
use serde_json::json;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn, spawn_seeded};

const HEADER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

/// Import carrier rows (without the header) through the store, as `custodian usage import` does.
async fn import_into(
    store: &custodian_store::Store,
    body: String,
) -> custodian_store::Result<custodian_store::usage::UsageImport> {
    store
        .import_usage(
            Feed::Carrier,
            Box::new(std::io::Cursor::new(format!("{HEADER}{body}").into_bytes())),
            None,
            Arc::new(UsagePack::shipped().clone()),
            Actor::system().at(time::OffsetDateTime::now_utc()),
            Arc::new(|_| {}),
        )
        .await
}

pub(crate) async fn import(app: &TestApp, body: String) -> custodian_store::usage::UsageImport {
    import_into(app.store(), body).await.unwrap()
}

/// RFC 3339, `days` days and five minutes from now.
pub(crate) fn at(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days) + time::Duration::minutes(5))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn soon() -> String {
    at(0)
}

async fn carrier_records_become_one_finding_per_person_rule_and_day_and_reimports_add_nothing(b: Backend) {
    let app = spawn_seeded(b).await;
    let t = soon();
    // WP-MB-0007 (+44 121 496 0506) is held by A1018, whose line manager is A1016. A1016 declared
    // 0121 496 0116 as a personal number.
    let r = import(
        &app,
        format!(
            "p1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n\
             p2,+441214960506,sms,out,{t},,+44 871 234 5678,,GB,false,\n\
             e1,+441214960506,call,out,{t},60,999,,FR,false,\n\
             x1,+447700900999,call,out,{t},60,0121 496 0000,,GB,false,\n\
             bad,+441214960506,call,sideways,{t},60,0121 496 0000,,GB,false,\n\
             d1,+441214960504,divert,,{t},,,,GB,false,0121 496 0116\n\
             d2,+441214960504,divert,,{t},,,,GB,false,0121 496 0501\n"
        ),
    )
    .await;
    assert_eq!((r.rows, r.imported, r.duplicates), (7, 6, 0));
    assert_eq!(r.rejected.len(), 1);
    assert_eq!((r.rejected[0].line, r.rejected[0].record_id.as_deref()), (6, Some("bad")));
    assert_eq!(r.findings_opened, 3, "premium (p1+p2), unattributed (x1), diversion (d1): {r:?}");

    let jack = app.person("A1018").await;
    let kwame = app.person("A1016").await;
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let premium = all.iter().find(|f| f.rule == "usage.premium_rate").unwrap();
    assert_eq!(premium.person_id, Some(jack.id));
    assert_eq!(premium.clause, "4.2");
    let mut recs = premium.records.clone();
    recs.sort();
    assert_eq!(recs, ["p1", "p2"]);
    let divert = all.iter().find(|f| f.rule == "usage.call_diversion").unwrap();
    assert_eq!((divert.person_id, divert.records.as_slice()), (Some(kwame.id), &["d1".to_string()][..]));
    let unattributed = all.iter().find(|f| f.rule == "usage.unattributed").unwrap();
    assert_eq!(unattributed.person_id, None);
    assert!(!all.iter().any(|f| f.records.contains(&"e1".to_string())), "999 never raises anything, even abroad");

    // The same file again adds nothing; an overlapping file adds its new record to the open finding.
    let again = import(&app, format!("p1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n")).await;
    assert_eq!((again.imported, again.duplicates, again.findings_opened, again.findings_updated), (0, 1, 0, 0));
    let more = import(
        &app,
        format!("p2,+441214960506,sms,out,{t},,+44 871 234 5678,,GB,false,\np3,+441214960506,call,out,{t},5,118118,,GB,false,\n"),
    )
    .await;
    assert_eq!((more.imported, more.duplicates, more.findings_opened, more.findings_updated), (1, 1, 0, 1));
    let premium = app.store().finding(premium.id).await.unwrap().unwrap();
    assert_eq!(premium.records.len(), 3);

    // Every run is an audit event with the file's SHA-256 and counts.
    let page = app.store().audit_page(Some(&format!("usage_import:{}", r.run_id)), None, 1, 50).await.unwrap();
    let run = page.items.iter().find(|e| e.action == "usage.import").unwrap();
    assert_eq!(run.detail["file_sha256"].as_str(), Some(r.file_sha256.as_str()), "{}", run.detail);
    assert!(page.items.iter().any(|e| e.action == "usage.import.batch"));
    app.stop().await;
}
on_both!(carrier_records_become_one_finding_per_person_rule_and_day_and_reimports_add_nothing);

async fn an_approved_overseas_window_silences_roaming_and_is_exported(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.person("A1018").await;
    let phone = app.device("WP-MB-0007").await;
    let today = time::OffsetDateTime::now_utc().date();
    let w = OverseasWindow {
        id: uuid::Uuid::now_v7(),
        person: jack.id,
        devices: vec![phone.id],
        countries: vec!["FR".into()],
        from: today.previous_day().unwrap(),
        to: today.next_day().unwrap().next_day().unwrap(),
    };
    app.store()
        .record_overseas_window(
            &w,
            "Joint operation in Calais",
            "OSA-42",
            Actor::system().at(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    let t = soon();
    let r = import(
        &app,
        format!("r1,+441214960506,data,,{t},,,1000,FR,false,\nr2,+441214960506,data,,{t},,,1000,ES,false,\n"),
    )
    .await;
    assert_eq!(r.findings_opened, 1);
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let roaming: Vec<_> = all.iter().filter(|f| f.rule == "usage.roaming").collect();
    assert_eq!(roaming.len(), 1);
    assert_eq!(roaming[0].records, ["r2"], "France is approved, Spain is not");
    let windows = app.store().overseas_windows(Some("approved")).await.unwrap();
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0].staff_number, "A1018");
    app.stop().await;
}
on_both!(an_approved_overseas_window_silences_roaming_and_is_exported);

async fn the_line_manager_reviews_a_usage_finding_with_evidence_frequency_and_the_considerations(b: Backend) {
    let app = spawn_seeded(b).await;
    let t = soon();
    import(&app, format!("m1,+441214960506,mms,out,{t},,07700900123,,GB,false,\n")).await;
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let id = all.iter().find(|f| f.rule == "usage.mms").unwrap().id;
    let manager = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let html = manager.get_ok(&format!("/findings/{id}")).await;
    assert!(html.contains("multimedia text messages"), "the words of 4.2 beside the finding");
    assert!(html.contains("m1"), "the record id as evidence");
    assert!(html.contains("Frequency over the last 90 days"), "{html}");
    assert!(html.contains("1 finding of this rule, 1 record"));
    assert!(html.contains("how usage may appear to the public"), "the 4.10 considerations");
    // The person sees their own finding but cannot judge it; the manager closes it with reasons.
    let jack = app.api(&app.token("A1018").await);
    let _ = jack.get_ok(&format!("/findings/{id}")).await;
    let (s, _) = jack
        .post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "no_action", "reasons": "mine"}))
        .await;
    assert_eq!(s, 403);
    let api = app.api(&app.token("A1016").await);
    let (s, f) = api
        .post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "advice_given", "reasons": "Sent a photo of a crime scene by MMS; advised to use the evidence app."}))
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "closed");
    app.stop().await;
}
on_both!(the_line_manager_reviews_a_usage_finding_with_evidence_frequency_and_the_considerations);

async fn a_day_over_the_data_limit_across_imports_is_one_finding_with_every_record(b: Backend) {
    // WP034 4.5: more than 1 GiB of non-tethered carrier data on one device in one day. The day's
    // total is kept as records arrive, so a day that goes over in a later file is judged on
    // everything stored for it, and records already stored are never counted twice.
    let app = spawn_seeded(b).await;
    let t = soon();
    let next = at(1);
    let mib = 1u64 << 20;
    let first = import(
        &app,
        format!(
            "c1,+441214960506,data,,{t},,,{},GB,false,\n\
             c2,+441214960506,data,,{t},,,{},GB,false,\n\
             ct,+441214960506,data,,{t},,,{},GB,true,\n\
             cn,+441214960506,data,,{next},,,{},GB,false,\n",
            600 * mib,
            300 * mib,
            900 * mib,
            900 * mib
        ),
    )
    .await;
    assert_eq!((first.imported, first.findings_opened), (4, 0), "900 MiB, tethered data aside, is within the limit");

    // An overlapping file: c2 again (stored already, not counted twice) and 200 MiB more.
    let body = format!(
        "c2,+441214960506,data,,{t},,,{},GB,false,\nc3,+441214960506,data,,{t},,,{},GB,false,\n",
        300 * mib,
        200 * mib
    );
    let second = import(&app, body.clone()).await;
    assert_eq!((second.imported, second.duplicates, second.findings_opened), (1, 1, 1), "{second:?}");
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let over: Vec<_> = all.iter().filter(|f| f.rule == "usage.cellular_data").collect();
    assert_eq!(over.len(), 1);
    let mut recs = over[0].records.clone();
    recs.sort();
    assert_eq!(recs, ["c1", "c2", "c3"], "every record of that day, not the tethered one or the next day's");
    let f = app.store().finding(over[0].id).await.unwrap().unwrap();
    assert_eq!(f.evidence["total_bytes"].as_u64(), Some(1100 * mib), "{}", f.evidence);
    assert_eq!(f.person_id, Some(app.person("A1018").await.id));
    // The line manager's page reads the evidence: sizes people can read, the records as a table.
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let (s, html) = kwame.get(&format!("/findings/{}", over[0].id)).await;
    assert_eq!(s, 200);
    assert!(html.contains("1.07 GiB (1,153,433,600 bytes)"), "the day's total: {html}");
    assert!(
        html.contains("id=\"evidence-1\"") && html.contains(">Record id<") && html.contains("300.00 MiB"),
        "{html}"
    );

    // The same file again changes nothing: no new record, no new total, no new finding.
    let third = import(&app, body).await;
    assert_eq!((third.imported, third.duplicates, third.findings_opened, third.findings_updated), (0, 2, 0, 0));
    let f = app.store().finding(over[0].id).await.unwrap().unwrap();
    assert_eq!(f.evidence["total_bytes"].as_u64(), Some(1100 * mib));
    app.stop().await;
}
on_both!(a_day_over_the_data_limit_across_imports_is_one_finding_with_every_record);

async fn imports_at_the_same_time_count_every_record_once(b: Backend) {
    // WP034 4.5 day totals when two billing files for the same device and day arrive at once:
    // neither file alone is over the limit, both together are, and whatever the interleaving the
    // total is exactly the sum of the stored records, raised once.
    let app = spawn_seeded(b).await;
    let t = soon();
    let mib = 1u64 << 20;
    let file = |prefix: &str, n: u64| {
        (0..n).map(|i| format!("{prefix}{i},+441214960506,data,,{t},,,{},GB,false,\n", 10 * mib)).collect::<String>()
    };
    let (a, b2) = tokio::join!(import(&app, file("a", 60)), import(&app, file("b", 50)));
    assert_eq!((a.imported, b2.imported), (60, 50));
    assert_eq!(a.findings_opened + b2.findings_opened, 1, "one finding for the day: {a:?} {b2:?}");
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let over: Vec<_> = all.iter().filter(|f| f.rule == "usage.cellular_data").collect();
    assert_eq!(over.len(), 1);
    let f = app.store().finding(over[0].id).await.unwrap().unwrap();
    assert_eq!(f.evidence["total_bytes"].as_u64(), Some(1100 * mib), "{}", f.evidence);
    assert_eq!(f.records.len(), 110);
    app.stop().await;
}
on_both!(imports_at_the_same_time_count_every_record_once);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_imports_take_turns_through_the_lock_file_beside_the_database() {
    // The SQLite import adds its day totals once per run, so two runs must not interleave: each
    // holds `<database>-usage-import.lock` (released by the operating system however the holder
    // ends) and the next one waits for it.
    let app = spawn_seeded(Backend::Sqlite).await;
    let db = app.db_url.strip_prefix("sqlite:").unwrap().to_string();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(format!("{db}-usage-import.lock"))
        .unwrap();
    held.lock().unwrap();
    let t = soon();
    let store = app.store().clone();
    let body = format!("w1,+441214960506,call,out,{t},60,0121 496 0000,,GB,false,\n");
    let run = tokio::spawn(async move { import_into(&store, body).await });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!run.is_finished(), "the import waits while another holds the lock");
    drop(held);
    let r = tokio::time::timeout(std::time::Duration::from_secs(30), run).await.unwrap().unwrap().unwrap();
    assert_eq!(r.imported, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writes_wait_for_the_bulk_import_connection_instead_of_failing() {
    // The bulk usage import writes on its own SQLite connection, beside the store's writer pool.
    // A store write that read before it wrote (every audited change reads the audit head) used to
    // fail at once with "database is locked" while that connection held the write lock; write
    // transactions now begin IMMEDIATE and wait for it.
    let app = spawn_seeded(Backend::Sqlite).await;
    let db = app.db_url.strip_prefix("sqlite:").unwrap().to_string();
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; UPDATE usage_totals_mark SET seq = seq WHERE id = 1;").unwrap();
    let store = app.store().clone();
    let write = tokio::spawn(async move {
        let e = custodian_store::AuditEntry::new("test.write", "test:busy").clause("4.1");
        store.append_audit(Actor::system().at(time::OffsetDateTime::now_utc()), vec![e]).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!write.is_finished(), "the write waits while the other connection holds the lock");
    other.execute_batch("COMMIT").unwrap();
    let r = tokio::time::timeout(std::time::Duration::from_secs(30), write).await.unwrap().unwrap();
    assert!(r.is_ok(), "{r:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_force_comes_with_a_carrier_bill_that_breaks_each_carrier_rule() {
    // `serve --demo` loads a short carrier bill so the usage pages have something to show: one or
    // two breaches of each carrier rule, mostly by the demo line manager's team.
    let app = spawn(Backend::Sqlite).await;
    let info = custodian_server::demo::seed(app.store(), app.state.passwords()).await.unwrap();
    let all = app.store().findings(&Default::default(), 1, 100).await.unwrap().items;
    let mut rules: Vec<&str> = all.iter().map(|f| f.rule.as_str()).filter(|r| r.starts_with("usage.")).collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "usage.call_diversion",
            "usage.cellular_data",
            "usage.international",
            "usage.mms",
            "usage.premium_rate",
            "usage.roaming",
            "usage.tethering",
            "usage.unattributed"
        ]
    );
    assert!(
        all.iter().all(|f| !f.records.iter().any(|r| r == "demo-03" || r == "demo-08")),
        "999 and ordinary calls raise nothing"
    );
    let jack = app.person("A1018").await.id;
    let premium = all.iter().find(|f| f.rule == "usage.premium_rate").unwrap();
    assert_eq!(
        (premium.person_id, premium.records.len()),
        (Some(jack), 2),
        "attributed to the holder, one finding for the day"
    );
    // Digital Services' home page charts the open findings by the rules' titles.
    let ds = app.sign_in_with("daniel.okafor@warwickshire.police.example", &info.password).await;
    let home = ds.get_ok("/").await;
    assert!(
        home.contains(">Call or text to a premium rate number<") && !home.contains(">usage.premium_rate<"),
        "{home}"
    );
    app.stop().await;
}

async fn imports_adding_to_one_finding_at_once_lose_no_record(b: Backend) {
    // Several bills at once each add a premium-rate call (WP034 4.2) to the same open finding
    // (one person, rule and day): the finding ends with every record, whatever the interleaving.
    let app = spawn_seeded(b).await;
    let t = soon();
    let call = |id: String| format!("{id},+441214960506,call,out,{t},60,09061234567,,GB,false,\n");
    let first = import(&app, call("p0".into())).await;
    assert_eq!(first.findings_opened, 1);
    for round in 0..3 {
        let runs = (0..6).map(|i| import_into(app.store(), call(format!("p{round}-{i}"))));
        for r in futures_util::future::join_all(runs).await {
            let r = r.unwrap();
            assert_eq!((r.imported, r.findings_opened, r.findings_updated), (1, 0, 1), "{r:?}");
        }
    }
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let premium: Vec<_> = all.iter().filter(|f| f.rule == "usage.premium_rate").collect();
    assert_eq!(premium.len(), 1, "{all:?}");
    let f = app.store().finding(premium[0].id).await.unwrap().unwrap();
    assert_eq!(f.records.len(), 1 + 3 * 6, "records lost: {:?}", f.records);
    app.stop().await;
}
on_both!(imports_adding_to_one_finding_at_once_lose_no_record);

async fn reviewers_closing_one_finding_at_once_close_it_once(b: Backend) {
    // WP034 4.10: a closed finding is final. Reviewers closing the same finding at the same moment
    // with different outcomes: one closes it, the others are told it is already closed, and the
    // audit log holds one closing review.
    let app = spawn_seeded(b).await;
    let t = soon();
    import(&app, format!("q0,+441214960506,call,out,{t},60,09061234567,,GB,false,\n")).await;
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let id = all.iter().find(|f| f.rule == "usage.premium_rate").unwrap().id;
    let reviewer = app.store().person_by_staff_number("A1016").await.unwrap().unwrap();
    let actor = Actor::person(reviewer.id, &reviewer.staff_number);
    let outcomes = custodian_domain::findings::Outcome::ALL;
    let closes = (0..8).map(|i| {
        let reasons = format!("closing attempt {i}");
        let (store, actor) = (app.store().clone(), actor.clone());
        let outcome = outcomes[i % outcomes.len()];
        async move {
            store
                .review_finding(
                    id,
                    custodian_domain::findings::FindingStatus::Closed,
                    Some(outcome),
                    Some(&reasons),
                    &[],
                    reviewer.id,
                    actor.at(time::OffsetDateTime::now_utc()),
                )
                .await
        }
    });
    let results = futures_util::future::join_all(closes).await;
    let closed = results.iter().filter(|r| r.is_ok()).count();
    let reasons: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).map(|f| f.reasons.clone()).collect();
    assert_eq!(closed, 1, "a finding is closed once, not by each of {reasons:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(r, custodian_store::StoreError::Conflict(_)), "the others are conflicts: {r:?}");
    }
    app.stop().await;
}
on_both!(reviewers_closing_one_finding_at_once_close_it_once);

async fn a_bill_opening_hundreds_of_findings_writes_each_with_its_evidence_and_audit_event(b: Backend) {
    // A realistic bill opens findings by the thousand (WP034 4.2, 4.5): they are written in
    // batches, and each still gets its own `finding.open` event in the same transaction, the
    // audit chain verifies, and a day over the data limit lists that day's records only, however
    // many other heavy days the same device has.
    let app = spawn_seeded(b).await;
    let mib = 1u64 << 20;
    let at = |days: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(days) + time::Duration::minutes(5))
            .replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let before = app.store().audit_page(None, None, 1, 1).await.unwrap().total;
    let findings_before = app.store().findings(&Default::default(), 1, 1).await.unwrap().total;
    let mut body = String::new();
    // 300 days, each with a premium-rate call in another notation (one finding a day) ...
    let notations = ["09061234567", "+44 906 123 4567", "0044 (0)906 123 4567", "449061234567", "(0906) 123-4567"];
    for d in 0..300 {
        body.push_str(&format!("p{d},+441214960506,call,out,{},60,{},,GB,false,\n", at(d), notations[d as usize % 5]));
    }
    // ... and every other one of the first 40 days over the data limit, the days between under it.
    let mut over_days = Vec::new();
    for d in 0..40 {
        let each = if d % 2 == 0 { 400 * mib } else { 100 * mib };
        for k in 0..3 {
            body.push_str(&format!("c{d}-{k},+441214960506,data,,{},,,{each},GB,false,\n", at(d)));
        }
        if d % 2 == 0 {
            over_days.push(d);
        }
    }
    let r = import(&app, body).await;
    assert_eq!((r.rows, r.imported, r.rejected.len()), (420, 420, 0), "{r:?}");
    assert_eq!(r.findings_opened, 300 + 20, "{r:?}");

    let stored = app.store().findings(&Default::default(), 1, 1).await.unwrap().total - findings_before;
    assert_eq!(stored, 320, "every finding stored");
    let events = app.store().audit_page(None, None, 1, 1).await.unwrap().total - before;
    // finding.open per finding, the batch's event and the run's event.
    assert_eq!(events, 320 + 1 + 1, "one audit event per finding opened");
    let rule = |r: &str| custodian_store::FindingFilter { rule: Some(r.into()), ..Default::default() };
    let premium = app.store().findings(&rule("usage.premium_rate"), 1, 1).await.unwrap().total;
    assert_eq!(premium, 300, "one a day, whatever the notation");
    let cellular = app.store().findings(&rule("usage.cellular_data"), 1, 100).await.unwrap().items;
    assert_eq!(cellular.len(), over_days.len());
    for f in cellular {
        let f = app.store().finding(f.id).await.unwrap().unwrap();
        let mut recs = f.records.clone();
        recs.sort();
        let d = recs[0].trim_start_matches('c').split('-').next().unwrap().to_string();
        assert_eq!(recs, [format!("c{d}-0"), format!("c{d}-1"), format!("c{d}-2")], "that day's records only");
        assert_eq!(f.evidence["total_bytes"].as_u64(), Some(1200 * mib), "{}", f.evidence);
    }
    let api = app.api(&app.token("A1015").await);
    let (s, v) = api.get("/audit/verify").await;
    assert_eq!((s, &v["intact"]), (200, &json!(true)), "{v}");

    // The same bill again changes nothing.
    let again = import(
        &app,
        (0..3).map(|k| format!("c0-{k},+441214960506,data,,{},,,{},GB,false,\n", at(0), 400 * mib)).collect(),
    )
    .await;
    assert_eq!((again.imported, again.findings_opened, again.findings_updated), (0, 0, 0), "{again:?}");
    app.stop().await;
}
on_both!(a_bill_opening_hundreds_of_findings_writes_each_with_its_evidence_and_audit_event);
