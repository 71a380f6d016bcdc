//! `custodian import intune` and `custodian import amapi`: WP034 4.7 findings from MDM exports,
//! partial exports refused unless `--allow-partial`, and the parser's warnings reported in the
//! text, `--json` and the audit event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

mod common;

use common::Env;

/// What the tests here read from the database.
trait Findings {
    fn findings(&self, rule: &str) -> Vec<(String, Option<String>)>;
    fn audit_details(&self, action: &str) -> Vec<serde_json::Value>;
}

impl Findings for Env {
    fn findings(&self, rule: &str) -> Vec<(String, Option<String>)> {
        let c = self.db();
        let mut q = c.prepare("SELECT status, outcome FROM findings WHERE rule = ?1 ORDER BY opened_at").unwrap();
        q.query_map([rule], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    }
    fn audit_details(&self, action: &str) -> Vec<serde_json::Value> {
        let c = self.db();
        let mut q = c.prepare("SELECT detail FROM audit_events WHERE action = ?1 ORDER BY seq").unwrap();
        q.query_map([action], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|d| serde_json::from_str(&d.unwrap()).unwrap())
            .collect()
    }
}

fn ago(days: i64) -> String {
    (OffsetDateTime::now_utc() - Duration::days(days)).format(&Rfc3339).unwrap()
}

const RULES: [&str; 3] = ["devices.integrity", "devices.noncompliant", "devices.stale"];

#[test]
fn a_partial_graph_page_is_refused_unless_allowed_and_its_warnings_are_reported() {
    let e = Env::with_register();
    let page = serde_json::json!({"value": [{"id": "mdm-mb7", "serialNumber": "R5CTXKS0HZ7", "phoneNumber": "07700 9",
        "lastSyncDateTime": ago(1), "complianceState": "compliant", "jailBroken": "False", "isEncrypted": true}],
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices?$skiptoken=abc"});
    let f = e.file("page.json", page.to_string());
    let o = e.run(&["import", "intune", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("other pages are missing") && err.contains("--allow-partial"), "{err}");
    assert!(e.audit_details("import.intune").is_empty(), "nothing imported");

    let text = e.ok(&["import", "intune", &f, "--allow-partial"]);
    assert!(text.contains("warning, line 0: /@odata.nextLink:"), "{text}");
    assert!(text.contains("warning, line 1: /value/0/phoneNumber:"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&e.ok(&["import", "intune", &f, "--allow-partial", "--json"])).unwrap();
    let fields: Vec<&str> =
        json["summary"]["warnings"].as_array().unwrap().iter().map(|w| w["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["/@odata.nextLink", "/value/0/phoneNumber"], "{json}");
    let events = e.audit_details("import.intune");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["warnings"].as_array().unwrap().len(), 2, "{}", events[0]);
}

#[test]
fn intune_integrity_findings_open_once_and_close_on_a_later_healthy_export() {
    let e = Env::with_register();
    let device = |sync: String, compliance: &str, jailbroken: &str, encrypted: bool| {
        serde_json::json!([{"id": "mdm-mb7", "serialNumber": "R5CTXKS0HZ7", "lastSyncDateTime": sync,
            "complianceState": compliance, "jailBroken": jailbroken, "isEncrypted": encrypted, "managementState": "managed"}])
        .to_string()
    };
    let bad = e.file("bad.json", device(ago(31), "noncompliant", "True", false));
    let out = e.ok(&["import", "intune", &bad]);
    assert!(out.contains("3 findings opened"), "{out}");
    e.ok(&["import", "intune", &bad]);
    for rule in RULES {
        assert_eq!(e.findings(rule), vec![("open".to_string(), None)], "{rule}");
    }
    let good = e.file("good.json", device(ago(0), "compliant", "False", true));
    let out = e.ok(&["import", "intune", &good]);
    assert!(out.contains("3 closed as resolved"), "{out}");
    for rule in RULES {
        assert_eq!(e.findings(rule), vec![("closed".to_string(), Some("resolved".to_string()))], "{rule}");
    }
    assert_eq!(e.audit_details("finding.resolve").len(), 3);
}

#[test]
fn an_android_management_api_export_is_imported_with_findings() {
    let e = Env::with_register();
    let list = serde_json::json!({"devices": [{"name": "enterprises/LC0abc/devices/37a1",
        "networkInfo": {"imei": "357481163912919"}, "securityPosture": {"devicePosture": "AT_RISK"},
        "nonComplianceDetails": [{"settingName": "encryptionPolicy", "nonComplianceReason": "USER_ACTION"}],
        "lastStatusReportTime": ago(2), "state": "ACTIVE"}]});
    let f = e.file("amapi.json", list.to_string());
    let json: serde_json::Value = serde_json::from_str(&e.ok(&["import", "amapi", &f, "--json"])).unwrap();
    assert_eq!(json["summary"]["findings_opened"], 2, "{json}");
    assert_eq!(e.findings("devices.integrity").len(), 1);
    assert_eq!(e.findings("devices.noncompliant").len(), 1);
    assert!(e.findings("devices.stale").is_empty());
    assert_eq!(e.audit_details("import.amapi").len(), 1);

    // An entry with a bad IMEI names its pointer and position.
    let bad = e.file("bad.json", r#"[{"name": "a"}, {"name": "b", "networkInfo": {"imei": "123"}}]"#);
    let o = e.run(&["import", "amapi", &bad]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/1/networkInfo/imei") && err.contains("--skip-invalid"), "{err}");
}

#[test]
fn bytes_that_are_not_utf8_are_reported_by_line_not_byte_index() {
    let e = Env::with_register();
    let mut bytes = b"[\n {\"id\": \"x\",\n  \"deviceName\": \"Caf".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b"\"}]");
    let f = e.file("latin1.json", bytes);
    let o = e.run(&["import", "intune", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3") && err.contains("deviceName"), "{err}");
    assert!(!err.contains("index"), "{err}");
}

/// `custodian import intune --register-new` (WP034 1.2, 4.1): without the flag a device the
/// register does not know is listed as not applied; with it, it is registered and allocated to
/// its primary user from `enrolledDateTime`, so last month's bill is attributed to them. Again,
/// nothing more is created. An enrolment in the future is refused with its line and field.
#[test]
fn intune_register_new_onboards_a_device_from_its_enrolment() {
    let e = Env::with_register();
    let export = |enrolled: String| {
        serde_json::json!({"value": [{"id": "9d1f3a5b-0000-4000-8000-00000000c11", "deviceName": "WP-MB-9301",
            "serialNumber": "CLI9301", "phoneNumber": "+441214960593", "manufacturer": "samsung", "model": "SM-S911B",
            "operatingSystem": "Android", "osVersion": "14", "userPrincipalName": "Jack.Thornton@warwickshire.police.example",
            "enrolledDateTime": enrolled}]})
        .to_string()
    };
    let f = e.file("intune.json", export(ago(30)));
    let text = e.ok(&["import", "intune", &f]);
    assert!(text.contains("0 created") && text.contains("not applied, line 1"), "{text}");

    let json: serde_json::Value =
        serde_json::from_str(&e.ok(&["import", "intune", &f, "--register-new", "--json"])).unwrap();
    assert_eq!(json["summary"]["created"], 1, "{json}");
    assert!(json["reattribution"].is_object(), "{json}");
    let (holder, from): (String, String) = e
        .db()
        .query_row(
            "SELECT p.staff_number, a.allocated_at FROM allocations a JOIN devices d ON d.id = a.device_id \
             JOIN people p ON p.id = a.person_id WHERE d.asset_tag = 'WP-MB-9301'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(holder, "A1018");
    let days =
        (OffsetDateTime::now_utc() - OffsetDateTime::parse(&from.replace(' ', "T"), &Rfc3339).unwrap()).whole_days();
    assert_eq!(days, 30, "allocated from enrolment: {from}");

    let t = ago(20);
    let bill = e.file(
        "bill.csv",
        format!(
            "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n\
             c1,+441214960593,call,out,{t},60,09061234567,,GB,false,\nc2,+441214960593,call,out,{t},60,0121 496 0000,,GB,false,\n"
        ),
    );
    e.ok(&["usage", "import", "carrier", &bill]);
    assert!(e.findings("usage.unattributed").is_empty(), "every record has a holder");
    assert_eq!(e.findings("usage.premium_rate"), vec![("open".to_string(), None)]);

    let again = e.ok(&["import", "intune", &f, "--register-new"]);
    assert!(again.contains("0 created") && again.contains("1 unchanged"), "{again}");

    let future = e.file("future.json", export(ago(-3)).replace("9301", "9302").replace("c11", "c12"));
    let o = e.run(&["import", "intune", &future, "--register-new"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Line 1, /value/0/enrolledDateTime"), "{err}");
}
