//! The register of the force's social media accounts (WP034 6.1, 6.4, 6.6, 6.7, 9.1): how an
//! account is requested and set up, who is authorised to use it, and the checks that raise tasks
//! for its team manager and Corporate Communications. Pure: the store applies these rules inside
//! its transactions.
//!
//! ```text
//! requested --Corporate Communications approve (6.6)--> active <--a post--> dormant (6.1)
//!     |                                                   |                    |
//!     +-- rejected or withdrawn --> closed <--------------+---- closed --------+
//! ```
//!
//! Closing keeps the account's history: its authorisations end (`account_closed`) and stay.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::findings::Rule;
use crate::imports::RowError;
use crate::posts::Platform;

pub use crate::findings::{
    SOCIAL_DORMANT, SOCIAL_RECERTIFICATION_OVERDUE, SOCIAL_ROTATE_CREDENTIALS, SOCIAL_RULES, SOCIAL_SIGNPOSTING,
};

/// The kind of approval request an account request opens on the shared chain.
pub const APPROVAL_KIND: &str = "social_account";

const SOCIAL_TOML: &str = include_str!("../../../../policy-pack/social.toml");

crate::str_enum! {
    /// Where an account is in its life.
    pub enum AccountStatus {
        /// Asked for by a team manager; waiting for Corporate Communications (6.6).
        Requested = "requested",
        /// Approved and set up by Corporate Communications.
        Active = "active",
        /// No post for longer than the pack allows (6.1): to revive or close.
        Dormant = "dormant",
        /// Closed after it was set up; its history stays, and it keeps its handle.
        Closed = "closed",
        /// The request was refused by Corporate Communications (6.6): never an account, so it
        /// holds no handle (migration 0042).
        Refused = "refused",
        /// The request was withdrawn before a decision: never an account, holds no handle.
        Withdrawn = "withdrawn",
    }
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 6] =
        [Self::Requested, Self::Active, Self::Dormant, Self::Closed, Self::Refused, Self::Withdrawn];
    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "Requested",
            Self::Active => "Active",
            Self::Dormant => "Dormant",
            Self::Closed => "Closed",
            Self::Refused => "Request refused",
            Self::Withdrawn => "Request withdrawn",
        }
    }
    /// Whether the account holds its platform and handle: every status but a refused or
    /// withdrawn request (the partial unique index of migration 0042 says the same).
    pub fn holds_handle(self) -> bool {
        !matches!(self, Self::Refused | Self::Withdrawn)
    }
    /// Whether people may use the account (and so be authorised to).
    pub fn in_use(self) -> bool {
        matches!(self, Self::Active | Self::Dormant)
    }
}

crate::str_enum! {
    /// Why an authorisation ended (the column `social_account_users.ended_reason`).
    pub enum EndedReason {
        /// The person left the force (the people import, 9.1).
        Left = "left",
        /// The person moved to another business area (the people import).
        Moved = "moved",
        /// Removed from the list by the team manager or Corporate Communications.
        Removed = "removed",
        /// The account was closed.
        AccountClosed = "account_closed",
    }
}

impl EndedReason {
    pub fn label(self) -> &'static str {
        match self {
            Self::Left => "Left the force",
            Self::Moved => "Moved to another business area",
            Self::Removed => "Removed from the list",
            Self::AccountClosed => "Account closed",
        }
    }
}

crate::str_enum! {
    /// Whether an account is a corporate channel (run by Corporate Communications, publishing
    /// through a major incident, 6.8) or a departmental account run by a team (6.7).
    pub enum AccountKind {
        Corporate = "corporate",
        Departmental = "departmental",
    }
}

impl AccountKind {
    pub fn from_corporate(corporate: bool) -> Self {
        if corporate { Self::Corporate } else { Self::Departmental }
    }
    pub fn is_corporate(self) -> bool {
        self == Self::Corporate
    }
}

