//! Lawful business monitoring through the API (WP034 3.3, 5.3-5.5): PSD runs a round and its
//! verifiable draw, the person selected answers on availability, the assigned DMI takes custody,
//! downloads, examines and returns the devices, and every view and step is in the audit log.
#![allow(clippy::unwrap_used)] // test helpers fail the test on any unexpected answer

use custodian_domain::monitoring::{Bundle, verify_bundle};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::{Api, Backend, spawn_seeded};

const AREA: &str = "Response Policing North";
const SECRET: &str = "psd secret for the round";

fn at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn commitment() -> String {
    commitment_to(SECRET)
}

/// The commitment to `secret` a round is created with: its SHA-256, in hex.
pub(crate) fn commitment_to(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// PSD create the round `round` (201 required); its id.
pub(crate) async fn open_round(psd: &Api, round: Value) -> String {
    let (s, r) = psd.post("/monitoring/rounds", round).await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_str().unwrap().to_string()
}

/// PSD draw the round with a drand quicknet round and the secret it was committed to (200
/// required).
pub(crate) async fn draw_round(psd: &Api, round: &str, secret: &str) {
    let (s, r) = psd
        .post(
            &format!("/monitoring/rounds/{round}/draw"),
            json!({"beacon": "drand quicknet 9000001", "secret": secret}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

/// PSD (A1012) creates and draws a round over Response Policing North with `k` per area.
async fn drawn_round(psd: &Api, k: u32) -> (String, Bundle) {
    let (s, r) = psd.post("/monitoring/rounds", json!({"name": "Spring check", "areas": [AREA], "sample_size": k, "commitment": commitment(), "deferral_days": 7})).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    let (s, r) = psd
        .post(&format!("/monitoring/rounds/{id}/draw"), json!({"beacon": "drand quicknet 9000001", "secret": SECRET}))
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, b) = psd.get(&format!("/monitoring/rounds/{id}/bundle")).await;
    assert_eq!(s, 200, "{b}");
    (id, serde_json::from_value(b).unwrap())
}

async fn case_of(psd: &Api, round: &str, staff_number: &str) -> Value {
    let (s, list) = psd.get(&format!("/monitoring/cases?round={round}")).await;
    assert_eq!(s, 200, "{list}");
    list.as_array().unwrap().iter().find(|c| c["staff_number"] == staff_number).cloned().unwrap_or(Value::Null)
}

async fn step(api: &Api, case: &str, body: Value) -> (u16, Value) {
    api.post(&format!("/monitoring/cases/{case}/steps"), body).await
}

async fn a_psd_officer_runs_a_round_and_a_dmi_takes_a_case_through_custody(b: Backend) {
    let app = spawn_seeded(b).await;
    let [psd, dmi] = app.apis(["A1012", "A1013"]).await;

    // Creation freezes the population: active people in scope holding an allocated device.
    let (s, r) = psd
        .post(
            "/monitoring/rounds",
            json!({"name": "Spring check", "areas": [AREA], "sample_size": 2, "commitment": commitment()}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let round = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["population"], 6, "{r}");
    let (s, p) = psd
        .post(&format!("/monitoring/rounds/{round}/exclusions"), json!({"staff_number": "A1019", "reason": ""}))
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("reason")), "{p}");
    let (s, r) = psd
        .post(
            &format!("/monitoring/rounds/{round}/exclusions"),
            json!({"staff_number": "A1019", "reason": "Long-term absence"}),
        )
        .await;
    assert_eq!((s, r["excluded"].as_i64()), (200, Some(1)), "{r}");
    let (s, _) =
        dmi.post("/monitoring/rounds", json!({"name": "x", "sample_size": 1, "commitment": commitment()})).await;
    assert_eq!(s, 403, "only PSD creates rounds (WP034 3.3)");
    let (s, p) =
        psd.post(&format!("/monitoring/rounds/{round}/draw"), json!({"beacon": "drand 1", "secret": "guess"})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("secret")), "{p}");
    let (s, r) = psd
        .post(
            &format!("/monitoring/rounds/{round}/draw"),
            json!({"beacon": "drand quicknet 9000001", "secret": SECRET}),
        )
        .await;
    assert_eq!((s, r["status"].as_str()), (200, Some("drawn")), "{r}");
    let (s, _) = psd
        .post(&format!("/monitoring/rounds/{round}/exclusions"), json!({"staff_number": "A1017", "reason": "late"}))
        .await;
    assert_eq!(s, 409, "no exclusion after the draw");

    // The bundle re-computes, and the cases are exactly the people selected.
    assert_eq!(dmi.get(&format!("/monitoring/rounds/{round}/bundle")).await.0, 403, "a DMI sees only their cases");
    let (s, bundle) = psd.get(&format!("/monitoring/rounds/{round}/bundle")).await;
    assert_eq!(s, 200, "PSD hand on the bundle");
    let bundle: Bundle = serde_json::from_value(bundle).unwrap();
    assert!(verify_bundle(&bundle).is_empty());
    assert_eq!(bundle.population.len(), 5);
    let chosen = bundle.selected[AREA].clone();
    let (_, list) = psd.get(&format!("/monitoring/cases?round={round}")).await;
    let mut listed: Vec<String> =
        list.as_array().unwrap().iter().map(|c| c["staff_number"].as_str().unwrap().to_string()).collect();
    listed.sort();
    let mut expected = chosen.clone();
    expected.sort();
    assert_eq!(listed, expected);

    let subject_sn = chosen[0].clone();
    let other_sn = chosen[1].clone();
    let case = case_of(&psd, &round, &subject_sn).await;
    let id = case["id"].as_str().unwrap().to_string();
    let subject = app.api(&app.token(&subject_sn).await);
    let other = app.api(&app.token(&other_sn).await);
    assert_eq!(case["clause_text"].as_str().map(|t| t.contains("chosen at random")), Some(true));

    // Consultation: PSD proposes, the person sees their own case only and accepts.
    let now = OffsetDateTime::now_utc();
    let (s, c) = step(&psd, &id, json!({"step": "propose_slot", "slot": at(now + Duration::days(2))})).await;
    assert_eq!(s, 200, "{c}");
    let _ = subject.get_ok(&format!("/monitoring/cases/{id}?purpose=checking%20my%20slot")).await;
    let (s, _) = other.get(&format!("/monitoring/cases/{id}")).await;
    assert_eq!(s, 403, "another selected person cannot see this case");
    let (_, mine) = other.get("/monitoring/cases").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "a person lists only their own case");
    let (s, _) = step(&subject, &id, json!({"step": "mandate", "deadline": at(now + Duration::days(3))})).await;
    assert_eq!(s, 403, "the person selected never manages their own case");
    let (s, c) = step(&subject, &id, json!({"step": "accept"})).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("consulted")), "{c}");

    // The DMI sees nothing until assigned.
    let (s, _) = dmi.get(&format!("/monitoring/cases/{id}")).await;
    assert_eq!(s, 403);
    let (_, assigned) = dmi.get("/monitoring/cases").await;
    assert_eq!(assigned.as_array().map(Vec::len), Some(0));
    let (s, c) = step(&psd, &id, json!({"step": "assign_dmi", "staff_number": "A1013"})).await;
    assert_eq!((s, c["dmi"].as_str()), (200, Some("A1013")), "{c}");
    let (s, c) = step(&psd, &id, json!({"step": "mandate", "deadline": at(now + Duration::days(3))})).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("mandated")), "{c}");
    let tags: Vec<String> = c["devices"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    assert!(!tags.is_empty(), "the notice names every device the person holds");

    // Custody: no download before hand-over; hand-over needs full access confirmed.
    let sha = |t: &str| hex::encode(Sha256::digest(format!("extraction of {t}").as_bytes()));
    let extractions: Vec<Value> = tags.iter().map(|t| json!({"asset_tag": t, "sha256": sha(t)})).collect();
    let download = |from: OffsetDateTime, to: OffsetDateTime| json!({"step": "download", "tool": "Cellebrite UFED", "tool_version": "7.69.0", "extractions": extractions, "started": at(from), "ended": at(to)});
    let (s, _) = step(&dmi, &id, download(now, now)).await;
    assert_eq!(s, 409, "no download before hand-over");
    let (s, p) = step(&dmi, &id, json!({"step": "hand_over", "devices": tags, "full_access_confirmed": false})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("full_access_confirmed")), "{p}");
    let (s, _) = step(&psd, &id, json!({"step": "hand_over", "devices": tags, "full_access_confirmed": true})).await;
    assert_eq!(s, 403, "custody steps are the assigned DMI's");
    let (s, c) = step(&dmi, &id, json!({"step": "hand_over", "devices": tags, "full_access_confirmed": true})).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("handed_over")), "{c}");
    for t in &tags {
        let d = app.device(t).await;
        assert_eq!((d.status.as_str(), d.holder_id), ("in_examination", None), "{t}");
    }
    let (s, _) = step(&dmi, &id, json!({"step": "return"})).await;
    assert_eq!(s, 409, "no return before download and examination");
    let handed = OffsetDateTime::parse(c["handed_over_at"].as_str().unwrap(), &Rfc3339).unwrap();
    let (s, c) = step(&dmi, &id, download(handed, handed)).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("downloaded")), "{c}");
    let (s, p) = step(&dmi, &id, json!({"step": "examine", "outcome": "concerns_identified"})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("summary")), "{p}");
    let (s, c) = step(
        &dmi,
        &id,
        json!({"step": "examine", "outcome": "concerns_identified", "summary": "Gambling site use on duty"}),
    )
    .await;
    assert_eq!((s, c["referrals"][0]["kind"].as_str()), (200, Some("concerns_identified")), "{c}");
    let (s, c) = step(&dmi, &id, json!({"step": "return"})).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("returned")), "{c}");
    let holder = app.person(&subject_sn).await;
    for t in &tags {
        let d = app.device(t).await;
        assert_eq!((d.status.as_str(), d.holder_id), ("allocated", Some(holder.id)), "{t} is back with its holder");
    }

    // The custody report and export, for the DMI and PSD, not for anyone else.
    let r = reqwest::Client::new()
        .get(format!("{}/monitoring/cases/{id}/report?purpose=file%20copy", dmi.base))
        .bearer_auth(&dmi.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Chain of custody")
            && html.contains("Devices handed over")
            && html.contains("Rajesh Patel (A1013), using an API token")
            && !html.contains("token:"),
        "{html}"
    );
    // The report and the case page, in words: no identifiers, JSON or ISO times (issue 16).
    let shown = crate::forms_ux::identifiers(&crate::forms_ux::visible_text(&html));
    assert!(shown.is_empty(), "the custody report shows {shown:?}");
    let psd_session = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    let case_page = psd_session.get_ok(&format!("/monitoring/cases/{id}")).await;
    let shown = crate::forms_ux::identifiers(&crate::forms_ux::visible_text(&case_page));
    assert!(shown.is_empty(), "the case page shows {shown:?}");
    assert!(!case_page.contains("slot: ["), "no tuple of a moment");
    let (s, export) = psd.get(&format!("/monitoring/cases/{id}/export")).await;
    assert_eq!(s, 200, "{export}");
    let steps: Vec<&str> = export["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["selected", "propose_slot", "accept", "assign_dmi", "mandate", "hand_over", "download", "examine", "return"]
    );
    for s in &export["steps"].as_array().unwrap()[5..] {
        assert!(s["actor"].as_str().unwrap().starts_with("token:"), "signed with the DMI's credential: {s}");
        assert_eq!(s["signed_by"], "Rajesh Patel (A1013)", "custody steps are signed by the DMI: {s}");
    }
    assert!(
        export["audit_events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["leaf_hash"].as_str().is_some_and(|h| h.len() == 64))
    );
    let (s, _) = other.get(&format!("/monitoring/cases/{id}/export")).await;
    assert_eq!(s, 403);

    // Every view of the case is logged with who, when and why; the log is intact.
    let events = app.store().audit_page(Some(&format!("monitoring_case:{id}")), None, 1, 200).await.unwrap().items;
    let views: Vec<_> = events.iter().filter(|e| e.action == "monitoring.case.view").collect();
    assert!(
        views.iter().any(|e| e
            .justification
            .as_deref()
            .is_some_and(|j| j.starts_with("checking my slot") && j.contains("monitoring.subject"))),
        "{views:?}"
    );
    assert!(views.iter().any(|e| e.justification.as_deref().is_some_and(|j| j.contains("file copy"))));
    assert!(events.iter().any(|e| e.action == "monitoring.referral.open" && e.clause.as_deref() == Some("5.5")));
    let (_, v) = app.api(&app.token("A1015").await).get("/audit/verify").await;
    assert_eq!(v["intact"], true, "{v}");
    app.stop().await;
}
on_both!(a_psd_officer_runs_a_round_and_a_dmi_takes_a_case_through_custody);

