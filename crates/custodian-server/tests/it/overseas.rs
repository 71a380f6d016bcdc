//! Overseas use on the approval chain (WP034 4.2), streaming exceptions (4.6), usage imports
//! through the API (4.1), and a line manager reviewing a usage finding in a browser (4.10).
//!
//! A1018 (Jack Thornton) holds WP-MB-0007 (+44 121 496 0506); his line manager is A1016 (Kwame
//! Mensah). Digital Services: A1005, A1006. Force Vetting Unit: A1014.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Api, Backend, Session, TestApp, spawn, spawn_seeded};

const CARRIER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";
const WEB: &str = "record_id,device,user,start,domain,category,bytes,network,tethered\n";

fn soon() -> String {
    let t = OffsetDateTime::now_utc() + Duration::minutes(5);
    t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(offset)).to_string()
}

/// Import carrier rows as Digital Services through the API; returns the summary.
async fn import_carrier(ds: &Api, rows: &str) -> Value {
    let (s, r) = ds.post_raw("/usage/imports/carrier", "text/csv", &format!("{CARRIER}{rows}")).await;
    assert_eq!(s, 200, "{r}");
    r
}

/// Open usage.roaming findings holding `record`.
async fn roaming_with(app: &TestApp, record: &str) -> usize {
    let all = app.store().findings(&Default::default(), 1, 200).await.unwrap().items;
    all.iter().filter(|f| f.rule == "usage.roaming" && f.records.iter().any(|r| r == record)).count()
}

