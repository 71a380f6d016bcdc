//! The display layer: how pages show moments, people, keys and hashes to a person, in one
//! place. Times are Europe/London in words ("3 December 2026 at 2:05pm"), never epoch seconds or
//! ISO with nanoseconds; people are "Name (staff number)", never `person:A1002`; hashes are
//! shortened to their first 12 hex digits with the whole value one click away.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC: the UK's clock changes (since 1996 the
/// EU rule: British Summer Time from the last Sunday of March to the last Sunday of October).
fn last_sunday_1am_utc(year: i32, month: Month) -> OffsetDateTime {
    let days = month.length(year);
    let mut d = Date::from_calendar_date(year, month, days).unwrap_or(Date::MIN);
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().unwrap_or(d);
    }
    PrimitiveDateTime::new(d, Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc()
}

/// `t` on the clocks of Europe/London (GMT, or BST in summer).
pub fn london(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer = utc >= last_sunday_1am_utc(year, Month::March) && utc < last_sunday_1am_utc(year, Month::October);
    utc.to_offset(if summer { UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC) } else { UtcOffset::UTC })
}

/// A date in words: "3 December 2026".
pub fn date_words(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// A moment in words, on London's clocks: "3 December 2026 at 2:05pm".
pub fn time_words(t: OffsetDateTime) -> String {
    let l = london(t);
    let (h, m) = (l.hour(), l.minute());
    let clock = match (h, m) {
        (0, 0) => "midnight".to_string(),
        (12, 0) => "midday".to_string(),
        _ => format!("{}:{m:02}{}", if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { "am" } else { "pm" }),
    };
    format!("{} at {clock}", date_words(l.date()))
}

/// A person as pages show them: "Priya Shah (A1002)".
pub fn person(name: &str, staff_number: &str) -> String {
    if staff_number.is_empty() {
        name.to_string()
    } else if name.is_empty() {
        staff_number.to_string()
    } else {
        format!("{name} ({staff_number})")
    }
}

/// An audit actor (`person:A1002`, `system`, `token:…`) in words, given the people it may name
/// (staff number -> name): "Priya Shah (A1002)", "Custodian (automatic)".
pub fn actor(actor: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    if actor == "system" || actor.starts_with("system:") {
        return "Custodian (automatic)".into();
    }
    match actor.split_once(':') {
        Some(("person", staff)) => match name_of(staff) {
            Some(name) => person(&name, staff),
            None => format!("Staff number {staff}"),
        },
        Some(("token", _)) => "An API token".into(),
        Some((kind, rest)) => format!("{} {rest}", kind.replace('_', " ")),
        None => actor.replace('_', " "),
    }
}

/// The first 12 hex digits of a hash, for reading; the whole value goes in a `<details>`.
pub fn short_hash(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_in_words_on_london_clocks() {
        assert_eq!(time_words(datetime!(2026-12-03 14:05 UTC)), "3 December 2026 at 2:05pm");
        // Summer: British Summer Time, an hour ahead of UTC.
        assert_eq!(time_words(datetime!(2026-07-01 09:30 UTC)), "1 July 2026 at 10:30am");
        // The clocks change at 01:00 UTC on the last Sunday of March (29 March 2026) and October.
        assert_eq!(time_words(datetime!(2026-03-29 00:59 UTC)), "29 March 2026 at 12:59am");
        assert_eq!(time_words(datetime!(2026-03-29 01:00 UTC)), "29 March 2026 at 2:00am");
        assert_eq!(time_words(datetime!(2026-10-25 00:59 UTC)), "25 October 2026 at 1:59am");
        assert_eq!(time_words(datetime!(2026-10-25 01:00 UTC)), "25 October 2026 at 1:00am");
        assert_eq!(time_words(datetime!(2026-12-31 23:00 UTC)), "31 December 2026 at 11:00pm");
        assert_eq!(time_words(datetime!(2026-06-30 23:00 UTC)), "1 July 2026 at midnight");
        assert_eq!(time_words(datetime!(2026-01-05 12:00 UTC)), "5 January 2026 at midday");
    }

    #[test]
    fn people_and_actors_are_named() {
        assert_eq!(person("Priya Shah", "A1002"), "Priya Shah (A1002)");
        let names = |s: &str| (s == "A1002").then(|| "Priya Shah".to_string());
        assert_eq!(actor("person:A1002", names), "Priya Shah (A1002)");
        assert_eq!(actor("person:Z9", names), "Staff number Z9");
        assert_eq!(actor("system", names), "Custodian (automatic)");
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab");
    }
}
