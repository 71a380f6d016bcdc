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
        _ => format!("{}:{m:02}{}", if h.is_multiple_of(12) { 12 } else { h % 12 }, if h < 12 { "am" } else { "pm" }),
    };
    format!("{} at {clock}", date_words(l.date()))
}

/// A moment in words to the second, for records of custody: "3 December 2026 at 2:05:07pm".
pub fn time_words_seconds(t: OffsetDateTime) -> String {
    let l = london(t);
    let h = l.hour();
    format!(
        "{} at {}:{:02}:{:02}{}",
        date_words(l.date()),
        if h.is_multiple_of(12) { 12 } else { h % 12 },
        l.minute(),
        l.second(),
        if h < 12 { "am" } else { "pm" }
    )
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
        assert_eq!(time_words_seconds(datetime!(2026-07-01 11:05:07.123456789 UTC)), "1 July 2026 at 12:05:07pm");
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

/// Audit actors (`person:A1002`) in words, looking the people up once each: "Priya Shah
/// (A1002)". A person who cannot be found is shown by staff number.
pub(crate) async fn actors_in_words(state: &crate::state::AppState, actors: &[String]) -> Vec<String> {
    let mut names: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    for a in actors {
        if let Some(staff) = a.strip_prefix("person:")
            && !names.contains_key(staff)
        {
            let name = state.store().person_by_staff_number(staff).await.ok().flatten().map(|p| p.name);
            names.insert(staff.to_string(), name);
        }
    }
    actors.iter().map(|a| actor(a, |s| names.get(s).cloned().flatten())).collect()
}

/// A recorded value as words: a moment (RFC 3339, or `time`'s tuple form
/// `[2026,342,10,0,0,0,0,0,0]`) in London time, a list joined, an identifier (a UUID) or
/// an object left out (`None`), anything else as written.
pub fn value_words(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => {
            if uuid::Uuid::parse_str(s).is_ok() {
                return None;
            }
            if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
                return Some(time_words(t));
            }
            Some(s.replace('_', " "))
        }
        Value::Array(items) => {
            let nums: Vec<i64> = items.iter().filter_map(Value::as_i64).collect();
            if items.len() == 9 && nums.len() == 9 {
                let moment = (|| {
                    let date =
                        Date::from_ordinal_date(i32::try_from(nums[0]).ok()?, u16::try_from(nums[1]).ok()?).ok()?;
                    let time = Time::from_hms_nano(
                        u8::try_from(nums[2]).ok()?,
                        u8::try_from(nums[3]).ok()?,
                        u8::try_from(nums[4]).ok()?,
                        u32::try_from(nums[5]).ok()?,
                    )
                    .ok()?;
                    let offset = UtcOffset::from_hms(
                        i8::try_from(nums[6]).ok()?,
                        i8::try_from(nums[7]).ok()?,
                        i8::try_from(nums[8]).ok()?,
                    )
                    .ok()?;
                    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
                })();
                if let Some(t) = moment {
                    return Some(time_words(t));
                }
            }
            let parts: Vec<String> = items.iter().filter_map(value_words).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(_) => None,
    }
}

/// A step's recorded details as "Key: value" phrases joined by "; ", leaving out what
/// [`value_words`] leaves out and the keys in `skip`.
pub fn details_words(detail: &serde_json::Value, skip: &[&str]) -> String {
    match detail {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()) && !k.ends_with("_id") && k.as_str() != "id")
            .filter_map(|(k, v)| value_words(v).map(|w| format!("{}: {w}", super::form_errors::humanise(k))))
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn recorded_values_are_words_without_identifiers() {
        let d = serde_json::json!({
            "slot": [2026, 342, 10, 0, 0, 0, 0, 0, 0],
            "case_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "device": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "at": "2026-12-03T14:05:00.123456789Z",
            "tags": ["WP-LT-0001", "WP-PH-0002"],
            "step": "propose_slot"
        });
        let mut parts: Vec<String> = details_words(&d, &["step"]).split("; ").map(str::to_string).collect();
        parts.sort();
        assert_eq!(
            parts,
            ["At: 3 December 2026 at 2:05pm", "Slot: 8 December 2026 at 10:00am", "Tags: WP-LT-0001, WP-PH-0002"]
        );
    }
}

/// Text with every RFC 3339 moment in it ("last seen 2025-06-02T07:41:18.427553Z") put in
/// words on London's clocks ("last seen 2 June 2025 at 8:41am").
pub fn times_in_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'scan: while !rest.is_empty() {
        // A moment starts with four digits, '-', and has a 'T' at byte 10.
        if let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
            let cand = &rest[i..];
            if cand.len() >= 20 && cand.as_bytes()[4] == b'-' && cand.as_bytes()[10] == b'T' {
                let end = cand
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+')))
                    .unwrap_or(cand.len());
                let token = cand[..end].trim_end_matches('.');
                if let Ok(t) = OffsetDateTime::parse(token, &time::format_description::well_known::Rfc3339) {
                    out.push_str(&rest[..i]);
                    out.push_str(&time_words(t));
                    rest = &cand[token.len()..];
                    continue 'scan;
                }
            }
            let skip = i + cand.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..skip]);
            rest = &rest[skip..];
        } else {
            out.push_str(rest);
            break;
        }
    }
    out
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn moments_in_text_are_put_in_words() {
        assert_eq!(
            times_in_text("last check-in 2025-06-02T07:41:18.427553Z, over 7 days."),
            "last check-in 2 June 2025 at 8:41am, over 7 days."
        );
        assert_eq!(times_in_text("WP034 4.7: 12 records"), "WP034 4.7: 12 records");
    }
}

/// A notification's words with each approval step's key as its label: "(step
/// head_of_department, WP034 4.8)" is "(step Head of Department, WP034 4.8)".
pub fn steps_in_text(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("(step ") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let end = rest.find([',', ')']).unwrap_or(rest.len());
        out.push_str(&step_label(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn step_keys_in_a_notification_are_put_in_words() {
    assert_eq!(
        steps_in_text("A request waits for your decision (step head_of_department, WP034 4.8)."),
        "A request waits for your decision (step Head of Department, WP034 4.8)."
    );
    assert_eq!(
        steps_in_text("(step line_manager, WP034 4.8) and (step sio)"),
        "(step Line manager, WP034 4.8) and (step Senior Investigating Officer)"
    );
    assert_eq!(steps_in_text("No steps here"), "No steps here");
}

/// An approval step's key in words (`custodian_domain::approvals::step_label`).
pub fn step_label(key: &str) -> String {
    custodian_domain::approvals::step_label(key)
}
