//! Acknowledgement campaigns started from a page (WP034 2.3) for everyone, chosen business areas
//! or chosen roles; new starters from the HR import enrolled in the campaigns that cover them;
//! the hourly reminders, once per person per week whichever server runs them; training
//! attendance uploaded from a page (2.4), every wrong line named.

use custodian_store::Actor;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

async fn with_policy(b: Backend) -> TestApp {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let wp034 = custodian_domain::policy::text::parse_text(SEED).unwrap();
    app.store().policy_import(&wp034, Some("Executive Board"), Actor::system().at(now)).await.unwrap();
    app
}

fn due_fields(days: i64) -> (String, String, String) {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(days)).date();
    (d.day().to_string(), u8::from(d.month()).to_string(), d.year().to_string())
}

async fn a_campaign_started_from_its_page_asks_the_chosen_roles_and_refusals_stay_on_the_page(b: Backend) {
    let app = with_policy(b).await;
    let cc = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let (s, page) = cc.get("/policy/campaigns").await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"campaign-form\"") && page.contains("WP034 version 3, the version in force"), "{page}");
    let (s, versions) = cc.get("/policy/versions").await;
    assert!(s == 200 && versions.contains("href=\"/policy/campaigns\""), "linked from the versions page");
    let ds = app.sign_in("aisha.khan@warwickshire.police.example").await;
    assert_eq!(ds.get("/policy/campaigns").await.0, 403, "someone without the role starts no campaign");
    let admin = app.sign_in("sophie.brennan@warwickshire.police.example").await;
    assert_eq!(admin.get("/policy/campaigns").await.0, 200, "the administrator may");

    // Refused: a clause the version does not have, and a date in the past. From the page (with
    // its Referer) the form comes back to the page with the summary and what was typed.
    let (day, month, year) = due_fields(-1);
    let bad = [
        ("clauses", "6.3, 99.9"),
        ("roles", "psd"),
        ("due_on-day", day.as_str()),
        ("due_on-month", month.as_str()),
        ("due_on-year", year.as_str()),
    ];
    let (status, location) = cc.post_from("/policy/campaigns", "/policy/campaigns", &bad).await;
    assert_eq!(status, 303);
    assert_eq!(location, "/policy/campaigns");
    let (s, page) = cc.get("/policy/campaigns").await;
    assert_eq!(s, 422);
    assert!(
        page.contains("govuk-error-summary") && page.contains("href=\"#due_on-day\""),
        "{}",
        page.split("<main").nth(1).unwrap_or(&page).chars().take(3000).collect::<String>()
    );
    assert!(page.contains("value=\"6.3, 99.9\""), "the clauses typed are kept");
    let (day, month, year) = due_fields(21);
    let mut fields = vec![
        ("clauses", "6.3, 99.9"),
        ("roles", "psd"),
        ("due_on-day", day.as_str()),
        ("due_on-month", month.as_str()),
        ("due_on-year", year.as_str()),
    ];
    let (s, page) = cc.post("/policy/campaigns", &fields).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("99.9 is not a clause of WP034 version 3"), "{page}");
    assert!(app.store().policy_campaigns().await.unwrap().is_empty(), "nothing was started");

    // Accepted: Professional Standards and the Force Vetting Unit are asked to read 6.3 and 7.3.
    fields[0] = ("clauses", "6.3, 7.3");
    fields.push(("roles", "vetting"));
    fields.push(("title", "Group chats and associations"));
    let r = cc
        .http
        .post(format!("{}/policy/campaigns", cc.base))
        .form(&[fields.clone(), vec![("csrf_token", cc.csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap().to_string();
    let campaign = app.store().policy_campaigns().await.unwrap().remove(0);
    assert_eq!(to, format!("/policy/campaigns/{}", campaign.id));
    assert_eq!(campaign.title, "Group chats and associations");
    assert_eq!(campaign.clauses, r#"["6.3","7.3"]"#);
    let holders = app
        .count(
            "SELECT COUNT(DISTINCT p.id) FROM people p JOIN person_roles r ON r.person_id = p.id \
             WHERE p.status = 'active' AND r.role IN ('psd', 'vetting')",
        )
        .await;
    let enrolled = app.store().policy_campaign_completion(campaign.id).await.unwrap();
    assert_eq!(enrolled.iter().map(|a| a.enrolled).sum::<i64>(), holders);
    let (_, page) = cc.get(&to).await;
    assert!(page.contains("Asked: Holders of the roles Professional Standards or Force Vetting Unit"), "{page}");
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'policy.campaign.create' AND subject = 'policy_campaign:{}' \
             AND actor LIKE '%A1009%'",
            campaign.id
        ))
        .await;
    assert_eq!(audited, 1, "the start is audited, as its starter");
    let (_, list) = cc.get("/policy/campaigns").await;
    assert!(list.contains("Group chats and associations") && list.contains("Holders of the roles"), "{list}");

    // A new starter holding the vetting role, through the HR import, is enrolled; one without
    // is not.
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               A1998,New Vetter,new.vetter@warwickshire.police.example,staff,Digital Services,A1002,vetting,active,\n\
               A1999,New Starter,new.starter@warwickshire.police.example,staff,Digital Services,A1002,,active,\n";
    let now = time::OffsetDateTime::now_utc();
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false).await.unwrap();
    let vetter = app.person("A1998").await;
    let starter = app.person("A1999").await;
    assert_eq!(app.store().policy_acknowledgements_of(vetter.id).await.unwrap().len(), 1);
    assert!(app.store().policy_acknowledgements_of(starter.id).await.unwrap().is_empty());
    app.stop().await;
}
on_both!(a_campaign_started_from_its_page_asks_the_chosen_roles_and_refusals_stay_on_the_page);

/// The reminder job: one server per hourly tick; a person not acknowledged is reminded once a
/// week, by the database's record, so another tick (or server) in the week reminds nobody again.
async fn the_reminder_job_reminds_each_waiting_person_once_a_week(b: Backend) {
    use custodian_server::ops::{policy_reminders_tick, tick_of};
    let app = with_policy(b).await;
    let cc = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let (day, month, year) = due_fields(14);
    let (s, _) = cc
        .post(
            "/policy/campaigns",
            &[("due_on-day", &day), ("due_on-month", &month), ("due_on-year", &year), ("clauses", "6.5")],
        )
        .await;
    assert_eq!(s, 303);
    let campaign = app.store().policy_campaigns().await.unwrap().remove(0);
    let me = app.person("A1017").await;
    app.store()
        .policy_acknowledge(campaign.id, me.id, Actor::system().at(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    let enrolled = app.count(&format!(
        "SELECT COUNT(*) FROM policy_acknowledgements WHERE campaign_id = (SELECT id FROM policy_campaigns WHERE title = '{}')",
        campaign.title
    ))
    .await;
    let subject = format!("policy_campaign:{}", campaign.id);
    let tick = tick_of(time::OffsetDateTime::now_utc(), custodian_server::policy::REMINDER_PERIOD) + 100_000;
    assert!(policy_reminders_tick(&app.state, tick).await, "the tick runs here");
    assert!(!policy_reminders_tick(&app.state, tick).await, "a tick runs once");
    let notes = format!("SELECT COUNT(*) FROM notifications WHERE subject = '{subject}'");
    assert_eq!(app.count(&notes).await, enrolled - 1, "everyone waiting, once");
    assert!(policy_reminders_tick(&app.state, tick + 1).await, "the next hour's tick runs");
    assert_eq!(app.count(&notes).await, enrolled - 1, "nobody twice in the week");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM notifications WHERE subject = '{subject}' AND person_id IN (SELECT id FROM people WHERE staff_number = 'A1017')")).await,
        0,
        "not who acknowledged"
    );
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'policy.campaign.remind' AND subject = '{subject}' AND actor = 'system'"
        ))
        .await;
    assert!(audited >= 1, "the reminders are audited");
    app.stop().await;
}
on_both!(the_reminder_job_reminds_each_waiting_person_once_a_week);

