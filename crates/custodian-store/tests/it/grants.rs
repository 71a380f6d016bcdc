//! App grants as the store keeps them (WP034 4.8: only approved apps, each approval for named
//! people, roles or areas, possibly until a date): the set-based evaluation in SQL opens one
//! `apps.unapproved` finding per device and app no live grant covers, closes it when a grant
//! covers the holder, and re-opens the same finding in place when the grant is revoked or expires.

use custodian_domain::apps::{Audience, Category, Platform};
use custodian_domain::findings::{FindingStatus, Outcome};
use custodian_domain::people::Role;
use custodian_store::Finding;
use custodian_store::apps::NewApp;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::on_both;
use crate::support::TestDb;

const PACKAGE: &str = "org.example.shiftchat";
/// A phone of the fixture register, held by A1018 (Response Policing North).
const PHONE: &str = "WP-MB-0007";

async fn app_on_the_phone(db: &TestDb) -> Uuid {
    let system = custodian_store::Actor::system();
    let now = OffsetDateTime::now_utc();
    let app = NewApp {
        name: "Shift Chat".into(),
        platform: Platform::Android,
        package_id: PACKAGE.into(),
        publisher: "Example Ltd".into(),
        category: Category::Productivity,
        store_url: None,
    };
    let id = db.store.app_upsert(&app, system.at(now)).await.unwrap();
    let csv = format!("device,app_id,version,seen_at\n{PHONE},{PACKAGE},1.0,\n");
    let inv = custodian_domain::apps::parse_inventory_csv(csv.as_bytes()).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    db.store
        .apps_import_inventory(&inv.rows, system.at(now), "inventory", &custodian_store::no_progress)
        .await
        .unwrap();
    id
}

async fn the_finding(db: &TestDb) -> Finding {
    let all = db.store.findings(&Default::default(), 1, 100).await.unwrap().items;
    let mine: Vec<Finding> = all.into_iter().filter(|f| f.rule == "apps.unapproved").collect();
    assert_eq!(mine.len(), 1, "one finding per device and app: {mine:?}");
    mine.into_iter().next().unwrap()
}

async fn a_grant_closes_the_finding_and_its_revocation_reopens_the_same_one(db: &TestDb) {
    db.seed().await;
    let app = app_on_the_phone(db).await;
    let open = the_finding(db).await;
    assert_eq!(open.status, FindingStatus::Open);
    assert_eq!(open.person_id, Some(db.person("A1018").await.id));
    assert_eq!(open.clause, "4.8");
    assert_eq!(open.records, [format!("app_install:{PHONE}:{PACKAGE}")]);
    assert_eq!(open.evidence["app"], PACKAGE);

    // A grant to someone else covers nothing.
    let ds = db.actor("A1006").await;
    let now = OffsetDateTime::now_utc();
    let (_, other) = db.store.app_grant(app, &Audience::Person("A1017".into()), None, ds.at(now)).await.unwrap();
    assert_eq!((other.closed, other.unapproved), (0, 1));

    let (grant, eval) = db.store.app_grant(app, &Audience::Person("A1018".into()), None, ds.at(now)).await.unwrap();
    assert_eq!((eval.closed, eval.unapproved), (1, 0), "{eval:?}");
    let closed = db.store.finding(open.id).await.unwrap().unwrap();
    assert_eq!((closed.status, closed.outcome), (FindingStatus::Closed, Some(Outcome::NoAction)));
    let stored = db.store.app(app).await.unwrap().unwrap();
    let g = stored.grants.iter().find(|g| g.id == grant).unwrap();
    assert_eq!(g.audience, Audience::Person("A1018".into()));
    assert_eq!(g.person_name.as_deref(), Some("Jack Thornton"));
    assert!(g.live(now));

    let eval = db.store.app_grant_revoke(grant, "no longer needed", ds.at(now)).await.unwrap();
    assert_eq!((eval.reopened, eval.opened, eval.unapproved), (1, 0, 1), "{eval:?}");
    let again = the_finding(db).await;
    assert_eq!(again.id, open.id, "re-opened in place, not a second finding");
    assert_eq!((again.status, again.outcome), (FindingStatus::Open, None));
    let stored = db.store.app(app).await.unwrap().unwrap();
    assert!(stored.grants.iter().find(|g| g.id == grant).unwrap().revoked_at.is_some());
}
on_both!(a_grant_closes_the_finding_and_its_revocation_reopens_the_same_one);

async fn a_role_or_area_grant_covers_its_holders_until_it_expires(db: &TestDb) {
    db.seed().await;
    let app = app_on_the_phone(db).await;
    let ds = db.actor("A1006").await;
    let now = OffsetDateTime::now_utc();
    // A role the holder does not have covers nothing; their business area does, for a day.
    let (_, e) = db.store.app_grant(app, &Audience::Role(Role::Psd), None, ds.at(now)).await.unwrap();
    assert_eq!(e.unapproved, 1);
    let area = Audience::Area("Response Policing North".into());
    let (grant, e) = db.store.app_grant(app, &area, Some(now + Duration::days(1)), ds.at(now)).await.unwrap();
    assert_eq!((e.closed, e.unapproved), (1, 0), "{e:?}");
    let stored = db.store.app(app).await.unwrap().unwrap();
    let g = stored.grants.iter().find(|g| g.id == grant).unwrap();
    assert_eq!(g.audience, area);
    assert!(g.live(now) && !g.live(now + Duration::days(2)));

    // Two days on, the sweep finds the grant expired and re-opens the finding.
    let later = db.store.apps_sweep_expired(now + Duration::days(2)).await.unwrap();
    assert_eq!((later.reopened, later.unapproved), (1, 1), "{later:?}");
    assert_eq!(the_finding(db).await.status, FindingStatus::Open);
}
on_both!(a_role_or_area_grant_covers_its_holders_until_it_expires);
