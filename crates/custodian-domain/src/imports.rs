//! Parsers for the bulk imports: the people and device register CSV files, and Microsoft
//! Intune (Graph `managedDevices`) JSON exports. Parsing checks every row and collects every
//! problem, each naming its line and field, so a whole file can be fixed in one pass.

use std::collections::HashMap;
use std::io::Read;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::devices::{DeviceStatus, DeviceType};
use crate::people::{PersonKind, PersonStatus, Role, StaffNumber};
use crate::validate;

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

/// A valid row of the device register import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The line the row starts on.
    pub line: u64,
    /// The force asset tag, upper-cased.
    pub asset_tag: String,
    /// Laptop, tablet, phone, radio or other.
    pub device_type: DeviceType,
    /// Manufacturer, trimmed.
    pub make: String,
    /// Model, trimmed.
    pub model: String,
    /// Manufacturer's serial number, trimmed.
    pub serial: Option<String>,
    /// IMEI as 15 digits, Luhn-checked.
    pub imei: Option<String>,
    /// The device's phone number in E.164 form.
    pub phone_number: Option<String>,
    /// Operating system, trimmed.
    pub os: Option<String>,
    /// Lifecycle state.
    pub status: DeviceStatus,
    /// The holder; present exactly when `status` is allocated (WP034 4.1).
    pub allocated_to: Option<StaffNumber>,
}

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

/// The columns of the people CSV, exactly and in this order.
pub const PEOPLE_COLUMNS: [&str; 9] =
    ["staff_number", "name", "email", "kind", "business_area", "line_manager", "roles", "status", "personal_phones"];

/// The columns of the device register CSV, exactly and in this order.
pub const DEVICE_COLUMNS: [&str; 10] =
    ["asset_tag", "type", "make", "model", "serial", "imei", "phone_number", "os", "status", "allocated_to"];

/// Longest free-text field accepted (names, business areas, makes, models, ...), in characters.
const MAX_TEXT_CHARS: usize = 200;

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

/// Parse the device register CSV. Returns `Err` only when the header is missing or is not
/// exactly [`DEVICE_COLUMNS`]; every other problem is reported in [`Parsed::errors`].
///
/// `allocated_to` must be filled in exactly when `status` is `allocated` (the error is on
/// `allocated_to`). An asset tag or IMEI that appeared on an earlier line is an error on the
/// later line. Statuses may be written with spaces or hyphens ("In stock", "in-repair").
pub fn parse_devices_csv<R: Read>(r: R) -> Result<Parsed<DeviceRow>, RowError> {
    let mut seen_tags: HashMap<String, u64> = HashMap::new();
    let mut seen_imeis: HashMap<String, u64> = HashMap::new();
    parse_csv(r, &DEVICE_COLUMNS, |row| {
        let asset_tag = row.required(0, validate::asset_tag);
        let device_type =
            row.required(1, |s| DeviceType::parse(s).ok_or_else(|| one_of(s, DeviceType::ALL.map(|t| t.as_str()))));
        let make = row.required(2, text);
        let model = row.required(3, text);
        let serial = row.optional(4, text);
        let imei = row.optional(5, validate::imei);
        let phone_number = row.optional(6, validate::phone_e164);
        let os = row.optional(7, text);
        let status = row.required(8, |s| {
            DeviceStatus::parse(&s.replace([' ', '-'], "_"))
                .ok_or_else(|| one_of(s, DeviceStatus::ALL.map(|t| t.as_str())))
        });
        let allocated_to = row.optional(9, StaffNumber::parse);

        if let Some(tag) = &asset_tag {
            match seen_tags.get(tag) {
                Some(first) => row.error(0, format!("{tag} already appears on line {first}")),
                None => {
                    seen_tags.insert(tag.clone(), row.line);
                }
            }
        }
        if let Some(Some(i)) = &imei {
            match seen_imeis.get(i) {
                Some(first) => row.error(5, format!("IMEI {i} already appears on line {first}")),
                None => {
                    seen_imeis.insert(i.clone(), row.line);
                }
            }
        }
        if let (Some(status), Some(holder)) = (status, &allocated_to) {
            match (status.has_holder(), holder) {
                (true, None) => row.error(9, "an allocated device needs allocated_to: one named holder (WP034 4.1)"),
                (false, Some(_)) => row.error(
                    9,
                    format!(
                        "only an allocated device has a holder; status is {}, so leave this empty",
                        status.as_str()
                    ),
                ),
                _ => {}
            }
        }

        let (
            Some(asset_tag),
            Some(device_type),
            Some(make),
            Some(model),
            Some(serial),
            Some(imei),
            Some(phone_number),
            Some(os),
            Some(status),
            Some(allocated_to),
        ) = (asset_tag, device_type, make, model, serial, imei, phone_number, os, status, allocated_to)
        else {
            return None;
        };
        Some(DeviceRow {
            line: row.line,
            asset_tag,
            device_type,
            make,
            model,
            serial,
            imei,
            phone_number,
            os,
            status,
            allocated_to,
        })
    })
}

