//! UK-aware checks that turn a pattern's candidate into a finding or throw it away: National
//! Insurance prefix and suffix rules, NHS modulus 11, card Luhn and issuer ranges, IBAN
//! modulus 97, postcode letter positions, vehicle registration formats, phone numbers through
//! libphonenumber, and calendar dates. Each returns a confidence adjustment, or `None` to reject.

/// The ASCII digits of `s`, in order.
pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A National Insurance number: two prefix letters, six digits, a suffix letter A to D. The
/// first letter is never D, F, I, Q, U or V; the second never D, F, I, O, Q, U or V; the
/// prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued. A missing suffix lowers confidence.
pub(crate) fn nino(s: &str) -> Option<f32> {
    let compact: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let b = compact.as_bytes();
    if !(b.len() == 8 || b.len() == 9) {
        return None;
    }
    let upper = compact.to_ascii_uppercase();
    if compact != upper && compact != compact.to_ascii_lowercase() {
        return None;
    }
    let u = upper.as_bytes();
    let (p1, p2) = (u[0], u[1]);
    if !p1.is_ascii_uppercase() || !p2.is_ascii_uppercase() || !u[2..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    // A prefix HMRC never issues ("TN", "QQ") is still written as a National Insurance number
    // by someone who means one: it needs the words around it.
    let issued = !(b"DFIQUV".contains(&p1)
        || b"DFIOQUV".contains(&p2)
        || ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&&upper[..2]));
    // QQ is HMRC's own example prefix ("QQ 12 34 56 C"), never anyone's number.
    if &upper[..2] == "QQ" {
        return None;
    }
    let prefix = if issued { 0.0 } else { -0.3 };
    match u.get(8) {
        Some(c) if b"ABCD".contains(c) => Some(prefix),
        Some(_) => None,
        None => Some(prefix - 0.3),
    }
}

