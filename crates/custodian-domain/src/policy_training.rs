//! Training attendance (WP034 2.4: "regularly scheduled training sessions"): a CSV of who
//! attended which session, `date,topic,staff_number` with a header row, one attendee a line.
//! Every bad line is named; an import takes the whole file or nothing.

use time::Date;

/// One attendance line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub held_on: Date,
    pub topic: String,
    pub staff_number: String,
}

/// A line that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub message: String,
}

/// Reads an attendance CSV (`date,topic,staff_number`; dates YYYY-MM-DD).
pub fn parse_attendance_csv(bytes: &[u8]) -> Result<Vec<Attendance>, Vec<BadLine>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let mut bad = Vec::new();
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![BadLine { line: 1, message: format!("cannot read the header: {e}") }]),
    };
    if headers != ["date", "topic", "staff_number"] {
        return Err(vec![BadLine { line: 1, message: "the header must be date,topic,staff_number".into() }]);
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                bad.push(BadLine { line, message: format!("not a CSV line: {e}") });
                continue;
            }
        };
        let cell = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        if record.len() != 3 {
            bad.push(BadLine { line, message: format!("expected 3 fields, found {}", record.len()) });
            continue;
        }
        let Some(held_on) = super::text::iso_date(cell(0)) else {
            bad.push(BadLine { line, message: format!("date {:?} is not YYYY-MM-DD", cell(0)) });
            continue;
        };
        if cell(1).is_empty() || cell(1).chars().count() > 200 {
            bad.push(BadLine { line, message: "topic must be 1 to 200 characters".into() });
            continue;
        }
        if cell(2).is_empty() {
            bad.push(BadLine { line, message: "staff_number is empty".into() });
            continue;
        }
        rows.push(Attendance { line, held_on, topic: cell(1).to_owned(), staff_number: cell(2).to_owned() });
    }
    if bad.is_empty() { Ok(rows) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_lines_are_read_and_bad_ones_named() {
        let ok = parse_attendance_csv(
            b"date,topic,staff_number\n2026-11-20,Social media safety,A1017\n2026-11-20,Social media safety, A1018 \n",
        );
        let rows = ok.unwrap_or_default();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].line, rows[1].staff_number.as_str()), (3, "A1018"));
        let bad = parse_attendance_csv(b"date,topic,staff_number\n20/11/2026,x,A1\n2026-11-20,,A1\n2026-11-20,x\n");
        let lines: Vec<usize> = bad.err().unwrap_or_default().iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(parse_attendance_csv(b"when,what,who\n").is_err());
    }
}
