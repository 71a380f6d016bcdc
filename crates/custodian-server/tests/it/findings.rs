//! Findings go to a person who judges them (WP034 4.10); nothing is sanctioned automatically.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn};

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
    let app = spawn(b).await;
    app.seed().await;
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
    let app = spawn(b).await;
    app.seed().await;
    let id = finding_about_a1018(&app).await;
    let subject = app.api(&app.token("A1018").await);
    let (s, _) = subject.get(&format!("/findings/{id}")).await;
    assert_eq!(s, 200);
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
