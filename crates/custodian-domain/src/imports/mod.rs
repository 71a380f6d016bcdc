//! Parsers for the bulk imports: the people and device register CSV files, and Microsoft
//! Intune (Graph `managedDevices`) JSON exports. Parsing checks every row and collects every
//! problem, each naming its line and field, so a whole file can be fixed in one pass.

mod amapi;
mod devices;
mod intune;
mod people;
mod rows;

pub use amapi::*;
pub use devices::*;
pub use intune::*;
pub use people::*;

/// One problem in an import.
///
/// For CSV files `line` is the 1-based line on which the row starts (the header is line 1,
/// so the first data row is normally line 2) and `field` the column name. For Intune JSON
/// `line` is the device's position in the array counting from 1, `field` a JSON pointer such
/// as `/value/3/imei`, and `line` 0 means the document as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// Where the problem is (see the type's documentation).
    pub line: u64,
    /// The column name or JSON pointer, or `None` when the whole row is at fault.
    pub field: Option<String>,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl RowError {
    fn new(line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self { line, field: field.map(str::to_string), message: message.into() }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, {}: {}", self.line, field, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for RowError {}

/// The outcome of parsing an import: the rows that passed every check, one error per bad
/// field (or per bad row), and warnings about things accepted with a change (such as an
/// unusable phone number that was dropped). A row with any error is not in `rows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    /// Rows that passed every check, in file order.
    pub rows: Vec<T>,
    /// Problems that kept rows out of `rows`.
    pub errors: Vec<RowError>,
    /// Problems that did not keep a row out, but changed what was imported.
    pub warnings: Vec<RowError>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Self { rows: Vec::new(), errors: Vec::new(), warnings: Vec::new() }
    }
}

impl<T> Parsed<T> {
    /// `r`'s value, or `None` with its error added to `errors` (the row it stands for is left out).
    pub(crate) fn or_error<U>(&mut self, r: Result<U, RowError>) -> Option<U> {
        r.map_err(|e| self.errors.push(e)).ok()
    }
}

/// The text of a JSON export (`what` names it in messages, e.g. "Intune export"). Bytes that are
/// not UTF-8 are an error giving the line and column where they are (line 1 is the first line)
/// and, when they sit in a member's value, the member's name as the field.
pub fn json_text<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, RowError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        // `good` is valid UTF-8 by construction.
        let before = std::str::from_utf8(good).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let member = last_member(before);
        let place = match &member {
            Some(m) => format!(" in the value of \"{m}\""),
            None => String::new(),
        };
        RowError::new(
            u64::try_from(line).unwrap_or(u64::MAX),
            member.as_deref(),
            format!(
                "the {what} is not valid UTF-8: line {line}, column {column}{place} has a byte that is not UTF-8; save the file as UTF-8 and import it again"
            ),
        )
    })
}

/// A JSON export's text as a document (a leading byte-order mark is dropped). Text that is not
/// JSON is an error on serde_json's line, naming the export (`what`, e.g. "Intune export").
fn json_document(text: &str, what: &str) -> Result<serde_json::Value, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        RowError::new(u64::try_from(e.line()).unwrap_or(0), None, format!("the {what} is not valid JSON: {e}"))
    })
}

/// The device at `index` of a JSON export's device array (`prefix` is the array's pointer): its
/// line (position + 1), its JSON pointer and its members, or the error that it is not an object.
fn json_device<'a>(
    prefix: &str,
    index: usize,
    item: &'a serde_json::Value,
) -> Result<(u64, String, &'a serde_json::Map<String, serde_json::Value>), RowError> {
    let line = u64::try_from(index).map_or(u64::MAX, |i| i.saturating_add(1));
    let base = format!("{prefix}/{index}");
    match item {
        serde_json::Value::Object(obj) => Ok((line, base, obj)),
        _ => Err(RowError::new(line, Some(&base), "expected a JSON object for each device")),
    }
}

