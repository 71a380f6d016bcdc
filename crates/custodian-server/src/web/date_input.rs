//! The GOV.UK date input (day, month and year in three boxes) and local date-time entry: one
//! field type every form uses for a date or a moment, and its parser with the Design System's
//! error wording ("First day must include a month", "… must be a real date", "… must be in
//! the future"). Moments are typed on London's clocks (GMT, or BST in summer) and stored in UTC.
//!
//! A field named `from` is sent as `from-day`, `from-month`, `from-year` (and `from-time` for a
//! moment). A problem names the first box that is wrong (`from-month`), so the error summary
//! links to a box that exists on the page. A form posted by a client that sends the whole value
//! (`from=2026-06-03`, `starts_at=2026-06-03T09:30`) is still read, in the same way.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{AppError, FieldProblem};

/// One date (or date and time) field of a form, as its template shows it: the
/// `m::date_input` macro.
#[derive(Debug, Clone, Default)]
pub struct DateField {
    /// The form name: the boxes are `{name}-day`, `{name}-month`, `{name}-year`, `{name}-time`.
    pub name: String,
    /// The start of the boxes' ids (`{id}-day`), the name unless two forms of a page share it.
    pub id: String,
    pub legend: String,
    pub hint: String,
    pub day: String,
    pub month: String,
    pub year: String,
    /// The time box's text; shown only for a moment ([`DateField::with_time`]).
    pub time: String,
    pub with_time: bool,
    /// The problem with the field, shown beside it, and the box it is about.
    pub error: String,
    pub error_part: String,
}

impl DateField {
    pub fn date(name: &str, legend: &str, hint: &str) -> Self {
        DateField { name: name.into(), id: name.into(), legend: legend.into(), hint: hint.into(), ..Self::default() }
    }

    /// The same field with ids starting `id` (for a page with two forms naming a field alike).
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = id.into();
        self
    }

    pub fn moment(name: &str, legend: &str, hint: &str) -> Self {
        DateField { with_time: true, ..Self::date(name, legend, hint) }
    }

    /// The boxes filled with what a form sent, and the field's problem among `errors`.
    pub fn filled(mut self, sent: &Parts, errors: &[FieldProblem]) -> Self {
        self.day = sent.day.clone();
        self.month = sent.month.clone();
        self.year = sent.year.clone();
        self.time = sent.time.clone();
        if sent.boxes_empty() && sent.time.is_empty() && !sent.whole.is_empty() {
            // A whole value sent ("2027-03-27T14:30") is shown in the boxes.
            let (d, t) = sent.whole.split_once('T').unwrap_or((&sent.whole, ""));
            let mut ymd = d.splitn(3, '-').map(|p| p.trim_start_matches('0').to_string());
            if let (Some(y), Some(m), Some(d)) = (ymd.next(), ymd.next(), ymd.next()) {
                (self.year, self.month, self.day) = (y, m, d);
            }
            if self.with_time {
                self.time = t.get(..5).unwrap_or(t).to_string();
            }
        }
        let prefix = format!("{}-", self.name);
        if let Some(p) = errors.iter().find(|p| {
            p.field.as_deref().is_some_and(|f| f == self.name || f.strip_prefix(&prefix).is_some_and(is_part))
        }) {
            self.error = p.message.clone();
            self.error_part = p.field.as_deref().and_then(|f| f.strip_prefix(&prefix)).unwrap_or("day").to_string();
        }
        self
    }

    /// A box's classes: the error border on the box the problem is about (on all three for a
    /// date that is not real).
    pub fn box_class(&self, part: &str) -> &'static str {
        let whole = self.error_part == "day" && !self.error.contains("must include");
        let marked = !self.error.is_empty() && (self.error_part == part || (whole && part != "time"));
        if marked { " govuk-input--error" } else { "" }
    }
}

fn is_part(p: &str) -> bool {
    matches!(p, "day" | "month" | "year" | "time")
}

/// What a form sent for one date field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    pub day: String,
    pub month: String,
    pub year: String,
    pub time: String,
    /// The whole value in one field (`from=2026-06-03`), from a client that sends it so.
    pub whole: String,
}

