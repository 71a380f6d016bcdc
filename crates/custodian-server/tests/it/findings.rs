//! Findings go to a person who judges them (WP034 4.10); nothing is sanctioned automatically.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

/// Raise a 4.1 finding about A1018 (managed by A1016) through an Intune export.
async fn finding_about_a1018(app: &crate::support::TestApp) -> String {
    let ds = app.api(&app.token("A1006").await);
    let d = app.device("WP-LT-0006").await;
    let (s, _) =
        ds.post(&format!("/devices/{}/allocate", d.id), json!({"staff_number": "A1018", "reason": "issue"})).await;
    assert_eq!(s, 200);
    // Synced yesterday, so the export raises no WP034 4.7 staleness finding whenever this runs.
    let synced = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let export = json!({"value": [{"id": "mdm-6", "deviceName": "WP-LT-0006", "serialNumber": d.serial, "userPrincipalName": "laura.fenwick@warwickshire.police.example", "lastSyncDateTime": synced}]});
    let (s, r) = ds.post_raw("/imports/intune", "application/json", &export.to_string()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["findings_opened"], 1, "{r}");
    let (_, f) = ds.get("/findings?rule=devices.user_mismatch").await;
    f["items"].as_array().unwrap().iter().find(|i| i["person"] == "A1018").unwrap()["id"].as_str().unwrap().to_string()
}

async fn the_line_manager_reviews_and_closes_a_finding_with_reasons(b: Backend) {
    let app = spawn_seeded(b).await;
    let id = finding_about_a1018(&app).await;
    let manager = app.api(&app.token("A1016").await);
    let (s, f) = manager.get(&format!("/findings/{id}")).await;
    assert_eq!(s, 200, "{f}");
    assert!(f["clause_text"].as_str().unwrap().contains("restricted to the individual"));
    let (s, p) =
        manager.post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "advice_given"})).await;
    assert_eq!(s, 422, "reasons are required: {p}");
    assert_eq!(p["errors"][0]["field"], "reasons");
    let (s, f) = manager.post(&format!("/findings/{id}/review"), json!({"status": "under_review"})).await;
    assert_eq!(s, 200, "{f}");
    let (s, f) = manager.post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "advice_given", "reasons": "Colleague used the laptop during a shift change; advised."})).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "closed");
    assert_eq!(f["outcome"], "advice_given");
    let (s, _) = manager.post(&format!("/findings/{id}/review"), json!({"status": "under_review"})).await;
    assert_eq!(s, 409, "a closed finding stays closed");
    // The review is in the audit log with its reasons.
    let page = app.store().audit_page(Some(&format!("finding:{id}")), None, 1, 50).await.unwrap();
    assert!(
        page.items
            .iter()
            .any(|e| e.action == "finding.review" && e.justification.as_deref().unwrap_or("").contains("shift change"))
    );
    assert!(page.items.iter().any(|e| e.action == "finding.view"), "views of findings are logged");
    app.stop().await;
}
on_both!(the_line_manager_reviews_and_closes_a_finding_with_reasons);

async fn the_subject_sees_but_cannot_judge_their_own_finding_and_others_cannot_see_it(b: Backend) {
    let app = spawn_seeded(b).await;
    let id = finding_about_a1018(&app).await;
    let subject = app.api(&app.token("A1018").await);
    let _ = subject.get_ok(&format!("/findings/{id}")).await;
    let (s, _) = subject
        .post(&format!("/findings/{id}/review"), json!({"status": "closed", "outcome": "no_action", "reasons": "mine"}))
        .await;
    assert_eq!(s, 403);
    let (_, list) = subject.get("/findings").await;
    assert_eq!(list["total"], 1);
    // A colleague with no relationship sees nothing.
    let colleague = app.api(&app.token("A1020").await);
    let (s, _) = colleague.get(&format!("/findings/{id}")).await;
    assert_eq!(s, 403);
    let (_, list) = colleague.get("/findings").await;
    assert_eq!(list["total"], 0);
    app.stop().await;
}
on_both!(the_subject_sees_but_cannot_judge_their_own_finding_and_others_cannot_see_it);

