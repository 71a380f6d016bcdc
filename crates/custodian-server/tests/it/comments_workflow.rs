//! The routing and workflow of public comments (WP034 6.7, 6.8, 8.2): wellbeing cases for the
//! named person's line manager, Resolution Centre referrals and their outcomes, Corporate
//! Communications' advice and actions after the evidence, the owning team's reply queue with its
//! service levels, and the out-of-hours rota.
//!
//! Kwame Mensah (A1016) manages Response Policing North, which runs facebook WarksNorth; Laura
//! Fenwick (A1017) is an officer there whose line manager is Kwame, and she is an authorised user
//! of the account. Corporate Communications: Priya Raman (A1003), Eleanor Pryce (A1009).
//! Megan Ashworth (A1019) is in the Resolution Centre. Jack Thornton (A1018) manages nobody.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::comments::{add_account, comment, jsonl};
use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};
use custodian_store::Actor;

async fn app_with_account(b: Backend) -> TestApp {
    let app = spawn_seeded(b).await;
    add_account(&app).await;
    app
}

async fn import_at(app: &TestApp, items: &[Value], now: OffsetDateTime) {
    custodian_server::comments::import(app.store(), &Actor::cli(), now, &jsonl(items)).await.unwrap();
}

/// The seeded app with the account, after importing `(platform id, text)` comments in office
/// hours.
async fn app_with_comments(b: Backend, comments: &[(&str, &str)]) -> TestApp {
    let app = app_with_account(b).await;
    let items: Vec<Value> = comments.iter().map(|(id, text)| comment(id, text)).collect();
    import_at(&app, &items, IN_HOURS).await;
    app
}

/// Whether the person with staff number `sn` was sent a notification of `kind`.
async fn told(app: &TestApp, sn: &str, kind: &str) -> bool {
    kinds(app, sn).await.iter().any(|k| k == kind)
}

/// Asserts that a write answered 422 naming `field`.
fn refused_naming((status, body): (u16, Value), field: &str) {
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains(field), "{field}: {body}");
}

async fn kinds(app: &TestApp, sn: &str) -> Vec<String> {
    let p = app.person(sn).await;
    app.store().notifications(p.id, 100).await.unwrap().into_iter().map(|n| n.kind).collect()
}

/// Friday 4 December 2026, 10:00 in London: office hours.
const IN_HOURS: OffsetDateTime = datetime!(2026-12-04 10:00 UTC);
/// Saturday 5 December 2026, 22:00 in London.
const OUT_OF_HOURS: OffsetDateTime = datetime!(2026-12-05 22:00 UTC);

async fn a_comment_naming_an_officer_opens_a_wellbeing_case_for_their_line_manager_only(b: Backend) {
    let app = app_with_comments(b, &[("w-1", "PC Fenwick is a useless fat pr*ck")]).await;

    // The line manager sees the case; the affected person is told; nobody else sees it.
    let kwame = app.api(&app.token("A1016").await);
    let (s, cases) = kwame.get("/comments/wellbeing").await;
    assert_eq!(s, 200, "{cases}");
    let cases = cases.as_array().unwrap().clone();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0]["person_staff_number"], "A1017");
    assert_eq!(cases[0]["status"], "open");
    assert_eq!(cases[0]["matched"], "pc Fenwick");
    // Due two working days later (the pack): Friday 10:00 to Tuesday 10:00.
    assert_eq!(cases[0]["due_at"], "2026-12-08T10:00:00Z");
    let id = cases[0]["id"].as_str().unwrap().to_string();
    assert!(told(&app, "A1017", "comment.wellbeing_told").await);
    assert!(told(&app, "A1016", "comment.wellbeing").await);
    for sn in ["A1018", "A1003", "A1019", "A1017"] {
        let (s, other) = app.api(&app.token(sn).await).get("/comments/wellbeing").await;
        assert_eq!((s, other.as_array().map(Vec::len)), (200, Some(0)), "{sn}: {other}");
        let (s, _) = app
            .api(&app.token(sn).await)
            .post(&format!("/comments/wellbeing/{id}/close"), json!({"support": "x"}))
            .await;
        assert_eq!(s, 403, "{sn} may not close Laura's case");
    }
    let page = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    assert_eq!(page.get(&format!("/comments/wellbeing/{id}")).await.0, 403);

    // The line manager records the support given; a blank one is refused naming the field.
    refused_naming(kwame.post(&format!("/comments/wellbeing/{id}/close"), json!({"support": "  "})).await, "support");
    let (s, e) = kwame
        .post(
            &format!("/comments/wellbeing/{id}/close"),
            json!({"support": "Spoke with Laura; offered the wellbeing service."}),
        )
        .await;
    assert_eq!(s, 204, "{e}");
    let (s, _) = kwame.post(&format!("/comments/wellbeing/{id}/close"), json!({"support": "again"})).await;
    assert_eq!(s, 409);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.wellbeing_opened'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.wellbeing_closed'").await, 1);
    let manager = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let html = manager.get_ok(&format!("/comments/wellbeing/{id}")).await;
    assert!(html.contains("offered the wellbeing service"), "{html}");

    // Criticism of the force names nobody: no case.
    import_at(&app, &[comment("w-2", "Your officers are useless and this force is a joke")], IN_HOURS).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_wellbeing_cases").await, 1);
}
on_both!(a_comment_naming_an_officer_opens_a_wellbeing_case_for_their_line_manager_only);

