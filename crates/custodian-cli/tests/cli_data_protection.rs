//! Data protection from the command line (WP034 3.4, 5.5; UK GDPR, DPA 2018), on SQLite and, when
//! CUSTODIAN_TEST_DATABASE_URL is set, on a fresh PostgreSQL database: `custodian retention
//! status|run [--dry-run]|docs`, `custodian hold place|list|release` and `custodian person
//! export`. A dry run deletes nothing and reports the counts; a run deletes what is due and
//! keeps what a legal hold covers, with one audit event per batch; `audit verify` passes before
//! and after; the export file holds each kind of record and shows other people by their roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

use common::target::Target;
use common::{Env, bin, fixture, stdout};

/// `n` usage records of `staff` that started `days` ago, one a minute.
fn usage(t: &Target, staff: &str, tag: &str, n: usize, days: i64) {
    let start_us = (time::OffsetDateTime::now_utc() - time::Duration::days(days)).unix_timestamp() * 1_000_000;
    let mut done = 0;
    while done < n {
        let rows: Vec<String> = (done..n.min(done + 500))
            .map(|i| {
                format!(
                    "('carrier', '{tag}-{i}', 'call', FALSE, NULL, 1, 0, {}, (SELECT id FROM people WHERE staff_number = '{staff}'), \
                     '{tag}', TRUE, 60, '07700900{:03}', 'UK', 'voice', 'acct')",
                    start_us + i as i64 * 60_000_000,
                    i % 1000
                )
            })
            .collect();
        t.sql(&format!(
            "INSERT INTO usage_records (feed, record_id, event, tethered, device_id, day, bytes, start_us, person_id, subject, \
             outgoing, duration_s, party, place, category, account) VALUES {};",
            rows.join(", ")
        ));
        done += rows.len();
    }
}

/// A closed finding about `staff`, reviewed by `reviewer`, with its review and a notification to
/// the person; its times are the person's own record's (so they are stored as the store stores
/// times on either backend).
fn finding(t: &Target, staff: &str, reviewer: &str) {
    let id = uuid::Uuid::now_v7();
    let (fid, rid, nid) = (t.uuid(id), t.uuid(uuid::Uuid::now_v7()), t.uuid(uuid::Uuid::now_v7()));
    let person = format!("(SELECT id FROM people WHERE staff_number = '{staff}')");
    let by = format!("(SELECT id FROM people WHERE staff_number = '{reviewer}')");
    let at = format!("(SELECT created_at FROM people WHERE staff_number = '{staff}')");
    t.sql(&format!(
        "INSERT INTO findings (id, rule, clause, dedupe_key, person_id, device_id, summary, evidence, records, severity, \
         status, outcome, reviewer_id, reasons, opened_at, updated_at, closed_at) VALUES ({fid}, 'usage.premium', '4.2', '{id}', \
         {person}, NULL, 'Premium rate call', '{{}}', '[]', 'low', 'closed', 'no_action', {by}, 'Reviewed', {at}, {at}, {at});
         INSERT INTO finding_reviews (id, finding_id, reviewer_id, status, outcome, reasons, considerations, reviewed_at) \
         VALUES ({rid}, {fid}, {by}, 'closed', 'no_action', 'Reviewed', '{{}}', {at});
         INSERT INTO notifications (id, person_id, kind, title, body, link, subject, created_at, read_at) \
         VALUES ({nid}, {person}, 'finding', 'A finding about you', 'See the finding', NULL, NULL, {at}, NULL);"
    ));
}

