//! Register imports of a whole force in one go (WP034 4.1, 4.8b): thousands of people whose line
//! managers come later in the file, and thousands of devices with allocation history, give the
//! records, history and audit events that applying each row in turn would give, and a second
//! import of the same file changes nothing.

use std::collections::HashMap;

use custodian_domain::people::{PersonStatus, Role};
use custodian_store::Actor;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};

const PEOPLE_HEADER: &str = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";
const DEVICES_HEADER: &str =
    "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n";
const AREAS: usize = 20;

/// What the test expects stored for one person of the generated force.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    staff_number: String,
    name: String,
    email: String,
    area: String,
    manager: Option<String>,
    roles: Vec<Role>,
    status: PersonStatus,
    phones: Vec<String>,
}

/// `n` people: everyone's line manager comes later in the file (person i is managed by a person
/// between i+1 and i+50), the last `AREAS` head an area each and have no manager, every tenth
/// has a personal phone, every 97th is a leaver.
fn force(n: usize) -> Vec<Expected> {
    (0..n)
        .map(|i| {
            let head = i >= n - AREAS;
            let manager = (!head).then(|| format!("B{:05}", (i + 1 + i % 50).min(n - 1)));
            Expected {
                staff_number: format!("B{i:05}"),
                name: format!("Person {i}"),
                email: format!("person.{i}@warwickshire.police.example"),
                area: format!("Area {:02}", i % AREAS),
                manager,
                roles: if head { vec![Role::HeadOfDepartment] } else { Vec::new() },
                status: if i % 97 == 5 { PersonStatus::Leaver } else { PersonStatus::Active },
                phones: if i % 10 == 0 { vec![format!("+441214960{:03}", i % 1000)] } else { Vec::new() },
            }
        })
        .collect()
}

fn people_csv(people: &[Expected]) -> String {
    let mut csv = String::from(PEOPLE_HEADER);
    for (i, p) in people.iter().enumerate() {
        let kind = ["officer", "staff", "volunteer"][i % 3];
        let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
        let phones: Vec<String> = p.phones.iter().map(|ph| format!("0121 496 0{}", &ph[10..])).collect();
        csv.push_str(&format!(
            "{},{},{},{kind},{},{},{},{},{}\n",
            p.staff_number,
            p.name,
            p.email,
            p.area,
            p.manager.as_deref().unwrap_or(""),
            roles.join(";"),
            p.status.as_str(),
            phones.join(";"),
        ));
    }
    csv
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    app.store()
        .audit_scan_events(|e, _, _| {
            out.push((e.action, e.subject));
            Ok(())
        })
        .await
        .unwrap();
    out
}

async fn assert_register_is(app: &TestApp, expected: &[Expected]) {
    let stored = app.store().people(&Default::default(), 1, expected.len() as i64 + 10).await.unwrap();
    assert_eq!(stored.total, expected.len() as i64);
    let by_sn: HashMap<&str, &custodian_store::Person> =
        stored.items.iter().map(|p| (p.staff_number.as_str(), p)).collect();
    for e in expected {
        let p = by_sn.get(e.staff_number.as_str()).unwrap_or_else(|| panic!("{} is not stored", e.staff_number));
        let got = Expected {
            staff_number: p.staff_number.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            area: p.business_area.clone(),
            manager: p.line_manager_staff_number.clone(),
            roles: p.roles.clone(),
            status: p.status,
            phones: p.personal_phones.clone(),
        };
        assert_eq!(&got, e);
        assert_eq!(p.is_head_of_department, e.roles.contains(&Role::HeadOfDepartment), "{}", e.staff_number);
    }
}