/// One CSV record being checked: its line, its fields and the errors found so far.
struct Row<'a> {
    line: u64,
    record: &'a csv::ByteRecord,
    columns: &'a [&'a str],
    errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    fn error(&mut self, column: usize, message: impl Into<String>) {
        let field = self.columns.get(column).copied();
        self.errors.push(RowError::new(self.line, field, message));
    }

    /// The trimmed text of a column, or `None` (with an error) if it is not UTF-8.
    fn text(&mut self, column: usize) -> Option<&'a str> {
        let bytes = self.record.get(column).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => Some(s.trim()),
            Err(_) => {
                self.error(column, "is not valid UTF-8 text; save the file as UTF-8");
                None
            }
        }
    }

    /// A column that must be filled in. `None` means an error was recorded.
    fn required<T>(&mut self, column: usize, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let s = self.text(column)?;
        if s.is_empty() {
            self.error(column, "is required");
            return None;
        }
        parse(s).map_err(|m| self.error(column, m)).ok()
    }

    /// A column that may be empty. `None` means an error was recorded; `Some(None)` empty.
    fn optional<T>(&mut self, column: usize, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        let s = self.text(column)?;
        if s.is_empty() {
            return Some(None);
        }
        parse(s).map(Some).map_err(|m| self.error(column, m)).ok()
    }

    /// A `;`-separated list column, possibly empty; empty items are skipped.
    fn list<T>(&mut self, column: usize, parse: impl FnOnce(Vec<&str>) -> Result<T, String>) -> Option<T> {
        let s = self.text(column)?;
        let items = s.split(';').map(str::trim).filter(|i| !i.is_empty()).collect();
        parse(items).map_err(|m| self.error(column, m)).ok()
    }
}

