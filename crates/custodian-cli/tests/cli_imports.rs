//! `custodian import people` acts as the system operator (no person identity, shell access to
//! the server): it applies the roles column, audited as `person.roles_changed`, unless
//! `--ignore-roles` keeps every stored role.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;

use common::Env;

/// What the tests here read from the database.
trait Roles {
    fn roles(&self, sn: &str) -> Vec<String>;
    fn role_events(&self) -> Vec<(String, serde_json::Value)>;
}

impl Roles for Env {
    fn roles(&self, sn: &str) -> Vec<String> {
        let c = self.db();
        let mut q = c
            .prepare("SELECT r.role FROM person_roles r JOIN people p ON p.id = r.person_id WHERE p.staff_number = ?1 ORDER BY r.role")
            .unwrap();
        q.query_map([sn], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }
    fn role_events(&self) -> Vec<(String, serde_json::Value)> {
        let c = self.db();
        let mut q =
            c.prepare("SELECT actor, detail FROM audit_events WHERE action = 'person.roles_changed' AND subject = 'person:A1006' ORDER BY seq").unwrap();
        q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(|r| {
                let (actor, detail) = r.unwrap();
                (actor, serde_json::from_str(&detail).unwrap())
            })
            .collect()
    }
}

#[test]
fn the_command_line_applies_roles_as_the_operator_unless_told_to_ignore_them() {
    let e = Env::new();
    e.ok(&["migrate", "--create"]);
    let people = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/people.csv");
    e.ok(&["import", "people", people.to_str().unwrap()]);
    assert_eq!(e.roles("A1006"), vec!["digital_services"]);
    // A new person's roles are a role change too: granted by the operator.
    let created = e.role_events();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].1["before"], serde_json::json!([]));
    assert_eq!(created[0].1["after"], serde_json::json!(["digital_services"]));

    let file = e.dir.join("change.csv");
    std::fs::write(
        &file,
        "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
         A1006,Tomasz Nowak,tomasz.nowak@warwickshire.police.example,staff,Digital Services,A1002,digital_services;auditor,active,\n",
    )
    .unwrap();
    // --ignore-roles: nothing changes, and the ignored change is listed with its line and field.
    let out = e.ok(&["import", "people", file.to_str().unwrap(), "--ignore-roles", "--json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["summary"]["ignored"][0]["line"], 2, "{v}");
    assert_eq!(v["summary"]["ignored"][0]["field"], "roles", "{v}");
    assert_eq!(e.roles("A1006"), vec!["digital_services"]);
    assert_eq!(e.role_events().len(), 1, "no new role event");

    // Without it the operator's import applies the roles, audited with before and after.
    e.ok(&["import", "people", file.to_str().unwrap()]);
    assert_eq!(e.roles("A1006"), vec!["auditor", "digital_services"]);
    let events = e.role_events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].0, "cli");
    assert_eq!(events[1].1["before"], serde_json::json!(["digital_services"]));
    assert_eq!(events[1].1["after"], serde_json::json!(["digital_services", "auditor"]));

    // grant-role is a role change too.
    e.ok(&["user", "grant-role", "A1006", "psd"]);
    let events = e.role_events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].1["added"], serde_json::json!(["psd"]));
    e.ok(&["audit", "verify"]);
}

/// `custodian accounts import` (WP034 6.6, 6.7): all or nothing, each refusal naming its line
/// and field; a second run of the same file changes nothing; the file's list of authorised users
/// becomes the account's, and `accounts list` gives it back.
#[test]
fn the_accounts_import_is_all_or_nothing_idempotent_and_listed_back() {
    let e = Env::with_register();
    let head = "platform,handle,url,team,team_manager,kind,profile,authorised_users\n";
    let good = format!(
        "{head}x,@WarksNorth,https://x.com/WarksNorth,Response Policing North,A1016,departmental,\"Emergency? Call 999. Report crime on 101.\",A1017;A1018\n\
         facebook,WarwickshirePolice,,Corporate Communications,A1003,corporate,News from the force,A1009\n"
    );
    // A bad file: an unknown team manager, a leaver, a bad kind. Nothing is written.
    let bad = e.file(
        "bad.csv",
        format!(
            "{head}x,@WarksNorth,,Response Policing North,A9999,departmental,,A1017\n\
             x,Other,,Team,A1016,departmental,,A1008\n\
             x,Third,,Team,A1016,club,,\n"
        ),
    );
    let o = e.run(&["accounts", "import", &bad, "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let out: serde_json::Value = serde_json::from_str(common::stdout(&o).trim()).unwrap();
    let at = common::rejected(&out, "field");
    assert_eq!(at, vec![(4, "kind".to_string())], "{out}");
    let bad = e.file(
        "bad2.csv",
        format!(
            "{head}x,@WarksNorth,,Response Policing North,A9999,departmental,,A1017\n\
             x,Other,,Team,A1016,departmental,,A1008\n"
        ),
    );
    let o = e.run(&["accounts", "import", &bad, "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let out: serde_json::Value = serde_json::from_str(common::stdout(&o).trim()).unwrap();
    let at = common::rejected(&out, "field");
    assert_eq!(at, vec![(2, "team_manager".to_string()), (3, "authorised_users".to_string())], "{out}");
    let count = |sql: &str| -> i64 { e.db().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM social_accounts"), 0);

    let file = e.file("accounts.csv", &good);
    let first: serde_json::Value = serde_json::from_str(e.ok(&["accounts", "import", &file, "--json"]).trim()).unwrap();
    assert_eq!(first["created"], 2, "{first}");
    assert_eq!(first["users_added"], 3, "{first}");
    let ours =
        "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'social_account.%' OR action = 'import.social_accounts'";
    let events = count(ours);
    let again: serde_json::Value = serde_json::from_str(e.ok(&["accounts", "import", &file, "--json"]).trim()).unwrap();
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!(again["users_added"], 0, "{again}");
    assert_eq!(count(ours), events, "a second run writes nothing");
    // The corporate profile lacks signposting: one open social.signposting task (6.7).
    assert_eq!(
        count("SELECT COUNT(*) FROM social_account_tasks WHERE rule = 'social.signposting' AND status = 'open'"),
        1
    );

    // A1018 leaves the list: their authorisation ends (kept as history) and the log-in details
    // are due for a change (9.1).
    let changed = e.file("changed.csv", good.replace("A1017;A1018", "A1017"));
    let third: serde_json::Value =
        serde_json::from_str(e.ok(&["accounts", "import", &changed, "--json"]).trim()).unwrap();
    assert_eq!(third["users_ended"], 1, "{third}");
    assert_eq!(count("SELECT COUNT(*) FROM social_account_users WHERE ended_reason = 'removed'"), 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM social_account_tasks WHERE rule = 'social.rotate_credentials' AND status = 'open'"),
        1
    );

    let csv = e.ok(&["accounts", "list"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("platform,handle,url,team,team_manager,kind,profile,authorised_users,status"));
    assert!(csv.contains("x,WarksNorth,https://x.com/WarksNorth,Response Policing North,A1016,departmental,"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("x,WarksNorth") && l.contains(",A1017,active,")), "{csv}");
    let jsonl = e.ok(&["accounts", "list", "--format", "jsonl"]);
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(first["authorised_users"].is_array(), "{first}");
    assert!(!e.run(&["accounts", "list", "--format", "xml"]).status.success());
}