/// The training page's upload of an attendance sheet.
fn upload(csv: &str, csrf: &str) -> (String, Vec<u8>) {
    crate::support::multipart(&[("csrf_token", csrf)], &[("file", "attendance.csv", "text/csv", csv.as_bytes())])
}

async fn training_attendance_uploaded_from_its_page_is_recorded_or_refused_line_by_line(b: Backend) {
    let app = with_policy(b).await;
    let cc = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let send = |who: &crate::support::Session, (content_type, body): (String, Vec<u8>)| {
        who.http.post(format!("{}/policy/training", who.base)).header("content-type", content_type).body(body).send()
    };
    let (s, page) = cc.get("/policy/training").await;
    assert!(s == 200 && page.contains("enctype=\"multipart/form-data\""), "{page}");
    let ds = app.sign_in("aisha.khan@warwickshire.police.example").await;
    assert_eq!(ds.get("/policy/training").await.0, 403);
    let r = send(&ds, upload("date,topic,staff_number\n2026-11-20,Safety,A1017\n", &ds.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 403, "someone without the role records no training");

    // Wrong lines: each named by its number, nothing recorded.
    let bad = "date,topic,staff_number\n2026-11-20,Safety,A1017\n20/11/2026,Safety,A1018\n2026-11-20,,A1018\n";
    let r = send(&cc, upload(bad, &cc.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-error-summary") && page.contains("href=\"#file\""), "{page}");
    assert!(page.contains("Line 3") && page.contains("Line 4"), "{page}");
    assert!(!page.contains("Line 2,"), "the good line is not named: {page}");
    let laura = app.person("A1017").await;
    assert!(app.store().training_of(laura.id).await.unwrap().is_empty(), "nothing was recorded");
    // A staff number nobody has: named by its line too.
    let r = send(&cc, upload("date,topic,staff_number\n2026-11-20,Safety,A1017\n2026-11-20,Safety,Z9999\n", &cc.csrf))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Line 3") && page.contains("Z9999"), "{page}");
    // No file.
    let r = send(&cc, upload("", &cc.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);

    // A good file: recorded, once however often it comes; the person's record shows it.
    let good = "date,topic,staff_number\n2026-11-20,Social media safety,A1017\n2026-11-20,Social media safety,A1018\n2026-11-27,Group chats,A1017\n";
    let r = send(&cc, upload(good, &cc.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("3 lines: 2 sessions, 3 attendances added."), "{page}");
    let r = send(&cc, upload(good, &cc.csrf)).await.unwrap();
    assert!(r.text().await.unwrap().contains("3 lines: 2 sessions, 0 attendances added."));
    assert_eq!(app.store().training_of(laura.id).await.unwrap().len(), 2);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'policy.training.import' AND actor LIKE '%A1009%'")
        .await;
    assert_eq!(audited, 2, "each upload audited as its uploader");
    app.stop().await;
}
on_both!(training_attendance_uploaded_from_its_page_is_recorded_or_refused_line_by_line);