/// Read the whole CSV, check the header against `columns`, and run `parse_row` on each data
/// row whose field count is right. Rows whose fields are all blank are skipped.
fn parse_csv<R: Read, T>(
    mut r: R,
    columns: &[&str],
    mut parse_row: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Parsed<T>, RowError> {
    let mut data = Vec::new();
    r.read_to_end(&mut data).map_err(|e| RowError::new(1, None, format!("could not read the file: {e}")))?;
    // Files saved with old Mac line endings (CR only) would otherwise all be "line 1".
    if !data.contains(&b'\n') {
        for b in &mut data {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
    }
    let bytes = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&data);
    let mut lines = LineCounter { data: bytes, pos: 0, line: 1 };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut out = Parsed::default();

    let expected = columns.join(",");
    let header_line = loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => break lines.line_of(record.position()),
            Ok(false) => {
                return Err(RowError::new(1, None, format!("the file is empty; the first line must be {expected}")));
            }
            Err(e) => return Err(RowError::new(1, None, format!("could not read the header: {e}"))),
        }
    };
    check_header(&record, columns)
        .map_err(|m| RowError::new(header_line, None, format!("{m}; the header must be {expected}")))?;

    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.line_of(e.position());
                out.errors.push(RowError::new(line, None, format!("could not read the rest of the file: {e}")));
                break;
            }
        }
        let line = lines.line_of(record.position());
        if is_blank(&record) {
            continue;
        }
        if record.len() != columns.len() {
            out.errors.push(RowError::new(
                line,
                None,
                format!(
                    "has {} fields but should have {} ({expected}); check for stray commas or quotes",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut row = Row { line, record: &record, columns, errors: Vec::new() };
        let parsed = parse_row(&mut row);
        match parsed {
            Some(value) if row.errors.is_empty() => out.rows.push(value),
            _ if row.errors.is_empty() => out.errors.push(RowError::new(line, None, "the row could not be read")),
            _ => out.errors.append(&mut row.errors),
        }
    }
    Ok(out)
}

/// Finds the line a record starts on. The csv crate's own line numbers are those where the
/// reader stood when it began the record, which is a line early after a CRLF ending or a
/// skipped blank line, so the count is made here from the byte offset.
struct LineCounter<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let byte = position.map_or(self.pos, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let mut start = byte.clamp(self.pos, self.data.len());
        while let Some(b'\r' | b'\n') = self.data.get(start) {
            start += 1;
        }
        let newlines = self.data.get(self.pos..start).unwrap_or_default().iter().filter(|b| **b == b'\n').count();
        self.line = self.line.saturating_add(u64::try_from(newlines).unwrap_or(u64::MAX));
        self.pos = start;
        self.line
    }
}

/// Whether every field of a record is empty or white space (such as a line of commas).
fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

fn check_header(record: &csv::ByteRecord, columns: &[&str]) -> Result<(), String> {
    let found: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    for (i, want) in columns.iter().enumerate() {
        match found.get(i) {
            Some(got) if got == want => {}
            Some(got) => return Err(format!("column {} is {got:?} but should be {want:?}", i + 1)),
            None => {
                return Err(format!("the header has {} columns; {want:?} and any after it are missing", found.len()));
            }
        }
    }
    if found.len() > columns.len() {
        return Err(format!("the header has {} columns, {} too many", found.len(), found.len() - columns.len()));
    }
    Ok(())
}

/// Single-line free text: at most [`MAX_TEXT_CHARS`] characters, no control characters.
fn text(s: &str) -> Result<String, String> {
    if s.chars().any(char::is_control) {
        return Err("must not contain line breaks or other control characters".into());
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    Ok(s.to_string())
}

fn one_of<const N: usize>(got: &str, allowed: [&str; N]) -> String {
    format!("{got:?} is not one of {}", allowed.join(", "))
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

/// A device from a Microsoft Intune (Graph `managedDevices`) export. Empty strings are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntuneDevice {
    /// Position in the export's device array, from 0.
    pub index: usize,
    /// Intune's device id.
    pub id: String,
    /// `deviceName`.
    pub device_name: Option<String>,
    /// `serialNumber`.
    pub serial_number: Option<String>,
    /// `imei`, as 15 Luhn-checked digits.
    pub imei: Option<String>,
    /// `phoneNumber` in E.164 form when valid; otherwise `None` and a warning.
    pub phone_number: Option<String>,
    /// `manufacturer`.
    pub manufacturer: Option<String>,
    /// `model`.
    pub model: Option<String>,
    /// `operatingSystem`.
    pub operating_system: Option<String>,
    /// `osVersion`.
    pub os_version: Option<String>,
    /// `userPrincipalName`, lower-cased: the account signed in to the device.
    pub user_principal_name: Option<String>,
    /// `lastSyncDateTime`; `None` when absent or Graph's "never" (0001-01-01T00:00:00Z).
    pub last_sync: Option<OffsetDateTime>,
}

/// Parse an Intune export: either a JSON array of `managedDevice` objects, or a Graph page
/// (`{"@odata.context": ..., "value": [...]}`).
///
/// Returns `Err` when the text is not JSON (the message gives serde_json's line and column)
/// or not one of those shapes. Per-device errors use `line` = position + 1 and a JSON pointer
/// (`/value/3/imei`, or `/3/imei` for a bare array). A device needs an `id`, unique in the
/// file; an invalid IMEI or sync time is an error; an invalid phone number is dropped with a
/// warning. A page with `@odata.nextLink` is only part of the export, which is warned about
/// (line 0). Members other than the ones read are ignored.
pub fn parse_intune_json(text: &str) -> Result<Parsed<IntuneDevice>, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        RowError::new(u64::try_from(e.line()).unwrap_or(0), None, format!("the Intune export is not valid JSON: {e}"))
    })?;
    let shape_error =
        || RowError::new(0, None, "expected a JSON array of managed devices, or a Graph page with a \"value\" array");
    let mut out = Parsed::default();
    let (prefix, items) = match &doc {
        Value::Array(items) => ("", items),
        Value::Object(page) => {
            let Some(Value::Array(items)) = page.get("value") else {
                return Err(shape_error());
            };
            if let Some(Value::String(next)) = page.get("@odata.nextLink")
                && !next.trim().is_empty()
            {
                out.warnings.push(RowError::new(
                    0,
                    Some("/@odata.nextLink"),
                    "this is one page of a longer export: devices on the other pages are missing",
                ));
            }
            ("/value", items)
        }
        _ => return Err(shape_error()),
    };

    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let line = u64::try_from(index).map_or(u64::MAX, |i| i.saturating_add(1));
        let base = format!("{prefix}/{index}");
        let Value::Object(obj) = item else {
            out.errors.push(RowError::new(line, Some(&base), "expected a JSON object for each device"));
            continue;
        };
        let mut device = IntuneFields { obj, base: &base, line, errors: Vec::new(), warnings: Vec::new() };

        let id = device.string("id");
        let device_name = device.string("deviceName");
        let serial_number = device.string("serialNumber");
        let imei = device.checked("imei", validate::imei);
        let phone_number = device.warned("phoneNumber", validate::phone_e164);
        let manufacturer = device.string("manufacturer");
        let model = device.string("model");
        let operating_system = device.string("operatingSystem");
        let os_version = device.string("osVersion");
        let user_principal_name = device.string("userPrincipalName").map(|o| o.map(|s| s.to_lowercase()));
        let last_sync = device.checked("lastSyncDateTime", sync_time).map(Option::flatten);

        match &id {
            Some(None) => device.error("id", "the device has no id"),
            Some(Some(id)) => match seen_ids.get(id) {
                Some(first) => device.error("id", format!("id {id} is also used by device {first} of the export")),
                None => {
                    seen_ids.insert(id.clone(), index);
                }
            },
            None => {}
        }

        out.warnings.append(&mut device.warnings);
        let (
            Some(Some(id)),
            Some(device_name),
            Some(serial_number),
            Some(imei),
            Some(phone_number),
            Some(manufacturer),
            Some(model),
            Some(operating_system),
            Some(os_version),
            Some(user_principal_name),
            Some(last_sync),
        ) = (
            id,
            device_name,
            serial_number,
            imei,
            phone_number,
            manufacturer,
            model,
            operating_system,
            os_version,
            user_principal_name,
            last_sync,
        )
        else {
            out.errors.append(&mut device.errors);
            continue;
        };
        if !device.errors.is_empty() {
            out.errors.append(&mut device.errors);
            continue;
        }
        out.rows.push(IntuneDevice {
            index,
            id,
            device_name,
            serial_number,
            imei,
            phone_number,
            manufacturer,
            model,
            operating_system,
            os_version,
            user_principal_name,
            last_sync,
        });
    }
    Ok(out)
}

