//! Stored rows read back as the records they were written from, the same on both backends, and a
//! stored value that does not read (JSON that does not parse, a status no enum names) is an
//! internal error naming its column, never a null or a default (WP034 principle: nothing is lost
//! or hidden, and evidence is shown as it was recorded).

use custodian_domain::findings::FindingStatus;
use custodian_store::{Actor, AuditEntry, NewFinding, StoreError};
use serde_json::json;
use time::OffsetDateTime;

use crate::on_both;
use crate::support::TestDb;

async fn raise(db: &TestDb) -> uuid::Uuid {
    let person = db.person("A1018").await.id;
    let f = NewFinding {
        rule: &custodian_domain::apps::UNAPPROVED,
        dedupe_key: "rows-test".into(),
        person_id: Some(person),
        device_id: None,
        summary: "an app outside the catalogue".into(),
        evidence: json!({"app": "org.example", "nested": {"n": 1, "list": [true, null, "x"]}}),
        records: vec!["r1".into(), "r2".into()],
    };
    db.store.raise(&f, Actor::system().at(OffsetDateTime::now_utc())).await.unwrap().unwrap()
}

async fn a_finding_reads_back_as_it_was_raised(db: &TestDb) {
    db.seed().await;
    let id = raise(db).await;
    let f = db.store.finding(id).await.unwrap().unwrap();
    assert_eq!(f.evidence, json!({"app": "org.example", "nested": {"n": 1, "list": [true, null, "x"]}}));
    assert_eq!(f.records, ["r1", "r2"]);
    assert_eq!(
        (f.severity, f.status, f.outcome),
        (custodian_domain::apps::UNAPPROVED.severity, FindingStatus::Open, None)
    );
    assert_eq!(f.person_staff_number.as_deref(), Some("A1018"));
    assert_eq!(f.person_name.as_deref(), Some("Jack Thornton"));
    assert_eq!(f.person_line_manager_id, Some(db.person("A1016").await.id));
    assert!(f.closed_at.is_none() && f.opened_at == f.updated_at);
}
on_both!(a_finding_reads_back_as_it_was_raised);

fn internal(r: Result<impl std::fmt::Debug, StoreError>, column: &str) {
    match r {
        Err(StoreError::Internal(m)) => assert!(m.contains(column), "the error names {column}: {m}"),
        other => panic!("expected an internal error naming {column}, got {other:?}"),
    }
}

async fn corrupt_stored_values_are_errors_naming_their_column(db: &TestDb) {
    db.seed().await;
    let id = raise(db).await;
    db.exec("UPDATE findings SET evidence = '{\"app\": ' WHERE dedupe_key = 'rows-test'").await;
    internal(db.store.finding(id).await, "evidence");
    internal(db.store.findings(&Default::default(), 1, 10).await, "evidence");
    db.exec("UPDATE findings SET evidence = '{}', records = 'r1,r2' WHERE dedupe_key = 'rows-test'").await;
    internal(db.store.finding(id).await, "records");
    db.exec("UPDATE findings SET records = '[]' WHERE dedupe_key = 'rows-test'").await;
    assert!(db.store.finding(id).await.unwrap().is_some(), "a mended row reads again");

    // An audit event's detail was once shown as null when it did not parse.
    db.store
        .append_audit(
            Actor::system().at(OffsetDateTime::now_utc()),
            vec![AuditEntry::new("test.corrupt", "row:1").detail(json!({"k": 1}))],
        )
        .await
        .unwrap();
    assert_eq!(db.store.audit_page(Some("row:1"), None, 1, 10).await.unwrap().items[0].detail, json!({"k": 1}));
    db.exec("UPDATE audit_events SET detail = 'not json' WHERE subject = 'row:1'").await;
    internal(db.store.audit_page(Some("row:1"), None, 1, 10).await, "detail");
}
on_both!(corrupt_stored_values_are_errors_naming_their_column);

/// The register's rows read through `FromRow` too: a device's MDM state whose stored list of
/// non-compliance reasons does not parse is an internal error naming the column (WP034 4.7).
async fn a_corrupt_mdm_state_is_an_error_naming_its_column(db: &TestDb) {
    db.seed().await;
    let device = db.store.device_by_asset_tag("WP-LT-0001").await.unwrap().unwrap();
    assert_eq!(device.asset_tag, "WP-LT-0001");
    db.exec(
        "INSERT INTO device_mdm (device_id, source, mdm_ref, noncompliance, as_of, file_sha256) \
         SELECT id, 'intune', 'ref-1', '[\"encryption\"]', updated_at, 'sha' FROM devices WHERE asset_tag = 'WP-LT-0001'",
    )
    .await;
    let mdm = db.store.device_mdm(device.id).await.unwrap().unwrap();
    assert_eq!((mdm.noncompliance, mdm.source.as_str()), (vec!["encryption".to_string()], "intune"));
    db.exec("UPDATE device_mdm SET noncompliance = 'encryption,' WHERE mdm_ref = 'ref-1'").await;
    internal(db.store.device_mdm(device.id).await, "noncompliance");
}
on_both!(a_corrupt_mdm_state_is_an_error_naming_its_column);