/// The review form lists WP034 4.10's considerations as a checklist, before the clause's
/// folded words; the reviewer ticks those weighed, and each review keeps them: in the
/// finding's history on its page, in the store and in the audit log. A name that is not a
/// consideration is refused, naming the field, and nothing is written.
async fn the_reviewer_ticks_the_considerations_of_4_10_and_the_history_keeps_them(b: Backend) {
    let app = spawn_seeded(b).await;
    let id = finding_about_a1018(&app).await;
    let kwame = app.sign_in("kwame.mensah@warwickshire.police.example").await;
    let page = format!("/findings/{id}");
    let (s, html) = kwame.get(&page).await;
    assert_eq!(s, 200);
    for (field, words) in [
        ("consider_circumstances", "a. The full circumstances of the situation"),
        ("consider_frequency", "b. The frequency of use"),
        ("consider_code_of_ethics", "c. The Code of Ethics and Standards of Professional Behaviour"),
        ("consider_public_appearance", "d. How usage may appear to the public (see 4.4)"),
    ] {
        assert!(html.contains(&format!("name=\"{field}\" type=\"checkbox\"")) && html.contains(words), "{field}");
    }
    let form = html.find("id=\"considerations\"").unwrap();
    let clause = html.find("data-clause=\"4.10\"").expect("the clause's words");
    assert!(form < clause, "the task comes before the clause");
    assert_eq!(html.matches("class=\"govuk-details app-clause\"").count(), 1, "one folded clause element");
    assert!(!html.contains("id=\"finding-history\""), "no history before a review");

    // A bad name through the API: refused, naming the field; nothing written.
    let api = app.api(&app.token("A1016").await);
    let (s, p) = api
        .post(&format!("/findings/{id}/review"), json!({"status": "under_review", "considerations": ["mood"]}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "considerations", "{p}");
    assert!(app.store().finding_reviews(id.parse().unwrap()).await.unwrap().is_empty());

    let (s, _) = kwame
        .post(&format!("/findings/{id}/review"), &[("status", "under_review"), ("consider_frequency", "frequency")])
        .await;
    assert_eq!(s, 303);
    let (s, _) = kwame
        .post(
            &format!("/findings/{id}/review"),
            &[
                ("status", "closed"),
                ("outcome", "advice_given"),
                ("reasons", "Shared the laptop at a shift change; advised."),
                ("consider_circumstances", "circumstances"),
                ("consider_public_appearance", "public_appearance"),
                ("consider_code_of_ethics", "code_of_ethics"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = kwame.get(&page).await;
    let history = html.split("id=\"finding-history\"").nth(1).expect("the history").split("</ol>").next().unwrap();
    let first = history.find("Taken under review</strong> by Kwame Mensah (A1016)").expect(history);
    let second = history.find("Closed: Advice given</strong> by Kwame Mensah (A1016)").expect(history);
    assert!(first < second, "oldest first: {history}");
    let (under, closed) = history.split_at(second);
    assert!(under.contains("b. The frequency of use") && !under.contains("a. The full"), "{under}");
    assert!(
        closed.contains("a. The full circumstances")
            && closed.contains("c. The Code of Ethics")
            && closed.contains("d. How usage may appear")
            && !closed.contains("b. The frequency"),
        "{closed}"
    );
    use custodian_domain::findings::Consideration as C;
    let reviews = app.store().finding_reviews(id.parse().unwrap()).await.unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0].considerations, [C::Frequency]);
    assert_eq!(reviews[1].considerations, [C::Circumstances, C::CodeOfEthics, C::PublicAppearance], "in 4.10's order");
    let log = app.store().audit_page(Some(&format!("finding:{id}")), None, 1, 50).await.unwrap();
    let audited: Vec<&serde_json::Value> =
        log.items.iter().filter(|e| e.action == "finding.review").map(|e| &e.detail["considerations"]).collect();
    assert!(audited.contains(&&json!(["frequency"])), "{audited:?}");
    assert!(audited.contains(&&json!(["circumstances", "code_of_ethics", "public_appearance"])), "{audited:?}");
    app.stop().await;
}
on_both!(the_reviewer_ticks_the_considerations_of_4_10_and_the_history_keeps_them);
