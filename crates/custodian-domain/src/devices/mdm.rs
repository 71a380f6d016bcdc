//! The latest state a mobile device management service (Microsoft Intune, the Android Management
//! API) reports for a device, and the WP034 4.7 rules on it: personnel "should not alter the
//! operating system" (`devices.integrity`), should keep devices "well-maintained"
//! (`devices.noncompliant`: out of compliance or unencrypted; `devices.stale`: not checked in
//! for longer than the policy pack allows). Each rule gives a verdict on one state: it breaks
//! the rule, shows the device healthy (so an open finding closes by itself), or cannot tell.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::findings::{DEVICE_INTEGRITY, DEVICE_NONCOMPLIANT, DEVICE_STALE, Rule};
use crate::imports::{AmapiDevice, IntuneDevice};

const DEVICES_TOML: &str = include_str!("../../../../policy-pack/devices.toml");

/// The device policy pack (`policy-pack/devices.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesPack {
    /// Bumped on every change; recorded in each finding's evidence.
    pub version: u32,
    pub policy: String,
    pub policy_version: u32,
    pub mdm: MdmParams,
}

/// The parameters of the MDM rules (see the pack for what each means).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdmParams {
    pub stale_after_days: u32,
    pub noncompliant_states: Vec<String>,
    pub integrity_postures: Vec<String>,
}

impl DevicesPack {
    /// Read and check a pack.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let p: DevicesPack = toml::from_str(text).map_err(|e| format!("the device policy pack is not valid: {e}"))?;
        if p.mdm.stale_after_days == 0 {
            return Err("mdm.stale_after_days: must be at least 1 day".into());
        }
        Ok(p)
    }

    /// The pack compiled into this build.
    pub fn shipped() -> &'static DevicesPack {
        static PACK: OnceLock<DevicesPack> = OnceLock::new();
        PACK.get_or_init(|| {
            // Compiled in and checked by `tests::the_shipped_pack_loads`: a failure is a build defect.
            #[allow(clippy::expect_used)]
            DevicesPack::from_toml(DEVICES_TOML)
                .expect("policy-pack/devices.toml is compiled in and checked by the unit tests")
        })
    }
}

crate::str_enum! {
    /// Which MDM reported a state.
    pub enum MdmSource {
        Intune = "intune",
        Amapi = "amapi",
    }
}

impl MdmSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::Intune => "Microsoft Intune",
            Self::Amapi => "Android Management API",
        }
    }
}

/// What one MDM export says about one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MdmState {
    pub source: MdmSource,
    /// The MDM's own id for the device: Intune's device id, or the AMAPI resource name.
    pub mdm_ref: String,
    /// Intune `complianceState`; for AMAPI "compliant" or "noncompliant" (from
    /// `nonComplianceDetails` and `policyCompliant`).
    pub compliance: Option<String>,
    /// Intune `jailBroken`; `None` when unknown.
    pub jailbroken: Option<bool>,
    /// Intune `isEncrypted`, AMAPI `deviceSettings.isEncrypted`.
    pub encrypted: Option<bool>,
    /// Intune `managementState`, AMAPI `state`.
    pub management_state: Option<String>,
    /// AMAPI `securityPosture.devicePosture`.
    pub posture: Option<String>,
    /// AMAPI `nonComplianceDetails`, each "settingName: nonComplianceReason".
    pub noncompliance: Vec<String>,
    /// Intune `lastSyncDateTime`, AMAPI `lastStatusReportTime`; `None` when never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync: Option<OffsetDateTime>,
}

/// `t` to whole microseconds, the precision both databases store: a state read back compares
/// equal to the same state parsed again (Graph gives seven fractional digits).
pub fn to_micros(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t)
}

impl From<&IntuneDevice> for MdmState {
    fn from(d: &IntuneDevice) -> Self {
        Self {
            source: MdmSource::Intune,
            mdm_ref: d.id.clone(),
            compliance: d.compliance_state.clone(),
            jailbroken: d.jailbroken,
            encrypted: d.encrypted,
            management_state: d.management_state.clone(),
            posture: None,
            noncompliance: Vec::new(),
            last_sync: d.last_sync.map(to_micros),
        }
    }
}