async fn five_thousand_people_with_managers_later_in_the_file_import_in_one_go(b: Backend) {
    let app = spawn(b).await;
    let now = time::OffsetDateTime::now_utc();
    let mut people = force(5_000);
    let csv = people_csv(&people);
    let start = audit_actions(&app).await.len();
    let out = custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((out.summary.created, out.summary.updated, out.summary.unchanged), (5_000, 0, 0));
    assert_register_is(&app, &people).await;
    let areas = app.store().business_areas().await.unwrap();
    assert_eq!(areas.len(), AREAS);
    for a in &areas {
        let head = people.iter().find(|p| p.area == a.name && p.roles.contains(&Role::HeadOfDepartment)).unwrap();
        assert_eq!(a.head_name.as_deref(), Some(head.name.as_str()), "{}", a.name);
    }
    // One create per person in file order, a roles_changed for each head, then the import's event.
    let mut events = audit_actions(&app).await;
    let earlier = events.drain(..start).count();
    let creates: Vec<&str> = events.iter().filter(|(a, _)| a == "person.create").map(|(_, s)| s.as_str()).collect();
    let subjects: Vec<String> = people.iter().map(|p| format!("person:{}", p.staff_number)).collect();
    assert_eq!(creates, subjects.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(events.iter().filter(|(a, _)| a == "person.roles_changed").count(), AREAS);
    assert_eq!(events.last().map(|(a, _)| a.as_str()), Some("import.people"));
    assert_eq!(events.len(), 5_000 + AREAS + 1);

    // The same file again changes nothing and writes no event.
    let out = custodian_server::imports::import_people(app.store(), &Actor::system(), now, csv.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((out.summary.created, out.summary.updated, out.summary.unchanged), (0, 0, 5_000));
    assert_eq!(audit_actions(&app).await.len(), earlier + events.len());

    // A changed file: a new line manager (later in the file), a leaver, a renamed person, a new
    // email address taking a freed one, and a head who stops heading their area.
    people[0].manager = Some("B04000".into());
    people[1].status = PersonStatus::Leaver;
    people[2].name = "Person Two Renamed".into();
    people[3].email = "person.4@warwickshire.police.example".into();
    people[4].email = "person.four@warwickshire.police.example".into();
    people.swap(3, 4); // B00004 gives up its address on the line before B00003 takes it
    let last = people.len() - 1;
    people[last].roles.clear();
    let out = custodian_server::imports::import_people(
        app.store(),
        &Actor::system(),
        now,
        people_csv(&people).as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert_eq!((out.summary.created, out.summary.updated, out.summary.unchanged), (0, 6, 4_994));
    assert_register_is(&app, &people).await;
    let area = &people[last].area;
    let areas = app.store().business_areas().await.unwrap();
    assert_eq!(areas.iter().find(|a| &a.name == area).unwrap().head_id, None);
    let after = audit_actions(&app).await;
    let new: Vec<(&str, &str)> =
        after[earlier + events.len()..].iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    let head = format!("person:{}", people[last].staff_number);
    assert_eq!(
        new,
        vec![
            ("person.update", "person:B00000"),
            ("person.line_manager_changed", "person:B00000"),
            ("person.update", "person:B00001"),
            ("person.status_changed", "person:B00001"),
            ("person.update", "person:B00002"),
            ("person.update", "person:B00004"),
            ("person.update", "person:B00003"),
            ("person.update", head.as_str()),
            ("person.roles_changed", head.as_str()),
            ("import.people", "import:people"),
        ]
    );
    // Taking an address another stored person keeps is refused with its line and field, and
    // nothing is written.
    let mut taker = people[10].clone();
    taker.email = people[11].email.clone();
    let e = custodian_server::imports::import_people(
        app.store(),
        &Actor::system(),
        now,
        people_csv(&[taker]).as_bytes(),
        false,
    )
    .await
    .unwrap_err();
    let text = format!("{e:?}");
    assert!(text.contains("line 2") && text.contains("email") && text.contains("B00011"), "{text}");
    assert_eq!(audit_actions(&app).await.len(), after.len());
    app.stop().await;
}
on_both!(five_thousand_people_with_managers_later_in_the_file_import_in_one_go);

/// One device row: `holder` and `from` (a date) when allocated.
fn device_line(i: usize, status: &str, holder: Option<&str>, from: Option<&str>) -> String {
    format!(
        "BK-{i:05},laptop,Dell,Latitude,SER{i:06},,,Windows 11,{status},{},{}\n",
        holder.unwrap_or(""),
        from.unwrap_or("")
    )
}

async fn thousands_of_devices_keep_their_allocation_history_in_one_go(b: Backend) {
    let app = spawn(b).await;
    let now = time::OffsetDateTime::now_utc();
    let people = force(300);
    custodian_server::imports::import_people(app.store(), &Actor::system(), now, people_csv(&people).as_bytes(), false)
        .await
        .unwrap();
    let active: Vec<&str> =
        people.iter().filter(|p| p.status == PersonStatus::Active).map(|p| p.staff_number.as_str()).collect();
    let holder = |i: usize, shift: usize| active[(i + shift) % active.len()];
    let n = 2_000;
    // First file: every third device in stock, the rest allocated, half of those since 2026-01-05.
    let mut csv = String::from(DEVICES_HEADER);
    for i in 0..n {
        csv.push_str(&match i % 3 {
            0 => device_line(i, "in_stock", None, None),
            1 => device_line(i, "allocated", Some(holder(i, 0)), Some("2026-01-05")),
            _ => device_line(i, "allocated", Some(holder(i, 0)), None),
        });
    }
    let events_before = audit_actions(&app).await.len();
    let out = custodian_server::imports::import_devices(app.store(), &Actor::system(), now, csv.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((out.summary.created, out.summary.updated), (n, 0));
    assert_eq!(audit_actions(&app).await.len(), events_before + n + 1);
    let again = custodian_server::imports::import_devices(app.store(), &Actor::system(), now, csv.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((again.summary.created, again.summary.updated, again.summary.unchanged), (0, 0, n));
    assert_eq!(audit_actions(&app).await.len(), events_before + n + 1);

    // Second file: devices 1, 4, ... (held since 2026-01-05) are handed to someone else from
    // 2026-02-01; devices 2, 5, ... (held since the first import) start earlier, on 2026-01-02;
    // devices 0, 3, ... stay in stock, except every 30th, which is allocated now.
    let mut csv = String::from(DEVICES_HEADER);
    for i in 0..n {
        csv.push_str(&match i % 3 {
            0 if i % 30 == 0 => device_line(i, "allocated", Some(holder(i, 0)), None),
            0 => device_line(i, "in_stock", None, None),
            1 => device_line(i, "allocated", Some(holder(i, 1)), Some("2026-02-01")),
            _ => device_line(i, "allocated", Some(holder(i, 0)), Some("2026-01-02")),
        });
    }
    let later = now + time::Duration::minutes(5);
    let out = custodian_server::imports::import_devices(app.store(), &Actor::system(), later, csv.as_bytes(), false)
        .await
        .unwrap();
    let allocated_now = (0..n).filter(|i| i % 30 == 0).count();
    let moved = (0..n).filter(|i| i % 3 != 0).count();
    assert_eq!((out.summary.created, out.summary.updated), (0, moved + allocated_now));
    let date = |s: &str| custodian_domain::imports::parse_allocated_from(s).unwrap();
    for i in [0, 1, 2, 3, 30, 31, 32, 1_997, 1_998, 1_999] {
        let tag = format!("BK-{i:05}");
        let d = app.device(&tag).await;
        let history = app.store().allocations(d.id).await.unwrap();
        let events: Vec<String> =
            app.store().device_history(d.id).await.unwrap().into_iter().map(|e| e.event).collect();
        match i % 3 {
            0 if i % 30 == 0 => {
                assert_eq!(d.holder_staff_number.as_deref(), Some(holder(i, 0)), "{tag}");
                assert_eq!(history.len(), 1, "{tag}");
                assert_eq!(history[0].allocated_at.unix_timestamp(), later.unix_timestamp(), "{tag}");
                assert_eq!(events, vec!["allocated", "registered"], "{tag}");
            }
            0 => {
                assert_eq!(d.holder_id, None, "{tag}");
                assert!(history.is_empty(), "{tag}");
                assert_eq!(events, vec!["registered"], "{tag}");
            }
            1 => {
                assert_eq!(d.holder_staff_number.as_deref(), Some(holder(i, 1)), "{tag}");
                assert_eq!(history.len(), 2, "{tag}");
                assert_eq!(history[0].staff_number, holder(i, 1), "{tag}");
                assert_eq!(history[0].allocated_at, date("2026-02-01"), "{tag}");
                assert_eq!(history[0].ended_at, None, "{tag}");
                assert_eq!(history[1].staff_number, holder(i, 0), "{tag}");
                assert_eq!(history[1].allocated_at, date("2026-01-05"), "{tag}");
                assert_eq!(history[1].ended_at, Some(date("2026-02-01")), "{tag}");
                assert_eq!(events, vec!["allocated", "returned", "registered"], "{tag}");
            }
            _ => {
                assert_eq!(d.holder_staff_number.as_deref(), Some(holder(i, 0)), "{tag}");
                assert_eq!(history.len(), 1, "{tag}");
                assert_eq!(history[0].allocated_at, date("2026-01-02"), "{tag}");
                assert_eq!(events, vec!["allocation_corrected", "registered"], "{tag}");
            }
        }
    }
    // A serial another device keeps is refused with its line and field; nothing is written.
    let csv = format!("{DEVICES_HEADER}{}", device_line(0, "in_stock", None, None).replace("SER000000", "SER000007"));
    let before = audit_actions(&app).await.len();
    let e = custodian_server::imports::import_devices(app.store(), &Actor::system(), later, csv.as_bytes(), false)
        .await
        .unwrap_err();
    let text = format!("{e:?}");
    assert!(text.contains("line 2") && text.contains("serial") && text.contains("BK-00007"), "{text}");
    assert_eq!(audit_actions(&app).await.len(), before);
    app.stop().await;
}
on_both!(thousands_of_devices_keep_their_allocation_history_in_one_go);
