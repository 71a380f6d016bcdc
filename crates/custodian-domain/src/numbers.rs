//! Telephone numbers as carriers report them (WP034 4.2, 4.12): E.164 (`+44…`), international
//! (`00…`), UK national (`0…`) or short codes (`999`, `101`, `118118`), with spaces, hyphens and
//! the `(0)` trunk prefix people write. [`classify`] says whether a number is an emergency or
//! public-service code, UK premium rate, another UK number, a Crown Dependency number,
//! international, or unrecognised (too short, too long, an unallocated range); the ranges come
//! from the usage policy pack, which can also list ranges to treat as UK and ranges to ignore, so
//! the force can change them without code. A number written the UK national way (a single
//! leading 0) is never international, whatever its range. Written by hand rather than with `phonenumber` because it runs once per billing
//! row (millions per file) and only needs the UK plan's few distinctions.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// What a dialled number is, for the rules of WP034 4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberClass {
    /// 999, 112, 101, 111 and any other code the pack lists: never raises anything.
    Emergency,
    /// UK premium rate: 09x, 087x and 118xxx directory enquiries (per the pack).
    UkPremium,
    /// Any other UK number or short code (080x, 084x, 03x, 070, 076, geographic, mobile).
    Uk,
    /// Jersey, Guernsey and the Isle of Man: in the UK numbering plan (+44) but not in the UK.
    CrownDependency,
    /// A number outside the UK numbering plan.
    International,
    /// Digits Custodian cannot place: too short or too long for their plan, or in a range that
    /// is not allocated (UK 04x, 06x, a country code starting 0). Raises `usage.unrecognised_number`
    /// for Digital Services to check the carrier file or the pack, never `usage.international`.
    Unrecognised,
    /// In a range the pack says to ignore (`numbers.ignore_ranges`): never raises anything.
    Ignored,
    /// Not a number (letters, empty, a lone `+`).
    Invalid,
}

/// The number plan parameters (from `[numbers]` in the usage pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberPlan {
    /// Emergency and public-service short codes that never raise anything.
    pub emergency: Vec<String>,
    /// Prefixes of the UK national significant number (after `0` or `+44`) that are premium.
    pub premium_prefixes: Vec<String>,
    /// Directory enquiry prefix: a six-digit number starting with it is premium (`118118`).
    pub directory_prefix: String,
    /// Length of directory enquiry numbers (6 for 118xxx).
    pub directory_len: usize,
    /// National significant number prefixes of Crown Dependency numbers (+44 1481, 1534, 1624
    /// and their mobile ranges).
    pub crown_dependency_prefixes: Vec<String>,
    /// Whether Crown Dependency numbers count as UK (false: they are "overseas" for 4.2 when
    /// written internationally; written nationally, with a single leading 0, no number is
    /// overseas).
    pub crown_dependencies_are_uk: bool,
    /// Ranges to treat as UK numbers whatever else they look like: prefixes of the E.164 form
    /// (`+44800111`, `+353`) or of a short code's digits (`1471`). They never raise
    /// `usage.international` or `usage.unrecognised_number` (premium rate still applies).
    #[serde(default)]
    pub uk_ranges: Vec<String>,
    /// Ranges to ignore: the same forms as `uk_ranges`; a number in them raises nothing.
    #[serde(default)]
    pub ignore_ranges: Vec<String>,
}

/// Shortest and longest UK short code Custodian recognises (`100`, `1471`, `118118`, `61234`).
pub const SHORT_CODE_LEN: std::ops::RangeInclusive<usize> = 3..=6;
/// Digits of an international number after `+` / `00` (country code included): E.164 allows at
/// most 15, and the shortest numbers in use have 7 (Niue, +683 and four digits).
pub const INTERNATIONAL_LEN: std::ops::RangeInclusive<usize> = 7..=15;

/// Written the UK national way: no `+`, and the first digit a single `0` (`01632 960123`,
/// `(01632) 960 123`, `07700 900123`), not `00` (which dials out of the UK).
pub fn written_nationally(raw: &str) -> bool {
    let raw = raw.trim();
    if raw.starts_with('+') {
        return false;
    }
    let mut digits = raw.bytes().filter(u8::is_ascii_digit);
    digits.next() == Some(b'0') && digits.next().is_some_and(|d| d != b'0')
}

