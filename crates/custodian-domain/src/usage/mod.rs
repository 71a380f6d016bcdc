//! Usage compliance (WP034 4.1, 4.2, 4.5, 4.6, 4.9, 4.12): the carrier billing and web gateway
//! feeds, their streaming parsers, attribution of each record to the device and the person who
//! held it at that instant, and the rules that turn records into findings for a line manager to
//! judge (4.10). Every parameter lives in the usage policy pack (`policy-pack/usage.toml`).
//!
//! Nothing here sanctions anyone: a breach is evidence for a finding, and people decide.

pub mod days;
mod evaluate;
mod feeds;
mod out_of_hours;
mod pack;
mod register;

pub use days::*;
pub use evaluate::*;
pub use feeds::*;
pub use out_of_hours::*;
pub use pack::*;
pub use register::*;

use crate::findings::Rule;
// The usage rules live in the findings catalogue, which knows every area's rules.
pub use crate::findings::{
    BANNED_SITE, CALL_DIVERSION, CELLULAR_DATA, INTERNATIONAL, MMS, PREMIUM_RATE, ROAMING, STREAMING, TETHERING,
    UNATTRIBUTED, UNRECOGNISED_NUMBER, USAGE_RULES as RULES,
};

/// The usage rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
