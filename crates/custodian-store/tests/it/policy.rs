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
    let first = db.store.policy_import(&v3, Some("Executive Board"), Actor::system().at(now)).await.unwrap();
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
    let again = db.store.policy_import(&v3, None, Actor::system().at(now)).await.unwrap();
    assert!(matches!(&again, PolicyImport::Unchanged(v) if v.id == version.id));
    assert_eq!(db.store.policy_versions("WP034").await.unwrap().len(), 1);

    // A different text under version 3 is refused, and nothing of it is written.
    let edited = parse_text(&SEED.replace("Breach copyright laws;", "Breach copyright or trade mark laws;")).unwrap();
    let refused = db.store.policy_import(&edited, None, Actor::system().at(now)).await;
    assert!(matches!(refused, Err(StoreError::Conflict(m)) if m.contains("different text")));

    // Version 4 supersedes version 3, which stays readable.
    let v4 = parse_text(
        &SEED
            .replace("Version\t3", "Version\t4")
            .replace("Breach copyright laws;", "Breach copyright or trade mark laws;"),
    )
    .unwrap();
    let imported = db.store.policy_import(&v4, None, Actor::system().at(now)).await.unwrap();
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
        .policy_import(&parse_text(&SEED.replace("Version\t3", "Version\t2")).unwrap(), None, Actor::system().at(now))
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
    let PolicyImport::Imported(v3) = db.store.policy_import(&v3, None, Actor::system().at(now)).await.unwrap() else {
        panic!("import")
    };
    let drafter = db.person("A1009").await; // Corporate Communications
    let as_drafter = db.actor("A1009").await;
    let draft = db.store.policy_draft("WP034", as_drafter.at(now)).await.unwrap();
    assert_eq!((draft.version, draft.status.as_str(), draft.based_on_id), (4, "draft", Some(v3.id)));
    assert!(matches!(db.store.policy_draft("WP034", as_drafter.at(now)).await, Err(StoreError::Conflict(_))));
    let edit = ClauseEdit {
        clause_id: "9.1".into(),
        text: Some("Personnel must use a password manager approved by Digital Services.".into()),
        items: "[]".into(),
    };
    db.store.policy_edit_clause(draft.id, &edit, as_drafter.at(now)).await.unwrap();
    let added =
        ClauseEdit { clause_id: "9.2".into(), text: Some("Passkeys are preferred.".into()), items: "[]".into() };
    db.store.policy_edit_clause(draft.id, &added, as_drafter.at(now)).await.unwrap();
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
            roles: Vec::new(),
            due_on: date!(2026 - 12 - 29),
        }),
    };
    assert!(matches!(
        db.store.policy_adopt(draft.id, &adoption, as_drafter.at(now)).await,
        Err(StoreError::Conflict(_))
    ));
    let consulting = db.store.policy_consult(draft.id, drafter.id, as_drafter.at(now)).await.unwrap();
    assert_eq!(consulting.status, "consultation");
    let request = consulting.approval_request_id.unwrap();
    // Clauses are fixed while consulted on.
    assert!(matches!(
        db.store.policy_edit_clause(draft.id, &edit, as_drafter.at(now)).await,
        Err(StoreError::Conflict(_))
    ));
    // The drafter is Corporate Communications but may not decide that step.
    let own = db
        .store
        .approval_decide(request, "corporate_comms", drafter.id, Verdict::Approve, None, as_drafter.at(now))
        .await;
    assert!(own.is_err(), "the drafter decided their own consultation");
    for (step, sn) in [("corporate_comms", "A1010"), ("digital_services", "A1006"), ("psd", "A1012")] {
        let p = db.person(sn).await;
        db.store
            .approval_decide(request, step, p.id, Verdict::Approve, None, db.actor(sn).await.at(now))
            .await
            .unwrap();
    }
    let consulted = db.store.policy_version(draft.id).await.unwrap().unwrap();
    assert_eq!(consulted.status, "consulted");

    let adopted = db.store.policy_adopt(draft.id, &adoption, as_drafter.at(now)).await.unwrap();
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
    let version = db.store.policy_import(&v3, None, Actor::system().at(now)).await.unwrap().version().clone();
    let active: i64 = db.ints("SELECT COUNT(*) FROM people WHERE status = 'active'").await[0][0];
    let (campaign, enrolled) = db
        .store
        .policy_campaign_create(
            &NewCampaign {
                version_id: version.id,
                title: "WP034 version 3".into(),
                clauses: vec!["6.5".into()],
                areas: vec![],
                roles: Vec::new(),
                due_on: date!(2026 - 11 - 30),
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();
    assert_eq!(enrolled as i64, active);
    let chart = db.store.policy_campaign_completion(campaign.id).await.unwrap();
    assert_eq!(chart.iter().map(|a| a.enrolled).sum::<i64>(), active);
    assert!(chart.iter().all(|a| a.acknowledged == 0));

    let me = db.person("A1017").await;
    assert!(db.store.policy_acknowledge(campaign.id, me.id, db.actor("A1017").await.at(now)).await.unwrap());
    assert!(!db.store.policy_acknowledge(campaign.id, me.id, db.actor("A1017").await.at(now)).await.unwrap(), "once");
    let chart = db.store.policy_campaign_completion(campaign.id).await.unwrap();
    assert_eq!(chart.iter().map(|a| a.acknowledged).sum::<i64>(), 1);
    let mine = db.store.policy_acknowledgements_of(me.id).await.unwrap();
    assert!(mine.len() == 1 && mine[0].acknowledged_at.is_some());

    // Reminders: everyone but the one who acknowledged, once.
    let reminded = db.store.policy_campaign_remind(campaign.id, now, 100_000, Actor::system().at(now)).await.unwrap();
    assert_eq!(reminded as i64, active - 1);
    assert_eq!(db.store.policy_campaign_remind(campaign.id, now, 100_000, Actor::system().at(now)).await.unwrap(), 0);
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
    assert_eq!(db.store.policy_campaigns_enrol_new(Actor::system().at(now)).await.unwrap(), 0);
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               A1999,New Starter,new.starter@warwickshire.police.example,staff,Digital Services,A1002,,active,\n";
    db.import_people(csv, "new", now).await;
    assert_eq!(db.store.policy_campaigns_enrol_new(Actor::system().at(now)).await.unwrap(), 1);
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
    assert_eq!(db.store.training_import(&rows, Actor::system().at(now)).await.unwrap(), (2, 3));
    assert_eq!(db.store.training_import(&rows, Actor::system().at(now)).await.unwrap(), (2, 0), "idempotent");
    let laura = db.person("A1017").await;
    let mine = db.store.training_of(laura.id).await.unwrap();
    assert_eq!(mine.iter().map(|t| t.topic.as_str()).collect::<Vec<_>>(), ["Group chats", "Social media safety"]);
    let bad = parse_attendance_csv(b"date,topic,staff_number\n2026-12-01,New,A1017\n2026-12-01,New,Z9999\n").unwrap();
    let refused = db.store.training_import(&bad, Actor::system().at(now)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(m)) if m.starts_with("line 3:")));
    assert_eq!(db.store.training_of(laura.id).await.unwrap().len(), 2, "nothing of the refused file was written");
}
on_both!(training_attendance_is_imported_once_and_refused_whole_on_an_unknown_person);

