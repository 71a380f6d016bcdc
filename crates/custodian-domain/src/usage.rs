//! Usage compliance (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12): the carrier billing and web gateway
//! feeds, their streaming parsers, attribution of each record to the device and the person who
//! held it at that instant, and the rules that turn records into findings for a line manager to
//! judge (4.10). Every parameter lives in the usage policy pack (`policy-pack/usage.toml`).
//!
//! Nothing here sanctions anyone: a breach is evidence for a finding, and people decide.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, Write};
use std::sync::OnceLock;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::devices::DeviceType;
use crate::findings::{Rule, Severity};
use crate::numbers::{NumberClass, NumberPlan, normalise};

// ---------------------------------------------------------------------------------------------
// Rules

/// WP034 4.2: outgoing calls or SMS to premium rate numbers.
pub const PREMIUM_RATE: Rule = Rule {
    id: "usage.premium_rate",
    clause: "4.2",
    severity: Severity::Low,
    title: "Call or text to a premium rate number",
};
/// WP034 4.2: outgoing calls or SMS to numbers outside the UK.
pub const INTERNATIONAL: Rule = Rule {
    id: "usage.international",
    clause: "4.2",
    severity: Severity::Low,
    title: "Call or text to an overseas number",
};
/// WP034 4.2: outgoing multimedia messages.
pub const MMS: Rule =
    Rule { id: "usage.mms", clause: "4.2", severity: Severity::Low, title: "Multimedia message sent" };
/// WP034 4.2: use overseas without an approved overseas-use window.
pub const ROAMING: Rule =
    Rule { id: "usage.roaming", clause: "4.2", severity: Severity::Medium, title: "Used overseas without approval" };
/// WP034 4.5: tethering from a device that is neither a force laptop nor a force phone.
pub const TETHERING: Rule = Rule {
    id: "usage.tethering",
    clause: "4.5",
    severity: Severity::Medium,
    title: "Tethering from a device that may not tether",
};
/// WP034 4.5: excessive non-tethered mobile data on one device in one day.
pub const CELLULAR_DATA: Rule = Rule {
    id: "usage.cellular_data",
    clause: "4.5",
    severity: Severity::Low,
    title: "Heavy mobile data use instead of Wi-Fi",
};
/// WP034 4.6: streaming video without a recorded policing purpose.
pub const STREAMING: Rule = Rule {
    id: "usage.streaming",
    clause: "4.6",
    severity: Severity::Low,
    title: "Streaming video without a policing purpose",
};
/// WP034 4.9: dating, gambling, shopping or auction sites.
pub const BANNED_SITE: Rule = Rule {
    id: "usage.banned_site",
    clause: "4.9",
    severity: Severity::Medium,
    title: "Dating, gambling, shopping or auction site",
};
/// WP034 4.12: calls diverted to a number that is not a force number.
pub const CALL_DIVERSION: Rule = Rule {
    id: "usage.call_diversion",
    clause: "4.12",
    severity: Severity::High,
    title: "Work phone diverted to a non-force number",
};
/// WP034 4.1: a record that matches no registered device or no holder; for Digital Services.
pub const UNATTRIBUTED: Rule = Rule {
    id: "usage.unattributed",
    clause: "4.1",
    severity: Severity::Low,
    title: "Usage that matches no device holder",
};

/// Every usage rule, for look-ups by id.
pub const RULES: &[Rule] = &[
    PREMIUM_RATE,
    INTERNATIONAL,
    MMS,
    ROAMING,
    TETHERING,
    CELLULAR_DATA,
    STREAMING,
    BANNED_SITE,
    CALL_DIVERSION,
    UNATTRIBUTED,
];

/// The usage rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

// ---------------------------------------------------------------------------------------------
// The policy pack

const USAGE_TOML: &str = include_str!("../../../policy-pack/usage.toml");

/// The usage rule parameters, category tables and carrier profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsagePack {
    /// Bumped on every change, recorded with every import.
    pub version: u32,
    /// The policy these parameters implement ("WP034") and its version.
    pub policy: String,
    pub policy_version: u32,
    pub numbers: NumberPlan,
    pub rules: RuleParams,
    /// vendor -> vendor category -> policy category.
    pub categories: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// Lower-cased vendor category -> policy category, over every vendor; built on load.
    #[serde(skip)]
    category_index: HashMap<String, String>,
}

/// Parameters of the rules (see the pack for what each means).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleParams {
    pub home_country: String,
    pub tethering_device_types: Vec<String>,
    pub cellular_data_daily_bytes: u64,
    pub streaming_categories: Vec<String>,
    pub banned_categories: Vec<String>,
    pub force_number_prefixes: Vec<String>,
    pub evidence_examples: usize,
}

/// Which feed a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feed {
    Carrier,
    Web,
}

impl Feed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Carrier => "carrier",
            Self::Web => "web",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "carrier" => Some(Self::Carrier),
            "web" => Some(Self::Web),
            _ => None,
        }
    }
}

/// Another supplier's layout: column names and date format, from configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub feed: Feed,
    /// Standard field name -> the supplier's column header.
    pub columns: BTreeMap<String, String>,
    /// A `time` format description; absent means RFC 3339.
    #[serde(default)]
    pub time_format: Option<String>,
    /// "UTC" or "Europe/London": how to read times without an offset.
    #[serde(default = "utc")]
    pub timezone: String,
}

fn utc() -> String {
    "UTC".into()
}

/// A pack that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("usage pack: {0}")]
pub struct PackError(pub String);

impl UsagePack {
    /// Parse and check a pack.
    pub fn from_toml(src: &str) -> Result<Self, PackError> {
        let mut p: UsagePack = toml::from_str(src).map_err(|e| PackError(e.to_string()))?;
        let known: HashSet<&str> = ["dating", "gambling", "shopping", "auctions", "streaming-media"].into();
        for (vendor, table) in &p.categories {
            for (k, v) in table {
                if !known.contains(v.as_str()) {
                    return Err(PackError(format!("categories.{vendor}.{k:?}: unknown policy category {v:?}")));
                }
                p.category_index.insert(k.to_lowercase(), v.clone());
            }
        }
        for t in &p.rules.tethering_device_types {
            if DeviceType::parse(t).is_none() {
                return Err(PackError(format!("rules.tethering_device_types: unknown device type {t:?}")));
            }
        }
        if p.rules.home_country.len() != 2 {
            return Err(PackError("rules.home_country: give an ISO 3166-1 alpha-2 code".into()));
        }
        for prof in &p.profiles {
            let fields: &[&str] = match prof.feed {
                Feed::Carrier => &CARRIER_COLUMNS,
                Feed::Web => &WEB_COLUMNS,
            };
            for f in fields {
                if !prof.columns.contains_key(*f) {
                    return Err(PackError(format!("profiles {:?}: no column given for {f}", prof.name)));
                }
            }
            if let Some(fmt) = &prof.time_format {
                time::format_description::parse_borrowed::<2>(fmt)
                    .map_err(|e| PackError(format!("profiles {:?}: time_format: {e}", prof.name)))?;
            }
            if prof.timezone != "UTC" && prof.timezone != "Europe/London" {
                return Err(PackError(format!("profiles {:?}: timezone must be UTC or Europe/London", prof.name)));
            }
        }
        Ok(p)
    }

