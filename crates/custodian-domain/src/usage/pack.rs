//! The usage policy pack (`policy-pack/usage.toml`): rule parameters, category tables and
//! carrier profiles.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::devices::DeviceType;
use crate::numbers::NumberPlan;
use crate::usage::{CARRIER_COLUMNS, WEB_COLUMNS};

const USAGE_TOML: &str = include_str!("../../../../policy-pack/usage.toml");

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
    /// Working hours for the out-of-hours share (WP034 4.11).
    #[serde(default)]
    pub out_of_hours: crate::usage::OutOfHours,
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

crate::str_enum! {
    /// Which feed a record came from.
    pub enum Feed {
        Carrier = "carrier",
        Web = "web",
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
        p.numbers.check().map_err(PackError)?;
        p.out_of_hours.compile().map_err(PackError)?;
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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::usage::RULES;
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

    /// The pack's `version` is bumped with every change to it (findings and imports record the
    /// version that judged them): its content, less the version line and the version notes, is
    /// pinned to the version here. Changing the pack fails this test until `version` is bumped
    /// and the pin updated to the new content's SHA-256.
    #[test]
    fn the_pack_version_is_bumped_with_its_content() {
        use sha2::Digest;
        const PINNED: (u32, &str) = (2, "d41b1c0dcace4f2bfa69e70dabef957de38ec6eb6a432aedd5e4ed4b780affe0");
        let content: String = USAGE_TOML
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("version = ") && !l.starts_with("# Version "))
            .collect();
        let sha = hex::encode(sha2::Sha256::digest(content.as_bytes()));
        assert_eq!(
            (UsagePack::shipped().version, sha.as_str()),
            PINNED,
            "policy-pack/usage.toml changed: bump its version and pin the new content's SHA-256"
        );
    }
}