/// Whether a UK national significant number (no trunk 0) has a length and leading digit the UK
/// plan allocates: 01 and 08 take nine or ten digits after the 0 (`01xxx xxxxx`, `0800 xxxxxx`),
/// 02, 03, 05, 07 and 09 take ten; 04 and 06 are not allocated. 0800 1111 is the one seven-digit
/// number (Childline).
pub fn uk_nsn_allocated(nsn: &str) -> bool {
    match nsn.as_bytes().first() {
        Some(b'1' | b'8') => (9..=10).contains(&nsn.len()) || nsn == "8001111",
        Some(b'2' | b'3' | b'5' | b'7' | b'9') => nsn.len() == 10,
        _ => false,
    }
}

/// A number reduced to its digits and how it was written. The digits are held inline (no heap
/// allocation for numbers of up to 24 digits, which is all of them: this runs on every billing row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Normalised {
    /// A UK number: its national significant number (no trunk 0, no 44).
    Uk(CompactString),
    /// A number with another country code: its digits after `+` / `00`.
    International(CompactString),
    /// Digits dialled as they are (999, 118118, 150).
    Short(CompactString),
}

impl Normalised {
    /// The E.164 form (`+447700900123`), or the short code itself.
    pub fn e164(&self) -> CompactString {
        let (prefix, digits) = match self {
            Self::Uk(nsn) => ("+44", nsn),
            Self::International(d) => ("+", d),
            Self::Short(d) => return d.clone(),
        };
        let mut s = CompactString::with_capacity(prefix.len() + digits.len());
        s.push_str(prefix);
        s.push_str(digits);
        s
    }
}

/// The E.164 form of a number: exactly `normalise(raw).map(|n| n.e164())`, but a number already
/// written in E.164 (`+`, then digits, the UK's without a trunk 0 after `+44`), as carriers write
/// most SIM numbers, is taken as it is instead of being taken apart and put back together.
pub fn e164(raw: &str) -> Option<CompactString> {
    let t = raw.trim();
    if let Some(d) = t.strip_prefix('+')
        && d.len() > 2
        && d.bytes().all(|b| b.is_ascii_digit())
        && !d.starts_with("440")
    {
        return Some(CompactString::from(t));
    }
    normalise(raw).map(|n| n.e164())
}

/// Reduce a number in any common notation to its digits. `None` when it is not a number.
pub fn normalise(raw: &str) -> Option<Normalised> {
    let raw = raw.trim();
    let plus = raw.starts_with('+');
    let mut digits = CompactString::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut i = usize::from(plus);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'0'..=b'9' => digits.push(b as char),
            // "+44 (0)20 ..." writes the trunk prefix people should not dial from abroad.
            b'(' if bytes.get(i + 1) == Some(&b'0') && bytes.get(i + 2) == Some(&b')') && !digits.is_empty() => {
                i += 2;
            }
            b' ' | b'-' | b'.' | b'(' | b')' | b'/' | b'\t' => {}
            _ => return None,
        }
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    let international = if plus { Some(digits.as_str()) } else { digits.strip_prefix("00") };
    if let Some(d) = international {
        if d.is_empty() {
            return None;
        }
        return Some(match d.strip_prefix("44") {
            // "+440…" is a common slip for "+44…".
            Some(nsn) if !nsn.is_empty() => Normalised::Uk(nsn.trim_start_matches('0').into()),
            _ => Normalised::International(d.into()),
        });
    }
    if let Some(nsn) = digits.strip_prefix('0') {
        if nsn.is_empty() {
            return None;
        }
        return Some(Normalised::Uk(nsn.into()));
    }
    // E.164 written without its plus (some carriers): 44 and ten digits.
    if digits.len() >= 11 && digits.starts_with("44") {
        return Some(Normalised::Uk(digits[2..].into()));
    }
    Some(Normalised::Short(digits))
}

impl NumberPlan {
    /// Classify a number as a carrier reported it. A number written nationally (a single
    /// leading 0) is never overseas: it is in the UK plan, or unrecognised.
    pub fn classify(&self, raw: &str) -> NumberClass {
        self.classify_parsed(raw, normalise(raw).as_ref())
    }