    /// The pack compiled into this build.
    pub fn shipped() -> &'static UsagePack {
        static PACK: OnceLock<UsagePack> = OnceLock::new();
        PACK.get_or_init(|| {
            // Compiled in and checked by `tests::the_shipped_pack_loads`: a failure is a build defect.
            #[allow(clippy::expect_used)]
            UsagePack::from_toml(USAGE_TOML)
                .expect("policy-pack/usage.toml is compiled in and checked by the unit tests")
        })
    }

    /// The policy category of a vendor category ("Streaming Media and Download" -> "streaming-media").
    pub fn category(&self, vendor_category: &str) -> Option<&str> {
        if let Some(c) = self.category_index.get(vendor_category) {
            return Some(c);
        }
        self.category_index.get(&vendor_category.trim().to_lowercase()).map(String::as_str)
    }

    /// A named profile.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }
}

// ---------------------------------------------------------------------------------------------
// Europe/London days

/// Days since 1970-01-01 of the Europe/London calendar date at `utc_us` (microseconds since the
/// epoch). UK summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October (Summer Time Order 2002).
pub fn london_day(utc_us: i64) -> i32 {
    const DAY_US: i64 = 86_400_000_000;
    let offset = if in_bst(utc_us) { 3_600_000_000 } else { 0 };
    (utc_us + offset).div_euclid(DAY_US) as i32
}

fn in_bst(utc_us: i64) -> bool {
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

/// The calendar date of a day number from [`london_day`].
pub fn day_date(day: i32) -> Date {
    Date::from_julian_day(day + 2_440_588).unwrap_or(Date::MIN)
}

/// The day number of a calendar date.
pub fn date_day(d: Date) -> i32 {
    d.to_julian_day() - 2_440_588
}

// ---------------------------------------------------------------------------------------------
// Feeds

/// The carrier billing columns, exactly and in this order.
pub const CARRIER_COLUMNS: [&str; 11] = [
    "record_id",
    "msisdn",
    "event",
    "direction",
    "start",
    "duration_s",
    "other_party",
    "bytes",
    "roaming_country",
    "tethered",
    "forwarded_to",
];

/// The web gateway columns, exactly and in this order.
pub const WEB_COLUMNS: [&str; 9] =
    ["record_id", "device", "user", "start", "domain", "category", "bytes", "network", "tethered"];

/// What a carrier record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Call,
    Sms,
    Mms,
    Data,
    Divert,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Sms => "sms",
            Self::Mms => "mms",
            Self::Data => "data",
            Self::Divert => "divert",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "call" | "voice" => Self::Call,
            "sms" | "text" => Self::Sms,
            "mms" => Self::Mms,
            "data" | "gprs" => Self::Data,
            "divert" | "diversion" | "forward" => Self::Divert,
            _ => return None,
        })
    }
}

/// One row of the carrier bill, checked. Its text fields are held inline when short (ids,
/// numbers, country codes), so reading a row does not allocate for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierRecord {
    pub line: u64,
    pub record_id: CompactString,
    /// The force SIM's number in E.164.
    pub msisdn: CompactString,
    pub event: Event,
    /// True for outgoing.
    pub outgoing: bool,
    pub start_us: i64,
    pub duration_s: i64,
    /// As the carrier reported it.
    pub other_party: CompactString,
    pub bytes: i64,
    /// ISO 3166-1 alpha-2, upper case.
    pub roaming_country: CompactString,
    pub tethered: bool,
    pub forwarded_to: CompactString,
}

/// One row of the web gateway log, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRecord {
    pub line: u64,
    pub record_id: CompactString,
    /// Asset tag or IMEI.
    pub device: CompactString,
    pub user: CompactString,
    pub start_us: i64,
    pub domain: CompactString,
    /// The vendor's category, as logged.
    pub category: CompactString,
    pub bytes: i64,
    /// True for Wi-Fi, false for cellular.
    pub wifi: bool,
    pub tethered: bool,
}

/// A row that was not imported: its line, its record id if it had one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub line: u64,
    pub record_id: Option<String>,
    pub reason: String,
}

/// Longest record id accepted, in bytes.
const MAX_ID: usize = 128;

enum TimeFmt {
    Rfc3339,
    Custom { items: Vec<time::format_description::OwnedFormatItem>, london: bool },
}

impl TimeFmt {
    fn from_profile(p: Option<&Profile>) -> Result<Self, Rejected> {
        match p.and_then(|p| p.time_format.as_ref().map(|f| (f, p.timezone == "Europe/London"))) {
            None => Ok(Self::Rfc3339),
            Some((f, london)) => {
                let item = time::format_description::parse_owned::<2>(f).map_err(|e| Rejected {
                    line: 0,
                    record_id: None,
                    reason: format!("profile time_format: {e}"),
                })?;
                Ok(Self::Custom { items: vec![item], london })
            }
        }
    }

    fn parse(&self, s: &str) -> Result<i64, String> {
        let s = s.trim();
        match self {
            Self::Rfc3339 => parse_rfc3339_us(s),
            Self::Custom { items, london } => {
                let t = PrimitiveDateTime::parse(s, &items[0])
                    .map_err(|e| format!("{s:?} does not match the profile's time format ({e})"))?;
                let utc_us = (t.assume_utc().unix_timestamp_nanos() / 1_000) as i64;
                if *london {
                    // Local wall time: subtract an hour when that instant falls in summer time.
                    let guess = utc_us - 3_600_000_000;
                    Ok(if in_bst(guess) { guess } else { utc_us })
                } else {
                    Ok(utc_us)
                }
            }
        }
    }
}

fn upper(s: &str) -> CompactString {
    let mut c = CompactString::from(s);
    c.as_mut_str().make_ascii_uppercase();
    c
}

fn lower(s: &str) -> CompactString {
    let mut c = CompactString::from(s);
    c.as_mut_str().make_ascii_lowercase();
    c
}