async fn a_comment_abusing_a_registered_officer_by_surname_alone_opens_their_line_managers_case(b: Backend) {
    // WP034 8.2: abuse of an identifiable officer. The triage knows the register's names, so
    // "Fenwick" alone names Laura Fenwick (A1017), whose line manager is Kwame (A1016).
    let app =
        app_with_comments(b, &[("s-1", "Fenwick is a useless fat pr*ck and everyone on the estate knows it")]).await;
    assert!(abuse_staff(&app, "s-1").await);
    let kwame = app.api(&app.token("A1016").await);
    let (s, cases) = kwame.get("/comments/wellbeing").await;
    assert_eq!(s, 200, "{cases}");
    let cases = cases.as_array().unwrap().clone();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0]["person_staff_number"], "A1017");
    assert_eq!(cases[0]["matched"], "surname Fenwick");
    assert!(told(&app, "A1016", "comment.wellbeing").await);
    assert!(told(&app, "A1017", "comment.wellbeing_told").await);

    // A name that is also a common word (Helen Marsh, A1001) names nobody alone; a member of the
    // public's handle names nobody either.
    import_at(
        &app,
        &[
            comment("s-2", "The marsh by the canal is a useless dump, full of idiots on bikes"),
            comment("s-3", "@LauraFenwick you absolute clown"),
        ],
        IN_HOURS,
    )
    .await;
    for id in ["s-2", "s-3"] {
        assert!(!abuse_staff(&app, id).await, "{id}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_wellbeing_cases").await, 1);

    // The register is read at every triage: an officer added after the first import is known to
    // the next one.
    let people = format!(
        "{}A1021,Tom Grint,tom.grint@warwickshire.police.example,officer,Response Policing North,A1016,,active,\n",
        PEOPLE_HEADER
    );
    custodian_server::imports::import_people(app.store(), &Actor::system(), IN_HOURS, people.as_bytes(), false)
        .await
        .unwrap();
    import_at(&app, &[comment("s-4", "grint is a coward with a badge, proper little bully")], IN_HOURS).await;
    assert!(abuse_staff(&app, "s-4").await);
    let (_, cases) = kwame.get("/comments/wellbeing").await;
    let staff: Vec<&str> = cases.as_array().unwrap().iter().filter_map(|c| c["person_staff_number"].as_str()).collect();
    assert!(staff.contains(&"A1021"), "{cases}");
}
on_both!(a_comment_abusing_a_registered_officer_by_surname_alone_opens_their_line_managers_case);

const PEOPLE_HEADER: &str = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";

/// Whether the triage labelled a stored comment (by its platform id) abuse of staff.
async fn abuse_staff(app: &TestApp, external_id: &str) -> bool {
    app.count(&format!(
        "SELECT COUNT(*) FROM comment_labels l JOIN comments c ON c.id = l.comment_id \
         WHERE c.external_id = '{external_id}' AND l.label = 'abuse_staff'"
    ))
    .await
        > 0
}

