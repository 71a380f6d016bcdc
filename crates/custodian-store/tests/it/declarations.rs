//! Declarations and reports to Professional Standards in the store (WP034 7.2, 7.3, 8.1): a
//! declaration goes to the queue (Professional Standards see only the categories that need
//! them), is assessed once and never by its declarant, and its audit events never name whom it
//! declares; "nothing to declare" completes the annual re-declaration and has nothing to assess;
//! a report keeps its evidence with its SHA-256 and size and an audited timeline through triage
//! and close; a kept personal-profile check is its person's alone and no audit event carries
//! its text.

use custodian_domain::declarations::{Declaration, Outcome, Triage};
use custodian_domain::policy::text::parse_text;
use custodian_store::declarations::NewKeptCheck;
use custodian_store::{Actor, StoreError};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::on_both;
use crate::support::TestDb;

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

fn decl(category: &str) -> Declaration {
    Declaration {
        platform: "LinkedIn".into(),
        counterpart: "Zebedee Quartermaine".into(),
        nature: "a former school friend I follow".into(),
        category: category.into(),
    }
}

async fn declarations_are_queued_assessed_once_and_complete_the_redeclaration(db: &TestDb) {
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    db.store.policy_import(&parse_text(SEED).unwrap(), None, Actor::system().at(now)).await.unwrap();
    let laura = db.person("A1017").await;
    let as_laura = db.actor("A1017").await;
    let (campaign, enrolled) = db
        .store
        .declaration_campaign_create(
            "WP034",
            "Annual re-declaration 2027",
            now.date() + time::Duration::days(30),
            Actor::system().at(now),
        )
        .await
        .unwrap();
    assert_eq!(campaign.kind, "declaration");
    assert_eq!(enrolled as i64, db.ints("SELECT COUNT(*) FROM people WHERE status = 'active'").await[0][0]);
    // A re-declaration is not acknowledged.
    assert!(matches!(
        db.store.policy_acknowledge(campaign.id, laura.id, as_laura.at(now)).await,
        Err(StoreError::NotFound(_))
    ));

    // One association Professional Standards assess too, one only the Force Vetting Unit does.
    let criminal =
        db.store.declaration_make(laura.id, Some(&decl("criminality")), true, as_laura.at(now)).await.unwrap();
    assert_eq!(
        (criminal.kind.as_str(), criminal.status.as_str(), criminal.psd_required),
        ("association", "submitted", true)
    );
    let media =
        db.store.declaration_make(laura.id, Some(&decl("media_investigators")), false, as_laura.at(now)).await.unwrap();
    let done: i64 =
        db.store.policy_campaign_completion(campaign.id).await.unwrap().iter().map(|a| a.acknowledged).sum();
    assert_eq!(done, 1, "her first declaration completed her re-declaration");
    let all = db.store.declarations_queue(false, 10).await.unwrap();
    assert_eq!(all.len(), 2);
    let psd = db.store.declarations_queue(true, 10).await.unwrap();
    assert_eq!(psd.iter().map(|d| d.id).collect::<Vec<_>>(), [criminal.id], "PSD see only their categories");
    assert_eq!(db.store.declarations_of(laura.id).await.unwrap().len(), 2);
    assert!(db.store.declarations_of(db.person("A1018").await.id).await.unwrap().is_empty());

    // The declarant never assesses their own; the Force Vetting Unit assesses once.
    let own = db.store.declaration_assess(media.id, Outcome::NoConcern, None, laura.id, as_laura.at(now)).await;
    assert!(matches!(own, Err(StoreError::Conflict(_))));
    let fiona = db.person("A1014").await;
    let as_fiona = db.actor("A1014").await;
    db.store.declaration_viewed(media.id, "annual assessment", as_fiona.at(now)).await.unwrap();
    let assessed = db
        .store
        .declaration_assess(media.id, Outcome::Conditions, Some("Do not discuss work"), fiona.id, as_fiona.at(now))
        .await
        .unwrap();
    assert_eq!((assessed.status.as_str(), assessed.outcome.as_deref()), ("assessed", Some("conditions")));
    assert_eq!(assessed.conditions.as_deref(), Some("Do not discuss work"));
    let again = db.store.declaration_assess(media.id, Outcome::NoConcern, None, fiona.id, as_fiona.at(now)).await;
    assert!(matches!(again, Err(StoreError::Conflict(m)) if m.contains("already")));
    let queue = db.store.declarations_queue(false, 10).await.unwrap();
    assert_eq!(queue.iter().filter(|d| d.status == "submitted").count(), 1);

    // "Nothing to declare" completes another person's re-declaration and has nothing to assess.
    let jack = db.person("A1018").await;
    let nothing = db.store.declaration_make(jack.id, None, false, db.actor("A1018").await.at(now)).await.unwrap();
    assert_eq!(nothing.kind, "nothing_to_declare");
    assert!(!db.store.declarations_queue(false, 10).await.unwrap().iter().any(|d| d.id == nothing.id));
    let refused = db.store.declaration_assess(nothing.id, Outcome::NoConcern, None, fiona.id, as_fiona.at(now)).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    let done: i64 =
        db.store.policy_campaign_completion(campaign.id).await.unwrap().iter().map(|a| a.acknowledged).sum();
    assert_eq!(done, 2);

    // Every step is audited with its clause, and no audit event names whom a declaration names.
    let events =
        |action: &str| format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND clause = '7.3'");
    assert_eq!(db.ints(&events("declaration.make")).await[0][0], 3);
    assert_eq!(db.ints(&events("declaration.view")).await[0][0], 1);
    assert_eq!(db.ints(&events("declaration.assess")).await[0][0], 1);
    assert_eq!(db.ints("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Zebedee%'").await[0][0], 0);
}
on_both!(declarations_are_queued_assessed_once_and_complete_the_redeclaration);