/// A byte count as people read it: "1.20 GiB (1,289,748,480 bytes)", or "512 bytes".
pub fn bytes_label(n: u64) -> String {
    let mut digits = String::new();
    for (i, c) in n.to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            digits.push(',');
        }
        digits.push(c);
    }
    let digits: String = digits.chars().rev().collect();
    let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match units.iter().find(|(_, size)| n >= *size) {
        Some((unit, size)) => format!("{:.2} {unit} ({digits} bytes)", n as f64 / *size as f64),
        None => format!("{digits} bytes"),
    }
}

/// RFC 3339 to microseconds since the epoch.
pub fn parse_rfc3339_us(s: &str) -> Result<i64, String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000) as i64)
        .map_err(|_| format!("{s:?} is not an RFC 3339 date-time (2026-11-28T09:15:00Z)"))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "" | "false" | "FALSE" | "False" | "0" | "no" | "n" | "N" | "No" => Some(false),
        "true" | "TRUE" | "True" | "1" | "yes" | "y" | "Y" | "Yes" => Some(true),
        _ => None,
    }
}

fn parse_count(field: &str, s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(0);
    }
    s.parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| format!("{field}: {s:?} is not a whole number of zero or more"))
}

/// A streaming CSV reader for one feed: checks the header (exactly the standard columns, or
/// those a profile names), then yields one checked record or one rejection per row. Memory does
/// not grow with the file.
pub struct FeedReader<R: Read> {
    rdr: csv::Reader<R>,
    idx: Vec<usize>,
    time: TimeFmt,
    row: csv::StringRecord,
    numbers: NumberPlan,
}

impl<R: Read> FeedReader<R> {
    /// Open a feed. `Err` (line 1) when the header is missing or wrong: then nothing is read.
    pub fn new(input: R, feed: Feed, profile: Option<&Profile>, numbers: &NumberPlan) -> Result<Self, Rejected> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
        let header = rdr
            .headers()
            .map_err(|e| Rejected { line: 1, record_id: None, reason: format!("cannot read the header: {e}") })?
            .clone();
        let want: &[&str] = match feed {
            Feed::Carrier => &CARRIER_COLUMNS,
            Feed::Web => &WEB_COLUMNS,
        };
        let idx = match profile {
            None => {
                let got: Vec<&str> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim()).collect();
                if got != want {
                    return Err(Rejected {
                        line: 1,
                        record_id: None,
                        reason: format!("the header must be exactly {:?}, found {:?}", want.join(","), got.join(",")),
                    });
                }
                (0..want.len()).collect()
            }
            Some(p) => {
                if p.feed != feed {
                    return Err(Rejected {
                        line: 1,
                        record_id: None,
                        reason: format!("profile {:?} is for the {} feed", p.name, p.feed.as_str()),
                    });
                }
                let mut idx = Vec::with_capacity(want.len());
                for f in want {
                    let col = p.columns.get(*f).map(String::as_str).unwrap_or(f);
                    let at = header.iter().position(|h| h.trim_start_matches('\u{feff}').trim() == col).ok_or_else(
                        || Rejected {
                            line: 1,
                            record_id: None,
                            reason: format!("profile {:?}: no column {col:?} (for {f}) in the header", p.name),
                        },
                    )?;
                    idx.push(at);
                }
                idx
            }
        };
        Ok(Self {
            rdr,
            idx,
            time: TimeFmt::from_profile(profile)?,
            row: csv::StringRecord::new(),
            numbers: numbers.clone(),
        })
    }

    /// Bytes read so far (for progress).
    pub fn position(&self) -> u64 {
        self.rdr.position().byte()
    }

    /// Read the next row: `None` at the end of the file.
    fn next_row(&mut self) -> Option<Result<u64, Rejected>> {
        match self.rdr.read_record(&mut self.row) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.row.position().map(|p| p.line()).unwrap_or(0);
                if self.row.len() < self.idx.iter().max().map(|m| m + 1).unwrap_or(0) {
                    let rid = self.row.get(self.idx[0]).map(str::to_string).filter(|s| !s.is_empty());
                    return Some(Err(Rejected {
                        line,
                        record_id: rid,
                        reason: format!("expected {} fields, found {}", self.idx.len(), self.row.len()),
                    }));
                }
                Some(Ok(line))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Some(Err(Rejected { line, record_id: None, reason: format!("unreadable row: {e}") }))
            }
        }
    }

    fn field(&self, i: usize) -> &str {
        self.row.get(self.idx[i]).unwrap_or("")
    }

    fn record_id(&self, line: u64) -> Result<CompactString, Rejected> {
        let id = self.field(0).trim();
        if id.is_empty() || id.len() > MAX_ID {
            return Err(Rejected {
                line,
                record_id: None,
                reason: format!("record_id: must be 1 to {MAX_ID} characters"),
            });
        }
        Ok(CompactString::from(id))
    }

    /// The next carrier record (the reader must have been opened for [`Feed::Carrier`]).
    pub fn next_carrier(&mut self) -> Option<Result<CarrierRecord, Rejected>> {
        let line = match self.next_row()? {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        Some(self.carrier(line))
    }

    fn carrier(&self, line: u64) -> Result<CarrierRecord, Rejected> {
        let record_id = self.record_id(line)?;
        let bad = |reason: String| Rejected { line, record_id: Some(record_id.to_string()), reason };
        let msisdn = match normalise(self.field(1)) {
            Some(n) => n.e164(),
            None => return Err(bad(format!("msisdn: {:?} is not a phone number", self.field(1)))),
        };
        let event = Event::parse(self.field(2))
            .ok_or_else(|| bad(format!("event: {:?} is not one of call, sms, mms, data, divert", self.field(2))))?;
        let outgoing = match self.field(3).trim().to_ascii_lowercase().as_str() {
            "out" | "outgoing" | "mo" => true,
            "in" | "incoming" | "mt" => false,
            "" if matches!(event, Event::Data | Event::Divert) => true,
            other => return Err(bad(format!("direction: {other:?} is not out or in"))),
        };
        let start_us = self.time.parse(self.field(4)).map_err(|m| bad(format!("start: {m}")))?;
        let duration_s = parse_count("duration_s", self.field(5)).map_err(bad)?;
        let other_party = CompactString::from(self.field(6).trim());
        if matches!(event, Event::Call | Event::Sms | Event::Mms) {
            if self.numbers.classify(&other_party) == NumberClass::Invalid {
                return Err(bad(format!("other_party: {other_party:?} is not a phone number or short code")));
            }
        } else if !other_party.is_empty() && normalise(&other_party).is_none() {
            return Err(bad(format!("other_party: {other_party:?} is not a phone number or short code")));
        }
        let bytes = parse_count("bytes", self.field(7)).map_err(bad)?;
        let rc = self.field(8).trim();
        if rc.len() != 2 || !rc.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad(format!("roaming_country: {rc:?} is not an ISO 3166-1 alpha-2 code such as GB")));
        }
        let tethered = parse_bool(self.field(9))
            .ok_or_else(|| bad(format!("tethered: {:?} is not true or false", self.field(9))))?;
        let forwarded_to = CompactString::from(self.field(10).trim());
        if event == Event::Divert && normalise(&forwarded_to).is_none() {
            return Err(bad(format!("forwarded_to: a divert needs the number calls went to, found {forwarded_to:?}")));
        }
        Ok(CarrierRecord {
            line,
            record_id,
            msisdn,
            event,
            outgoing,
            start_us,
            duration_s,
            other_party,
            bytes,
            roaming_country: upper(rc),
            tethered,
            forwarded_to,
        })
    }

    /// The next web gateway record (the reader must have been opened for [`Feed::Web`]).
    pub fn next_web(&mut self) -> Option<Result<WebRecord, Rejected>> {
        let line = match self.next_row()? {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        Some(self.web(line))
    }

    fn web(&self, line: u64) -> Result<WebRecord, Rejected> {
        let record_id = self.record_id(line)?;
        let bad = |reason: String| Rejected { line, record_id: Some(record_id.to_string()), reason };
        let device = self.field(1).trim();
        if device.is_empty() {
            return Err(bad("device: give the asset tag or IMEI".into()));
        }
        let user = self.field(2).trim();
        if !user.is_empty() && !user.contains('@') {
            return Err(bad(format!("user: {user:?} is not an email address")));
        }
        let start_us = self.time.parse(self.field(3)).map_err(|m| bad(format!("start: {m}")))?;
        let domain = self.field(4).trim();
        if domain.is_empty() || domain.contains(char::is_whitespace) {
            return Err(bad(format!("domain: {domain:?} is not a domain name")));
        }
        let bytes = parse_count("bytes", self.field(6)).map_err(bad)?;
        let wifi = match self.field(7).trim().to_ascii_lowercase().as_str() {
            "wifi" | "wi-fi" | "wlan" => true,
            "cellular" | "mobile" => false,
            other => return Err(bad(format!("network: {other:?} is not wifi or cellular"))),
        };
        let tethered = parse_bool(self.field(8))
            .ok_or_else(|| bad(format!("tethered: {:?} is not true or false", self.field(8))))?;
        Ok(WebRecord {
            line,
            record_id,
            device: CompactString::from(device),
            user: lower(user),
            start_us,
            domain: lower(domain),
            category: CompactString::from(self.field(5).trim()),
            bytes,
            wifi,
            tethered,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The register as the rules see it

/// One allocation: who held a device from when to when (microseconds; `to` open while current).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub person: Uuid,
    pub from_us: i64,
    pub to_us: Option<i64>,
}

/// A registered device with its allocation history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegDevice {
    pub id: Uuid,
    pub asset_tag: String,
    pub device_type: DeviceType,
    pub imei: Option<String>,
    /// E.164.
    pub phone_number: Option<String>,
    pub mdm_id: Option<String>,
    pub holdings: Vec<Holding>,
}

impl RegDevice {
    /// Who held the device at `at_us`, by its allocation history.
    pub fn holder_at(&self, at_us: i64) -> Option<Uuid> {
        self.holdings.iter().find(|h| h.from_us <= at_us && h.to_us.is_none_or(|t| at_us < t)).map(|h| h.person)
    }
}

/// An approved overseas-use window (WP034 4.2): silences usage.roaming for that person, those
/// countries and those Europe/London dates (inclusive), on the listed devices (all when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverseasWindow {
    pub id: Uuid,
    pub person: Uuid,
    pub devices: Vec<Uuid>,
    pub countries: Vec<String>,
    pub from: Date,
    pub to: Date,
}

/// A recorded policing-purpose exception for streaming (WP034 4.6), in force until `expires_us`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingException {
    pub person: Uuid,
    pub from_us: i64,
    pub expires_us: i64,
}

