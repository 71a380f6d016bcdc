//! Lawful business monitoring (WP034 3.3, 5.1-5.5): the verifiable random draw of people whose
//! devices are downloaded, the verification bundle anyone can re-run, the sample-size helper and
//! the state machine of each selected person's case, from consultation to the device's return.
//!
//! # The draw (WP034 5.4: "business areas and personnel chosen at random")
//!
//! The algorithm is fixed so that anyone can re-run it in any language from the bundle:
//!
//! 1. **Canonical population text**: one line per person, `BUSINESS_AREA_NAME` TAB
//!    `STAFF_NUMBER` LF, the lines sorted by their UTF-8 bytes.
//!    `population_hash` = lowercase hex SHA-256 of that text.
//! 2. `commitment` = lowercase hex SHA-256 of the secret's UTF-8 bytes, recorded when the round
//!    is created; the draw refuses a secret that does not open it.
//! 3. `seed` = lowercase hex SHA-256 of `population_hash` LF `beacon` LF `secret`.
//! 4. Each person's score = lowercase hex SHA-256 of `seed` LF `BUSINESS_AREA_NAME` LF
//!    `STAFF_NUMBER`.
//! 5. In each area, people in ascending score order: the first k (the area's sample size) are
//!    selected, everyone if there are fewer; the rest are that area's reserve list, in order.
//!
//! No line ends with a trailing LF except the lines of the population text. `selected` and
//! `reserve` carry one entry per area of `sample_sizes` (an empty list where nobody is left).
//! Area names, staff numbers, beacons and secrets may not contain control characters, so the
//! separators above are unambiguous.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// The draw

/// One person of a round's frozen population: their business area and staff number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Member {
    /// The business area's name, exactly as the register spells it.
    pub business_area: String,
    /// The person's staff number.
    pub staff_number: String,
}

impl Member {
    /// A member from its two fields.
    pub fn new(business_area: impl Into<String>, staff_number: impl Into<String>) -> Self {
        Self { business_area: business_area.into(), staff_number: staff_number.into() }
    }
}

/// Why a draw cannot be made (WP034 5.4). Each message names what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("beacon: enter the public random value chosen after the round was created")]
    EmptyBeacon,
    #[error("secret: enter the secret whose SHA-256 is the round's commitment")]
    EmptySecret,
    #[error("{field}: may not contain control characters (tab, line feed, ...)")]
    ControlCharacter { field: String },
    #[error("commitment: {0:?} is not 64 hexadecimal characters (a SHA-256)")]
    BadCommitment(String),
    #[error("secret: its SHA-256 is {opened}, which does not match the round's commitment {commitment}")]
    CommitmentNotOpened { commitment: String, opened: String },
    #[error("population: {staff_number} appears more than once")]
    Duplicate { staff_number: String },
    #[error("population: {staff_number}'s business area {business_area:?} has no sample size")]
    AreaNotInScope { business_area: String, staff_number: String },
    #[error("population: entry {index} has an empty business area or staff number")]
    EmptyMember { index: usize },
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn has_control(s: &str) -> bool {
    if s.is_ascii() { s.bytes().any(|b| b < 0x20 || b == 0x7f) } else { s.chars().any(char::is_control) }
}

/// The order of canonical lines: by the UTF-8 bytes of `AREA\tSTAFF`, compared without
/// building the lines.
fn canonical_cmp(a: &Member, b: &Member) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let (x, y) = (a.business_area.as_bytes(), b.business_area.as_bytes());
    let n = x.len().min(y.len());
    let next = match x[..n].cmp(&y[..n]) {
        Equal => match x.len().cmp(&y.len()) {
            Equal => return a.staff_number.as_bytes().cmp(b.staff_number.as_bytes()),
            // One area is a prefix of the other: the shorter line goes on with its tab.
            Less => b'\t'.cmp(&y[n]),
            Greater => x[n].cmp(&b'\t'),
        },
        o => return o,
    };
    if next != Equal {
        return next;
    }
    // Only an area name holding a tab gets here (the draw refuses those); compare exactly.
    fn line(m: &Member) -> impl Iterator<Item = u8> + '_ {
        m.business_area.bytes().chain(std::iter::once(b'\t')).chain(m.staff_number.bytes())
    }
    line(a).cmp(line(b))
}

/// Put members in the order of their canonical lines (the order the bundle lists them in).
pub fn sort_canonical(population: &mut [Member]) {
    population.sort_unstable_by(canonical_cmp);
}

/// The members in canonical order. When no area name holds a tab (the draw refuses those), a
/// line's order is its area's (as `AREA\t`) and then its staff number's, so sorting small
/// per-area groups gives the same order as sorting whole lines, many times faster.
fn sorted_refs(population: &[Member]) -> Vec<&Member> {
    if population.iter().any(|m| m.business_area.contains('\t')) {
        let mut refs: Vec<&Member> = population.iter().collect();
        refs.sort_unstable_by(|a, b| canonical_cmp(a, b));
        return refs;
    }
    let mut groups: HashMap<&str, Vec<&Member>> = HashMap::new();
    for m in population {
        groups.entry(m.business_area.as_str()).or_default().push(m);
    }
    let mut areas: Vec<(&str, Vec<&Member>)> = groups.into_iter().collect();
    areas.sort_unstable_by(|(a, _), (b, _)| {
        a.bytes().chain(std::iter::once(b'\t')).cmp(b.bytes().chain(std::iter::once(b'\t')))
    });
    let mut out = Vec::with_capacity(population.len());
    for (_, mut members) in areas {
        members.sort_unstable_by(|a, b| a.staff_number.as_bytes().cmp(b.staff_number.as_bytes()));
        out.extend(members);
    }
    out
}

