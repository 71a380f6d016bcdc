//! The approval chain through the API (WP034 4.8's route as the example): the Head of
//! Department then Digital Services, deputies, withdrawal, rejection with reasons, overdue
//! steps, the audit trail and each person's notifications.

use custodian_domain::approvals::{ChainSpec, Decider, Order, StepSpec};
use custodian_domain::people::Role;
use custodian_store::Actor;
use custodian_store::approvals::NewApproval;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn_seeded};

/// A two-step request by A1017, decided by their Head of Department (A1001, Helen Marsh) then
/// Digital Services, under WP034 4.8: it notifies her.
pub(crate) async fn open(app: &TestApp, title: &str, now: OffsetDateTime) -> Uuid {
    let requester = app.person("A1017").await;
    let hod = app.person("A1001").await;
    let spec = ChainSpec::new(
        Order::Sequential,
        vec![
            StepSpec::new("hod", "4.8", Decider::Person(hod.id)),
            StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
        ],
    );
    let subject = format!("test_subject:{}", Uuid::now_v7());
    let n = NewApproval {
        kind: "test".into(),
        subject: subject.clone(),
        title: title.into(),
        link: "/approvals".into(),
        requester: requester.id,
        spec,
    };
    app.store().approval_open(&n, (Actor::person(requester.id, "A1017")).at(now)).await.unwrap()
}

