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