/// The register and approvals, indexed for per-record look-ups.
#[derive(Debug, Default)]
pub struct Register {
    pub devices: Vec<RegDevice>,
    by_number: HashMap<String, u32>,
    by_tag: HashMap<String, u32>,
    by_imei: HashMap<String, u32>,
    force_numbers: HashSet<String>,
    personal: HashMap<String, Vec<Uuid>>,
    overseas: HashMap<Uuid, Vec<(OverseasWindow, i32, i32)>>,
    streaming: HashMap<Uuid, Vec<StreamingException>>,
}

impl Register {
    /// Index devices, personal numbers (person, E.164), approved overseas windows and streaming
    /// exceptions.
    pub fn new(
        devices: Vec<RegDevice>,
        personal_phones: Vec<(Uuid, String)>,
        overseas: Vec<OverseasWindow>,
        streaming: Vec<StreamingException>,
    ) -> Self {
        let mut r = Register { devices, ..Default::default() };
        for (i, d) in r.devices.iter().enumerate() {
            let i = i as u32;
            r.by_tag.insert(d.asset_tag.to_ascii_lowercase(), i);
            if let Some(imei) = &d.imei {
                r.by_imei.insert(imei.clone(), i);
            }
            if let Some(n) = d.phone_number.as_deref().and_then(normalise) {
                r.by_number.insert(n.e164().into_string(), i);
                r.force_numbers.insert(n.e164().into_string());
            }
        }
        for (p, n) in personal_phones {
            if let Some(n) = normalise(&n) {
                r.personal.entry(n.e164().into_string()).or_default().push(p);
            }
        }
        for w in overseas {
            let (a, b) = (date_day(w.from), date_day(w.to));
            r.overseas.entry(w.person).or_default().push((w, a, b));
        }
        for s in streaming {
            r.streaming.entry(s.person).or_default().push(s);
        }
        r
    }

    /// The device with this SIM number (E.164).
    pub fn by_msisdn(&self, e164: &str) -> Option<u32> {
        self.by_number.get(e164).copied()
    }

    /// The device with this asset tag or IMEI.
    pub fn by_device(&self, tag_or_imei: &str) -> Option<u32> {
        self.by_imei.get(tag_or_imei).or_else(|| self.by_tag.get(&tag_or_imei.to_ascii_lowercase())).copied()
    }

    fn overseas_ok(&self, person: Uuid, device: Uuid, country: &str, day: i32) -> bool {
        self.overseas.get(&person).is_some_and(|ws| {
            ws.iter().any(|(w, a, b)| {
                *a <= day
                    && day <= *b
                    && w.countries.iter().any(|c| c.eq_ignore_ascii_case(country))
                    && (w.devices.is_empty() || w.devices.contains(&device))
            })
        })
    }

