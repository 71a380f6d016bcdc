//! The carrier billing and web gateway feeds and their streaming parsers.

use std::io::Read;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::numbers::{Normalised, e164, normalise};
use crate::usage::days::in_bst;
use crate::usage::{Feed, Profile};

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

crate::str_enum! {
    parse: own;
    /// What a carrier record is.
    pub enum Event {
        Call = "call",
        Sms = "sms",
        Mms = "mms",
        Data = "data",
        Divert = "divert",
    }
}

impl Event {
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
    /// The number the rules judge (`forwarded_to` for a divert, `other_party` otherwise),
    /// normalised once by the reader: `None` when it is empty. See [`CarrierRecord::judged_number`].
    pub party_number: Option<Normalised>,
}

impl CarrierRecord {
    /// The number the rules judge for this event, as written, and `normalise` of it (`None` when
    /// it is empty or not a number), for records built other than by [`FeedReader`].
    pub fn judged_number(event: Event, other_party: &str, forwarded_to: &str) -> Option<Normalised> {
        let raw = if event == Event::Divert { forwarded_to } else { other_party };
        if raw.is_empty() { None } else { normalise(raw) }
    }
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
pub(super) const MAX_ID: usize = 128;
/// Longest value accepted in any other field, in bytes: numbers, device tags and IMEIs, user
/// names, categories, countries.
pub const MAX_FIELD: usize = 256;
/// Longest web `domain` accepted, in bytes: gateways log a host name (at most 253) or a URL in
/// its place, and URLs longer than 2,048 are refused by most browsers and servers.
pub const MAX_HOST: usize = 2048;

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
    /// The header's field count: every row must have exactly as many.
    width: usize,
    /// The standard names of the fields read (for messages).
    names: &'static [&'static str],
    time: TimeFmt,
    row: csv::StringRecord,
}