async fn a_report_keeps_its_evidence_hashed_and_an_audited_timeline(db: &TestDb) {
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let jack = db.person("A1018").await;
    let as_jack = db.actor("A1018").await;
    let shot = b"\x89PNG\r\n\x1a\n a screenshot of the group chat".to_vec();
    let report = db.report_group_chat(jack.id, "Shift group", &shot, &as_jack, now).await;
    assert_eq!((report.status.as_str(), report.anonymous, report.reporter_id), ("received", true, jack.id));
    let files = db.store.report_evidence(report.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].sha256, hex::encode(Sha256::digest(&shot)));
    assert_eq!(files[0].size_bytes, shot.len() as i64);
    let (_, bytes) = db.store.report_evidence_file(report.id, files[0].id).await.unwrap().unwrap();
    assert_eq!(bytes, shot);
    assert_eq!(db.store.reports_of(jack.id).await.unwrap().len(), 1);
    assert!(db.store.reports_of(db.person("A1017").await.id).await.unwrap().is_empty());

    // The reporter never triages their own; PSD triage once, then close a conduct assessment.
    let own = db.store.report_triage(report.id, Triage::NoAction, None, as_jack.at(now)).await;
    assert!(matches!(own, Err(StoreError::Conflict(_))));
    let as_niamh = db.actor("A1012").await;
    db.store.report_viewed(report.id, as_niamh.at(now)).await.unwrap();
    let early = db.store.report_close(report.id, "too soon", as_niamh.at(now)).await;
    assert!(matches!(early, Err(StoreError::Conflict(m)) if m.contains("received")));
    let triaged =
        db.store.report_triage(report.id, Triage::ConductAssessment, Some("Assess"), as_niamh.at(now)).await.unwrap();
    assert_eq!((triaged.status.as_str(), triaged.outcome.as_deref()), ("triaged", Some("conduct_assessment")));
    assert!(matches!(
        db.store.report_triage(report.id, Triage::NoAction, None, as_niamh.at(now)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(db.store.reports(true).await.unwrap().len(), 1);
    let closed = db.store.report_close(report.id, "Written warning", as_niamh.at(now)).await.unwrap();
    assert!(closed.status == "closed" && closed.closed_at.is_some());
    assert!(db.store.reports(true).await.unwrap().is_empty());
    assert_eq!(db.store.reports(false).await.unwrap().len(), 1);
    let steps: Vec<String> = db.store.report_events(report.id).await.unwrap().into_iter().map(|e| e.event).collect();
    assert_eq!(steps, ["received", "evidence", "triaged", "closed"]);
    for (action, n) in [("psd_report.create", 1), ("psd_report.triage", 1), ("psd_report.close", 1)] {
        let q = format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'");
        assert_eq!(db.ints(&q).await[0][0], n, "{action}");
    }
}
on_both!(a_report_keeps_its_evidence_hashed_and_an_audited_timeline);

async fn a_kept_profile_check_is_its_persons_alone_and_no_audit_event_carries_its_text(db: &TestDb) {
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let laura = db.person("A1017").await;
    let as_laura = db.actor("A1017").await;
    let text = "Proud to be SC cleared, Response Policing North, Tachbrook";
    let kept = NewKeptCheck {
        text: text.into(),
        advice: r#"[{"category":"clearance"}]"#.into(),
        categories: vec!["clearance".into()],
        pack_version: "2026.12.1".into(),
    };
    let id = db.store.personal_check_keep(laura.id, &kept, as_laura.at(now)).await.unwrap();
    let mine = db.store.personal_checks_of(laura.id).await.unwrap();
    assert_eq!((mine.len(), mine[0].id, mine[0].text.as_str()), (1, id, text));
    let jack = db.person("A1018").await;
    assert!(db.store.personal_checks_of(jack.id).await.unwrap().is_empty());
    assert!(!db.store.personal_check_delete(id, jack.id, db.actor("A1018").await.at(now)).await.unwrap(), "not his");
    assert_eq!(db.ints("SELECT COUNT(*) FROM audit_events WHERE action = 'profile.check.keep'").await[0][0], 1);
    assert_eq!(
        db.ints("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Tachbrook%' OR subject LIKE '%Tachbrook%'")
            .await[0][0],
        0
    );
    assert!(db.store.personal_check_delete(id, laura.id, as_laura.at(now)).await.unwrap());
    assert!(db.store.personal_checks_of(laura.id).await.unwrap().is_empty());
    assert_eq!(db.ints("SELECT COUNT(*) FROM personal_checks").await[0][0], 0);
    assert_eq!(db.ints("SELECT COUNT(*) FROM audit_events WHERE action = 'profile.check.delete'").await[0][0], 1);
}
on_both!(a_kept_profile_check_is_its_persons_alone_and_no_audit_event_carries_its_text);