fn hash_lines(sorted: &[&Member]) -> String {
    let mut h = Sha256::new();
    for m in sorted {
        h.update(m.business_area.as_bytes());
        h.update(b"\t");
        h.update(m.staff_number.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The canonical population text (step 1): sorted `AREA\tSTAFF\n` lines.
pub fn canonical_population(population: &[Member]) -> String {
    let refs = sorted_refs(population);
    let mut out = String::with_capacity(refs.iter().map(|m| m.business_area.len() + m.staff_number.len() + 2).sum());
    for m in refs {
        out.push_str(&m.business_area);
        out.push('\t');
        out.push_str(&m.staff_number);
        out.push('\n');
    }
    out
}

/// `population_hash` (step 1): lowercase hex SHA-256 of the canonical population text.
pub fn population_hash(population: &[Member]) -> String {
    hash_lines(&sorted_refs(population))
}

/// `commitment` (step 2): lowercase hex SHA-256 of the secret.
pub fn commitment_of(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// Check a commitment typed by a person: 64 hex digits, returned in lowercase.
pub fn parse_commitment(hex_text: &str) -> Result<String, DrawError> {
    let t = hex_text.trim();
    if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(DrawError::BadCommitment(t.to_string()))
    }
}

/// Refuse a secret that does not open the commitment (step 2).
pub fn check_commitment(commitment: &str, secret: &str) -> Result<(), DrawError> {
    let opened = commitment_of(secret);
    if opened.eq_ignore_ascii_case(commitment.trim()) {
        Ok(())
    } else {
        Err(DrawError::CommitmentNotOpened { commitment: commitment.to_string(), opened })
    }
}

/// `seed` (step 3).
pub fn seed(population_hash: &str, beacon: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(population_hash.as_bytes());
    h.update(b"\n");
    h.update(beacon.as_bytes());
    h.update(b"\n");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// One person's score (step 4), as lowercase hex.
pub fn score(seed: &str, business_area: &str, staff_number: &str) -> String {
    hex::encode(score_bytes(&seed_prefix(seed), business_area, staff_number))
}

fn seed_prefix(seed: &str) -> Sha256 {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b"\n");
    h
}

/// The raw score. Lowercase hex preserves byte order, so sorting these sorts the hex scores.
fn score_bytes(prefix: &Sha256, business_area: &str, staff_number: &str) -> [u8; 32] {
    let mut h = prefix.clone();
    h.update(business_area.as_bytes());
    h.update(b"\n");
    h.update(staff_number.as_bytes());
    h.finalize().into()
}

/// Check the population and the draw's public inputs before drawing.
pub fn check_inputs(
    population: &[Member],
    sample_sizes: &BTreeMap<String, u32>,
    beacon: &str,
    secret: &str,
) -> Result<(), DrawError> {
    if beacon.is_empty() {
        return Err(DrawError::EmptyBeacon);
    }
    if secret.is_empty() {
        return Err(DrawError::EmptySecret);
    }
    if has_control(beacon) {
        return Err(DrawError::ControlCharacter { field: "beacon".into() });
    }
    if has_control(secret) {
        return Err(DrawError::ControlCharacter { field: "secret".into() });
    }
    for area in sample_sizes.keys() {
        if area.is_empty() || has_control(area) {
            return Err(DrawError::ControlCharacter { field: format!("sample_sizes[{area:?}]") });
        }
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(population.len());
    for (index, m) in population.iter().enumerate() {
        if m.business_area.is_empty() || m.staff_number.is_empty() {
            return Err(DrawError::EmptyMember { index });
        }
        if has_control(&m.business_area) || has_control(&m.staff_number) {
            return Err(DrawError::ControlCharacter { field: format!("population[{index}]") });
        }
        if !seen.insert(&m.staff_number) {
            return Err(DrawError::Duplicate { staff_number: m.staff_number.clone() });
        }
        if !sample_sizes.contains_key(&m.business_area) {
            return Err(DrawError::AreaNotInScope {
                business_area: m.business_area.clone(),
                staff_number: m.staff_number.clone(),
            });
        }
    }
    Ok(())
}

/// What a draw produces: every derived value of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drawn {
    pub population_hash: String,
    pub seed: String,
    /// Area -> the first k staff numbers by ascending score.
    pub selected: BTreeMap<String, Vec<String>>,
    /// Area -> everyone else, in ascending score order: the order reserves are called on.
    pub reserve: BTreeMap<String, Vec<String>>,
}

/// Run the draw (steps 1, 3, 4 and 5). A pure function of its inputs: the order of
/// `population` does not matter. The commitment is checked separately ([`check_commitment`]).
pub fn draw(
    population: &[Member],
    sample_sizes: &BTreeMap<String, u32>,
    beacon: &str,
    secret: &str,
) -> Result<Drawn, DrawError> {
    draw_sorted(population, sample_sizes, beacon, secret).map(|(d, _)| d)
}

/// The draw, with the population in canonical order (sorted once, for the hash and the bundle).
fn draw_sorted<'a>(
    population: &'a [Member],
    sample_sizes: &BTreeMap<String, u32>,
    beacon: &str,
    secret: &str,
) -> Result<(Drawn, Vec<&'a Member>), DrawError> {
    check_inputs(population, sample_sizes, beacon, secret)?;
    let sorted = sorted_refs(population);
    let population_hash = hash_lines(&sorted);
    let seed = seed(&population_hash, beacon, secret);
    let prefix = seed_prefix(&seed);
    let mut by_area: HashMap<&str, Vec<([u8; 32], &str)>> = HashMap::with_capacity(sample_sizes.len());
    for m in &sorted {
        let s = score_bytes(&prefix, &m.business_area, &m.staff_number);
        by_area.entry(m.business_area.as_str()).or_default().push((s, m.staff_number.as_str()));
    }
    let mut selected = BTreeMap::new();
    let mut reserve = BTreeMap::new();
    for (area, &k) in sample_sizes {
        let mut people = by_area.remove(area.as_str()).unwrap_or_default();
        // Scores are SHA-256 values of distinct inputs; the staff number only makes the order
        // total in the (never observed) event of a collision.
        people.sort_unstable();
        let k = (k as usize).min(people.len());
        let rest = people.split_off(k);
        selected.insert(area.clone(), people.into_iter().map(|(_, sn)| sn.to_string()).collect());
        reserve.insert(area.clone(), rest.into_iter().map(|(_, sn)| sn.to_string()).collect());
    }
    Ok((Drawn { population_hash, seed, selected, reserve }, sorted))
}

/// The verification bundle `custodian monitoring export` writes and `verify` re-computes: the
/// inputs of the draw and everything derived from them (WP034 5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Everyone in the frozen population after exclusions, in canonical order.
    pub population: Vec<Member>,
    pub population_hash: String,
    pub commitment: String,
    pub beacon: String,
    pub secret: String,
    pub seed: String,
    /// Area -> k.
    pub sample_sizes: BTreeMap<String, u32>,
    pub selected: BTreeMap<String, Vec<String>>,
    pub reserve: BTreeMap<String, Vec<String>>,
}

impl Bundle {
    /// Draw and assemble the bundle, refusing a secret that does not open `commitment`.
    pub fn build(
        population: &[Member],
        sample_sizes: BTreeMap<String, u32>,
        commitment: &str,
        beacon: &str,
        secret: &str,
    ) -> Result<Self, DrawError> {
        check_commitment(commitment, secret)?;
        let (d, sorted) = draw_sorted(population, &sample_sizes, beacon, secret)?;
        Ok(Self {
            population: sorted.into_iter().cloned().collect(),
            population_hash: d.population_hash,
            commitment: commitment.to_ascii_lowercase(),
            beacon: beacon.to_string(),
            secret: secret.to_string(),
            seed: d.seed,
            sample_sizes,
            selected: d.selected,
            reserve: d.reserve,
        })
    }
}

/// One thing in a bundle that does not re-compute: the field (a JSON path) and both values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The bundle field, e.g. `seed` or `selected.Custody`.
    pub field: String,
    /// What the bundle records (absent when it records nothing).
    pub recorded: Option<String>,
    /// What re-computing gives, or why it cannot be re-computed.
    pub recomputed: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.recorded {
            Some(r) => write!(f, "{}: the bundle records {r}, re-computing gives {}", self.field, self.recomputed),
            None => write!(f, "{}: {}", self.field, self.recomputed),
        }
    }
}