/// An NHS number: ten digits, never starting with 0, whose tenth digit is the modulus 11 check
/// digit of the first nine (weights 10 down to 2; a remainder giving 10 is never issued).
/// Written 3-3-4 it is more likely an NHS number than any other ten-digit string.
pub(crate) fn nhs(s: &str) -> Option<f32> {
    let d = digits(s);
    let b = d.as_bytes();
    if b.len() != 10 || b[0] == b'0' {
        return None;
    }
    let sum: u32 = b[..9].iter().enumerate().map(|(i, c)| u32::from(c - b'0') * (10 - i as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    if u32::from(b[9] - b'0') != check {
        return None;
    }
    let groups: Vec<usize> = s.split([' ', '-']).filter(|g| !g.is_empty()).map(str::len).collect();
    Some(if groups == [3, 3, 4] { 0.2 } else { 0.0 })
}

/// Whether `d` (ASCII digits only) passes the Luhn check.
pub(crate) fn luhn(d: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in d.bytes().rev().enumerate() {
        let mut v = u32::from(c.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !d.is_empty() && sum.is_multiple_of(10)
}

/// A payment card number from a known issuer range, of a length that issuer uses, passing
/// Luhn: Visa (4; 13, 16 or 19 digits), Mastercard (51-55, 2221-2720; 16), American Express
/// (34, 37; 15), Diners (36, 38, 300-305; 14 to 19), Discover (6011, 65; 16 to 19), JCB
/// (3528-3589; 16 to 19), Maestro (50, 56-69; 12 to 19). A 15-digit IMEI starting 35 is not a card.
pub(crate) fn card(s: &str) -> Option<f32> {
    let d = digits(s);
    let n = d.len();
    if !(12..=19).contains(&n) {
        return None;
    }
    // A number that fails the Luhn check is still a card number when the words say so (a
    // mistyped or made-up one); it needs them.
    let checked = luhn(&d);
    let p2: u32 = d[..2].parse().ok()?;
    let p3: u32 = d[..3].parse().ok()?;
    let p4: u32 = d[..4].parse().ok()?;
    let ok = if d.starts_with('4') {
        matches!(n, 13 | 16 | 19)
    } else if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        n == 16
    } else if p2 == 34 || p2 == 37 {
        n == 15
    } else if p2 == 36 || p2 == 38 || (300..=305).contains(&p3) {
        n >= 14
    } else if p4 == 6011 || p2 == 65 || (3528..=3589).contains(&p4) {
        n >= 16
    } else if p2 == 50 || (56..=69).contains(&p2) {
        n >= 12
    } else {
        false
    };
    ok.then_some(if checked { 0.0 } else { -0.3 })
}

/// A UK IBAN: GB, two check digits, a four-letter bank code and fourteen digits, passing the
/// ISO 13616 modulus 97 check.
pub(crate) fn iban(s: &str) -> Option<f32> {
    let c: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    if c.len() != 22 {
        return None;
    }
    let rotated = format!("{}{}", &c[4..], &c[..4]);
    let mut rem: u64 = 0;
    for ch in rotated.chars() {
        let v = ch.to_digit(36)? as u64;
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    // The shape of a UK IBAN with a wrong check is still bank details when the words say so.
    Some(if rem == 1 { 0.0 } else { -0.3 })
}

/// A full UK postcode with the letter-position rules: the first letter never Q, V or X; the
/// second never I, J or Z; a letter in the third position one of ABCDEFGHJKPSTUW, in the fourth
/// one of ABEHMNPRVWXY; the two inward letters never C, I, K, M, O or V. Written in small or
/// mixed letters ("cv34 6rd", "Cv37 5br", typed in a hurry) it needs the words around it.
pub(crate) fn postcode(s: &str) -> Option<f32> {
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let u = c.to_ascii_uppercase();
    if u == "GIR0AA" {
        return Some(0.0);
    }
    let b = u.as_bytes();
    if !(5..=7).contains(&b.len()) {
        return None;
    }
    let (outward, inward) = b.split_at(b.len() - 3);
    if !inward[0].is_ascii_digit() || !inward[1..].iter().all(|x| x.is_ascii_uppercase() && !b"CIKMOV".contains(x)) {
        return None;
    }
    if !outward[0].is_ascii_uppercase() || b"QVX".contains(&outward[0]) {
        return None;
    }
    let ok = match outward {
        // A9, A99, A9A
        [_, d, rest @ ..] if d.is_ascii_digit() => match rest {
            [] => true,
            [x] if x.is_ascii_digit() => true,
            [x] => b"ABCDEFGHJKPSTUW".contains(x),
            _ => false,
        },
        // AA9, AA99, AA9A
        [_, l, d, rest @ ..] if l.is_ascii_uppercase() && d.is_ascii_digit() => {
            !b"IJZ".contains(l)
                && match rest {
                    [] => true,
                    [x] if x.is_ascii_digit() => true,
                    [x] => b"ABEHMNPRVWXY".contains(x),
                    _ => false,
                }
        }
        _ => false,
    };
    ok.then_some(if c == u { 0.0 } else { -0.2 })
}

fn letters_allowed(s: &[u8], banned: &[u8]) -> bool {
    s.iter().all(|c| c.is_ascii_uppercase() && !banned.contains(c))
}

/// A current-format registration (from September 2001): two area letters, a two-digit age
/// identifier (02 to 29 for March, 51 to 79 for September) and three random letters. I, Q and
/// Z are never area letters; I and Q never random letters.
pub(crate) fn vehicle_current(s: &str) -> Option<f32> {
    if mixed_case(s) {
        return None;
    }
    let c: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    let b = c.as_bytes();
    if b.len() != 7 {
        return None;
    }
    let age: u32 = c[2..4].parse().ok()?;
    let issued = letters_allowed(&b[..2], b"IQZ")
        && letters_allowed(&b[4..], b"IQ")
        && ((2..=29).contains(&age) || (51..=79).contains(&age));
    // A plate the DVLA would not issue (a future age identifier, a letter never used) is still
    // written as one, cloned or mistyped: it needs the words around it to say so. So does one
    // split after its area letters ("AB 12 CDE", "AB-12-CDE").
    let split = !s.as_bytes().get(2).is_some_and(u8::is_ascii_digit);
    Some(if issued { 0.0 } else { -0.2 } + written_loosely(s) + if split { -0.2 } else { 0.0 })
}

/// Both capitals and small letters: "CV34 but" is a postcode district and a word, not a plate.
fn mixed_case(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_uppercase()) && s.chars().any(|c| c.is_ascii_lowercase())
}

/// Plates written in small letters or with dots ("ns58 jrm", "OV.70.FCF") are still plates, but
/// so are fewer ordinary strings: they need the words around them.
fn written_loosely(s: &str) -> f32 {
    if s.chars().any(|c| c.is_ascii_lowercase()) || s.contains('.') { -0.2 } else { 0.0 }
}

/// A prefix-format registration (1983 to 2001): an age letter (never I, O, Q, U or Z), one to
/// three digits and three letters. Road numbers (M40, A46) followed by an ordinary word in
/// capitals are weeded out by the rule's stop words, not here.
pub(crate) fn vehicle_prefix(s: &str) -> Option<f32> {
    let c = dated_plate(s)?;
    let (b, n) = (c.as_bytes(), c.len());
    let issued = !b"IOQUZ".contains(&b[0]) && letters_allowed(&b[n - 3..], b"IQZ");
    dated_plate_score(s, &c[1..n - 3], issued)
}

/// A suffix-format registration (1963 to 1983): three letters, one to three digits and an age
/// letter (never I, O, Q, U or Z).
pub(crate) fn vehicle_suffix(s: &str) -> Option<f32> {
    let c = dated_plate(s)?;
    let (b, n) = (c.as_bytes(), c.len());
    let issued = letters_allowed(&b[..3], b"IQZ") && !b"IOQUZ".contains(&b[n - 1]);
    dated_plate_score(s, &c[3..n - 1], issued)
}

/// The letters and digits of a prefix- or suffix-format registration, in capitals: `None` when
/// it is written in both cases or they are not five to seven.
fn dated_plate(s: &str) -> Option<String> {
    if mixed_case(s) {
        return None;
    }
    let c: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    (5..=7).contains(&c.len()).then_some(c)
}

/// A prefix- or suffix-format registration's score: its number must be a number above zero; one
/// the DVLA would not issue, or one written loosely, needs the words around it.
fn dated_plate_score(s: &str, number: &str, issued: bool) -> Option<f32> {
    (number.parse::<u32>().ok()? > 0).then_some(if issued { 0.0 } else { -0.2 } + written_loosely(s))
}

/// Letters that look like a dateless registration ("ABC 123") but are abbreviations that
/// police posts write before a number.
const NOT_DATELESS: &[&str] = &[
    "CAD", "NHS", "DOB", "GMP", "MPS", "WMP", "BMW", "CRF", "RTC", "PNC", "HGV", "MOT", "SNT", "ASB", "PSD", "SUV",
    "UHC", "URN", "REF", "LOG", "TEL", "MOB", "FAX", "AGE", "SEC", "NPT", "SIO", "SOC", "PCS", "RPU", "ARV", "DMI",
    "GTI", "RSS", "XRS", "CVS", "KIA", "VAT", "ISO", "USB", "GPS", "APR", "JAN", "FEB", "MAR", "JUN", "JUL", "AUG",
    "SEP", "OCT", "NOV", "DEC", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "WMAS", "FBI",
];

/// A dateless registration (three letters and one to three digits, "ABC 123"), unless the
/// letters are a common abbreviation.
pub(crate) fn vehicle_dateless(s: &str) -> Option<f32> {
    let letters: String = s.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_uppercase();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let leading = s.starts_with(|c: char| c.is_ascii_alphabetic());
    // "ABC 123" and the shorter cherished forms "RE 6122", "1 KEV", "4263 TC": one to three
    // letters and one to four digits, never a unit, a time or a short word ("6 PM", "on 12").
    if !(1..=3).contains(&letters.len()) || !(1..=4).contains(&digits) || NOT_DATELESS.contains(&letters.as_str()) {
        return None;
    }
    if s.chars().any(|c| c.is_ascii_lowercase()) && SHORT_WORDS.contains(&letters.to_ascii_lowercase().as_str()) {
        return None;
    }
    // A postcode's inward half ("3GZ") and a model suffix ("6R") are not plates.
    if !leading && (letters.len() < 2 || (digits == 1 && letters.len() == 2)) {
        return None;
    }
    // The three-letter form has always been read; the shorter ones are written as plates less
    // often than they are other things, so they need the words around them and then some.
    let short = if leading && letters.len() == 3 { 0.0 } else { -0.1 };
    (!SHORT_WORDS.contains(&letters.to_ascii_lowercase().as_str()) || letters.len() == 3)
        .then_some(short + written_loosely(s))
}

/// Short words and units that stand next to a number in ordinary sentences.
const SHORT_WORDS: &[&str] = &[
    "a", "an", "am", "pm", "at", "on", "in", "to", "by", "of", "or", "and", "the", "for", "was", "are", "has", "had",
    "see", "his", "her", "its", "our", "you", "age", "aged", "no", "nos", "hr", "hrs", "mph", "km", "kg", "mg", "ml",
    "mm", "cm", "ft", "in", "lb", "lbs", "st", "nd", "rd", "th", "x", "v", "vs", "yr", "yrs", "min", "mins", "sec",
    "uk", "gb", "id", "tv", "pc", "ps", "dc", "ds", "di", "op", "ops", "ext", "tel", "fax", "mob", "jct", "j", "m",
    "a", "b", "bst", "gmt", "utc", "us", "we", "me", "up", "is", "it", "so", "do", "be", "if", "as", "all", "any",
    "per", "ref", "log", "cad", "urn", "dob", "nhs", "ni", "vat", "pa", "pw", "am", "mp", "hq", "cv", "b", "le", "ox",
    "gl", "wr", "nn", "dy", "ws", "st", "de", "ng", "kw", "mw", "kwh", "gbp", "eur", "usd", "k", "l", "p", "s", "t",
    "exp", "may", "apr", "jan", "feb", "mar", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "ver", "gen",
    // Colours and everyday words written before a year or a count ("a red 1972 MG", "saw 60
    // drivers", "via 101"), in small letters.
    "red", "tan", "saw", "via", "new", "old", "top", "two", "six", "ten", "one", "few", "got", "now", "out", "off",
    "set", "due", "won", "led", "ran", "hit", "cut",
];

/// A phone number valid under libphonenumber's metadata, national numbers read as UK ones.
/// Returns the national significant number so the caller can check the allowlist.
pub(crate) fn phone(s: &str) -> Option<String> {
    let d = digits(s);
    if d.len() < 9 || d.len() > 15 {
        return None;
    }
    let n = phonenumber::parse(Some(phonenumber::country::GB), s).ok()?;
    if !n.is_valid() {
        return None;
    }
    Some(format!("{}:{}", n.code().value(), n.national().value()))
}

/// The numbering plan of country code 44 (the United Kingdom, Guernsey, the Isle of Man and
/// Jersey) exactly as libphonenumber's metadata states it, compiled once with the pack. The
/// library looks its patterns up by their text in a shared cache on every call, which made a
/// phone number cost about 90,000 instructions; these are plain compiled patterns.
#[derive(Debug, Clone)]
pub(crate) struct UkNumbering {
    regions: Vec<Region>,
}

/// One region sharing country code 44, in the order libphonenumber tries them.
#[derive(Debug, Clone)]
struct Region {
    /// The leading digits that pick this region, when the metadata gives them.
    leading: Option<regex::Regex>,
    general: Kind,
    /// Fixed line, mobile, toll free, premium rate, shared cost, VoIP, personal, pager, UAN and
    /// voicemail: the types libphonenumber's `number_type` knows.
    kinds: Vec<Kind>,
}

/// A number type: the lengths it may have and the pattern its national number matches from
/// its first digit.
#[derive(Debug, Clone)]
struct Kind {
    lengths: Vec<u16>,
    pattern: regex::Regex,
}

impl Kind {
    fn new(d: &phonenumber::metadata::Descriptor) -> Result<Self, regex::Error> {
        Ok(Kind { lengths: d.possible_length().to_vec(), pattern: anchored(d.national_number().as_str())? })
    }

    /// libphonenumber's `Descriptor::is_match`: a possible length, and a match of the pattern
    /// that starts at the first digit.
    fn is_match(&self, nsn: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as u16))) && self.pattern.is_match(nsn)
    }
}

