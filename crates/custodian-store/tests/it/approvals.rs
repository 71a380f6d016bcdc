//! The approval chain as the store keeps it (WP034 4.2, 4.8, 6.3: decisions by named people in
//! order, never by the requester): which steps are decidable is computed from the stored steps,
//! and every decision moves them in one transaction.

use custodian_domain::approvals::{ChainSpec, Decider, Order, Outcome, RequestStatus, StepSpec, StepStatus, Verdict};
use custodian_domain::people::Role;
use custodian_store::StoreError;
use custodian_store::approvals::NewApproval;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::on_both;
use crate::support::TestDb;

/// A request by `requester`: their line manager (A1016) first, then Digital Services.
async fn open(db: &TestDb, requester: &str, order: Order) -> Uuid {
    let manager = db.person("A1016").await.id;
    let spec = ChainSpec::new(
        order,
        vec![
            StepSpec::new("line_manager", "4.8", Decider::Person(manager)),
            StepSpec::new("digital_services", "4.8", Decider::Role(Role::DigitalServices)),
        ],
    );
    let n = NewApproval {
        kind: "store_test".into(),
        subject: format!("store_test:{}", Uuid::now_v7()),
        title: "A test request".into(),
        link: "/".into(),
        requester: db.person(requester).await.id,
        spec,
    };
    db.store.approval_open(&n, db.actor(requester).await.at(OffsetDateTime::now_utc())).await.unwrap()
}

fn statuses(r: &custodian_store::approvals::ApprovalRequest) -> Vec<(&str, StepStatus)> {
    r.steps.iter().map(|s| (s.key.as_str(), s.status)).collect()
}

async fn decide(
    db: &TestDb,
    id: Uuid,
    step: &str,
    sn: &str,
    verdict: Verdict,
    reasons: Option<&str>,
) -> Result<Outcome, StoreError> {
    let person = db.person(sn).await.id;
    let d = db
        .store
        .approval_decide(id, step, person, verdict, reasons, db.actor(sn).await.at(OffsetDateTime::now_utc()))
        .await?;
    Ok(d.outcome)
}

async fn a_sequential_chain_opens_each_step_when_the_one_before_is_approved(db: &TestDb) {
    db.seed().await;
    let id = open(db, "A1018", Order::Sequential).await;
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(r.status, RequestStatus::Pending);
    assert_eq!(r.order, Order::Sequential);
    assert_eq!(r.revision, 0, "the first revision");
    assert_eq!(statuses(&r), [("line_manager", StepStatus::Pending), ("digital_services", StepStatus::Waiting)]);
    assert!(r.steps[0].opened_at.is_some() && r.steps[0].due_at.is_some());
    assert!(r.steps[1].opened_at.is_none(), "a waiting step has no clock yet");
    assert_eq!(r.steps[0].decider_label, "Kwame Mensah");
    assert_eq!(r.steps[1].decider_label, Role::DigitalServices.label());

    // Digital Services cannot decide before the line manager.
    let early = decide(db, id, "digital_services", "A1006", Verdict::Approve, None).await;
    assert!(matches!(early, Err(StoreError::Conflict(_))), "{early:?}");
    assert_eq!(statuses(&db.store.approval(id).await.unwrap().unwrap())[1].1, StepStatus::Waiting);

    let first = decide(db, id, "line_manager", "A1016", Verdict::Approve, None).await.unwrap();
    assert_eq!(first, Outcome::StepApproved { next: vec!["digital_services".into()] });
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(statuses(&r), [("line_manager", StepStatus::Approved), ("digital_services", StepStatus::Pending)]);
    assert_eq!(r.steps[0].decided_by, Some(db.person("A1016").await.id));
    assert_eq!(r.steps[0].decided_by_name.as_deref(), Some("Kwame Mensah"));
    assert!(r.steps[1].opened_at.is_some(), "the next step's clock starts when it becomes decidable");

    let last = decide(db, id, "digital_services", "A1006", Verdict::Approve, None).await.unwrap();
    assert_eq!(last, Outcome::Approved);
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(r.status, RequestStatus::Approved);
    assert!(r.closed_at.is_some());
    // A decided step is not decided again.
    let again = decide(db, id, "digital_services", "A1005", Verdict::Approve, None).await;
    assert!(again.is_err(), "{again:?}");
    let events: Vec<String> = db.store.approval_timeline(id).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(events.len() >= 3, "the opening and both decisions are on the timeline: {events:?}");
}
on_both!(a_sequential_chain_opens_each_step_when_the_one_before_is_approved);

