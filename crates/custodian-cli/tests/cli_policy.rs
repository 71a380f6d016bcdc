//! `custodian policy import|status|history` on the published WP034 (WP034 10, 11), on SQLite and,
//! when CUSTODIAN_TEST_DATABASE_URL is set, on a fresh PostgreSQL database: every clause and every
//! history row of the published text is placed, the review is reported overdue (its next review
//! date, 16 March 2026, has passed), and a text with a line it cannot place is refused with that
//! line's number and nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::target::Target;
use common::{fixture, stdout};

fn import_places_every_clause_and_history_row_and_reports_the_review_overdue(t: &Target) {
    t.ok(if t.pg.is_none() { &["migrate", "--create"] } else { &["migrate"] });
    let seed = fixture("policy/WP034.txt");
    let published = std::fs::read_to_string(&seed).unwrap();
    // The fixture is the published text the issue names (`../shared/policy/WP034.txt`).
    if let Ok(shared) = std::fs::read_to_string("/work/shared/policy/WP034.txt") {
        assert_eq!(shared, published, "fixtures/policy/WP034.txt differs from the published text");
    }
    // 50 numbered clauses (7.3 twice: the second is 7.3-2) and 7 history rows.
    let clauses = 50;

    let out = t.ok(&["policy", "import", seed.to_str().unwrap(), "--approval-body", "Executive Board"]);
    assert!(out.contains(&format!("Imported WP034 version 3: {clauses} clauses, 7 history rows placed.")), "{out}");
    assert!(out.contains("review overdue since 16 March 2026"), "{out}");
    assert_eq!(t.count("SELECT COUNT(*) FROM policy_clauses"), clauses);
    assert_eq!(t.count("SELECT COUNT(*) FROM policy_history"), 7);

    let status = t.ok(&["policy", "status"]);
    assert!(status.contains("WP034 version 3"), "{status}");
    assert!(status.contains("Adopted: 2023-03-16 by Executive Board"), "{status}");
    assert!(status.contains("Status: review overdue since 16 March 2026"), "{status}");
    let history = t.ok(&["policy", "history"]);
    assert_eq!(history.lines().count(), 7, "{history}");

    // Again: nothing changes.
    let again = t.ok(&["policy", "import", seed.to_str().unwrap()]);
    assert!(again.contains("Already imported (nothing changed):"), "{again}");
    assert_eq!(t.count("SELECT COUNT(*) FROM policy_versions"), 1);

    // A line the reader cannot place is named with its number, and nothing is written.
    let broken = published.replace("Version\t3", "Version\t4").replacen("Nov 2020\t", "Nov 2020 ", 1);
    let line = broken.lines().position(|l| l.starts_with("Nov 2020 ")).unwrap() + 1;
    let bad = t.env.write("bad.txt", &broken);
    let o = t.run(&["policy", "import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing was imported") && err.contains(&format!("line {line}:")), "{err}");
    assert_eq!(t.count("SELECT COUNT(*) FROM policy_versions"), 1);
}

#[test]
fn policy_import_places_the_published_text_on_sqlite() {
    import_places_every_clause_and_history_row_and_reports_the_review_overdue(&Target::sqlite());
}

#[test]
fn policy_import_places_the_published_text_on_postgres() {
    let Some(t) = Target::postgres("custodian_pol_") else { return };
    import_places_every_clause_and_history_row_and_reports_the_review_overdue(&t);
}