/// The events `audit verify` counted, from its "audit log intact: N events" line.
fn verified(t: &Target) -> u64 {
    let out = t.ok(&["audit", "verify"]);
    let rest = out.split("audit log intact: ").nth(1).unwrap_or_else(|| panic!("not intact: {out}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["rules"].as_array().unwrap().iter().find(|r| r["rule"] == id).unwrap_or_else(|| panic!("{id}: {report}"))
}

fn journey(t: &Target) {
    t.ok(if t.pg.is_none() { &["migrate", "--create"] } else { &["migrate"] });
    t.ok(&["import", "people", fixture("people.csv").to_str().unwrap()]);
    t.ok(&["import", "devices", fixture("devices.csv").to_str().unwrap()]);
    // A1001: 2,500 records past the 13 months (more than one batch of 2,000) and 40 recent;
    // A1012: 300 past them, to be held; A1018 (holder of WP-MB-0007): 30 recent, and a finding.
    usage(t, "A1001", "a-old", 2_500, 800);
    usage(t, "A1012", "h-old", 300, 800);
    usage(t, "A1001", "a-new", 40, 10);
    usage(t, "A1018", "s-new", 30, 5);
    finding(t, "A1018", "A1005");
    let records = |staff: &str| {
        t.count(&format!(
            "SELECT COUNT(*) FROM usage_records WHERE person_id = (SELECT id FROM people WHERE staff_number = '{staff}')"
        ))
    };

    // A legal hold on A1012, with its reason and review date; listed.
    let review_on = (time::OffsetDateTime::now_utc() + time::Duration::days(90)).date().to_string();
    let bad = t.run(&["hold", "place", "--person", "A1012", "--reason", "x", "--review-on", &review_on]);
    assert_eq!(bad.status.code(), Some(2), "a reason is required: {}", stdout(&bad));
    let hold = t.ok(&[
        "hold",
        "place",
        "--person",
        "A1012",
        "--reason",
        "Misconduct hearing pending",
        "--review-on",
        &review_on,
    ]);
    let hold = hold.trim().to_string();
    uuid::Uuid::parse_str(&hold).unwrap_or_else(|e| panic!("{hold}: {e}"));
    let holds = t.json(&["hold", "list", "--json"]);
    assert_eq!(holds.as_array().unwrap().len(), 1, "{holds}");
    assert_eq!(holds[0]["staff_number"], "A1012");
    assert_eq!(holds[0]["reason"], "Misconduct hearing pending");
    let before = verified(t);

    // Status: counts, due and held.
    let status = t.json(&["retention", "status", "--json"]);
    let u = status.as_array().unwrap().iter().find(|r| r["id"] == "usage_records").unwrap();
    assert_eq!(
        (u["count"].as_i64(), u["due"].as_i64(), u["held"].as_i64()),
        (Some(2_870), Some(2_500), Some(300)),
        "{u}"
    );
    assert!(u["oldest"].is_string(), "{u}");
    let text = t.ok(&["retention", "status"]);
    assert!(text.lines().any(|l| l.starts_with("usage_records") && l.contains("2870") && l.contains("2500")), "{text}");

    // A dry run reports the counts and deletes nothing, and writes no event.
    let events = t.count("SELECT COUNT(*) FROM audit_events");
    let dry = t.json(&["retention", "run", "--dry-run", "--json"]);
    assert_eq!(dry["dry_run"], true);
    let u = rule(&dry, "usage_records");
    assert_eq!(
        (u["due"].as_i64(), u["held"].as_i64(), u["deleted"].as_i64()),
        (Some(2_500), Some(300), Some(0)),
        "{u}"
    );
    assert_eq!(rule(&dry, "findings_closed_nfa")["deleted"], 0);
    let out = t.ok(&["retention", "run", "--dry-run"]);
    assert!(out.contains("dry run: nothing was deleted"), "{out}");
    assert_eq!(t.count("SELECT COUNT(*) FROM usage_records"), 2_870);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit_events"), events, "a dry run writes nothing");

    // The run deletes what is due and keeps the held person's records and the recent ones.
    let run = t.json(&["retention", "run", "--json"]);
    let u = rule(&run, "usage_records");
    assert_eq!(u["deleted"], 2_500, "{u}");
    let batches = u["batches"].as_i64().unwrap();
    assert!(batches >= 2, "{u}");
    assert_eq!((records("A1001"), records("A1012"), records("A1018")), (40, 300, 30));
    // One event per batch, naming the rule, the record type and the count.
    let details = t.texts(
        "SELECT CAST(detail AS TEXT) FROM audit_events WHERE action = 'data_protection.retention.delete' \
         AND subject = 'retention:usage_records' ORDER BY seq",
    );
    assert_eq!(details.len() as i64, batches);
    let mut total = 0;
    for d in &details {
        let d: Value = serde_json::from_str(d).unwrap();
        assert_eq!(
            (d["rule"].as_str(), d["record_type"].as_str()),
            (Some("usage_records"), Some("usage_records")),
            "{d}"
        );
        total += d["count"].as_i64().unwrap();
    }
    assert_eq!(total, 2_500);
    let after = verified(t);
    assert_eq!(after, before + batches as u64, "the log grew by the batches' events and verifies");
    let again = t.json(&["retention", "run", "--json"]);
    assert_eq!(rule(&again, "usage_records")["deleted"], 0);

    // Released, the held records go too.
    let released = t.ok(&["hold", "release", &hold, "--reason", "Proceedings concluded on appeal"]);
    assert!(released.contains(&hold), "{released}");
    assert_eq!(t.json(&["hold", "list", "--json"]).as_array().unwrap().len(), 0);
    assert_eq!(t.json(&["hold", "list", "--all", "--json"]).as_array().unwrap().len(), 1);
    let run = t.json(&["retention", "run", "--only", "usage_records", "--json"]);
    assert_eq!(rule(&run, "usage_records")["deleted"], 300);
    assert_eq!(run["rules"].as_array().unwrap().len(), 1, "--only runs that record type only");
    assert_eq!(records("A1012"), 0);
    let o = t.run(&["retention", "run", "--only", "no_such_type"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("no_such_type"));
    verified(t);

    // Subject access: the file holds each kind of record, other people shown by role.
    let file = t.env.dir.join("sar-A1018.json");
    let o = t.run(&["person", "export", "A1018", "--out", file.to_str().unwrap(), "--reason", "x"]);
    assert_eq!(o.status.code(), Some(2), "a reason is required");
    t.ok(&["person", "export", "a1018", "--out", file.to_str().unwrap(), "--reason", "Subject access request SAR-21"]);
    let text = std::fs::read_to_string(&file).unwrap();
    let v: Value = serde_json::from_str(&text).expect("the export parses");
    assert_eq!(v["format"], "custodian-subject-access/1");
    let sections = v["sections"].as_object().unwrap();
    for s in custodian_store::data_protection::EXPORT_SECTIONS {
        assert!(sections.contains_key(*s), "section {s} missing");
    }
    let len = |s: &str| sections[s].as_array().unwrap().len();
    assert_eq!(sections["profile"][0]["staff_number"], "A1018");
    assert_eq!(sections["profile"][0]["name"], "Jack Thornton");
    assert_eq!(len("usage_records"), 30);
    assert!(
        sections["usage_records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["party"].as_str().unwrap().starts_with("07700900"))
    );
    assert_eq!(len("findings"), 1);
    assert_eq!(len("finding_reviews"), 1);
    assert_eq!(len("notifications"), 1);
    assert!(
        sections["allocations"].as_array().unwrap().iter().any(|a| a["asset_tag"] == "WP-MB-0007"),
        "{}",
        sections["allocations"]
    );
    // The reviewer (Sophie Brennan, A1005, Digital Services and admin) by role only.
    let reviewer = sections["findings"][0]["reviewer"].as_str().unwrap();
    assert!(reviewer.contains("name withheld"), "{reviewer}");
    assert_eq!(sections["finding_reviews"][0]["reviewer"], reviewer);
    for other in ["Sophie Brennan", "A1005", "sophie.brennan", "A1016"] {
        assert!(!text.contains(other), "{other} appears in the export");
    }
    // Nobody else's records.
    assert!(!text.contains("a-new-") && !text.contains("Gareth Lloyd"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o077, 0, "readable by its owner only");
    }
    let html = t.env.dir.join("sar-A1018.html");
    t.ok(&[
        "person",
        "export",
        "A1018",
        "--out",
        html.to_str().unwrap(),
        "--format",
        "html",
        "--reason",
        "Subject access request SAR-21",
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Jack Thornton") && page.contains("name withheld"), "{page}");
    assert!(!page.contains("Sophie Brennan"));
    // Each export is audited, with its reason.
    let why = t.texts(
        "SELECT justification FROM audit_events WHERE action = 'data_protection.subject_access.export' \
         AND subject = 'person:A1018' ORDER BY seq",
    );
    assert_eq!(why, vec!["Subject access request SAR-21".to_string(); 2]);
    verified(t);
}

#[test]
fn retention_holds_and_subject_access_from_the_command_line_on_sqlite() {
    journey(&Target::sqlite());
}

#[test]
fn retention_holds_and_subject_access_from_the_command_line_on_postgres() {
    if let Some(t) = Target::postgres("custodian_dp_") {
        journey(&t);
    }
}

/// `retention docs --check` passes on the repository's record of processing and fails (exit 1)
/// on a stale copy, naming the command that regenerates it.
#[test]
fn the_record_of_processing_is_checked_against_the_schedule() {
    let e = Env::new();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data-protection.md");
    let o = Command::new(bin())
        .args(["retention", "docs", "--out", docs.to_str().unwrap(), "--check"])
        .env("CUSTODIAN_DATA_DIR", &e.dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stale = e.write("stale.md", std::fs::read_to_string(&docs).unwrap().replace("13 months", "12 months"));
    let o = Command::new(bin())
        .args(["retention", "docs", "--out", stale.to_str().unwrap(), "--check"])
        .env("CUSTODIAN_DATA_DIR", &e.dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("custodian retention docs --out"));
    let fresh = e.dir.join("fresh.md");
    let o = Command::new(bin())
        .args(["retention", "docs", "--out", fresh.to_str().unwrap()])
        .env("CUSTODIAN_DATA_DIR", &e.dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(&fresh).unwrap(), std::fs::read_to_string(&docs).unwrap());
}