fn list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// Re-compute a bundle from its inputs (population, beacon, secret, sample sizes) and name
/// everything that differs from what it records. Empty means the bundle is faithful.
pub fn verify_bundle(b: &Bundle) -> Vec<Difference> {
    let mut out = Vec::new();
    let drawn = draw(&b.population, &b.sample_sizes, &b.beacon, &b.secret);
    let ph = match &drawn {
        Ok(d) => d.population_hash.clone(),
        Err(_) => population_hash(&b.population),
    };
    if ph != b.population_hash {
        out.push(Difference {
            field: "population_hash".into(),
            recorded: Some(b.population_hash.clone()),
            recomputed: ph.clone(),
        });
    }
    let opened = commitment_of(&b.secret);
    if !opened.eq_ignore_ascii_case(&b.commitment) {
        out.push(Difference {
            field: "commitment".into(),
            recorded: Some(b.commitment.clone()),
            recomputed: format!("{opened} (the SHA-256 of the secret)"),
        });
    }
    let sd = seed(&ph, &b.beacon, &b.secret);
    if sd != b.seed {
        out.push(Difference { field: "seed".into(), recorded: Some(b.seed.clone()), recomputed: sd });
    }
    let d = match drawn {
        Ok(d) => d,
        Err(e) => {
            out.push(Difference {
                field: "selected".into(),
                recorded: None,
                recomputed: format!("cannot be re-computed: {e}"),
            });
            return out;
        }
    };
    for (name, recorded, recomputed) in [("selected", &b.selected, &d.selected), ("reserve", &b.reserve, &d.reserve)] {
        let areas: std::collections::BTreeSet<&String> = recorded.keys().chain(recomputed.keys()).collect();
        for area in areas {
            let field = format!("{name}.{area}");
            match (recorded.get(area), recomputed.get(area)) {
                (Some(r), Some(c)) if r != c => {
                    out.push(Difference { field, recorded: Some(list(r)), recomputed: list(c) })
                }
                (Some(r), None) => out.push(Difference {
                    field,
                    recorded: Some(list(r)),
                    recomputed: "nothing: the area has no sample size".into(),
                }),
                (None, Some(c)) => out.push(Difference {
                    field,
                    recorded: None,
                    recomputed: format!("missing; re-computing gives {}", list(c)),
                }),
                _ => {}
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Sample size

/// Why a sample size cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleSizeError {
    #[error("rate: {0} must be greater than 0 and at most 1 (a proportion, e.g. 0.05 for 5%)")]
    Rate(f64),
    #[error("confidence: {0} must be greater than 0 and less than 1 (e.g. 0.95)")]
    Confidence(f64),
    /// The sample needed is larger than any force's workforce ([`MAX_SAMPLE_SIZE`]).
    #[error(
        "rate: detecting a rate of {rate} with confidence {confidence} needs a sample of more than {max} people; \
         choose a larger rate or a lower confidence"
    )]
    TooLarge { rate: f64, confidence: f64, max: u64 },
}

/// The largest sample size [`sample_size`] answers: more people than any force employs, so a
/// larger answer could never be drawn (WP034 5.4 samples from the force's own staff).
pub const MAX_SAMPLE_SIZE: u64 = 1_000_000;

/// The smallest sample n that finds at least one case of misuse with probability `confidence`
/// when a proportion `rate` of people misuse their devices: n ≥ ln α / ln(1 − p), α = 1 −
/// confidence (WP034 5.4: sampling at random). Assumes a population much larger than n.
/// Answers at most [`MAX_SAMPLE_SIZE`], in a bounded number of steps for every input.
pub fn sample_size(rate: f64, confidence: f64) -> Result<u64, SampleSizeError> {
    if !(rate > 0.0 && rate <= 1.0) {
        return Err(SampleSizeError::Rate(rate));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SampleSizeError::Confidence(confidence));
    }
    if rate >= 1.0 {
        return Ok(1);
    }
    let too_large = SampleSizeError::TooLarge { rate, confidence, max: MAX_SAMPLE_SIZE };
    let alpha = 1.0 - confidence;
    let exact = alpha.ln() / (-rate).ln_1p();
    // NaN or infinite (a rate so small that ln(1 − p) rounds to nothing) fails this test too.
    if !(exact.is_finite() && exact <= MAX_SAMPLE_SIZE as f64) {
        return Err(too_large);
    }
    // Guard against rounding just above an integer (ln 0.25 / ln 0.5 = 2.0000000000000004).
    let mut n = (exact - 1e-9).ceil().clamp(1.0, MAX_SAMPLE_SIZE as f64) as u64;
    // The estimate is within a step or two of the answer; these loops only mend rounding, and
    // are bounded so that no input can keep them going.
    for _ in 0..64 {
        if n > 1 && miss_probability(rate, n - 1) <= alpha {
            n -= 1;
        } else {
            break;
        }
    }
    for _ in 0..64 {
        if miss_probability(rate, n) > alpha * (1.0 + 1e-12) {
            n = n.checked_add(1).filter(|n| *n <= MAX_SAMPLE_SIZE).ok_or(too_large.clone())?;
        } else {
            return Ok(n);
        }
    }
    Err(too_large)
}

/// The chance that a sample of `n` contains nobody misusing a device: (1 − p)^n.
pub fn miss_probability(rate: f64, n: u64) -> f64 {
    ((-rate).ln_1p() * n as f64).exp()
}

// ---------------------------------------------------------------------------------------------
// Each selected person's case

/// Where a selected person's case is (WP034 5.4). `Withdrawn` ends a case by a reasoned
/// decision, which calls the area's next reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Selected,
    Consulted,
    Mandated,
    HandedOver,
    Downloaded,
    Examined,
    Returned,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Self::Selected,
        Self::Consulted,
        Self::Mandated,
        Self::HandedOver,
        Self::Downloaded,
        Self::Examined,
        Self::Returned,
        Self::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Selected => "selected",
            Self::Consulted => "consulted",
            Self::Mandated => "mandated",
            Self::HandedOver => "handed_over",
            Self::Downloaded => "downloaded",
            Self::Examined => "examined",
            Self::Returned => "returned",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Selected => "Selected",
            Self::Consulted => "Consulted on availability",
            Self::Mandated => "Notice issued",
            Self::HandedOver => "Devices handed over",
            Self::Downloaded => "Downloaded",
            Self::Examined => "Examined",
            Self::Returned => "Devices returned",
            Self::Withdrawn => "Withdrawn (reserve called)",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
    /// Whether the case is over.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Returned | Self::Withdrawn)
    }
    /// Whether the force holds the person's devices.
    pub fn holds_devices(self) -> bool {
        matches!(self, Self::HandedOver | Self::Downloaded | Self::Examined)
    }
}

/// The facts about a case that its rules look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub stage: Stage,
    /// The hand-over slot PSD proposed (or the deferred one).
    pub slot: Option<OffsetDateTime>,
    /// The slot first proposed: a deferral is measured from it.
    pub first_slot: Option<OffsetDateTime>,
    /// Whether the one deferral has been used.
    pub deferred: bool,
    /// The Digital Media Investigator the case is assigned to.
    pub dmi: Option<Uuid>,
    /// The hand-over deadline set by the notice.
    pub deadline: Option<OffsetDateTime>,
    /// The devices the notice requires (every force device the person holds).
    pub devices: Vec<Uuid>,
    pub handed_over_at: Option<OffsetDateTime>,
    /// Whether a failure-to-provide referral is open (WP034 5.5).
    pub failure_referred: bool,
}

impl CaseState {
    /// A case as the draw creates it.
    pub fn selected() -> Self {
        Self {
            stage: Stage::Selected,
            slot: None,
            first_slot: None,
            deferred: false,
            dmi: None,
            deadline: None,
            devices: Vec::new(),
            handed_over_at: None,
            failure_referred: false,
        }
    }
}

/// The rule parameters a round publishes with its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// How far past the first proposed slot the one deferral may go (WP034 5.4: consulted on
    /// availability).
    pub deferral_days: u32,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self { deferral_days: 14 }
    }
}

/// One download of one device: its extraction's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    pub device: Uuid,
    /// Lowercase hex SHA-256 of the extraction image.
    pub sha256: String,
}

/// A step on a case. Each names the clause it carries out ([`Step::clause`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// PSD proposes when the devices are to be handed over.
    ProposeSlot { slot: OffsetDateTime },
    /// The person accepts the proposed slot.
    Accept,
    /// The person is unavailable: the slot moves once, to no later than the round's deferral
    /// window after the first proposed slot.
    Defer { to: OffsetDateTime, reason: String },
    /// The person declines the slot; they must say why. The notice may still follow.
    Refuse { reason: String },
    /// PSD assigns the Digital Media Investigator.
    AssignDmi { dmi: Uuid },
    /// The notice: hand over every force device with full access and password protection
    /// removed by the deadline.
    Mandate { deadline: OffsetDateTime, devices: Vec<Uuid> },
    /// The receipt: every device named in the notice, full access and passcode removal
    /// confirmed, who handed them and which DMI received them.
    HandOver { devices: Vec<Uuid>, full_access_confirmed: bool, handed_by: String, received_by: Uuid },
    /// The DMI's download: tool, version, one extraction hash per device, start and end.
    Download {
        tool: String,
        tool_version: String,
        extractions: Vec<Extraction>,
        started: OffsetDateTime,
        ended: OffsetDateTime,
    },
    /// The examination: no concerns (`None`), or concerns with a summary, which opens a conduct
    /// assessment referral.
    Examine { concerns: Option<String> },
    /// The devices go back to the person.
    Return { received_by: String },
    /// The devices were not handed over by the deadline: a conduct assessment referral.
    FailureToProvide,
    /// A recorded, reasoned decision to end the case and call the area's next reserve.
    Withdraw { reason: String },
}

