//! The people register CSV, and what an importer may change on each row.

use std::collections::HashMap;
use std::io::Read;

use crate::imports::rows::{one_of, parse_csv, text};
use crate::imports::{Parsed, RowError};
use crate::people::{PersonKind, PersonStatus, Role, StaffNumber};
use crate::validate;

/// A valid row of the people import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// The line the row starts on.
    pub line: u64,
    /// The person's staff number, upper-cased.
    pub staff_number: StaffNumber,
    /// Full name, trimmed.
    pub name: String,
    /// Email address, lower-cased.
    pub email: String,
    /// Officer, staff or volunteer.
    pub kind: PersonKind,
    /// The business area (department) the person works in, trimmed.
    pub business_area: String,
    /// The person's line manager, if any; never the person themselves.
    pub line_manager: Option<StaffNumber>,
    /// Roles granted, sorted and without duplicates.
    pub roles: Vec<Role>,
    /// Active or leaver.
    pub status: PersonStatus,
    /// Personal phone numbers in E.164 form, in file order without duplicates.
    pub personal_phones: Vec<String>,
}

/// The columns of the people CSV, exactly and in this order.
pub const PEOPLE_COLUMNS: [&str; 9] =
    ["staff_number", "name", "email", "kind", "business_area", "line_manager", "roles", "status", "personal_phones"];

/// Parse the people CSV. Returns `Err` only when the header is missing or is not exactly
/// [`PEOPLE_COLUMNS`]; every other problem is reported in [`Parsed::errors`].
///
/// `roles` and `personal_phones` are lists separated by `;` and may be empty. A staff number
/// or email address that appeared on an earlier line is an error on the later line. A person
/// cannot be their own line manager. Line managers are not required to appear in the file.
pub fn parse_people_csv<R: Read>(r: R) -> Result<Parsed<PersonRow>, RowError> {
    let mut seen_staff: HashMap<StaffNumber, u64> = HashMap::new();
    let mut seen_email: HashMap<String, u64> = HashMap::new();
    parse_csv(r, &PEOPLE_COLUMNS, |row| {
        let staff_number = row.required(0, StaffNumber::parse);
        let name = row.required(1, text);
        let email = row.required(2, validate::email);
        let kind =
            row.required(3, |s| PersonKind::parse(s).ok_or_else(|| one_of(s, PersonKind::ALL.map(|k| k.as_str()))));
        let business_area = row.required(4, text);
        let line_manager = row.optional(5, StaffNumber::parse);
        let roles = row.list(6, parse_roles);
        let status = row.required(7, |s| {
            PersonStatus::parse(s)
                .ok_or_else(|| one_of(s, [PersonStatus::Active, PersonStatus::Leaver].map(|k| k.as_str())))
        });
        let personal_phones = row.list(8, parse_phones);

        if let Some(sn) = &staff_number {
            match seen_staff.get(sn) {
                Some(first) => row.error(0, format!("{sn} already appears on line {first}")),
                None => {
                    seen_staff.insert(sn.clone(), row.line);
                }
            }
            if line_manager.as_ref().and_then(Option::as_ref) == Some(sn) {
                row.error(5, "a person cannot be their own line manager");
            }
        }
        if let Some(e) = &email {
            match seen_email.get(e) {
                Some(first) => row.error(2, format!("{e} already appears on line {first}")),
                None => {
                    seen_email.insert(e.clone(), row.line);
                }
            }
        }

        let (
            Some(staff_number),
            Some(name),
            Some(email),
            Some(kind),
            Some(business_area),
            Some(line_manager),
            Some(roles),
            Some(status),
            Some(personal_phones),
        ) = (staff_number, name, email, kind, business_area, line_manager, roles, status, personal_phones)
        else {
            return None;
        };
        Some(PersonRow {
            line: row.line,
            staff_number,
            name,
            email,
            kind,
            business_area,
            line_manager,
            roles,
            status,
            personal_phones,
        })
    })
}