async fn the_head_of_department_then_digital_services_approve_and_nobody_decides_their_own(b: Backend) {
    let app = spawn_seeded(b).await;
    let id = open(&app, "WhatsApp for witness liaison", OffsetDateTime::now_utc()).await;
    let [requester, hod, ds, ds2] = app.apis(["A1017", "A1001", "A1006", "A1005"]).await;

    // The Head of Department was told; the requester sees the request and cannot decide it.
    let (_, n) = hod.get("/notifications").await;
    assert_eq!(n["unread"], 1, "{n}");
    let (s, p) = requester.post(&format!("/approvals/{id}/decide"), json!({"step": "hod", "verdict": "approve"})).await;
    assert_eq!(s, 403, "{p}");
    // Digital Services cannot decide before the Head of Department.
    let (_, list) = ds.get("/approvals/to-decide").await;
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    let (s, p) =
        ds.post(&format!("/approvals/{id}/decide"), json!({"step": "digital_services", "verdict": "approve"})).await;
    assert_eq!(s, 403, "{p}");
    // A rejection needs reasons.
    let (s, p) = hod.post(&format!("/approvals/{id}/decide"), json!({"step": "hod", "verdict": "reject"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "reasons");

    let (s, d) = hod.post(&format!("/approvals/{id}/decide"), json!({"step": "hod", "verdict": "approve"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["outcome"], "step_approved");
    let (_, list) = ds.get("/approvals/to-decide").await;
    assert_eq!(list[0]["steps"], json!(["digital_services"]), "{list}");
    let (s, d) = ds
        .post(
            &format!("/approvals/{id}/decide"),
            json!({"step": "digital_services", "verdict": "approve", "reasons": "Business need is clear"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["outcome"], "approved");
    assert_eq!(d["request"]["status"], "approved");
    // A decided request takes no more decisions.
    let (s, _) = ds2
        .post(
            &format!("/approvals/{id}/decide"),
            json!({"step": "digital_services", "verdict": "reject", "reasons": "x"}),
        )
        .await;
    assert_eq!(s, 409);

    // The requester's timeline and notifications.
    let (s, r) = requester.get(&format!("/approvals/{id}")).await;
    assert_eq!(s, 200, "{r}");
    let events: Vec<&str> = r["timeline"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["requested", "approved", "approved"]);
    let (_, n) = requester.get("/notifications").await;
    assert_eq!(n["unread"], 2, "{n}");
    let (s, c) = requester.post("/notifications/read-all", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(c["count"], 2);
    let (_, n) = requester.get("/notifications").await;
    assert_eq!(n["unread"], 0);
    // Someone uninvolved cannot see the request.
    let (s, _) = app.api(&app.token("A1018").await).get(&format!("/approvals/{id}")).await;
    assert_eq!(s, 403);

    // Each decision is in the audit log naming the step's clause.
    let page = app.store().audit_page(Some(&format!("approval:{id}")), None, 1, 50).await.unwrap();
    let decisions: Vec<_> = page.items.iter().filter(|e| e.action == "approval.approve").collect();
    assert_eq!(decisions.len(), 2);
    assert!(decisions.iter().all(|e| e.clause.as_deref() == Some("4.8")));
    app.stop().await;
}
on_both!(the_head_of_department_then_digital_services_approve_and_nobody_decides_their_own);

async fn a_deputy_decides_for_an_absent_head_of_department_and_the_requester_may_withdraw(b: Backend) {
    let app = spawn_seeded(b).await;
    let [hod, deputy, requester] = app.apis(["A1001", "A1016", "A1017"]).await;
    let now = OffsetDateTime::now_utc();
    let id = open(&app, "Signal for a covert team", now).await;
    let (s, _) = deputy.post(&format!("/approvals/{id}/decide"), json!({"step": "hod", "verdict": "approve"})).await;
    assert_eq!(s, 403, "not a deputy yet");
    let fmt = |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (s, p) = hod
        .post(
            "/approvals/delegations",
            json!({"deputy": "A1016", "starts_at": fmt(now - Duration::hours(1)), "ends_at": fmt(now + Duration::days(7)), "reason": "Annual leave"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let (s, p) = hod
        .post(
            "/approvals/delegations",
            json!({"deputy": "A1001", "starts_at": fmt(now), "ends_at": fmt(now + Duration::days(1)), "reason": "x"}),
        )
        .await;
    assert_eq!(s, 422, "nobody deputises for themselves: {p}");
    let (_, list) = deputy.get("/approvals/to-decide").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (s, d) = deputy.post(&format!("/approvals/{id}/decide"), json!({"step": "hod", "verdict": "approve"})).await;
    assert_eq!(s, 200, "{d}");
    assert!(d["request"]["steps"][0]["on_behalf_of"].is_string(), "{d}");
    // The Head of Department cannot decide again what their deputy decided for them.
    let (s, _) =
        hod.post(&format!("/approvals/{id}/decide"), json!({"step": "digital_services", "verdict": "approve"})).await;
    assert_eq!(s, 403);

    // Withdrawal: only the requester, only before a final decision.
    let (s, _) = hod.post(&format!("/approvals/{id}/withdraw"), json!({})).await;
    assert_eq!(s, 403);
    let (s, r) = requester.post(&format!("/approvals/{id}/withdraw"), json!({})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["status"], "withdrawn");
    let ds = app.api(&app.token("A1006").await);
    let (s, _) =
        ds.post(&format!("/approvals/{id}/decide"), json!({"step": "digital_services", "verdict": "approve"})).await;
    assert_eq!(s, 409);
    let (s, _) = requester.post(&format!("/approvals/{id}/withdraw"), json!({})).await;
    assert_eq!(s, 409);
    app.stop().await;
}
on_both!(a_deputy_decides_for_an_absent_head_of_department_and_the_requester_may_withdraw);

async fn overdue_steps_are_flagged_once_and_listed_for_digital_services(b: Backend) {
    let app = spawn_seeded(b).await;
    let old = OffsetDateTime::now_utc() - Duration::days(12);
    let id = open(&app, "Old request", old).await;
    open(&app, "New request", OffsetDateTime::now_utc()).await;
    assert_eq!(app.store().approvals_flag_overdue(OffsetDateTime::now_utc()).await.unwrap(), 1);
    assert_eq!(app.store().approvals_flag_overdue(OffsetDateTime::now_utc()).await.unwrap(), 0);
    let ds = app.api(&app.token("A1005").await);
    let (s, o) = ds.get("/approvals/overdue").await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o.as_array().unwrap().len(), 1, "{o}");
    assert_eq!(o[0]["request_id"], id.to_string());
    assert_eq!(o[0]["step"], "hod");
    let (s, _) = app.api(&app.token("A1017").await).get("/approvals/overdue").await;
    assert_eq!(s, 403);
    let hod = app.api(&app.token("A1001").await);
    let (_, list) = hod.get("/approvals/to-decide").await;
    assert_eq!(list[0]["overdue"], true, "overdue first: {list}");
    let (_, n) = hod.get("/notifications").await;
    assert!(n["items"].as_array().unwrap().iter().any(|i| i["kind"] == "approval.overdue"), "{n}");
    // The dashboard flags it.
    let s = app.sign_in("helen.marsh@warwickshire.police.example").await;
    let html = s.get_ok("/").await;
    assert!(html.contains("id=\"my-overdue\""), "{html}");
    let html = s.get_ok(&format!("/approvals/{id}")).await;
    assert!(html.contains("Overdue") && html.contains("WP034 4.8"), "{html}");
    app.stop().await;
}
on_both!(overdue_steps_are_flagged_once_and_listed_for_digital_services);