crate::str_enum! {
    /// Where a task stands.
    pub enum TaskStatus {
        Open = "open",
        Done = "done",
    }
}

crate::str_enum! {
    /// Who a task is for.
    pub enum Assignee {
        /// The account's team manager (6.7).
        TeamManager = "team_manager",
        /// Corporate Communications (6.6, 9.1).
        CorporateComms = "corporate_comms",
        /// Both: the team manager acts, Corporate Communications follow it (6.7).
        Both = "both",
    }
}

impl Assignee {
    pub fn label(self) -> &'static str {
        match self {
            Self::TeamManager => "Team manager",
            Self::CorporateComms => "Corporate Communications",
            Self::Both => "Team manager and Corporate Communications",
        }
    }
}

/// Who each task rule is for.
pub fn assignee(rule: &Rule) -> Assignee {
    match rule.id {
        id if id == SOCIAL_ROTATE_CREDENTIALS.id => Assignee::CorporateComms,
        id if id == SOCIAL_RECERTIFICATION_OVERDUE.id => Assignee::Both,
        _ => Assignee::TeamManager,
    }
}

/// The register's policy pack (`policy-pack/social.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialPack {
    pub version: u32,
    pub policy: String,
    pub policy_version: u32,
    pub register: RegisterParams,
}

/// The parameters of the register's rules (see the pack for what each means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterParams {
    pub recertify_every_days: u32,
    pub dormant_after_days: u32,
}

impl SocialPack {
    /// Read and check a pack.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let p: SocialPack =
            toml::from_str(text).map_err(|e| format!("the social media policy pack is not valid: {e}"))?;
        if p.register.recertify_every_days == 0 {
            return Err("register.recertify_every_days: must be at least 1 day".into());
        }
        if p.register.dormant_after_days == 0 {
            return Err("register.dormant_after_days: must be at least 1 day".into());
        }
        Ok(p)
    }

    /// The pack compiled into this build.
    pub fn shipped() -> &'static SocialPack {
        static PACK: OnceLock<SocialPack> = OnceLock::new();
        PACK.get_or_init(|| {
            // Compiled in and checked by `tests::the_shipped_pack_loads`: a failure is a build defect.
            #[allow(clippy::expect_used)]
            SocialPack::from_toml(SOCIAL_TOML)
                .expect("policy-pack/social.toml is compiled in and checked by the unit tests")
        })
    }
}

/// When an account's list of authorised users is next due for re-certification: `every_days`
/// after it was last certified, or after the account was set up if it never was.
pub fn recertification_due(last: OffsetDateTime, every_days: u32) -> OffsetDateTime {
    last + Duration::days(i64::from(every_days))
}

/// Whether an account with its last post (or, with none, its set-up) at `last` is dormant at `now`.
pub fn is_dormant(last: OffsetDateTime, now: OffsetDateTime, after_days: u32) -> bool {
    now - last > Duration::days(i64::from(after_days))
}

/// What a profile's signposting lacks (WP034 6.7: "all accounts should contain signposting to
/// appropriate channels for emergencies and reporting crimes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signpost {
    /// No 999 for emergencies.
    Emergency,
    /// Neither 101 nor online reporting for crime.
    Crime,
}

impl Signpost {
    pub fn label(self) -> &'static str {
        match self {
            Self::Emergency => "999 for emergencies",
            Self::Crime => "101 or online reporting for crime",
        }
    }
}

