//! The routing and workflow of public comments after triage (WP034 6.7, 6.8, 8.2), as pure
//! functions: the workflow pack (`policy-pack/comments-workflow.toml`), who a comment names in
//! the people register, Corporate Communications' office hours in Europe/London, and the
//! outcomes and actions people record.
//!
//! * Wellbeing (8.2): a comment labelled with one of the pack's `[wellbeing] labels` that names
//!   a person of the register (their full name, their staff or collar number, or a rank and a
//!   surname only one active person has) opens a case for that person's line manager, due
//!   `due_working_days` working days later.
//! * Referral (8.2): a comment with one of `[referral] labels` is referred to the Resolution
//!   Centre with its evidence pack.
//! * Out of hours (6.8): a comment with one of `[out_of_hours] labels` received outside the
//!   office hours goes to the person on Corporate Communications' rota at that moment.

use std::sync::OnceLock;

use crate::people::ranks;
use serde::Deserialize;
use time::{OffsetDateTime, Time, UtcOffset};

const WORKFLOW_TOML: &str = include_str!("../../../../policy-pack/comments-workflow.toml");

crate::str_enum! {
    /// What the Resolution Centre decided about a referral (WP034 8.2).
    pub enum ReferralOutcome {
        /// A crime was recorded; its crime reference is kept.
        CrimeRecorded = "crime_recorded",
        /// No crime.
        NoCrime = "no_crime",
        /// Advice given, no crime recorded.
        Advice = "advice",
    }
}

impl ReferralOutcome {
    pub const ALL: [ReferralOutcome; 3] = [Self::CrimeRecorded, Self::NoCrime, Self::Advice];

    pub fn words(self) -> &'static str {
        match self {
            Self::CrimeRecorded => "Crime recorded",
            Self::NoCrime => "No crime",
            Self::Advice => "Advice given",
        }
    }
}

crate::str_enum! {
    /// What Corporate Communications did with a comment (WP034 8.2).
    pub enum CommentAction {
        /// Advice only: nothing done on the platform.
        None = "none",
        Hide = "hide",
        Delete = "delete",
        Reply = "reply",
        /// Reported to the platform.
        ReportPlatform = "report_platform",
    }
}

impl CommentAction {
    pub const ALL: [CommentAction; 5] = [Self::None, Self::Hide, Self::Delete, Self::Reply, Self::ReportPlatform];

    pub fn words(self) -> &'static str {
        match self {
            Self::None => "No action on the platform (advice only)",
            Self::Hide => "Hidden",
            Self::Delete => "Deleted",
            Self::Reply => "Replied to",
            Self::ReportPlatform => "Reported to the platform",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRoute {
    pub clause: String,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wellbeing {
    pub clause: String,
    pub labels: Vec<String>,
    pub due_working_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfHours {
    pub clause: String,
    pub timezone: String,
    /// ISO weekday numbers (Monday = 1) with office hours.
    pub days: Vec<u8>,
    pub start: String,
    pub end: String,
    pub labels: Vec<String>,
}

/// The workflow pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowPack {
    pub version: String,
    pub policy: String,
    pub wellbeing: Wellbeing,
    pub referral: LabelRoute,
    pub out_of_hours: OutOfHours,
}

fn hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

impl WorkflowPack {
    /// Parse and check a workflow pack; the error names the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let p: WorkflowPack = toml::from_str(text).map_err(|e| e.to_string())?;
        if p.out_of_hours.timezone != "Europe/London" && p.out_of_hours.timezone != "UTC" {
            return Err("out_of_hours.timezone: must be Europe/London or UTC".into());
        }
        let (Some(a), Some(b)) = (hhmm(&p.out_of_hours.start), hhmm(&p.out_of_hours.end)) else {
            return Err("out_of_hours.start and end: must be HH:MM".into());
        };
        if a >= b {
            return Err("out_of_hours.start: must be before end".into());
        }
        if p.out_of_hours.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err("out_of_hours.days: weekday numbers are 1 (Monday) to 7 (Sunday)".into());
        }
        if p.wellbeing.due_working_days == 0 {
            return Err("wellbeing.due_working_days: must be at least 1".into());
        }
        Ok(p)
    }

    /// The shipped pack.
    #[allow(clippy::expect_used)] // the shipped pack is checked by a unit test
    pub fn builtin() -> &'static WorkflowPack {
        static PACK: OnceLock<WorkflowPack> = OnceLock::new();
        PACK.get_or_init(|| WorkflowPack::parse(WORKFLOW_TOML).expect("policy-pack/comments-workflow.toml"))
    }

    fn has(list: &[String], labels: &[&str]) -> bool {
        labels.iter().any(|l| list.iter().any(|x| x == l))
    }