    fn streaming_ok(&self, person: Uuid, at_us: i64) -> bool {
        self.streaming.get(&person).is_some_and(|es| es.iter().any(|e| e.from_us <= at_us && at_us < e.expires_us))
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Who a record is attributed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    /// Index into [`Register::devices`].
    pub device: Option<u32>,
    pub person: Option<Uuid>,
    /// Europe/London day number.
    pub day: i32,
}

/// One rule broken by one record, with what the reviewer needs to see ("+449001234567", "FR").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static Rule,
    pub what: String,
}

/// The rules applied to one record: the attribution and the rules it broke. `cellular_bytes`
/// is set for non-tethered carrier data, whose rule needs the device's day total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub attribution: Attribution,
    pub hits: Vec<Hit>,
    pub cellular_bytes: Option<i64>,
}

/// Applies the pack's rules to records against a register.
pub struct Evaluator<'a> {
    pub pack: &'a UsagePack,
    pub register: &'a Register,
    tether_types: Vec<DeviceType>,
}

impl<'a> Evaluator<'a> {
    pub fn new(pack: &'a UsagePack, register: &'a Register) -> Self {
        let tether_types = pack.rules.tethering_device_types.iter().filter_map(|t| DeviceType::parse(t)).collect();
        Self { pack, register, tether_types }
    }

    fn attribute(&self, device: Option<u32>, at_us: i64) -> Attribution {
        let person = device.and_then(|d| self.register.devices[d as usize].holder_at(at_us));
        Attribution { device, person, day: london_day(at_us) }
    }

    fn is_force_number(&self, e164: &str) -> bool {
        self.register.force_numbers.contains(e164)
            || self.pack.rules.force_number_prefixes.iter().any(|p| e164.starts_with(p.as_str()))
    }

    /// Apply the carrier rules to one record.
    pub fn carrier(&self, r: &CarrierRecord) -> Verdict {
        let device = self.register.by_msisdn(&r.msisdn);
        let attribution = self.attribute(device, r.start_us);
        let mut v = Verdict { attribution, hits: Vec::new(), cellular_bytes: None };
        let plan = &self.pack.numbers;
        let party = if r.event == Event::Divert { &r.forwarded_to } else { &r.other_party };
        let class = if party.is_empty() { NumberClass::Uk } else { plan.classify(party) };
        // Emergency and public-service numbers never raise anything.
        if class == NumberClass::Emergency {
            return v;
        }
        let (Some(d), Some(person)) = (device, attribution.person) else {
            let why = if device.is_none() { "no device has this number" } else { "the device had no holder then" };
            v.hits.push(Hit { rule: &UNATTRIBUTED, what: format!("{} ({why})", r.msisdn) });
            return v;
        };
        let dev = &self.register.devices[d as usize];
        match r.event {
            Event::Call | Event::Sms if r.outgoing => {
                if class == NumberClass::UkPremium {
                    v.hits.push(Hit { rule: &PREMIUM_RATE, what: r.other_party.to_string() });
                } else if class.is_overseas() {
                    v.hits.push(Hit { rule: &INTERNATIONAL, what: r.other_party.to_string() });
                }
            }
            Event::Mms if r.outgoing => v.hits.push(Hit { rule: &MMS, what: r.other_party.to_string() }),
            Event::Data => {
                if r.tethered {
                    if !self.tether_types.contains(&dev.device_type) {
                        v.hits.push(Hit { rule: &TETHERING, what: format!("{} tethered", dev.device_type.as_str()) });
                    }
                } else {
                    v.cellular_bytes = Some(r.bytes);
                }
            }
            Event::Divert => {
                let to = normalise(&r.forwarded_to).map(|n| n.e164()).unwrap_or_default();
                let personal = self.register.personal.get(to.as_str()).is_some_and(|ps| ps.contains(&person));
                if personal {
                    v.hits.push(Hit {
                        rule: &CALL_DIVERSION,
                        what: format!("{} (the holder's personal number)", r.forwarded_to),
                    });
                } else if !self.is_force_number(&to) {
                    v.hits.push(Hit { rule: &CALL_DIVERSION, what: r.forwarded_to.to_string() });
                }
            }
            _ => {}
        }
        if !r.roaming_country.eq_ignore_ascii_case(&self.pack.rules.home_country)
            && !self.register.overseas_ok(person, dev.id, &r.roaming_country, attribution.day)
        {
            v.hits.push(Hit { rule: &ROAMING, what: r.roaming_country.to_string() });
        }
        v
    }

    /// Apply the web gateway rules to one record.
    pub fn web(&self, r: &WebRecord) -> Verdict {
        let device = self.register.by_device(&r.device);
        let attribution = self.attribute(device, r.start_us);
        let mut v = Verdict { attribution, hits: Vec::new(), cellular_bytes: None };
        let (Some(d), Some(person)) = (device, attribution.person) else {
            let why = if device.is_none() { "no device has this tag or IMEI" } else { "the device had no holder then" };
            v.hits.push(Hit { rule: &UNATTRIBUTED, what: format!("{} ({why})", r.device) });
            return v;
        };
        let dev = &self.register.devices[d as usize];
        if let Some(cat) = self.pack.category(&r.category) {
            if self.pack.rules.banned_categories.iter().any(|c| c == cat) {
                v.hits.push(Hit { rule: &BANNED_SITE, what: format!("{} ({cat})", r.domain) });
            }
            if self.pack.rules.streaming_categories.iter().any(|c| c == cat)
                && !self.register.streaming_ok(person, r.start_us)
            {
                v.hits.push(Hit { rule: &STREAMING, what: format!("{} ({cat})", r.domain) });
            }
        }
        if r.tethered && !self.tether_types.contains(&dev.device_type) {
            v.hits.push(Hit { rule: &TETHERING, what: format!("{} tethered", dev.device_type.as_str()) });
        }
        v
    }
}

/// Per device and day totals of non-tethered carrier data for the dry run (`custodian usage
/// check`). Memory holds one total per device-day; the record behind each byte count goes to a
/// spill file the caller provides (an anonymous temporary file, or memory in tests) as it is read,
/// and is read back at the end only for the device-days over the limit. So memory does not grow
/// with the file. Imports total the stored records instead.
pub struct CellularTally<S: Read + Write + Seek> {
    days: HashMap<(u32, i32), (i64, Option<Uuid>)>,
    spill: std::io::BufWriter<S>,
    start: u64,
}

/// A device-day's total, holder and record ids.
type DayOver = (i64, Option<Uuid>, Vec<String>);

/// A device-day over the limit: (device index, day, total bytes, person, record ids).
pub type DeviceDayOver = (u32, i32, i64, Option<Uuid>, Vec<String>);

impl<S: Read + Write + Seek> CellularTally<S> {
    /// A tally that writes its records from the spill's current position on.
    pub fn new(mut spill: S) -> std::io::Result<Self> {
        let start = spill.stream_position()?;
        Ok(Self { days: HashMap::new(), spill: std::io::BufWriter::with_capacity(1 << 16, spill), start })
    }