async fn an_overdue_hand_over_opens_a_referral_and_a_reasoned_withdrawal_calls_the_next_reserve(b: Backend) {
    let app = spawn_seeded(b).await;
    let psd = app.api(&app.token("A1012").await);
    let (round, bundle) = drawn_round(&psd, 1).await;
    let first = bundle.selected[AREA][0].clone();
    let case = case_of(&psd, &round, &first).await;
    let id = case["id"].as_str().unwrap().to_string();
    let subject = app.api(&app.token(&first).await);

    // One deferral, within the published window, with a reason.
    let now = OffsetDateTime::now_utc();
    assert_eq!(step(&psd, &id, json!({"step": "propose_slot", "slot": at(now + Duration::days(1))})).await.0, 200);
    let (s, p) =
        step(&subject, &id, json!({"step": "defer", "to": at(now + Duration::days(9)), "reason": "annual leave"}))
            .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("to")), "beyond the 7-day window: {p}");
    let (s, c) =
        step(&subject, &id, json!({"step": "defer", "to": at(now + Duration::days(5)), "reason": "annual leave"}))
            .await;
    assert_eq!((s, c["deferred"].as_bool()), (200, Some(true)), "{c}");
    let (s, _) =
        step(&subject, &id, json!({"step": "defer", "to": at(now + Duration::days(6)), "reason": "still away"})).await;
    assert_eq!(s, 422, "only one deferral");

    // Failure to provide only after the deadline; then it is opened without anyone asking.
    let deadline = OffsetDateTime::now_utc() + Duration::milliseconds(1500);
    let (s, c) = step(&psd, &id, json!({"step": "mandate", "deadline": at(deadline)})).await;
    assert_eq!(s, 200, "{c}");
    let (s, p) = step(&psd, &id, json!({"step": "failure_to_provide"})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("deadline")), "{p}");
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let c = psd.get_ok(&format!("/monitoring/cases/{id}")).await;
    assert_eq!(c["referrals"][0]["kind"], "failure_to_provide", "{c}");
    let (_, d) = psd.get("/monitoring/dashboard").await;
    assert_eq!(
        (d["by_stage"]["mandated"].as_i64(), d["referrals"]["failure_to_provide"].as_i64()),
        (Some(1), Some(1)),
        "{d}"
    );

    // A selected person cannot be swapped: only a recorded, reasoned decision calls the reserve.
    let (s, p) = step(&psd, &id, json!({"step": "withdraw", "reason": " "})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("reason")), "{p}");
    let (s, c) =
        step(&psd, &id, json!({"step": "withdraw", "reason": "Signed off sick for six months; confirmed by HR"})).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("withdrawn")), "{c}");
    let next = case_of(&psd, &round, &bundle.reserve[AREA][0]).await;
    assert_eq!((next["stage"].as_str(), next["draw_rank"].as_i64()), (Some("selected"), Some(1)), "{next}");
    let events = app.store().audit_page(Some(&format!("monitoring_case:{id}")), None, 1, 100).await.unwrap().items;
    assert!(events.iter().any(|e| e.action == "monitoring.case.withdraw"
        && e.justification.as_deref() == Some("Signed off sick for six months; confirmed by HR")));
    assert!(events.iter().any(|e| e.action == "monitoring.case.failure_to_provide" && e.actor == "system"));
    app.stop().await;
}
on_both!(an_overdue_hand_over_opens_a_referral_and_a_reasoned_withdrawal_calls_the_next_reserve);