/// A metadata pattern matched from the start of the text, compiled as libphonenumber compiles
/// it (whitespace in the pattern ignored).
fn anchored(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})")).ignore_whitespace(true).build()
}

impl UkNumbering {
    pub(crate) fn new() -> Result<Self, String> {
        let db = &*phonenumber::metadata::DATABASE;
        let ids = db.region(&44u16).ok_or("libphonenumber has no regions for +44")?;
        let mut regions = Vec::new();
        for id in ids {
            let meta = db.by_id(id).ok_or_else(|| format!("libphonenumber has no metadata for {id}"))?;
            let d = meta.descriptors();
            let kinds = [
                d.premium_rate(),
                d.toll_free(),
                d.shared_cost(),
                d.voip(),
                d.personal_number(),
                d.pager(),
                d.uan(),
                d.voicemail(),
                d.fixed_line(),
                d.mobile(),
            ];
            let err = |e: regex::Error| format!("libphonenumber pattern for {id}: {e}");
            regions.push(Region {
                leading: meta.leading_digits().map(|l| anchored(l.as_str())).transpose().map_err(err)?,
                general: Kind::new(d.general()).map_err(err)?,
                kinds: kinds.into_iter().flatten().map(Kind::new).collect::<Result<_, _>>().map_err(err)?,
            });
        }
        Ok(UkNumbering { regions })
    }

