//! The verifiable random draw and its verification bundle (the algorithm is in the module
//! documentation of `monitoring`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::monitoring::{MAX_SAMPLE_SIZE, miss_probability, sample_size};
    use proptest::prelude::*;

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
}