impl From<&AmapiDevice> for MdmState {
    fn from(d: &AmapiDevice) -> Self {
        let noncompliant = !d.noncompliance.is_empty() || d.policy_compliant == Some(false);
        let known = !d.noncompliance.is_empty() || d.policy_compliant.is_some();
        Self {
            source: MdmSource::Amapi,
            mdm_ref: d.name.clone(),
            compliance: known.then(|| if noncompliant { "noncompliant" } else { "compliant" }.to_string()),
            jailbroken: None,
            encrypted: d.encrypted,
            management_state: d.state.clone(),
            posture: d.posture.clone(),
            noncompliance: d.noncompliance.clone(),
            last_sync: d.last_status_report.map(to_micros),
        }
    }
}

/// One rule's verdict on one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The state breaks the rule, for this reason.
    Breaks(String),
    /// The state shows the device healthy for this rule, for this reason: an open finding closes.
    Healthy(String),
    /// The export does not say (the member is absent or "unknown"): nothing opens or closes.
    Unknown,
}

/// The verdict of each MDM rule on `s`, at import time `now`.
pub fn assess(s: &MdmState, now: OffsetDateTime, p: &MdmParams) -> [(&'static Rule, Verdict); 3] {
    [
        (&DEVICE_INTEGRITY, integrity(s, p)),
        (&DEVICE_NONCOMPLIANT, compliance(s, p)),
        (&DEVICE_STALE, staleness(s, now, p)),
    ]
}

fn integrity(s: &MdmState, p: &MdmParams) -> Verdict {
    match (s.jailbroken, &s.posture) {
        (Some(true), _) => Verdict::Breaks("the MDM reports it jailbroken or rooted (jailBroken = True)".into()),
        (_, Some(posture)) if p.integrity_postures.iter().any(|x| x.eq_ignore_ascii_case(posture)) => {
            Verdict::Breaks(format!("the MDM reports its security posture as {posture}"))
        }
        (_, Some(posture)) if posture.eq_ignore_ascii_case("SECURE") => {
            Verdict::Healthy("the MDM reports its security posture as SECURE".into())
        }
        (Some(false), _) => Verdict::Healthy("the MDM reports it not jailbroken".into()),
        _ => Verdict::Unknown,
    }
}

fn compliance(s: &MdmState, p: &MdmParams) -> Verdict {
    let mut why = Vec::new();
    if let Some(c) = &s.compliance
        && p.noncompliant_states.iter().any(|x| x.eq_ignore_ascii_case(c))
    {
        why.push(format!("its compliance state is {c}"));
    }
    if !s.noncompliance.is_empty() {
        why.push(format!("it breaks {}", s.noncompliance.join("; ")));
    }
    if s.encrypted == Some(false) {
        why.push("it is not encrypted".into());
    }
    if !why.is_empty() {
        return Verdict::Breaks(format!("the MDM reports that {}", why.join(", and ")));
    }
    match &s.compliance {
        Some(c) if c.eq_ignore_ascii_case("compliant") => Verdict::Healthy(format!(
            "the MDM reports it compliant{}",
            if s.encrypted == Some(true) { " and encrypted" } else { "" }
        )),
        _ => Verdict::Unknown,
    }
}

fn staleness(s: &MdmState, now: OffsetDateTime, p: &MdmParams) -> Verdict {
    let days = i64::from(p.stale_after_days);
    match s.last_sync {
        None => Verdict::Breaks(format!(
            "it has never checked in with {} (the policy pack allows {days} days)",
            s.source.label()
        )),
        Some(t) if now - t > time::Duration::days(days) => Verdict::Breaks(format!(
            "it last checked in with {} {} days ago, at {} (the policy pack allows {days})",
            s.source.label(),
            (now - t).whole_days(),
            t.format(&Rfc3339).unwrap_or_default()
        )),
        Some(t) => Verdict::Healthy(format!(
            "it checked in with {} at {}",
            s.source.label(),
            t.format(&Rfc3339).unwrap_or_default()
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-02 12:00 UTC);

    fn params() -> MdmParams {
        DevicesPack::shipped().mdm.clone()
    }

    fn intune() -> MdmState {
        MdmState {
            source: MdmSource::Intune,
            mdm_ref: "d1".into(),
            compliance: Some("compliant".into()),
            jailbroken: Some(false),
            encrypted: Some(true),
            management_state: Some("managed".into()),
            posture: None,
            noncompliance: vec![],
            last_sync: Some(datetime!(2026-12-01 08:00 UTC)),
        }
    }

    fn verdicts(s: &MdmState) -> Vec<(&'static str, &'static str)> {
        assess(s, NOW, &params())
            .iter()
            .map(|(r, v)| {
                (
                    r.id,
                    match v {
                        Verdict::Breaks(_) => "breaks",
                        Verdict::Healthy(_) => "healthy",
                        Verdict::Unknown => "unknown",
                    },
                )
            })
            .collect()
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        assert_eq!(to_micros(datetime!(2025-06-02 07:41:18.4275531 UTC)), datetime!(2025-06-02 07:41:18.427553 UTC));
    }

    #[test]
    fn the_shipped_pack_loads_with_a_thirty_day_default() {
        assert_eq!(DevicesPack::shipped().mdm.stale_after_days, 30);
        assert!(DevicesPack::from_toml("version = 1\npolicy = 'WP034'\npolicy_version = 3\n[mdm]\nstale_after_days = 0\nnoncompliant_states = []\nintegrity_postures = []").is_err());
    }

    #[test]
    fn a_healthy_intune_device_is_healthy_on_every_rule() {
        assert_eq!(
            verdicts(&intune()),
            vec![("devices.integrity", "healthy"), ("devices.noncompliant", "healthy"), ("devices.stale", "healthy")]
        );
    }

    #[test]
    fn a_jailbroken_device_breaks_integrity() {
        let s = MdmState { jailbroken: Some(true), ..intune() };
        assert_eq!(verdicts(&s)[0], ("devices.integrity", "breaks"));
        let unknown = MdmState { jailbroken: None, ..intune() };
        assert_eq!(verdicts(&unknown)[0], ("devices.integrity", "unknown"));
    }

    #[test]
    fn noncompliant_states_and_no_encryption_break_compliance_but_unknown_says_nothing() {
        for c in ["noncompliant", "NonCompliant", "inGracePeriod", "conflict", "error"] {
            let s = MdmState { compliance: Some(c.into()), ..intune() };
            assert_eq!(verdicts(&s)[1], ("devices.noncompliant", "breaks"), "{c}");
        }
        let unencrypted = MdmState { encrypted: Some(false), ..intune() };
        assert_eq!(verdicts(&unencrypted)[1], ("devices.noncompliant", "breaks"));
        let unknown = MdmState { compliance: Some("unknown".into()), ..intune() };
        assert_eq!(verdicts(&unknown)[1], ("devices.noncompliant", "unknown"));
    }

    #[test]
    fn a_device_not_seen_for_longer_than_the_pack_allows_is_stale() {
        let p = params();
        let at = |t| MdmState { last_sync: Some(t), ..intune() };
        assert!(matches!(staleness(&at(datetime!(2026-11-02 11:00 UTC)), NOW, &p), Verdict::Breaks(_)));
        assert!(matches!(staleness(&at(datetime!(2026-11-02 13:00 UTC)), NOW, &p), Verdict::Healthy(_)));
        assert!(matches!(staleness(&MdmState { last_sync: None, ..intune() }, NOW, &p), Verdict::Breaks(_)));
        let strict = MdmParams { stale_after_days: 1, ..p.clone() };
        assert!(matches!(staleness(&at(datetime!(2026-11-30 11:00 UTC)), NOW, &strict), Verdict::Breaks(_)));
    }

    #[test]
    fn amapi_postures_and_noncompliance_details_are_read() {
        let base = MdmState {
            source: MdmSource::Amapi,
            jailbroken: None,
            compliance: Some("compliant".into()),
            posture: Some("SECURE".into()),
            ..intune()
        };
        assert_eq!(verdicts(&base)[0], ("devices.integrity", "healthy"));
        for p in ["POTENTIALLY_COMPROMISED", "AT_RISK"] {
            let s = MdmState { posture: Some(p.into()), ..base.clone() };
            assert_eq!(verdicts(&s)[0], ("devices.integrity", "breaks"), "{p}");
        }
        let s = MdmState {
            compliance: Some("noncompliant".into()),
            noncompliance: vec!["passwordPolicies: NOT_ENFORCED".into()],
            ..base
        };
        let [_, (_, v), _] = assess(&s, NOW, &params());
        match v {
            Verdict::Breaks(why) => assert!(why.contains("passwordPolicies"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
