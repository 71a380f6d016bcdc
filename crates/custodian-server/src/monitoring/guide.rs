//! What a monitoring case asks of the person selected, in plain English (WP034 5.4): what to do,
//! where, by when (Europe/London time in words), who to contact and how to ask for another date.
//! Pure: the home page's card and the case page both show it.

pub use crate::web::display::london;
use crate::web::display::time_words;
use custodian_domain::monitoring::Stage;
use custodian_store::monitoring::MonitoringCase;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Where the devices go (WP034 5.4: "provide the Professional Standards Department with their
/// mobile device(s)").
pub const WHERE: &str = "the Professional Standards Department";

/// The Europe/London offset in force at `t` (GMT, or BST in summer; see [`london`]).
pub fn london_offset(t: OffsetDateTime) -> UtcOffset {
    london(t).offset()
}

/// A moment in words, in Europe/London time, with its day of the week (a deadline is easier to
/// keep when the day is named): "Thursday 10 December 2026 at 2:00pm".
pub fn in_words(t: OffsetDateTime) -> String {
    format!("{} {}", london(t).weekday(), time_words(t))
}

/// A date in words, in Europe/London time: "Thursday 10 December 2026".
pub fn date_in_words(t: OffsetDateTime) -> String {
    let l = london(t);
    format!("{} {} {} {}", l.weekday(), l.day(), l.month(), l.year())
}

/// Read a `datetime-local` value ("2026-12-10T14:00") as Europe/London local time. In the
/// hour the clocks go forward a time does not exist and is read as summer time; in the hour
/// they go back the earlier (summer time) reading is taken.
pub fn parse_london(v: &str) -> Option<OffsetDateTime> {
    let minutes = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let p =
        PrimitiveDateTime::parse(v.trim(), minutes).or_else(|_| PrimitiveDateTime::parse(v.trim(), seconds)).ok()?;
    let bst = p.assume_offset(UtcOffset::from_hms(1, 0, 0).ok()?);
    if london_offset(bst) == bst.offset() { Some(bst) } else { Some(p.assume_utc()) }
}

/// The value of a `datetime-local` field showing `t` in Europe/London time.
pub fn local_input(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    london(t).format(&f).unwrap_or_default()
}

/// What the person selected must do now, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    /// "Action needed by Thursday 10 December 2026 at 2:00pm", or what the case is waiting for.
    pub heading: String,
    /// Whether the person must act (the card is a call to action rather than news).
    pub action_needed: bool,
    /// The steps, one sentence each.
    pub steps: Vec<String>,
    /// Who to contact about the case.
    pub contact: String,
    /// Whether the person may ask for another date now (WP034 5.4: consulted on availability).
    pub can_defer: bool,
    /// The latest date the one change may move the time to, in words.
    pub defer_latest: Option<String>,
    /// The latest date as a `datetime-local` value (the field's `max`).
    pub defer_latest_input: Option<String>,
    /// How to ask for another date, or why it cannot be asked for here.
    pub defer_help: String,
}

impl Guidance {
    /// The card's deferral field: the GOV.UK date input with a time, ids `defer-to-…`.
    pub fn defer_field(&self) -> crate::web::date_input::DateField {
        let latest = self.defer_latest.as_deref().map(|l| format!("No later than {l}. ")).unwrap_or_default();
        crate::web::date_input::DateField::moment(
            "to",
            "New date and time",
            &format!("{latest}For example, 27 3 2027 and 2:30pm (UK time)."),
        )
        .with_id("defer-to")
    }
}

