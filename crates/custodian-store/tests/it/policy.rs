//! Policy versions (WP034 10, 11): the published text is recorded once, a re-import of the same
//! text changes nothing, a different text under a used version number is refused, and a newer
//! version supersedes the older, which stays readable.

use custodian_domain::policy::text::parse_text;
use custodian_store::policy::PolicyImport;
use custodian_store::{Actor, StoreError};
use time::OffsetDateTime;

use crate::on_both;
use crate::support::TestDb;

const SEED: &str = include_str!("../../../../fixtures/policy/WP034.txt");

async fn importing_the_published_text_records_every_clause_and_history_row(db: &TestDb) {
    let now = OffsetDateTime::now_utc();
    let v3 = parse_text(SEED).unwrap();
    let first = db.store.policy_import(&v3, Some("Executive Board"), &Actor::system(), now).await.unwrap();
    let PolicyImport::Imported(version) = &first else { panic!("first import should write") };
    assert_eq!((version.reference.as_str(), version.version, version.status.as_str()), ("WP034", 3, "adopted"));
    assert_eq!(version.next_review_on, "2026-03-16");
    assert_eq!(version.adopted_on.as_deref(), Some("2023-03-16"));
    assert_eq!(version.owner, "CORPORATE COMMUNICATIONS");
    let clauses = db.store.policy_clauses(version.id).await.unwrap();
    let ids: Vec<&str> = clauses.iter().map(|c| c.clause_id.as_str()).collect();
    let expected: Vec<&str> = v3.clauses.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert!(clauses.iter().any(|c| c.clause_id == "6.3" && c.items.contains("protectively marked")));
    let history = db.store.policy_history(version.id).await.unwrap();
    assert_eq!(history.len(), 7);
    assert_eq!(history[5].approval, None);
    assert_eq!(history[6].approval.as_deref(), Some("22/03/23"));

    // The same text again writes nothing.
    let again = db.store.policy_import(&v3, None, &Actor::system(), now).await.unwrap();
    assert!(matches!(&again, PolicyImport::Unchanged(v) if v.id == version.id));
    assert_eq!(db.store.policy_versions("WP034").await.unwrap().len(), 1);

    // A different text under version 3 is refused, and nothing of it is written.
    let edited = parse_text(&SEED.replace("Breach copyright laws;", "Breach copyright or trade mark laws;")).unwrap();
    let refused = db.store.policy_import(&edited, None, &Actor::system(), now).await;
    assert!(matches!(refused, Err(StoreError::Conflict(m)) if m.contains("different text")));

    // Version 4 supersedes version 3, which stays readable.
    let v4 = parse_text(
        &SEED
            .replace("Version\t3", "Version\t4")
            .replace("Breach copyright laws;", "Breach copyright or trade mark laws;"),
    )
    .unwrap();
    let imported = db.store.policy_import(&v4, None, &Actor::system(), now).await.unwrap();
    let PolicyImport::Imported(newer) = imported else { panic!("version 4 should write") };
    assert_eq!(newer.based_on_id, Some(version.id));
    let in_force = db.store.policy_in_force("WP034").await.unwrap().unwrap();
    assert_eq!(in_force.version, 4);
    let old = db.store.policy_version(version.id).await.unwrap().unwrap();
    assert_eq!(old.status, "superseded");
    assert_eq!(db.store.policy_clauses(old.id).await.unwrap(), clauses);

    // Going back to version 3 is refused.
    let back = db
        .store
        .policy_import(&parse_text(&SEED.replace("Version\t3", "Version\t2")).unwrap(), None, &Actor::system(), now)
        .await;
    assert!(matches!(back, Err(StoreError::Conflict(m)) if m.contains("already in force")));
}
on_both!(importing_the_published_text_records_every_clause_and_history_row);

