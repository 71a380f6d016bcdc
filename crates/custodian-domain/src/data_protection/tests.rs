use super::*;
use time::macros::{date, datetime};

#[test]
fn the_builtin_schedule_loads_and_names_each_table_once() {
    let s = Schedule::builtin();
    assert!(s.record("usage_records").is_some());
    assert_eq!(s.record("usage_records").unwrap().keep, Keep::Months(13));
    assert_eq!(s.for_table("finding_reviews").unwrap().id, "findings_closed_nfa");
}

#[test]
fn keep_parses_and_counts_calendar_months() {
    assert_eq!(Keep::parse("13 months"), Ok(Keep::Months(13)));
    assert_eq!(Keep::parse("1 day"), Ok(Keep::Days(1)));
    assert_eq!(Keep::parse("2 years"), Ok(Keep::Years(2)));
    assert_eq!(Keep::parse("indefinitely"), Ok(Keep::Indefinitely));
    assert!(Keep::parse("13 weeks").is_err());
    assert!(Keep::parse("0 days").is_err());
    assert!(Keep::parse("many months").is_err());
    let now = datetime!(2026-03-31 12:00 UTC);
    assert_eq!(Keep::Months(1).cutoff(now), Some(datetime!(2026-02-28 12:00 UTC)));
    assert_eq!(Keep::Months(13).cutoff(now), Some(datetime!(2025-02-28 12:00 UTC)));
    assert_eq!(Keep::Years(2).cutoff(datetime!(2028-02-29 0:00 UTC)), Some(datetime!(2026-02-28 0:00 UTC)));
    assert_eq!(Keep::Days(30).cutoff(now), Some(datetime!(2026-03-01 12:00 UTC)));
    assert_eq!(Keep::Indefinitely.cutoff(now), None);
}

fn one(record: &str) -> String {
    format!(
        "version = 1\npolicy = 'WP034'\nstatus = 'proposal'\nbatch_rows = 10\nbatch_pause_ms = 0\n[[record]]\n{record}\n"
    )
}

const FIELDS: &str = "title = 't'\ntables = ['x']\npurpose = 'p'\nclause = '4.10'\nlawful_basis = 'b'\nafter = 'a'\nreason = 'r'\nshared_with = ''";

#[test]
fn a_schedule_is_refused_naming_the_record_and_field() {
    let e =
        Schedule::from_toml(&one(&format!("id = 'notes'\nkeep = '1 days'\naction = 'delete'\n{FIELDS}"))).unwrap_err();
    assert!(e.contains("\"notes\": action"), "{e}");
    let e = Schedule::from_toml(&one(&format!("id = 'sessions'\nkeep = '1 fortnight'\naction = 'delete'\n{FIELDS}")))
        .unwrap_err();
    assert!(e.contains("\"sessions\": keep"), "{e}");
    let e = Schedule::from_toml(&one(&format!("id = 'sessions'\nkeep = 'indefinitely'\naction = 'delete'\n{FIELDS}")))
        .unwrap_err();
    assert!(e.contains("needs action"), "{e}");
    let bad_clause = FIELDS.replace("4.10", "99.9");
    let e = Schedule::from_toml(&one(&format!("id = 'sessions'\nkeep = '1 days'\naction = 'delete'\n{bad_clause}")))
        .unwrap_err();
    assert!(e.contains("clause"), "{e}");
    assert!(
        Schedule::from_toml(&one(&format!("id = 'sessions'\nkeep = '3 days'\naction = 'delete'\n{FIELDS}"))).is_ok()
    );
}

#[test]
fn tables_without_an_entry_are_named() {
    let s = Schedule::builtin();
    let tables = vec!["people".to_string(), "_sqlx_migrations".to_string(), "a_new_table".to_string()];
    assert_eq!(s.tables_without_entry(&tables), vec!["a_new_table"]);
}