    /// Count one record: the device's day total, and (device, day, record id) in the spill.
    pub fn add(&mut self, a: Attribution, bytes: i64, record_id: &str) -> std::io::Result<()> {
        let Some(d) = a.device else { return Ok(()) };
        let e = self.days.entry((d, a.day)).or_insert((0, a.person));
        e.0 += bytes;
        let id = record_id.as_bytes();
        let len = u8::try_from(id.len()).map_err(|_| std::io::Error::other("a record id longer than 255 bytes"))?;
        let mut head = [0u8; 9];
        head[..4].copy_from_slice(&d.to_le_bytes());
        head[4..8].copy_from_slice(&a.day.to_le_bytes());
        head[8] = len;
        self.spill.write_all(&head)?;
        self.spill.write_all(id)
    }

    /// Device-days over the limit: (device index, day, total bytes, person, record ids in the
    /// order read), by day and device.
    pub fn over(self, limit: u64) -> std::io::Result<Vec<DeviceDayOver>> {
        let mut over: HashMap<(u32, i32), DayOver> = self
            .days
            .into_iter()
            .filter(|(_, (t, _))| u64::try_from(*t).is_ok_and(|t| t > limit))
            .map(|(k, (t, p))| (k, (t, p, Vec::new())))
            .collect();
        if !over.is_empty() {
            let mut f = self.spill.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            f.seek(std::io::SeekFrom::Start(self.start))?;
            let mut r = std::io::BufReader::with_capacity(1 << 16, f);
            let (mut head, mut id) = ([0u8; 9], [0u8; 255]);
            loop {
                match r.read_exact(&mut head) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
                let key = (
                    u32::from_le_bytes([head[0], head[1], head[2], head[3]]),
                    i32::from_le_bytes([head[4], head[5], head[6], head[7]]),
                );
                let id = &mut id[..usize::from(head[8])];
                r.read_exact(id)?;
                if let Some(e) = over.get_mut(&key) {
                    e.2.push(String::from_utf8_lossy(id).into_owned());
                }
            }
        }
        let mut v: Vec<_> = over.into_iter().map(|((d, day), (t, p, ids))| (d, day, t, p, ids)).collect();
        v.sort_by_key(|x| (x.1, x.0));
        Ok(v)
    }
}

/// One breach found by a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckHit<'a> {
    pub record_id: &'a str,
    pub rule: &'static Rule,
    pub person: Option<Uuid>,
    pub device: Option<Uuid>,
    pub day: i32,
}

/// What a dry run read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    pub rows: u64,
    pub breaches: u64,
    pub rejected: Vec<Rejected>,
}

/// Evaluate a whole file against the register and approvals without storing anything (the dry
/// run of `custodian usage check`). `emit` is called once per record and rule broken, in file
/// order; usage.cellular_data follows at the end, once per record of each device-day over the
/// limit. `spill` holds the records behind the data totals until then (see [`CellularTally`]):
/// give it an anonymous temporary file. `Err` only when the header is wrong or the spill fails.
pub fn check<R: Read + Send, S: Read + Write + Seek>(
    feed: Feed,
    input: R,
    profile: Option<&Profile>,
    pack: &UsagePack,
    register: &Register,
    spill: S,
    mut emit: impl FnMut(CheckHit<'_>),
) -> Result<CheckSummary, Rejected> {
    /// Records handed from the reading thread to the judging one at a time.
    const CHUNK: usize = 4096;
    enum Parsed {
        Carrier(CarrierRecord),
        Web(WebRecord),
    }
    let mut fr = FeedReader::new(input, feed, profile, &pack.numbers)?;
    let ev = Evaluator::new(pack, register);
    let spill_failed =
        |e: std::io::Error| Rejected { line: 0, record_id: None, reason: format!("the spill file: {e}") };
    let mut tally = CellularTally::new(spill).map_err(spill_failed)?;
    let mut spill_error = None;
    let mut sum = CheckSummary { rows: 0, breaches: 0, rejected: Vec::new() };
    let device_id = |d: Option<u32>| d.map(|i| register.devices[i as usize].id);
    // One thread reads and checks the rows (the CSV and every field), this one applies the rules
    // in file order: the two halves of the work take about the same time.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Result<Parsed, Rejected>>>(4);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            loop {
                let item = match feed {
                    Feed::Carrier => fr.next_carrier().map(|r| r.map(Parsed::Carrier)),
                    Feed::Web => fr.next_web().map(|r| r.map(Parsed::Web)),
                };
                let Some(item) = item else { break };
                chunk.push(item);
                if chunk.len() == CHUNK && tx.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err() {
                    return;
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(chunk);
            }
        });
        for item in rx.into_iter().flatten() {
            sum.rows += 1;
            let (rid, v) = match item {
                Err(e) => {
                    sum.rejected.push(e);
                    continue;
                }
                Ok(Parsed::Carrier(r)) => {
                    let v = ev.carrier(&r);
                    (r.record_id, v)
                }
                Ok(Parsed::Web(r)) => {
                    let v = ev.web(&r);
                    (r.record_id, v)
                }
            };
            for h in &v.hits {
                sum.breaches += 1;
                emit(CheckHit {
                    record_id: &rid,
                    rule: h.rule,
                    person: v.attribution.person,
                    device: device_id(v.attribution.device),
                    day: v.attribution.day,
                });
            }
            if let Some(b) = v.cellular_bytes
                && let Err(e) = tally.add(v.attribution, b, &rid)
            {
                spill_error = Some(e);
                break;
            }
        }
    });
    if let Some(e) = spill_error {
        return Err(spill_failed(e));
    }
    for (d, day, _total, person, ids) in tally.over(pack.rules.cellular_data_daily_bytes).map_err(spill_failed)? {
        for rid in &ids {
            sum.breaches += 1;
            emit(CheckHit { record_id: rid, rule: &CELLULAR_DATA, person, device: device_id(Some(d)), day });
        }
    }
    Ok(sum)
}