/// Whether `text` holds `number` standing alone (not inside a longer number such as 01999).
fn has_number(text: &str, number: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(number).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let after = b.get(i + number.len()).copied();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// The signposting a profile text lacks, if any: it must point to 999 for emergencies, and to
/// 101 or online reporting (a link or the words "report ... online") for crime.
pub fn missing_signposting(profile: &str) -> Vec<Signpost> {
    let lower = profile.to_lowercase();
    let mut out = Vec::new();
    if !has_number(&lower, "999") {
        out.push(Signpost::Emergency);
    }
    let online = lower.contains("report")
        && (lower.contains("online") || lower.contains("http") || lower.contains("www.") || lower.contains(".uk/"));
    if !has_number(&lower, "101") && !online {
        out.push(Signpost::Crime);
    }
    out
}

/// The columns of `custodian accounts import`, in order.
pub const IMPORT_COLUMNS: [&str; 8] =
    ["platform", "handle", "url", "team", "team_manager", "kind", "profile", "authorised_users"];

/// One account of an import file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The file's line (1 is the header).
    pub line: u64,
    pub platform: Platform,
    pub handle: String,
    pub url: String,
    pub team: String,
    /// Staff number.
    pub team_manager: String,
    pub kind: AccountKind,
    pub profile: String,
    /// Staff numbers, each once, in file order.
    pub authorised_users: Vec<String>,
}

/// A handle as stored: trimmed, without a leading `@`.
pub fn normalise_handle(h: &str) -> String {
    h.trim().trim_start_matches('@').trim().to_string()
}

/// Check a URL given for an account: empty, or an https address.
pub fn check_url(url: &str) -> Result<(), String> {
    let u = url.trim();
    if u.is_empty() || (u.starts_with("https://") && u.len() > "https://".len() && !u.contains(char::is_whitespace)) {
        Ok(())
    } else {
        Err("give the account's https:// address, or leave it empty".into())
    }
}