/// One Intune device object being read, with the problems found so far.
struct IntuneFields<'a> {
    obj: &'a Map<String, Value>,
    base: &'a str,
    line: u64,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
}

impl IntuneFields<'_> {
    fn pointer(&self, member: &str) -> String {
        format!("{}/{member}", self.base)
    }

    fn error(&mut self, member: &str, message: impl Into<String>) {
        let pointer = self.pointer(member);
        self.errors.push(RowError::new(self.line, Some(&pointer), message));
    }

    /// A string member, trimmed. `Some(None)` when absent, null or empty; `None` (with an
    /// error) when it is not a string.
    fn string(&mut self, member: &str) -> Option<Option<String>> {
        match self.obj.get(member) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(Value::String(s)) => Some(Some(s.trim().to_string())),
            Some(other) => {
                self.error(member, format!("expected a string, found {}", json_kind(other)));
                None
            }
        }
    }

    /// A string member passed through `check`. The outer `None` means an error was recorded.
    fn checked<T>(&mut self, member: &str, check: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        let Some(s) = self.string(member)? else {
            return Some(None);
        };
        match check(&s) {
            Ok(v) => Some(Some(v)),
            Err(m) => {
                self.error(member, m);
                None
            }
        }
    }

    /// A string member passed through `check`; if that fails it is dropped with a warning.
    fn warned<T>(&mut self, member: &str, check: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        let Some(s) = self.string(member)? else {
            return Some(None);
        };
        match check(&s) {
            Ok(v) => Some(Some(v)),
            Err(m) => {
                let pointer = self.pointer(member);
                self.warnings.push(RowError::new(self.line, Some(&pointer), format!("{m}; ignored")));
                Some(None)
            }
        }
    }
}

