//! Out-of-hours expectations (WP034 4.11: "without any continued or unreasonable expectation that
//! personnel will need to use mobile devices out of working hours"): for Heads of Department, per
//! team and month, the share of calls and messages from a manager's force devices to their
//! reports' force devices made outside the reports' working hours. Working hours are the usage
//! pack's (`[out_of_hours]`, default Monday to Friday 08:00-18:00 Europe/London). Only
//! aggregates leave the store, and only for teams of at least `min_team` people.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Weekday};

use super::days::in_bst;

/// The working hours the share is measured against, on London's clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfHours {
    /// Working days, "Mon" to "Sun".
    pub days: Vec<String>,
    /// "HH:MM", inclusive.
    pub start: String,
    /// "HH:MM", exclusive.
    pub end: String,
    /// The smallest team whose figures are shown (fewer people could be picked out).
    pub min_team: usize,
}

impl Default for OutOfHours {
    fn default() -> Self {
        OutOfHours {
            days: ["Mon", "Tue", "Wed", "Thu", "Fri"].map(String::from).to_vec(),
            start: "08:00".into(),
            end: "18:00".into(),
            min_team: 5,
        }
    }
}

fn minutes(field: &str, s: &str) -> Result<u32, String> {
    let bad = || format!("out_of_hours.{field}: {s:?} is not a time HH:MM");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// [`OutOfHours`] checked and ready to judge a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    days: [bool; 7],
    start: u32,
    end: u32,
    pub min_team: usize,
}

impl OutOfHours {
    /// Check the section: known day names, times, start before end, a team of at least two.
    pub fn compile(&self) -> Result<WorkingHours, String> {
        let mut days = [false; 7];
        for d in &self.days {
            let i = DAYS
                .iter()
                .position(|k| k.eq_ignore_ascii_case(d.trim()))
                .ok_or_else(|| format!("out_of_hours.days: {d:?} is not one of {DAYS:?}"))?;
            days[i] = true;
        }
        let (start, end) = (minutes("start", &self.start)?, minutes("end", &self.end)?);
        if start >= end {
            return Err("out_of_hours: start must be before end".into());
        }
        if self.min_team < 2 {
            return Err("out_of_hours.min_team: at least 2, so that nobody is picked out".into());
        }
        Ok(WorkingHours { days, start, end, min_team: self.min_team })
    }
}

/// London's wall clock at `utc_us` (microseconds since the epoch).
pub fn london_time(utc_us: i64) -> OffsetDateTime {
    let offset = if in_bst(utc_us) { 3_600 } else { 0 };
    let secs = utc_us.div_euclid(1_000_000) + offset;
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl WorkingHours {
    /// Whether `utc_us` falls outside working hours on London's clocks.
    pub fn outside(&self, utc_us: i64) -> bool {
        let t = london_time(utc_us);
        let day = match t.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        let m = u32::from(t.hour()) * 60 + u32::from(t.minute());
        !(self.days[day] && m >= self.start && m < self.end)
    }
}

/// The first day of the London month `utc_us` falls in.
pub fn london_month(utc_us: i64) -> Date {
    let d = london_time(utc_us).date();
    d.replace_day(1).unwrap_or(d)
}

/// One team's month: how many calls and messages its manager made to its people from force
/// device to force device, and how many of those outside working hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMonth {
    /// The first day of the month.
    pub month: Date,
    pub total: u64,
    pub outside: u64,
}

impl TeamMonth {
    /// The share outside working hours, in whole per cent.
    pub fn per_cent(&self) -> i64 {
        (self.outside * 100).checked_div(self.total).map_or(0, |p| i64::try_from(p).unwrap_or(0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn us(t: OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1000) as i64
    }

    #[test]
    fn working_hours_are_london_weekdays_eight_to_six() {
        let h = OutOfHours::default().compile().unwrap();
        // Wednesday 3 June 2026 (summer time): 07:30 UTC is 08:30 in London, inside.
        assert!(!h.outside(us(datetime!(2026-06-03 07:30 UTC))));
        // 17:30 UTC is 18:30 in London, outside.
        assert!(h.outside(us(datetime!(2026-06-03 17:30 UTC))));
        // Winter: 17:30 UTC is 17:30 in London, inside; 07:30 is outside.
        assert!(!h.outside(us(datetime!(2026-12-02 17:30 UTC))));
        assert!(h.outside(us(datetime!(2026-12-02 07:30 UTC))));
        // Saturday noon is outside.
        assert!(h.outside(us(datetime!(2026-12-05 12:00 UTC))));
        // 23:30 UTC on 31 May is 00:30 on 1 June in London: June's.
        assert_eq!(london_month(us(datetime!(2026-05-31 23:30 UTC))), date!(2026 - 06 - 01));
    }

    #[test]
    fn a_bad_section_is_refused_naming_its_field() {
        let mut o = OutOfHours { days: vec!["Mon".into(), "Funday".into()], ..OutOfHours::default() };
        assert!(o.compile().unwrap_err().contains("out_of_hours.days"));
        o.days = vec!["Mon".into()];
        o.start = "19:00".into();
        assert!(o.compile().unwrap_err().contains("start must be before end"));
        o.start = "8h".into();
        assert!(o.compile().unwrap_err().contains("out_of_hours.start"));
        let o = OutOfHours { min_team: 1, ..OutOfHours::default() };
        assert!(o.compile().unwrap_err().contains("min_team"));
    }
}