impl<R: Read> FeedReader<R> {
    /// Open a feed. `Err` (line 1) when the header is missing or wrong: then nothing is read.
    pub fn new(input: R, feed: Feed, profile: Option<&Profile>) -> Result<Self, Rejected> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
        let header = rdr
            .headers()
            .map_err(|e| Rejected { line: 1, record_id: None, reason: format!("cannot read the header: {e}") })?
            .clone();
        let want: &'static [&'static str] = match feed {
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
            width: header.len(),
            names: want,
            time: TimeFmt::from_profile(profile)?,
            row: csv::StringRecord::new(),
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
                // A row with fields missing or extra is refused: extra fields mean the columns
                // are not what the header says (an unquoted comma, a joined line).
                if self.row.len() != self.width {
                    let rid = self
                        .row
                        .get(self.idx[0])
                        .filter(|s| !s.is_empty() && s.len() <= MAX_ID && crate::validate::unsafe_char(s).is_none())
                        .map(str::to_string);
                    return Some(Err(Rejected {
                        line,
                        record_id: rid,
                        reason: format!("expected {} fields, found {}", self.width, self.row.len()),
                    }));
                }
                if let Err(e) = self.check_fields(line) {
                    return Some(Err(e));
                }
                Some(Ok(line))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Some(Err(Rejected { line, record_id: None, reason: format!("unreadable row: {e}") }))
            }
        }
    }

    /// Every field read: no control characters (NUL, CR or LF inside a quoted field, tab, other
    /// C0 and C1), no bidirectional overrides or isolates, and at most [`MAX_FIELD`] bytes
    /// ([`MAX_ID`] for the record id, [`MAX_HOST`] for a web domain).
    fn check_fields(&self, line: u64) -> Result<(), Rejected> {
        for (i, name) in self.names.iter().enumerate() {
            let v = self.field(i);
            let max = match *name {
                "record_id" => MAX_ID,
                "domain" => MAX_HOST,
                _ => MAX_FIELD,
            };
            let problem = if v.len() > max {
                Some(format!("must be at most {max} bytes, found {}", v.len()))
            } else {
                crate::validate::unsafe_char(v).map(crate::validate::unsafe_char_message)
            };
            if let Some(p) = problem {
                let rid = self.field(0).trim();
                let record_id =
                    (i != 0 && !rid.is_empty() && rid.len() <= MAX_ID && crate::validate::unsafe_char(rid).is_none())
                        .then(|| rid.to_string());
                return Err(Rejected { line, record_id, reason: format!("{name}: {p}") });
            }
        }
        Ok(())
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
        let msisdn = match e164(self.field(1)) {
            Some(n) => n,
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
        // Each number is normalised once here; the rules reuse it (`party_number`). A call, text
        // or MMS needs a number (the empty one is not); other events may leave it empty.
        let other_number = if other_party.is_empty() { None } else { normalise(&other_party) };
        if other_number.is_none() && (!other_party.is_empty() || matches!(event, Event::Call | Event::Sms | Event::Mms))
        {
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
        let party_number = if event == Event::Divert {
            match normalise(&forwarded_to) {
                None => {
                    return Err(bad(format!(
                        "forwarded_to: a divert needs the number calls went to, found {forwarded_to:?}"
                    )));
                }
                n => n,
            }
        } else {
            other_number
        };
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
            party_number,
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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;
    use crate::usage::days::tests::us;
    use crate::usage::{Feed, UsagePack};
    use time::macros::datetime;
    const HEADER: &str =
        "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

    pub(in crate::usage) fn read_carrier(body: &str) -> (Vec<CarrierRecord>, Vec<Rejected>) {
        let text = format!("{HEADER}{body}");
        let mut r = FeedReader::new(text.as_bytes(), Feed::Carrier, None).unwrap();
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
        let wrong = "record_id,msisdn,event,start,direction,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";
        let e = FeedReader::new(wrong.as_bytes(), Feed::Carrier, None).err().unwrap();
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
    fn rows_with_extra_fields_are_refused_naming_the_line_and_the_count() {
        let extra = ",x".repeat(1000);
        let (ok, bad) = read_carrier(&format!(
            "r1,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,\n\
             r2,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,,\n\
             r3,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,{extra}\n"
        ));
        assert_eq!(ok.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>(), ["r1"]);
        let got: Vec<(u64, Option<&str>, &str)> =
            bad.iter().map(|b| (b.line, b.record_id.as_deref(), b.reason.as_str())).collect();
        assert_eq!(
            got,
            [(3, Some("r2"), "expected 11 fields, found 12"), (4, Some("r3"), "expected 11 fields, found 1011")]
        );
    }

    #[test]
    fn control_bidirectional_and_oversized_fields_are_refused_naming_line_and_field() {
        let long_number = "1".repeat(MAX_FIELD + 1);
        let (ok, bad) = read_carrier(&format!(
            "r1,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,\n\
             \"r\02\",+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,GB,false,\n\
             r3,+447700900001,call,out,2026-11-02T10:00:00Z,60,\"0900\r\n1234567\",0,GB,false,\n\
             r4,+447700900001,call,out,2026-11-02T10:00:00Z,60,0900\u{202E}1234567,0,GB,false,\n\
             r5,+447700900001,call,out,2026-11-02T10:00:00Z,60,{long_number},0,GB,false,\n\
             r6,+447700900001,call,out,2026-11-02T10:00:00Z,60,09001234567,0,G\u{85},false,\n\
             r7,+447700900001,divert,,2026-11-02T10:00:00Z,,,,GB,false,07700\u{2067}900123\n"
        ));
        assert_eq!(ok.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>(), ["r1"]);
        let got: Vec<(u64, Option<&str>, &str)> =
            bad.iter().map(|b| (b.line, b.record_id.as_deref(), b.reason.split(':').next().unwrap_or(""))).collect();
        assert_eq!(
            got,
            [
                (3, None, "record_id"),
                (4, Some("r3"), "other_party"),
                (6, Some("r4"), "other_party"),
                (7, Some("r5"), "other_party"),
                (8, Some("r6"), "roaming_country"),
                (9, Some("r7"), "forwarded_to"),
            ]
        );
        assert!(bad[0].reason.contains("U+0000"), "{}", bad[0].reason);
        assert!(bad[2].reason.contains("U+202E"), "{}", bad[2].reason);
        assert!(bad[3].reason.contains("at most 256 bytes"), "{}", bad[3].reason);
    }

    #[test]
    fn web_fields_are_bounded_and_refuse_control_and_bidirectional_characters() {
        let mb = "D".repeat(1 << 20);
        let url = format!("{}.example", "a".repeat(MAX_HOST));
        let csv = format!(
            "record_id,device,user,start,domain,category,bytes,network,tethered\n\
             w1,PH-1,a@force.example,2026-11-02T10:00:00Z,bet.example,Gambling,10,cellular,false\n\
             w2,{mb},a@force.example,2026-11-02T10:00:00Z,bet.example,Gambling,10,cellular,false\n\
             w3,PH-1\u{202D},a@force.example,2026-11-02T10:00:00Z,bet.example,Gambling,10,cellular,false\n\
             w4,PH-1,a@force.example,2026-11-02T10:00:00Z,{url},Gambling,10,cellular,false\n\
             w5,PH-1,a@force.example,2026-11-02T10:00:00Z,bet.example,Gamb\u{1b}ling,10,cellular,false\n\
             w6,PH-1,a@force.example,2026-11-02T10:00:00Z,bet.example,Gambling,10,cellular,false,extra\n"
        );
        let mut r = FeedReader::new(csv.as_bytes(), Feed::Web, None).unwrap();
        let mut got = Vec::new();
        while let Some(x) = r.next_web() {
            match x {
                Ok(rec) => got.push((rec.line, rec.record_id.to_string())),
                Err(e) => got.push((e.line, e.reason.split(':').next().unwrap_or("").to_string())),
            }
        }
        assert_eq!(
            got,
            [
                (2, "w1".to_string()),
                (3, "device".to_string()),
                (4, "device".to_string()),
                (5, "domain".to_string()),
                (6, "category".to_string()),
                (7, "expected 9 fields, found 10".to_string()),
            ]
        );
    }

    #[test]
    fn a_profile_reads_another_carriers_layout() {
        let pack = UsagePack::shipped();
        let p = pack.profile("example-carrier-b").unwrap();
        let csv = "Mobile Number,CDR Ref,Type,Direction,Date Time,Duration (s),Dialled Number,Data (bytes),Country,Hotspot,Diverted To\n\
                   07700 900001,B-1,Voice,Out,01/07/2026 10:00:00,30,118118,,GB,N,\n";
        let mut r = FeedReader::new(csv.as_bytes(), Feed::Carrier, Some(p)).unwrap();
        let rec = r.next_carrier().unwrap().unwrap();
        assert_eq!(rec.record_id, "B-1");
        assert_eq!(rec.msisdn, "+447700900001");
        assert_eq!(rec.event, Event::Call);
        // 10:00 in London in July is 09:00 UTC.
        assert_eq!(rec.start_us, us(datetime!(2026-07-01 09:00 UTC)));
        assert!(r.next_carrier().is_none());
    }
    #[test]
    fn byte_counts_read_as_people_read_them() {
        assert_eq!(bytes_label(0), "0 bytes");
        assert_eq!(bytes_label(1023), "1,023 bytes");
        assert_eq!(bytes_label(2 << 20), "2.00 MiB (2,097,152 bytes)");
        assert_eq!(bytes_label(1_289_748_480), "1.20 GiB (1,289,748,480 bytes)");
    }
}