async fn request(jack: &Api, countries: &[&str]) -> (String, String) {
    let (s, r) = jack
        .post(
            "/overseas/requests",
            json!({"devices": ["WP-MB-0007"], "countries": countries, "from": day(-1), "to": day(2),
                   "purpose": "Joint operation with the Gendarmerie in Calais"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["status"], "requested");
    (r["id"].as_str().unwrap().to_string(), r["approval_id"].as_str().unwrap().to_string())
}

async fn decide(api: &Api, approval: &str, step: &str, verdict: &str, reasons: Option<&str>) -> (u16, Value) {
    api.post(&format!("/approvals/{approval}/decide"), json!({"step": step, "verdict": verdict, "reasons": reasons}))
        .await
}

async fn three_approvers_in_any_order_approve_and_only_then_roaming_is_silenced_and_exported(b: Backend) {
    let app = spawn_seeded(b).await;
    let [jack, kwame, ds, vetting, laura] = app.apis(["A1018", "A1016", "A1006", "A1014", "A1017"]).await;

    // Bad input names the field; nothing is written.
    let bad = |devices: Value, countries: Value, from: String, to: String| json!({"devices": devices, "countries": countries, "from": from, "to": to, "purpose": "x"});
    for (body, field) in [
        (bad(json!(["WP-MB-0007"]), json!(["France"]), day(0), day(1)), "countries"),
        (bad(json!(["WP-MB-0001"]), json!(["FR"]), day(0), day(1)), "devices"),
        (bad(json!(["WP-MB-0007"]), json!(["FR"]), day(2), day(1)), "to"),
        (bad(json!(["WP-MB-0007"]), json!(["FR"]), "3 June".into(), day(1)), "from"),
    ] {
        let (s, p) = jack.post("/overseas/requests", body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (_, mine) = jack.get("/overseas/mine").await;
    assert_eq!(mine.as_array().unwrap().len(), 0, "{mine}");

    let (id, approval) = request(&jack, &["fr"]).await;
    // The three deciders are told, with a link to the request.
    for who in [&kwame, &ds, &vetting] {
        let (_, n) = who.get("/notifications").await;
        assert!(n["items"].as_array().unwrap().iter().any(|i| i["link"] == format!("/overseas/{id}").as_str()), "{n}");
    }
    // Nobody decides their own request; nobody decides a step that is not theirs.
    let (s, p) = decide(&jack, &approval, "line_manager", "approve", None).await;
    assert_eq!(s, 403, "{p}");
    let (s, p) = decide(&kwame, &approval, "digital_services", "approve", None).await;
    assert_eq!(s, 403, "{p}");
    let (s, p) = decide(&laura, &approval, "line_manager", "approve", None).await;
    assert_eq!(s, 403, "{p}");

    // The line manager fixed at request time sees it; a colleague does not.
    let (_, w) = kwame.get("/overseas/windows").await;
    assert_eq!(w.as_array().unwrap().iter().filter(|x| x["id"] == id.as_str()).count(), 1, "{w}");
    let (s, _) = laura.get(&format!("/overseas/{id}")).await;
    assert_eq!(s, 403);
    let (_, w) = laura.get("/overseas/windows").await;
    assert_eq!(w.as_array().unwrap().len(), 0, "{w}");

    // Any order: the Force Vetting Unit first, then Digital Services.
    let (s, d) = decide(&vetting, &approval, "vetting", "approve", None).await;
    assert_eq!((s, d["outcome"].as_str()), (200, Some("step_approved")), "{d}");
    let (s, d) = decide(&ds, &approval, "digital_services", "approve", Some("MDM roaming profile ready")).await;
    assert_eq!((s, d["outcome"].as_str()), (200, Some("step_approved")), "{d}");
    let (_, w) = jack.get(&format!("/overseas/{id}")).await;
    assert_eq!(w["status"], "requested", "two of three is not an approval: {w}");

    // While pending, roaming in France is still a finding, and the export is empty.
    let t = soon();
    import_carrier(&ds, &format!("p1,+441214960506,data,,{t},,,1000,FR,false,\n")).await;
    assert_eq!(roaming_with(&app, "p1").await, 1, "a pending request silences nothing");
    let res = ds.http.get(format!("{}/overseas/export", ds.base)).bearer_auth(&ds.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");

    // The line manager's approval completes it.
    let (s, d) = decide(&kwame, &approval, "line_manager", "approve", None).await;
    assert_eq!((s, d["outcome"].as_str()), (200, Some("approved")), "{d}");
    let (_, w) = jack.get(&format!("/overseas/{id}")).await;
    assert_eq!(w["status"], "approved", "{w}");
    assert_eq!(w["countries"], json!(["FR"]));
    assert_eq!(w["devices"], json!(["WP-MB-0007"]));
    assert_eq!(w["line_manager"], "Kwame Mensah");
    let events: Vec<&str> =
        w["approval"]["timeline"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["requested", "approved", "approved", "approved"], "{w}");
    // A decided request takes no more decisions.
    let (s, _) = decide(&app.api(&app.token("A1005").await), &approval, "digital_services", "approve", None).await;
    assert_eq!(s, 409);

    // Audited under 4.2 in the deciding transaction.
    let page = app.store().audit_page(Some(&format!("overseas:{id}")), None, 1, 50).await.unwrap();
    let actions: Vec<&str> = page.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"usage.overseas.request") && actions.contains(&"usage.overseas.approve"), "{actions:?}");
    assert!(page.items.iter().all(|e| e.clause.as_deref() == Some("4.2")));

    // Now France is silenced for Jack in the window; Spain is not.
    import_carrier(
        &ds,
        &format!("a1,+441214960506,data,,{t},,,1000,FR,false,\na2,+441214960506,data,,{t},,,1000,ES,false,\n"),
    )
    .await;
    assert_eq!(roaming_with(&app, "a1").await, 0, "the approved window covers France");
    assert_eq!(roaming_with(&app, "a2").await, 1, "but not Spain");

    // The export for the MDM: device, MDM id, countries, window. Digital Services only.
    let phone = app.device("WP-MB-0007").await;
    let res = ds.http.get(format!("{}/overseas/export", ds.base)).bearer_auth(&ds.token).send().await.unwrap();
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "device,mdm_id,staff_number,countries,from,to");
    assert_eq!(
        lines[1..],
        [format!("WP-MB-0007,{},A1018,FR,{},{}", phone.mdm_id.as_deref().unwrap_or(""), day(-1), day(2))],
        "{csv}"
    );
    let (s, _) = jack.get("/overseas/export").await;
    assert_eq!(s, 403);
    let (s, _) = vetting.get("/overseas/export").await;
    assert_eq!(s, 403);
    // The Force Vetting Unit sees every window.
    let (_, w) = vetting.get("/overseas/windows?status=approved").await;
    assert_eq!(w.as_array().unwrap().len(), 1, "{w}");
    app.stop().await;
}
on_both!(three_approvers_in_any_order_approve_and_only_then_roaming_is_silenced_and_exported);

async fn one_rejection_ends_a_request_and_the_requester_can_withdraw(b: Backend) {
    let app = spawn_seeded(b).await;
    let [jack, kwame, ds, vetting] = app.apis(["A1018", "A1016", "A1006", "A1014"]).await;

    let (rejected, approval) = request(&jack, &["FR"]).await;
    assert_eq!(decide(&ds, &approval, "digital_services", "approve", None).await.0, 200);
    assert_eq!(decide(&kwame, &approval, "line_manager", "approve", None).await.0, 200);
    let (s, p) = decide(&vetting, &approval, "vetting", "reject", None).await;
    assert_eq!(s, 422, "a rejection needs reasons: {p}");
    let (s, d) =
        decide(&vetting, &approval, "vetting", "reject", Some("Vetting level does not cover this country")).await;
    assert_eq!((s, d["outcome"].as_str()), (200, Some("rejected")), "{d}");
    let (_, w) = jack.get(&format!("/overseas/{rejected}")).await;
    assert_eq!(w["status"], "rejected", "{w}");
    let (s, _) = jack.post(&format!("/overseas/{rejected}/withdraw"), json!({})).await;
    assert_eq!(s, 409, "a rejected request cannot be withdrawn");

    let (withdrawn, approval2) = request(&jack, &["ES"]).await;
    assert_eq!(decide(&vetting, &approval2, "vetting", "approve", None).await.0, 200);
    let (s, _) = kwame.post(&format!("/overseas/{withdrawn}/withdraw"), json!({})).await;
    assert_eq!(s, 403, "only the requester withdraws");
    let (s, w) = jack.post(&format!("/overseas/{withdrawn}/withdraw"), json!({})).await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(w["status"], "withdrawn");
    let (s, _) = decide(&kwame, &approval2, "line_manager", "approve", None).await;
    assert_eq!(s, 409, "a withdrawn request takes no decision");
    let (s, _) = decide(&ds, &approval2, "digital_services", "approve", None).await;
    assert_eq!(s, 409);

    // Neither silences roaming, and neither is exported.
    let t = soon();
    import_carrier(
        &ds,
        &format!("r1,+441214960506,data,,{t},,,1000,FR,false,\nr2,+441214960506,data,,{t},,,1000,ES,false,\n"),
    )
    .await;
    assert_eq!(roaming_with(&app, "r1").await, 1, "a rejected window silences nothing");
    assert_eq!(roaming_with(&app, "r2").await, 1, "a withdrawn window silences nothing");
    let res = ds.http.get(format!("{}/overseas/export", ds.base)).bearer_auth(&ds.token).send().await.unwrap();
    assert_eq!(res.text().await.unwrap().lines().count(), 1);
    let statuses: Vec<String> =
        app.store().overseas_windows(None).await.unwrap().into_iter().map(|w| w.status).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&"rejected".to_string()) && statuses.contains(&"withdrawn".to_string()), "{statuses:?}");
    let page = app.store().audit_page(Some(&format!("overseas:{withdrawn}")), None, 1, 50).await.unwrap();
    assert!(page.items.iter().any(|e| e.action == "usage.overseas.withdraw"));
    app.stop().await;
}
on_both!(one_rejection_ends_a_request_and_the_requester_can_withdraw);

