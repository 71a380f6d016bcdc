//! Europe/London days: the calendar day a record falls on where the force works.

use time::{Date, Month};

/// Days since 1970-01-01 of the Europe/London calendar date at `utc_us` (microseconds since the
/// epoch). UK summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October (Summer Time Order 2002).
pub fn london_day(utc_us: i64) -> i32 {
    const DAY_US: i64 = 86_400_000_000;
    let offset = if in_bst(utc_us) { 3_600_000_000 } else { 0 };
    (utc_us + offset).div_euclid(DAY_US) as i32
}

pub fn in_bst(utc_us: i64) -> bool {
    let secs = utc_us.div_euclid(1_000_000);
    let day = secs.div_euclid(86_400) as i32;
    let Ok(date) = Date::from_julian_day(day + 2_440_588) else { return false };
    let year = date.year();
    let (start, end) = bst_bounds(year);
    secs >= start && secs < end
}

/// Start and end of summer time in `year`, as UTC seconds.
fn bst_bounds(year: i32) -> (i64, i64) {
    fn last_sunday(year: i32, month: Month) -> i64 {
        let Ok(d) = Date::from_calendar_date(year, month, 31) else { return 0 };
        let back = d.weekday().number_days_from_sunday() as i64;
        (d.to_julian_day() as i64 - 2_440_588 - back) * 86_400 + 3_600
    }
    (last_sunday(year, Month::March), last_sunday(year, Month::October))
}

/// Microseconds since the epoch of 00:00 Europe/London on `d` (01:00 BST is 00:00 UTC, so
/// midnight in summer is 23:00 UTC the day before).
pub fn london_midnight_us(d: Date) -> i64 {
    const DAY_US: i64 = 86_400_000_000;
    let utc = i64::from(date_day(d)) * DAY_US;
    let guess = utc - 3_600_000_000;
    if in_bst(guess) { guess } else { utc }
}

/// The calendar date of a day number from [`london_day`].
pub fn day_date(day: i32) -> Date {
    Date::from_julian_day(day + 2_440_588).unwrap_or(Date::MIN)
}

/// The day number of a calendar date.
pub fn date_day(d: Date) -> i32 {
    d.to_julian_day() - 2_440_588
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;
    use time::OffsetDateTime;
    use time::macros::{date, datetime};
    /// Microseconds since the epoch of `t`, for the usage tests.
    pub(in crate::usage) fn us(t: OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1000) as i64
    }

    #[test]
    fn london_days_follow_summer_time() {
        // 23:30 UTC on 30 June is 00:30 on 1 July in London.
        assert_eq!(day_date(london_day(us(datetime!(2026-06-30 23:30 UTC)))), date!(2026 - 07 - 01));
        // 23:30 UTC on 30 November is still 30 November.
        assert_eq!(day_date(london_day(us(datetime!(2026-11-30 23:30 UTC)))), date!(2026 - 11 - 30));
        // Summer time starts 01:00 UTC on 29 March 2026 and ends 01:00 UTC on 25 October 2026.
        assert!(!in_bst(us(datetime!(2026-03-29 00:59 UTC))));
        assert!(in_bst(us(datetime!(2026-03-29 01:00 UTC))));
        assert!(in_bst(us(datetime!(2026-10-25 00:59 UTC))));
        assert!(!in_bst(us(datetime!(2026-10-25 01:00 UTC))));
    }

    #[test]
    fn london_midnight_is_an_hour_earlier_in_utc_during_summer_time() {
        assert_eq!(london_midnight_us(date!(2026 - 07 - 01)), us(datetime!(2026-06-30 23:00 UTC)));
        assert_eq!(london_midnight_us(date!(2026 - 12 - 01)), us(datetime!(2026-12-01 00:00 UTC)));
        // The day summer time starts (01:00 UTC) begins in GMT; the day after begins in BST.
        assert_eq!(london_midnight_us(date!(2026 - 03 - 29)), us(datetime!(2026-03-29 00:00 UTC)));
        assert_eq!(london_midnight_us(date!(2026 - 03 - 30)), us(datetime!(2026-03-29 23:00 UTC)));
        // The day it ends begins in BST.
        assert_eq!(london_midnight_us(date!(2026 - 10 - 25)), us(datetime!(2026-10-24 23:00 UTC)));
        assert_eq!(london_midnight_us(date!(2026 - 10 - 26)), us(datetime!(2026-10-26 00:00 UTC)));
    }
}