impl Parts {
    /// The parts of field `name` among a form's pairs.
    pub fn read(pairs: &[(String, String)], name: &str) -> Self {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        Parts {
            day: get(&format!("{name}-day")),
            month: get(&format!("{name}-month")),
            year: get(&format!("{name}-year")),
            time: get(&format!("{name}-time")),
            whole: get(name),
        }
    }

    fn boxes_empty(&self) -> bool {
        self.day.is_empty() && self.month.is_empty() && self.year.is_empty()
    }

    /// Whether nothing at all was typed.
    pub fn is_empty(&self) -> bool {
        self.boxes_empty() && self.time.is_empty() && self.whole.is_empty()
    }
}

/// Which dates a field accepts, besides real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Any,
    /// Today or later (a last day of a window that has not ended).
    TodayOrLater,
    /// Strictly later than now (a moment), or than today (a date).
    Future,
}

/// A date field's problem: the box it is about (`from-month`) and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateProblem {
    pub field: String,
    pub message: String,
}

impl From<DateProblem> for FieldProblem {
    fn from(p: DateProblem) -> Self {
        FieldProblem { field: Some(p.field), line: None, message: p.message }
    }
}

impl From<DateProblem> for AppError {
    fn from(p: DateProblem) -> Self {
        AppError::invalid(&p.field, p.message)
    }
}

fn problem(name: &str, part: &str, message: String) -> DateProblem {
    DateProblem { field: format!("{name}-{part}"), message }
}

fn month_of(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let s = s.to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    NAMES.iter().position(|m| m.starts_with(&s)).map(|i| i as u8 + 1)
}

/// The date typed in field `name` (its `label` begins each message: "First day must be a real
/// date"); `today` for [`When`].
pub fn parse_date(name: &str, label: &str, sent: &Parts, when: When, today: Date) -> Result<Date, DateProblem> {
    let d = if sent.boxes_empty() && !sent.whole.is_empty() {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        let whole = sent.whole.get(..10).unwrap_or(&sent.whole);
        Date::parse(whole, f).map_err(|_| problem(name, "day", format!("{label} must be a real date")))?
    } else {
        boxes(name, label, sent)?
    };
    let fine = match when {
        When::Any => true,
        When::TodayOrLater => d >= today,
        When::Future => d > today,
    };
    if !fine {
        let words = if when == When::Future { "in the future" } else { "today or in the future" };
        return Err(problem(name, "day", format!("{label} must be {words}")));
    }
    Ok(d)
}