/// Parse an import file: every problem, each with its line and field, or every row.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<AccountRow>, Vec<RowError>> {
    let err =
        |line: u64, field: Option<&str>, message: String| RowError { line, field: field.map(str::to_string), message };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut errors = Vec::new();
    let mut rows: Vec<AccountRow> = Vec::new();
    let mut records = rdr.records();
    match records.next() {
        Some(Ok(h)) => {
            let header: Vec<&str> = h.iter().map(str::trim).collect();
            if header != IMPORT_COLUMNS {
                return Err(vec![err(1, None, format!("the columns must be exactly {}", IMPORT_COLUMNS.join(",")))]);
            }
        }
        Some(Err(e)) => return Err(vec![err(1, None, format!("not a CSV file: {e}"))]),
        None => return Err(vec![err(1, None, "the file is empty".into())]),
    }
    for (i, rec) in records.enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(line, None, format!("not valid CSV: {e}")));
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != IMPORT_COLUMNS.len() {
            errors.push(err(line, None, format!("expected {} columns, found {}", IMPORT_COLUMNS.len(), rec.len())));
            continue;
        }
        let f = |i: usize| rec.get(i).unwrap_or("").trim();
        let mut bad = false;
        let mut push = |field: &str, message: String| {
            errors.push(err(line, Some(field), message));
            bad = true;
        };
        let platform = Platform::parse(f(0));
        if platform.is_none() {
            let all: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
            push("platform", format!("{:?} is not one of {}", f(0), all.join(", ")));
        }
        let handle = normalise_handle(f(1));
        if handle.is_empty() {
            push("handle", "give the account's handle".into());
        }
        if let Err(m) = check_url(f(2)) {
            push("url", m);
        }
        if f(3).is_empty() {
            push("team", "name the team that runs the account (WP034 6.7)".into());
        }
        if f(4).is_empty() {
            push("team_manager", "give the staff number of the team manager (WP034 6.7)".into());
        }
        let kind: Option<AccountKind> = f(5).to_ascii_lowercase().parse().ok();
        if kind.is_none() {
            push("kind", format!("{:?} is not corporate or departmental", f(5)));
        }
        let mut users: Vec<String> = Vec::new();
        for u in f(7).split(';').map(str::trim).filter(|s| !s.is_empty()) {
            if !users.iter().any(|x| x == u) {
                users.push(u.to_string());
            }
        }
        if let (Some(platform), Some(kind), false) = (platform, kind, bad) {
            if let Some(first) = rows.iter().find(|r| r.platform == platform && r.handle.eq_ignore_ascii_case(&handle))
            {
                errors.push(err(
                    line,
                    Some("handle"),
                    format!("{} {handle} is already on line {}", platform.as_str(), first.line),
                ));
                continue;
            }
            rows.push(AccountRow {
                line,
                platform,
                handle,
                url: f(2).to_string(),
                team: f(3).to_string(),
                team_manager: f(4).to_string(),
                kind,
                profile: rec.get(6).unwrap_or("").trim().to_string(),
                authorised_users: users,
            });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_pack_loads() {
        let p = SocialPack::shipped();
        assert_eq!(p.register.dormant_after_days, 90);
        assert!(p.register.recertify_every_days >= 90);
        assert!(
            SocialPack::from_toml(&SOCIAL_TOML.replace("dormant_after_days = 90", "dormant_after_days = 0")).is_err()
        );
    }

    #[test]
    fn every_rule_cites_a_clause_in_the_policy() {
        for r in SOCIAL_RULES {
            assert!(crate::policy::clause(r.clause).is_some(), "{} cites unknown clause {}", r.id, r.clause);
            assert!(crate::findings::rule(r.id).is_some(), "{}", r.id);
        }
    }

    #[test]
    fn signposting_needs_999_and_101_or_online_reporting() {
        assert!(missing_signposting("In an emergency call 999. Report crime on 101.").is_empty());
        assert!(
            missing_signposting("Emergency? 999. Report a crime online: https://www.warwickshire.police.uk/ro/report")
                .is_empty()
        );
        assert_eq!(missing_signposting("Report crime on 101."), vec![Signpost::Emergency]);
        assert_eq!(missing_signposting("Emergencies: 999"), vec![Signpost::Crime]);
        assert_eq!(missing_signposting("Call 01999 1010 for news"), vec![Signpost::Emergency, Signpost::Crime]);
        assert_eq!(missing_signposting(""), vec![Signpost::Emergency, Signpost::Crime]);
    }

    #[test]
    fn dormancy_and_recertification_count_days() {
        let t = time::macros::datetime!(2026-01-01 0:00 UTC);
        assert!(!is_dormant(t, t + Duration::days(90), 90));
        assert!(is_dormant(t, t + Duration::days(91), 90));
        assert_eq!(recertification_due(t, 91), t + Duration::days(91));
    }

    #[test]
    fn an_import_file_is_checked_whole_and_each_error_names_its_line_and_field() {
        let head = IMPORT_COLUMNS.join(",");
        let ok = format!(
            "{head}\nx,@WarksPoliceNorth,https://x.com/WarksPoliceNorth,Response Policing North,A1016,departmental,\"Call 999, or 101\",A1017;A1018;A1017\n"
        );
        let rows = parse_import(ok.as_bytes()).unwrap();
        assert_eq!(rows[0].handle, "WarksPoliceNorth");
        assert_eq!(rows[0].authorised_users, vec!["A1017", "A1018"]);
        assert_eq!(rows[0].kind, AccountKind::Departmental);
        let bad = format!(
            "{head}\nmyspace,h,,T,A1,departmental,,\nx,h,http://x,T,A1,club,,\nx,h2,,,,,,\nx,a,,T,A1,corporate,,\nx,@A,,T,A1,corporate,,\n"
        );
        let e = parse_import(bad.as_bytes()).unwrap_err();
        let at: Vec<(u64, Option<&str>)> = e.iter().map(|e| (e.line, e.field.as_deref())).collect();
        assert_eq!(
            at,
            vec![
                (2, Some("platform")),
                (3, Some("url")),
                (3, Some("kind")),
                (4, Some("team")),
                (4, Some("team_manager")),
                (4, Some("kind")),
                (6, Some("handle")),
            ]
        );
        assert_eq!(parse_import(b"platform,handle\n").unwrap_err()[0].line, 1);
    }
}