/// A campaign scoped by role (WP034 2.3: "every active person (or chosen business areas/roles)")
/// enrols the active holders of its roles only; scoped by area and role, those in one of its
/// areas who hold one of its roles. New role holders from the HR import are enrolled in the open
/// campaigns that cover them, and only those.
async fn a_campaign_scoped_by_role_or_area_and_role_enrols_only_those_it_covers(db: &TestDb) {
    use custodian_domain::people::Role;
    use custodian_store::policy::NewCampaign;
    use time::macros::date;
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let version = db.store.policy_import(&parse_text(SEED).unwrap(), None, Actor::system().at(now)).await.unwrap();
    let version = version.version().clone();
    let new = |areas: Vec<uuid::Uuid>, roles: Vec<Role>| NewCampaign {
        version_id: version.id,
        title: "Scoped".into(),
        clauses: vec!["7.3".into()],
        areas,
        roles,
        due_on: date!(2027 - 01 - 31),
    };
    let holders = |sql: &'static str| async move { db.ints(sql).await[0][0] };
    let psd_or_vetting = holders(
        "SELECT COUNT(DISTINCT p.id) FROM people p JOIN person_roles r ON r.person_id = p.id \
         WHERE p.status = 'active' AND r.role IN ('psd', 'vetting')",
    )
    .await;
    assert!(psd_or_vetting > 0, "the seed has Professional Standards and vetting people");
    let (by_role, enrolled) = db
        .store
        .policy_campaign_create(&new(vec![], vec![Role::Psd, Role::Vetting]), Actor::system().at(now))
        .await
        .unwrap();
    assert_eq!(enrolled as i64, psd_or_vetting);
    let enrolled_ids: Vec<Vec<i64>> = db
        .ints(
            "SELECT COUNT(*) FROM policy_acknowledgements a WHERE NOT EXISTS (SELECT 1 FROM person_roles r \
             WHERE r.person_id = a.person_id AND r.role IN ('psd', 'vetting')) AND a.campaign_id IN \
             (SELECT id FROM policy_campaigns WHERE title = 'Scoped')",
        )
        .await;
    assert_eq!(enrolled_ids[0][0], 0, "nobody without the roles is enrolled");
    assert_eq!(
        db.store.policy_campaign_scope(by_role.id).await.unwrap(),
        (vec![], vec!["psd".to_string(), "vetting".to_string()])
    );

    // Area and role: Corporate Communications' business area, holders of corporate_comms.
    let areas = db.store.business_areas().await.unwrap();
    let cc_person = db.person("A1009").await;
    let area = cc_person.business_area_id;
    let area_name = areas.iter().find(|a| a.id == area).unwrap().name.clone();
    let (both, enrolled) = db
        .store
        .policy_campaign_create(&new(vec![area], vec![Role::CorporateComms]), Actor::system().at(now))
        .await
        .unwrap();
    let expected: i64 = db
        .ints(&format!(
            "SELECT COUNT(DISTINCT p.id) FROM people p JOIN person_roles r ON r.person_id = p.id \
             JOIN business_areas b ON b.id = p.business_area_id \
             WHERE p.status = 'active' AND r.role = 'corporate_comms' AND b.name = '{}'",
            area_name.replace('\'', "''")
        ))
        .await[0][0];
    assert!(expected > 0);
    assert_eq!(enrolled as i64, expected);
    assert!(db.store.policy_acknowledgements_of(cc_person.id).await.unwrap().iter().any(|a| a.campaign_id == both.id));

    // A new starter holding the vetting role is enrolled in the role campaign only; one with no
    // role in neither.
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               A1998,New Vetter,new.vetter@warwickshire.police.example,staff,Digital Services,A1002,vetting,active,\n\
               A1999,New Starter,new.starter@warwickshire.police.example,staff,Digital Services,A1002,,active,\n";
    db.import_people(csv, "new", now).await;
    assert_eq!(db.store.policy_campaigns_enrol_new(Actor::system().at(now)).await.unwrap(), 1);
    let vetter = db.person("A1998").await;
    let theirs = db.store.policy_acknowledgements_of(vetter.id).await.unwrap();
    assert_eq!(theirs.iter().map(|a| a.campaign_id).collect::<Vec<_>>(), [by_role.id]);
    assert!(db.store.policy_acknowledgements_of(db.person("A1999").await.id).await.unwrap().is_empty());
}
on_both!(a_campaign_scoped_by_role_or_area_and_role_enrols_only_those_it_covers);