async fn hate_and_threats_are_referred_to_the_resolution_centre_who_record_the_outcome(b: Backend) {
    let app = app_with_comments(
        b,
        &[
            ("r-1", "Send them all back home, dirty p*kis. I'll burn their shop down"),
            ("r-2", "What time does the front counter at Leamington open on Saturdays?"),
        ],
    )
    .await;
    let rc = app.api(&app.token("A1019").await);
    let (s, out) = rc.get("/comments/referrals").await;
    assert_eq!(s, 200, "{out}");
    let referrals = out["referrals"].as_array().unwrap().clone();
    assert_eq!(referrals.len(), 1, "only the hateful, threatening comment: {out}");
    let r = &referrals[0];
    assert_eq!(r["strands"], json!(["hate.race", "threat"]));
    // The evidence it carries is the comment's snapshot.
    let evidence: String = app
        .count("SELECT COUNT(*) FROM comment_referrals r JOIN comment_evidence e ON e.id = r.evidence_id")
        .await
        .to_string();
    assert_eq!(evidence, "1");
    let counts = out["counts"].as_array().unwrap();
    assert!(counts.contains(&json!({"month": "2026-12", "label": "hate.race", "count": 1})), "{counts:?}");
    assert!(counts.contains(&json!({"month": "2026-12", "label": "threat", "count": 1})), "{counts:?}");
    assert!(told(&app, "A1019", "comment.referral").await);
    let id = r["id"].as_str().unwrap().to_string();

    // The Resolution Centre sees referrals only, not the other comments.
    let comment_id = r["comment_id"].as_str().unwrap();
    assert_eq!(rc.get(&format!("/comments/{comment_id}/evidence")).await.0, 403);
    let page = app.sign_in("megan.ashworth@warwickshire.police.example").await;
    assert_eq!(page.get("/comments").await.0, 403);
    let html = page.get_ok("/comments/referrals").await;
    assert!(html.contains("Show as a table"), "the chart has its table");
    let html = page.get_ok(&format!("/comments/referrals/{id}")).await;
    assert!(html.contains("decide-form"));

    // Corporate Communications see it but do not decide it.
    let cc = app.api(&app.token("A1003").await);
    assert_eq!(cc.get("/comments/referrals").await.0, 200);
    let (s, _) = cc.post(&format!("/comments/referrals/{id}/outcome"), json!({"outcome": "no_crime"})).await;
    assert_eq!(s, 403);

    // A recorded crime needs its reference; a bad outcome is named.
    refused_naming(
        rc.post(&format!("/comments/referrals/{id}/outcome"), json!({"outcome": "crime_recorded"})).await,
        "crime_reference",
    );
    refused_naming(rc.post(&format!("/comments/referrals/{id}/outcome"), json!({"outcome": "maybe"})).await, "outcome");
    let (s, e) = rc
        .post(
            &format!("/comments/referrals/{id}/outcome"),
            json!({"outcome": "crime_recorded", "crime_reference": "23/123456/26", "note": "Recorded as racially aggravated"}),
        )
        .await;
    assert_eq!(s, 204, "{e}");
    let (s, _) = rc.post(&format!("/comments/referrals/{id}/outcome"), json!({"outcome": "no_crime"})).await;
    assert_eq!(s, 409);
    let (_, out) = rc.get("/comments/referrals").await;
    assert_eq!(out["referrals"][0]["outcome"], "crime_recorded");
    assert_eq!(out["referrals"][0]["crime_reference"], "23/123456/26");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.referral_decided'").await, 1);
}
on_both!(hate_and_threats_are_referred_to_the_resolution_centre_who_record_the_outcome);