impl Step {
    /// The step's name, as stored and audited (`monitoring.case.<name>`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProposeSlot { .. } => "propose_slot",
            Self::Accept => "accept",
            Self::Defer { .. } => "defer",
            Self::Refuse { .. } => "refuse",
            Self::AssignDmi { .. } => "assign_dmi",
            Self::Mandate { .. } => "mandate",
            Self::HandOver { .. } => "hand_over",
            Self::Download { .. } => "download",
            Self::Examine { .. } => "examine",
            Self::Return { .. } => "return",
            Self::FailureToProvide => "failure_to_provide",
            Self::Withdraw { .. } => "withdraw",
        }
    }

    /// The WP034 clause the step carries out: consultation, notice, hand-over, download and
    /// return are 5.4; concerns and failure to provide are assessed under 5.5.
    pub fn clause(&self) -> &'static str {
        match self {
            Self::Examine { concerns: Some(_) } | Self::FailureToProvide => "5.5",
            _ => "5.4",
        }
    }

    /// Whether the step is a custody step (a device changes hands or is worked on) that the
    /// DMI signs.
    pub fn is_custody(&self) -> bool {
        matches!(self, Self::HandOver { .. } | Self::Download { .. } | Self::Examine { .. } | Self::Return { .. })
    }

    /// Whether the step is the selected person's answer on availability.
    pub fn is_response(&self) -> bool {
        matches!(self, Self::Accept | Self::Defer { .. } | Self::Refuse { .. })
    }
}

/// The kinds of conduct assessment referral a case opens (WP034 5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    FailureToProvide,
    ConcernsIdentified,
}

impl ReferralKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FailureToProvide => "failure_to_provide",
            Self::ConcernsIdentified => "concerns_identified",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::FailureToProvide => "Failure to provide the device",
            Self::ConcernsIdentified => "Concerns identified from the download",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::FailureToProvide, Self::ConcernsIdentified].into_iter().find(|k| k.as_str() == s)
    }
}

/// What the store must do besides saving the new state, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Record these devices as in examination (WP034 5.4).
    DevicesToExamination(Vec<Uuid>),
    /// Give these devices back to the case's person (allocated again).
    DevicesReturned(Vec<Uuid>),
    /// Open a conduct assessment referral (WP034 5.5).
    OpenReferral { kind: ReferralKind, summary: String },
    /// Open a case for the area's next reserve.
    CallNextReserve,
}

/// A step's outcome: the new state and what else must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: CaseState,
    pub effects: Vec<Effect>,
}

/// Why a step was refused. Messages cite the clause and name the field to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case that is {} cannot take the step {step:?}", .stage.label().to_lowercase())]
    WrongStage { stage: Stage, step: &'static str },
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

/// People enter download times to the minute, so they are compared with the recorded hand-over
/// and the clock to within this much.
pub const TIME_TOLERANCE: Duration = Duration::minutes(1);

fn invalid(field: &'static str, message: impl Into<String>) -> CaseError {
    CaseError::Invalid { field, message: message.into() }
}

fn need_reason(field: &'static str, reason: &str, why: &str) -> Result<(), CaseError> {
    if reason.trim().is_empty() { Err(invalid(field, why)) } else { Ok(()) }
}

fn same_devices(a: &[Uuid], b: &[Uuid]) -> bool {
    let a: HashSet<&Uuid> = a.iter().collect();
    let b: HashSet<&Uuid> = b.iter().collect();
    a == b
}

/// Apply `step` to a case at time `now` under the round's `rules`. Pure: the store persists
/// the returned state and carries out the effects in one transaction with the audit event.
pub fn apply(state: &CaseState, step: &Step, rules: &CaseRules, now: OffsetDateTime) -> Result<Transition, CaseError> {
    use Stage::*;
    let wrong = || CaseError::WrongStage { stage: state.stage, step: step.name() };
    let mut next = state.clone();
    let mut effects = Vec::new();
    match step {
        Step::ProposeSlot { slot } => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            if *slot <= now {
                return Err(invalid("slot", "propose a time in the future"));
            }
            next.slot = Some(*slot);
            next.first_slot = Some(state.first_slot.unwrap_or(*slot));
        }
        Step::Accept => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            if state.slot.is_none() {
                return Err(invalid("slot", "there is no proposed slot to accept yet"));
            }
            next.stage = Consulted;
        }
        Step::Defer { to, reason } => {
            if !matches!(state.stage, Selected | Consulted) {
                return Err(wrong());
            }
            if state.deferred {
                return Err(invalid("to", "the one deferral the rule allows has been used (WP034 5.4)"));
            }
            let (Some(slot), Some(first)) = (state.slot, state.first_slot) else {
                return Err(invalid("to", "there is no proposed slot to defer yet"));
            };
            need_reason("reason", reason, "say why the slot is not possible")?;
            let latest = first + Duration::days(i64::from(rules.deferral_days));
            if *to <= slot {
                return Err(invalid("to", "a deferral moves the slot to a later time"));
            }
            if *to > latest {
                return Err(invalid(
                    "to",
                    format!(
                        "the rule allows a deferral of at most {} days after the first proposed slot",
                        rules.deferral_days
                    ),
                ));
            }
            next.slot = Some(*to);
            next.deferred = true;
            next.stage = Consulted;
        }
        Step::Refuse { reason } => {
            if !matches!(state.stage, Selected) {
                return Err(wrong());
            }
            need_reason("reason", reason, "a refusal needs a reason (WP034 5.4)")?;
            next.stage = Consulted;
        }
        Step::AssignDmi { dmi } => {
            if state.stage.is_closed() || state.stage.holds_devices() {
                return Err(wrong());
            }
            next.dmi = Some(*dmi);
        }
        Step::Mandate { deadline, devices } => {
            if !matches!(state.stage, Consulted) {
                return Err(wrong());
            }
            if *deadline <= now {
                return Err(invalid("deadline", "the deadline must be in the future"));
            }
            if devices.is_empty() {
                return Err(invalid("devices", "the person holds no allocated force device to hand over"));
            }
            next.stage = Mandated;
            next.deadline = Some(*deadline);
            next.devices = devices.clone();
        }
        Step::HandOver { devices, full_access_confirmed, handed_by, received_by } => {
            if !matches!(state.stage, Mandated) {
                return Err(wrong());
            }
            if !full_access_confirmed {
                return Err(invalid(
                    "full_access_confirmed",
                    "confirm the devices were handed over with full access and password protection removed (WP034 5.4)",
                ));
            }
            if handed_by.trim().is_empty() {
                return Err(invalid("handed_by", "say who handed the devices over"));
            }
            if !same_devices(devices, &state.devices) {
                return Err(invalid(
                    "devices",
                    "the notice requires every force device it names to be handed over, and only those",
                ));
            }
            next.stage = HandedOver;
            next.dmi = Some(*received_by);
            next.handed_over_at = Some(now);
            effects.push(Effect::DevicesToExamination(state.devices.clone()));
        }
        Step::Download { tool, tool_version, extractions, started, ended } => {
            if !matches!(state.stage, HandedOver) {
                return Err(wrong());
            }
            if tool.trim().is_empty() {
                return Err(invalid("tool", "name the extraction tool"));
            }
            if tool_version.trim().is_empty() {
                return Err(invalid("tool_version", "give the tool's version"));
            }
            if started > ended {
                return Err(invalid("ended", "the download cannot end before it started"));
            }
            if *ended > now + TIME_TOLERANCE {
                return Err(invalid("ended", "the download cannot end in the future"));
            }
            if state.handed_over_at.is_some_and(|h| *started < h - TIME_TOLERANCE) {
                return Err(invalid("started", "the download cannot start before the devices were handed over"));
            }
            for e in extractions {
                if e.sha256.len() != 64 || !e.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(invalid(
                        "extractions",
                        format!("the SHA-256 for device {} is not 64 hexadecimal characters", e.device),
                    ));
                }
            }
            let got: Vec<Uuid> = extractions.iter().map(|e| e.device).collect();
            if got.len() != state.devices.len() || !same_devices(&got, &state.devices) {
                return Err(invalid("extractions", "give one extraction SHA-256 for each device handed over"));
            }
            next.stage = Downloaded;
        }
        Step::Examine { concerns } => {
            if !matches!(state.stage, Downloaded) {
                return Err(wrong());
            }
            if let Some(summary) = concerns {
                need_reason("concerns", summary, "summarise the concerns identified (WP034 5.5)")?;
                effects.push(Effect::OpenReferral {
                    kind: ReferralKind::ConcernsIdentified,
                    summary: summary.trim().to_string(),
                });
            }
            next.stage = Examined;
        }
        Step::Return { received_by } => {
            if !matches!(state.stage, Examined) {
                return Err(wrong());
            }
            if received_by.trim().is_empty() {
                return Err(invalid("received_by", "say who received the devices back"));
            }
            next.stage = Returned;
            effects.push(Effect::DevicesReturned(state.devices.clone()));
        }
        Step::FailureToProvide => {
            if !matches!(state.stage, Mandated) {
                return Err(wrong());
            }
            let Some(deadline) = state.deadline else { return Err(wrong()) };
            if now <= deadline {
                return Err(invalid(
                    "deadline",
                    "failure to provide can only be recorded after the hand-over deadline (WP034 5.5)",
                ));
            }
            if state.failure_referred {
                return Err(invalid("deadline", "a failure-to-provide referral is already open"));
            }
            next.failure_referred = true;
            effects.push(Effect::OpenReferral {
                kind: ReferralKind::FailureToProvide,
                summary: format!("Devices not handed over by the deadline of {}", deadline.date()),
            });
        }
        Step::Withdraw { reason } => {
            if !matches!(state.stage, Selected | Consulted | Mandated) {
                return Err(wrong());
            }
            need_reason("reason", reason, "record the reason for calling the next reserve (WP034 5.4)")?;
            next.stage = Withdrawn;
            effects.push(Effect::CallNextReserve);
        }
    }
    Ok(Transition { state: next, effects })
}

