//! Reading a CSV import: the header check, line numbering and the checks of single fields that
//! every CSV import shares.

use std::io::Read;

use crate::imports::{Parsed, RowError};

/// Longest free-text field accepted (names, business areas, makes, models, ...), in characters.
pub(super) const MAX_TEXT_CHARS: usize = 200;

/// One CSV record being checked: its line, its fields and the errors found so far.
pub(super) struct Row<'a> {
    pub(super) line: u64,
    record: &'a csv::ByteRecord,
    columns: &'a [&'a str],
    errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    pub(super) fn error(&mut self, column: usize, message: impl Into<String>) {
        let field = self.columns.get(column).copied();
        self.errors.push(RowError::new(self.line, field, message));
    }

    /// The trimmed text of a column, or `None` (with an error) if it is not UTF-8.
    pub(super) fn text(&mut self, column: usize) -> Option<&'a str> {
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
    pub(super) fn required<T>(&mut self, column: usize, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let s = self.text(column)?;
        if s.is_empty() {
            self.error(column, "is required");
            return None;
        }
        parse(s).map_err(|m| self.error(column, m)).ok()
    }

    /// A column that may be empty. `None` means an error was recorded; `Some(None)` empty.
    pub(super) fn optional<T>(
        &mut self,
        column: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        let s = self.text(column)?;
        if s.is_empty() {
            return Some(None);
        }
        parse(s).map(Some).map_err(|m| self.error(column, m)).ok()
    }

    /// A `;`-separated list column, possibly empty; empty items are skipped.
    pub(super) fn list<T>(&mut self, column: usize, parse: impl FnOnce(Vec<&str>) -> Result<T, String>) -> Option<T> {
        let s = self.text(column)?;
        let items = s.split(';').map(str::trim).filter(|i| !i.is_empty()).collect();
        parse(items).map_err(|m| self.error(column, m)).ok()
    }
}

/// Read the whole CSV, check the header against `columns`, and run `parse_row` on each data
/// row whose field count is right. Rows whose fields are all blank are skipped.
pub(super) fn parse_csv<R: Read, T>(
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

/// Single-line free text: at most [`MAX_TEXT_CHARS`] characters, no control characters and no
/// bidirectional overrides or isolates.
pub(super) fn text(s: &str) -> Result<String, String> {
    if let Some(c) = crate::validate::unsafe_char(s) {
        return Err(if c.is_control() {
            "must not contain line breaks or other control characters".into()
        } else {
            crate::validate::unsafe_char_message(c)
        });
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    Ok(s.to_string())
}

pub(super) fn one_of<const N: usize>(got: &str, allowed: [&str; N]) -> String {
    format!("{got:?} is not one of {}", allowed.join(", "))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use crate::imports::tests::*;
    use crate::imports::{RowError, parse_devices_csv, parse_intune_json, parse_people_csv};
    use crate::people::{PersonKind, Role};
    use proptest::prelude::*;
    use serde_json::Value;
    use std::collections::HashSet;
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