    /// libphonenumber's `number_type(..) != Unknown` for a region.
    fn known(r: &Region, nsn: &str) -> bool {
        r.general.is_match(nsn) && r.kinds.iter().any(|k| k.is_match(nsn))
    }

    /// libphonenumber's `is_valid` for a national significant number under +44: the region is
    /// the first whose leading digits match (or, without leading digits, whose types know the
    /// number), and the number must be of one of that region's types.
    fn valid(&self, nsn: &str) -> bool {
        let region = match self.regions.as_slice() {
            [only] => Some(only),
            all => all.iter().find(|r| match &r.leading {
                Some(l) => l.is_match(nsn),
                None => Self::known(r, nsn),
            }),
        };
        region.is_some_and(|r| Self::known(r, nsn))
    }
}

/// [`phone`] for a number written in national form: only digits, spaces, dots, dashes and
/// brackets, starting with a 0 or a bracket, its first digit 0 and its second not. For these
/// libphonenumber (region GB) strips the 0 and validates the rest under +44, which is what
/// this does without parsing. `None` when the text is not of that form.
pub(crate) fn phone_national(uk: &UkNumbering, s: &str) -> Option<Option<String>> {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'0' | b'(')) || !b.iter().all(|c| c.is_ascii_digit() || b" .-()".contains(c)) {
        return None;
    }
    let d = digits(s);
    if d.len() < 9 || d.len() > 15 || !d.starts_with('0') || d[1..].starts_with('0') {
        return None;
    }
    let nsn = &d[1..];
    Some(uk.valid(nsn).then(|| format!("44:{nsn}")))
}