/// A draft from the version in force, a changed clause, consultation on the approval chain
/// (10.2: Corporate Communications, Digital Services, Professional Standards; the drafter
/// decides none), then adoption with its approval body and date; version 3 stays readable.
async fn a_draft_is_consulted_on_and_adopted(db: &TestDb) {
    use custodian_domain::approvals::Verdict;
    use custodian_store::policy::{Adoption, ClauseEdit};
    use time::macros::date;
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let v3 = parse_text(SEED).unwrap();
    let PolicyImport::Imported(v3) = db.store.policy_import(&v3, None, &Actor::system(), now).await.unwrap() else {
        panic!("import")
    };
    let drafter = db.person("A1009").await; // Corporate Communications
    let as_drafter = db.actor("A1009").await;
    let draft = db.store.policy_draft("WP034", &as_drafter, now).await.unwrap();
    assert_eq!((draft.version, draft.status.as_str(), draft.based_on_id), (4, "draft", Some(v3.id)));
    assert!(matches!(db.store.policy_draft("WP034", &as_drafter, now).await, Err(StoreError::Conflict(_))));
    let edit = ClauseEdit {
        clause_id: "9.1".into(),
        text: Some("Personnel must use a password manager approved by Digital Services.".into()),
        items: "[]".into(),
    };
    db.store.policy_edit_clause(draft.id, &edit, &as_drafter, now).await.unwrap();
    let added =
        ClauseEdit { clause_id: "9.2".into(), text: Some("Passkeys are preferred.".into()), items: "[]".into() };
    db.store.policy_edit_clause(draft.id, &added, &as_drafter, now).await.unwrap();
    let ids: Vec<String> = db.store.policy_clauses(draft.id).await.unwrap().into_iter().map(|c| c.clause_id).collect();
    let at = |id: &str| ids.iter().position(|c| c == id).unwrap();
    assert_eq!(at("9.2"), at("9.1") + 1, "a new clause goes after its section's last: {ids:?}");
    assert_eq!(at("10.1"), at("9.2") + 1);

    // Consultation: an adoption before it is refused.
    let adoption = Adoption {
        approval_body: "Executive Board".into(),
        adopted_on: date!(2026 - 12 - 01),
        next_review_on: date!(2029 - 12 - 01),
        author: "Dept Head Corp Comms. 8191".into(),
        amendment: "Review – passwords (9.1, 9.2)".into(),
        campaign: Some(custodian_store::policy::NewCampaign {
            version_id: uuid::Uuid::nil(),
            title: "WP034 version 4: passwords".into(),
            clauses: vec!["9.1".into(), "9.2".into()],
            areas: vec![],
            due_on: date!(2026 - 12 - 29),
        }),
    };
    assert!(matches!(db.store.policy_adopt(draft.id, &adoption, &as_drafter, now).await, Err(StoreError::Conflict(_))));
    let consulting = db.store.policy_consult(draft.id, drafter.id, &as_drafter, now).await.unwrap();
    assert_eq!(consulting.status, "consultation");
    let request = consulting.approval_request_id.unwrap();
    // Clauses are fixed while consulted on.
    assert!(matches!(
        db.store.policy_edit_clause(draft.id, &edit, &as_drafter, now).await,
        Err(StoreError::Conflict(_))
    ));
    // The drafter is Corporate Communications but may not decide that step.
    let own = db
        .store
        .approval_decide(request, "corporate_comms", drafter.id, Verdict::Approve, None, &as_drafter, now)
        .await;
    assert!(own.is_err(), "the drafter decided their own consultation");
    for (step, sn) in [("corporate_comms", "A1010"), ("digital_services", "A1006"), ("psd", "A1012")] {
        let p = db.person(sn).await;
        db.store.approval_decide(request, step, p.id, Verdict::Approve, None, &db.actor(sn).await, now).await.unwrap();
    }
    let consulted = db.store.policy_version(draft.id).await.unwrap().unwrap();
    assert_eq!(consulted.status, "consulted");

    let adopted = db.store.policy_adopt(draft.id, &adoption, &as_drafter, now).await.unwrap();
    assert_eq!(adopted.status, "adopted");
    assert_eq!(adopted.approval_body.as_deref(), Some("Executive Board"));
    assert_eq!((adopted.adopted_on.as_deref(), adopted.next_review_on.as_str()), (Some("2026-12-01"), "2029-12-01"));
    assert_eq!(db.store.policy_in_force("WP034").await.unwrap().map(|v| v.version), Some(4));
    let history = db.store.policy_history(draft.id).await.unwrap();
    assert_eq!(history.len(), 8);
    assert_eq!(history[7].date_label, "December 2026");
    assert_eq!(history[7].approval.as_deref(), Some("Executive Board 01/12/2026"));
    let old = db.store.policy_version(v3.id).await.unwrap().unwrap();
    assert_eq!(old.status, "superseded");
    // Adoption started the acknowledgement campaign for the adopted version (WP034 2.3).
    let campaigns = db.store.policy_campaigns().await.unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!((campaigns[0].version_id, campaigns[0].clauses.as_str()), (draft.id, r#"["9.1","9.2"]"#));
    let enrolled: i64 =
        db.store.policy_campaign_completion(campaigns[0].id).await.unwrap().iter().map(|a| a.enrolled).sum();
    assert_eq!(enrolled, db.ints("SELECT COUNT(*) FROM people WHERE status = 'active'").await[0][0]);
    let old_91 = db.store.policy_clauses(v3.id).await.unwrap().into_iter().find(|c| c.clause_id == "9.1").unwrap();
    assert!(old_91.text.starts_with("Due to the risks of compromise"), "version 3 keeps its words");
}
on_both!(a_draft_is_consulted_on_and_adopted);

/// An acknowledgement campaign (WP034 2.3): everyone active is enrolled in one statement, the
/// completion chart counts per business area, a person acknowledges once, reminders reach only
/// those who have not acknowledged, line managers see their overdue people, and a new starter
/// is enrolled.
async fn an_acknowledgement_campaign_enrols_counts_reminds_and_lists_the_overdue(db: &TestDb) {
    use custodian_store::policy::NewCampaign;
    use time::macros::date;
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let v3 = parse_text(SEED).unwrap();
    let version = db.store.policy_import(&v3, None, &Actor::system(), now).await.unwrap().version().clone();
    let active: i64 = db.ints("SELECT COUNT(*) FROM people WHERE status = 'active'").await[0][0];
    let (campaign, enrolled) = db
        .store
        .policy_campaign_create(
            &NewCampaign {
                version_id: version.id,
                title: "WP034 version 3".into(),
                clauses: vec!["6.5".into()],
                areas: vec![],
                due_on: date!(2026 - 11 - 30),
            },
            &Actor::system(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(enrolled as i64, active);
    let chart = db.store.policy_campaign_completion(campaign.id).await.unwrap();
    assert_eq!(chart.iter().map(|a| a.enrolled).sum::<i64>(), active);
    assert!(chart.iter().all(|a| a.acknowledged == 0));

    let me = db.person("A1017").await;
    assert!(db.store.policy_acknowledge(campaign.id, me.id, &db.actor("A1017").await, now).await.unwrap());
    assert!(!db.store.policy_acknowledge(campaign.id, me.id, &db.actor("A1017").await, now).await.unwrap(), "once");
    let chart = db.store.policy_campaign_completion(campaign.id).await.unwrap();
    assert_eq!(chart.iter().map(|a| a.acknowledged).sum::<i64>(), 1);
    let mine = db.store.policy_acknowledgements_of(me.id).await.unwrap();
    assert!(mine.len() == 1 && mine[0].acknowledged_at.is_some());

    // Reminders: everyone but the one who acknowledged, once.
    let reminded = db.store.policy_campaign_remind(campaign.id, now, 100_000, &Actor::system(), now).await.unwrap();
    assert_eq!(reminded as i64, active - 1);
    assert_eq!(db.store.policy_campaign_remind(campaign.id, now, 100_000, &Actor::system(), now).await.unwrap(), 0);
    assert_eq!(db.store.notifications_unread(me.id).await.unwrap(), 0, "no reminder for who acknowledged");

    // The line manager of someone who has not acknowledged sees them once the date has passed.
    let someone = db.person("A1018").await;
    let manager = someone.line_manager_id.expect("A1018 has a line manager");
    let overdue = db.store.policy_overdue_for_manager(manager, date!(2026 - 12 - 01)).await.unwrap();
    assert!(overdue.iter().any(|o| o.person_id == someone.id));
    assert!(overdue.iter().all(|o| o.person_id != me.id));
    assert!(
        db.store.policy_overdue_for_manager(manager, date!(2026 - 11 - 30)).await.unwrap().is_empty(),
        "not before the date"
    );

    // Nobody new: enrolling again adds no one. A new starter from the HR import is enrolled.
    assert_eq!(db.store.policy_campaigns_enrol_new(&Actor::system(), now).await.unwrap(), 0);
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               A1999,New Starter,new.starter@warwickshire.police.example,staff,Digital Services,A1002,,active,\n";
    let people = custodian_domain::imports::parse_people_csv(csv.as_bytes()).unwrap();
    db.store
        .import_people(
            &people.rows,
            &custodian_domain::imports::ImportAuthority::operator(),
            &Actor::system(),
            now,
            "new",
            &custodian_store::no_progress,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(db.store.policy_campaigns_enrol_new(&Actor::system(), now).await.unwrap(), 1);
    let starter = db.person("A1999").await;
    assert_eq!(db.store.policy_acknowledgements_of(starter.id).await.unwrap().len(), 1);
}
on_both!(an_acknowledgement_campaign_enrols_counts_reminds_and_lists_the_overdue);

/// Training attendance (WP034 2.4): imported once however often the file comes, and refused
/// whole when a line names nobody.
async fn training_attendance_is_imported_once_and_refused_whole_on_an_unknown_person(db: &TestDb) {
    use custodian_domain::policy::training::parse_attendance_csv;
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let csv = b"date,topic,staff_number\n2026-11-20,Social media safety,A1017\n2026-11-20,Social media safety,A1018\n2026-11-27,Group chats,A1017\n";
    let rows = parse_attendance_csv(csv).unwrap();
    assert_eq!(db.store.training_import(&rows, &Actor::system(), now).await.unwrap(), (2, 3));
    assert_eq!(db.store.training_import(&rows, &Actor::system(), now).await.unwrap(), (2, 0), "idempotent");
    let laura = db.person("A1017").await;
    let mine = db.store.training_of(laura.id).await.unwrap();
    assert_eq!(mine.iter().map(|t| t.topic.as_str()).collect::<Vec<_>>(), ["Group chats", "Social media safety"]);
    let bad = parse_attendance_csv(b"date,topic,staff_number\n2026-12-01,New,A1017\n2026-12-01,New,Z9999\n").unwrap();
    let refused = db.store.training_import(&bad, &Actor::system(), now).await;
    assert!(matches!(refused, Err(StoreError::Invalid(m)) if m.starts_with("line 3:")));
    assert_eq!(db.store.training_of(laura.id).await.unwrap().len(), 2, "nothing of the refused file was written");
}
on_both!(training_attendance_is_imported_once_and_refused_whole_on_an_unknown_person);