/// What a JSON value is, for messages ("a number", "an array", ...).
fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The name of the member whose value `text` (a JSON prefix) ends inside, if it is a string
/// value: the last `"name": "` before the end, with no quote after it.
fn last_member(text: &str) -> Option<String> {
    let open = text.rfind('"')?;
    let head = text[..open].trim_end();
    let head = head.strip_suffix(':')?.trim_end();
    let head = head.strip_suffix('"')?;
    let start = head.rfind('"')?;
    Some(head[start + 1..].to_string())
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;
    use crate::devices::{DeviceStatus, DeviceType};
    use crate::people::{PersonKind, Role, StaffNumber};
    use std::collections::HashMap;

    use std::collections::{BTreeSet, HashSet};
    pub(in crate::imports) const PEOPLE_HEADER: &str =
        "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";
    pub(in crate::imports) const DEVICE_HEADER: &str =
        "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n";
    pub(in crate::imports) const JO: &str =
        "A1,Jo Bloggs,Jo.Bloggs@Warwickshire.Police.Example,officer,Digital Services,,,active,\n";
    pub(in crate::imports) const IMEI: &str = "490154203237518";

    pub(in crate::imports) const PEOPLE_FIXTURE: &str = include_str!("../../../../fixtures/people.csv");
    pub(in crate::imports) const DEVICES_FIXTURE: &str = include_str!("../../../../fixtures/devices.csv");
    pub(in crate::imports) const INTUNE_FIXTURE: &str = include_str!("../../../../fixtures/intune.json");

    pub(in crate::imports) fn people(body: &str) -> Parsed<PersonRow> {
        parse_people_csv(format!("{PEOPLE_HEADER}{body}").as_bytes()).unwrap()
    }

    pub(in crate::imports) fn devices(body: &str) -> Parsed<DeviceRow> {
        parse_devices_csv(format!("{DEVICE_HEADER}{body}").as_bytes()).unwrap()
    }

    pub(in crate::imports) fn intune(devices: &str) -> Parsed<IntuneDevice> {
        parse_intune_json(&format!(r#"{{"@odata.context": "x", "value": [{devices}]}}"#)).unwrap()
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error_naming_the_line_and_member() {
        let mut bytes = b"{\"value\": [\n  {\"id\": \"d1\",\n   \"deviceName\": \"Caf".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b"\"}\n]}");
        let e = json_text(&bytes, "Intune export").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("deviceName")));
        assert!(e.message.contains("line 3, column 22"), "{}", e.message);
        assert!(!e.message.contains("index"), "{}", e.message);
        let mut outside = b"[\n\n".to_vec();
        outside.push(0xff);
        let e = json_text(&outside, "export").unwrap_err();
        assert_eq!((e.line, e.field), (3, None));
        assert_eq!(json_text(b"[]", "export").unwrap(), "[]");
    }

    pub(in crate::imports) fn fields(errors: &[RowError]) -> Vec<(u64, Option<&str>)> {
        errors.iter().map(|e| (e.line, e.field.as_deref())).collect()
    }
    #[test]
    fn row_errors_display_their_line_and_field() {
        assert_eq!(RowError::new(3, Some("email"), "is required").to_string(), "line 3, email: is required");
        assert_eq!(RowError::new(4, None, "has 2 fields").to_string(), "line 4: has 2 fields");
    }

    // Fixtures used by the integration tests.

    #[test]
    fn the_people_fixture_is_clean_and_covers_the_organisation() {
        let p = parse_people_csv(PEOPLE_FIXTURE.as_bytes()).unwrap();
        assert_eq!((p.errors.clone(), p.warnings.clone()), (vec![], vec![]));
        assert_eq!(p.rows.len(), 20);
        let areas: BTreeSet<&str> = p.rows.iter().map(|r| r.business_area.as_str()).collect();
        assert_eq!(
            areas,
            BTreeSet::from([
                "Corporate Communications",
                "Digital Services",
                "Professional Standards",
                "Response Policing North"
            ])
        );
        for area in &areas {
            assert!(
                p.rows.iter().any(|r| r.business_area == *area && r.roles.contains(&Role::HeadOfDepartment)),
                "{area} has no head"
            );
        }
        let roles: HashSet<Role> = p.rows.iter().flat_map(|r| r.roles.iter().copied()).collect();
        assert_eq!(roles.len(), Role::ALL.len());
        assert!(p.rows.iter().all(|r| r.email.ends_with("@warwickshire.police.example")));
        for kind in PersonKind::ALL {
            assert!(p.rows.iter().any(|r| r.kind == kind));
        }

        // Line managers form one tree: a single root, and every chain reaches it.
        let manager: HashMap<&StaffNumber, Option<&StaffNumber>> =
            p.rows.iter().map(|r| (&r.staff_number, r.line_manager.as_ref())).collect();
        assert_eq!(manager.values().filter(|m| m.is_none()).count(), 1);
        for start in manager.keys() {
            let mut at = *start;
            for _ in 0..=manager.len() {
                match manager[at] {
                    Some(next) => at = next,
                    None => break,
                }
            }
            assert!(manager[at].is_none(), "the chain from {start} does not reach the root");
        }
    }

    #[test]
    fn the_device_fixture_is_clean_and_covers_every_type_and_status() {
        let people = parse_people_csv(PEOPLE_FIXTURE.as_bytes()).unwrap();
        let staff: HashSet<&StaffNumber> = people.rows.iter().map(|r| &r.staff_number).collect();
        let p = parse_devices_csv(DEVICES_FIXTURE.as_bytes()).unwrap();
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows.len(), 30);
        for t in DeviceType::ALL {
            assert!(p.rows.iter().any(|d| d.device_type == t), "no {t:?}");
        }
        for s in DeviceStatus::ALL {
            assert!(p.rows.iter().any(|d| d.status == s), "no {s:?}");
        }
        for d in &p.rows {
            if d.device_type == DeviceType::Phone {
                assert!(d.imei.is_some() && d.phone_number.is_some(), "{}", d.asset_tag);
            }
            if let Some(holder) = &d.allocated_to {
                assert!(staff.contains(holder), "{} is allocated to unknown {holder}", d.asset_tag);
            }
        }
    }

    #[test]
    fn the_intune_fixture_matches_fixture_devices_and_has_one_holder_mismatch() {
        let people = parse_people_csv(PEOPLE_FIXTURE.as_bytes()).unwrap();
        let email: HashMap<&StaffNumber, &str> =
            people.rows.iter().map(|r| (&r.staff_number, r.email.as_str())).collect();
        let register = parse_devices_csv(DEVICES_FIXTURE.as_bytes()).unwrap();
        let p = parse_intune_json(INTUNE_FIXTURE).unwrap();
        assert_eq!((p.errors.clone(), p.warnings.clone()), (vec![], vec![]));
        assert_eq!(p.rows.len(), 5);
        let mut mismatches = 0;
        for d in &p.rows {
            let held = register.rows.iter().find(|r| {
                (r.serial.is_some() && r.serial == d.serial_number) || (r.imei.is_some() && r.imei == d.imei)
            });
            let held = held.unwrap_or_else(|| panic!("Intune device {} matches no register device", d.id));
            let holder = held.allocated_to.as_ref().map(|s| email[s]);
            if holder != d.user_principal_name.as_deref() {
                mismatches += 1;
            }
        }
        assert_eq!(mismatches, 1);
        assert!(p.rows.iter().any(|d| d.last_sync.is_none()));
    }
}