/// The guidance for `c` at `now`, or `None` once the case is over.
pub fn guidance(c: &MonitoringCase, now: OffsetDateTime) -> Option<Guidance> {
    let s = &c.state;
    if s.stage.is_closed() {
        return None;
    }
    let contact = match (&c.dmi_name, &c.dmi_staff_number) {
        (Some(n), Some(sn)) => {
            format!("{n} ({sn}), the Digital Media Investigator for your case, or {WHERE}")
        }
        _ => WHERE.to_string(),
    };
    let hand_over = format!(
        "Bring every force mobile device you hold to {WHERE}, with full access given and password protection (PIN, \
         passcode or pattern) removed."
    );
    let latest = s.first_slot.map(|f| f + Duration::days(i64::from(c.rules.deferral_days)));
    let mut g = Guidance {
        heading: String::new(),
        action_needed: true,
        steps: Vec::new(),
        contact,
        can_defer: false,
        defer_latest: latest.map(in_words),
        defer_latest_input: latest.map(local_input),
        defer_help: String::new(),
    };
    let chosen = format!("You were chosen at random for a device check in the round \"{}\".", c.round_name);
    match (s.stage, s.slot) {
        (Stage::Selected, None) => {
            g.heading = "You have been selected for a device check".into();
            g.action_needed = false;
            g.steps = vec![
                chosen,
                format!(
                    "{} will propose a time for you to hand over your force mobile devices. You will be told here.",
                    capitalise(WHERE)
                ),
                "You do not need to do anything yet.".into(),
            ];
            g.defer_help = "Once a time has been proposed you can ask for another date, once.".into();
        }
        (Stage::Selected, Some(slot)) => {
            g.heading = format!("Action needed by {}", in_words(slot));
            g.steps = vec![
                chosen,
                format!("The time proposed for you to hand over your devices is {}.", in_words(slot)),
                "Accept the time on your case page, or ask for another date below.".into(),
                hand_over,
            ];
        }
        (Stage::Consulted, slot) => {
            let when = slot.map(in_words).unwrap_or_else(|| "the agreed time".into());
            g.heading = format!("Action needed by {when}");
            g.steps = vec![
                format!("You are due to hand over your devices on {when}."),
                hand_over,
                format!("{} will send you a notice with the deadline.", capitalise(WHERE)),
            ];
        }
        (Stage::Mandated, _) => {
            let when = s.deadline.map(in_words).unwrap_or_else(|| "the deadline in your notice".into());
            let overdue = s.deadline.is_some_and(|d| now > d);
            g.heading = if overdue {
                format!("Overdue: action was needed by {when}")
            } else {
                format!("Action needed by {when}")
            };
            let devices = if c.device_tags.is_empty() {
                "every force mobile device you hold".to_string()
            } else {
                format!("these force devices: {}", c.device_tags.join(", "))
            };
            g.steps = vec![
                format!("You have been given notice to hand over {devices}."),
                format!("Bring them to {WHERE} by {when}, with full access given and password protection removed."),
                "If they are not handed over by then, a conduct assessment referral is opened (WP034 5.5).".into(),
            ];
            g.defer_help = format!(
                "The notice's deadline cannot be moved here. If you cannot meet it, contact {} straight away.",
                g.contact
            );
        }
        (Stage::HandedOver | Stage::Downloaded | Stage::Examined, _) => {
            g.heading = "Your devices are being examined".into();
            g.action_needed = false;
            g.steps = vec![
                "A Digital Media Investigator has your devices.".into(),
                "They will be returned to you when the download has been completed and examined. You do not need to do anything."
                    .into(),
            ];
            g.defer_help = String::new();
        }
        (Stage::Returned | Stage::Withdrawn, _) => return None,
    }
    if matches!(s.stage, Stage::Selected | Stage::Consulted) && s.slot.is_some() {
        if s.deferred {
            g.defer_help = format!(
                "You have already moved the date once, which is all the rule allows (WP034 5.4). If the new time is \
                 not possible, contact {}.",
                g.contact
            );
        } else {
            g.can_defer = true;
            g.defer_help = format!(
                "If you cannot make this time, ask for another date once, no later than {}, and say why.",
                g.defer_latest.clone().unwrap_or_default()
            );
        }
    }
    Some(g)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_in_words_in_london_time() {
        // Winter: London is UTC.
        assert_eq!(in_words(datetime!(2026-12-10 14:00 UTC)), "Thursday 10 December 2026 at 2:00pm");
        // Summer: one hour ahead.
        assert_eq!(in_words(datetime!(2026-07-01 08:05 UTC)), "Wednesday 1 July 2026 at 9:05am");
        assert_eq!(in_words(datetime!(2026-07-01 11:30 UTC)), "Wednesday 1 July 2026 at 12:30pm");
        assert_eq!(in_words(datetime!(2026-12-10 00:15 UTC)), "Thursday 10 December 2026 at 12:15am");
        // The clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
        assert_eq!(london_offset(datetime!(2026-03-29 00:59 UTC)), UtcOffset::UTC);
        assert_eq!(london_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(), 1);
        assert_eq!(london_offset(datetime!(2026-10-25 01:00 UTC)), UtcOffset::UTC);
    }

    #[test]
    fn local_input_is_read_as_london_time() {
        assert_eq!(parse_london("2026-07-01T09:05"), Some(datetime!(2026-07-01 08:05 UTC)));
        assert_eq!(parse_london("2026-12-10T14:00"), Some(datetime!(2026-12-10 14:00 UTC)));
        assert_eq!(parse_london("10/12/2026"), None);
        let t = datetime!(2026-07-01 08:05 UTC);
        assert_eq!(parse_london(&local_input(t)), Some(t));
    }
}
