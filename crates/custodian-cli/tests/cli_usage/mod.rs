//! `custodian usage`: the carrier import's exit codes and `--json` output, the dry run, and an
//! import killed with SIGKILL part-way that loses no committed row and completes on the re-run.

use std::process::{Command, Stdio};

use super::common::soon;
use super::{Env, bin, stdout};

const HEADER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

#[test]
fn the_import_lists_bad_rows_imports_the_rest_exits_non_zero_and_is_idempotent() {
    let e = Env::with_register();
    let t = soon();
    let body = format!(
        "{HEADER}c1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n\
         c2,+441214960506,call,out,{t},60,bad number,,GB,false,\n\
         c3,+441214960506,call,out,{t},60,999,,GB,false,\n\
         c4,+447700900999,sms,out,{t},,07700900123,,GB,false,\n"
    );
    let f = e.write("bill.csv", &body);
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "rejected rows make the exit code non-zero");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"rows": 4, "imported": 3, "duplicates": 0, "rejected": [
            {"line": 3, "record_id": "c2", "reason": "other_party: \"bad number\" is not a phone number or short code"}],
            "before_first_allocation": 0})
    );
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["imported"].as_u64(), v["duplicates"].as_u64()), (Some(0), Some(3)));

    // The dry run names the breaching records and stores nothing.
    // Two data records of 600 MiB on one device and day go over the 1 GiB limit (4.5): they come
    // back from the dry run's spill file at the end, in file order.
    let dry = e.write(
        "dry.csv",
        format!(
            "{HEADER}g1,+441214960506,data,,{t},,,629145600,GB,false,\n\
             d1,+441214960506,call,out,{t},60,+44 906 123 4567,,GB,false,\n\
             g2,+441214960506,data,,{t},,,629145600,GB,false,\n"
        ),
    );
    let o = e.run(&["usage", "check", "carrier", dry.to_str().unwrap(), "--format", "jsonl"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<_> =
        lines.iter().map(|l| (l["record_id"].as_str(), l["rule"].as_str(), l["clause"].as_str())).collect();
    assert_eq!(
        got,
        [
            (Some("d1"), Some("usage.premium_rate"), Some("4.2")),
            (Some("g1"), Some("usage.cellular_data"), Some("4.5")),
            (Some("g2"), Some("usage.cellular_data"), Some("4.5")),
        ]
    );
    let o = e.run(&["findings", "export", "--format", "jsonl"]);
    let out = stdout(&o);
    assert!(out.contains("\"c1\""), "{out}");
    assert!(!out.contains("\"d1\""), "check stores nothing");
    assert!(out.contains("usage.unattributed"), "{out}");

    // A wrong header refuses the whole file.
    let wrong = e.write("wrong.csv", "record_id,msisdn\nx,+441214960506\n");
    let o = e.run(&["usage", "import", "carrier", wrong.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("header must be exactly"));
}

fn count(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c.query_row("SELECT COUNT(*) FROM usage_records", [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn an_import_killed_mid_file_loses_no_committed_row_and_the_rerun_completes() {
    let e = Env::with_register();
    let t = soon();
    let rows = 300_000;
    let mut body = String::with_capacity(rows * 80);
    body.push_str(HEADER);
    for i in 0..rows {
        body.push_str(&format!("k{i:07},+441214960506,data,,{t},,,1000,GB,false,\n"));
    }
    let f = e.write("big.csv", &body);
    let db = e.dir.join("c.db");
    let mut child = Command::new(bin())
        .args(["--database-url", &e.url(), "usage", "import", "carrier", f.to_str().unwrap(), "--json"])
        .env("CUSTODIAN_DATA_DIR", &e.dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first committed batch, then SIGKILL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while count(&db) == 0 {
        assert!(std::time::Instant::now() < deadline, "no batch committed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let committed = count(&db);
    assert!(committed > 0 && committed < rows as i64, "killed part-way: {committed}");
    assert_eq!(committed % 25_000, 0, "only whole batches are committed");
    // The re-run keeps every committed row and stores the rest.
    let o = e.run(&["usage", "import", "carrier", f.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["duplicates"].as_i64(), Some(committed));
    assert_eq!(v["imported"].as_i64(), Some(rows as i64 - committed));
    assert_eq!(count(&db), rows as i64);
    // The day totals (WP034 4.5) count every stored record once: the killed run's batches with
    // their rows, the re-run's only its new ones.
    let c = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let totals: i64 = c.query_row("SELECT SUM(bytes) FROM usage_cellular_days", [], |r| r.get(0)).unwrap();
    assert_eq!(totals, rows as i64 * 1000);
    drop(c);
    // Every batch committed with its audit event, and the log still verifies.
    let o = e.run(&["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

/// `custodian overseas record` stays an administrative path for a window approved outside
/// Custodian (WP034 4.2): the recorded window silences roaming in the dry run and is exported;
/// a window not (or no longer) approved does neither.
#[test]
fn a_recorded_overseas_window_silences_roaming_and_is_exported_only_while_approved() {
    let e = Env::with_register();
    let today = time::OffsetDateTime::now_utc().date();
    let (from, to) = (today.to_string(), (today + time::Duration::days(2)).to_string());
    let o = e.run(&[
        "overseas",
        "record",
        "--person",
        "A1018",
        "--device",
        "WP-MB-0007",
        "--country",
        "fr",
        "--from",
        &from,
        "--to",
        &to,
        "--purpose",
        "Calais liaison",
        "--approval-ref",
        "FVU-2026-17",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = e.run(&["overseas", "export"]);
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("WP-MB-0007,") && lines[1].ends_with(&format!(",A1018,FR,{from},{to}")), "{csv}");

    let t = soon();
    let f = e.write("abroad.csv", format!("{HEADER}o1,+441214960506,data,,{t},,,1000,FR,false,\n"));
    let check = |e: &Env| stdout(&e.run(&["usage", "check", "carrier", f.to_str().unwrap(), "--format", "jsonl"]));
    assert!(!check(&e).contains("usage.roaming"), "the approved window covers France");

    // The same window, not approved: no silence, no export.
    let c = rusqlite::Connection::open(e.dir.join("c.db")).unwrap();
    c.execute("UPDATE overseas_windows SET status = 'requested'", []).unwrap();
    drop(c);
    assert!(check(&e).contains("usage.roaming"), "a pending window silences nothing");
    assert_eq!(stdout(&e.run(&["overseas", "export"])).lines().count(), 1, "only the header");
}

/// WP034 4.1: a bill from before the register's allocations is counted and unattributed; the
/// register imported with allocated_from attributes it, and `custodian usage reattribute` then
/// finds nothing to change.
#[test]
fn a_register_with_allocated_from_attributes_an_earlier_bill_and_reattribute_is_idempotent() {
    let e = Env::with_register();
    let t = (time::OffsetDateTime::now_utc() - time::Duration::days(10))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let bill = e.write("old.csv", format!("{HEADER}o1,+441214960506,call,out,{t},60,09061234567,,GB,false,\n"));
    let o = e.run(&["usage", "import", "carrier", bill.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("1 records are from before their device's first allocation"), "{}", stdout(&o));
    assert!(stdout(&o).contains("allocated_from"));
    let from = (time::OffsetDateTime::now_utc() - time::Duration::days(30)).date();
    let register = e.write(
        "register.csv",
        format!(
            "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n\
             WP-MB-0007,phone,Samsung,Galaxy S23,R5CTXKS0HZ7,357481163912919,0121 496 0506,Android 14,allocated,A1018,{from}\n"
        ),
    );
    let o = e.run(&["import", "devices", register.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["reattribution"]["records_reattributed"], 1, "{v}");
    assert_eq!(v["reattribution"]["findings_closed"], 1, "{v}");
    let o = e.run(&["usage", "reattribute", "--device", "WP-MB-0007", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["records_examined"].as_u64(), v["records_reattributed"].as_u64()), (Some(1), Some(0)), "{v}");
    let o = e.run(&["usage", "reattribute", "--from", "2026-02-01", "--to", "2026-01-01"]);
    assert!(!o.status.success(), "--to before --from is refused");
}