#[test]
fn holds_need_a_reason_a_future_review_and_a_known_case() {
    let today = date!(2026 - 12 - 04);
    assert!(check_hold("short", date!(2027 - 01 - 01), today).is_err());
    assert!(check_hold("Misconduct hearing pending", today, today).is_err());
    assert!(check_hold("Misconduct hearing pending", date!(2030 - 01 - 01), today).is_err());
    assert!(check_hold("Misconduct hearing pending", date!(2027 - 06 - 01), today).is_ok());
    assert!(parse_case_ref("finding:0190c7a4-1d2e-7000-8000-000000000001").is_ok());
    assert!(parse_case_ref("device:0190c7a4-1d2e-7000-8000-000000000001").is_err());
    assert!(parse_case_ref("finding:nope").is_err());
}

#[test]
fn deletion_batches_are_sized_by_time_between_the_floor_and_batch_rows() {
    use super::next_batch_rows;
    // 2,000 rows took 400 ms: aim at 40 ms, at once.
    assert_eq!(next_batch_rows(2_000, 400.0, 40, 2_000), 200);
    // Far too slow: never below the floor.
    assert_eq!(next_batch_rows(100, 2_000.0, 40, 2_000), 50);
    // Well under the target (under half of it): grows by a quarter, never above batch_rows.
    assert_eq!(next_batch_rows(100, 1.0, 40, 2_000), 125);
    assert_eq!(next_batch_rows(0, 0.0, 40, 2_000), 50);
    assert_eq!(next_batch_rows(1_800, 1.0, 40, 2_000), 2_000);
    // Near the target (half of it to all of it): kept as it is.
    assert_eq!(next_batch_rows(1_000, 20.0, 40, 2_000), 1_000);
    assert_eq!(next_batch_rows(1_000, 40.0, 40, 2_000), 1_000);
    // A slow batch's time counts its commit: one slow commit cuts the next batch at once.
    assert_eq!(next_batch_rows(2_000, 181.0, 25, 2_000), 276);
    // A schedule whose batch_rows is under the floor keeps to it.
    assert_eq!(next_batch_rows(10, 500.0, 40, 10), 10);
    assert_eq!(next_batch_rows(10, 0.0, 40, 10), 10);
    // The builtin schedule sets a target.
    assert_eq!(super::Schedule::builtin().batch_target_ms, 25);
}

#[test]
fn deletion_batches_are_paced_by_the_wal_they_write() {
    use super::wal_paced_pause_ms;
    // 1 MiB of WAL at 1,024 KiB/s is due after 1,000 ms; the batch took 40 ms of it.
    assert_eq!(wal_paced_pause_ms(1 << 20, 40.0, 1024, 20), 960.0);
    // 2 MiB at 4,096 KiB/s: 500 ms from the batch's start.
    assert_eq!(wal_paced_pause_ms(2 << 20, 100.0, 4096, 20), 400.0);
    // Little WAL, or a batch slower than its budget: never less than the pause.
    assert_eq!(wal_paced_pause_ms(8_192, 40.0, 1024, 20), 20.0);
    assert_eq!(wal_paced_pause_ms(1 << 20, 5_000.0, 1024, 20), 20.0);
    // No budget: the pause alone, whatever the WAL.
    assert_eq!(wal_paced_pause_ms(1 << 30, 40.0, 0, 20), 20.0);
    // A nonsense time counts as none.
    assert_eq!(wal_paced_pause_ms(1 << 20, f64::NAN, 1024, 0), 1000.0);
    // The pack: optional (no limit), 0, or at least 64 KiB/s.
    let record = format!("id = 'usage_records'\nkeep = '13 months'\naction = 'delete'\n{FIELDS}");
    let with = |line: &str| one(&record).replacen("batch_pause_ms = 0\n", &format!("batch_pause_ms = 0\n{line}\n"), 1);
    assert_eq!(Schedule::from_toml(&one(&record)).unwrap().wal_budget_kib_per_s, 0);
    assert_eq!(Schedule::from_toml(&with("wal_budget_kib_per_s = 0")).unwrap().wal_budget_kib_per_s, 0);
    assert_eq!(Schedule::from_toml(&with("wal_budget_kib_per_s = 8192")).unwrap().wal_budget_kib_per_s, 8192);
    assert!(Schedule::from_toml(&with("wal_budget_kib_per_s = 8")).unwrap_err().contains("wal_budget_kib_per_s"));
}