async fn corporate_communications_are_alerted_and_act_only_after_the_evidence(b: Backend) {
    let app = app_with_comments(
        b,
        &[("a-1", "PC Smith is a useless fat pr*ck"), ("a-2", "Thanks for the update, stay safe out there")],
    )
    .await;
    // Every Corporate Communications officer is alerted to the labelled comment, not the other.
    for sn in ["A1003", "A1009", "A1010"] {
        let k = kinds(&app, sn).await;
        assert_eq!(k.iter().filter(|k| *k == "comment.labelled").count(), 1, "{sn}: {k:?}");
    }
    let labelled = app.store().comments(&Default::default()).await.unwrap();
    let abuse = labelled.iter().find(|c| c.external_id == "a-1").unwrap().id;
    let plain = labelled.iter().find(|c| c.external_id == "a-2").unwrap().id;
    let cc = app.api(&app.token("A1003").await);

    // Advice and action on the labelled comment point at its evidence.
    let (s, rec) = cc
        .post(
            &format!("/comments/{abuse}/actions"),
            json!({"action": "hide", "advice": "Hide it and keep the evidence."}),
        )
        .await;
    assert_eq!(s, 201, "{rec}");
    let (_, e) = app.store().comment(abuse).await.unwrap().unwrap();
    assert_eq!(rec["evidence_id"], json!(e.unwrap().id));

    // The unlabelled comment had no evidence: acting on it keeps the evidence first, in the same
    // transaction (the evidence event precedes the action's in the log).
    assert!(app.store().comment(plain).await.unwrap().unwrap().1.is_none());
    let (s, rec) =
        cc.post(&format!("/comments/{plain}/actions"), json!({"action": "reply", "advice": "Thank them."})).await;
    assert_eq!(s, 201, "{rec}");
    let (_, e) = app.store().comment(plain).await.unwrap().unwrap();
    assert_eq!(rec["evidence_id"], json!(e.unwrap().id));
    let seqs = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON a.subject = b.subject \
             WHERE a.subject = 'comment:{plain}' AND a.action = 'comment.evidence_kept' \
             AND b.action = 'comment.action_recorded' AND a.seq < b.seq"
        ))
        .await;
    assert_eq!(seqs, 1);

    // Bad input is named; others may not act.
    refused_naming(
        cc.post(&format!("/comments/{abuse}/actions"), json!({"action": "shout", "advice": "x"})).await,
        "action",
    );
    refused_naming(
        cc.post(&format!("/comments/{abuse}/actions"), json!({"action": "hide", "advice": ""})).await,
        "advice",
    );
    for sn in ["A1016", "A1019"] {
        let (s, _) = app
            .api(&app.token(sn).await)
            .post(&format!("/comments/{abuse}/actions"), json!({"action": "hide", "advice": "x"}))
            .await;
        assert_eq!(s, 403, "{sn}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM comment_actions").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.action_recorded'").await, 2);
    let page = app.sign_in("priya.raman@warwickshire.police.example").await;
    let html = page.get_ok(&format!("/comments/{abuse}")).await;
    assert!(html.contains("Hide it and keep the evidence."), "{html}");
}
on_both!(corporate_communications_are_alerted_and_act_only_after_the_evidence);

async fn questions_and_emergencies_join_the_owning_teams_queue_with_their_service_levels(b: Backend) {
    let app = app_with_comments(
        b,
        &[
            ("q-1", "What time does the front counter at Leamington open on Saturdays?"),
            ("q-2", "There is a man with a knife outside my house right now, please help"),
            ("q-3", "Thanks for the update, stay safe out there"),
        ],
    )
    .await;
    // The team manager and the authorised user see the queue; someone else sees nothing.
    let kwame = app.api(&app.token("A1016").await);
    let (s, q) = kwame.get("/comments/replies").await;
    assert_eq!(s, 200, "{q}");
    let q = q.as_array().unwrap().clone();
    assert_eq!(q.len(), 2, "{q:?}");
    // Most urgent first: the emergency is due in 15 minutes with the 999 reply.
    assert_eq!(q[0]["label"], "emergency");
    assert_eq!(q[0]["due_at"], "2026-12-04T10:15:00Z");
    assert!(q[0]["suggested"].as_str().unwrap().contains("999"));
    assert_eq!(q[1]["label"], "question");
    assert_eq!(q[1]["due_at"], "2026-12-07T10:00:00Z", "one working day after a Friday is the Monday");
    let (_, laura) = app.api(&app.token("A1017").await).get("/comments/replies").await;
    assert_eq!(laura.as_array().unwrap().len(), 2);
    let (_, jack) = app.api(&app.token("A1018").await).get("/comments/replies").await;
    assert_eq!(jack.as_array().unwrap().len(), 0);
    let (_, cc) = app.api(&app.token("A1003").await).get("/comments/replies").await;
    assert_eq!(cc.as_array().unwrap().len(), 2);

    // Overdue replies are on the team's page (the server's clock is past 2026-12-04 10:15).
    let page = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let html = page.get_ok("/comments/replies").await;
    assert!(html.contains("id=\"overdue\""), "{html}");
    assert!(html.contains("Overdue"));

    // Marking a reply sent: the team only, once, with the text; audited.
    let id = q[0]["id"].as_str().unwrap().to_string();
    let (s, _) =
        app.api(&app.token("A1018").await).post(&format!("/comments/replies/{id}/sent"), json!({"reply": "x"})).await;
    assert_eq!(s, 403);
    refused_naming(kwame.post(&format!("/comments/replies/{id}/sent"), json!({"reply": ""})).await, "reply");
    let (s, e) = app
        .api(&app.token("A1017").await)
        .post(&format!("/comments/replies/{id}/sent"), json!({"reply": "Please call 999 now."}))
        .await;
    assert_eq!(s, 204, "{e}");
    let (s, _) = kwame.post(&format!("/comments/replies/{id}/sent"), json!({"reply": "again"})).await;
    assert_eq!(s, 409);
    let (_, q) = kwame.get("/comments/replies").await;
    let sent = q.as_array().unwrap().iter().find(|r| r["id"] == json!(id)).unwrap().clone();
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["reply"], "Please call 999 now.");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.reply_sent'").await, 1);
}
on_both!(questions_and_emergencies_join_the_owning_teams_queue_with_their_service_levels);

