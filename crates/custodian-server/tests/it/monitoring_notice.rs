//! The person selected for monitoring is told what to do (WP034 5.4): a notification written
//! with the draw, a home-page card in plain words with Europe/London times, a Monitoring link
//! while the case is open, and the one deferral asked for from the card. And the charts: the same
//! numbers in a table, and a sentence instead of a chart of zeros.
#![allow(clippy::unwrap_used)]

use custodian_server::monitoring::guide;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

const AREA: &str = "Response Policing North";
const SECRET: &str = "psd secret for the notice round";

fn commitment() -> String {
    hex::encode(Sha256::digest(SECRET.as_bytes()))
}

/// A time two days ahead, to the minute (what a `datetime-local` field carries).
fn slot() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc() + Duration::days(2);
    t.replace_second(0).unwrap().replace_nanosecond(0).unwrap()
}

/// PSD (A1012) creates a round over the area with one person to select and a 7-day deferral
/// window; a draw with the wrong secret is refused first. Returns the round's id.
async fn drawn_round(app: &TestApp) -> Uuid {
    let psd = app.api(&app.token("A1012").await);
    let (s, r) = psd
        .post(
            "/monitoring/rounds",
            json!({"name": "Winter check", "areas": [AREA], "sample_size": 1, "commitment": commitment(), "deferral_days": 7}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    let (s, r) =
        psd.post(&format!("/monitoring/rounds/{id}/draw"), json!({"beacon": "drand 1", "secret": "wrong"})).await;
    assert_eq!(s, 422, "{r}");
    let (s, r) =
        psd.post(&format!("/monitoring/rounds/{id}/draw"), json!({"beacon": "drand 1", "secret": SECRET})).await;
    assert_eq!(s, 200, "{r}");
    id.parse().unwrap()
}

async fn monitoring_notes(app: &TestApp, person: Uuid) -> Vec<custodian_store::approvals::Notification> {
    let all = app.store().notifications(person, 100).await.unwrap();
    all.into_iter().filter(|n| n.kind.starts_with("monitoring.")).collect()
}

/// Someone in the round's area who was not selected and does not work in PSD.
async fn bystander(app: &TestApp, selected: &str) -> custodian_store::Person {
    let sn = ["A1016", "A1017", "A1018", "A1020"].into_iter().find(|sn| *sn != selected).unwrap();
    app.person(sn).await
}

async fn propose(app: &TestApp, case: Uuid, at: OffsetDateTime) {
    let psd = app.api(&app.token("A1012").await);
    let (s, r) = psd
        .post(
            &format!("/monitoring/cases/{case}/steps"),
            json!({"step": "propose_slot", "slot": at.format(&Rfc3339).unwrap()}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

async fn the_person_selected_is_notified_with_the_draw_and_only_they_see_the_card(b: Backend) {
    let app = spawn_seeded(b).await;
    let round = drawn_round(&app).await;
    let cases = app.store().monitoring_cases(&Default::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    let other = bystander(&app, &case.staff_number).await;

    // One notification, to the person selected only, at the draw's moment (same transaction).
    let notes = monitoring_notes(&app, case.person_id).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].kind, custodian_store::monitoring::NOTIFY_SELECTED);
    assert_eq!(notes[0].link.as_deref(), Some(format!("/monitoring/cases/{}", case.id).as_str()));
    let draw = app.store().audit_page(Some(&format!("monitoring_round:{round}")), None, 1, 100).await.unwrap().items;
    let draw = draw.iter().find(|e| e.action == "monitoring.round.draw").unwrap();
    // The audit log keeps microseconds; compare at that precision.
    let micros = |t: OffsetDateTime| t.unix_timestamp_nanos() / 1000;
    assert_eq!(micros(notes[0].created_at), micros(draw.at), "the notification is written with the draw");
    assert!(monitoring_notes(&app, other.id).await.is_empty(), "nobody else is told");

    // The person selected: the card, in words, and a Monitoring link to their case.
    let me = app.sign_in(&app.person(&case.staff_number).await.email).await;
    let home = me.get_ok("/").await;
    assert!(home.contains("id=\"monitoring-action\""), "{home}");
    assert!(home.contains("You have been selected for a device check"), "{home}");
    assert!(home.contains(&format!("href=\"/monitoring/cases/{}\"", case.id)), "{home}");
    assert!(!home.contains("id=\"defer-form\""), "no date to move yet: {home}");
    // Someone else in the area: no card, no link.
    let them = app.sign_in(&other.email).await;
    let (_, home) = them.get("/").await;
    assert!(!home.contains("monitoring-action") && !home.contains("/monitoring/cases/"), "{home}");

    // A time proposed: told again, and the card says what to do by when, in London time in words.
    let at = slot();
    propose(&app, case.id, at).await;
    let notes = monitoring_notes(&app, case.person_id).await;
    assert!(notes.iter().any(|n| n.kind == custodian_store::monitoring::NOTIFY_SLOT), "{notes:?}");
    let (_, home) = me.get("/").await;
    let due = format!("Action needed by {}", guide::in_words(at));
    assert!(home.contains(&due), "{due} in {home}");
    assert!(home.contains("the Professional Standards Department"), "where: {home}");
    assert!(home.contains("id=\"defer-form\""), "{home}");
    // The case page they see: what to do in words; the clause after it, collapsed; no UTC, no
    // stored tuples.
    let page = me.get_ok(&format!("/monitoring/cases/{}", case.id)).await;
    assert!(page.contains(&due) && page.contains("id=\"clause-5-4\""), "{page}");
    assert!(page.find(&due) < page.find("id=\"clause-5-4\""), "the task comes before the clause");
    assert!(!page.contains("UTC") && !page.contains("slot: ["), "{page}");
    assert!(page.contains(&format!("time proposed: {}", guide::in_words(at))), "{page}");
    // Once the case is over the link goes.
    let psd = app.api(&app.token("A1012").await);
    let (s, r) = psd
        .post(&format!("/monitoring/cases/{}/steps", case.id), json!({"step": "withdraw", "reason": "long-term sick"}))
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, home) = me.get("/").await;
    assert!(!home.contains(&format!("/monitoring/cases/{}", case.id)), "{home}");
    app.stop().await;
}
on_both!(the_person_selected_is_notified_with_the_draw_and_only_they_see_the_card);

async fn a_deferral_from_the_card_is_checked_audited_and_only_the_persons_own(b: Backend) {
    let app = spawn_seeded(b).await;
    drawn_round(&app).await;
    let case = app.store().monitoring_cases(&Default::default()).await.unwrap().remove(0);
    let at = slot();
    propose(&app, case.id, at).await;
    let defer = format!("/monitoring/cases/{}/defer", case.id);
    let later = guide::local_input(at + Duration::days(3));

    // Someone else cannot ask for another date on this case, nor see the form.
    let other = app.sign_in(&bystander(&app, &case.staff_number).await.email).await;
    assert_eq!(other.get(&defer).await.0, 403);
    assert_eq!(other.post(&defer, &[("to", &later), ("reason", "not mine")]).await.0, 403);
    let still = app.store().monitoring_case(case.id).await.unwrap().unwrap();
    assert_eq!((still.state.slot, still.state.deferred), (Some(at), false));

    // Bad input: the same page again, with the error summary linking to the field, and what was
    // typed kept.
    let me = app.sign_in(&app.person(&case.staff_number).await.email).await;
    let (s, page) = me.post(&defer, &[("to", &later), ("reason", "  ")]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("govuk-error-summary") && page.contains("href=\"#reason\""), "{page}");
    // The date typed is kept, in the GOV.UK date input's boxes (day, month, year, London time).
    let (day, time) = later.split_once('T').unwrap();
    let mut ymd = day.split('-').map(|p| p.trim_start_matches('0'));
    let (y, m, d) = (ymd.next().unwrap(), ymd.next().unwrap(), ymd.next().unwrap());
    for (id, v) in [("to-day", d), ("to-month", m), ("to-year", y), ("to-time", time)] {
        assert!(page.contains(&format!("id=\"{id}\" name=\"{id}\"")), "{id}: {page}");
        assert!(page.contains(&format!("value=\"{v}\"")), "{id} {v}: {page}");
    }
    assert!(page.contains("id=\"reason\""), "{page}");
    // Beyond the round's 7-day window: refused, naming the date field.
    let too_late = guide::local_input(at + Duration::days(9));
    let (s, page) = me.post(&defer, &[("to", &too_late), ("reason", "on leave")]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("href=\"#to-day\"") && page.contains("at most 7 days"), "{page}");
    assert!(page.contains("on leave"), "the reason is kept: {page}");

    // From the card: the date moves, once, and the step is in the audit log with its clause.
    let (s, _) = me.post(&defer, &[("to", &later), ("reason", "On annual leave that week")]).await;
    assert_eq!(s, 303);
    let c = app.store().monitoring_case(case.id).await.unwrap().unwrap();
    assert_eq!((c.state.slot, c.state.deferred), (Some(at + Duration::days(3)), true));
    let events =
        app.store().audit_page(Some(&format!("monitoring_case:{}", case.id)), None, 1, 100).await.unwrap().items;
    let e = events.iter().find(|e| e.action == "monitoring.case.defer").expect("the deferral is audited");
    assert_eq!(e.clause.as_deref(), Some("5.4"));
    assert_eq!(e.justification.as_deref(), Some("On annual leave that week"));
    assert_eq!(e.actor, format!("person:{}", case.staff_number));
    // The card now says the one change is used, and offers no second.
    let (_, home) = me.get("/").await;
    assert!(home.contains("already moved the date once") && !home.contains("id=\"defer-form\""), "{home}");
    assert!(home.contains(&guide::in_words(at + Duration::days(3))), "{home}");
    let (s, page) = me.post(&defer, &[("to", &later), ("reason", "again")]).await;
    assert_eq!(s, 422, "{page}");
    app.stop().await;
}
on_both!(a_deferral_from_the_card_is_checked_audited_and_only_the_persons_own);

/// The (label, number) rows of the table inside the chart whose element id is `id`.
fn chart_table(page: &str, id: &str) -> Vec<(String, i64)> {
    let start = page.find(&format!("id=\"{id}-table\"")).unwrap_or_else(|| panic!("no {id} table in {page}"));
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    table
        .split("<th scope=\"row\" class=\"govuk-table__header\">")
        .skip(1)
        .map(|r| {
            let (label, rest) = r.split_once("</th>").unwrap();
            let n = rest.split('>').nth(1).unwrap().split('<').next().unwrap();
            (label.to_string(), n.parse().unwrap())
        })
        .collect()
}

async fn the_charts_show_their_numbers_as_a_table_and_say_when_there_is_nothing(b: Backend) {
    let app = spawn_seeded(b).await;
    let psd = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    // No round drawn: a sentence, not a chart of zeros.
    let (_, page) = psd.get("/monitoring").await;
    assert!(page.contains("No monitoring cases in this period"), "{page}");
    assert!(!page.contains("chart-cases-by-stage-table"), "{page}");

    drawn_round(&app).await;
    let (_, page) = psd.get("/monitoring").await;
    let counts = app.store().monitoring_counts(OffsetDateTime::now_utc()).await.unwrap();
    let expected: Vec<(String, i64)> = counts
        .by_stage
        .iter()
        .map(|(s, n)| (custodian_domain::monitoring::Stage::parse(s).unwrap().label().to_string(), *n))
        .collect();
    assert_eq!(chart_table(&page, "chart-cases-by-stage"), expected);
    assert!(expected.iter().any(|(_, n)| *n == 1), "{expected:?}");
    assert!(!page.contains("No monitoring cases in this period"));

    // The home page's register charts, for someone who may list devices.
    let ds = app.sign_in(&app.person("A1002").await.email).await;
    let (_, home) = ds.get("/").await;
    let c = app.store().counts(None).await.unwrap();
    let expected: Vec<(String, i64)> = custodian_domain::devices::DeviceStatus::ALL
        .iter()
        .map(|s| {
            let n = c.devices_by_status.iter().find(|(k, _)| k == s.as_str()).map_or(0, |(_, n)| *n);
            (s.label().to_string(), n)
        })
        .collect();
    assert_eq!(chart_table(&home, "chart-devices-by-status"), expected);
    assert!(expected.iter().map(|(_, n)| n).sum::<i64>() > 0);
    app.stop().await;
}
on_both!(the_charts_show_their_numbers_as_a_table_and_say_when_there_is_nothing);

/// On a 390 x 844 phone: the person selected signs in and sees the card, in words, without
/// sideways scrolling and in text of at least 16 px; the monitoring chart's labels are at least
/// 16 px on the phone and at 1280 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_on_a_phone_the_person_selected_sees_what_to_do() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = spawn_seeded(Backend::Sqlite).await;
    drawn_round(&app).await;
    let case = app.store().monitoring_cases(&Default::default()).await.unwrap().remove(0);
    let at = slot();
    propose(&app, case.id, at).await;
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    crate::support::browser_sign_in(c, &app.base, &app.person(&case.staff_number).await.email).await;
    let heading = c.find(Locator::Id("monitoring-action-heading")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, format!("Action needed by {}", guide::in_words(at)));
    let px = |v: Value| v.as_str().unwrap().trim_end_matches("px").parse::<f64>().unwrap();
    let size = c
        .execute("return getComputedStyle(document.querySelector('#monitoring-action-steps li')).fontSize;", vec![])
        .await
        .unwrap();
    assert!(px(size.clone()) >= 16.0, "{size}");
    let fits = c.execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await.unwrap();
    assert!(fits[0].as_i64().unwrap() <= fits[1].as_i64().unwrap(), "the page fits the phone: {fits}");
    assert!(c.find(Locator::Id("defer-form")).await.is_ok());
    // The navigation links to the case.
    let link = c.find(Locator::Css(&format!("a[href='/monitoring/cases/{}']", case.id))).await;
    assert!(link.is_ok(), "a Monitoring link to the case");

    crate::support::browser_sign_out(c).await;
    crate::support::browser_sign_in(c, &app.base, "niamh.doherty@warwickshire.police.example").await;
    for width in [390, 1280] {
        c.set_window_size(width, 900).await.unwrap();
        c.goto(&format!("{}/monitoring", app.base)).await.unwrap();
        let size = c
            .execute("return getComputedStyle(document.querySelector('.app-chart__label')).fontSize;", vec![])
            .await
            .unwrap();
        assert!(px(size.clone()) >= 16.0, "chart labels at {width} px: {size}");
    }
    browser.close().await;
    app.stop().await;
}