/// The key that groups one person's (or, unattributed, one device's) breaches of one rule on one
/// Europe/London day into a single finding.
pub fn finding_key(rule: &Rule, person: Option<Uuid>, subject: &str, day: i32) -> String {
    match person {
        Some(p) => format!("{}:{p}:{}", rule.id, day_date(day)),
        None => format!("{}:{subject}:{}", rule.id, day_date(day)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn us(t: OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1000) as i64
    }

    #[test]
    fn the_shipped_pack_loads_and_every_rule_cites_a_clause() {
        let p = UsagePack::shipped();
        assert_eq!(p.category("Streaming Media and Download"), Some("streaming-media"));
        assert_eq!(p.category("internet radio and tv"), Some("streaming-media"));
        assert_eq!(p.category("Auction"), Some("auctions"));
        assert_eq!(p.category("auctions"), Some("auctions"));
        assert_eq!(p.category("News and Media"), None);
        for r in RULES {
            assert!(crate::policy::clause(r.clause).is_some(), "{} cites {}", r.id, r.clause);
        }
        assert!(
            UsagePack::from_toml(&USAGE_TOML.replace("'gambling' = 'gambling'", "'gambling' = 'betting'")).is_err()
        );
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

    const HEADER: &str =
        "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

    fn read_carrier(body: &str) -> (Vec<CarrierRecord>, Vec<Rejected>) {
        let pack = UsagePack::shipped();
        let text = format!("{HEADER}{body}");
        let mut r = FeedReader::new(text.as_bytes(), Feed::Carrier, None, &pack.numbers).unwrap();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        while let Some(x) = r.next_carrier() {
            match x {
                Ok(x) => ok.push(x),
                Err(e) => bad.push(e),
            }
        }
        (ok, bad)
    }

    #[test]
    fn the_carrier_header_must_be_exact() {
        let pack = UsagePack::shipped();
        let wrong = "record_id,msisdn,event,start,direction,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";
        let e = FeedReader::new(wrong.as_bytes(), Feed::Carrier, None, &pack.numbers).err().unwrap();
        assert_eq!(e.line, 1);
        assert!(e.reason.contains("header must be exactly"), "{}", e.reason);
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason_and_good_rows_read() {
        let (ok, bad) = read_carrier(
            "r1,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,\n\
             r2,+447700900001,fax,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,\n\
             r3,+447700900001,call,out,yesterday,60,09001234567,0,GB,false,\n\
             r4,+447700900001,data,,2026-11-02T10:00:00Z,,,1000,GBR,false,\n\
             r5,+447700900001,divert,out,2026-11-02T10:00:00Z,,,,GB,false,\n\
             r6,+447700900001,call\n\
             r7,+447700900001,sms,in,2026-11-02T10:00:00+01:00,,+33142685300,,fr,,\n",
        );
        assert_eq!(ok.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>(), ["r1", "r7"]);
        assert_eq!(ok[1].roaming_country, "FR");
        let got: Vec<(u64, Option<&str>, &str)> =
            bad.iter().map(|b| (b.line, b.record_id.as_deref(), b.reason.split(':').next().unwrap_or(""))).collect();
        assert_eq!(
            got,
            [
                (3, Some("r2"), "event"),
                (4, Some("r3"), "start"),
                (5, Some("r4"), "roaming_country"),
                (6, Some("r5"), "forwarded_to"),
                (7, Some("r6"), "expected 11 fields, found 3"),
            ]
        );
    }

    #[test]
    fn a_profile_reads_another_carriers_layout() {
        let pack = UsagePack::shipped();
        let p = pack.profile("example-carrier-b").unwrap();
        let csv = "Mobile Number,CDR Ref,Type,Direction,Date Time,Duration (s),Dialled Number,Data (bytes),Country,Hotspot,Diverted To\n\
                   07700 900001,B-1,Voice,Out,01/07/2026 10:00:00,30,118118,,GB,N,\n";
        let mut r = FeedReader::new(csv.as_bytes(), Feed::Carrier, Some(p), &pack.numbers).unwrap();
        let rec = r.next_carrier().unwrap().unwrap();
        assert_eq!(rec.record_id, "B-1");
        assert_eq!(rec.msisdn, "+447700900001");
        assert_eq!(rec.event, Event::Call);
        // 10:00 in London in July is 09:00 UTC.
        assert_eq!(rec.start_us, us(datetime!(2026-07-01 09:00 UTC)));
        assert!(r.next_carrier().is_none());
    }

    fn register() -> (Register, Uuid, Uuid) {
        let alice = Uuid::now_v7();
        let bob = Uuid::now_v7();
        let t0 = us(datetime!(2026-01-01 00:00 UTC));
        let handover = us(datetime!(2026-11-02 12:00 UTC));
        let phone = RegDevice {
            id: Uuid::now_v7(),
            asset_tag: "PH-1".into(),
            device_type: DeviceType::Phone,
            imei: Some("356938035643809".into()),
            phone_number: Some("+447700900001".into()),
            mdm_id: None,
            holdings: vec![
                Holding { person: alice, from_us: t0, to_us: Some(handover) },
                Holding { person: bob, from_us: handover, to_us: None },
            ],
        };
        let tablet = RegDevice {
            id: Uuid::now_v7(),
            asset_tag: "TB-1".into(),
            device_type: DeviceType::Tablet,
            imei: None,
            phone_number: Some("+447700900002".into()),
            mdm_id: None,
            holdings: vec![Holding { person: alice, from_us: t0, to_us: None }],
        };
        let pid = phone.id;
        let windows = vec![OverseasWindow {
            id: Uuid::now_v7(),
            person: alice,
            devices: vec![pid],
            countries: vec!["FR".into()],
            from: date!(2026 - 11 - 01),
            to: date!(2026 - 11 - 02),
        }];
        let streaming =
            vec![StreamingException { person: bob, from_us: t0, expires_us: us(datetime!(2026-12-01 00:00 UTC)) }];
        (Register::new(vec![phone, tablet], vec![(alice, "07700 900999".into())], windows, streaming), alice, bob)
    }

    fn hits(v: &Verdict) -> Vec<&'static str> {
        v.hits.iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn carrier_rules_attribute_to_the_holder_at_that_instant() {
        let (reg, alice, bob) = register();
        let ev = Evaluator::new(UsagePack::shipped(), &reg);
        let (rows, bad) = read_carrier(
            "a,+447700900001,call,out,2026-11-02T11:59:59Z,60,+44 906 123 4567,,GB,false,\n\
             b,+447700900001,call,out,2026-11-02T12:00:00Z,60,0044 871 234 5678,,GB,false,\n\
             c,+447700900001,call,out,2026-11-02T12:00:00Z,60,0845 123 4567,,GB,false,\n\
             d,+447700900001,call,out,2026-11-02T12:00:00Z,60,+353 1 234 5678,,GB,false,\n\
             e,+447700900001,sms,out,2026-11-02T12:00:00Z,,01534 123456,,GB,false,\n\
             f,+447700900001,call,in,2026-11-02T12:00:00Z,60,+353 1 234 5678,,GB,false,\n\
             g,+447700900001,call,out,2026-11-02T12:00:00Z,60,112,,ES,false,\n\
             h,+447700900001,mms,out,2026-11-02T12:00:00Z,,07700900123,,GB,false,\n\
             i,+447700900001,data,,2026-11-02T10:00:00Z,,,5000,FR,false,\n\
             j,+447700900001,data,,2026-11-02T13:00:00Z,,,5000,FR,false,\n\
             k,+447700900001,data,,2026-11-03T10:00:00Z,,,5000,FR,false,\n\
             l,+447700900002,data,,2026-11-02T10:00:00Z,,,5000,GB,true,\n\
             m,+447700900001,data,,2026-11-02T13:00:00Z,,,5000,GB,true,\n\
             n,+447700900009,call,out,2026-11-02T13:00:00Z,60,0121 496 0000,,GB,false,\n\
             o,+447700900001,divert,,2026-11-01T13:00:00Z,,,,GB,false,07700900999\n\
             p,+447700900001,divert,,2026-11-02T13:00:00Z,,,,GB,false,07700900002\n\
             q,+447700900001,divert,,2026-11-02T13:00:00Z,,,,GB,false,01926 415000\n\
             r,+447700900001,divert,,2026-11-02T13:00:00Z,,,,GB,false,07700 900555\n\
             s,+447700900001,call,out,2026-11-02T13:00:00Z,60,101,,GB,false,\n",
        );
        assert!(bad.is_empty(), "{bad:?}");
        let v: Vec<Verdict> = rows.iter().map(|r| ev.carrier(r)).collect();
        let by = |id: &str| &v[rows.iter().position(|r| r.record_id == id).unwrap()];
        assert_eq!(hits(by("a")), ["usage.premium_rate"]);
        assert_eq!(by("a").attribution.person, Some(alice));
        assert_eq!(hits(by("b")), ["usage.premium_rate"]);
        assert_eq!(by("b").attribution.person, Some(bob));
        assert!(hits(by("c")).is_empty());
        assert_eq!(hits(by("d")), ["usage.international"]);
        assert_eq!(hits(by("e")), ["usage.international"], "Jersey is overseas for 4.2");
        assert!(hits(by("f")).is_empty(), "incoming calls are not the holder's choice");
        assert!(hits(by("g")).is_empty(), "112 never raises anything, even abroad");
        assert_eq!(hits(by("h")), ["usage.mms"]);
        // Alice's approved window covers France on 1-2 November on the phone; after 12:00 the
        // phone is Bob's, who has no window; 3 November is outside Alice's window.
        assert!(hits(by("i")).is_empty());
        assert_eq!(by("i").cellular_bytes, Some(5000));
        assert_eq!(hits(by("j")), ["usage.roaming"]);
        assert_eq!(hits(by("k")), ["usage.roaming"]);
        assert_eq!(hits(by("l")), ["usage.tethering"], "tablets may not tether");
        assert!(hits(by("m")).is_empty(), "phones may tether");
        assert_eq!(by("m").cellular_bytes, None);
        assert_eq!(hits(by("n")), ["usage.unattributed"]);
        assert_eq!(by("n").attribution.device, None);
        assert_eq!(hits(by("o")), ["usage.call_diversion"], "Alice's declared personal number");
        assert!(hits(by("p")).is_empty(), "another force SIM");
        assert!(hits(by("q")).is_empty(), "a configured force range");
        assert_eq!(hits(by("r")), ["usage.call_diversion"]);
        assert!(hits(by("s")).is_empty());
    }

    #[test]
    fn web_rules_map_vendor_categories_and_honour_exceptions() {
        let (reg, _alice, _bob) = register();
        let pack = UsagePack::shipped();
        let ev = Evaluator::new(pack, &reg);
        let csv = "record_id,device,user,start,domain,category,bytes,network,tethered\n\
                   w1,PH-1,a@force.example,2026-11-02T10:00:00Z,bet.example,Gambling,10,cellular,false\n\
                   w2,356938035643809,a@force.example,2026-11-02T10:00:00Z,tv.example,Streaming Media and Download,10,wifi,false\n\
                   w3,PH-1,b@force.example,2026-11-02T13:00:00Z,tv.example,streaming-media,10,wifi,false\n\
                   w4,TB-1,a@force.example,2026-11-02T13:00:00Z,news.example,News and Media,10,cellular,true\n\
                   w5,XX-9,a@force.example,2026-11-02T13:00:00Z,news.example,News and Media,10,wifi,false\n\
                   w6,PH-1,a@force.example,2026-11-02T13:00:00Z,shop.example,shopping,10,satellite,false\n";
        let mut r = FeedReader::new(csv.as_bytes(), Feed::Web, None, &pack.numbers).unwrap();
        let mut got = Vec::new();
        while let Some(x) = r.next_web() {
            match x {
                Ok(rec) => got.push((rec.record_id.to_string(), hits(&ev.web(&rec)))),
                Err(e) => got.push((format!("line {}", e.line), vec!["rejected"])),
            }
        }
        assert_eq!(
            got,
            [
                ("w1".to_string(), vec!["usage.banned_site"]),
                ("w2".to_string(), vec!["usage.streaming"]),
                ("w3".to_string(), vec![]),
                ("w4".to_string(), vec!["usage.tethering"]),
                ("w5".to_string(), vec!["usage.unattributed"]),
                ("line 7".to_string(), vec!["rejected"]),
            ]
        );
    }

    #[test]
    fn byte_counts_read_as_people_read_them() {
        assert_eq!(bytes_label(0), "0 bytes");
        assert_eq!(bytes_label(1023), "1,023 bytes");
        assert_eq!(bytes_label(2 << 20), "2.00 MiB (2,097,152 bytes)");
        assert_eq!(bytes_label(1_289_748_480), "1.20 GiB (1,289,748,480 bytes)");
    }

    #[test]
    fn cellular_data_is_totalled_per_device_and_london_day() {
        // The spill starts after what the handle already holds.
        let mut spill = std::io::Cursor::new(b"earlier".to_vec());
        spill.set_position(7);
        let mut t = CellularTally::new(spill).unwrap();
        let a = Attribution { device: Some(0), person: None, day: 100 };
        t.add(a, 600 << 20, "x").unwrap();
        t.add(Attribution { device: Some(1), ..a }, 900 << 20, "other device").unwrap();
        t.add(a, 600 << 20, &"y".repeat(MAX_ID)).unwrap();
        t.add(Attribution { day: 101, ..a }, 600 << 20, "z").unwrap();
        t.add(Attribution { device: None, ..a }, 900 << 20, "no device").unwrap();
        let over = t.over(1 << 30).unwrap();
        assert_eq!(over.len(), 1);
        assert_eq!((over[0].0, over[0].1, over[0].2), (0, 100, 1200 << 20));
        assert_eq!(over[0].4, ["x".to_string(), "y".repeat(MAX_ID)]);
    }
}
