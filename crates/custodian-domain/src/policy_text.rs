//! Reading a policy from its published text (WP034 10, 11), in the layout of the force's own
//! document: the cover-page fields (one `KEY<TAB>value` a line), the contents list, numbered
//! section headings ("4.0 MOBILE DEVICE USAGE"), numbered clauses ("4.8 ...", with or without a
//! list bullet), lettered items ("a. ..."), further paragraphs of a clause, page footers reading
//! "OFFICIAL", and the document-history table of section 11 (one tab-separated row a line).
//!
//! [`parse_text`] places every line or names the ones it could not place, by line number: an
//! import either places the whole text or writes nothing.

use serde::Serialize;
use time::{Date, Month};

use crate::policy::{Clause, HistoryRow, Item, Policy, Section};

/// A line of the text that could not be placed, or a cover-page field that is missing (line 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unplaced {
    /// 1-based line number; 0 for something missing from the whole text.
    pub line: usize,
    /// The line as read (trimmed), or the missing field's name.
    pub text: String,
    /// Why it could not be placed.
    pub reason: String,
}

impl std::fmt::Display for Unplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.text, self.reason)
        } else {
            let mut shown: String = self.text.chars().take(60).collect();
            if shown.len() < self.text.len() {
                shown.push('…');
            }
            write!(f, "line {}: {} ({shown:?})", self.line, self.reason)
        }
    }
}

#[derive(Default)]
struct Cover {
    force: Option<String>,
    classification: Option<String>,
    foi: Option<bool>,
    title: Option<String>,
    reference: Option<String>,
    version: Option<u32>,
    directorate: Option<String>,
    business_area: Option<String>,
    implemented: Option<Date>,
    review: Option<Date>,
    risk: Option<String>,
    equality: Option<String>,
    email: Option<String>,
}

#[derive(PartialEq, Eq)]
enum Mode {
    Cover,
    Contents,
    Body,
}

