//! The register as the rules see it: devices, who held them when, overseas windows and
//! streaming exceptions.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::devices::DeviceType;
use crate::numbers::normalise;
use crate::usage::date_day;

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

    /// Whether `at_us` is before every allocation the device has had (it has had one at least):
    /// usage the register cannot attribute until it is imported with `allocated_from` (WP034 4.1).
    pub fn before_first_allocation(&self, at_us: i64) -> bool {
        self.holdings.iter().map(|h| h.from_us).min().is_some_and(|first| at_us < first)
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
    pub(super) force_numbers: HashSet<String>,
    pub(super) personal: HashMap<String, Vec<Uuid>>,
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

    pub(super) fn overseas_ok(&self, person: Uuid, device: Uuid, country: &str, day: i32) -> bool {
        self.overseas.get(&person).is_some_and(|ws| {
            ws.iter().any(|(w, a, b)| {
                *a <= day
                    && day <= *b
                    && w.countries.iter().any(|c| c.eq_ignore_ascii_case(country))
                    && (w.devices.is_empty() || w.devices.contains(&device))
            })
        })
    }

    pub(super) fn streaming_ok(&self, person: Uuid, at_us: i64) -> bool {
        self.streaming.get(&person).is_some_and(|es| es.iter().any(|e| e.from_us <= at_us && at_us < e.expires_us))
    }
}