async fn a_line_manager_records_a_streaming_exception_and_usage_imports_go_through_the_api(b: Backend) {
    let app = spawn_seeded(b).await;
    let [jack, kwame, laura, ds] = app.apis(["A1018", "A1016", "A1017", "A1006"]).await;

    let body = |sn: &str| json!({"staff_number": sn, "reason": "Monitoring a live-streamed protest (Op Meadow)", "until": day(3)});
    let (s, p) = laura.post("/usage/streaming-exceptions", body("A1018")).await;
    assert_eq!(s, 403, "a colleague is not the approver: {p}");
    let (s, p) = ds.post("/usage/streaming-exceptions", body("A1018")).await;
    assert_eq!(s, 403, "Digital Services do not judge a policing purpose: {p}");
    let (s, p) = kwame.post("/usage/streaming-exceptions", body("A1001")).await;
    assert_eq!(s, 403, "not for one's own manager: {p}");
    let (s, p) = kwame
        .post("/usage/streaming-exceptions", json!({"staff_number": "A1018", "reason": " ", "until": day(3)}))
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("reason")), "{p}");
    let (s, p) = kwame.post("/usage/streaming-exceptions", body("A1018")).await;
    assert_eq!(s, 201, "{p}");

    let (_, mine) = jack.get("/usage/streaming-exceptions").await;
    assert_eq!(mine[0]["approver"], "Kwame Mensah", "{mine}");
    let (_, all) = ds.get("/usage/streaming-exceptions").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let (_, none) = laura.get("/usage/streaming-exceptions").await;
    assert_eq!(none.as_array().unwrap().len(), 0, "{none}");

    // Streaming by Jack is covered; by Laura it is a finding. Imported through the API.
    let t = soon();
    let (s, r) = ds
        .post_raw(
            "/usage/imports/web",
            "text/csv",
            &format!(
                "{WEB}w1,WP-MB-0007,jack.thornton@warwickshire.police.example,{t},video.example,Streaming Media and Download,5000,cellular,false\n\
                 w2,WP-MB-0006,laura.fenwick@warwickshire.police.example,{t},video.example,Streaming Media and Download,5000,cellular,false\n\
                 w3,WP-MB-0006,laura.fenwick@warwickshire.police.example,not a time,video.example,Streaming Media and Download,5000,cellular,false\n"
            ),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["rows"].as_u64(), r["imported"].as_u64(), r["duplicates"].as_u64()),
        (Some(3), Some(2), Some(0)),
        "{r}"
    );
    assert_eq!(r["rejected"][0]["line"], 4, "{r}");
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let streaming: Vec<_> = all.iter().filter(|f| f.rule == "usage.streaming").collect();
    assert_eq!(streaming.len(), 1, "{streaming:?}");
    assert_eq!(streaming[0].records, ["w2"]);

    // The history lists the run with its hash and counts; only Digital Services import.
    let runs = ds.get_ok("/usage/imports").await;
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["detail"]["file_sha256"], r["file_sha256"]);
    assert_eq!(runs[0]["detail"]["imported"], 2);
    let (s, _) = jack.post_raw("/usage/imports/web", "text/csv", WEB).await;
    assert_eq!(s, 403);
    let (s, p) = ds.post_raw("/usage/imports/carrier", "text/csv", "wrong,header\n").await;
    assert_eq!(s, 422, "{p}");

    // Another carrier's layout, named by a profile in the usage pack: its column names, its
    // day/month/year times in UK local time. A 09 number from WP-MB-0007 is premium rate (4.2).
    let when = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(time::macros::format_description!("[day]/[month]/[year] [hour]:[minute]:[second]"))
        .unwrap();
    let other = format!(
        "CDR Ref,Mobile Number,Type,Direction,Date Time,Duration (s),Dialled Number,Data (bytes),Country,Hotspot,Diverted To\n\
         b1,+441214960506,call,out,{when},30,09061234567,,GB,n,\n"
    );
    let other = other.as_str();
    let (s, p) = ds.post_raw("/usage/imports/carrier", "text/csv", other).await;
    assert_eq!(s, 422, "the standard layout refuses it: {p}");
    let (s, p) = ds.post_raw("/usage/imports/carrier?profile=no-such-layout", "text/csv", other).await;
    assert_eq!(s, 422, "{p}");
    assert!(p.to_string().contains("no-such-layout"), "{p}");
    let (s, r) = ds.post_raw("/usage/imports/carrier?profile=example-carrier-b", "text/csv", other).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["imported"].as_u64(), r["rejected"].as_array().map(Vec::len)), (Some(1), Some(0)), "{r}");
    let all = app.store().findings(&Default::default(), 1, 200).await.unwrap().items;
    assert!(all.iter().any(|f| f.rule == "usage.premium_rate" && f.records == ["b1"]));
    app.stop().await;
}
on_both!(a_line_manager_records_a_streaming_exception_and_usage_imports_go_through_the_api);