async fn only_psd_and_dmis_see_rounds_and_read_tokens_cannot_change_them(b: Backend) {
    let app = spawn_seeded(b).await;
    for sn in ["A1006", "A1016", "A1001"] {
        let (s, _) = app.api(&app.token(sn).await).get("/monitoring/rounds").await;
        assert_eq!(s, 403, "{sn}");
    }
    let read = app.api(&app.token_scoped("A1012", &["read"]).await);
    assert_eq!(read.get("/monitoring/rounds").await.0, 200);
    let (s, _) =
        read.post("/monitoring/rounds", json!({"name": "x", "sample_size": 1, "commitment": commitment()})).await;
    assert_eq!(s, 403);
    let psd = app.api(&app.token("A1012").await);
    let (s, p) = psd
        .post(
            "/monitoring/rounds",
            json!({"name": "x", "areas": ["Nowhere"], "sample_size": 1, "commitment": commitment()}),
        )
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("areas")), "{p}");
    let (s, p) = psd.post("/monitoring/rounds", json!({"name": "x", "sample_size": 1, "commitment": "abc"})).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("commitment")), "{p}");
    let (s, n) = psd.get("/monitoring/sample-size?rate=0.05&confidence=0.95").await;
    assert_eq!((s, n["sample_size"].as_u64()), (200, Some(59)), "{n}");
    let (s, p) = psd.get("/monitoring/sample-size?rate=0&confidence=0.95").await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("rate")), "{p}");
    let (_, doc) = psd.get("/openapi.json").await;
    assert!(doc["paths"]["/monitoring/cases/{id}/steps"]["post"].is_object(), "documented in the OpenAPI document");
    app.stop().await;
}
on_both!(only_psd_and_dmis_see_rounds_and_read_tokens_cannot_change_them);