fn boxes(name: &str, label: &str, sent: &Parts) -> Result<Date, DateProblem> {
    let missing: Vec<&str> = [("day", &sent.day), ("month", &sent.month), ("year", &sent.year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| *k)
        .collect();
    match missing.len() {
        3 => return Err(problem(name, "day", format!("Enter {}", lower_first(label)))),
        0 => {}
        _ => {
            let what = missing.join(" and ");
            return Err(problem(name, missing[0], format!("{label} must include a {what}")));
        }
    }
    if sent.year.len() != 4 || !sent.year.chars().all(|c| c.is_ascii_digit()) {
        return Err(problem(name, "year", "Year must include 4 numbers".into()));
    }
    let real = || problem(name, "day", format!("{label} must be a real date"));
    let day: u8 = sent.day.parse().map_err(|_| real())?;
    let month = month_of(&sent.month).and_then(|m| Month::try_from(m).ok()).ok_or_else(real)?;
    let year: i32 = sent.year.parse().map_err(|_| real())?;
    Date::from_calendar_date(year, month, day).map_err(|_| real())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep an acronym ("SIO") as it is.
        Some(_) if s.chars().nth(1).is_some_and(char::is_uppercase) => s.to_string(),
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A time of day as people type it: "14:30", "2:30pm", "2.30 pm", "9am", "midday", "midnight".
pub fn parse_clock(s: &str) -> Option<Time> {
    let s = s.trim().to_ascii_lowercase().replace(' ', "");
    match s.as_str() {
        "midday" | "noon" | "12noon" => return Time::from_hms(12, 0, 0).ok(),
        "midnight" | "12midnight" => return Some(Time::MIDNIGHT),
        _ => {}
    }
    let (digits, half) = if let Some(d) = s.strip_suffix("am") {
        (d, Some(false))
    } else if let Some(d) = s.strip_suffix("pm") {
        (d, Some(true))
    } else {
        (s.as_str(), None)
    };
    let (h, m) = match digits.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None if half.is_some() => (digits, "0"),
        None if digits.len() == 4 => (&digits[..2], &digits[2..]),
        None => return None,
    };
    if h.is_empty() || h.len() > 2 || !h.chars().all(|c| c.is_ascii_digit()) || !m.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (mut h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    if let Some(pm) = half {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    Time::from_hms(h, m, 0).ok()
}

/// A moment on London's clocks as UTC. In the hour the clocks go forward (1am to 2am on the last
/// Sunday of March) there is no such time: `None`. In the hour they go back, which happens twice,
/// the first (BST) is meant.
pub fn from_london(local: PrimitiveDateTime) -> Option<OffsetDateTime> {
    let bst = UtcOffset::from_hms(1, 0, 0).ok()?;
    [bst, UtcOffset::UTC].into_iter().find_map(|offset| {
        let t = local.assume_offset(offset);
        (super::display::london(t).offset() == offset).then(|| t.to_offset(UtcOffset::UTC))
    })
}

/// The moment typed in field `name`: a date in the boxes and a time on London's clocks.
pub fn parse_moment(
    name: &str,
    label: &str,
    sent: &Parts,
    when: When,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, DateProblem> {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let exact = (sent.boxes_empty() && sent.time.is_empty())
        .then(|| OffsetDateTime::parse(&sent.whole, rfc3339).ok())
        .flatten();
    let (date, clock) = if let Some(t) = exact {
        // A client that says which clock it means ("…Z", "…+01:00") is taken at its word.
        return check_when(name, label, t.to_offset(UtcOffset::UTC), when, now);
    } else if sent.boxes_empty() && sent.time.is_empty() && !sent.whole.is_empty() {
        let (d, t) = sent.whole.split_once('T').unwrap_or((&sent.whole, ""));
        let date = parse_date(name, label, &Parts { whole: d.to_string(), ..Parts::default() }, When::Any, now.date())?;
        let t = t.get(..5).unwrap_or(t);
        let clock = if t.is_empty() { Some(Time::MIDNIGHT) } else { parse_clock(t) };
        (
            date,
            clock.ok_or_else(|| problem(name, "time", format!("{label} must be a real time, like 9:30am or 14:30")))?,
        )
    } else {
        let date = boxes(name, label, sent).map_err(|p| {
            if sent.is_empty() { problem(name, "day", format!("Enter {}", lower_first(label))) } else { p }
        })?;
        if sent.time.is_empty() {
            return Err(problem(name, "time", format!("{label} must include a time")));
        }
        let clock = parse_clock(&sent.time)
            .ok_or_else(|| problem(name, "time", format!("{label} must be a real time, like 9:30am or 14:30")))?;
        (date, clock)
    };
    let t = from_london(PrimitiveDateTime::new(date, clock)).ok_or_else(|| {
        problem(name, "time", format!("{label} must be a real time: the clocks go forward from 1am to 2am that day"))
    })?;
    check_when(name, label, t, when, now)
}

fn check_when(
    name: &str,
    label: &str,
    t: OffsetDateTime,
    when: When,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, DateProblem> {
    let fine = match when {
        When::Any => true,
        When::TodayOrLater => super::display::london(t).date() >= super::display::london(now).date(),
        When::Future => t > now,
    };
    if !fine {
        let words = if when == When::Future { "in the future" } else { "today or in the future" };
        return Err(problem(name, "day", format!("{label} must be {words}")));
    }
    Ok(t)
}

/// A date as `YYYY-MM-DD`, as the use cases take it.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn sent(day: &str, month: &str, year: &str) -> Parts {
        Parts { day: day.into(), month: month.into(), year: year.into(), ..Parts::default() }
    }

    fn err(r: Result<Date, DateProblem>) -> (String, String) {
        let p = r.expect_err("refused");
        (p.field, p.message)
    }

    const TODAY: Date = date!(2026 - 12 - 04);

    #[test]
    fn dates_are_read_from_three_boxes_with_the_design_systems_words() {
        let p = |d, m, y| parse_date("from", "First day", &sent(d, m, y), When::Any, TODAY);
        assert_eq!(p("3", "6", "2027"), Ok(date!(2027 - 06 - 03)));
        assert_eq!(p("03", "06", "2027"), Ok(date!(2027 - 06 - 03)));
        assert_eq!(p("3", "June", "2027"), Ok(date!(2027 - 06 - 03)));
        assert_eq!(p("3", "jun", "2027"), Ok(date!(2027 - 06 - 03)));
        assert_eq!(p("3", "Sept", "2027"), Ok(date!(2027 - 09 - 03)));
        assert_eq!(err(p("", "", "")), ("from-day".into(), "Enter first day".into()));
        assert_eq!(err(p("3", "", "2027")), ("from-month".into(), "First day must include a month".into()));
        assert_eq!(err(p("", "", "2027")), ("from-day".into(), "First day must include a day and month".into()));
        assert_eq!(err(p("3", "6", "")), ("from-year".into(), "First day must include a year".into()));
        assert_eq!(err(p("3", "6", "27")), ("from-year".into(), "Year must include 4 numbers".into()));
        assert_eq!(err(p("31", "2", "2027")), ("from-day".into(), "First day must be a real date".into()));
        assert_eq!(err(p("29", "2", "2027")), ("from-day".into(), "First day must be a real date".into()));
        assert_eq!(p("29", "2", "2028"), Ok(date!(2028 - 02 - 29)));
        assert_eq!(err(p("3", "13", "2027")), ("from-day".into(), "First day must be a real date".into()));
        assert_eq!(err(p("x", "6", "2027")), ("from-day".into(), "First day must be a real date".into()));
        assert_eq!(err(p("3", "ju", "2027")), ("from-day".into(), "First day must be a real date".into()));
    }

    #[test]
    fn a_date_may_have_to_be_in_the_future_and_the_whole_value_is_still_read() {
        let p = |d, m, y, w| parse_date("until", "Last day covered", &sent(d, m, y), w, TODAY);
        assert_eq!(p("4", "12", "2026", When::TodayOrLater), Ok(TODAY));
        assert_eq!(
            err(p("3", "12", "2026", When::TodayOrLater)),
            ("until-day".into(), "Last day covered must be today or in the future".into())
        );
        assert_eq!(err(p("4", "12", "2026", When::Future)).1, "Last day covered must be in the future");
        let whole = Parts { whole: "2027-01-31".into(), ..Parts::default() };
        assert_eq!(parse_date("to", "Last day", &whole, When::Any, TODAY), Ok(date!(2027 - 01 - 31)));
        let bad = Parts { whole: "31/01/2027".into(), ..Parts::default() };
        assert_eq!(err(parse_date("to", "Last day", &bad, When::Any, TODAY)).1, "Last day must be a real date");
    }

    #[test]
    fn times_are_typed_as_people_say_them() {
        let t = |s| parse_clock(s).map(|t| (t.hour(), t.minute()));
        assert_eq!(t("14:30"), Some((14, 30)));
        assert_eq!(t("2:30pm"), Some((14, 30)));
        assert_eq!(t("2.30 PM"), Some((14, 30)));
        assert_eq!(t("9am"), Some((9, 0)));
        assert_eq!(t("12am"), Some((0, 0)));
        assert_eq!(t("12pm"), Some((12, 0)));
        assert_eq!(t("midday"), Some((12, 0)));
        assert_eq!(t("midnight"), Some((0, 0)));
        assert_eq!(t("0930"), Some((9, 30)));
        for bad in ["", "25:00", "13pm", "9:3", "nine", "9", "12:60", "0am"] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn moments_are_on_london_clocks_across_the_changes() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let m = |d: &str, mo: &str, y: &str, time: &str| {
            let p = Parts { time: time.into(), ..sent(d, mo, y) };
            parse_moment("starts_at", "Start", &p, When::Any, now)
        };
        // Winter: GMT, as UTC.
        assert_eq!(m("5", "1", "2027", "9:30am"), Ok(datetime!(2027-01-05 09:30 UTC)));
        // Summer: BST, an hour ahead.
        assert_eq!(m("1", "7", "2027", "9:30am"), Ok(datetime!(2027-07-01 08:30 UTC)));
        // 28 March 2027 the clocks go forward at 1am: 1:30am does not exist that day.
        let gap = m("28", "3", "2027", "1:30am").expect_err("no such time");
        assert_eq!(gap.field, "starts_at-time");
        assert!(gap.message.starts_with("Start must be a real time"), "{}", gap.message);
        assert_eq!(m("28", "3", "2027", "2:00am"), Ok(datetime!(2027-03-28 01:00 UTC)));
        assert_eq!(m("28", "3", "2027", "12:59am"), Ok(datetime!(2027-03-28 00:59 UTC)));
        // 31 October 2027 they go back at 2am: 1:30am happens twice; the first (BST) is meant.
        assert_eq!(m("31", "10", "2027", "1:30am"), Ok(datetime!(2027-10-31 00:30 UTC)));
        assert_eq!(m("31", "10", "2027", "2:30am"), Ok(datetime!(2027-10-31 02:30 UTC)));
        let p = |r: Result<OffsetDateTime, DateProblem>| r.map(|_| ()).expect_err("refused");
        assert_eq!(p(m("5", "1", "2027", "")).message, "Start must include a time");
        assert_eq!(p(m("5", "1", "2027", "")).field, "starts_at-time");
        assert_eq!(p(m("5", "1", "2027", "25:00")).message, "Start must be a real time, like 9:30am or 14:30");
        assert_eq!(p(m("", "", "", "")).message, "Enter start");
        assert_eq!(p(m("5", "", "2027", "9am")).message, "Start must include a month");
        let past = Parts { time: "11am".into(), ..sent("4", "12", "2026") };
        let e = parse_moment("to", "New date", &past, When::Future, now).expect_err("in the past");
        assert_eq!((e.field.as_str(), e.message.as_str()), ("to-day", "New date must be in the future"));
        // The whole value, as clients that send one do, is London time too.
        let whole = Parts { whole: "2027-07-01T09:30".into(), ..Parts::default() };
        assert_eq!(parse_moment("s", "Start", &whole, When::Any, now), Ok(datetime!(2027-07-01 08:30 UTC)));
        let utc = Parts { whole: "2027-07-01T09:30:00Z".into(), ..Parts::default() };
        assert_eq!(parse_moment("s", "Start", &utc, When::Any, now), Ok(datetime!(2027-07-01 09:30 UTC)));
    }

    #[test]
    fn a_field_shows_its_own_problem_and_marks_the_box() {
        let errors = vec![
            FieldProblem { field: Some("reason".into()), line: None, message: "Enter a reason".into() },
            FieldProblem {
                field: Some("from-month".into()),
                line: None,
                message: "First day must include a month".into(),
            },
        ];
        let f = DateField::date("from", "First day", "").filled(&sent("3", "", "2027"), &errors);
        assert_eq!(f.error, "First day must include a month");
        assert_eq!((f.box_class("month"), f.box_class("day")), (" govuk-input--error", ""));
        assert_eq!(f.day, "3");
        let to = DateField::date("to", "Last day", "").filled(&Parts::default(), &errors);
        assert!(to.error.is_empty());
        let real = vec![FieldProblem {
            field: Some("to-day".into()),
            line: None,
            message: "Last day must be a real date".into(),
        }];
        let to = DateField::date("to", "Last day", "").filled(&Parts::default(), &real);
        assert_eq!((to.box_class("day"), to.box_class("year")), (" govuk-input--error", " govuk-input--error"));
        assert_eq!(iso(date!(2027 - 01 - 05)), "2027-01-05");
    }
}