async fn the_overseas_pages_request_show_the_chain_and_export(b: Backend) {
    let app = spawn_seeded(b).await;
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let html = jack.get_ok("/overseas").await;
    assert!(html.contains("Force Vetting Unit approval for use overseas"), "the words of 4.2");
    assert!(html.contains("WP-MB-0007"), "his device to choose");
    let (d1, d4) = (day(1), day(4));
    let (s, html) = jack
        .post(
            "/overseas",
            &[
                ("devices", "WP-MB-0007"),
                ("countries", "fr, be"),
                ("from", d1.as_str()),
                ("to", d4.as_str()),
                ("purpose", ""),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("Say why you need the device overseas"), "{html}");
    let http = &jack.http;
    let res = http
        .post(format!("{}/overseas", jack.base))
        .form(&[
            ("csrf_token", jack.csrf.as_str()),
            ("devices", "WP-MB-0007"),
            ("countries", "fr, be"),
            ("from", d1.as_str()),
            ("to", d4.as_str()),
            ("purpose", "Europol meeting in Brussels"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    let (s, html) = jack.get(&to).await;
    assert_eq!(s, 200);
    assert!(html.contains("France, Belgium") && html.contains("requested") && html.contains("Kwame Mensah"), "{html}");
    assert!(html.contains("id=\"withdraw\""), "the requester may withdraw");
    assert!(html.contains("made the request"), "the timeline");
    assert!(!html.contains("decide-form-"), "nobody decides their own request");

    // Digital Services decide their step on the window's own page, without JavaScript.
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let html = ds.get_ok(&to).await;
    assert!(
        html.contains("id=\"decide-form-digital_services\"") && !html.contains("id=\"decide-form-vetting\""),
        "{html}"
    );
    let decide = format!("{to}/decide");
    let (s, html) = ds.post(&decide, &[("step", "digital_services"), ("verdict", "reject"), ("reasons", "")]).await;
    assert_eq!(s, 409);
    assert!(html.contains("Give the reasons for the rejection"), "{html}");
    let (s, _) = ds.post(&decide, &[("step", "vetting"), ("verdict", "approve"), ("reasons", "")]).await;
    assert_eq!(s, 403, "not Digital Services' step");
    let (s, _) = ds.post(&decide, &[("step", "digital_services"), ("verdict", "approve"), ("reasons", "")]).await;
    assert_eq!(s, 303);
    let (_, html) = ds.get(&to).await;
    assert!(html.contains("Tomasz Nowak on") && !html.contains("decide-form-"), "decided once, no form left: {html}");
    assert!(html.contains("approved step digital services"), "the timeline names the decision: {html}");

    let html = ds.get_ok("/overseas").await;
    assert!(html.contains("Jack Thornton") && html.contains("export-csv"), "{html}");
    let csv = ds.get_ok("/overseas/export.csv").await;
    assert!(csv.starts_with("device,mdm_id,staff_number,countries,from,to"), "{csv}");
    let html = ds.get_ok("/usage/imports").await;
    assert!(html.contains("No usage file has been imported yet"));
    let (s, _) = jack.get("/overseas/export.csv").await;
    assert_eq!(s, 403);
    let (s, _) = jack.get("/usage/imports").await;
    assert_eq!(s, 403);
    app.stop().await;
}
on_both!(the_overseas_pages_request_show_the_chain_and_export);

async fn a_decider_who_requests_cannot_decide_their_own_and_nobody_decides_twice(b: Backend) {
    let app = spawn_seeded(b).await;
    // A1005 (Digital Services) holds WP-LT-0003; their line manager A1002 is also Digital Services.
    let [sophie, daniel, tomasz, vetting] = app.apis(["A1005", "A1002", "A1006", "A1014"]).await;
    let (s, r) = sophie
        .post(
            "/overseas/requests",
            json!({"devices": ["WP-LT-0003"], "countries": ["IE"], "from": day(0), "to": day(1), "purpose": "Garda liaison"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (id, approval) = (r["id"].as_str().unwrap(), r["approval_id"].as_str().unwrap());
    let (s, p) = decide(&sophie, approval, "digital_services", "approve", None).await;
    assert_eq!(s, 403, "Digital Services, but not for her own request: {p}");
    assert_eq!(decide(&daniel, approval, "line_manager", "approve", None).await.0, 200);
    let (s, p) = decide(&daniel, approval, "digital_services", "approve", None).await;
    assert_eq!(s, 403, "the line manager already decided; Digital Services needs someone else: {p}");
    assert_eq!(decide(&tomasz, approval, "digital_services", "approve", None).await.0, 200);
    let (_, w) = sophie.get(&format!("/overseas/{id}")).await;
    assert_eq!(w["status"], "requested", "{w}");
    assert_eq!(decide(&vetting, approval, "vetting", "approve", None).await.0, 200);
    let (_, w) = sophie.get(&format!("/overseas/{id}")).await;
    assert_eq!(w["status"], "approved", "{w}");
    app.stop().await;
}
on_both!(a_decider_who_requests_cannot_decide_their_own_and_nobody_decides_twice);

/// Post a multipart body to the carrier upload form: (status, page).
async fn upload_carrier(session: &Session, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let res = session
        .http
        .post(format!("{}/usage/imports/carrier", session.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A multipart/form-data body with the CSRF token and one file, as a browser sends it.
/// A form upload of a carrier bill.
fn multipart(csrf: &str, file: &str) -> (String, Vec<u8>) {
    crate::support::multipart(&[("csrf_token", csrf)], &[("file", "bill.csv", "text/csv", file.as_bytes())])
}

async fn the_usage_import_and_streaming_exception_pages_work_without_javascript(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let t = soon();
    let (ct, body) = multipart(
        &ds.csrf,
        &format!(
            "{CARRIER}u1,+441214960506,mms,out,{t},,07700900123,,GB,false,\nu2,+441214960506,call,sideways,{t},60,0121 496 0000,,GB,false,\n"
        ),
    );
    let (status, html) = upload_carrier(&ds, &ct, body.clone()).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("carrier: 2 rows, 1 imported, 0 duplicates, 1 rejected; 1 findings opened"),
        "the summary: {html}"
    );
    assert!(html.contains("Line 3 (u2)"), "the rejected row with its line: {html}");
    assert!(html.contains("id=\"usage-runs\""), "the history lists the run");
    // Other carriers' layouts from the pack are offered, and the chosen one reads the file.
    assert!(html.contains("<option value=\"example-carrier-b\">"), "{html}");
    let when = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(time::macros::format_description!("[day]/[month]/[year] [hour]:[minute]:[second]"))
        .unwrap();
    let file = format!(
        "CDR Ref,Mobile Number,Type,Direction,Date Time,Duration (s),Dialled Number,Data (bytes),Country,Hotspot,Diverted To\n\
         b9,+441214960506,sms,out,{when},,07700900123,,GB,no,\n"
    );
    let (ct, other) = crate::support::multipart(
        &[("csrf_token", &ds.csrf), ("profile", "example-carrier-b")],
        &[("file", "b.csv", "text/csv", file.as_bytes())],
    );
    let (status, html) = upload_carrier(&ds, &ct, other).await;
    assert_eq!(status, 200);
    assert!(html.contains("carrier: 1 rows, 1 imported, 0 duplicates, 0 rejected"), "{html}");
    // The same file again: nothing new.
    let (_, html) = upload_carrier(&ds, &ct, body).await;
    assert!(html.contains("carrier: 2 rows, 0 imported, 1 duplicates, 1 rejected"), "{html}");
    // Without the CSRF token nothing is imported.
    let (ct, body) = multipart("forged", &format!("{CARRIER}u3,+441214960506,mms,out,{t},,07700900123,,GB,false,\n"));
    let (status, html) = upload_carrier(&ds, &ct, body).await;
    assert_eq!(status, 403, "{html}");
    assert_eq!(app.store().usage_import_runs(10).await.unwrap().len(), 3);

    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let html = kwame.get_ok("/usage/streaming-exceptions").await;
    assert!(html.contains("streaming video content unless for a specific policing purpose"), "the words of 4.6");
    assert!(html.contains("Jack Thornton (A1018)"), "his reports to choose from");
    let until = day(5);
    let (s, html) = kwame
        .post("/usage/streaming-exceptions", &[("staff_number", "A1018"), ("reason", ""), ("until", until.as_str())])
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("Name the specific policing purpose"), "{html}");
    let (s, _) = kwame
        .post(
            "/usage/streaming-exceptions",
            &[
                ("staff_number", "A1018"),
                ("reason", "Reviewing body-worn video shared by a partner"),
                ("until", until.as_str()),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = kwame.get("/usage/streaming-exceptions").await;
    assert!(html.contains("Reviewing body-worn video shared by a partner") && html.contains("Kwame Mensah"), "{html}");
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (s, html) = jack
        .post(
            "/usage/streaming-exceptions",
            &[("staff_number", "A1018"), ("reason", "mine"), ("until", until.as_str())],
        )
        .await;
    assert_eq!(s, 403, "nobody approves their own exception: {html}");
    app.stop().await;
}
on_both!(the_usage_import_and_streaming_exception_pages_work_without_javascript);

/// In a real browser: a line manager opens a usage finding about one of their reports, sees the
/// evidence, the 90-day frequency and the 4.10 considerations, and closes it with an outcome and
/// reasons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_line_manager_reviews_and_closes_a_usage_finding() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let ds = app.api(&app.token("A1006").await);
    let t = soon();
    import_carrier(&ds, &format!("prem-1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n")).await;
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let id = all.iter().find(|f| f.rule == "usage.premium_rate").expect("a premium-rate finding").id;

    let c = &browser.client;
    c.goto(&format!("{}/sign-in", app.base)).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys("kwame.mensah@warwickshire.police.example").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(crate::support::PASSWORD).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1.govuk-heading-xl")).await.unwrap();

    // From the findings list to the finding of his report.
    c.goto(&format!("{}/findings", app.base)).await.unwrap();
    c.find(Locator::Css(&format!("a[href='/findings/{id}']"))).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("submit-review")).await.unwrap();
    // The clauses' words are folded after the review form: open them.
    c.find(Locator::Css(".app-clause summary")).await.unwrap().click().await.unwrap();
    let page = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Jack Thornton"), "the person: {page}");
    assert!(page.contains("prem-1"), "the record id as evidence: {page}");
    assert!(page.contains("premium rate numbers"), "the words of 4.2: {page}");
    assert!(page.contains("1 finding of this rule, 1 record"), "the 90-day frequency: {page}");
    for consideration in [
        "the full circumstances of the situation",
        "the frequency of use",
        "the Code of Ethics and Standards of Professional Behaviour",
        "how usage may appear to the public",
    ] {
        assert!(page.contains(consideration), "4.10 {consideration:?}: {page}");
    }
    assert_eq!(c.find(Locator::Id("finding-status")).await.unwrap().text().await.unwrap(), "open");

    c.find(Locator::Id("status-close")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#outcome option[value='advice_given']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("reasons"))
        .await
        .unwrap()
        .send_keys("Called a premium-rate line once from a work phone; advised on WP034 4.2.")
        .await
        .unwrap();
    // The 4.10 checklist: he weighed the circumstances and the frequency.
    c.find(Locator::Id("consider_circumstances")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("consider_frequency")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("submit-review")).await.unwrap().click().await.unwrap();
    let outcome = crate::browser::text_when(c, Locator::Id("finding-outcome"), |t| t == "Advice given").await;
    assert_eq!(outcome, "Advice given");
    let history = c.find(Locator::Id("finding-history")).await.unwrap().text().await.unwrap();
    assert!(
        history.contains("a. The full circumstances of the situation")
            && history.contains("b. The frequency of use")
            && !history.contains("c. The Code"),
        "{history}"
    );
    assert_eq!(c.find(Locator::Id("finding-status")).await.unwrap().text().await.unwrap(), "closed");
    let f = app.store().finding(id).await.unwrap().unwrap();
    assert_eq!(f.status.as_str(), "closed");
    assert_eq!(f.reasons.as_deref(), Some("Called a premium-rate line once from a work phone; advised on WP034 4.2."));
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_told_the_limit_and_the_command_for_large_files() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn(Backend::Sqlite).await;
    // The server answers from the declared length, before reading the body: send the headers of an
    // upload over the limit and read the answer (a client still sending could see the connection
    // close).
    let ask = |path: &'static str, len: u64, content_type: &'static str| {
        let addr = app.base.trim_start_matches("http://").to_string();
        async move {
            let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
            );
            c.write_all(head.as_bytes()).await.unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).await.unwrap();
            out
        }
    };
    // Usage files may be up to 2 GB.
    let api = ask("/api/v1/usage/imports/carrier", 3 << 30, "text/csv").await;
    assert!(api.starts_with("HTTP/1.1 413"), "{api}");
    assert!(api.contains("application/problem+json") && api.contains("\"title\":\"Too large\""), "{api}");
    assert!(api.contains("2 GB") && api.contains("custodian usage import"), "{api}");
    let ui = ask("/usage/imports/carrier", 3 << 30, "multipart/form-data; boundary=x").await;
    assert!(ui.starts_with("HTTP/1.1 413"), "{ui}");
    assert!(ui.contains("<html") && ui.contains("2 GB") && ui.contains("custodian usage import"), "{ui}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_files_of_many_megabytes_go_through_the_api_and_the_form() {
    // Uploads are received into a temporary file and imported from there: a bill larger than the
    // 2 MB that request bodies get by default goes through both ways.
    let app = spawn_seeded(Backend::Sqlite).await;
    let t = soon();
    let rows = |prefix: &str| -> String {
        (0..40_000)
            .map(|i| format!("{prefix}{i:06},+441214960506,call,out,{t},60,0121 496 0000,,GB,false,\n"))
            .collect()
    };
    let ds = app.api(&app.token("A1005").await);
    let body = format!("{CARRIER}{}", rows("api"));
    assert!(body.len() > 3 << 20, "{} bytes", body.len());
    let (s, r) = ds.post_raw("/usage/imports/carrier", "text/csv", &body).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["rows"].as_u64(), r["imported"].as_u64()), (Some(40_000), Some(40_000)), "{r}");

    let session = app.sign_in("tomasz.nowak@warwickshire.police.example").await;
    let (ct, body) = multipart(&session.csrf, &format!("{CARRIER}{}", rows("form")));
    let (status, html) = upload_carrier(&session, &ct, body).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("carrier: 40000 rows, 40000 imported, 0 duplicates, 0 rejected"),
        "{}",
        &html[..html.len().min(3000)]
    );
    app.stop().await;
}