/// Reads a policy text. Every line must be placed (cover field, contents entry, section heading,
/// clause, item, paragraph of a clause, page footer, history row) and the cover must name the
/// reference, version, title, owning business area and both dates; otherwise every problem is
/// returned, each with its line number.
pub fn parse_text(src: &str) -> Result<Policy, Vec<Unplaced>> {
    let mut problems = Vec::new();
    let mut cover = Cover::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut clauses: Vec<Clause> = Vec::new();
    let mut history: Vec<HistoryRow> = Vec::new();
    let mut contents: Vec<String> = Vec::new();
    // The clause the next paragraph or item belongs to (an index into `clauses`).
    let mut open_clause: Option<usize> = None;
    let mut mode = Mode::Cover;
    for (n, raw) in src.lines().enumerate() {
        let line_no = n + 1;
        let t = raw.trim().trim_start_matches('\u{feff}');
        if t.is_empty() {
            continue;
        }
        let mut unplaced = |reason: &str| {
            problems.push(Unplaced { line: line_no, text: t.to_owned(), reason: reason.to_owned() });
        };
        if mode == Mode::Cover {
            if t.eq_ignore_ascii_case("contents") {
                mode = Mode::Contents;
                continue;
            }
            if section_heading(t).is_none() {
                if let Err(reason) = cover_line(&mut cover, raw) {
                    unplaced(&reason);
                }
                continue;
            }
            mode = Mode::Body;
        }
        if mode == Mode::Contents {
            match section_heading(t) {
                Some((id, _)) if !contents.contains(&id) => {
                    contents.push(id);
                    continue;
                }
                Some(_) => mode = Mode::Body,
                None => {
                    unplaced("not an entry of the contents list");
                    continue;
                }
            }
        }
        // The body.
        if t == "OFFICIAL" {
            continue; // a page footer
        }
        if let Some((id, title)) = section_heading(t) {
            if sections.iter().any(|s| s.id == id) {
                unplaced("this section number appears twice");
            } else {
                sections.push(Section { id, title, intro: None });
            }
            open_clause = None;
            continue;
        }
        let Some(section) = sections.last_mut() else {
            unplaced("text before the first numbered section");
            continue;
        };
        let s = strip_bullet(t);
        if let Some((id, text)) = clause_line(s) {
            if major(&id) != major(&section.id) {
                unplaced(&format!("clause {id} is not in section {}", section.id));
                continue;
            }
            let mut unique = id.clone();
            let mut k = 1;
            while clauses.iter().any(|c| c.id == unique) {
                k += 1;
                unique = format!("{id}-{k}");
            }
            clauses.push(Clause {
                id: unique,
                section: section.id.clone(),
                text: strip_links(text),
                items: Vec::new(),
                note: None,
            });
            open_clause = Some(clauses.len() - 1);
            continue;
        }
        if section.id == "11.0" && raw.contains('\t') {
            let cells: Vec<&str> = raw.split('\t').map(str::trim).collect();
            if cells.first().is_some_and(|c| c.eq_ignore_ascii_case("date")) {
                continue; // the table's header row
            }
            let filled = cells.iter().filter(|c| !c.is_empty()).count();
            match cells.as_slice() {
                [date, author, amendment, rest @ ..]
                    if is_month_year(date) && !author.is_empty() && !amendment.is_empty() && rest.len() <= 1 =>
                {
                    let approval = rest.first().filter(|a| !a.is_empty()).map(|a| (*a).to_owned());
                    history.push(HistoryRow {
                        date: (*date).to_owned(),
                        author: (*author).to_owned(),
                        amendment: (*amendment).to_owned(),
                        approval,
                    });
                }
                _ => unplaced(&format!(
                    "a history row needs a month and year (\"Sept 2016\"), author / reviewer, amendment(s) and optionally approval, separated by tabs ({filled} cells filled)"
                )),
            }
            continue;
        }
        if let Some((letter, text)) = item_line(s) {
            match open_clause.and_then(|i| clauses.get_mut(i)) {
                Some(clause) => {
                    let expected = (b'a' + u8::try_from(clause.items.len()).unwrap_or(26)) as char;
                    if letter != expected {
                        unplaced(&format!("item {letter}. of clause {} should be {expected}.", clause.id));
                    }
                    // Kept in its place either way, so one wrong letter is reported once.
                    clause.items.push(Item { id: expected.to_string(), text: strip_links(text) });
                }
                None => unplaced("a lettered item with no numbered clause before it in its section"),
            }
            continue;
        }
        // A further paragraph: of the open clause, or the section's introduction.
        match open_clause.and_then(|i| clauses.get_mut(i)) {
            Some(clause) if clause.items.is_empty() => {
                clause.text.push_str("\n\n");
                clause.text.push_str(&strip_links(s));
            }
            Some(clause) => unplaced(&format!("a paragraph after the lettered items of clause {}", clause.id)),
            None if section.id == "11.0" && !history.is_empty() => unplaced("a paragraph inside the history table"),
            None => match &mut section.intro {
                Some(intro) => {
                    intro.push_str("\n\n");
                    intro.push_str(&strip_links(s));
                }
                None => section.intro = Some(strip_links(s)),
            },
        }
    }
    let mut missing = |field: &str| {
        problems.push(Unplaced { line: 0, text: field.to_owned(), reason: "missing from the cover page".to_owned() });
    };
    let (Some(reference), Some(version), Some(title), Some(business_area), Some(implemented), Some(review)) = (
        cover.reference.clone(),
        cover.version,
        cover.title.clone(),
        cover.business_area.clone(),
        cover.implemented,
        cover.review,
    ) else {
        for (absent, field) in [
            (cover.reference.is_none(), "REFERENCE NUMBER"),
            (cover.version.is_none(), "Version"),
            (cover.title.is_none(), "POLICY TITLE"),
            (cover.business_area.is_none(), "BUSINESS AREA"),
            (cover.implemented.is_none(), "INITIAL IMPLEMENTATION DATE"),
            (cover.review.is_none(), "NEXT REVIEW DATE"),
        ] {
            if absent {
                missing(field);
            }
        }
        return Err(problems);
    };
    if clauses.is_empty() {
        missing("numbered clauses");
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let policy = Policy {
        reference,
        title,
        version,
        force: cover.force.unwrap_or_default(),
        security_classification: cover.classification.unwrap_or_default(),
        disclosable_under_foi: cover.foi.unwrap_or(false),
        directorate: cover.directorate.unwrap_or_default(),
        business_area,
        initial_implementation_date: implemented,
        next_review_date: review,
        risk_rating: cover.risk.unwrap_or_default(),
        equality_analysis: cover.equality.unwrap_or_default(),
        contact_email: cover.email.unwrap_or_default(),
        sections,
        clauses,
        history,
        index: Vec::new(),
    };
    policy.checked().map_err(|e| vec![Unplaced { line: 0, text: "the policy".to_owned(), reason: e.to_string() }])
}

/// One line of the cover page.
fn cover_line(cover: &mut Cover, raw: &str) -> Result<(), String> {
    let t = raw.trim();
    if let Some(email) = t.strip_prefix("Please email ") {
        cover.email = Some(email.trim().to_owned());
        return Ok(());
    }
    if t.contains("welcomes comments") {
        return Ok(());
    }
    let cells: Vec<&str> = raw.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    // The masthead: "<Force> POLICE<TAB><TAB>POLICY".
    if let [force, "POLICY"] = cells.as_slice() {
        cover.force = Some(title_case(force));
        return Ok(());
    }
    let (key, value) = match cells.as_slice() {
        [key] => (*key, None),
        [key, value] => (*key, Some((*value).to_owned())),
        _ => return Err("not a cover-page field (KEY<TAB>value)".to_owned()),
    };
    let key = key.trim_end_matches(':').trim().to_ascii_uppercase();
    if key == "POLICY OWNERSHIP" && value.is_none() {
        return Ok(());
    }
    let Some(value) = value else {
        return Err("not a cover-page field (KEY<TAB>value)".to_owned());
    };
    match key.as_str() {
        "SECURITY CLASSIFICATION" => cover.classification = Some(value),
        k if k.starts_with("DISCLOSABLE UNDER FREEDOM OF INFORMATION") => match value.to_ascii_lowercase().as_str() {
            "yes" => cover.foi = Some(true),
            "no" => cover.foi = Some(false),
            _ => return Err("the Freedom of Information answer must be Yes or No".to_owned()),
        },
        "POLICY TITLE" => cover.title = Some(value),
        "REFERENCE NUMBER" => cover.reference = Some(value),
        "VERSION" => {
            cover.version = Some(value.parse().map_err(|_| "the version must be a whole number such as 3".to_owned())?);
        }
        "DIRECTORATE" => cover.directorate = Some(value),
        "BUSINESS AREA" => cover.business_area = Some(value),
        "INITIAL IMPLEMENTATION DATE" => cover.implemented = Some(printed_date(&value)?),
        "NEXT REVIEW DATE" => cover.review = Some(printed_date(&value)?),
        "RISK RATING" => cover.risk = Some(value),
        "EQUALITY ANALYSIS" => cover.equality = Some(value),
        _ => return Err(format!("{key:?} is not a cover-page field this import knows")),
    }
    Ok(())
}

/// A date as the cover prints it: DD/MM/YY (20YY) or DD/MM/YYYY.
pub fn printed_date(s: &str) -> Result<Date, String> {
    let bad = || format!("{s:?} is not a date such as 16/03/26");
    let mut parts = s.trim().split('/');
    let (Some(d), Some(m), Some(y), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().map_err(|_| bad())?,
        4 => y.parse().map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// A stored ISO date (YYYY-MM-DD).
pub fn iso_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// "4.0 MOBILE DEVICE USAGE" (or a contents entry "1.0 POLICY OUTLINE..... 3"): the section id
/// and its title without the contents list's dots and page number.
fn section_heading(t: &str) -> Option<(String, String)> {
    let (number, rest) = t.split_once(char::is_whitespace)?;
    let (major, minor) = number.split_once('.')?;
    if minor != "0" || major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let title = rest.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace()).trim_end_matches('.').trim();
    if title.is_empty() || title.chars().any(char::is_lowercase) {
        return None;
    }
    Some((number.to_owned(), title.to_owned()))
}

/// "4.8 Personnel may ..." (bullet already removed): the clause number and its text.
fn clause_line(s: &str) -> Option<(String, &str)> {
    let (number, rest) = s.split_once(char::is_whitespace)?;
    let (major, minor) = number.split_once('.')?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) || minor.bytes().all(|b| b == b'0') {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty()).then(|| (number.to_owned(), text))
}

/// "b. Contain information ..." (bullet already removed): the letter and the item's text.
fn item_line(s: &str) -> Option<(char, &str)> {
    let mut chars = s.chars();
    let letter = chars.next().filter(char::is_ascii_lowercase)?;
    let rest = chars.as_str().strip_prefix(". ")?;
    let text = rest.trim();
    (!text.is_empty()).then_some((letter, text))
}

/// A history row's date as the table prints it: a month's name and a four-digit year.
fn is_month_year(s: &str) -> bool {
    matches!(s.split_whitespace().collect::<Vec<_>>().as_slice(),
        [month, year] if month.chars().all(char::is_alphabetic) && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
}

fn strip_bullet(t: &str) -> &str {
    t.strip_prefix("- ").or_else(|| t.strip_prefix("• ")).map_or(t, str::trim_start)
}

fn major(id: &str) -> &str {
    id.split_once('.').map_or(id, |(m, _)| m)
}

/// Removes hyperlink markup left by the document's conversion: "[words](#)" becomes "words".
fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else { break };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    out
}

/// "Warwickshire POLICE" as the pack spells it: "Warwickshire Police".
fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::wp034;

    const SEED: &str = include_str!("../../../fixtures/policy/WP034.txt");

    #[test]
    fn the_published_wp034_text_places_every_clause_and_history_row_as_the_pack_has_them() {
        let parsed = parse_text(SEED);
        let Ok(mut parsed) = parsed else { panic!("{:#?}", parsed.err()) };
        let mut pack = wp034().clone();
        // The pack's transcription note on 7.3-2 is editorial, not the policy's words.
        for c in &mut pack.clauses {
            c.note = None;
        }
        for c in &mut parsed.clauses {
            c.note = None;
        }
        assert_eq!(parsed.clauses.len(), 50);
        for (a, b) in parsed.clauses.iter().zip(&pack.clauses) {
            assert_eq!(a, b, "clause {}", b.id);
        }
        assert_eq!(parsed.history, pack.history);
        assert_eq!(parsed.sections, pack.sections);
        assert_eq!(parsed, pack);
    }

    #[test]
    fn unplaced_lines_are_named_by_line_number() {
        let text = SEED
            .replacen("4.9 Personnel will primarily", "5.9 Personnel will primarily", 1)
            .replacen(" - c. Breach copyright laws;", " - x. Breach copyright laws;", 1)
            .replacen("Nov 2020\t", "Nov 2020 ", 1);
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or(0);
        let problems = parse_text(&text).err().unwrap_or_default();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(
            lines,
            [line_of("5.9 Personnel will primarily"), line_of("x. Breach copyright"), line_of("Nov 2020 Dept")]
        );
        assert!(problems[0].reason.contains("clause 5.9 is not in section 4.0"), "{}", problems[0].reason);
        assert!(problems[1].reason.contains("should be c."), "{}", problems[1].reason);
        assert!(problems[2].reason.contains("history row"), "{}", problems[2].reason);
    }

    #[test]
    fn a_cover_without_a_review_date_is_refused() {
        let text = SEED.replace("NEXT REVIEW DATE:\t16/03/26\n", "");
        let problems = parse_text(&text).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].text.as_str()), (0, "NEXT REVIEW DATE"));
        let text = SEED.replace("NEXT REVIEW DATE:\t16/03/26", "NEXT REVIEW DATE:\t31/02/26");
        let problems = parse_text(&text).err().unwrap_or_default();
        assert!(problems.iter().any(|p| p.line == 16 && p.reason.contains("not a date")), "{problems:?}");
    }

    #[test]
    fn text_before_any_section_is_reported() {
        let problems =
            parse_text("REFERENCE NUMBER\tX\nContents\n1.0 ONE\n1.0 ONE\nstray words\n").err().unwrap_or_default();
        assert!(problems.iter().all(|p| p.line != 5), "a paragraph after a heading is the section's introduction");
        let problems = parse_text("Contents\nstray words\n").err().unwrap_or_default();
        assert_eq!(problems.first().map(|p| p.line), Some(2));
    }

    #[test]
    fn printed_dates_read_two_and_four_digit_years() {
        assert_eq!(printed_date("16/03/26"), Ok(time::macros::date!(2026 - 03 - 16)));
        assert_eq!(printed_date("16/09/2016"), Ok(time::macros::date!(2016 - 09 - 16)));
        assert!(printed_date("2026-03-16").is_err());
    }

    #[test]
    fn link_markup_is_removed() {
        assert_eq!(strip_links("the [Code of Ethics](#) apply"), "the Code of Ethics apply");
        assert_eq!(strip_links("a [b] c"), "a [b] c");
    }
}