#[test]
fn deletion_batches_are_capped_by_the_wal_one_batch_writes() {
    use super::next_batch_rows;
    // The WAL is a second measure of the same kind as the time: 2,000 rows that wrote 916 KiB
    // against a 512 KiB budget are cut in proportion; 300 KiB (over half of it) keeps the size;
    // 100 KiB grows by a quarter. The job takes the fewer of the two.
    assert_eq!(next_batch_rows(2_000, 916.0, 512, 2_000), 1_117);
    assert_eq!(next_batch_rows(1_117, 300.0, 512, 2_000), 1_117);
    assert_eq!(next_batch_rows(800, 100.0, 512, 2_000), 1_000);
    // The pack: optional (no limit), 0, or 16 to 65,536 KiB.
    let record = format!("id = 'usage_records'\nkeep = '13 months'\naction = 'delete'\n{FIELDS}");
    let with = |line: &str| one(&record).replacen("batch_pause_ms = 0\n", &format!("batch_pause_ms = 0\n{line}\n"), 1);
    assert_eq!(Schedule::from_toml(&one(&record)).unwrap().batch_wal_kib, 0);
    assert_eq!(Schedule::from_toml(&with("batch_wal_kib = 512")).unwrap().batch_wal_kib, 512);
    assert!(Schedule::from_toml(&with("batch_wal_kib = 8")).unwrap_err().contains("batch_wal_kib"));
    assert!(Schedule::from_toml(&with("batch_wal_kib = 100000")).unwrap_err().contains("batch_wal_kib"));
    assert_eq!(Schedule::builtin().batch_wal_kib, 0);
}

#[test]
fn the_job_backs_off_when_its_durable_commit_is_slow() {
    use super::{BACKOFF_MAX_MS, flush_backoff_pause_ms, flush_is_slow, usual_flush_ms};
    // Usual flushes of 1 ms: 20 ms is the floor of "slow"; a 101.5 ms one is slow.
    assert!(!flush_is_slow(20.0, 1.0));
    assert!(flush_is_slow(20.5, 1.0));
    assert!(flush_is_slow(101.5, 1.0));
    // When the usual flush is 10 ms, slow means over 40 ms.
    assert!(!flush_is_slow(35.0, 10.0));
    assert!(flush_is_slow(41.0, 10.0));
    // Not slow: the pause asked for. Slow: ten times the flush, at most BACKOFF_MAX_MS, never
    // less than the pause asked for.
    assert_eq!(flush_backoff_pause_ms(5.0, 1.0, 20.0), 20.0);
    assert_eq!(flush_backoff_pause_ms(101.5, 1.0, 20.0), 1015.0);
    assert_eq!(flush_backoff_pause_ms(900.0, 1.0, 20.0), BACKOFF_MAX_MS);
    assert_eq!(flush_backoff_pause_ms(30.0, 1.0, 500.0), 500.0);
    assert_eq!(flush_backoff_pause_ms(f64::NAN, 1.0, 20.0), 20.0);
    // The usual flush: the first measure starts it (capped at the floor), then a moving average
    // over about 20 batches, into which a stall counts only as the threshold.
    assert_eq!(usual_flush_ms(0.0, 2.0), 2.0);
    assert_eq!(usual_flush_ms(0.0, 500.0), 20.0);
    assert_eq!(usual_flush_ms(2.0, 4.0), 2.1);
    assert_eq!(usual_flush_ms(2.0, 1_000.0), 2.0 + (20.0 - 2.0) / 20.0);
    assert_eq!(usual_flush_ms(2.0, f64::NAN), 2.0);
    // A run of slow flushes raises the usual one, so a disk that is slow all the time is not a
    // back-off after every batch.
    let mut usual = 1.0;
    for _ in 0..200 {
        usual = usual_flush_ms(usual, 60.0);
    }
    assert!(!flush_is_slow(60.0, usual), "{usual}");
}