/// Who is importing people, and so which of a row's rights-bearing fields they may change.
///
/// Roles grant rights (the audit log, monitoring cases, approvals), so only an administrator
/// changes them (WP034 4.1), and nobody changes their own (separation of duties: another
/// administrator must). The command line and the demo seed act as the system operator, who has
/// shell access to the server and its database and may already grant roles
/// (`custodian user grant-role`), so they keep role changes; every person, signed in or with a
/// token, is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportAuthority {
    /// The importer may grant and remove roles (an administrator or the system operator).
    pub may_change_roles: bool,
    /// The importing person's staff number; `None` for the system operator.
    pub importer: Option<StaffNumber>,
    /// Role changes the importer may not make are ignored (the stored roles are kept; a new
    /// person gets none) and listed, instead of rejecting their rows.
    pub ignore_roles: bool,
}

impl ImportAuthority {
    /// The system operator: the command line and the demo seed (no person identity).
    pub fn operator() -> Self {
        Self { may_change_roles: true, importer: None, ignore_roles: false }
    }
}

/// What is stored now for a person a row updates: the fields that carry rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRights<'a> {
    /// Their roles, sorted.
    pub roles: &'a [Role],
    /// Their line manager's staff number.
    pub line_manager: Option<&'a str>,
    /// Active or leaver.
    pub status: PersonStatus,
    /// The business area they work in.
    pub business_area: &'a str,
}

/// The outcome of checking one row against the importer's authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRights {
    /// The roles to store for the row's person (the row's, or the stored ones when a change
    /// was ignored).
    pub roles: Vec<Role>,
    /// Changes the importer may not make: the row must not be applied.
    pub errors: Vec<RowError>,
    /// Role changes ignored under [`ImportAuthority::ignore_roles`].
    pub ignored: Vec<RowError>,
}

fn role_names(roles: &[Role]) -> String {
    if roles.is_empty() { "none".into() } else { roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";") }
}

/// Check one people row against the importer's authority, given what is stored for that person
/// (`None` for someone new).
///
/// - `roles`: only an importer who may change roles changes them, and never on their own row;
///   a new person imported by anyone else gets no roles. Refused changes are errors on `roles`,
///   or, with `ignore_roles`, are ignored and listed.
/// - `line_manager`: a person importing may not change their own line manager nor make
///   themselves someone's line manager (the line manager approves and judges: WP034 4.2, 4.10).
/// - `status`: a person importing may not change their own status.
/// - `business_area`: moving a Head of Department makes them head of the new area (WP034 4.8b),
///   which only an importer who may change roles does.
pub fn check_row_rights(auth: &ImportAuthority, row: &PersonRow, stored: Option<StoredRights<'_>>) -> RowRights {
    let mut out = RowRights { roles: row.roles.clone(), errors: Vec::new(), ignored: Vec::new() };
    let current: &[Role] = stored.map_or(&[], |s| s.roles);
    let own_row = auth.importer.as_ref() == Some(&row.staff_number);
    if row.roles.as_slice() != current {
        let why = if own_row {
            Some("nobody changes their own roles (separation of duties): another administrator must".to_string())
        } else if !auth.may_change_roles {
            Some(match stored {
                None => {
                    "only an administrator grants roles (WP034 4.1): a new person imported by anyone else gets none"
                        .to_string()
                }
                Some(_) => "only an administrator changes roles (WP034 4.1)".to_string(),
            })
        } else {
            None
        };
        if let Some(why) = why {
            let message = format!(
                "{why}; the file has {} where the register has {}",
                role_names(&row.roles),
                role_names(current)
            );
            if auth.ignore_roles {
                out.ignored.push(RowError::new(row.line, Some("roles"), format!("ignored: {message}")));
                out.roles = current.to_vec();
            } else {
                out.errors.push(RowError::new(
                    row.line,
                    Some("roles"),
                    format!("{message}; keep the stored roles in the file, or import with ignore_roles"),
                ));
            }
        }
    }
    if let Some(me) = &auth.importer {
        let wanted = row.line_manager.as_ref().map(StaffNumber::as_str);
        let stored_manager = stored.and_then(|s| s.line_manager);
        if own_row && stored.is_some() && wanted != stored_manager {
            out.errors.push(RowError::new(
                row.line,
                Some("line_manager"),
                "nobody changes their own line manager: another person with the right must import this change",
            ));
        }
        if wanted == Some(me.as_str()) && stored_manager != Some(me.as_str()) {
            out.errors.push(RowError::new(
                row.line,
                Some("line_manager"),
                format!(
                    "nobody makes themselves someone's line manager (the line manager approves and judges their \
                     requests, WP034 4.2, 4.10): another person with the right must import {me} as line manager"
                ),
            ));
        }
        if own_row && stored.is_some_and(|s| s.status != row.status) {
            out.errors.push(RowError::new(
                row.line,
                Some("status"),
                "nobody changes their own status: another person with the right must import this change",
            ));
        }
    }
    if let Some(s) = stored
        && !auth.may_change_roles
        && out.roles.contains(&Role::HeadOfDepartment)
        && s.business_area != row.business_area
    {
        out.errors.push(RowError::new(
            row.line,
            Some("business_area"),
            "moving a Head of Department makes them head of the new business area (WP034 4.8b), which only an \
             administrator does",
        ));
    }
    out
}

