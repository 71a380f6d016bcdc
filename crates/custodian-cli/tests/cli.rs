//! The `custodian` binary end to end: imports with line-numbered errors and exit codes, JSON
//! output, findings export, audit verify and tamper detection, config and OpenAPI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

mod cli_audit;
mod cli_input;
mod cli_usage;
mod common;

use common::{Env, bin, fixture, stdout};

#[test]
fn a_mistyped_database_path_is_refused_rather_than_created() {
    let e = Env::new();
    let o = e.run(&["audit", "verify"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("refusing to create"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!e.dir.join("c.db").exists());
}

#[test]
fn imports_report_json_reject_bad_rows_and_are_idempotent() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let people = fixture("people.csv");
    let o = e.run(&["import", "people", people.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["summary"]["created"], 20);
    let o = e.run(&["import", "people", people.to_str().unwrap(), "--json"]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((j["summary"]["created"].as_u64(), j["summary"]["unchanged"].as_u64()), (Some(0), Some(20)));

    let bad = e.write("bad.csv", "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\nX-1,phone,A,B,,,,,in_stock,\nX-2,spaceship,A,B,,,,,in_stock,\n");
    let o = e.run(&["import", "devices", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["rejected"][0]["line"], 3);
    assert_eq!(j["rejected"][0]["field"], "type");
    let o = e.run(&["import", "devices", bad.to_str().unwrap(), "--skip-invalid"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("skipped line 3"), "{}", stdout(&o));
}

#[test]
fn findings_export_as_jsonl_and_the_audit_log_detects_tampering() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    for (kind, f) in [("people", "people.csv"), ("devices", "devices.csv"), ("intune", "intune.json")] {
        let o = e.run(&["import", kind, fixture(f).to_str().unwrap()]);
        assert!(o.status.success(), "{kind}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let o = e.run(&["findings", "export", "--format", "jsonl"]);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    for f in &lines {
        for k in ["id", "rule", "clause", "status", "person", "device", "opened_at", "records"] {
            assert!(f.get(k).is_some(), "missing {k} in {f}");
        }
    }
    assert_eq!(lines[0]["rule"], "devices.user_mismatch");
    assert_eq!(lines[0]["clause"], "4.1");

    let cp = e.run(&["audit", "checkpoint"]);
    assert!(stdout(&cp).contains("\n\u{2014} "), "a C2SP signed note: {}", stdout(&cp));
    let o = e.run(&["audit", "verify", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["problem"].is_null());
    let n = v["events"].as_u64().unwrap();
    assert!(n > 50);

    // Tamper with one event in the file behind the application's back.
    let db = e.dir.join("c.db");
    let status = Command::new("python3")
        .args(["-c", &format!("import sqlite3; c = sqlite3.connect('{}'); c.execute(\"UPDATE audit_events SET subject = 'device:NOTHING' WHERE seq = 12\"); c.commit()", db.display())])
        .status()
        .expect("python3 (with its sqlite3 module) plays the attacker here");
    assert!(status.success());
    let o = e.run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("event 12 "), "{}", stdout(&o));
}

#[test]
fn config_example_and_openapi_print() {
    let o = Command::new(bin()).args(["config", "example"]).output().unwrap();
    assert!(stdout(&o).contains("database_url"));
    let o = Command::new(bin()).arg("openapi").output().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}

/// WP034 5.4: PSD scripts a round from creation to a verified bundle, and a re-implementation
/// of the published algorithm, written here from its description alone, agrees with the command.
#[test]
fn a_monitoring_round_is_scripted_end_to_end_and_an_independent_implementation_agrees() {
    use sha2::{Digest, Sha256};
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    for (kind, file) in [("people", "people.csv"), ("devices", "devices.csv")] {
        let o = e.run(&["import", kind, fixture(file).to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let h = |s: &str| hex::encode(Sha256::digest(s.as_bytes()));
    let commitment = h("psd round secret");
    let o = e.run(&["monitoring", "create", "--name", "Q1", "--sample", "2", "--commitment", &commitment]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let round = stdout(&o).trim().to_string();
    assert!(uuid::Uuid::parse_str(&round).is_ok(), "prints the round id: {round}");

    let o = e.run(&["monitoring", "exclude", &round, "A1019", "--reason", ""]);
    assert_eq!(o.status.code(), Some(2), "an exclusion needs a reason");
    assert!(e.run(&["monitoring", "exclude", &round, "a1019", "--reason", "Long-term absence"]).status.success());
    let o = e.run(&["monitoring", "draw", &round, "--beacon", "drand 4242: 9f86d0", "--secret", "not the secret"]);
    assert_eq!(o.status.code(), Some(2), "a secret that does not open the commitment is refused");
    assert!(String::from_utf8_lossy(&o.stderr).contains("commitment"));
    let o = e.run(&["monitoring", "draw", &round, "--beacon", "drand 4242: 9f86d0", "--secret", "psd round secret"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = e.dir.join("bundle.json");
    assert!(e.run(&["monitoring", "export", &round, "--out", out.to_str().unwrap()]).status.success());

    // Verify needs no database at all.
    let o = Command::new(bin())
        .args(["--database-url", "sqlite:/nonexistent/x.db", "monitoring", "verify", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("bundle verified"));

    // The independent re-implementation.
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let people: Vec<(String, String)> = b["population"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["business_area"].as_str().unwrap().to_string(), m["staff_number"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(people.len(), 13, "active holders of an allocated device, minus the exclusion");
    assert!(!people.iter().any(|(_, sn)| sn == "A1019"));
    let mut lines: Vec<String> = people.iter().map(|(a, s)| format!("{a}\t{s}\n")).collect();
    lines.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
    let population_hash = h(&lines.concat());
    assert_eq!(b["population_hash"], population_hash);
    assert_eq!(b["commitment"], commitment);
    let seed = h(&format!("{population_hash}\ndrand 4242: 9f86d0\npsd round secret"));
    assert_eq!(b["seed"], seed);
    for (area, k) in b["sample_sizes"].as_object().unwrap() {
        let mut scored: Vec<(String, String)> = people
            .iter()
            .filter(|(a, _)| a == area)
            .map(|(a, s)| (h(&format!("{seed}\n{a}\n{s}")), s.clone()))
            .collect();
        scored.sort();
        let order: Vec<serde_json::Value> = scored.into_iter().map(|(_, s)| serde_json::Value::from(s)).collect();
        let k = (k.as_u64().unwrap() as usize).min(order.len());
        assert_eq!(b["selected"][area].as_array().unwrap(), &order[..k], "{area}");
        assert_eq!(b["reserve"][area].as_array().unwrap(), &order[k..], "{area}");
    }

    // A bundle whose selection was swapped with a reserve does not verify, and says where.
    let mut swapped = b.clone();
    let area = "Response Policing North";
    let first_reserve = swapped["reserve"][area][0].clone();
    swapped["reserve"][area][0] = swapped["selected"][area][0].clone();
    swapped["selected"][area][0] = first_reserve;
    let tampered = e.write("tampered.json", swapped.to_string());
    let o = e.run(&["monitoring", "verify", tampered.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fields: Vec<&str> = j["differences"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec![format!("selected.{area}"), format!("reserve.{area}")]);

    // A draw is final; exclusions come before it.
    assert_eq!(e.run(&["monitoring", "exclude", &round, "A1017", "--reason", "late"]).status.code(), Some(2));
    let o = e.run(&["monitoring", "sample-size", "--rate", "0.05", "--confidence", "0.95"]);
    assert!(stdout(&o).starts_with("59:"), "{}", stdout(&o));
    let o = e.run(&["audit", "verify", "--json"]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(j["problem"].is_null(), "{j}");
}

#[test]
fn the_screening_pack_is_checked_then_put_into_effect_and_kept() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let o = e.run(&["screening-pack", "history"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("the built-in pack 2026.12.12 applies"), "{}", stdout(&o));

    let builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy-pack/screening.toml"))
            .unwrap();
    let broken = e.write("broken.toml", "version = ");
    let o = e.run(&["screening-pack", "check", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("body:"));

    let changed = builtin.replacen("version = \"2026.12.12\"", "version = \"2026.12.13\"", 1).replacen(
        "act = 0.75",
        "act = 0.99",
        1,
    );
    let file = e.write("changed.toml", &changed);
    let o = e.run(&["screening-pack", "check", file.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["to_version"], "2026.12.13");
    assert!(!report["differences"].as_array().unwrap().is_empty());

    let o = e.run(&["screening-pack", "activate", file.to_str().unwrap(), "--reason", "trial"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = e.run(&["screening-pack", "history"]);
    assert!(stdout(&o).contains("2026.12.13") && stdout(&o).contains("trial") && stdout(&o).contains("cli"));
    assert_eq!(stdout(&e.run(&["screening-pack", "show"])), changed);
    // The same version again is refused.
    let o = e.run(&["screening-pack", "activate", file.to_str().unwrap(), "--reason", "again"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn apps_catalogue_inventory_findings_export_and_mdm_export() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    for (kind, f) in [("people", "people.csv"), ("devices", "devices.csv")] {
        assert!(e.run(&["import", kind, fixture(f).to_str().unwrap()]).status.success());
    }
    let catalogue = e.write(
        "catalogue.csv",
        "name,platform,package_id,publisher,category,allowed_for\n\
         Microsoft Teams,android,com.microsoft.teams,Microsoft,productivity,all\n\
         WhatsApp,android,com.whatsapp,Meta,messaging,role:dmi;person:A1018\n\
         Waze,android,com.waze,Google,navigation,role:dmi\n",
    );
    let o = e.run(&["apps", "import-catalogue", catalogue.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["summary"]["created"], 3, "{j}");

    // A bad line refuses the whole file (exit 2) naming line and column; --skip-invalid imports the rest.
    let inventory = e.write(
        "inventory.csv",
        "device,app_id,version,seen_at\n\
         WP-MB-0005,com.microsoft.teams,6.1,2026-11-27T09:00:00Z\n\
         WP-MB-0005,com.whatsapp,2.24,2026-11-27T09:00:00Z\n\
         351427870905460,com.whatsapp,2.24,\n\
         WP-MB-0007,com.whatsapp,2.24,\n\
         WP-MB-0007,com.waze,1,not a date\n\
         NO-SUCH-DEVICE,com.whatsapp,2.24,\n",
    );
    let o = e.run(&["import", "apps", inventory.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["rejected"][0]["line"], 6, "{j}");
    assert_eq!(j["rejected"][0]["field"], "seen_at", "{j}");
    let o = e.run(&["import", "apps", inventory.to_str().unwrap(), "--skip-invalid", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // WP-MB-0005 (A1016) has WhatsApp unapproved; A1018's is granted by name; the IMEI is of a
    // device with no holder (kept, no finding); the unknown device is reported with its line.
    assert_eq!(j["summary"]["findings_opened"], 1, "{j}");
    assert_eq!(j["summary"]["unmatched"][0]["line"], 7, "{j}");
    assert_eq!(j["skipped"][0]["line"], 6, "{j}");
    assert_eq!(j["evaluation"]["unapproved"], 1, "{j}");

    let o = e.run(&["findings", "export", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|f: &serde_json::Value| f["rule"] == "apps.unapproved")
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["app"], "com.whatsapp");
    assert_eq!(lines[0]["device"], "WP-MB-0005");
    assert_eq!(lines[0]["clause"], "4.8");

    let o = e.run(&["apps", "export", "--role", "dmi", "--format", "amapi"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pkgs: Vec<&str> =
        j["applications"].as_array().unwrap().iter().map(|a| a["packageName"].as_str().unwrap()).collect();
    assert_eq!(pkgs, vec!["com.microsoft.teams", "com.waze", "com.whatsapp"]);
    assert!(j["applications"].as_array().unwrap().iter().all(|a| a["installType"] == "AVAILABLE"));
    let o = e.run(&["apps", "export", "--role", "resolution_centre", "--format", "csv"]);
    assert_eq!(
        stdout(&o),
        "name,platform,package_id,category,direct_messaging\nMicrosoft Teams,android,com.microsoft.teams,productivity,no\n"
    );
    assert_eq!(e.run(&["apps", "export", "--role", "wizard", "--format", "csv"]).status.code(), Some(2));
    let o = e.run(&["apps", "evaluate", "--json"]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["evaluation"]["unapproved"], 1, "{j}");
    assert_eq!(j["evaluation"]["opened"], 0, "{j}");
    assert!(e.run(&["audit", "verify"]).status.success());
}

#[test]
fn no_token_is_issued_to_a_leaver_and_leaving_revokes_the_tokens_held() {
    let e = Env::new();
    assert!(e.run(&["migrate", "--create"]).status.success());
    let people = fixture("people.csv");
    assert!(e.run(&["import", "people", people.to_str().unwrap()]).status.success());
    // A1008 has left the force (fixtures/people.csv).
    let o = e.run(&["user", "token", "A1008", "--name", "integration"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("left the force"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = e.run(&["user", "token", "A1007", "--name", "integration"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&e.run(&["user", "tokens"])).contains("active"));
    // A1007 leaves: the token is revoked by the import that records it.
    let text = std::fs::read_to_string(&people).unwrap().replace(
        "A1007,Aisha Khan,aisha.khan@warwickshire.police.example,staff,Digital Services,A1005,,active,",
        "A1007,Aisha Khan,aisha.khan@warwickshire.police.example,staff,Digital Services,A1005,,leaver,",
    );
    let left = e.write("left.csv", &text);
    assert!(e.run(&["import", "people", left.to_str().unwrap()]).status.success());
    let list = stdout(&e.run(&["user", "tokens"]));
    assert!(list.contains("revoked") && !list.contains("active"), "{list}");
}
