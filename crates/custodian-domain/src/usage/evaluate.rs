//! Evaluation: attributing each record and applying the rules, the cellular data tally and the
//! streaming check.

use std::collections::HashMap;
use std::io::{Read, Seek, Write};

use uuid::Uuid;

use crate::devices::DeviceType;
use crate::findings::Rule;
use crate::numbers::NumberClass;
use crate::usage::{
    BANNED_SITE, CALL_DIVERSION, CELLULAR_DATA, CarrierRecord, Event, Feed, FeedReader, INTERNATIONAL, MMS,
    PREMIUM_RATE, Profile, ROAMING, Register, Rejected, STREAMING, TETHERING, UNATTRIBUTED, UNRECOGNISED_NUMBER,
    UsagePack, WebRecord, day_date, london_day,
};

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
        let class =
            if party.is_empty() { NumberClass::Uk } else { plan.classify_parsed(party, r.party_number.as_ref()) };
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
                } else if class == NumberClass::Unrecognised {
                    v.hits.push(Hit { rule: &UNRECOGNISED_NUMBER, what: r.other_party.to_string() });
                }
            }
            Event::Mms if r.outgoing => {
                v.hits.push(Hit { rule: &MMS, what: r.other_party.to_string() });
                if class == NumberClass::Unrecognised {
                    v.hits.push(Hit { rule: &UNRECOGNISED_NUMBER, what: r.other_party.to_string() });
                }
            }
            // A range the pack says to ignore raises nothing, diversions included.
            Event::Divert if class == NumberClass::Ignored => {}
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
                let to = r.party_number.as_ref().map(|n| n.e164()).unwrap_or_default();
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
    let mut fr = FeedReader::new(input, feed, profile)?;
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
/// Europe/London day into a single finding. `usage.cellular_data` (WP034 4.5) is judged per
/// device and day, so its key names the device (`subject` is then the device's id) as well as
/// the person: a person with two devices over the limit on one day has two findings, each with
/// its own device's total and records.
pub fn finding_key(rule: &Rule, person: Option<Uuid>, subject: &str, day: i32) -> String {
    match person {
        Some(p) if rule.id == CELLULAR_DATA.id => format!("{}:{p}:{subject}:{}", rule.id, day_date(day)),
        Some(p) => format!("{}:{p}:{}", rule.id, day_date(day)),
        None => format!("{}:{subject}:{}", rule.id, day_date(day)),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::usage::days::tests::us;
    use crate::usage::feeds::MAX_ID;
    use crate::usage::feeds::tests::read_carrier;
    use crate::usage::{Feed, FeedReader, Holding, OverseasWindow, RegDevice, Register, StreamingException, UsagePack};
    use time::macros::{date, datetime};

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
             e,+447700900001,sms,out,2026-11-02T12:00:00Z,,+44 1534 123456,,GB,false,\n\
             e2,+447700900001,sms,out,2026-11-02T12:00:00Z,,01534 123456,,GB,false,\n\
             u1,+447700900001,call,out,2026-11-02T12:00:00Z,60,01632 960123,,GB,false,\n\
             u2,+447700900001,call,out,2026-11-02T12:00:00Z,60,0400 123 4567,,GB,false,\n\
             u3,+447700900001,sms,out,2026-11-02T12:00:00Z,,+1 202,,GB,false,\n\
             u4,+447700900001,call,in,2026-11-02T12:00:00Z,60,0400 123 4567,,GB,false,\n\
             u5,+447700900001,call,out,2026-11-02T12:00:00Z,60,07700 900123 45,,GB,false,\n\
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
        assert!(hits(by("e2")).is_empty(), "written nationally, a number is never overseas");
        assert!(hits(by("u1")).is_empty(), "Ofcom's drama range is a UK number");
        assert_eq!(hits(by("u2")), ["usage.unrecognised_number"], "04 is not allocated");
        assert_eq!(hits(by("u3")), ["usage.unrecognised_number"], "too short to be international");
        assert!(hits(by("u4")).is_empty(), "incoming calls are not the holder's choice");
        assert_eq!(hits(by("u5")), ["usage.unrecognised_number"], "too long, and never international");
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
        let mut r = FeedReader::new(csv.as_bytes(), Feed::Web, None).unwrap();
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
    fn data_findings_are_keyed_per_device_and_day_the_others_per_person_and_day() {
        let (p, d1, d2) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (a, b) = (d1.to_string(), d2.to_string());
        assert_ne!(finding_key(&CELLULAR_DATA, Some(p), &a, 100), finding_key(&CELLULAR_DATA, Some(p), &b, 100));
        assert_eq!(finding_key(&CELLULAR_DATA, Some(p), &a, 100), finding_key(&CELLULAR_DATA, Some(p), &a, 100));
        assert_ne!(finding_key(&CELLULAR_DATA, Some(p), &a, 100), finding_key(&CELLULAR_DATA, Some(p), &a, 101));
        assert_eq!(
            finding_key(&PREMIUM_RATE, Some(p), "+447700900001", 100),
            finding_key(&PREMIUM_RATE, Some(p), "+447700900002", 100)
        );
        assert_ne!(
            finding_key(&UNATTRIBUTED, None, "+447700900001", 100),
            finding_key(&UNATTRIBUTED, None, "+447700900002", 100)
        );
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