fn parse_roles(items: Vec<&str>) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    let mut unknown = Vec::new();
    for item in items {
        match Role::parse(item) {
            Some(r) => roles.push(r),
            None => unknown.push(format!("{item:?}")),
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        return Err(format!("unknown role {}; roles are {}", unknown.join(", "), known.join(", ")));
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

fn parse_phones(items: Vec<&str>) -> Result<Vec<String>, String> {
    let mut phones: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        match validate::phone_e164(item) {
            Ok(p) if !phones.contains(&p) => phones.push(p),
            Ok(_) => {}
            Err(m) => problems.push(m),
        }
    }
    if problems.is_empty() { Ok(phones) } else { Err(problems.join("; ")) }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::imports::tests::*;
    use crate::imports::{Parsed, parse_devices_csv};

    fn one_row(line: &str) -> PersonRow {
        let p = people(line);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.rows.into_iter().next().unwrap()
    }

    fn by(importer: Option<&str>, may_change_roles: bool, ignore_roles: bool) -> ImportAuthority {
        ImportAuthority { may_change_roles, importer: importer.map(|s| StaffNumber::parse(s).unwrap()), ignore_roles }
    }

    const DS_ROW: &str = "A6,Dee Ess,dee@x.example,staff,Digital Services,A2,admin;psd;digital_services,active,\n";

    fn stored_ds() -> StoredRights<'static> {
        StoredRights {
            roles: &[Role::DigitalServices],
            line_manager: Some("A2"),
            status: PersonStatus::Active,
            business_area: "Digital Services",
        }
    }

    #[test]
    fn only_an_administrator_changes_roles_and_never_their_own() {
        let row = one_row(DS_ROW);
        // Digital Services importing their own row with extra roles: refused, naming the line and field.
        let r = check_row_rights(&by(Some("A6"), false, false), &row, Some(stored_ds()));
        assert_eq!(fields(&r.errors), vec![(2, Some("roles"))]);
        assert!(r.errors[0].message.contains("own roles"), "{}", r.errors[0].message);
        // Someone else's row, still not an administrator: refused.
        let r = check_row_rights(&by(Some("A9"), false, false), &row, Some(stored_ds()));
        assert_eq!(fields(&r.errors), vec![(2, Some("roles"))]);
        assert!(r.errors[0].message.contains("only an administrator"), "{}", r.errors[0].message);
        // An administrator changing their own roles: refused too.
        let r = check_row_rights(&by(Some("A6"), true, false), &row, Some(stored_ds()));
        assert_eq!(fields(&r.errors), vec![(2, Some("roles"))]);
        // An administrator changing another person's roles, and the system operator: allowed.
        for auth in [by(Some("A9"), true, false), ImportAuthority::operator()] {
            let r = check_row_rights(&auth, &row, Some(stored_ds()));
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            assert_eq!(r.roles, vec![Role::DigitalServices, Role::Psd, Role::Admin]);
        }
        // With ignore_roles the stored roles are kept and the change is listed.
        let r = check_row_rights(&by(Some("A9"), false, true), &row, Some(stored_ds()));
        assert!(r.errors.is_empty());
        assert_eq!(r.roles, vec![Role::DigitalServices]);
        assert_eq!(fields(&r.ignored), vec![(2, Some("roles"))]);
        // Unchanged roles are no change, whoever imports.
        let same = one_row("A6,Dee Ess,dee@x.example,staff,Digital Services,A2,digital_services,active,\n");
        let r = check_row_rights(&by(Some("A6"), false, false), &same, Some(stored_ds()));
        assert!(r.errors.is_empty() && r.ignored.is_empty(), "{r:?}");
    }

    #[test]
    fn a_new_person_imported_by_anyone_but_an_administrator_gets_no_roles() {
        let row = one_row("B1,New Starter,new@x.example,staff,Digital Services,,auditor,active,\n");
        let r = check_row_rights(&by(Some("A6"), false, false), &row, None);
        assert_eq!(fields(&r.errors), vec![(2, Some("roles"))]);
        let r = check_row_rights(&by(Some("A6"), false, true), &row, None);
        assert!(r.errors.is_empty());
        assert!(r.roles.is_empty());
        let none = one_row("B1,New Starter,new@x.example,staff,Digital Services,,,active,\n");
        assert!(check_row_rights(&by(Some("A6"), false, false), &none, None).errors.is_empty());
        assert_eq!(check_row_rights(&by(Some("A9"), true, false), &row, None).roles, vec![Role::Auditor]);
    }

    #[test]
    fn nobody_changes_their_own_line_manager_or_status_or_makes_themselves_a_line_manager() {
        let auth = by(Some("A6"), true, false);
        let own = one_row("A6,Dee Ess,dee@x.example,staff,Digital Services,A3,digital_services,leaver,\n");
        let r = check_row_rights(&auth, &own, Some(stored_ds()));
        assert_eq!(fields(&r.errors), vec![(2, Some("line_manager")), (2, Some("status"))]);
        let other = one_row("B1,Bee One,b1@x.example,staff,Digital Services,A6,,active,\n");
        let r = check_row_rights(&auth, &other, None);
        assert_eq!(fields(&r.errors), vec![(2, Some("line_manager"))]);
        let stored = StoredRights {
            roles: &[],
            line_manager: Some("A6"),
            status: PersonStatus::Active,
            business_area: "Digital Services",
        };
        assert!(check_row_rights(&auth, &other, Some(stored)).errors.is_empty(), "already their manager: no change");
        // Someone else's manager and status are HR fields anyone who may import changes.
        let moved = one_row("B1,Bee One,b1@x.example,staff,Digital Services,A3,,leaver,\n");
        assert!(check_row_rights(&by(Some("A9"), false, false), &moved, Some(stored)).errors.is_empty());
    }

    #[test]
    fn moving_a_head_of_department_to_another_area_needs_an_administrator() {
        let row = one_row("H1,Head One,h1@x.example,staff,Other Area,,head_of_department,active,\n");
        let stored = StoredRights {
            roles: &[Role::HeadOfDepartment],
            line_manager: None,
            status: PersonStatus::Active,
            business_area: "Digital Services",
        };
        assert_eq!(
            fields(&check_row_rights(&by(Some("A6"), false, false), &row, Some(stored)).errors),
            vec![(2, Some("business_area"))]
        );
        assert!(check_row_rights(&by(Some("A9"), true, false), &row, Some(stored)).errors.is_empty());
    }

    // People CSV.

    #[test]
    fn a_valid_person_row_is_parsed_and_normalised() {
        let p = people(
            "a12,  Jo Bloggs ,Jo.Bloggs@Warwickshire.Police.Example,Officer,Digital Services,b7,psd;admin;psd,Active,0121 496 0123; +44 20 7946 0001\n",
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(
            p.rows,
            vec![PersonRow {
                line: 2,
                staff_number: StaffNumber::parse("A12").unwrap(),
                name: "Jo Bloggs".into(),
                email: "jo.bloggs@warwickshire.police.example".into(),
                kind: PersonKind::Officer,
                business_area: "Digital Services".into(),
                line_manager: Some(StaffNumber::parse("B7").unwrap()),
                roles: vec![Role::Psd, Role::Admin],
                status: PersonStatus::Active,
                personal_phones: vec!["+441214960123".into(), "+442079460001".into()],
            }]
        );
    }

    #[test]
    fn the_header_is_line_1_and_the_first_data_row_is_line_2() {
        let p = people(&format!("{JO}A2,,x,officer,DS,,,active,\n"));
        assert_eq!(p.rows[0].line, 2);
        assert!(p.errors.iter().all(|e| e.line == 3));
    }

    #[test]
    fn a_header_with_a_wrong_column_name_is_an_error_on_line_1() {
        let e = parse_people_csv(PEOPLE_HEADER.replace("email", "e-mail").as_bytes()).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("column 3 is \"e-mail\" but should be \"email\""), "{}", e.message);
        assert!(e.message.contains(&PEOPLE_COLUMNS.join(",")), "{}", e.message);
    }

    #[test]
    fn a_header_with_the_right_columns_in_another_order_is_refused() {
        let header = "name,staff_number,email,kind,business_area,line_manager,roles,status,personal_phones\n";
        assert!(parse_people_csv(header.as_bytes()).is_err());
    }

    #[test]
    fn a_header_with_a_missing_or_an_extra_column_is_refused() {
        let short = PEOPLE_HEADER.replace(",personal_phones", "");
        assert!(
            parse_people_csv(short.as_bytes())
                .unwrap_err()
                .message
                .contains("\"personal_phones\" and any after it are missing")
        );
        let long = PEOPLE_HEADER.replace("personal_phones", "personal_phones,notes");
        assert!(parse_people_csv(long.as_bytes()).unwrap_err().message.contains("1 too many"));
    }

    #[test]
    fn header_names_may_have_spaces_around_them() {
        let header = PEOPLE_HEADER.replace(',', " , ");
        assert!(parse_people_csv(header.as_bytes()).is_ok());
    }

    #[test]
    fn a_device_file_given_as_the_people_file_is_refused() {
        assert!(parse_people_csv(DEVICE_HEADER.as_bytes()).is_err());
        assert!(parse_devices_csv(PEOPLE_HEADER.as_bytes()).is_err());
    }

    #[test]
    fn an_empty_file_is_refused_on_line_1() {
        for empty in ["", "\n\n", "\u{feff}"] {
            let e = parse_people_csv(empty.as_bytes()).unwrap_err();
            assert_eq!(e.line, 1);
            assert!(e.message.contains("empty"), "{}", e.message);
        }
    }

    #[test]
    fn a_file_with_only_a_header_has_no_rows_and_no_errors() {
        assert_eq!(people(""), Parsed::default());
    }

    #[test]
    fn a_utf8_byte_order_mark_is_tolerated() {
        let p = parse_people_csv(format!("\u{feff}{PEOPLE_HEADER}{JO}").as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.errors, vec![]);
    }

    #[test]
    fn empty_trailing_lines_are_ignored() {
        let p = people(&format!("{JO}\n\n,,,,,,,,\n  \r\n"));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.errors, vec![]);
    }

    #[test]
    fn windows_line_endings_are_accepted() {
        let p = parse_people_csv(
            format!("{PEOPLE_HEADER}{JO}A2,Al,al@x.example,staff,DS,,,active,\n").replace('\n', "\r\n").as_bytes(),
        )
        .unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1].line, 3);
    }

    #[test]
    fn old_mac_line_endings_still_number_lines() {
        let text = format!("{PEOPLE_HEADER}{JO}A2,,al@x.example,staff,DS,,,active,\n").replace('\n', "\r");
        let p = parse_people_csv(text.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(fields(&p.errors), vec![(3, Some("name"))]);
    }

    #[test]
    fn a_blank_line_in_the_middle_is_skipped_but_counted() {
        let p = people(&format!("{JO}\nA2,,al@x.example,staff,DS,,,active,\n"));
        assert_eq!(fields(&p.errors), vec![(4, Some("name"))]);
    }

    #[test]
    fn a_row_reports_every_bad_field_at_once() {
        let p = people("A 1,,not-an-email,sergeant,,A/2,wizard,retired,12345\n");
        assert_eq!(p.rows, vec![]);
        assert_eq!(
            fields(&p.errors),
            vec![
                (2, Some("staff_number")),
                (2, Some("name")),
                (2, Some("email")),
                (2, Some("kind")),
                (2, Some("business_area")),
                (2, Some("line_manager")),
                (2, Some("roles")),
                (2, Some("status")),
                (2, Some("personal_phones")),
            ]
        );
    }

    #[test]
    fn names_with_control_or_bidirectional_characters_or_too_long_are_refused_naming_line_and_field() {
        let long = "J".repeat(201);
        let p = people(&format!(
            "A1,Jo Bloggs,jo@force.example,officer,Response,,,active,\n\
             A2,\"Jo\u{202E}sggolB\",jo2@force.example,officer,Response,,,active,\n\
             A3,\"Jo\u{2066}Bloggs\",jo3@force.example,officer,Response,,,active,\n\
             A4,\"Jo\0Bloggs\",jo4@force.example,officer,Response,,,active,\n\
             A5,\"Jo\nBloggs\",jo5@force.example,officer,Response,,,active,\n\
             A6,{long},jo6@force.example,officer,Response,,,active,\n\
             A7,\"Jo \u{85}Bloggs\",jo7@force.example,officer,\"Resp\u{202B}onse\",,,active,\n"
        ));
        assert_eq!(p.rows.len(), 1, "{:?}", p.errors);
        // The quoted line break makes A5's row two physical lines: A6 starts on line 8.
        assert_eq!(
            fields(&p.errors),
            vec![
                (3, Some("name")),
                (4, Some("name")),
                (5, Some("name")),
                (6, Some("name")),
                (8, Some("name")),
                (9, Some("name")),
                (9, Some("business_area")),
            ]
        );
        assert!(p.errors[0].message.contains("U+202E"), "{}", p.errors[0].message);
        assert!(p.errors[4].message.contains("200"), "{}", p.errors[4].message);
    }

    #[test]
    fn required_fields_left_empty_say_they_are_required() {
        let p = people(",,,,,,,,\nA1,,,,,,,,\n");
        assert_eq!(p.errors.len(), 5, "the all-blank row is skipped; the other misses 5 fields: {:?}", p.errors);
        assert!(p.errors.iter().all(|e| e.line == 3 && e.message == "is required"));
    }

    #[test]
    fn an_unknown_role_is_one_error_naming_roles_and_every_unknown_role() {
        let p = people("A1,Jo,jo@x.example,staff,DS,,psd;line_manager;wizard,active,\n");
        assert_eq!(fields(&p.errors), vec![(2, Some("roles"))]);
        let m = &p.errors[0].message;
        assert!(m.contains("\"line_manager\"") && m.contains("\"wizard\"") && m.contains("digital_services"), "{m}");
    }

    #[test]
    fn roles_are_sorted_deduplicated_case_insensitive_and_may_be_empty() {
        let p = people(
            "A1,Jo,jo@x.example,staff,DS,,Admin; psd ;;ADMIN;dmi,active,\nA2,Al,al@x.example,staff,DS,,,active,\n",
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].roles, vec![Role::Psd, Role::Dmi, Role::Admin]);
        assert_eq!(p.rows[1].roles, vec![]);
    }

    #[test]
    fn personal_phones_are_separated_by_semicolons_normalised_and_deduplicated() {
        let p = people("A1,Jo,jo@x.example,staff,DS,,,active,0121 496 0123;;+441214960123; 020 7946 0999 \n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].personal_phones, vec!["+441214960123".to_string(), "+442079460999".to_string()]);
    }

    #[test]
    fn a_bad_personal_phone_is_one_error_naming_personal_phones() {
        let p = people("A1,Jo,jo@x.example,staff,DS,,,active,0121 496 0123;07700 900123;banana\n");
        assert_eq!(fields(&p.errors), vec![(2, Some("personal_phones"))]);
        assert!(p.errors[0].message.contains("07700 900123") && p.errors[0].message.contains("banana"));
    }

    #[test]
    fn a_duplicate_staff_number_is_an_error_on_the_later_line() {
        let p = people(&format!(
            "{JO}A2,Al,al@x.example,staff,DS,,,active,\na1,Jo Again,jo2@x.example,staff,DS,,,active,\n"
        ));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(fields(&p.errors), vec![(4, Some("staff_number"))]);
        assert!(p.errors[0].message.contains("line 2"), "{}", p.errors[0].message);
    }

    #[test]
    fn a_duplicate_email_is_an_error_on_the_later_line() {
        let p = people(&format!("{JO}A2,Al,JO.BLOGGS@warwickshire.police.example,staff,DS,,,active,\n"));
        assert_eq!(fields(&p.errors), vec![(3, Some("email"))]);
    }

    #[test]
    fn a_person_cannot_be_their_own_line_manager() {
        let p = people("A1,Jo,jo@x.example,staff,DS,a1,,active,\n");
        assert_eq!(fields(&p.errors), vec![(2, Some("line_manager"))]);
        assert!(p.errors[0].message.contains("own line manager"));
    }

    #[test]
    fn kind_and_status_are_case_insensitive() {
        let p = people("A1,Jo,jo@x.example,VOLUNTEER,DS,,,Leaver,\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!((p.rows[0].kind, p.rows[0].status), (PersonKind::Volunteer, PersonStatus::Leaver));
    }

    #[test]
    fn a_bad_kind_lists_the_allowed_kinds() {
        let p = people("A1,Jo,jo@x.example,contractor,DS,,,active,\n");
        assert!(p.errors[0].message.contains("officer, staff, volunteer"), "{}", p.errors[0].message);
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_is_one_error_naming_the_line() {
        let p =
            people(&format!("A1,Jo,jo@x.example,staff,DS,,,active\nA2,Al,al@x.example,staff,DS,,,active,,extra\n{JO}"));
        assert_eq!(fields(&p.errors), vec![(2, None), (3, None)]);
        assert!(p.errors[0].message.contains("has 8 fields but should have 9"), "{}", p.errors[0].message);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn quoted_fields_may_contain_commas_and_quotes() {
        let p = people("A1,\"Bloggs, Jo \"\"JB\"\"\",jo@x.example,staff,\"Digital Services, North\",,,active,\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].name, "Bloggs, Jo \"JB\"");
        assert_eq!(p.rows[0].business_area, "Digital Services, North");
    }

    #[test]
    fn a_line_break_inside_a_name_is_refused_and_later_rows_keep_their_line_numbers() {
        let p = people("A1,\"Jo\nBloggs\",jo@x.example,staff,DS,,,active,\nA2,,al@x.example,staff,DS,,,active,\n");
        assert_eq!(fields(&p.errors), vec![(2, Some("name")), (4, Some("name"))]);
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_naming_the_field() {
        let mut bytes = PEOPLE_HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"A1,Jos\xe9 Bloggs,jo@x.example,staff,DS,,,active,\n");
        let p = parse_people_csv(&bytes[..]).unwrap();
        assert_eq!(fields(&p.errors), vec![(2, Some("name"))]);
        assert!(p.errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn overlong_text_is_refused() {
        let p = people(&format!("A1,{},jo@x.example,staff,DS,,,active,\n", "x".repeat(201)));
        assert_eq!(fields(&p.errors), vec![(2, Some("name"))]);
    }
}