async fn the_requester_cannot_decide_a_step_of_their_own_request(db: &TestDb) {
    db.seed().await;
    // A1006 holds the Digital Services role but asked for this themselves (separation of duties).
    let id = open(db, "A1006", Order::AllOf).await;
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(statuses(&r), [("line_manager", StepStatus::Pending), ("digital_services", StepStatus::Pending)]);
    let own = decide(db, id, "digital_services", "A1006", Verdict::Approve, None).await;
    assert!(matches!(own, Err(StoreError::Conflict(_))), "{own:?}");
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(r.steps[1].status, StepStatus::Pending, "the refused decision changed nothing");
    // Nor is the request among those they have to decide; another member of the role may.
    let mine = db.store.approvals_to_decide(db.person("A1006").await.id, OffsetDateTime::now_utc()).await.unwrap();
    assert!(mine.iter().all(|t| t.request.id != id));
    let other = decide(db, id, "digital_services", "A1005", Verdict::Approve, None).await.unwrap();
    assert_eq!(other, Outcome::StepApproved { next: vec![] });
}
on_both!(the_requester_cannot_decide_a_step_of_their_own_request);

async fn a_rejection_needs_reasons_and_ends_the_request(db: &TestDb) {
    db.seed().await;
    let id = open(db, "A1018", Order::AllOf).await;
    let bare = decide(db, id, "line_manager", "A1016", Verdict::Reject, None).await;
    assert!(matches!(bare, Err(StoreError::Invalid(ref m)) if m.starts_with("reasons:")), "{bare:?}");
    let r = decide(db, id, "line_manager", "A1016", Verdict::Reject, Some("not needed for the role")).await.unwrap();
    assert_eq!(r, Outcome::Rejected);
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(r.status, RequestStatus::Rejected);
    assert_eq!(r.steps[0].reasons.as_deref(), Some("not needed for the role"));
    let late = decide(db, id, "digital_services", "A1006", Verdict::Approve, None).await;
    assert!(late.is_err(), "a rejected request is over: {late:?}");
}
on_both!(a_rejection_needs_reasons_and_ends_the_request);

/// Whoever made what a request asks to approve (the request's exclusions: a post's author, editors
/// and whoever overrode its warnings) cannot decide it, through any feature's path: the store
/// refuses it in the decision's transaction, not only the server's use case.
async fn nobody_excluded_from_a_request_decides_it(db: &TestDb) {
    db.seed().await;
    let id = open(db, "A1018", Order::AllOf).await;
    let excluded = db.person("A1006").await.id;
    // UUIDs are BLOBs on SQLite and uuid on PostgreSQL.
    let lit = |u: Uuid| if db.store.backend() == "sqlite" { format!("X'{}'", u.simple()) } else { format!("'{u}'") };
    db.exec(&format!(
        "INSERT INTO approval_exclusions (request_id, person_id, reason) VALUES ({}, {}, 'edited the draft')",
        lit(id),
        lit(excluded)
    ))
    .await;
    let refused = decide(db, id, "digital_services", "A1006", Verdict::Approve, None).await;
    assert!(matches!(refused, Err(StoreError::Conflict(ref m)) if m.contains("separation of duties")), "{refused:?}");
    let r = db.store.approval(id).await.unwrap().unwrap();
    assert_eq!(r.steps[1].status, StepStatus::Pending, "the refused decision changed nothing");
    // Another member of Digital Services may.
    let other = decide(db, id, "digital_services", "A1005", Verdict::Approve, None).await.unwrap();
    assert_eq!(other, Outcome::StepApproved { next: vec![] });
}
on_both!(nobody_excluded_from_a_request_decides_it);
