//! The policy as a document with versions (WP034 10, 11): the owner's home page says the review
//! is overdue; Corporate Communications draft a version, its changed clause shows word by word
//! with what cites it; consultation runs on the approval chain (10.2), the drafter deciding none
//! of it; adoption records the approval body and date, and the previous version stays readable.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};
use custodian_store::Actor;

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

async fn a_new_version_is_drafted_consulted_on_and_adopted(b: Backend) {
    let app = spawn_seeded(b).await;
    let now = time::OffsetDateTime::now_utc();
    let wp034 = custodian_domain::policy::text::parse_text(SEED).unwrap();
    app.store().policy_import(&wp034, Some("Executive Board"), Actor::system().at(now)).await.unwrap();

    // The owner (Corporate Communications) is told the review is overdue; others are not.
    let owner = app.sign_in("priya.raman@warwickshire.police.example").await;
    let home = owner.get_ok("/").await;
    assert!(home.contains("WP034 version 3: review overdue since 16 March 2026"), "{home}");
    let other = app.sign_in("aisha.khan@warwickshire.police.example").await;
    let (_, home) = other.get("/").await;
    assert!(!home.contains("review overdue since"), "only the owner is told");
    let (s, st) = app.api(&app.token("A1017").await).get("/policy/status").await;
    assert_eq!(
        (s, st["status"].as_str(), st["version"].as_i64()),
        (200, Some("review overdue since 16 March 2026"), Some(3))
    );

    // A draft; only Corporate Communications may change it.
    let drafter = app.sign_in("eleanor.pryce@warwickshire.police.example").await;
    let (s, _) = drafter.post("/policy/versions", &[]).await;
    assert_eq!(s, 303);
    let versions = app.store().policy_versions("WP034").await.unwrap();
    let draft = versions.iter().find(|v| v.status == "draft").expect("a draft").id;
    let old65 = app.store().policy_clauses(draft).await.unwrap().into_iter().find(|c| c.clause_id == "6.5").unwrap();
    let new65 = old65.text.replace("Snapchat and any other", "Snapchat, Signal and any other");
    let path = format!("/policy/versions/{draft}/clauses");
    let (s, _) = other.post(&path, &[("clause", "6.5"), ("text", &new65)]).await;
    assert_eq!(s, 403, "Digital Services do not own the policy");
    let (s, _) = drafter.post(&path, &[("clause", "6.5"), ("text", &new65)]).await;
    assert_eq!(s, 303);
    let (s, bad) = drafter.post(&path, &[("clause", "6.5"), ("text", "x"), ("items", "b. out of order")]).await;
    assert!(s == 303 || s == 422, "{s}: {bad}");
    let kept = app.store().policy_clauses(draft).await.unwrap().into_iter().find(|c| c.clause_id == "6.5").unwrap();
    assert_eq!(kept.text, new65, "the refused edit changed nothing");

    // The change, word by word, and what cites 6.5.
    let (s, page) = drafter.get(&format!("/policy/versions/{draft}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"change-6.5\""), "{page}");
    // The inserted words are marked (a word diff: "Snapchat and" became "Snapchat, Signal and").
    let inserted: Vec<&str> = page.split("<ins>").skip(1).filter_map(|rest| rest.split("</ins>").next()).collect();
    assert!(inserted.iter().any(|w| w.contains("Signal")), "{inserted:?}");
    assert!(!inserted.iter().any(|w| w.contains("direct messaging")), "unchanged words are not marked: {inserted:?}");
    assert!(!page.contains("id=\"change-6.4\""), "an unchanged clause is not listed");
    let flagged = page.split("id=\"flagged\"").nth(1).unwrap_or("");
    assert!(flagged.contains("screening:"), "the screening pack's 6.5 entries are flagged: {flagged}");
    assert!(!flagged.contains(">6.3b<"), "nothing citing an unchanged clause is flagged");

    // Consultation: the three consultees approve; the drafter may not decide.
    let (s, _) = drafter.post(&format!("/policy/versions/{draft}/consult"), &[]).await;
    assert_eq!(s, 303);
    let request = app.store().policy_version(draft).await.unwrap().unwrap().approval_request_id.unwrap();
    let decide = format!("/approvals/{request}/decide");
    let (s, _) = app
        .api(&app.token("A1009").await)
        .post(&decide, json!({"step": "corporate_comms", "verdict": "approve"}))
        .await;
    assert_eq!(s, 403, "the drafter decides none of the consultation");
    let (s, _) = drafter
        .post(
            &format!("/policy/versions/{draft}/adopt"),
            &[
                ("approval_body", "Executive Board"),
                ("adopted_on", "2026-12-01"),
                ("next_review_on", "2029-12-01"),
                ("amendment", "Signal"),
            ],
        )
        .await;
    assert!(s == 409 || s == 303, "{s}");
    assert_eq!(
        app.store().policy_version(draft).await.unwrap().unwrap().status,
        "consultation",
        "not adopted before consultation ends"
    );
    for (sn, step) in [("A1010", "corporate_comms"), ("A1006", "digital_services"), ("A1012", "psd")] {
        let (s, body) = app.api(&app.token(sn).await).post(&decide, json!({"step": step, "verdict": "approve"})).await;
        assert_eq!(s, 200, "{sn} {step}: {body}");
    }
    assert_eq!(app.store().policy_version(draft).await.unwrap().unwrap().status, "consulted");

    // Adoption.
    let (s, page) = drafter
        .post(
            &format!("/policy/versions/{draft}/adopt"),
            &[
                ("approval_body", "Executive Board"),
                ("adopted_on", "2026-12-01"),
                ("next_review_on", "2029-12-01"),
                ("amendment", "Review – Signal named among the direct messaging services (6.5)"),
            ],
        )
        .await;
    assert_eq!(s, 303, "{page}");
    let (_, page) = drafter.get(&format!("/policy/versions/{draft}")).await;
    assert!(page.contains("Executive Board 01/12/2026"), "the history row records the approval");
    let v = app.store().policy_version(draft).await.unwrap().unwrap();
    assert_eq!(
        (v.status.as_str(), v.approval_body.as_deref(), v.adopted_on.as_deref()),
        ("adopted", Some("Executive Board"), Some("2026-12-01"))
    );
    let (_, st) = app.api(&app.token("A1017").await).get("/policy/status").await;
    assert_eq!((st["version"].as_i64(), st["review_overdue"].as_bool()), (Some(4), Some(false)));
    let (_, home) = owner.get("/").await;
    assert!(!home.contains("review overdue since"));
    // Adoption started the acknowledgement campaign for 6.5 (WP034 2.3); a person acknowledges
    // it; a Head of Department sees the completion per business area, the person does not.
    let campaign = app.store().policy_campaigns().await.unwrap().into_iter().next().expect("a campaign").id;
    let laura = app.sign_in("laura.fenwick@warwickshire.police.example").await;
    let page = laura.get_ok(&format!("/policy/campaigns/{campaign}")).await;
    assert!(page.contains("id=\"clause-6.5\"") && page.contains("Signal"), "the changed clause to read");
    assert!(!page.contains("id=\"clause-6.4\""), "only the changed clauses");
    assert!(!page.contains("id=\"completion\""), "a person does not see the chart");
    let (s, _) = laura.post(&format!("/policy/campaigns/{campaign}/acknowledge"), &[]).await;
    assert_eq!(s, 303);
    let (_, page) = laura.get(&format!("/policy/campaigns/{campaign}")).await;
    assert!(page.contains("id=\"acknowledged\""), "{page}");
    let hod = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let page = hod.get_ok(&format!("/policy/campaigns/{campaign}")).await;
    assert!(page.contains("id=\"completion\"") && page.contains("Response Policing North (1 of "), "{page}");
    // Version 3 stays readable, with its own words.
    let v3 = versions.iter().find(|v| v.version == 3).unwrap().id;
    let old = other.get_ok(&format!("/policy/versions/{v3}")).await;
    assert!(old.contains("superseded") && old.contains("Snapchat and any other"));
    app.stop().await;
}
on_both!(a_new_version_is_drafted_consulted_on_and_adopted);
