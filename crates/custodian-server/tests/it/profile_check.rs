//! The personal-profile check (WP034 7.1, 7.2): reachable from the home page's "Your part in the
//! policy"; a pasted profile gets private advice (a clearance level, a role with access to
//! information, the force named without "views are my own", a home address, operational
//! details); nothing is stored and no audit event is written unless the person asks to keep it,
//! and then no audit event carries the text; a kept check is its person's alone. The API gives
//! the same advice and names the field of bad input.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

const PROFILE: &str = "Proud to be SC cleared! PC at Warwickshire Police, intelligence analyst with access to PNC. \
    We live at 14 Acacia Avenue. Early start tomorrow, warrant at 5am, wish us luck.";

async fn a_profile_is_checked_privately_and_kept_only_when_asked(b: Backend) {
    let app = spawn_seeded(b).await;
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let (_, home) = laura.get("/").await;
    assert!(home.contains("href=\"/profile-check\""), "the home page links the check");
    let page = laura.get_ok("/profile-check").await;
    assert!(page.contains("id=\"privacy\"") && page.contains("Nothing you paste is kept"), "the page says so");

    let audit_before = app.count("SELECT COUNT(*) FROM audit_events").await;
    let (s, page) = laura.post("/profile-check", &[("text", PROFILE)]).await;
    assert_eq!(s, 200);
    for label in [
        "A vetting or security clearance level",
        "Your role and access to information",
        "Your link with the force, without saying you speak for yourself",
        "Home address details",
        "Details of policing operations",
    ] {
        assert!(page.contains(label), "no {label:?} advice in the page");
    }
    assert!(page.contains("<mark>SC cleared</mark>"), "the words found are shown");
    assert!(!page.contains("id=\"kept-note\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM personal_checks").await, 0, "nothing is stored");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, audit_before, "no audit event");
    assert_eq!(app.count("SELECT COUNT(*) FROM findings").await, 0, "advice, never a finding");

    // A disclaimer silences only the association advice; a clean profile finds nothing.
    let (_, page) = laura.post("/profile-check", &[("text", "PC at Warwickshire Police. Views are my own.")]).await;
    assert!(page.contains("id=\"nothing-found\""), "{page}");
    // Kept when asked: for Laura alone, and no audit event carries the text.
    let (s, page) = laura.post("/profile-check", &[("text", PROFILE), ("keep", "yes")]).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"kept-note\"") && page.contains("id=\"kept\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM personal_checks").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'profile.check.keep'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Acacia%'").await, 0);
    let jack = app.sign_in("jack.thornton@warwickshire.police.example").await;
    let (_, his) = jack.get("/profile-check").await;
    assert!(his.contains("id=\"no-kept\"") && !his.contains("Acacia"), "Jack does not see Laura's");
    let id = app.store().personal_checks_of(app.person("A1017").await.id).await.unwrap()[0].id;
    let (s, _) = jack.post(&format!("/profile-check/{id}/delete"), &[]).await;
    assert_eq!(s, 404, "nobody deletes another's");
    let (s, _) = laura.post(&format!("/profile-check/{id}/delete"), &[]).await;
    assert_eq!(s, 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM personal_checks").await, 0);

    // The API.
    let api = app.api(&app.token("A1017").await);
    let (s, out) = api.post("/profile-check", json!({"text": PROFILE})).await;
    assert_eq!(s, 200, "{out}");
    let mut categories: Vec<&str> =
        out["advice"].as_array().unwrap().iter().filter_map(|a| a["category"].as_str()).collect();
    categories.sort();
    categories.dedup();
    assert_eq!(categories, ["address", "association", "clearance", "operational", "role"]);
    let first = &out["advice"][0];
    let (start, end) = (first["start"].as_u64().unwrap() as usize, first["end"].as_u64().unwrap() as usize);
    assert_eq!(&PROFILE[start..end], first["match"].as_str().unwrap(), "offsets are the text's own");
    assert_eq!(out["kept_id"], json!(null));
    let (s, bad) = api.post("/profile-check", json!({"text": "   "})).await;
    assert_eq!(s, 422, "{bad}");
    assert!(bad.to_string().contains("text"), "{bad}");
    let long = "a".repeat(20_001);
    let (s, _) = api.post("/profile-check", json!({"text": long})).await;
    assert_eq!(s, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM personal_checks").await, 0);
    app.stop().await;
}
on_both!(a_profile_is_checked_privately_and_kept_only_when_asked);

/// WP034 4.11: a Head of Department sees, per team of five or more in their business area and
/// per month, the share of managers' calls and messages to their reports outside working hours;
/// a team of four shows nothing; nobody else may open the page.
async fn out_of_hours_contact_is_shown_per_team_of_five_only(b: Backend) {
    let app = spawn_seeded(b).await;
    app.sql("UPDATE allocations SET allocated_at = '2020-01-01T00:00:00Z'").await;
    // Kwame Mensah (A1016, phone 0121 496 0504) texts Laura (0121 496 0505) at 21:00 London time
    // a few days ago, and calls her at noon on a weekday.
    let now = time::OffsetDateTime::now_utc();
    let mut day = now.date() - time::Duration::days(1);
    while matches!(day.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
        day = day.previous_day().unwrap();
    }
    let at = |h: u8| {
        let t = day.with_hms(h, 0, 0).unwrap().assume_utc();
        (t.unix_timestamp_nanos() / 1000) as i64
    };
    // 21:00 or 22:00 London is outside; 12:00 UTC is 12:00 or 13:00 London, inside.
    let rows = [("o1", at(21)), ("o2", at(12))]
        .iter()
        .map(|(id, us)| {
            format!(
                "('carrier', '{id}', 'call', FALSE, (SELECT id FROM devices WHERE asset_tag = 'WP-MB-0005'), 1, 0, {us}, \
                 (SELECT id FROM people WHERE staff_number = 'A1016'), '+441214960504', TRUE, 60, '0121 496 0505', 'UK', 'voice', 'acct')"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    app.sql(&format!(
        "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
         outgoing, duration_s, party, place, category, account) VALUES {rows}"
    ))
    .await;
    let helen = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let (s, page) = helen.get("/usage/out-of-hours").await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"no-teams\""), "Kwame's team of four shows nothing");
    assert!(!page.contains("Kwame"), "{page}");
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let (s, _) = kwame.get("/usage/out-of-hours").await;
    assert_eq!(s, 403, "a line manager does not see it");

    // A fifth person in the team: the chart shows the month, 1 of 2 outside.
    app.sql("UPDATE people SET line_manager_id = (SELECT id FROM people WHERE staff_number = 'A1016') WHERE staff_number = 'A1007'")
        .await;
    let (_, page) = helen.get("/usage/out-of-hours").await;
    assert!(page.contains("Team of Kwame Mensah"), "{page}");
    assert!(page.contains("5 people"));
    assert!(page.contains("(1 of 2)") && page.contains(">50<"), "{page}");
    assert!(page.contains("Show as a table"), "the chart has its table");
    assert!(!page.contains("0121 496 0505") && !page.contains("Laura"), "no call and no report is named");
    app.stop().await;
}
on_both!(out_of_hours_contact_is_shown_per_team_of_five_only);