/// Whether a mandated case is past its hand-over deadline without a referral yet: the sweep
/// that opens failure-to-provide referrals looks for these (WP034 5.5).
pub fn overdue(state: &CaseState, now: OffsetDateTime) -> bool {
    state.stage == Stage::Mandated && !state.failure_referred && state.deadline.is_some_and(|d| now > d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn pop(v: &[(&str, &str)]) -> Vec<Member> {
        v.iter().map(|(a, s)| Member::new(*a, *s)).collect()
    }

    fn sizes(v: &[(&str, u32)]) -> BTreeMap<String, u32> {
        v.iter().map(|(a, k)| (a.to_string(), *k)).collect()
    }

    #[test]
    fn the_canonical_text_sorts_lines_by_their_bytes_and_ends_each_with_a_line_feed() {
        let p = pop(&[("Zeta", "A2"), ("Alpha", "B1"), ("Alpha", "A1"), ("alpha", "C1")]);
        assert_eq!(canonical_population(&p), "Alpha\tA1\nAlpha\tB1\nZeta\tA2\nalpha\tC1\n");
        assert_eq!(population_hash(&p), sha256_hex(canonical_population(&p).as_bytes()));
        assert_eq!(population_hash(&[]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_known_draw_gives_the_values_coreutils_gives() {
        // printf 'Ops\tA1\nOps\tA2\n' | sha256sum, then the seed and score the same way.
        let p = pop(&[("Ops", "A2"), ("Ops", "A1")]);
        let ph = "52b09466fb79688f88340e8da207b11931213e875b50a70f38e6dc2809b6d789";
        assert_eq!(population_hash(&p), ph);
        let s = seed(ph, "beacon", "secret");
        assert_eq!(s, "890b206b3db9d511755e53793cb8fb3024553eadd822d53bd796097312b908c0");
        assert_eq!(score(&s, "Ops", "A1"), "62ce8e8bb483ef63e14a9b97ac77ea050f689725584b5a0f33349e4189090c34");
        assert_eq!(commitment_of("secret"), "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
    }

    #[test]
    fn the_first_k_by_score_are_selected_and_the_rest_are_the_reserve_in_order() {
        let p = pop(&[("Ops", "A1"), ("Ops", "A2"), ("Ops", "A3"), ("Ops", "A4"), ("Custody", "C1")]);
        let d = draw(&p, &sizes(&[("Ops", 2), ("Custody", 3), ("Empty", 1)]), "b", "s").unwrap();
        let sd = seed(&population_hash(&p), "b", "s");
        let mut ops: Vec<(String, &str)> =
            ["A1", "A2", "A3", "A4"].iter().map(|sn| (score(&sd, "Ops", sn), *sn)).collect();
        ops.sort();
        let order: Vec<String> = ops.iter().map(|(_, sn)| sn.to_string()).collect();
        assert_eq!(d.selected["Ops"], order[..2]);
        assert_eq!(d.reserve["Ops"], order[2..]);
        assert_eq!(d.selected["Custody"], vec!["C1".to_string()], "everyone when fewer than k");
        assert!(d.reserve["Custody"].is_empty());
        assert!(d.selected["Empty"].is_empty() && d.reserve["Empty"].is_empty(), "every area of sample_sizes appears");
    }

    #[test]
    fn the_draw_refuses_bad_inputs_naming_the_field() {
        let s = sizes(&[("Ops", 1)]);
        assert_eq!(draw(&pop(&[("Ops", "A1")]), &s, "", "x"), Err(DrawError::EmptyBeacon));
        assert_eq!(draw(&pop(&[("Ops", "A1")]), &s, "b", ""), Err(DrawError::EmptySecret));
        assert!(matches!(draw(&pop(&[("Ops", "A1")]), &s, "b\n", "x"), Err(DrawError::ControlCharacter { .. })));
        assert!(matches!(
            draw(&pop(&[("O\tps", "A1")]), &sizes(&[("O\tps", 1)]), "b", "x"),
            Err(DrawError::ControlCharacter { .. })
        ));
        assert!(matches!(draw(&pop(&[("Ops", "A1"), ("Ops", "A1")]), &s, "b", "x"), Err(DrawError::Duplicate { .. })));
        assert!(matches!(
            draw(&pop(&[("Ops", "A1"), ("Custody", "A1")]), &sizes(&[("Ops", 1), ("Custody", 1)]), "b", "x"),
            Err(DrawError::Duplicate { .. })
        ));
        assert!(matches!(draw(&pop(&[("Elsewhere", "A1")]), &s, "b", "x"), Err(DrawError::AreaNotInScope { .. })));
        assert!(matches!(draw(&pop(&[("Ops", "")]), &s, "b", "x"), Err(DrawError::EmptyMember { index: 0 })));
    }

    #[test]
    fn a_secret_that_does_not_open_the_commitment_is_refused() {
        let c = commitment_of("the secret");
        assert!(check_commitment(&c, "the secret").is_ok());
        assert!(check_commitment(&c.to_ascii_uppercase(), "the secret").is_ok());
        assert!(matches!(check_commitment(&c, "another"), Err(DrawError::CommitmentNotOpened { .. })));
        assert!(Bundle::build(&pop(&[("Ops", "A1")]), sizes(&[("Ops", 1)]), &c, "b", "another").is_err());
        assert_eq!(parse_commitment(&format!(" {} ", c.to_ascii_uppercase())), Ok(c.clone()));
        assert!(parse_commitment("abc").is_err());
        assert!(parse_commitment(&"g".repeat(64)).is_err());
    }

    #[test]
    fn a_faithful_bundle_verifies_and_survives_json() {
        let p = pop(&[("Ops", "A1"), ("Ops", "A2"), ("Custody", "C1"), ("Custody", "C2")]);
        let b = Bundle::build(&p, sizes(&[("Ops", 1), ("Custody", 1)]), &commitment_of("s"), "beacon 42", "s").unwrap();
        assert!(verify_bundle(&b).is_empty());
        let json = serde_json::to_value(&b).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = [
            "population",
            "population_hash",
            "commitment",
            "beacon",
            "secret",
            "seed",
            "sample_sizes",
            "selected",
            "reserve",
        ];
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(json["population"][0], serde_json::json!({"business_area": "Custody", "staff_number": "C1"}));
        let back: Bundle = serde_json::from_value(json).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn verification_names_each_field_that_differs() {
        let p = pop(&[("Ops", "A1"), ("Ops", "A2"), ("Ops", "A3")]);
        let b = Bundle::build(&p, sizes(&[("Ops", 1)]), &commitment_of("s"), "b", "s").unwrap();
        let fields = |b: &Bundle| verify_bundle(b).into_iter().map(|d| d.field).collect::<Vec<_>>();

        let mut swapped = b.clone();
        let first = swapped.reserve.get_mut("Ops").unwrap().remove(0);
        let chosen = std::mem::replace(&mut swapped.selected.get_mut("Ops").unwrap()[0], first);
        swapped.reserve.get_mut("Ops").unwrap().insert(0, chosen);
        assert_eq!(fields(&swapped), vec!["selected.Ops", "reserve.Ops"]);

        let mut other_secret = b.clone();
        other_secret.secret = "t".into();
        assert_eq!(fields(&other_secret)[..2], ["commitment".to_string(), "seed".to_string()]);

        let mut dropped = b.clone();
        dropped.population.pop();
        assert_eq!(fields(&dropped)[..2], ["population_hash".to_string(), "seed".to_string()]);

        let mut hash = b.clone();
        hash.population_hash = "0".repeat(64);
        assert_eq!(fields(&hash), vec!["population_hash"]);

        let mut extra = b.clone();
        extra.selected.insert("Elsewhere".into(), vec!["Z9".into()]);
        assert_eq!(fields(&extra), vec!["selected.Elsewhere"]);

        let mut duplicate = b.clone();
        duplicate.population.push(Member::new("Ops", "A1"));
        let d = verify_bundle(&duplicate);
        assert!(d.iter().any(|d| d.field == "selected" && d.recomputed.contains("more than once")), "{d:?}");
        assert!(d.iter().all(|d| !d.to_string().is_empty()));
    }

    #[test]
    fn the_sample_size_meets_the_confidence_and_no_smaller_sample_does() {
        assert_eq!(sample_size(0.05, 0.95), Ok(59));
        assert_eq!(sample_size(0.01, 0.95), Ok(299));
        assert_eq!(sample_size(0.5, 0.75), Ok(2), "exact ratios are not rounded up");
        assert_eq!(sample_size(1.0, 0.99), Ok(1));
        assert!(matches!(sample_size(0.0, 0.95), Err(SampleSizeError::Rate(_))));
        assert!(matches!(sample_size(f64::NAN, 0.95), Err(SampleSizeError::Rate(_))));
        assert!(matches!(sample_size(0.1, 1.0), Err(SampleSizeError::Confidence(_))));
    }

    #[test]
    fn sample_sizes_too_large_to_draw_are_refused_not_searched_for() {
        // A rate so small that ln(1 − p) is all but zero: the search used to saturate and wrap.
        let e = sample_size(1e-300, 0.9999999999999999).unwrap_err();
        assert!(matches!(e, SampleSizeError::TooLarge { .. }), "{e:?}");
        assert!(e.to_string().starts_with("rate: "), "the message names the field: {e}");
        assert!(matches!(sample_size(f64::MIN_POSITIVE, 0.5), Err(SampleSizeError::TooLarge { .. })));
        assert!(matches!(sample_size(1e-7, 0.99), Err(SampleSizeError::TooLarge { .. })));
        assert_eq!(sample_size(1e-5, 0.99), Ok(460_515));
    }

    // ---- property tests of the draw ----------------------------------------------------------

    fn any_population() -> impl Strategy<Value = (Vec<Member>, BTreeMap<String, u32>)> {
        let areas = prop::collection::btree_set("[A-Z][a-z]{0,6}( [A-Z][a-z]{0,5})?", 1..5);
        areas.prop_flat_map(|areas| {
            let areas: Vec<String> = areas.into_iter().collect();
            let n = areas.len();
            (
                Just(areas.clone()),
                prop::collection::btree_set("[A-Z][0-9]{1,5}", 0..40),
                prop::collection::vec(0usize..n, 40),
                prop::collection::vec(0u32..6, n),
            )
                .prop_map(|(areas, staff, which, ks)| {
                    let members =
                        staff.into_iter().zip(which).map(|(sn, i)| Member::new(areas[i].clone(), sn)).collect();
                    let sizes = areas.into_iter().zip(ks).collect();
                    (members, sizes)
                })
        })
    }

    proptest! {
        // Any two numbers, from the whole f64 range (NaN, infinities, subnormals included).
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn sample_size_answers_quickly_for_every_pair_of_numbers(rate in any::<f64>(), confidence in any::<f64>()) {
            let started = std::time::Instant::now();
            if let Ok(n) = sample_size(rate, confidence) {
                prop_assert!((1..=MAX_SAMPLE_SIZE).contains(&n));
            }
            prop_assert!(started.elapsed() < std::time::Duration::from_millis(50));
        }

        #[test]
        fn sample_size_answers_quickly_for_tiny_rates_and_extreme_confidence(
            rate in prop_oneof![0.0f64..1e-3, Just(f64::MIN_POSITIVE), Just(1e-300), Just(5e-324)],
            confidence in prop_oneof![0.999f64..1.0, Just(0.9999999999999999), Just(1.0 - f64::EPSILON)],
        ) {
            let started = std::time::Instant::now();
            if let Ok(n) = sample_size(rate, confidence) {
                prop_assert!((1..=MAX_SAMPLE_SIZE).contains(&n));
            }
            prop_assert!(started.elapsed() < std::time::Duration::from_millis(50));
        }

    }

    fn printable() -> impl Strategy<Value = String> {
        "[ -~]{1,24}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn the_canonical_order_is_the_byte_order_of_whole_lines(
            people in prop::collection::vec(("(Ops|Ops |Ops X|OpsX|Öps|O\tps|)", "[A-Z]?[0-9]{0,2}"), 0..30)
        ) {
            let p: Vec<Member> = people.into_iter().map(|(a, s)| Member::new(a, s)).collect();
            let mut lines: Vec<String> = p.iter().map(|m| format!("{}\t{}\n", m.business_area, m.staff_number)).collect();
            lines.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            prop_assert_eq!(canonical_population(&p), lines.concat());
            let mut q = p.clone();
            sort_canonical(&mut q);
            prop_assert_eq!(canonical_population(&q), lines.concat());
        }

        #[test]
        fn the_draw_is_a_pure_function_of_the_bundle((p, k) in any_population(), beacon in printable(), secret in printable()) {
            let b = Bundle::build(&p, k.clone(), &commitment_of(&secret), &beacon, &secret).unwrap();
            prop_assert!(verify_bundle(&b).is_empty());
            let again = Bundle::build(&b.population, b.sample_sizes.clone(), &b.commitment, &b.beacon, &b.secret).unwrap();
            prop_assert_eq!(again, b);
        }

        #[test]
        fn the_order_in_which_people_are_stored_never_matters((p, k) in any_population(), shuffle in any::<u64>()) {
            let mut q = p.clone();
            // A deterministic shuffle driven by the generated value.
            let mut x = shuffle | 1;
            for i in (1..q.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                q.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(draw(&p, &k, "b", "s").unwrap(), draw(&q, &k, "b", "s").unwrap());
            prop_assert_eq!(canonical_population(&p), canonical_population(&q));
        }

        #[test]
        fn changing_any_input_changes_the_result(
            (p, k) in any_population(), beacon in printable(), secret in printable(), tweak in 0u8..4
        ) {
            prop_assume!(!p.is_empty());
            let base = draw(&p, &k, &beacon, &secret).unwrap();
            let changed = match tweak {
                0 => draw(&p, &k, &format!("{beacon}x"), &secret).unwrap(),
                1 => draw(&p, &k, &beacon, &format!("{secret}x")).unwrap(),
                2 => draw(&p[1..], &k, &beacon, &secret).unwrap(),
                _ => {
                    let mut q = p.clone();
                    q[0].staff_number.push('9');
                    prop_assume!(q.iter().filter(|m| m.staff_number == q[0].staff_number).count() == 1);
                    draw(&q, &k, &beacon, &secret).unwrap()
                }
            };
            // Every input reaches the seed, and so every score.
            prop_assert_ne!(&changed.seed, &base.seed);
            if tweak >= 2 {
                prop_assert_ne!(&changed.population_hash, &base.population_hash);
            }
        }

        #[test]
        fn every_person_is_selected_or_reserve_exactly_once((p, k) in any_population()) {
            let d = draw(&p, &k, "b", "s").unwrap();
            let mut all: Vec<String> = d.selected.values().chain(d.reserve.values()).flatten().cloned().collect();
            all.sort();
            let mut expected: Vec<String> = p.iter().map(|m| m.staff_number.clone()).collect();
            expected.sort();
            prop_assert_eq!(all, expected);
            for (area, n) in &k {
                let in_area = p.iter().filter(|m| &m.business_area == area).count();
                prop_assert_eq!(d.selected[area].len(), (*n as usize).min(in_area));
            }
        }

        #[test]
        fn an_independent_implementation_of_the_published_algorithm_agrees(
            (p, k) in any_population(), beacon in printable(), secret in printable()
        ) {
            // Written from the algorithm's description alone: strings all the way, no shared code.
            fn h(text: &str) -> String {
                let digest = Sha256::digest(text.as_bytes());
                digest.iter().map(|b| format!("{b:02x}")).collect()
            }
            let mut lines: Vec<Vec<u8>> = p.iter().map(|m| format!("{}\t{}\n", m.business_area, m.staff_number).into_bytes()).collect();
            lines.sort();
            let text = String::from_utf8(lines.concat()).unwrap();
            let population_hash = h(&text);
            let seed = h(&[population_hash.as_str(), beacon.as_str(), secret.as_str()].join("\n"));
            let mut scored: Vec<(String, String, String)> = p
                .iter()
                .map(|m| (m.business_area.clone(), h(&format!("{seed}\n{}\n{}", m.business_area, m.staff_number)), m.staff_number.clone()))
                .collect();
            scored.sort();
            let mut selected: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut reserve: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (area, n) in &k {
                let people: Vec<String> = scored.iter().filter(|(a, _, _)| a == area).map(|(_, _, sn)| sn.clone()).collect();
                let cut = (*n as usize).min(people.len());
                selected.insert(area.clone(), people[..cut].to_vec());
                reserve.insert(area.clone(), people[cut..].to_vec());
            }

            let b = Bundle::build(&p, k.clone(), &commitment_of(&secret), &beacon, &secret).unwrap();
            prop_assert_eq!(&b.population_hash, &population_hash);
            prop_assert_eq!(&b.commitment, &h(&secret));
            prop_assert_eq!(&b.seed, &seed);
            prop_assert_eq!(&b.selected, &selected);
            prop_assert_eq!(&b.reserve, &reserve);
        }

        #[test]
        fn sample_sizes_are_minimal(rate in 0.001f64..0.999, confidence in 0.01f64..0.999) {
            let n = sample_size(rate, confidence).unwrap();
            let alpha = 1.0 - confidence;
            prop_assert!(miss_probability(rate, n) <= alpha * (1.0 + 1e-9));
            if n > 1 {
                prop_assert!(miss_probability(rate, n - 1) > alpha);
            }
        }
    }

    // ---- the case state machine ------------------------------------------------------------

    const T0: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn rules() -> CaseRules {
        CaseRules { deferral_days: 7 }
    }

    fn dev(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn step(s: &CaseState, st: Step, now: OffsetDateTime) -> Result<Transition, CaseError> {
        apply(s, &st, &rules(), now)
    }

    fn run(steps: &[(Step, OffsetDateTime)]) -> Result<(CaseState, Vec<Effect>), CaseError> {
        let mut s = CaseState::selected();
        let mut effects = Vec::new();
        for (st, at) in steps {
            let t = step(&s, st.clone(), *at)?;
            s = t.state;
            effects.extend(t.effects);
        }
        Ok((s, effects))
    }

    fn to_mandated() -> Vec<(Step, OffsetDateTime)> {
        vec![
            (Step::ProposeSlot { slot: T0 + Duration::days(3) }, T0),
            (Step::Accept, T0 + Duration::hours(1)),
            (
                Step::Mandate { deadline: T0 + Duration::days(3), devices: vec![dev(1), dev(2)] },
                T0 + Duration::hours(2),
            ),
        ]
    }

    fn hand_over(at: OffsetDateTime) -> (Step, OffsetDateTime) {
        (
            Step::HandOver {
                devices: vec![dev(2), dev(1)],
                full_access_confirmed: true,
                handed_by: "A1017".into(),
                received_by: dev(99),
            },
            at,
        )
    }

    fn download(at: OffsetDateTime) -> (Step, OffsetDateTime) {
        let extractions = vec![
            Extraction { device: dev(1), sha256: "a".repeat(64) },
            Extraction { device: dev(2), sha256: "b".repeat(64) },
        ];
        (
            Step::Download {
                tool: "Cellebrite UFED".into(),
                tool_version: "7.69".into(),
                extractions,
                started: at - Duration::hours(2),
                ended: at,
            },
            at,
        )
    }

    #[test]
    fn a_case_runs_from_selection_to_return_moving_the_devices() {
        let mut steps = to_mandated();
        steps.push(hand_over(T0 + Duration::days(2)));
        steps.push(download(T0 + Duration::days(3)));
        steps.push((Step::Examine { concerns: None }, T0 + Duration::days(4)));
        steps.push((Step::Return { received_by: "A1017".into() }, T0 + Duration::days(4)));
        let (s, effects) = run(&steps).unwrap();
        assert_eq!(s.stage, Stage::Returned);
        assert_eq!(s.dmi, Some(dev(99)), "the receiving DMI holds the case");
        assert_eq!(
            effects,
            vec![Effect::DevicesToExamination(vec![dev(1), dev(2)]), Effect::DevicesReturned(vec![dev(1), dev(2)])]
        );
    }

    #[test]
    fn no_download_before_hand_over_and_no_return_before_download() {
        let (mandated, _) = run(&to_mandated()).unwrap();
        let (st, at) = download(T0 + Duration::days(2));
        assert!(matches!(step(&mandated, st, at), Err(CaseError::WrongStage { .. })));
        let (handed, _) = run(&[to_mandated(), vec![hand_over(T0 + Duration::days(1))]].concat()).unwrap();
        assert!(matches!(
            step(&handed, Step::Return { received_by: "A1017".into() }, T0 + Duration::days(2)),
            Err(CaseError::WrongStage { .. })
        ));
        assert!(matches!(
            step(&handed, Step::Examine { concerns: None }, T0 + Duration::days(2)),
            Err(CaseError::WrongStage { .. })
        ));
    }

    #[test]
    fn failure_to_provide_only_after_the_deadline_and_only_once() {
        let (s, _) = run(&to_mandated()).unwrap();
        let deadline = T0 + Duration::days(3);
        assert!(!overdue(&s, deadline));
        assert!(matches!(
            step(&s, Step::FailureToProvide, deadline),
            Err(CaseError::Invalid { field: "deadline", .. })
        ));
        assert!(overdue(&s, deadline + Duration::seconds(1)));
        let t = step(&s, Step::FailureToProvide, deadline + Duration::seconds(1)).unwrap();
        assert!(matches!(t.effects[..], [Effect::OpenReferral { kind: ReferralKind::FailureToProvide, .. }]));
        assert!(!overdue(&t.state, deadline + Duration::days(1)));
        assert!(step(&t.state, Step::FailureToProvide, deadline + Duration::days(1)).is_err());
        // A late hand-over is still received; the referral stands.
        let late = step(&t.state, hand_over(deadline + Duration::days(1)).0, deadline + Duration::days(1)).unwrap();
        assert!(late.state.failure_referred);
        // Before a notice there is no deadline to miss.
        assert!(step(&CaseState::selected(), Step::FailureToProvide, deadline + Duration::days(9)).is_err());
    }

    #[test]
    fn one_deferral_within_the_window_and_refusals_need_a_reason() {
        let proposed = run(&[(Step::ProposeSlot { slot: T0 + Duration::days(3) }, T0)]).unwrap().0;
        let too_far = Step::Defer { to: T0 + Duration::days(11), reason: "leave".into() };
        assert!(matches!(step(&proposed, too_far, T0), Err(CaseError::Invalid { field: "to", .. })));
        let no_reason = Step::Defer { to: T0 + Duration::days(9), reason: " ".into() };
        assert!(matches!(step(&proposed, no_reason, T0), Err(CaseError::Invalid { field: "reason", .. })));
        let deferred = step(&proposed, Step::Defer { to: T0 + Duration::days(10), reason: "annual leave".into() }, T0)
            .unwrap()
            .state;
        assert_eq!(deferred.stage, Stage::Consulted);
        assert_eq!(deferred.slot, Some(T0 + Duration::days(10)));
        let again = Step::Defer { to: T0 + Duration::days(10) + Duration::hours(1), reason: "still away".into() };
        assert!(matches!(step(&deferred, again, T0), Err(CaseError::Invalid { field: "to", .. })));
        assert!(matches!(
            step(&proposed, Step::Refuse { reason: "".into() }, T0),
            Err(CaseError::Invalid { field: "reason", .. })
        ));
        assert_eq!(
            step(&proposed, Step::Refuse { reason: "on nights".into() }, T0).unwrap().state.stage,
            Stage::Consulted
        );
        assert!(step(&CaseState::selected(), Step::Accept, T0).is_err(), "nothing to accept before a slot is proposed");
    }

    #[test]
    fn the_hand_over_needs_every_device_and_full_access() {
        let (s, _) = run(&to_mandated()).unwrap();
        let partial = Step::HandOver {
            devices: vec![dev(1)],
            full_access_confirmed: true,
            handed_by: "A1017".into(),
            received_by: dev(99),
        };
        assert!(matches!(step(&s, partial, T0), Err(CaseError::Invalid { field: "devices", .. })));
        let locked = Step::HandOver {
            devices: vec![dev(1), dev(2)],
            full_access_confirmed: false,
            handed_by: "A1017".into(),
            received_by: dev(99),
        };
        assert!(matches!(step(&s, locked, T0), Err(CaseError::Invalid { field: "full_access_confirmed", .. })));
    }

    #[test]
    fn concerns_open_a_conduct_referral_and_need_a_summary() {
        let (s, _) =
            run(&[to_mandated(), vec![hand_over(T0 + Duration::days(1)), download(T0 + Duration::days(2))]].concat())
                .unwrap();
        assert!(step(&s, Step::Examine { concerns: Some("  ".into()) }, T0 + Duration::days(3)).is_err());
        let t = step(&s, Step::Examine { concerns: Some("Offensive images shared".into()) }, T0 + Duration::days(3))
            .unwrap();
        assert_eq!(
            t.effects,
            vec![Effect::OpenReferral {
                kind: ReferralKind::ConcernsIdentified,
                summary: "Offensive images shared".into()
            }]
        );
        assert_eq!(Step::Examine { concerns: Some("x".into()) }.clause(), "5.5");
    }

    #[test]
    fn every_step_cites_a_clause_in_the_policy() {
        let steps = [
            Step::Accept,
            Step::FailureToProvide,
            Step::Examine { concerns: None },
            Step::Withdraw { reason: "r".into() },
        ];
        for s in steps {
            assert!(crate::policy::clause(s.clause()).is_some(), "{}", s.name());
        }
    }

    fn any_step() -> impl Strategy<Value = (Step, i64)> {
        let t = |d: i64| T0 + Duration::hours(d);
        prop_oneof![
            (1i64..200).prop_map(move |h| Step::ProposeSlot { slot: t(h) }),
            Just(Step::Accept),
            (1i64..400, any::<bool>()).prop_map(move |(h, r)| Step::Defer {
                to: t(h),
                reason: if r { "away".into() } else { String::new() }
            }),
            any::<bool>().prop_map(|r| Step::Refuse { reason: if r { "nights".into() } else { String::new() } }),
            Just(Step::AssignDmi { dmi: Uuid::from_u128(99) }),
            (1i64..200).prop_map(move |h| Step::Mandate { deadline: t(h), devices: vec![Uuid::from_u128(1)] }),
            any::<bool>().prop_map(|ok| Step::HandOver {
                devices: vec![Uuid::from_u128(1)],
                full_access_confirmed: ok,
                handed_by: "A1".into(),
                received_by: Uuid::from_u128(99)
            }),
            (0i64..50).prop_map(move |h| Step::Download {
                tool: "t".into(),
                tool_version: "1".into(),
                extractions: vec![Extraction { device: Uuid::from_u128(1), sha256: "c".repeat(64) }],
                started: t(h),
                ended: t(h + 1),
            }),
            prop::option::of(Just("summary".to_string())).prop_map(|concerns| Step::Examine { concerns }),
            Just(Step::Return { received_by: "A1".into() }),
            Just(Step::FailureToProvide),
            Just(Step::Withdraw { reason: "long-term sick".into() }),
        ]
        .prop_flat_map(|s| (Just(s), 0i64..400))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_step_sequences_never_break_the_case_rules(steps in prop::collection::vec(any_step(), 1..40)) {
            let mut s = CaseState::selected();
            let mut history: Vec<Stage> = vec![s.stage];
            let mut held = false;
            let mut now = T0;
            for (st, dt) in steps {
                now += Duration::hours(dt);
                let Ok(t) = apply(&s, &st, &rules(), now) else { continue };
                for e in &t.effects {
                    match e {
                        Effect::DevicesToExamination(_) => { prop_assert!(!held); held = true; }
                        Effect::DevicesReturned(_) => { prop_assert!(held); held = false; }
                        Effect::OpenReferral { kind: ReferralKind::FailureToProvide, .. } => {
                            prop_assert!(s.deadline.is_some_and(|d| now > d), "failure to provide only after the deadline");
                        }
                        _ => {}
                    }
                }
                match t.state.stage {
                    Stage::Downloaded if s.stage != Stage::Downloaded => prop_assert!(history.contains(&Stage::HandedOver)),
                    Stage::Returned if s.stage != Stage::Returned => prop_assert!(history.contains(&Stage::Downloaded) && history.contains(&Stage::Examined)),
                    Stage::HandedOver if s.stage != Stage::HandedOver => prop_assert!(history.contains(&Stage::Mandated)),
                    Stage::Mandated if s.stage != Stage::Mandated => prop_assert!(history.contains(&Stage::Consulted)),
                    _ => {}
                }
                if s.deferred { prop_assert!(t.state.deferred); }
                prop_assert!(!(s.deferred && matches!(st, Step::Defer { .. })), "only one deferral");
                prop_assert_eq!(held, t.state.stage.holds_devices());
                prop_assert!(!s.stage.is_closed(), "a closed case takes no steps");
                s = t.state;
                history.push(s.stage);
            }
        }
    }
}