    /// [`classify`](Self::classify) for a number already normalised: `n` must be
    /// `normalise(raw)` (`None`: not a number), so a reader that normalised it to check it does
    /// not do it again.
    pub fn classify_parsed(&self, raw: &str, n: Option<&Normalised>) -> NumberClass {
        let Some(n) = n else { return NumberClass::Invalid };
        let class = self.classify_normalised(n);
        if class.is_overseas() && written_nationally(raw) { NumberClass::Uk } else { class }
    }

    /// Whether the number's E.164 form (or a short code's digits) starts with one of `ranges`.
    fn in_ranges(ranges: &[String], n: &Normalised) -> bool {
        if ranges.is_empty() {
            return false;
        }
        let key = n.e164();
        ranges.iter().any(|r| key.starts_with(r.as_str()))
    }

    /// Check the ranges the pack lists: each an E.164 prefix (`+44…`) or short-code digits.
    pub fn check(&self) -> Result<(), String> {
        for (name, list) in [("uk_ranges", &self.uk_ranges), ("ignore_ranges", &self.ignore_ranges)] {
            for r in list {
                let digits = r.strip_prefix('+').unwrap_or(r);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!(
                        "numbers.{name}: {r:?} is not an E.164 prefix (+44800111) or short-code digits (1471)"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Classify an already normalised number (whatever notation it was written in).
    pub fn classify_normalised(&self, n: &Normalised) -> NumberClass {
        if Self::in_ranges(&self.ignore_ranges, n) {
            return NumberClass::Ignored;
        }
        let class = self.classify_plan(n);
        match class {
            NumberClass::International | NumberClass::CrownDependency | NumberClass::Unrecognised
                if Self::in_ranges(&self.uk_ranges, n) =>
            {
                NumberClass::Uk
            }
            c => c,
        }
    }

    fn classify_plan(&self, n: &Normalised) -> NumberClass {
        match n {
            Normalised::Short(d) => {
                if self.emergency.iter().any(|e| e == d) {
                    NumberClass::Emergency
                } else if self.is_directory(d) {
                    NumberClass::UkPremium
                } else if SHORT_CODE_LEN.contains(&d.len()) {
                    NumberClass::Uk
                } else {
                    NumberClass::Unrecognised
                }
            }
            Normalised::Uk(nsn) => {
                if self.emergency.iter().any(|e| e == nsn) {
                    NumberClass::Emergency
                } else if self.is_directory(nsn) {
                    NumberClass::UkPremium
                } else if !uk_nsn_allocated(nsn) {
                    NumberClass::Unrecognised
                } else if self.is_premium_nsn(nsn) {
                    NumberClass::UkPremium
                } else if !self.crown_dependencies_are_uk
                    && self.crown_dependency_prefixes.iter().any(|p| nsn.starts_with(p.as_str()))
                {
                    NumberClass::CrownDependency
                } else {
                    NumberClass::Uk
                }
            }
            Normalised::International(d) => {
                if d.starts_with('0') || !INTERNATIONAL_LEN.contains(&d.len()) {
                    NumberClass::Unrecognised
                } else {
                    NumberClass::International
                }
            }
        }
    }

    fn is_directory(&self, d: &str) -> bool {
        d.len() == self.directory_len && d.starts_with(self.directory_prefix.as_str())
    }

    fn is_premium_nsn(&self, nsn: &str) -> bool {
        self.premium_prefixes.iter().any(|p| nsn.starts_with(p.as_str()))
    }
}

impl NumberClass {
    /// Outside the UK for WP034 4.2 ("overseas calls").
    pub fn is_overseas(self) -> bool {
        matches!(self, Self::International | Self::CrownDependency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::UsagePack;

    fn plan() -> NumberPlan {
        UsagePack::shipped().numbers.clone()
    }

    #[test]
    fn premium_rate_in_every_notation() {
        let p = plan();
        for n in [
            "09001234567",
            "0906 123 4567",
            "+449001234567",
            "+44 (0)909 876 5432",
            "00449001234567",
            "0044 871 234 5678",
            "08712345678",
            "0870 123 4567",
            "+44 872 123 4567",
            "118118",
            "118 500",
            "+44118118",
            "0118118",
            "449001234567",
            "+4409001234567",
        ] {
            assert_eq!(p.classify(n), NumberClass::UkPremium, "{n}");
        }
    }

    #[test]
    fn not_premium_freephone_nongeographic_personal_and_pagers() {
        let p = plan();
        for n in [
            "08001234567",
            "0808 157 0000",
            "08451234567",
            "0844 123 4567",
            "+44 843 123 4567",
            "03001234567",
            "0333 123 4567",
            "07012345678",
            "+447612345678",
            "07700 900123",
            "+447700900123",
            "01926 415000",
            // Reading's area code is 0118: ten-digit numbers, not 118xxx directory enquiries.
            "0118 496 0000",
            "+441184960000",
            "02079460000",
            "+44 28 9018 1234",
        ] {
            assert_eq!(p.classify(n), NumberClass::Uk, "{n}");
        }
    }

    #[test]
    fn emergency_and_public_service_codes() {
        let p = plan();
        for n in ["999", "112", "101", "111", " 999 "] {
            assert_eq!(p.classify(n), NumberClass::Emergency, "{n}");
        }
        assert_eq!(p.classify("150"), NumberClass::Uk);
    }

    #[test]
    fn international_irish_and_crown_dependencies() {
        let p = plan();
        for n in ["+353 1 234 5678", "00353861234567", "+33 1 42 68 53 00", "001 202 555 0100", "+8613800138000"] {
            assert_eq!(p.classify(n), NumberClass::International, "{n}");
        }
        // Guernsey, Jersey, Isle of Man: +44 numbers, but not the United Kingdom.
        for n in ["+44 1481 710000", "+44 1534 123456", "00441624 686000", "+447781123456", "0044 7797 123456"] {
            assert_eq!(p.classify(n), NumberClass::CrownDependency, "{n}");
            assert!(p.classify(n).is_overseas());
        }
        // Written nationally (a single leading 0) no number is overseas, Crown Dependency
        // ranges included: the notation is the UK's own.
        for n in ["01481 710000", "07797 123456", "07624 123456"] {
            assert_eq!(p.classify(n), NumberClass::Uk, "{n}");
        }
        let mut uk = plan();
        uk.crown_dependencies_are_uk = true;
        assert_eq!(uk.classify("+44 1534 123456"), NumberClass::Uk);
        // Northern Ireland is the UK.
        assert!(!p.classify("+44 28 9018 1234").is_overseas());
    }

    #[test]
    fn junk_is_invalid() {
        let p = plan();
        for n in ["", "+", "00", "abc", "0", "07700 9001x3", "++44"] {
            assert_eq!(p.classify(n), NumberClass::Invalid, "{n:?}");
        }
    }

    #[test]
    fn a_number_written_nationally_is_never_overseas() {
        let p = plan();
        // Ofcom's drama ranges, an unallocated-looking geographic code, brackets, spaces, and
        // every Crown Dependency range written with the trunk 0.
        for n in [
            "01632 960123",
            "(01632) 960 123",
            "07700 900123",
            "07700900123",
            "0 7700 900 123",
            "01481 710000",
            "07911 123456",
            "020 7946 0000",
            "0113 496 0000",
        ] {
            let c = p.classify(n);
            assert!(written_nationally(n), "{n}");
            assert!(!c.is_overseas(), "{n}: {c:?}");
            assert_eq!(c, NumberClass::Uk, "{n}");
        }
        // Too short, too long or unallocated, still written nationally: unrecognised, not overseas.
        for n in ["01632 9601", "07700 9001234", "0400 123 4567", "0612345678", "012", "0770090012345678"] {
            let c = p.classify(n);
            assert_eq!(c, NumberClass::Unrecognised, "{n}");
            assert!(!c.is_overseas(), "{n}");
        }
        for n in ["+44 7700 900123", "0044 7700 900123", "00 1 202 555 0100", "+1 202 555 0100", "999", "1471"] {
            assert!(!written_nationally(n), "{n}");
        }
    }

    #[test]
    fn every_notation_of_uk_international_short_and_junk() {
        let p = plan();
        let cases: &[(&str, NumberClass)] = &[
            ("+44 7700 900123", NumberClass::Uk),
            ("+447700900123", NumberClass::Uk),
            ("0044 7700 900123", NumberClass::Uk),
            ("00447700900123", NumberClass::Uk),
            ("07700900123", NumberClass::Uk),
            ("(01632) 960 123", NumberClass::Uk),
            ("+44 (0)1632 960123", NumberClass::Uk),
            ("447700900123", NumberClass::Uk),
            ("+1 202 555 0100", NumberClass::International),
            ("+12025550100", NumberClass::International),
            ("00 1 202 555 0100", NumberClass::International),
            ("0012025550100", NumberClass::International),
            ("+683 4002", NumberClass::International),
            // Short codes: emergency, directory enquiries, the rest of three to six digits.
            ("999", NumberClass::Emergency),
            ("118 118", NumberClass::UkPremium),
            ("1471", NumberClass::Uk),
            ("100", NumberClass::Uk),
            ("61234", NumberClass::Uk),
            // Too short.
            ("12", NumberClass::Unrecognised),
            ("+1 202", NumberClass::Unrecognised),
            ("00 1 202", NumberClass::Unrecognised),
            ("0044", NumberClass::Unrecognised),
            ("+44 7700 9001", NumberClass::Unrecognised),
            // Too long.
            ("+1 202 555 0100 1234 5", NumberClass::Unrecognised),
            ("001202555010012345", NumberClass::Unrecognised),
            ("+44 7700 900123 456", NumberClass::Unrecognised),
            ("1234567", NumberClass::Unrecognised),
            ("7700900123", NumberClass::Unrecognised),
            // No country code starts with 0.
            ("+0 123 456 7890", NumberClass::Unrecognised),
            // Not numbers at all.
            ("+44 7700 9OO123", NumberClass::Invalid),
            ("", NumberClass::Invalid),
        ];
        for (n, want) in cases {
            assert_eq!(p.classify(n), *want, "{n:?}");
        }
    }

    #[test]
    fn the_pack_lists_ranges_to_treat_as_uk_and_ranges_to_ignore() {
        let mut p = plan();
        assert_eq!(p.classify("+353 1 234 5678"), NumberClass::International);
        assert_eq!(p.classify("+44 1534 123456"), NumberClass::CrownDependency);
        assert_eq!(p.classify("7700900123"), NumberClass::Unrecognised);
        p.uk_ranges = vec!["+3531".into(), "+441534".into(), "77009".into()];
        p.ignore_ranges = vec!["+33".into(), "1571".into()];
        assert!(p.check().is_ok());
        assert_eq!(p.classify("+353 1 234 5678"), NumberClass::Uk);
        assert_eq!(p.classify("00353 1 234 5678"), NumberClass::Uk);
        assert_eq!(p.classify("+353 86 123 4567"), NumberClass::International, "only the range listed");
        assert_eq!(p.classify("+44 1534 123456"), NumberClass::Uk);
        assert_eq!(p.classify("7700900123"), NumberClass::Uk);
        assert_eq!(p.classify("+33 1 42 68 53 00"), NumberClass::Ignored);
        assert_eq!(p.classify("1571"), NumberClass::Ignored);
        // Premium rate stays premium even in a UK range.
        p.uk_ranges.push("+449".into());
        assert_eq!(p.classify("0906 123 4567"), NumberClass::UkPremium);
        p.ignore_ranges = vec!["+44 7700".into()];
        assert!(p.check().unwrap_err().contains("ignore_ranges"));
    }

    #[test]
    fn the_e164_shortcut_gives_what_normalising_gives() {
        for n in [
            "+447700900123",
            " +447700900123 ",
            "+4407700900123",
            "+440",
            "+44",
            "+4",
            "+",
            "+12025550100",
            "+353861234567",
            "+44 7700 900123",
            "+44(0)7700900123",
            "07700900123",
            "447700900123",
            "00447700900123",
            "0044 7700 900123",
            "999",
            "118118",
            "+0123456789",
            "+44770090012x",
            "",
        ] {
            assert_eq!(e164(n), normalise(n).map(|x| x.e164()), "{n:?}");
        }
    }

    #[test]
    fn e164_forms_agree_across_notations() {
        let a = normalise("07700 900123").map(|n| n.e164());
        assert_eq!(a.as_deref(), Some("+447700900123"));
        assert_eq!(normalise("0044 7700-900-123").map(|n| n.e164()), a);
        assert_eq!(normalise("+44 (0)7700 900123").map(|n| n.e164()), a);
        assert_eq!(normalise("+353 86 123 4567").map(|n| n.e164()).as_deref(), Some("+353861234567"));
    }
}