    pub fn wellbeing_applies(&self, labels: &[&str]) -> bool {
        Self::has(&self.wellbeing.labels, labels)
    }

    pub fn referral_applies(&self, labels: &[&str]) -> bool {
        Self::has(&self.referral.labels, labels)
    }

    pub fn out_of_hours_applies(&self, labels: &[&str]) -> bool {
        Self::has(&self.out_of_hours.labels, labels)
    }

    /// The local time of `t` where the office is.
    pub fn local(&self, t: OffsetDateTime) -> OffsetDateTime {
        let utc = t.to_offset(UtcOffset::UTC);
        if self.out_of_hours.timezone == "UTC" {
            return utc;
        }
        let us = utc.unix_timestamp() * 1_000_000;
        let bst = crate::usage::days::in_bst(us);
        utc.to_offset(if bst { UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC) } else { UtcOffset::UTC })
    }

    /// Whether `t` is inside Corporate Communications' office hours (WP034 6.8).
    pub fn in_office_hours(&self, t: OffsetDateTime) -> bool {
        let l = self.local(t);
        let day = l.weekday().number_from_monday();
        let (Some(start), Some(end)) = (hhmm(&self.out_of_hours.start), hhmm(&self.out_of_hours.end)) else {
            return false;
        };
        self.out_of_hours.days.contains(&day) && l.time() >= start && l.time() < end
    }

    /// The office hours in words ("Monday to Friday, 08:00 to 18:00 Europe/London").
    pub fn office_hours_words(&self) -> String {
        let o = &self.out_of_hours;
        let days = if o.days == [1, 2, 3, 4, 5] {
            "Monday to Friday".to_string()
        } else {
            o.days
                .iter()
                .map(|d| {
                    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
                        [(*d as usize - 1) % 7]
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("{days}, {} to {} {}", o.start, o.end, o.timezone)
    }
}

/// One person of the register a comment may name.
#[derive(Debug, Clone)]
pub struct Named {
    pub id: uuid::Uuid,
    pub name: String,
    pub staff_number: String,
}

/// Whether `w` is a rank or a title: before a surname, it names an officer or member of staff.
fn rank_or_title(w: &str) -> bool {
    ranks::is_rank(w) || ranks::TITLES.contains(&w)
}

/// The words of a text: lower-case runs of letters, digits, apostrophes and hyphens.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Where a handle (the text after its `@`, as written) that opens with a rank divides: the
/// length of the rank, when a name follows it (capitalised, "SgtPrentice"; after `_`, `.` or
/// `-`, "PC_Jones"; run on in small letters after a rank no word begins with, "sgtprentice")
/// or a staff number ("PC2240", "PCA1018"). Titles (Mr, Mrs) do not count: "@MrsSmith" is a
/// member of the public. The triage's word view divides handles the same way
/// (custodian-comments, normalise.rs).
fn rank_handle(handle: &str) -> Option<usize> {
    let c: Vec<char> = handle.chars().collect();
    for rank in ranks::longest_first(|_| true) {
        let r = rank.word;
        let n = r.chars().count();
        if c.len() < n + 2 || !c[..n].iter().zip(r.chars()).all(|(a, b)| a.to_ascii_lowercase() == b) {
            continue;
        }
        let rest: String = c[n..].iter().collect();
        let digits = rest.trim_start_matches(|x: char| x.is_ascii_alphabetic());
        if rest.len() - digits.len() <= 1
            && (3..=5).contains(&digits.len())
            && digits.chars().all(|x| x.is_ascii_digit())
        {
            return Some(n);
        }
        if rank.caps_only && !c[..n].iter().all(char::is_ascii_uppercase) {
            continue;
        }
        let (a, b) = (c[n], c[n + 1]);
        if (matches!(a, '_' | '.' | '-') && b.is_ascii_alphabetic())
            || (a.is_ascii_uppercase() && b.is_ascii_lowercase())
        {
            return Some(n);
        }
        if rank.run_on && c.iter().all(char::is_ascii_lowercase) && c.len() >= n + 3 {
            return Some(n);
        }
    }
    None
}

/// The words of a text, each with whether it belongs to a member of the public's handle: a
/// handle names an officer or member of staff only when it is a rank and a name or number
/// ("@SgtPrentice" reads as "sgt prentice"); any other handle ("@SteveCrane", or "@Steve" in a
/// reply tagged "@Steve Crane") names a member of the public (WP034 8.2).
fn tagged_words(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut prev: Option<char> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let starts = c == '@'
            && !prev.is_some_and(char::is_alphanumeric)
            && it.peek().is_some_and(|(_, n)| n.is_ascii_alphanumeric());
        prev = Some(c);
        if !starts {
            continue;
        }
        out.extend(words(&text[plain..i]).into_iter().map(|w| (w, false)));
        let mut end = i + 1;
        while let Some(&(j, n)) = it.peek() {
            if !(n.is_ascii_alphanumeric() || matches!(n, '_' | '.' | '-')) {
                break;
            }
            end = j + n.len_utf8();
            prev = Some(n);
            it.next();
        }
        let handle = text[i + 1..end].trim_end_matches(['_', '.', '-']);
        match rank_handle(handle) {
            Some(n) => {
                out.push((handle[..n].to_lowercase(), false));
                out.extend(words(&handle[n..]).into_iter().map(|w| (w, false)));
            }
            None => out.extend(words(handle).into_iter().map(|w| (w, true))),
        }
        plain = end;
    }
    out.extend(words(&text[plain..]).into_iter().map(|w| (w, false)));
    out
}

/// The people of `register` that `text` names (WP034 8.2), each with what named them: the full
/// name as whole words, the staff (collar) number as a whole word (digits, or a letter and
/// digits: "A1018", "PC A1018", "#C2231", "PC2240"), or a rank or title followed by a surname
/// that exactly one person of the register has. A rank-and-name handle names as rank and name
/// ("@SgtPrentice"); the words of any other handle, a member of the public's ("@JackThornton",
/// "@Jack Thornton" in a reply), name nobody. Case does not matter.
pub fn people_named(text: &str, register: &[Named]) -> Vec<(uuid::Uuid, String)> {
    let tw = tagged_words(text);
    // Runs of words outside members of the public's handles.
    let runs: Vec<Vec<String>> =
        tw.split(|(_, public)| *public).map(|run| run.iter().map(|(w, _)| w.clone()).collect()).collect();
    let contains_seq =
        |seq: &[String]| !seq.is_empty() && runs.iter().any(|w| w.windows(seq.len()).any(|win| win == seq));
    let is_number = |x: &str, sn: &str| x == sn || ranks::RANKS.iter().any(|r| x.strip_prefix(r.word) == Some(sn));
    let mut out: Vec<(uuid::Uuid, String)> = Vec::new();
    for p in register {
        let name = words(&p.name);
        let sn = p.staff_number.to_lowercase();
        let how = if name.len() >= 2 && contains_seq(&name) {
            Some(p.name.clone())
        } else if sn.len() >= 3 && runs.iter().flatten().any(|x| is_number(x, &sn)) {
            Some(format!("staff number {}", p.staff_number))
        } else if let Some(surname) = name.last().filter(|_| name.len() >= 2) {
            let unique = register.iter().filter(|o| words(&o.name).last() == Some(surname)).count() == 1;
            let after_rank =
                runs.iter().flat_map(|w| w.windows(2)).find(|pair| rank_or_title(&pair[0]) && &pair[1] == surname);
            match after_rank {
                Some(pair) if unique => Some(format!("{} {}", pair[0], p.name.split_whitespace().last().unwrap_or(""))),
                _ => None,
            }
        } else {
            None
        };
        if let Some(how) = how
            && !out.iter().any(|(id, _)| *id == p.id)
        {
            out.push((p.id, how));
        }
    }
    out
}

/// A triage label as people read it ("abuse_staff" is "Abuse of staff"), for pages and notifications.
pub fn label_words(label: &str) -> String {
    match label {
        "question" => "Question".into(),
        "emergency" => "Emergency".into(),
        "crime_report" => "Crime report".into(),
        "complaint" => "Complaint".into(),
        "abuse_staff" => "Abuse of staff".into(),
        "hate.race" => "Hate: race".into(),
        "hate.religion" => "Hate: religion".into(),
        "hate.sexual_orientation" => "Hate: sexual orientation".into(),
        "hate.disability" => "Hate: disability".into(),
        "hate.transgender" => "Hate: transgender".into(),
        "threat" => "Threat".into(),
        "doxxing" => "Doxxing".into(),
        "spam" => "Spam".into(),
        other => other.replace(['_', '.'], " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn reg() -> Vec<Named> {
        vec![
            Named { id: Uuid::from_u128(1), name: "Laura Fenwick".into(), staff_number: "A1017".into() },
            Named { id: Uuid::from_u128(2), name: "Jack Thornton".into(), staff_number: "A1018".into() },
            Named { id: Uuid::from_u128(3), name: "Sam Smith".into(), staff_number: "4521".into() },
            Named { id: Uuid::from_u128(4), name: "Jo Smith".into(), staff_number: "4522".into() },
        ]
    }

    #[test]
    fn the_shipped_pack_loads() {
        let p = WorkflowPack::builtin();
        assert_eq!(p.wellbeing.due_working_days, 2);
        assert!(p.referral_applies(&["hate.race"]));
        assert!(!p.referral_applies(&["abuse_staff"]));
        assert!(p.out_of_hours_applies(&["doxxing"]));
    }

    #[test]
    fn bad_packs_are_refused_naming_the_field() {
        let bad = WORKFLOW_TOML.replace("start = \"08:00\"", "start = \"19:00\"");
        assert!(WorkflowPack::parse(&bad).unwrap_err().contains("out_of_hours.start"));
        let bad = WORKFLOW_TOML.replace("due_working_days = 2", "due_working_days = 0");
        assert!(WorkflowPack::parse(&bad).unwrap_err().contains("due_working_days"));
    }

    #[test]
    fn people_are_named_by_full_name_staff_number_or_rank_and_unique_surname() {
        let r = reg();
        let ids = |t: &str| people_named(t, &r).into_iter().map(|(id, _)| id.as_u128()).collect::<Vec<_>>();
        assert_eq!(ids("laura fenwick is a disgrace"), vec![1]);
        assert_eq!(ids("PC Fenwick is useless"), vec![1]);
        assert_eq!(ids("collar number A1018 was rude"), vec![2]);
        assert_eq!(ids("shoulder number 4521 should be sacked"), vec![3]);
        // Two Smiths: a surname alone names nobody.
        assert!(ids("PC Smith is a pr*ck").is_empty());
        // A surname without a rank, or inside another word, names nobody.
        assert!(ids("fenwick street is closed").is_empty());
        assert!(ids("A10177 is not a number we know").is_empty());
        assert_eq!(people_named("Sgt FENWICK", &r)[0].1, "sgt Fenwick");
    }

    #[test]
    fn staff_are_named_by_a_rank_and_name_handle_or_a_lettered_number_never_by_a_members_handle() {
        // WP034 8.2: wellbeing for the named officer or member of staff, never for a member of
        // the public whose handle happens to be a staff member's name.
        let mut r = reg();
        r.push(Named { id: Uuid::from_u128(5), name: "Amy Prentice".into(), staff_number: "C2231".into() });
        let ids = |t: &str| people_named(t, &r).into_iter().map(|(id, _)| id.as_u128()).collect::<Vec<_>>();
        // Rank-and-name handles, as written on the platforms.
        assert_eq!(ids("@SgtPrentice you clown"), vec![5]);
        assert_eq!(ids("@sgt_prentice you clown"), vec![5]);
        assert_eq!(ids("@sgtprentice you clown"), vec![5]);
        assert_eq!(ids("@PCFenwick is useless"), vec![1]);
        assert_eq!(ids("@PC_Thornton is useless"), vec![2]);
        assert_eq!(people_named("@InspPrentice", &r)[0].1, "insp Prentice");
        // Staff numbers with a letter, and a rank run on into the number.
        assert_eq!(ids("PC A1018 was rude"), vec![2]);
        assert_eq!(ids("#C2231 should be sacked"), vec![5]);
        assert_eq!(ids("pca1018 and PC4521"), vec![2, 3]);
        assert_eq!(ids("@PCA1018 you clown"), vec![2]);
        // A member of the public's handle names nobody, even with a staff member's name.
        assert!(ids("@JackThornton you clown").is_empty());
        assert!(ids("@Jack Thornton you should be ashamed").is_empty());
        assert!(ids("@jack_thornton @A1018 @Fenwick").is_empty());
        assert!(ids("@PcFenwick @MrsPrentice").is_empty());
        // ... but the same name outside the handle still names them.
        assert_eq!(ids("@Steve Jack Thornton was rude to me"), vec![2]);
        // An e-mail address is not a handle.
        assert!(ids("email prentice@example.com").is_empty());
    }

    #[test]
    fn office_hours_are_monday_to_friday_eight_to_six_london_time() {
        let p = WorkflowPack::builtin();
        // Friday 4 December 2026 (GMT).
        assert!(p.in_office_hours(datetime!(2026-12-04 08:00 UTC)));
        assert!(p.in_office_hours(datetime!(2026-12-04 17:59 UTC)));
        assert!(!p.in_office_hours(datetime!(2026-12-04 18:00 UTC)));
        assert!(!p.in_office_hours(datetime!(2026-12-04 07:59 UTC)));
        // Saturday.
        assert!(!p.in_office_hours(datetime!(2026-12-05 12:00 UTC)));
        // Summer time: 07:30 UTC is 08:30 in London; 17:30 UTC is 18:30.
        assert!(p.in_office_hours(datetime!(2026-07-01 07:30 UTC)));
        assert!(!p.in_office_hours(datetime!(2026-07-01 17:30 UTC)));
        assert_eq!(p.office_hours_words(), "Monday to Friday, 08:00 to 18:00 Europe/London");
    }
}