/// [`phone`], taking the national form's short cut when it applies.
pub(crate) fn phone_with(uk: &UkNumbering, s: &str) -> Option<String> {
    phone_national(uk, s).unwrap_or_else(|| phone(s))
}

/// Ofcom's numbers for TV and radio drama (07700 900000-900999, 01632 960000-960999, 020 7946
/// 0xxx, 0113-0161 496 0xxx, 0191 498 0xxx, 028 9649 6xxx, 029 2018 0xxx), as national
/// significant numbers without their last three digits. Ofcom keeps them unallocated so that
/// fiction, training material and examples can show a phone number, and libphonenumber calls
/// them invalid; written in a draft they stand for someone's number exactly as an allocated one
/// would. The non-geographic drama ranges (0306 999, 0808 157, 0909 879) are left out: those
/// ranges belong to organisations.
const DRAMA: [&str; 17] = [
    "7700900", "1632960", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960", "1184960", "1214960",
    "1314960", "1414960", "1514960", "1614960", "1914980", "2896496", "2920180",
];

/// The national significant number of a UK number written in national form ("07700 900123",
/// "(01632) 960 123") or international form ("+44 (0)7700 900123", "0044 7700 900123").
fn uk_nsn(s: &str) -> Option<String> {
    let d = digits(s);
    let rest = if s.trim_start().starts_with('+') {
        d.strip_prefix("44")?
    } else if let Some(r) = d.strip_prefix("0044") {
        r
    } else {
        d.strip_prefix('0').filter(|r| !r.starts_with('0'))?
    };
    // "+44 (0)7700 ..." keeps the national 0 in brackets.
    let rest = rest.strip_prefix('0').unwrap_or(rest);
    Some(rest.to_owned())
}

