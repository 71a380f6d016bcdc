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
    let v4 = parse_text(&SEED.replace("Version\t3", "Version\t4").replace("Breach copyright laws;", "Breach copyright or trade mark laws;")).unwrap();
    let imported = db.store.policy_import(&v4, None, &Actor::system(), now).await.unwrap();
    let PolicyImport::Imported(newer) = imported else { panic!("version 4 should write") };
    assert_eq!(newer.based_on_id, Some(version.id));
    let in_force = db.store.policy_in_force("WP034").await.unwrap().unwrap();
    assert_eq!(in_force.version, 4);
    let old = db.store.policy_version(version.id).await.unwrap().unwrap();
    assert_eq!(old.status, "superseded");
    assert_eq!(db.store.policy_clauses(old.id).await.unwrap(), clauses);

    // Going back to version 3 is refused.
    let back = db.store.policy_import(&parse_text(&SEED.replace("Version\t3", "Version\t2")).unwrap(), None, &Actor::system(), now).await;
    assert!(matches!(back, Err(StoreError::Conflict(m)) if m.contains("already in force")));
}
on_both!(importing_the_published_text_records_every_clause_and_history_row);