fn minute(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    t.format(&f).unwrap()
}

/// The web pages, without JavaScript: a PSD officer creates and draws a round, and the DMI
/// assigned records the receipt and the download through the case page's forms.
async fn the_pages_let_psd_run_a_round_and_a_dmi_record_a_download(b: Backend) {
    let app = spawn_seeded(b).await;
    let psd = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    let page = psd.get_ok("/monitoring").await;
    assert!(page.contains("Create a round") && page.contains("Cases by stage"), "{page}");
    let areas = app.store().business_areas().await.unwrap();
    let i = areas.iter().position(|a| a.name == AREA).unwrap().to_string();
    let area_field = format!("area_{i}");
    let c = commitment();
    let (s, _) = psd
        .post(
            "/monitoring/rounds",
            &[
                ("name", "Pages round"),
                (&area_field, AREA),
                ("sample_size", "1"),
                ("commitment", &c),
                ("deferral_days", "7"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let round = app.store().monitoring_rounds().await.unwrap().remove(0);
    let (s, page) = psd.get(&format!("/monitoring/rounds/{}", round.id)).await;
    assert!(s == 200 && page.contains("id=\"draw-form\""), "{page}");
    let (s, _) = psd
        .post(&format!("/monitoring/rounds/{}/draw", round.id), &[("beacon", "nist beacon 0xabc"), ("secret", SECRET)])
        .await;
    assert_eq!(s, 303);
    let (_, page) = psd.get(&format!("/monitoring/rounds/{}", round.id)).await;
    assert!(page.contains("id=\"round-seed\"") && page.contains("bundle-link"), "{page}");

    let case = app.store().monitoring_cases(&Default::default()).await.unwrap().remove(0);
    let id = case.id;
    let now = OffsetDateTime::now_utc();
    let steps = format!("/monitoring/cases/{id}/steps");
    assert_eq!(psd.post(&steps, &[("step", "propose_slot"), ("slot", &minute(now + Duration::days(2)))]).await.0, 303);
    assert_eq!(psd.post(&steps, &[("step", "assign_dmi"), ("staff_number", "A1013")]).await.0, 303);
    let subject = app.api(&app.token(&case.staff_number).await);
    assert_eq!(step(&subject, &id.to_string(), json!({"step": "accept"})).await.0, 200);
    assert_eq!(psd.post(&steps, &[("step", "mandate"), ("deadline", &minute(now + Duration::days(3)))]).await.0, 303);

    let dmi = app.sign_in("rajesh.patel@warwickshire.police.example").await;
    let (s, page) = dmi.get(&format!("/monitoring/cases/{id}")).await;
    assert!(s == 200 && page.contains("id=\"step-hand_over\"") && !page.contains("id=\"step-mandate\""), "{page}");
    let tags = app.store().monitoring_case(id).await.unwrap().unwrap().device_tags.join(", ");
    let (s, page) = dmi.post(&steps, &[("step", "hand_over"), ("devices", &tags)]).await;
    assert_eq!(s, 422, "full access must be confirmed: {page}");
    assert!(page.contains("full_access_confirmed"));
    assert_eq!(
        dmi.post(&steps, &[("step", "hand_over"), ("devices", &tags), ("full_access_confirmed", "yes")]).await.0,
        303
    );
    let lines: Vec<String> =
        tags.split(", ").map(|t| format!("{t} {}", hex::encode(Sha256::digest(t.as_bytes())))).collect();
    let at = minute(OffsetDateTime::now_utc());
    let (s, page) = dmi
        .post(
            &steps,
            &[
                ("step", "download"),
                ("tool", "XRY"),
                ("tool_version", "10.9"),
                ("extractions", &lines.join("\n")),
                ("started", &at),
                ("ended", &at),
            ],
        )
        .await;
    assert_eq!(s, 303, "{page}");
    let (_, page) = dmi.get(&format!("/monitoring/cases/{id}")).await;
    assert!(
        page.contains("Downloaded") && page.contains("id=\"step-examine\"") && page.contains("Rajesh Patel (A1013)"),
        "{page}"
    );
    app.stop().await;
}
on_both!(the_pages_let_psd_run_a_round_and_a_dmi_record_a_download);

/// In a real browser: a PSD officer signs in, creates a round over one area and draws it; the
/// DMI assigned signs in, records the receipt and then the download on the case page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_psd_runs_a_round_and_a_dmi_records_a_download() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    let c = &browser.client;
    let sign_in = |email: &'static str| crate::support::browser_sign_in(c, &app.base, email);
    let type_in = |id: &'static str, text: String| async move {
        c.find(Locator::Id(id)).await.unwrap().send_keys(&text).await.unwrap();
    };

    sign_in("niamh.doherty@warwickshire.police.example").await;
    c.goto(&format!("{}/monitoring", app.base)).await.unwrap();
    type_in("name", "Browser round".into()).await;
    let areas = app.store().business_areas().await.unwrap();
    let i = areas.iter().position(|a| a.name == AREA).unwrap();
    c.find(Locator::Id(&format!("area_{i}"))).await.unwrap().click().await.unwrap();
    type_in("sample_size", "1".into()).await;
    type_in("commitment", commitment()).await;
    c.find(Locator::Id("submit-round")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("draw-form")).await.unwrap();
    type_in("beacon", "drand quicknet 31337".into()).await;
    type_in("secret", SECRET.into()).await;
    c.find(Locator::Id("submit-draw")).await.unwrap().click().await.unwrap();
    let seed = c.wait().for_element(Locator::Id("round-seed")).await.unwrap().text().await.unwrap();
    let round = app.store().monitoring_rounds().await.unwrap().remove(0);
    assert_eq!(Some(seed), round.seed);

    // Consultation and the notice, through the API (date pickers are not the point here).
    let case = app.store().monitoring_cases(&Default::default()).await.unwrap().remove(0);
    let id = case.id.to_string();
    let psd = app.api(&app.token("A1012").await);
    let now = OffsetDateTime::now_utc();
    assert_eq!(step(&psd, &id, json!({"step": "propose_slot", "slot": at(now + Duration::days(1))})).await.0, 200);
    assert_eq!(step(&app.api(&app.token(&case.staff_number).await), &id, json!({"step": "accept"})).await.0, 200);
    assert_eq!(step(&psd, &id, json!({"step": "assign_dmi", "staff_number": "A1013"})).await.0, 200);
    assert_eq!(step(&psd, &id, json!({"step": "mandate", "deadline": at(now + Duration::days(2))})).await.0, 200);

    c.find(Locator::Css("form[action='/sign-out'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("email")).await.unwrap();
    sign_in("rajesh.patel@warwickshire.police.example").await;
    c.goto(&format!("{}/monitoring/cases/{id}", app.base)).await.unwrap();
    c.find(Locator::Id("full_access_confirmed")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#step-hand_over button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("step-download")).await.unwrap();
    let tags = app.store().monitoring_case(case.id).await.unwrap().unwrap().device_tags;
    type_in("tool", "Cellebrite UFED".into()).await;
    type_in("tool_version", "7.69".into()).await;
    let lines: Vec<String> =
        tags.iter().map(|t| format!("{t} {}", hex::encode(Sha256::digest(t.as_bytes())))).collect();
    type_in("extractions", lines.join("\n")).await;
    // The GOV.UK date input with a London time: today, at the minute it is now.
    let now = custodian_server::web::display::london(OffsetDateTime::now_utc());
    for field in ["started", "ended"] {
        for (part, v) in [
            ("day", now.day().to_string()),
            ("month", u8::from(now.month()).to_string()),
            ("year", now.year().to_string()),
            ("time", format!("{:02}:{:02}", now.hour(), now.minute())),
        ] {
            type_in_id(c, &format!("step-{field}-{part}"), &v).await;
        }
    }
    c.find(Locator::Id("submit-download")).await.unwrap().click().await.unwrap();
    let stage = crate::browser::text_when(c, Locator::Id("case-stage"), |t| t == "Downloaded").await;
    assert_eq!(stage, "Downloaded");
    let steps = c.find(Locator::Id("case-steps")).await.unwrap().text().await.unwrap();
    assert!(steps.contains("Devices downloaded") && steps.contains("Rajesh Patel (A1013)"), "{steps}");
    browser.close().await;
    app.stop().await;
}

async fn type_in_id(c: &fantoccini::Client, id: &str, text: &str) {
    c.find(fantoccini::Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
}