/// A number in one of Ofcom's drama ranges (see [`DRAMA`]), keyed as [`phone`] keys a number.
pub(crate) fn phone_drama(s: &str) -> Option<String> {
    let nsn = uk_nsn(s)?;
    let drama = nsn.len() == 10 && DRAMA.iter().any(|p| nsn.starts_with(p));
    drama.then(|| format!("44:{nsn}"))
}

/// A number written in international form ("+48 501 510 341", "0048 ...") with a plausible
/// length, or in the UK's national form (a 0, then ten or eleven digits in all), that the
/// numbering plan does not recognise: a mistyped, unallocated or made-up number is still
/// written as someone's number, and the words around it must say so.
pub(crate) fn phone_possible(s: &str) -> bool {
    let t = s.trim_start();
    let d = digits(s);
    let international = (t.starts_with('+') || t.starts_with("00")) && (10..=15).contains(&d.len());
    let national = !t.starts_with('+') && !d.starts_with("00") && d.starts_with('0') && (10..=11).contains(&d.len());
    international || national
}

/// The canonical form of an allowlisted phone number: national significant digits with the
/// country code, or the bare digits for short codes (999, 101, 111).
pub(crate) fn phone_key(s: &str) -> String {
    let d = digits(s);
    if d.len() >= 9
        && let Ok(n) = phonenumber::parse(Some(phonenumber::country::GB), s)
    {
        return format!("{}:{}", n.code().value(), n.national().value());
    }
    d
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A calendar date with a plausible day and month (numeric day/month/year, or a day and a
/// month name in either order).
pub(crate) fn date(s: &str) -> Option<f32> {
    let lower = s.to_ascii_lowercase();
    let nums: Vec<u32> =
        lower.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect();
    let month_name = MONTHS.iter().position(|m| lower.contains(m));
    let (day, month) = match month_name {
        // "03Mar1988", and "1988-Mar-03" with its year first.
        Some(m) => (*nums.iter().find(|&&n| n <= 31)?, m as u32 + 1),
        // ISO 8601: year, month, day.
        None if nums.len() >= 3 && nums[0] > 31 => (nums[2], nums[1]),
        None => (*nums.first()?, *nums.get(1)?),
    };
    ((1..=31).contains(&day) && (1..=12).contains(&month)).then_some(0.0)
}

/// An identifier that follows a reference cue ("ref", "quoting", "crime number"): at least four
/// digits in all, and not a year or a time on its own.
pub(crate) fn reference(s: &str) -> Option<f32> {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let year = s.len() == 4 && (s.starts_with("19") || s.starts_with("20"));
    (digits >= 4 && !year).then_some(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_insurance_numbers_follow_the_prefix_and_suffix_rules() {
        assert!(nino("JG 10 37 65 A").is_some());
        assert!(nino("jg103765b").is_some());
        assert_eq!(nino("JG103765"), Some(-0.3));
        assert!(nino("QQ 12 34 56 C").is_none(), "QQ is HMRC's example, never a person's");
        assert_eq!(nino("QA 12 34 56 C"), Some(-0.3), "Q is never a first letter: context needed");
        assert_eq!(nino("AO 12 34 56 C"), Some(-0.3), "O is never a second letter: context needed");
        assert_eq!(nino("GB 12 34 56 A"), Some(-0.3), "GB is never issued: context needed");
        assert!(nino("AB 12 34 56 E").is_none(), "suffix is A to D");
        assert!(nino("Jg103765A").is_none(), "mixed case is a word, not a number");
    }

    #[test]
    fn nhs_numbers_pass_modulus_eleven() {
        assert_eq!(nhs("943 476 5919"), Some(0.2));
        assert_eq!(nhs("9434765919"), Some(0.0));
        assert!(nhs("943 476 5918").is_none());
        assert!(nhs("0800 555 111").is_none());
    }

    #[test]
    fn cards_need_luhn_and_an_issuer_range() {
        assert!(card("4111 1111 1111 1111").is_some());
        assert!(card("5555-5555-5555-4444").is_some());
        assert!(card("3782 822463 10005").is_some());
        assert_eq!(card("4111 1111 1111 1112"), Some(-0.3), "fails Luhn: the words around it must say card");
        assert!(card("356938035643809").is_none(), "an IMEI is not a JCB card");
    }

    #[test]
    fn ibans_pass_modulus_ninety_seven() {
        assert!(iban("GB82 WEST 1234 5698 7654 32").is_some());
        assert_eq!(iban("GB82 WEST 1234 5698 7654 33"), Some(-0.3), "wrong check: the words must say bank");
        assert!(iban("GB82 WEST 1234 5698 7654").is_none(), "too short");
    }

    #[test]
    fn postcodes_follow_the_letter_position_rules() {
        for ok in ["CV34 4AB", "B1 1AA", "W1A 0AX", "EC1A 1BB", "M1 1AE", "cv34 6rd", "CV356RD"] {
            assert!(postcode(ok).is_some(), "{ok}");
        }
        for bad in ["CV34 4AC", "QV1 1AA", "CV34 4A", "AI1 1AA"] {
            assert!(postcode(bad).is_none(), "{bad}");
        }
        assert_eq!(postcode("Cv37 5br"), Some(-0.2), "mixed case is typed in a hurry: context needed");
    }

    #[test]
    fn vehicle_registrations_follow_the_dvla_formats() {
        assert!(vehicle_current("AB12 CDE").is_some());
        assert!(vehicle_current("YR73 XKF").is_some());
        assert_eq!(vehicle_current("AB32 CDE"), Some(-0.2), "no age identifier 32: context needed");
        assert_eq!(vehicle_current("QB12 CDE"), Some(-0.2));
        assert!(vehicle_current("CV34 but").is_none(), "mixed case is a district and a word");
        assert_eq!(vehicle_current("ns58 jrm"), Some(-0.2), "small letters need context");
        assert!(vehicle_prefix("P123 ABC").is_some());
        assert!(vehicle_prefix("A46 NOW").is_some(), "shape alone cannot tell; stop words do");
        assert_eq!(vehicle_prefix("I123 ABC"), Some(-0.2));
        assert!(vehicle_suffix("ABC 123T").is_some());
        assert_eq!(vehicle_suffix("ABC 123O"), Some(-0.2));
    }

    #[test]
    fn ofcom_drama_numbers_are_numbers_in_every_notation() {
        for n in [
            "07700 900123",
            "07700900123",
            "07700 900.384",
            "(01632) 960743",
            "+44 1632 960 217",
            "+44 (0)1632 960 318",
            "0044 7700 900418",
            "0 7 7 0 0 9 0 0 1 5 6",
            "020 7946 0276",
            "028 9649 6001",
        ] {
            assert!(phone_drama(n).is_some(), "{n}");
        }
        assert_eq!(phone_drama("07700 900123"), phone_drama("+44 7700 900123"));
        for n in ["07700 900123 4", "0808 157 0123", "01632 961123", "07700 901123", "00 7700 900123"] {
            assert!(phone_drama(n).is_none(), "{n}");
        }
    }

    #[test]
    fn phone_numbers_go_through_libphonenumber() {
        assert!(phone("07911 123456").is_some());
        assert!(phone("0121 496 0123").is_some());
        assert!(phone("+44 (0)1926 415000").is_some());
        assert!(phone("07700 900123").is_none(), "Ofcom drama range is unassigned");
        assert_eq!(phone_key("0800 555 111"), phone_key("+44 800 555 111"));
        assert_eq!(phone_key("101"), "101");
    }

    static UK: std::sync::LazyLock<UkNumbering> = std::sync::LazyLock::new(|| UkNumbering::new().unwrap());

    #[test]
    fn the_national_short_cut_gives_libphonenumbers_answer() {
        // Great Britain, Jersey, Guernsey and the Isle of Man share +44; the Ofcom drama range,
        // a number too short for its area code and one too long are not valid.
        for s in [
            "01926 415000",
            "(01926) 415000",
            "07911-123-456",
            "07911.123.456",
            "0121 496 0123",
            "0800 555 111",
            "01534 612612",
            "01481 725111",
            "01624 631212",
            "07797 712345",
            "07700 900123",
            "01926 41500",
            "01926 4150001",
            "0(1926) 415 000",
        ] {
            assert_eq!(phone_national(&UK, s), Some(phone(s)), "{s}");
        }
        assert_eq!(phone_national(&UK, "+44 1926 415000"), None, "international form is libphonenumber's");
        assert_eq!(phone_national(&UK, "0044 1926 415000"), None);
        assert_eq!(phone_national(&UK, "01926\t415000"), None, "only the separators reasoned about");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Whatever digits and separators follow, the short cut and libphonenumber agree.
        #[test]
        fn the_national_short_cut_agrees_with_libphonenumber(s in r"\(?0[1-9][0-9 .()\-]{5,16}") {
            if let Some(fast) = phone_national(&UK, &s) {
                proptest::prop_assert_eq!(fast, phone(&s), "{}", s);
            }
        }

        /// Numbers shaped like real ones (valid prefixes, the usual groupings) agree too.
        #[test]
        fn numbers_in_the_usual_groupings_agree(
            prefix in proptest::sample::select(vec!["01", "02", "03", "05", "07", "08", "09", "(01", "(02"]),
            rest in r"[0-9]{3,4}\)?[ .\-]?[0-9]{3}[ .\-]?[0-9]{2,4}",
        ) {
            let s = format!("{prefix}{rest}");
            if let Some(fast) = phone_national(&UK, &s) {
                proptest::prop_assert_eq!(fast, phone(&s), "{}", s);
            }
        }
    }

    #[test]
    fn references_need_four_digits_and_are_not_a_year() {
        assert!(reference("23/45678/24").is_some());
        assert!(reference("GMP-24-7788").is_some());
        assert!(reference("MPS-CAD 1234").is_some());
        assert!(reference("2024").is_none());
        assert!(reference("101").is_none());
        assert!(reference("AB12").is_none());
    }

    #[test]
    fn plates_the_dvla_would_not_issue_need_context() {
        assert_eq!(vehicle_current("AB12 CDE"), Some(0.0));
        assert_eq!(vehicle_current("ZT74 JWK"), Some(-0.2), "Z is never an area letter");
        assert_eq!(vehicle_current("PJ30 BVH"), Some(-0.2), "30 is not issued yet");
        assert_eq!(vehicle_prefix("K12 TCZ"), Some(-0.2));
        assert_eq!(vehicle_suffix("AKZ 23W"), Some(-0.2), "Z is never an area letter");
        assert!(vehicle_dateless("DDL 960").is_some());
        assert!(vehicle_dateless("CAD 187").is_none());
    }

    #[test]
    fn dates_need_a_real_day_and_month() {
        assert!(date("12/03/1985").is_some());
        assert!(date("3rd March 1990").is_some());
        assert!(date("March 3, 1990").is_some());
        assert!(date("1990-03-12").is_some(), "ISO 8601 is year, month, day");
        assert!(date("1990-13-12").is_none());
        assert!(date("3rd March 88").is_some());
        assert!(date("32/01/1990").is_none());
        assert!(date("12/13/1990").is_none());
    }
}
