//! The first OpenID Connect sign-in of a person links their directory account (WP034 4.1, 9.1).
//! Two first sign-ins racing (two tabs, two servers) both sign the person in, and the link is
//! made and recorded once; a race for one person between two directory accounts links one.

use custodian_store::{OidcOutcome, OidcRefusal, OidcSignIn, OpenOptions, Store};
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::TestDb;

fn sign_in(subject: &str, email: &str, token: &str) -> OidcSignIn {
    OidcSignIn {
        issuer: "https://login.example.test/tenant/v2.0".into(),
        subject: subject.into(),
        email: Some(email.into()),
        claim: "groups".into(),
        claim_values: Vec::new(),
        managed_roles: Vec::new(),
        roles: Vec::new(),
        token_hash: token.into(),
        csrf: format!("csrf-{token}"),
        id_token: "header.payload.signature".into(),
        expires: OffsetDateTime::now_utc() + Duration::hours(8),
    }
}

async fn email_of(db: &TestDb, sn: &str) -> String {
    db.person(sn).await.email
}

async fn linked_events(db: &TestDb) -> i64 {
    db.ints("SELECT COUNT(*) FROM audit_events WHERE action = 'person.oidc_linked'").await[0][0]
}

/// Eight first sign-ins of one person with one directory id, on two stores (two servers) at
/// once: every one signs in, one identity row exists, and exactly one event records the link.
async fn racing_first_sign_ins_link_once(db: &TestDb) {
    db.seed().await;
    let other = Store::open(&db.url, &OpenOptions::default()).await.unwrap();
    let email = email_of(db, "A1001").await;
    let now = OffsetDateTime::now_utc();
    let attempts = (0..8).map(|i| {
        let store = if i % 2 == 0 { &db.store } else { &other };
        let s = sign_in("oid-race", &email, &format!("token-{i}"));
        async move { store.oidc_sign_in(&s, "127.0.0.1", now).await }
    });
    let outcomes = futures_util::future::join_all(attempts).await;
    let person = db.person("A1001").await.id;
    let mut linked = 0;
    for o in outcomes {
        match o.unwrap() {
            OidcOutcome::SignedIn { person: p, linked: l, .. } => {
                assert_eq!(p, person);
                linked += usize::from(l);
            }
            OidcOutcome::Refused(r) => panic!("a racing first sign-in was refused: {r:?}"),
        }
    }
    assert_eq!(linked, 1, "exactly one sign-in made the link");
    assert_eq!(db.ints("SELECT COUNT(*) FROM person_identities").await[0][0], 1);
    assert_eq!(linked_events(db).await, 1);
    assert_eq!(db.ints("SELECT COUNT(*) FROM sessions").await[0][0], 8);
    other.close().await;
}
on_both!(racing_first_sign_ins_link_once);

/// Two directory accounts carrying the same e-mail race to link one person: one wins, the other
/// is refused as linked elsewhere (and audited), never a server error.
async fn two_directory_accounts_racing_for_one_person_link_one(db: &TestDb) {
    db.seed().await;
    let other = Store::open(&db.url, &OpenOptions::default()).await.unwrap();
    let email = email_of(db, "A1002").await;
    let now = OffsetDateTime::now_utc();
    let a = sign_in("oid-one", &email, "token-a");
    let b = sign_in("oid-two", &email, "token-b");
    let (ra, rb) = tokio::join!(db.store.oidc_sign_in(&a, "127.0.0.1", now), other.oidc_sign_in(&b, "127.0.0.1", now));
    let outcomes = [ra.unwrap(), rb.unwrap()];
    let signed_in = outcomes.iter().filter(|o| matches!(o, OidcOutcome::SignedIn { linked: true, .. })).count();
    let refused = outcomes.iter().filter(|o| matches!(o, OidcOutcome::Refused(OidcRefusal::LinkedElsewhere))).count();
    assert_eq!((signed_in, refused), (1, 1), "{outcomes:?}");
    assert_eq!(db.ints("SELECT COUNT(*) FROM person_identities").await[0][0], 1);
    assert_eq!(linked_events(db).await, 1);
    other.close().await;
}
on_both!(two_directory_accounts_racing_for_one_person_link_one);