/// An RFC 3339 time, with Graph's "never" (year 1) read as `None`.
fn sync_time(s: &str) -> Result<Option<OffsetDateTime>, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("{s:?} is not an RFC 3339 date and time ({e})"))?;
    Ok(if t.year() <= 1 { None } else { Some(t) })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashSet};

    const PEOPLE_HEADER: &str =
        "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n";
    const DEVICE_HEADER: &str = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n";
    const JO: &str = "A1,Jo Bloggs,Jo.Bloggs@Warwickshire.Police.Example,officer,Digital Services,,,active,\n";
    const IMEI: &str = "490154203237518";

    const PEOPLE_FIXTURE: &str = include_str!("../../../fixtures/people.csv");
    const DEVICES_FIXTURE: &str = include_str!("../../../fixtures/devices.csv");
    const INTUNE_FIXTURE: &str = include_str!("../../../fixtures/intune.json");

    fn people(body: &str) -> Parsed<PersonRow> {
        parse_people_csv(format!("{PEOPLE_HEADER}{body}").as_bytes()).unwrap()
    }

    fn devices(body: &str) -> Parsed<DeviceRow> {
        parse_devices_csv(format!("{DEVICE_HEADER}{body}").as_bytes()).unwrap()
    }

    fn intune(devices: &str) -> Parsed<IntuneDevice> {
        parse_intune_json(&format!(r#"{{"@odata.context": "x", "value": [{devices}]}}"#)).unwrap()
    }

    fn fields(errors: &[RowError]) -> Vec<(u64, Option<&str>)> {
        errors.iter().map(|e| (e.line, e.field.as_deref())).collect()
    }

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

    #[test]
    fn row_errors_display_their_line_and_field() {
        assert_eq!(RowError::new(3, Some("email"), "is required").to_string(), "line 3, email: is required");
        assert_eq!(RowError::new(4, None, "has 2 fields").to_string(), "line 4: has 2 fields");
    }

    // Device CSV.

    fn phone(tag: &str, status: &str, holder: &str) -> String {
        format!("{tag},phone,Samsung,Galaxy S23,R5C1,{IMEI},0121 496 0123,Android 14,{status},{holder}\n")
    }

    #[test]
    fn a_valid_device_row_is_parsed_and_normalised() {
        let p = devices(
            "wp-mb/001,Phone,Samsung, Galaxy S23 ,R5C1,49-015420-323751-8,0121 496 0123,Android 14,Allocated,a1\n",
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(
            p.rows,
            vec![DeviceRow {
                line: 2,
                asset_tag: "WP-MB/001".into(),
                device_type: DeviceType::Phone,
                make: "Samsung".into(),
                model: "Galaxy S23".into(),
                serial: Some("R5C1".into()),
                imei: Some(IMEI.into()),
                phone_number: Some("+441214960123".into()),
                os: Some("Android 14".into()),
                status: DeviceStatus::Allocated,
                allocated_to: Some(StaffNumber::parse("A1").unwrap()),
            }]
        );
    }

    #[test]
    fn optional_device_fields_may_be_empty() {
        let p = devices("RD1,radio,Motorola,MTP6650,,,,,in_stock,\n");
        assert_eq!(p.errors, vec![]);
        let d = &p.rows[0];
        assert_eq!((&d.serial, &d.imei, &d.phone_number, &d.os, &d.allocated_to), (&None, &None, &None, &None, &None));
    }

    #[test]
    fn a_bad_asset_tag_is_an_error_naming_asset_tag() {
        let long = "A".repeat(41);
        let p =
            devices(&format!("WP 1,laptop,Dell,Latitude,,,,,in_stock,\n{long},laptop,Dell,Latitude,,,,,in_stock,\n"));
        assert_eq!(fields(&p.errors), vec![(2, Some("asset_tag")), (3, Some("asset_tag"))]);
        let ok = devices(&phone(&"a".repeat(40), "in_stock", ""));
        assert_eq!(ok.rows[0].asset_tag, "A".repeat(40));
    }

    #[test]
    fn a_duplicate_asset_tag_is_an_error_on_the_later_line_whatever_its_case() {
        let p = devices(concat!(
            "WP-1,laptop,Dell,Latitude,,,,,in_stock,\n",
            "RD1,radio,Motorola,MTP6650,,,,,in_stock,\n",
            "wp-1,laptop,Dell,Latitude,,,,,in_stock,\n",
        ));
        assert_eq!(fields(&p.errors), vec![(4, Some("asset_tag"))]);
        assert!(p.errors[0].message.contains("line 2"));
    }

    #[test]
    fn a_duplicate_imei_is_an_error_on_the_later_line() {
        let p = devices(&format!("{}{}", phone("MB1", "in_stock", ""), phone("MB2", "in_stock", "")));
        assert_eq!(fields(&p.errors), vec![(3, Some("imei"))]);
    }

    #[test]
    fn allocated_to_without_status_allocated_is_an_error_on_allocated_to() {
        let p = devices(&phone("MB1", "in_stock", "A1"));
        assert_eq!(fields(&p.errors), vec![(2, Some("allocated_to"))]);
        assert!(p.errors[0].message.contains("in_stock"));
    }

    #[test]
    fn status_allocated_without_allocated_to_is_an_error_on_allocated_to() {
        let p = devices(&phone("MB1", "allocated", ""));
        assert_eq!(fields(&p.errors), vec![(2, Some("allocated_to"))]);
        assert!(p.errors[0].message.contains("4.1"));
    }

    #[test]
    fn a_bad_status_does_not_also_complain_about_allocated_to() {
        let p = devices(&phone("MB1", "on_loan", "A1"));
        assert_eq!(fields(&p.errors), vec![(2, Some("status"))]);
        assert!(p.errors[0].message.contains("in_examination"));
    }

    #[test]
    fn type_and_status_are_case_insensitive_and_status_may_use_spaces() {
        let p = devices("T1,TABLET,Apple,iPad,,,,,In Stock,\nT2,Tablet,Apple,iPad,,,,,IN-REPAIR,\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].device_type, DeviceType::Tablet);
        assert_eq!((p.rows[0].status, p.rows[1].status), (DeviceStatus::InStock, DeviceStatus::InRepair));
    }

    #[test]
    fn an_invalid_imei_is_an_error_naming_imei() {
        let p = devices(&phone("MB1", "in_stock", "").replace(IMEI, "490154203237519"));
        assert_eq!(fields(&p.errors), vec![(2, Some("imei"))]);
        assert!(p.errors[0].message.contains("check digit"));
    }

    #[test]
    fn a_device_row_reports_every_bad_field_at_once() {
        let p = devices("bad tag,toaster,,,x\u{7},123,999,Android\u{1},gone,A 1\n");
        assert_eq!(
            fields(&p.errors),
            vec![
                (2, Some("asset_tag")),
                (2, Some("type")),
                (2, Some("make")),
                (2, Some("model")),
                (2, Some("serial")),
                (2, Some("imei")),
                (2, Some("phone_number")),
                (2, Some("os")),
                (2, Some("status")),
                (2, Some("allocated_to")),
            ]
        );
    }

    #[test]
    fn a_device_row_with_the_wrong_number_of_fields_is_one_error_naming_the_line() {
        let p = devices("MB1,phone,Samsung\n");
        assert_eq!(fields(&p.errors), vec![(2, None)]);
    }

    // Intune JSON.

    const INTUNE_PHONE: &str = r#"{"id": "d1", "deviceName": "WP-MB-0001", "serialNumber": "R5C1", "imei": "49 015420 323751 8",
        "phoneNumber": "+441214960123", "manufacturer": "samsung", "model": "SM-S911B", "operatingSystem": "Android",
        "osVersion": "14", "userPrincipalName": "Jo.Bloggs@Warwickshire.Police.Example",
        "lastSyncDateTime": "2025-06-02T07:41:18.4275531Z", "complianceState": "compliant"}"#;

    #[test]
    fn a_graph_page_of_devices_is_parsed() {
        let p = intune(INTUNE_PHONE);
        assert_eq!((p.errors.clone(), p.warnings.clone()), (vec![], vec![]));
        assert_eq!(
            p.rows,
            vec![IntuneDevice {
                index: 0,
                id: "d1".into(),
                device_name: Some("WP-MB-0001".into()),
                serial_number: Some("R5C1".into()),
                imei: Some(IMEI.into()),
                phone_number: Some("+441214960123".into()),
                manufacturer: Some("samsung".into()),
                model: Some("SM-S911B".into()),
                operating_system: Some("Android".into()),
                os_version: Some("14".into()),
                user_principal_name: Some("jo.bloggs@warwickshire.police.example".into()),
                last_sync: Some(time::macros::datetime!(2025-06-02 07:41:18.4275531 UTC)),
            }]
        );
    }

    #[test]
    fn a_bare_json_array_of_devices_is_accepted_with_pointers_from_the_root() {
        let p = parse_intune_json(r#"[{"id": "d1"}, {"id": "d2", "imei": "123"}]"#).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(fields(&p.errors), vec![(2, Some("/1/imei"))]);
    }

    #[test]
    fn empty_strings_and_nulls_mean_none() {
        let p = intune(
            r#"{"id": "d1", "deviceName": "", "serialNumber": "  ", "imei": null, "phoneNumber": "", "userPrincipalName": ""}"#,
        );
        assert_eq!(p.errors, vec![]);
        let d = &p.rows[0];
        assert_eq!((&d.device_name, &d.serial_number, &d.imei, &d.phone_number), (&None, &None, &None, &None));
        assert_eq!(d.user_principal_name, None);
    }

    #[test]
    fn a_last_sync_of_year_one_means_never_synced() {
        let p = intune(r#"{"id": "d1", "lastSyncDateTime": "0001-01-01T00:00:00Z"}"#);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].last_sync, None);
    }

    #[test]
    fn a_last_sync_that_is_not_rfc_3339_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d1", "lastSyncDateTime": "02/06/2025 07:41"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/lastSyncDateTime"))]);
    }

    #[test]
    fn a_device_without_an_id_is_an_error() {
        let p = intune(r#"{"deviceName": "x"}, {"id": ""}, {"id": "d3"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/id")), (2, Some("/value/1/id"))]);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].index, 2);
    }

    #[test]
    fn a_device_id_used_twice_is_an_error_on_the_later_device() {
        let p = intune(r#"{"id": "d1"}, {"id": "d1"}"#);
        assert_eq!(fields(&p.errors), vec![(2, Some("/value/1/id"))]);
    }

    #[test]
    fn an_invalid_imei_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d0"}, {"id": "d1", "imei": "490154203237519"}"#);
        assert_eq!(fields(&p.errors), vec![(2, Some("/value/1/imei"))]);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn an_invalid_phone_number_is_dropped_with_a_warning() {
        let p = intune(r#"{"id": "d1", "phoneNumber": "07700 900123"}"#);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].phone_number, None);
        assert_eq!(fields(&p.warnings), vec![(1, Some("/value/0/phoneNumber"))]);
    }

    #[test]
    fn a_member_of_the_wrong_json_type_is_an_error() {
        let p = intune(r#"{"id": 42, "imei": 490154203237518}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/id")), (1, Some("/value/0/imei"))]);
        assert!(p.errors[0].message.contains("a number"));
    }

    #[test]
    fn a_device_that_is_not_an_object_is_an_error() {
        let p = intune(r#""d1", {"id": "d2"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0"))]);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn malformed_json_is_an_error_giving_the_line_and_column() {
        let e = parse_intune_json("{\n  \"value\": [\n    {\"id\": \"d1\",}\n  ]\n}").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("line 3 column"), "{}", e.message);
    }

    #[test]
    fn json_of_the_wrong_shape_is_refused() {
        for text in ["{}", r#"{"value": {}}"#, "42", r#""devices""#, "null"] {
            assert!(parse_intune_json(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_page_with_a_next_link_warns_that_the_export_is_incomplete() {
        let p = parse_intune_json(r#"{"value": [], "@odata.nextLink": "https://graph.microsoft.com/next"}"#).unwrap();
        assert_eq!(fields(&p.warnings), vec![(0, Some("/@odata.nextLink"))]);
        let last = parse_intune_json(r#"{"value": [], "@odata.nextLink": null}"#).unwrap();
        assert_eq!(last.warnings, vec![]);
    }

    #[test]
    fn a_byte_order_mark_before_the_json_is_tolerated() {
        assert!(parse_intune_json("\u{feff}[]").is_ok());
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

    // Properties.

    /// Lines in `text` as an editor would count them (old Mac files count carriage returns).
    fn line_count(text: &[u8]) -> u64 {
        let lf = text.iter().filter(|b| **b == b'\n').count();
        let cr = text.iter().filter(|b| **b == b'\r').count();
        u64::try_from(lf.max(cr)).unwrap() + 1
    }

    fn csv_like() -> impl Strategy<Value = String> {
        let cell = prop_oneof![
            Just(String::new()),
            Just("A1".to_string()),
            Just("a1".to_string()),
            Just("allocated".to_string()),
            Just("in_stock".to_string()),
            Just("phone".to_string()),
            Just("officer".to_string()),
            Just("active".to_string()),
            Just("psd;admin".to_string()),
            Just("jo@x.example".to_string()),
            Just(IMEI.to_string()),
            Just("0121 496 0123".to_string()),
            Just("+".to_string()),
            "[\"\r\n,; a-zA-Z0-9+@.\u{feff}é-]{0,12}",
        ];
        let row = proptest::collection::vec(cell, 0..12).prop_map(|cells| cells.join(","));
        proptest::collection::vec(row, 0..8).prop_map(|rows| rows.join("\n"))
    }

    fn check_lines(text: &[u8], errors: &[RowError]) -> Result<(), TestCaseError> {
        let lines = line_count(text);
        for e in errors {
            prop_assert!(e.line >= 1 && e.line <= lines, "{e} is outside 1..={lines}");
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn the_csv_parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            for with_header in [false, true] {
                let mut people = if with_header { PEOPLE_HEADER.as_bytes().to_vec() } else { vec![] };
                people.extend_from_slice(&bytes);
                match parse_people_csv(&people[..]) {
                    Ok(p) => { check_lines(&people, &p.errors)?; check_lines(&people, &p.warnings)?; }
                    Err(e) => check_lines(&people, &[e])?,
                }
                let mut devices = if with_header { DEVICE_HEADER.as_bytes().to_vec() } else { vec![] };
                devices.extend_from_slice(&bytes);
                match parse_devices_csv(&devices[..]) {
                    Ok(p) => check_lines(&devices, &p.errors)?,
                    Err(e) => check_lines(&devices, &[e])?,
                }
            }
        }

        #[test]
        fn every_csv_error_names_a_line_inside_the_file(body in csv_like()) {
            let people = format!("{PEOPLE_HEADER}{body}");
            let p = parse_people_csv(people.as_bytes()).unwrap();
            check_lines(people.as_bytes(), &p.errors)?;
            for r in &p.rows {
                prop_assert!(r.line >= 2 && r.line <= line_count(people.as_bytes()));
            }
            let devices = format!("{DEVICE_HEADER}{body}");
            let d = parse_devices_csv(devices.as_bytes()).unwrap();
            check_lines(devices.as_bytes(), &d.errors)?;
        }

        #[test]
        fn the_intune_parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = parse_intune_json(&text);
        }

        #[test]
        fn every_intune_error_names_a_device_in_the_export(
            devices in proptest::collection::vec(
                proptest::collection::btree_map(
                    prop_oneof![Just("id"), Just("imei"), Just("phoneNumber"), Just("lastSyncDateTime"), Just("serialNumber"), Just("userPrincipalName")],
                    prop_oneof![
                        Just(Value::Null),
                        Just(Value::from(1)),
                        Just(Value::from("")),
                        Just(Value::from(IMEI)),
                        Just(Value::from("0121 496 0123")),
                        Just(Value::from("0001-01-01T00:00:00Z")),
                        Just(Value::from("2025-06-02T07:41:18Z")),
                        "\\PC{0,16}".prop_map(Value::from),
                    ],
                    0..6,
                ),
                0..6,
            ),
            paged in any::<bool>(),
        ) {
            let items: Vec<Value> = devices.iter().map(|m| serde_json::json!(m)).collect();
            let doc = if paged { serde_json::json!({ "value": items }) } else { Value::Array(items) };
            let p = parse_intune_json(&doc.to_string()).unwrap();
            prop_assert_eq!(p.rows.len() + p.errors.iter().map(|e| e.line).collect::<HashSet<_>>().len(), devices.len());
            for e in p.errors.iter().chain(&p.warnings) {
                let n = usize::try_from(e.line).unwrap();
                prop_assert!(n >= 1 && n <= devices.len());
                let pointer = e.field.clone().unwrap_or_default();
                let prefix = if paged { format!("/value/{}", n - 1) } else { format!("/{}", n - 1) };
                prop_assert!(pointer.starts_with(&prefix), "{} does not start with {}", pointer, prefix);
                prop_assert!(doc.pointer(&prefix).is_some());
            }
        }

        #[test]
        fn valid_people_round_trip_through_csv(
            people in proptest::collection::btree_map(
                "[A-Z][0-9]{1,5}",
                (
                    "[A-Z][a-z]{1,8} [A-Z][a-z]{1,10}",
                    prop_oneof![Just(PersonKind::Officer), Just(PersonKind::Staff), Just(PersonKind::Volunteer)],
                    proptest::sample::subsequence(Role::ALL.to_vec(), 0..4),
                    proptest::collection::vec(0u32..1000, 0..3),
                    any::<bool>(),
                ),
                1..10,
            ),
        ) {
            let mut text = PEOPLE_HEADER.to_string();
            for (i, (sn, (name, kind, roles, phones, leaver))) in people.iter().enumerate() {
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                let phones: Vec<String> = phones.iter().map(|n| format!("0121 496 0{n:03}")).collect();
                let manager = if i == 0 { String::new() } else { people.keys().next().cloned().unwrap_or_default() };
                let status = if *leaver { "leaver" } else { "active" };
                text.push_str(&format!(
                    "{sn},{name},{}@example.org,{},Area {i},{manager},{},{status},{}\n",
                    sn.to_lowercase(), kind.as_str(), roles.join(";"), phones.join(";")
                ));
            }
            let p = parse_people_csv(text.as_bytes()).unwrap();
            prop_assert_eq!(&p.errors, &vec![]);
            prop_assert_eq!(p.rows.len(), people.len());
            for (row, (sn, (name, kind, roles, phones, _))) in p.rows.iter().zip(&people) {
                prop_assert_eq!(row.staff_number.as_str(), sn.as_str());
                prop_assert_eq!(&row.name, name);
                prop_assert_eq!(row.kind, *kind);
                let mut want = roles.clone();
                want.sort();
                prop_assert_eq!(&row.roles, &want);
                let mut want_phones: Vec<String> = phones.iter().map(|n| format!("+441214960{n:03}")).collect();
                want_phones.dedup();
                let mut seen = HashSet::new();
                want_phones.retain(|p| seen.insert(p.clone()));
                prop_assert_eq!(&row.personal_phones, &want_phones);
            }
        }
    }
}