/// The scheduled reminders (WP034 2.3): every open campaign's people who have not acknowledged
/// are reminded once per interval, in batches, with an audit event per batch; run again within
/// the interval, or by two servers at once, nobody is reminded twice.
async fn scheduled_reminders_reach_each_person_once_per_interval_even_run_concurrently(db: &TestDb) {
    use custodian_store::policy::NewCampaign;
    use time::macros::date;
    db.seed().await;
    let now = OffsetDateTime::now_utc();
    let version = db.store.policy_import(&parse_text(SEED).unwrap(), None, Actor::system().at(now)).await.unwrap();
    let (campaign, enrolled) = db
        .store
        .policy_campaign_create(
            &NewCampaign {
                version_id: version.version().id,
                title: "Reminded".into(),
                clauses: vec!["6.5".into()],
                areas: vec![],
                roles: vec![],
                due_on: date!(2027 - 01 - 31),
            },
            Actor::system().at(now),
        )
        .await
        .unwrap();
    let me = db.person("A1017").await;
    db.store.policy_acknowledge(campaign.id, me.id, db.actor("A1017").await.at(now)).await.unwrap();
    let week = time::Duration::days(7);
    let at = now + time::Duration::minutes(1);
    // Two runs at once, in batches of 3: each person once between them.
    let system = Actor::system();
    let (a, b) = tokio::join!(
        db.store.policy_campaigns_remind_due(at - week, 3, system.at(at)),
        db.store.policy_campaigns_remind_due(at - week, 3, system.at(at)),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, enrolled as usize - 1, "everyone but who acknowledged, once ({a} + {b})");
    let notes = |sql: String| async move { db.ints(&sql).await[0][0] };
    let subject = format!("policy_campaign:{}", campaign.id);
    let count = format!("SELECT COUNT(*) FROM notifications WHERE subject = '{subject}'");
    assert_eq!(notes(count.clone()).await, enrolled as i64 - 1);
    let per_person = format!(
        "SELECT COUNT(*) FROM (SELECT person_id FROM notifications WHERE subject = '{subject}' \
         GROUP BY person_id HAVING COUNT(*) > 1) x"
    );
    assert_eq!(notes(per_person).await, 0, "nobody reminded twice");
    let audited: i64 = db
        .ints(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'policy.campaign.remind' AND subject = '{subject}'"
        ))
        .await[0][0];
    assert!(audited >= ((enrolled as i64 - 1) + 2) / 3, "one audit event per batch: {audited}");
    // Within the interval: nothing more. A week later: everyone still waiting, once again.
    let later = at + time::Duration::hours(1);
    assert_eq!(db.store.policy_campaigns_remind_due(later - week, 500, Actor::system().at(later)).await.unwrap(), 0);
    let next_week = at + week + time::Duration::minutes(1);
    assert_eq!(
        db.store.policy_campaigns_remind_due(next_week - week, 500, Actor::system().at(next_week)).await.unwrap(),
        enrolled as usize - 1
    );
    assert_eq!(db.store.notifications_unread(me.id).await.unwrap(), 0, "never who acknowledged");
}
on_both!(scheduled_reminders_reach_each_person_once_per_interval_even_run_concurrently);