async fn out_of_hours_emergencies_and_threats_go_to_the_person_on_call(b: Backend) {
    let app = app_with_account(b).await;
    let cc = app.sign_in("priya.raman@warwickshire.police.example").await;
    // The rota: Eleanor on call over the weekend; a person outside Corporate Communications is
    // refused naming the field.
    let (s, html) = cc
        .post(
            "/comments/rota",
            &[
                ("person", "A1009"),
                ("starts_at", "2026-12-04T18:00"),
                ("ends_at", "2026-12-07T08:00"),
                ("handover", "Quiet week; watch the Leamington post"),
            ],
        )
        .await;
    assert!(s == 303 || s == 200, "{s} {html}");
    let (s, html) = cc
        .post(
            "/comments/rota",
            &[("person", "A1017"), ("starts_at", "2026-12-07T18:00"), ("ends_at", "2026-12-08T08:00")],
        )
        .await;
    assert!(s == 303 || s == 422 || s == 200, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comms_rota").await, 1, "{html}");
    let (s, html) = cc
        .post(
            "/comments/rota",
            &[("person", "A1010"), ("starts_at", "2026-12-08T18:00"), ("ends_at", "2026-12-08T08:00")],
        )
        .await;
    assert!(s == 303 || s == 422 || s == 200, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comms_rota").await, 1, "{html}");
    // Who is on call on Saturday night, and at 18:00 Friday London time (GMT in December).
    let on_call = app.store().on_call(OUT_OF_HOURS).await.unwrap().unwrap();
    assert_eq!(on_call.staff_number, "A1009");
    assert_eq!(on_call.starts_at, datetime!(2026-12-04 18:00 UTC));
    assert!(app.store().on_call(datetime!(2026-12-04 17:59 UTC)).await.unwrap().is_none());

    // A threat on Saturday night goes to Eleanor; a question does not; in office hours nobody on
    // call is told.
    import_at(&app, &[comment("o-1", "Send them all back home, dirty p*kis. I'll burn their shop down")], OUT_OF_HOURS)
        .await;
    import_at(
        &app,
        &[comment("o-2", "What time does the front counter at Leamington open on Saturdays?")],
        OUT_OF_HOURS,
    )
    .await;
    import_at(&app, &[comment("o-3", "There is a man with a knife outside my house right now, please help")], IN_HOURS)
        .await;
    let k = kinds(&app, "A1009").await;
    assert_eq!(k.iter().filter(|k| *k == "comment.out_of_hours").count(), 1, "{k:?}");
    assert!(!told(&app, "A1010", "comment.out_of_hours").await);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.on_call_alerted'").await, 1);
    // The e-mail it owes is queued with the notification.
    assert!(app.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'comment.out_of_hours'").await >= 1);

    // The rota page shows the shifts; the Resolution Centre may not see it.
    let html = cc.get_ok("/comments/rota").await;
    assert!(html.contains("id=\"on-call\""));
    let rc = app.sign_in("megan.ashworth@warwickshire.police.example").await;
    assert_eq!(rc.get("/comments/rota").await.0, 403);
}
on_both!(out_of_hours_emergencies_and_threats_go_to_the_person_on_call);

/// In a real browser: comments arrive through the signed webhook; Corporate Communications find
/// the evidence kept; the line manager records the support given on the wellbeing case; the
/// Resolution Centre record a crime with its reference; the team marks the reply sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_a_comment_is_kept_supported_referred_and_answered() {
    use fantoccini::Locator;
    let Some(browser) = crate::browser::start().await else { return };
    let app = crate::support::spawn_with(Backend::Sqlite, |s| {
        s.comment_sources.insert("orlo".into(), "browser-secret".into());
    })
    .await;
    app.seed().await;
    let csv = "platform,handle,url,team,team_manager,kind,profile,authorised_users\n\
               facebook,WarksNorth,https://facebook.com/WarksNorth,Response Policing North,A1016,departmental,Emergencies 999; report crime on 101,A1017\n";
    custodian_server::social_accounts::import(app.store(), &Actor::cli(), OffsetDateTime::now_utc(), csv.as_bytes())
        .await
        .unwrap();
    // Comment in: three deliveries through the signed webhook.
    let mut ids = Vec::new();
    for (id, text) in [
        ("b-1", "PC Fenwick is a useless fat pr*ck"),
        ("b-2", "Send them all back home, dirty p*kis. I'll burn their shop down"),
        ("b-3", "What time does the front counter at Leamington open on Saturdays?"),
    ] {
        let body = comment(id, text).to_string();
        let ts = OffsetDateTime::now_utc().unix_timestamp().to_string();
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/comments", app.base))
            .header("content-type", "application/json")
            .header("x-custodian-source", "orlo")
            .header("x-custodian-timestamp", &ts)
            .header("x-custodian-signature", custodian_server::comments::sign("browser-secret", &ts, body.as_bytes()))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: Value = r.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let c = &browser.client;

    // Corporate Communications: the evidence was kept on arrival.
    crate::support::browser_sign_in(c, &app.base, "priya.raman@warwickshire.police.example").await;
    c.goto(&format!("{}/comments/{}", app.base, ids[0])).await.unwrap();
    let evidence = c.find(Locator::Id("evidence")).await.unwrap().text().await.unwrap();
    assert!(evidence.contains("still matches"), "{evidence}");
    crate::support::browser_sign_out(c).await;

    // The line manager: the wellbeing case, support recorded, closed.
    crate::support::browser_sign_in(c, &app.base, "kwame.mensah@warwickshire.police.example").await;
    c.goto(&format!("{}/comments/wellbeing", app.base)).await.unwrap();
    c.find(Locator::Css("#cases a")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Id("support"))
        .await
        .unwrap()
        .send_keys("Spoke with Laura after her shift.")
        .await
        .unwrap();
    c.find(Locator::Id("close-case")).await.unwrap().click().await.unwrap();
    let status = crate::browser::text_when(c, Locator::Id("case-status"), |t| t.starts_with("Closed")).await;
    assert!(status.starts_with("Closed"), "{status}");
    crate::support::browser_sign_out(c).await;

    // The Resolution Centre: the referral decided, a crime recorded with its reference.
    crate::support::browser_sign_in(c, &app.base, "megan.ashworth@warwickshire.police.example").await;
    c.goto(&format!("{}/comments/referrals", app.base)).await.unwrap();
    c.find(Locator::Css("#referrals a")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("outcome-crime_recorded")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("crime_reference")).await.unwrap().send_keys("23/000777/26").await.unwrap();
    c.find(Locator::Id("record-outcome")).await.unwrap().click().await.unwrap();
    let outcome =
        crate::browser::text_when(c, Locator::Id("referral-outcome"), |t| t.starts_with("Crime recorded")).await;
    assert!(outcome.contains("23/000777/26"), "{outcome}");
    crate::support::browser_sign_out(c).await;

    // The team: the reply, prefilled with the pack's suggestion, marked sent.
    crate::support::browser_sign_in(c, &app.base, "laura.fenwick@warwickshire.police.example").await;
    c.goto(&format!("{}/comments/replies", app.base)).await.unwrap();
    let waiting = c.find(Locator::Css("#waiting textarea")).await.unwrap();
    assert!(!waiting.prop("value").await.unwrap().unwrap_or_default().is_empty(), "the suggested reply is filled in");
    c.find(Locator::Css("#waiting button")).await.unwrap().click().await.unwrap();
    let sent = crate::browser::text_when(c, Locator::Id("sent"), |t| !t.is_empty()).await;
    assert!(sent.contains("front counter"), "{sent}");
    browser.close().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'comment.reply_sent'").await, 1);
    app.stop().await;
}
