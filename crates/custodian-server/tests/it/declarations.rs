//! Declarations of notifiable associations and reports to Professional Standards (WP034 7.3,
//! 8.1): need-to-know (the declarant and the assessors; PSD only for their categories; a line
//! manager and a Head of Department refused), every assessor's view logged with its reason, the
//! assessment recorded once and audited, the annual re-declaration as a campaign; a report seen
//! only by PSD and its reporter, its evidence typed by its bytes and hashed, its triage audited.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::on_both;
use crate::support::{Backend, spawn_seeded};
use custodian_store::Actor;

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

async fn a_declaration_is_seen_by_its_declarant_and_assessors_only(b: Backend) {
    let app = spawn_seeded(b).await;
    // Laura Fenwick (A1017), an officer; her line manager Kwame Mensah (A1016); the Head of
    // Department Helen Marsh (A1001); the Force Vetting Unit's Fiona Gallagher (A1014); PSD's
    // Niamh Doherty (A1012).
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let (s, _) = laura
        .post(
            "/declarations",
            &[("platform", "LinkedIn"), ("counterpart", ""), ("nature", "x"), ("category", "media_investigators")],
        )
        .await;
    assert!(s == 303 || s == 422, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM association_declarations").await, 0, "a refused form writes nothing");
    let (s, _) = laura
        .post(
            "/declarations",
            &[("platform", "LinkedIn"), ("counterpart", "J Smith"), ("nature", "x"), ("category", "astrology")],
        )
        .await;
    assert!(s == 303 || s == 422, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM association_declarations").await, 0, "an unknown category is refused");

    let (s, _) = laura
        .post(
            "/declarations",
            &[
                ("platform", "LinkedIn"),
                ("counterpart", "Private investigator Sam Quill"),
                ("nature", "A connection from a course in 2019"),
                ("category", "media_investigators"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let api = app.api(&app.token("A1017").await);
    let (s, crime) = api
        .post(
            "/declarations",
            json!({"platform": "Facebook", "counterpart": "Cousin D. Fenwick", "nature": "Family; charged with burglary in 2026", "category": "criminality"}),
        )
        .await;
    assert_eq!(s, 201, "{crime}");
    assert_eq!(crime["psd_required"], json!(true), "the pack sends criminality to PSD");
    let (_, mine) = api.get("/declarations").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    let media = mine.as_array().unwrap().iter().find(|d| d["category"] == "media_investigators").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let crime = crime["id"].as_str().unwrap().to_owned();
    let own = laura.get_ok(&format!("/declarations/{media}")).await;
    assert!(own.contains("Private investigator Sam Quill"), "the declarant sees her own");

    // Her line manager and her Head of Department: refused, on the pages and the API, and the
    // queue is not theirs either.
    for (email, sn) in
        [("kwame.mensah@warwickshire.police.example", "A1016"), ("helen.marsh@warwickshire.police.example", "A1001")]
    {
        let s2 = app.sign_in(email).await;
        let (s, page) = s2.get(&format!("/declarations/{media}?reason=curious")).await;
        assert_eq!(s, 403, "{email}");
        assert!(!page.contains("Sam Quill"), "{email} sees nothing of it");
        let (s, _) = s2.get("/declarations/queue").await;
        assert_eq!(s, 403, "{email}");
        let (s, body) = app.api(&app.token(sn).await).get(&format!("/declarations/{crime}?reason=curious")).await;
        assert_eq!(s, 403, "{sn}: {body}");
        let (_, theirs) = app.api(&app.token(sn).await).get("/declarations").await;
        assert_eq!(theirs.as_array().map(Vec::len), Some(0), "{sn} lists only their own");
    }

    // The Force Vetting Unit: the queue shows both; opening one asks for a reason first, and the
    // view with its reason is audited.
    let fiona = app.sign_in("fiona.gallagher@warwickshire.police.example").await;
    let q = fiona.get_ok("/declarations/queue").await;
    assert!(q.contains("Laura Fenwick (A1017)"), "{q}");
    let ask = fiona.get_ok(&format!("/declarations/{media}")).await;
    assert!(ask.contains("id=\"reason-form\"") && !ask.contains("Sam Quill"), "nothing before a reason");
    let before = app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'declaration.view'").await;
    let seen = fiona.get_ok(&format!("/declarations/{media}?reason=Assessing+the+declaration")).await;
    assert!(seen.contains("Sam Quill"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'declaration.view'").await, before + 1);
    let (s, body) = app.api(&app.token("A1014").await).get(&format!("/declarations/{media}")).await;
    assert_eq!(s, 422, "the API asks an assessor for a reason too: {body}");

    // PSD: only the category that needs them.
    let fvu_only = app.api(&app.token("A1012").await);
    let q = fvu_only.get_ok("/declarations/queue").await;
    let ids: Vec<&str> = q.as_array().unwrap().iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(ids, vec![crime.as_str()], "PSD see the criminality declaration only");
    let (s, _) = fvu_only.get(&format!("/declarations/{media}?reason=checking")).await;
    assert_eq!(s, 403);
    let _ = fvu_only.get_ok(&format!("/declarations/{crime}?reason=conduct+check")).await;

    // The assessment: conditions need words; recorded once; nobody assesses their own.
    let (s, _) =
        fiona.post(&format!("/declarations/{media}/assess"), &[("outcome", "conditions"), ("conditions", " ")]).await;
    assert!(s == 303 || s == 422, "{s}");
    assert_eq!(app.store().declaration(media.parse().unwrap()).await.unwrap().unwrap().status, "submitted");
    let (s, _) = fiona
        .post(
            &format!("/declarations/{media}/assess"),
            &[("outcome", "conditions"), ("conditions", "Do not discuss casework")],
        )
        .await;
    assert_eq!(s, 303);
    let d = app.store().declaration(media.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(
        (d.status.as_str(), d.outcome.as_deref(), d.conditions.as_deref(), d.assessed_by.as_deref()),
        ("assessed", Some("conditions"), Some("Do not discuss casework"), Some("person:A1014"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'declaration.assess'").await, 1);
    let (s, body) = app
        .api(&app.token("A1014").await)
        .post(&format!("/declarations/{media}/assessment"), json!({"outcome": "no_concern"}))
        .await;
    assert_eq!(s, 409, "assessed once: {body}");
    let (s, _) = api.post(&format!("/declarations/{crime}/assessment"), json!({"outcome": "no_concern"})).await;
    assert_eq!(s, 403, "the declarant is no assessor");
    let (_, own) = laura.get(&format!("/declarations/{media}")).await;
    assert!(own.contains("Do not discuss casework"), "the declarant sees the outcome and conditions");
    // The audit log never names whom a declaration is about.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Quill%' OR detail LIKE '%Cousin%'").await,
        0
    );
    app.stop().await;
}
on_both!(a_declaration_is_seen_by_its_declarant_and_assessors_only);

async fn the_annual_redeclaration_is_a_campaign_that_a_declaration_completes(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let fiona = app.sign_in("fiona.gallagher@warwickshire.police.example").await;
    let due = now.date() + time::Duration::days(30);
    let due_form = [
        ("due_on-day", due.day().to_string()),
        ("due_on-month", u8::from(due.month()).to_string()),
        ("due_on-year", due.year().to_string()),
    ];
    let due_form: Vec<(&str, &str)> = due_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _) = fiona.post("/declarations/campaigns", &due_form).await;
    assert!(s == 303 || s == 409, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_campaigns").await, 0, "no policy in force yet: refused");
    let wp034 = custodian_domain::policy::text::parse_text(SEED).unwrap();
    app.store().policy_import(&wp034, Some("Executive Board"), Actor::system().at(now)).await.unwrap();
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let (s, _) = laura.post("/declarations/campaigns", &due_form).await;
    assert_eq!(s, 403, "only the Force Vetting Unit starts it");
    let (s, _) = fiona.post("/declarations/campaigns", &due_form).await;
    assert_eq!(s, 303);
    let campaigns = app.store().policy_campaigns().await.unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!(campaigns[0].kind, "declaration");
    let id = campaigns[0].id;
    let enrolled = app.count("SELECT COUNT(*) FROM policy_acknowledgements").await;
    let active = app.count("SELECT COUNT(*) FROM people WHERE status = 'active'").await;
    assert!(active > 10 && enrolled == active, "everyone active is enrolled: {enrolled} of {active}");
    let (_, page) = laura.get("/declarations").await;
    assert!(page.contains("id=\"redeclaration-due\""), "Laura is asked to declare");
    // The campaign's own page asks for a declaration or "nothing to declare", not an
    // acknowledgement.
    let page = laura.get_ok(&format!("/policy/campaigns/{id}")).await;
    assert!(page.contains("id=\"declare-form\"") && page.contains("id=\"nothing-to-declare\""), "{page}");
    assert!(page.contains(&format!("name=\"campaign\" value=\"{id}\"")));
    assert!(!page.contains("id=\"acknowledge\""), "a re-declaration is not acknowledged");
    // Acknowledging it without declaring is refused.
    let (s, _) = laura.post(&format!("/policy/campaigns/{id}/acknowledge"), &[]).await;
    assert!(s == 409 || s == 303, "{s}");
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_acknowledgements WHERE acknowledged_at IS NOT NULL").await, 0);
    // "Nothing to declare" completes it, and the completion counts it.
    let campaign = id.to_string();
    let sent = laura
        .http
        .post(format!("{}/declarations", laura.base))
        .form(&[("nothing", "yes"), ("campaign", campaign.as_str()), ("csrf_token", laura.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    let back = sent.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(back, format!("/policy/campaigns/{id}"), "back to the campaign's page");
    let (_, page) = laura.get(&format!("/policy/campaigns/{id}")).await;
    assert!(page.contains("id=\"declared\"") && !page.contains("id=\"nothing-to-declare\""), "{page}");
    let done: i64 = app.store().policy_campaign_completion(id).await.unwrap().iter().map(|a| a.acknowledged).sum();
    assert_eq!(done, 1);
    let (_, page) = laura.get("/declarations").await;
    assert!(!page.contains("id=\"redeclaration-due\""));
    assert!(page.contains("Nothing to declare"));
    // Reminders point at the campaign's page.
    let n = app
        .store()
        .policy_campaign_remind(id, now, 1000, Actor::system().at(now + time::Duration::seconds(1)))
        .await
        .unwrap();
    assert_eq!(i64::try_from(n).unwrap(), enrolled - 1, "everyone but Laura is reminded");
    assert_eq!(
        app.count(
            &"SELECT COUNT(*) FROM notifications WHERE link = '/policy/campaigns/{id}'".replace("{id}", &campaign)
        )
        .await,
        enrolled - 1
    );
    app.stop().await;
}
on_both!(the_annual_redeclaration_is_a_campaign_that_a_declaration_completes);

/// A report's form with its evidence files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])], csrf: &str) -> (String, Vec<u8>) {
    let mut all = vec![("csrf_token", csrf)];
    all.extend_from_slice(fields);
    let files: Vec<_> =
        files.iter().map(|(name, bytes)| ("evidence", *name, "application/octet-stream", *bytes)).collect();
    crate::support::multipart(&all, &files)
}

async fn a_report_to_psd_is_seen_by_psd_and_its_reporter_only_and_triaged(b: Backend) {
    let app = spawn_seeded(b).await;
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let send = |(content_type, body): (String, Vec<u8>)| {
        laura.http.post(format!("{}/psd-reports", laura.base)).header("content-type", content_type).body(body).send()
    };
    let fields = [
        ("what", "group_chat"),
        ("platform", "WhatsApp"),
        ("subject", "Shift group 'Team B'"),
        ("description", "Offensive memes about a member of the public, posted 2 December."),
        ("anonymous", "yes"),
    ];
    // An executable named .png is refused by its bytes; nothing is written.
    let r = send(multipart(&fields, &[("shot.png", b"MZ\x90\x00\x03\x00\x00\x00")], &laura.csrf)).await.unwrap();
    assert!(matches!(r.status().as_u16(), 303 | 422), "{}", r.status());
    assert_eq!(app.count("SELECT COUNT(*) FROM psd_reports").await, 0);
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRfake-screenshot";
    let text: &[u8] = b"Transcript: 'they deserve it' - 02/12/2026 21:14";
    let r = send(multipart(&fields, &[("screenshot.png", png), ("transcript.txt", text)], &laura.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let report: uuid::Uuid =
        app.store().reports(true).await.unwrap().first().map(|r| r.id).expect("the report was recorded");
    let files = app.store().report_evidence(report).await.unwrap();
    assert_eq!(files.len(), 2);
    let png_row = files.iter().find(|f| f.file_name == "screenshot.png").unwrap();
    assert_eq!(png_row.media_type, "image/png");
    assert_eq!(png_row.sha256, hex::encode(Sha256::digest(png)));
    assert_eq!(files.iter().find(|f| f.file_name == "transcript.txt").unwrap().media_type, "text/plain");

    // Who sees it: PSD (with the reporter), the reporter (status only), nobody else.
    let psd = app.sign_in("niamh.doherty@warwickshire.police.example").await;
    let page = psd.get_ok(&format!("/psd-reports/{report}")).await;
    assert!(page.contains("Laura Fenwick (A1017)") && page.contains("id=\"anonymous\""), "PSD always see the reporter");
    let mine = laura.get_ok(&format!("/psd-reports/{report}")).await;
    assert!(mine.contains("Received: waiting for triage"));
    for email in [
        "kwame.mensah@warwickshire.police.example",
        "helen.marsh@warwickshire.police.example",
        "fiona.gallagher@warwickshire.police.example",
    ] {
        let s2 = app.sign_in(email).await;
        let (s, page) = s2.get(&format!("/psd-reports/{report}")).await;
        assert_eq!(s, 403, "{email}");
        assert!(!page.contains("Laura Fenwick"), "{email}");
        let (s, _) = s2.get("/psd-reports/queue").await;
        assert_eq!(s, 403, "{email}");
        let (s, _) = s2.get(&format!("/psd-reports/{report}/evidence/{}", png_row.id)).await;
        assert_eq!(s, 403, "{email}");
    }
    let (_, theirs) = app.api(&app.token("A1016").await).get(&format!("/psd-reports/{report}")).await;
    assert!(theirs.get("reporter").is_none(), "{theirs}");
    let (s, own) = app.api(&app.token("A1017").await).get(&format!("/psd-reports/{report}")).await;
    assert_eq!(s, 200);
    assert!(own.get("reporter").is_none() && own.get("description").is_none(), "the reporter sees the status: {own}");
    // The evidence comes back byte for byte, to PSD.
    let r = psd.http.get(format!("{}/psd-reports/{report}/evidence/{}", psd.base, png_row.id)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), png);

    // Triage: a conduct assessment keeps it open; closing needs a note; both on the timeline
    // and in the audit log.
    let (s, _) = psd.post(&format!("/psd-reports/{report}/triage"), &[("outcome", "dismissal")]).await;
    assert!(s == 303 || s == 422, "{s}");
    let (s, _) = psd
        .post(
            &format!("/psd-reports/{report}/triage"),
            &[("outcome", "conduct_assessment"), ("note", "Assessor: DS Lloyd")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, _) = psd.post(&format!("/psd-reports/{report}/triage"), &[("outcome", "no_action")]).await;
    assert!(s == 303 || s == 409, "triaged once: {s}");
    assert_eq!(app.store().report(report).await.unwrap().unwrap().outcome.as_deref(), Some("conduct_assessment"));
    let (s, _) = psd.post(&format!("/psd-reports/{report}/close"), &[("note", "")]).await;
    assert!(s == 303 || s == 422, "{s}");
    let (s, _) = psd.post(&format!("/psd-reports/{report}/close"), &[("note", "Written warning given")]).await;
    assert_eq!(s, 303);
    let r = app.store().report(report).await.unwrap().unwrap();
    assert_eq!((r.status.as_str(), r.closed_at.is_some()), ("closed", true));
    let events: Vec<String> = app.store().report_events(report).await.unwrap().into_iter().map(|e| e.event).collect();
    assert_eq!(events, ["received", "evidence", "evidence", "triaged", "closed"]);
    for action in ["psd_report.create", "psd_report.triage", "psd_report.close"] {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }
    let (_, mine) = laura.get(&format!("/psd-reports/{report}")).await;
    assert!(mine.contains("Closed: Conduct assessment"), "the reporter follows the status");
    // A report through the API; the reporter may not triage their own, even if PSD.
    let gareth = app.api(&app.token("A1004").await);
    let (s, own) = gareth
        .post(
            "/psd-reports",
            json!({"platform": "X", "what": "post", "description": "A colleague posted an arrest photo."}),
        )
        .await;
    assert_eq!(s, 201, "{own}");
    let (s, _) = gareth
        .post(&format!("/psd-reports/{}/triage", own["id"].as_str().unwrap()), json!({"outcome": "no_action"}))
        .await;
    assert_eq!(s, 409, "nobody triages their own report");
    let (s, body) = gareth.post("/psd-reports", json!({"platform": "X", "what": "rumour", "description": "x"})).await;
    assert_eq!((s, body["errors"][0]["field"].as_str()), (422, Some("what")), "{body}");
    app.stop().await;
}
on_both!(a_report_to_psd_is_seen_by_psd_and_its_reporter_only_and_triaged);

async fn a_line_manager_sees_their_overdue_people_and_a_record_shows_acknowledgements_and_training(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let wp034 = custodian_domain::policy::text::parse_text(SEED).unwrap();
    app.store().policy_import(&wp034, Some("Executive Board"), Actor::system().at(now)).await.unwrap();
    let version = app.store().policy_in_force("WP034").await.unwrap().unwrap().id;
    let past = now - time::Duration::days(20);
    let (campaign, _) = app
        .store()
        .policy_campaign_create(
            &custodian_store::policy::NewCampaign {
                version_id: version,
                title: "WP034 version 3".into(),
                clauses: vec!["6.5".into()],
                areas: vec![],
                roles: Vec::new(),
                due_on: (now - time::Duration::days(2)).date(),
            },
            Actor::system().at(past),
        )
        .await
        .unwrap();
    let jack = app.person("A1018").await;
    app.store().policy_acknowledge(campaign.id, jack.id, Actor::system().at(now)).await.unwrap();
    let rows = vec![custodian_domain::policy::training::Attendance {
        line: 2,
        held_on: time::macros::date!(2026 - 11 - 12),
        topic: "Social media and you".into(),
        staff_number: "A1017".into(),
    }];
    app.store().training_import(&rows, Actor::system().at(now)).await.unwrap();

    // Kwame manages Laura, Jack, Megan and Ruth: Jack acknowledged, the others are overdue.
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let (s, page) = kwame.get("/policy/overdue").await;
    assert_eq!(s, 200);
    let table = page.split("id=\"overdue\"").nth(1).unwrap_or("");
    for who in ["Laura Fenwick (A1017)", "Megan Ashworth (A1019)", "Ruth Oyelaran (A1020)"] {
        assert!(table.contains(who), "{who}: {table}");
    }
    assert!(!table.contains("Jack Thornton"), "Jack acknowledged");
    assert!(!table.contains("Daniel Okafor"), "only Kwame's own people");
    // Someone who manages nobody sees nobody.
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let (_, page) = laura.get("/policy/overdue").await;
    assert!(page.contains("id=\"none-overdue\""));
    // Laura's record: the overdue acknowledgement and the training, together.
    let page = laura.get_ok("/policy/record").await;
    let record = page.split("id=\"policy-record\"").nth(1).unwrap_or("");
    assert!(record.contains("WP034 version 3") && record.contains("Overdue"), "{record}");
    assert!(record.contains("Training: Social media and you") && record.contains("12 November 2026"), "{record}");
    // Her record page for those who may see it shows the same.
    let ds = app.sign_in("daniel.okafor@warwickshire.police.example").await;
    let page = ds.get_ok(&format!("/people/{}", app.person("A1017").await.id)).await;
    let record = page.split("id=\"policy-record\"").nth(1).unwrap_or("");
    assert!(record.contains("Training: Social media and you") && record.contains("Overdue"), "{record}");
    let (_, page) = ds.get(&format!("/people/{}", jack.id)).await;
    let record = page.split("id=\"policy-record\"").nth(1).unwrap_or("");
    assert!(record.contains("Done") && !record.contains("Training:"), "{record}");
    app.stop().await;
}
on_both!(a_line_manager_sees_their_overdue_people_and_a_record_shows_acknowledgements_and_training);
