//! The screening engine: compiles a policy pack once, then screens drafts. Each rule's
//! candidates are checked (UK validators, allowlists), scored by their context words, mapped
//! back to the original text and merged into one verdict that says whether the draft is
//! blocked, needs the SIO's or Corporate Communications' approval, carries warnings, or is clear.

use std::collections::HashSet;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use memchr::memmem;
use regex::{Regex, RegexBuilder};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchKind, PatternSet, hybrid};
use serde::{Serialize, Serializer};

use crate::model::{self, Model};
use crate::names::{NameRules, WordList, lower_has_any};
use crate::normalise::{self, View};
use crate::pack::{CLAUSES, DEFAULT_MODEL_FILE, DEFAULT_NAME_MODEL_FILE, ModelRef, Pack, PackError, Rule};
use crate::validate;
use custodian_textmodel::pin::{PinError, Source, check_pin};

/// What a finding is about. The names are fixed by the screening specification and appear
/// verbatim in JSON, in the pack and in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Marking,
    PersonalPhone,
    PersonalEmail,
    PersonalPostcode,
    PersonalNino,
    PersonalNhs,
    PersonalVehicle,
    PersonalDob,
    PersonalName,
    PersonalAddress,
    PersonalBank,
    PersonalCard,
    InvestigationReference,
    InvestigationOperation,
    InvestigationSuspect,
    Covert,
    Justice,
    Abuse,
    Channel,
    Copyright,
    Disrepute,
}

impl Category {
    /// Every category, in the order the specification lists them.
    pub const ALL: [Category; 21] = [
        Self::Marking,
        Self::PersonalPhone,
        Self::PersonalEmail,
        Self::PersonalPostcode,
        Self::PersonalNino,
        Self::PersonalNhs,
        Self::PersonalVehicle,
        Self::PersonalDob,
        Self::PersonalName,
        Self::PersonalAddress,
        Self::PersonalBank,
        Self::PersonalCard,
        Self::InvestigationReference,
        Self::InvestigationOperation,
        Self::InvestigationSuspect,
        Self::Covert,
        Self::Justice,
        Self::Abuse,
        Self::Channel,
        Self::Copyright,
        Self::Disrepute,
    ];

    /// The category's name as written in JSON and in the pack ("personal.phone").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marking => "marking",
            Self::PersonalPhone => "personal.phone",
            Self::PersonalEmail => "personal.email",
            Self::PersonalPostcode => "personal.postcode",
            Self::PersonalNino => "personal.nino",
            Self::PersonalNhs => "personal.nhs",
            Self::PersonalVehicle => "personal.vehicle",
            Self::PersonalDob => "personal.dob",
            Self::PersonalName => "personal.name",
            Self::PersonalAddress => "personal.address",
            Self::PersonalBank => "personal.bank",
            Self::PersonalCard => "personal.card",
            Self::InvestigationReference => "investigation.reference",
            Self::InvestigationOperation => "investigation.operation",
            Self::InvestigationSuspect => "investigation.suspect",
            Self::Covert => "covert",
            Self::Justice => "justice",
            Self::Abuse => "abuse",
            Self::Channel => "channel",
            Self::Copyright => "copyright",
            Self::Disrepute => "disrepute",
        }
    }

    /// The category in words, as pages show it ("personal.address" is "Home address").
    pub fn label(self) -> &'static str {
        match self {
            Self::Marking => "Protective marking",
            Self::PersonalPhone => "Phone number",
            Self::PersonalEmail => "Email address",
            Self::PersonalPostcode => "Postcode",
            Self::PersonalNino => "National Insurance number",
            Self::PersonalNhs => "NHS number",
            Self::PersonalVehicle => "Vehicle registration",
            Self::PersonalDob => "Date of birth",
            Self::PersonalName => "A person's name",
            Self::PersonalAddress => "Home address",
            Self::PersonalBank => "Bank details",
            Self::PersonalCard => "Payment card number",
            Self::InvestigationReference => "Crime or investigation reference",
            Self::InvestigationOperation => "Operation name",
            Self::InvestigationSuspect => "Suspect details",
            Self::Covert => "Covert tactics",
            Self::Justice => "Could prejudice justice",
            Self::Abuse => "Abusive or offensive words",
            Self::Channel => "Not for this channel",
            Self::Copyright => "Copyright material",
            Self::Disrepute => "Could bring the force into disrepute",
        }
    }

    /// The category with this name, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Numbers and codes that can only be one thing: where two of these overlap, one wins.
    fn exclusive(self) -> bool {
        matches!(
            self,
            Self::PersonalPhone
                | Self::PersonalPostcode
                | Self::PersonalNino
                | Self::PersonalNhs
                | Self::PersonalVehicle
                | Self::PersonalDob
                | Self::PersonalBank
                | Self::PersonalCard
                | Self::InvestigationReference
        )
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How serious a finding is, in the words the rest of Custodian uses for findings: high blocks
/// publication, medium needs an approval, low is a warning the author may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// The outcome of screening a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Must not be published as written (a high finding).
    Block,
    /// May be published once the approver in [`Screening::approver`] agrees.
    NeedsApproval,
    /// May be published; the author should look at the warnings.
    Warn,
    /// Nothing found.
    Clear,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::NeedsApproval => "needs_approval",
            Self::Warn => "warn",
            Self::Clear => "clear",
        }
    }
}

/// Who must approve a draft whose verdict is [`Verdict::NeedsApproval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// The Senior Investigating Officer (6.3e): any investigation detail.
    Sio,
    /// Corporate Communications: everything else that needs a second pair of eyes.
    CorporateComms,
}

impl Approver {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sio => "sio",
            Self::CorporateComms => "corporate_comms",
        }
    }
}

/// What a rule does with a confident match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
    Warn,
    CorporateComms,
    Sio,
    Block,
}

impl Action {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "block" => Some(Self::Block),
            "sio" => Some(Self::Sio),
            "corporate_comms" => Some(Self::CorporateComms),
            "warn" => Some(Self::Warn),
            _ => None,
        }
    }
    fn severity(self) -> Severity {
        match self {
            Self::Block => Severity::High,
            Self::Sio | Self::CorporateComms => Severity::Medium,
            Self::Warn => Severity::Low,
        }
    }
}

/// One thing found in a draft.
///
/// Invariant: `start <= end`, both are UTF-8 character boundaries of the text as given, and
/// `text[start..end] == match`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub category: Category,
    /// The WP034 clause the finding is under ("6.3b").
    pub clause: String,
    pub severity: Severity,
    /// Byte offset of the first byte of the match in the original text.
    pub start: usize,
    /// Byte offset just past the match in the original text.
    pub end: usize,
    /// The original text of the match, exactly as the author wrote it.
    #[serde(rename = "match")]
    pub matched: String,
    /// Why it matters, for the author.
    pub explanation: String,
}

/// The result of screening one draft.
///
/// Invariants: `approver` is `Some` exactly when `verdict` is `NeedsApproval`; findings are in
/// order of `start`, then `end`; the verdict is `Clear` exactly when there are no findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    pub verdict: Verdict,
    pub approver: Option<Approver>,
    pub findings: Vec<Finding>,
}

/// A candidate before overlaps are resolved; spans are in the original text.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) category: Category,
    pub(crate) clause: String,
    pub(crate) action: Action,
    pub(crate) score: f32,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) explanation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nino,
    Nhs,
    Card,
    Iban,
    Postcode,
    VehicleCurrent,
    VehiclePrefix,
    VehicleSuffix,
    VehicleDateless,
    Phone,
    Email,
    Date,
    Marking,
    /// A marking word in title case ("Restricted", "Secret"): only where the text says it is a
    /// marking, or it stands alone on its line or in brackets.
    MarkingStrict,
    Operation,
    /// An identifier after a reference cue: at least four digits, and not a year alone.
    Reference,
    Rights,
    Address,
}

impl Check {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "nino" => Self::Nino,
            "nhs" => Self::Nhs,
            "card" => Self::Card,
            "iban" => Self::Iban,
            "postcode" => Self::Postcode,
            "vehicle_current" => Self::VehicleCurrent,
            "vehicle_prefix" => Self::VehiclePrefix,
            "vehicle_suffix" => Self::VehicleSuffix,
            "vehicle_dateless" => Self::VehicleDateless,
            "phone" => Self::Phone,
            "email" => Self::Email,
            "date" => Self::Date,
            "marking" => Self::Marking,
            "marking_strict" => Self::MarkingStrict,
            "operation" => Self::Operation,
            "reference" => Self::Reference,
            "rights" => Self::Rights,
            "address" => Self::Address,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Text,
    Words,
}

#[derive(Debug, Clone)]
struct Compiled {
    category: Category,
    clause: String,
    action: Action,
    view: Which,
    regex: Regex,
    narrowed: bool,
    check: Option<Check>,
    base: f32,
    window: usize,
    raise: WordList,
    lower: WordList,
    lower_before: WordList,
    suppress_before: WordList,
    needs: Vec<String>,
    /// The indexes of `needs` in [`Engine::needs`].
    need_ids: Vec<usize>,
    stop: HashSet<String>,
    require_context: bool,
    raise_by: f32,
    lower_by: f32,
    disguise_raise: f32,
    explanation: String,
}

#[derive(Debug, Clone, Default)]
struct Allow {
    phones: HashSet<String>,
    phone_prefixes: Vec<String>,
    emails: HashSet<String>,
    email_domains: Vec<String>,
    email_domain_endings: Vec<String>,
    email_roles: HashSet<String>,
    postcodes: HashSet<String>,
    addresses: Vec<String>,
    operations: HashSet<String>,
    rights: Vec<String>,
}

/// A compiled policy pack, ready to screen drafts. Cheap to share between threads; screening
/// takes `&self` and allocates only per draft.
#[derive(Debug, Clone)]
pub struct Engine {
    version: String,
    report: f32,
    act: f32,
    rules: Vec<Compiled>,
    /// Every rule's `needs`, each looked for (a plain substring test, as `str::contains` would
    /// make it) only when a rule that needs it is left to search, and at most once per view.
    needs: Vec<memmem::Finder<'static>>,
    /// Every rule's pattern in one set, searched once per view to learn which rules can match
    /// it at all; only those are searched on their own (see [`Gate`]).
    gate: Option<Arc<Gate>>,
    allow: Allow,
    names: NameRules,
    uk: validate::UkNumbering,
    /// The pack's sentence model, when it names one.
    model: Option<SentenceModel>,
    /// The pack's name model, when it names one.
    name_model: Option<SentenceModel>,
    /// What the pack does differently from what it says: the shipped model standing in for the
    /// one the pack names, and the saved examples that no longer pass with it.
    warnings: Vec<String>,
}

/// Which of the rules' patterns match a view anywhere, learned in one search of the view by
/// all of them together: a lazy DFA of every rule's own pattern (the same text, compiled with
/// the same syntax options as the rule's `Regex`), searched for all overlapping matches, so a
/// rule whose pattern matches nowhere is not searched on its own. Whether a pattern matches
/// somewhere does not depend on how matches are chosen (leftmost-first for the rule, all for
/// the set), so skipping the rules the set rules out changes no finding; each kept rule is
/// then searched exactly as before. Built at pack load from whatever rules the pack has.
/// When the set cannot answer (a pattern with a Unicode word boundary, which the DFA cannot
/// follow, is left out of it; a set too large to compile; a draft on which the DFA gives up
/// because it would build states faster than it reads bytes), every rule is searched, as
/// before.
///
/// The DFA's states are built into a cache of fixed room. A cache too small for a pack is
/// cleared and refilled draft after draft, and every draft costs several times as much (pack
/// 2026.12.9 in 16 MiB: 1M instructions a draft instead of 120k). So the room is sized from the
/// compiled set ([`gate_cache_for`]), and a cache that is cleared again soon after it was last
/// cleared is rebuilt with twice the room, up to [`GATE_CACHE_MAX`]. Every clear is counted
/// ([`GateCache`]), so a pack that still outgrows its room shows in the metrics.
struct Gate {
    /// The set's NFA, kept to build the DFA again with more room.
    nfa: thompson::NFA,
    /// The rule each of the DFA's patterns belongs to, in the DFA's order.
    rules: Vec<usize>,
    /// The room the set was sized for when the pack was compiled.
    initial: usize,
    /// What every thread's cache has done, and the room a new cache gets.
    stats: Arc<GateStats>,
    /// A DFA, its cache and a pattern set per thread screening at once.
    scratch: Pool<GateScratch, GateScratchFn>,
}

type GateScratchFn = Box<dyn Fn() -> GateScratch + Send + Sync + UnwindSafe + RefUnwindSafe>;

#[derive(Debug, Default)]
struct GateStats {
    /// The room a new cache gets: the initial room, or more once a cache has grown.
    capacity: AtomicUsize,
    /// Every clear of every cache since the pack was compiled.
    clears: AtomicU64,
    /// How many times a cache was rebuilt with more room.
    grown: AtomicU64,
    /// Drafts on which the DFA gave up (each then searched rule by rule).
    gave_up: AtomicU64,
    /// The most heap any cache was seen to hold (looked at when it is cleared or grows, and
    /// every [`GATE_LOOK_EVERY`] searches).
    peak: AtomicUsize,
}

/// What a pack's gate cache has done since the pack was compiled (for the metrics and the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GateCache {
    /// The states of the set's NFA and its byte classes, which the room is sized from.
    pub nfa_states: usize,
    pub byte_classes: usize,
    /// The room, in bytes, the compiled set was given per thread.
    pub initial_bytes: usize,
    /// The room a new cache gets now (more than `initial_bytes` once one has grown).
    pub capacity_bytes: usize,
    /// How many times a cache was cleared because it was full: a pack that keeps clearing its
    /// cache screens several times slower.
    pub clears: u64,
    /// How many times a cache was rebuilt with twice the room.
    pub grown: u64,
    /// Drafts on which the set gave up and every rule was searched on its own.
    pub gave_up: u64,
    /// The most heap, in bytes, any cache was seen to hold.
    pub peak_bytes: usize,
}

struct GateScratch {
    /// The DFA this thread's cache was made for (it shares the gate's NFA), with the room the
    /// gate gave when it was made.
    dfa: hybrid::dfa::DFA,
    cache: hybrid::dfa::Cache,
    found: PatternSet,
    /// The cache's clears already counted in [`GateStats::clears`].
    seen_clears: usize,
    /// Searches since the cache was last cleared.
    since_clear: u64,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("rules", &self.rules).field("stats", &self.stats).finish_non_exhaustive()
    }
}

/// The least room a gate's cache gets per thread. Pack 2026.12.9's patterns outgrew 16 MiB (the
/// cache was cleared and its states built again draft after draft: about 1M instructions a
/// draft on `bench/screening/blind5/dev5.jsonl`, 96 us against 25 us with 32 MiB; the process's
/// peak memory was the same, 75 MB, with 16, 32, 64 or 128 MiB). Its size changes no answer.
const GATE_CACHE_MIN: usize = 32 << 20;
/// The most room a gate's cache gets per thread, however it grows.
const GATE_CACHE_MAX: usize = 256 << 20;
/// A cache cleared again within this many searches of its last clear is too small for the
/// drafts it reads, and grows. One clear now and then (a long or strange draft) is not.
const GATE_CLEAR_WINDOW: u64 = 10_000;
/// How often (in searches) a cache's heap is looked at for [`GateCache::peak_bytes`].
const GATE_LOOK_EVERY: u64 = 4096;
/// The room a gate's cache is given per state of the set's NFA.
const GATE_BYTES_PER_NFA_STATE: usize = 1024;

/// The room for a set compiled into `nfa`: [`GATE_BYTES_PER_NFA_STATE`] for each of its states,
/// within [`GATE_CACHE_MIN`] and [`GATE_CACHE_MAX`]. A bigger pack has a bigger NFA, and its DFA's
/// states (each a set of NFA states with a row of transitions) are bigger and more numerous.
/// Pack 2026.12.9: 64,878 NFA states (206 byte classes), so 63 MiB; screening every development
/// draft (7,992) three times with 256 MiB of room, its cache held at most 52 MiB and was never
/// cleared.
fn gate_cache_for(nfa: &thompson::NFA) -> usize {
    nfa.states().len().saturating_mul(GATE_BYTES_PER_NFA_STATE).clamp(GATE_CACHE_MIN, GATE_CACHE_MAX)
}

/// The lazy DFA over `nfa` with `capacity` bytes of room. When it is full it is cleared and
/// refilled; after three clears with fewer than ten bytes read per state built, the search
/// gives up and the draft is searched rule by rule.
fn gate_dfa(nfa: &thompson::NFA, capacity: usize) -> Option<hybrid::dfa::DFA> {
    hybrid::dfa::DFA::builder()
        .configure(
            hybrid::dfa::DFA::config()
                .match_kind(MatchKind::All)
                .cache_capacity(capacity)
                .minimum_cache_clear_count(Some(3))
                .minimum_bytes_per_state(Some(10)),
        )
        .build_from_nfa(nfa.clone())
        .ok()
}

impl Gate {
    /// The gate for `rules`, or none when no rule can be in it or the set does not compile.
    fn new(rules: &[Compiled]) -> Option<Gate> {
        Self::with_capacity(rules, None)
    }

    /// [`Gate::new`] with the room given rather than sized from the set (for tests).
    fn with_capacity(rules: &[Compiled], capacity: Option<usize>) -> Option<Gate> {
        // Each pattern is parsed once, with the syntax options its rule's `Regex` has (the
        // defaults), and compiled into the set from that.
        let mut picked = Vec::new();
        let mut hirs = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if let Ok(hir) = regex_automata::util::syntax::parse(r.regex.as_str())
                && !hir.properties().look_set().contains_word_unicode()
            {
                picked.push(i);
                hirs.push(hir);
            }
        }
        if picked.is_empty() {
            return None;
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new().nfa_size_limit(Some(1 << 27)).which_captures(thompson::WhichCaptures::None),
            )
            .build_many_from_hir(&hirs)
            .ok()?;
        let initial = capacity.unwrap_or_else(|| gate_cache_for(&nfa));
        // The DFA must compile with this room (a set too large for it has no gate).
        let first = gate_dfa(&nfa, initial)?;
        let stats = Arc::new(GateStats { capacity: AtomicUsize::new(initial), ..GateStats::default() });
        // Each thread's scratch is made with the room the gate gives at the time.
        let (of, st) = (nfa.clone(), Arc::clone(&stats));
        let make: GateScratchFn = Box::new(move || {
            let cap = st.capacity.load(Ordering::Relaxed);
            // The room only grows from one that compiled, so this never fails; if it did,
            // the first room is the one that compiled.
            let dfa = gate_dfa(&of, cap).unwrap_or_else(|| first.clone());
            GateScratch {
                cache: dfa.create_cache(),
                found: PatternSet::new(dfa.pattern_len()),
                dfa,
                seen_clears: 0,
                since_clear: 0,
            }
        });
        Some(Gate { nfa, rules: picked, initial, stats, scratch: Pool::new(make) })
    }

    /// What the gate's caches have done so far.
    fn cache_stats(&self) -> GateCache {
        let s = &self.stats;
        GateCache {
            nfa_states: self.nfa.states().len(),
            byte_classes: self.nfa.byte_classes().alphabet_len(),
            initial_bytes: self.initial,
            capacity_bytes: s.capacity.load(Ordering::Relaxed),
            clears: s.clears.load(Ordering::Relaxed),
            grown: s.grown.load(Ordering::Relaxed),
            gave_up: s.gave_up.load(Ordering::Relaxed),
            peak_bytes: s.peak.load(Ordering::Relaxed),
        }
    }

    /// For each rule, whether it can match `text`: `false` only when its pattern is in the set
    /// and matches nowhere in `text`.
    fn can_match(&self, text: &str, out: &mut Vec<bool>, rules: usize) {
        out.clear();
        out.resize(rules, true);
        let mut guard = self.scratch.get();
        let s = &mut *guard;
        s.found.clear();
        let answered = s.dfa.try_which_overlapping_matches(&mut s.cache, &Input::new(text), &mut s.found).is_ok();
        self.account(s, answered);
        if !answered {
            return;
        }
        for &i in &self.rules {
            out[i] = false;
        }
        for p in s.found.iter() {
            out[self.rules[p.as_usize()]] = true;
        }
    }

    /// Count the cache's clears since the last search, and give it twice the room when it was
    /// cleared again soon after its last clear (or gave up).
    fn account(&self, s: &mut GateScratch, answered: bool) {
        s.since_clear += 1;
        let clears = s.cache.clear_count();
        if clears == s.seen_clears && answered {
            if s.since_clear.is_multiple_of(GATE_LOOK_EVERY) {
                self.stats.peak.fetch_max(s.cache.memory_usage(), Ordering::Relaxed);
            }
            return;
        }
        self.stats.peak.fetch_max(s.cache.memory_usage(), Ordering::Relaxed);
        self.stats.clears.fetch_add((clears - s.seen_clears) as u64, Ordering::Relaxed);
        if !answered {
            self.stats.gave_up.fetch_add(1, Ordering::Relaxed);
        }
        s.seen_clears = clears;
        let soon = s.since_clear <= GATE_CLEAR_WINDOW;
        s.since_clear = 0;
        let cap = s.dfa.get_config().get_cache_capacity();
        if (soon || !answered) && cap < GATE_CACHE_MAX {
            let more = cap.saturating_mul(2).min(GATE_CACHE_MAX);
            if let Some(dfa) = gate_dfa(&self.nfa, more) {
                s.cache = dfa.create_cache();
                s.dfa = dfa;
                s.seen_clears = 0;
                self.stats.capacity.fetch_max(more, Ordering::Relaxed);
                self.stats.grown.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The pack's sentence model with what its findings are.
#[derive(Debug, Clone)]
struct SentenceModel {
    model: Model,
    category: Category,
    clause: String,
    action: Action,
    threshold: f32,
    explanation: String,
}

pub use custodian_textmodel::sha256_hex;

/// The pack's sentence model, and the warning when the shipped model stands in for the one the
/// pack names (a pack stored before a retrain).
fn sentence_model(pack: &Pack) -> Result<(Option<SentenceModel>, Option<String>), PackError> {
    let Some(m) = &pack.model else { return Ok((None, None)) };
    pinned_model(m, pack.model_text.as_deref(), DEFAULT_MODEL_FILE, Pack::builtin_model_text())
}

/// The pack's name model (`[name_model]`), as [`sentence_model`].
fn name_model(pack: &Pack) -> Result<(Option<SentenceModel>, Option<String>), PackError> {
    let Some(m) = &pack.name_model else { return Ok((None, None)) };
    let (model, warning) =
        pinned_model(m, pack.name_model_text.as_deref(), DEFAULT_NAME_MODEL_FILE, Pack::builtin_name_model_text())?;
    if model.as_ref().is_some_and(|x| x.category != Category::PersonalName) {
        return Err(PackError::Model(format!("{}: a name model must be of personal.name", m.file)));
    }
    Ok((model, warning))
}

/// A model file checked against the pin a pack's section gives it.
fn pinned_model(
    m: &ModelRef,
    text: Option<&str>,
    shipped_file: &str,
    shipped_text: &str,
) -> Result<(Option<SentenceModel>, Option<String>), PackError> {
    let err = |message: String| PackError::Model(message);
    let source = match text {
        Some(t) if m.file == shipped_file && t == shipped_text => Source::Shipped,
        _ => Source::Read,
    };
    let pinned = check_pin(&m.file, &m.sha256, &m.version, text.map(|t| (t, source))).map_err(|e| {
        err(match e {
            PinError::Unread { file } => format!("the model file {file:?} was not read with the pack"),
            e => e.to_string(),
        })
    })?;
    let text = text.unwrap_or_default();
    let model = Model::parse(text).map_err(|e| err(format!("{}: {e}", m.file)))?;
    let warning = match pinned {
        Some(mut w) => {
            w.shipped_version = model.version.clone();
            Some(w.to_string())
        }
        None if model.version != m.version => {
            return Err(err(format!("{} is version {}, the pack names {}", m.file, model.version, m.version)));
        }
        None => None,
    };
    let category = Category::parse(&m.category).ok_or_else(|| err(format!("unknown category {:?}", m.category)))?;
    if model.category != m.category {
        return Err(err(format!("{} is a model of {}, the pack names {}", m.file, model.category, m.category)));
    }
    if !CLAUSES.contains(&m.clause.as_str()) {
        return Err(err(format!("clause {:?} is not one of {}", m.clause, CLAUSES.join(", "))));
    }
    let action = Action::parse(&m.action).ok_or_else(|| err(format!("unknown action {:?}", m.action)))?;
    let threshold = m.threshold.unwrap_or(model.threshold);
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(err(format!("threshold {threshold} is not in (0, 1]")));
    }
    let model = SentenceModel {
        model,
        category,
        clause: m.clause.clone(),
        action,
        threshold,
        explanation: m.explanation.clone(),
    };
    Ok((Some(model), warning))
}

/// How far below a threshold a score may fall through f32 rounding and still meet it.
const SCORE_TOLERANCE: f32 = 1e-4;

fn rule_err(rule: &str, message: impl Into<String>) -> PackError {
    PackError::Rule { rule: rule.to_string(), message: message.into() }
}

/// Turn a word list into one alternation matched on word boundaries; a space in a phrase
/// matches any run of spaces.
fn words_pattern(words: &[String], case_sensitive: bool) -> String {
    let mut sorted: Vec<&String> = words.iter().collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let alts: Vec<String> = sorted
        .iter()
        .map(|w| w.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+"))
        .filter(|w| !w.is_empty())
        .collect();
    let flags = if case_sensitive { "" } else { "(?i)" };
    format!(r"{flags}\b(?:{})\b", alts.join("|"))
}

fn lowered(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

fn compile(rule: &Rule) -> Result<Compiled, PackError> {
    let category = Category::parse(&rule.category)
        .ok_or_else(|| rule_err(&rule.id, format!("unknown category {:?}", rule.category)))?;
    if !CLAUSES.contains(&rule.clause.as_str()) {
        return Err(rule_err(&rule.id, format!("clause {:?} is not one of {CLAUSES:?}", rule.clause)));
    }
    let action = Action::parse(&rule.action).ok_or_else(|| {
        rule_err(&rule.id, format!("action {:?} is not block, sio, corporate_comms or warn", rule.action))
    })?;
    let view = match rule.view.as_str() {
        "text" => Which::Text,
        "words" => Which::Words,
        other => return Err(rule_err(&rule.id, format!("view {other:?} is not text or words"))),
    };
    let check = match &rule.check {
        Some(c) => Some(Check::parse(c).ok_or_else(|| rule_err(&rule.id, format!("unknown check {c:?}")))?),
        None => None,
    };
    let pattern = match (&rule.pattern, rule.words.is_empty()) {
        (Some(p), true) => p.clone(),
        (None, false) => words_pattern(&rule.words, rule.case_sensitive),
        (Some(_), false) => return Err(rule_err(&rule.id, "give a pattern or words, not both")),
        (None, true) => return Err(rule_err(&rule.id, "give a pattern or words")),
    };
    // Word boundaries are ASCII ones: the identifiers, numbers and phrases the rules look for
    // are ASCII, and a Unicode boundary makes the fast engines give up on any draft with an
    // accent, a dash or an emoji in it (most real posts), which multiplied screening time.
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    let regex = RegexBuilder::new(&pattern)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| rule_err(&rule.id, format!("pattern does not compile: {e}")))?;
    let narrowed = regex.capture_names().any(|n| n == Some("m"));
    Ok(Compiled {
        category,
        clause: rule.clause.clone(),
        action,
        view,
        regex,
        narrowed,
        check,
        base: rule.base,
        window: rule.window,
        raise: WordList::new(&rule.id, &rule.raise)?,
        lower: WordList::new(&rule.id, &rule.lower)?,
        lower_before: WordList::new(&rule.id, &rule.lower_before)?,
        suppress_before: WordList::new(&rule.id, &rule.suppress_before)?,
        needs: lowered(&rule.needs),
        need_ids: Vec::new(),
        stop: rule.stop.iter().map(|s| s.to_lowercase()).collect(),
        require_context: rule.require_context,
        raise_by: rule.raise_by,
        lower_by: rule.lower_by,
        disguise_raise: rule.disguise_raise,
        explanation: rule.explanation.clone(),
    })
}

fn compact_upper(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

/// The header of the table or CSV column that the lower-cased text's byte `s` sits in, when its
/// line is a row of a table (cells between `|`, tabs or semicolons) or of comma-separated values
/// under a header line with as many cells: "| name | dob | postcode |" or "name,dob,vrm". A value whose only cue is
/// its column's header ("07700 900123" under "Tel") is read with that header as its context.
pub(crate) fn column_header(lower: &str, s: usize) -> Option<&str> {
    let s = floor_boundary(lower, s);
    let line_start = lower[..s].rfind('\n').map_or(0, |i| i + 1);
    let line_end = lower[s..].find('\n').map_or(lower.len(), |i| s + i);
    let line = &lower[line_start..line_end];
    let delim = ['|', '\t', ';', ','].into_iter().find(|&d| line.matches(d).count() >= 2)?;
    let cells = line.matches(delim).count();
    let column = lower[line_start..s].matches(delim).count();
    // The header is the first line of the block of lines shaped like this one (a markdown
    // rule line "|---|---|" is skipped).
    let mut header: Option<&str> = None;
    let mut end = line_start;
    while end > 0 {
        let prev_start = lower[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let prev = &lower[prev_start..end - 1];
        if prev.matches(delim).count() != cells {
            break;
        }
        if !prev.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            header = Some(prev);
        }
        end = prev_start;
    }
    header?.split(delim).nth(column).map(str::trim)
}

/// The largest character boundary of `s` at or below `i`.
pub(crate) fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Engine {
    /// Compile a pack: every rule must name a known category, a section 6 clause, a known
    /// action, view and check, and a pattern that compiles; rule ids are unique; and every saved
    /// example must produce exactly the categories it expects.
    pub fn from_pack(pack: &Pack) -> Result<Engine, PackError> {
        if pack.policy != "WP034" {
            return Err(PackError::Policy(pack.policy.clone()));
        }
        let mut ids = HashSet::new();
        let mut rules = Vec::with_capacity(pack.rules.len());
        for r in &pack.rules {
            if !ids.insert(r.id.as_str()) {
                return Err(PackError::Duplicate(r.id.clone()));
            }
            rules.push(compile(r)?);
        }
        let mut all_needs: Vec<String> = Vec::new();
        for r in &mut rules {
            for n in &r.needs {
                let at = all_needs.iter().position(|m| m == n).unwrap_or_else(|| {
                    all_needs.push(n.clone());
                    all_needs.len() - 1
                });
                r.need_ids.push(at);
            }
        }
        let needs = all_needs.iter().map(|n| memmem::Finder::new(n.as_bytes()).into_owned()).collect();
        let gate = Gate::new(&rules).map(Arc::new);
        let a = &pack.allowlist;
        let allow = Allow {
            phones: a.phones.iter().map(|p| validate::phone_key(p)).collect(),
            // "080" is kept as the key's national digits after the country code: "44:80".
            phone_prefixes: a
                .phone_prefixes
                .iter()
                .map(|p| format!("44:{}", p.trim().strip_prefix('0').unwrap_or(p.trim())))
                .collect(),
            emails: a.emails.iter().map(|e| e.to_lowercase()).collect(),
            email_domains: lowered(&a.email_domains),
            email_domain_endings: lowered(&a.email_domain_endings),
            email_roles: a.email_roles.iter().map(|r| r.to_lowercase()).collect(),
            postcodes: a.postcodes.iter().map(|p| compact_upper(p)).collect(),
            addresses: lowered(&a.addresses),
            operations: a.operations.iter().map(|o| o.to_lowercase()).collect(),
            rights: lowered(&a.rights_holders),
        };
        let names = NameRules::compile(&pack.names, &pack.justice)?;
        let (model, stand_in) = sentence_model(pack)?;
        let (name_model, name_stand_in) = name_model(pack)?;
        let stand_in = match (stand_in, name_stand_in) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        let mut engine = Engine {
            version: pack.version.clone(),
            // Scores are sums of the pack's steps in f32 (0.8 - 0.2 is 0.5999999), so a score
            // meets a threshold when it is within a ten-thousandth of it.
            report: pack.thresholds.report - SCORE_TOLERANCE,
            act: pack.thresholds.act - SCORE_TOLERANCE,
            rules,
            needs,
            gate,
            allow,
            names,
            uk: validate::UkNumbering::new().map_err(|e| rule_err("personal.phone", e))?,
            model,
            name_model,
            warnings: stand_in.iter().cloned().collect(),
        };
        // With the shipped model standing in, the pack's examples were written for another model:
        // one that fails is a warning, not a refusal (a stored pack must never stop the server).
        let mut failed = Vec::new();
        for (index, ex) in pack.examples.iter().enumerate() {
            let mut found: Vec<String> =
                engine.screen(&ex.text).findings.iter().map(|f| f.category.as_str().to_string()).collect();
            found.sort();
            found.dedup();
            let mut expected = ex.expect.clone();
            expected.sort();
            expected.dedup();
            if found != expected {
                let e = PackError::Example { index, text: ex.text.clone(), expected, found };
                if stand_in.is_none() {
                    return Err(e);
                }
                failed.push(format!("with the shipped model, {e}"));
            }
        }
        engine.warnings.extend(failed);
        Ok(engine)
    }

    /// What the pack does differently from what it says (empty for a pack that compiles as
    /// written): log them, and show them beside the pack.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The engine for the pack compiled into this build.
    pub fn builtin() -> Result<Engine, PackError> {
        Self::from_pack(&Pack::builtin()?)
    }

    /// The version of the pack this engine was compiled from.
    pub fn pack_version(&self) -> &str {
        &self.version
    }

    /// Screen a draft. Never panics; any text, however malformed its content, gets a verdict.
    pub fn screen(&self, text: &str) -> Screening {
        let base = normalise::base(text);
        // Most drafts' word view is their base view, and then it is neither built nor searched
        // twice.
        let changed = normalise::words_if_changed(&base);
        let words = changed.as_ref().unwrap_or(&base);
        let mut hits = Vec::with_capacity(8);
        // Which rules' patterns match each view at all (one search of each view by every
        // pattern together); the others are not searched on their own.
        let mut can_base = Vec::new();
        let mut can_changed = Vec::new();
        if let Some(g) = &self.gate {
            g.can_match(&base.text, &mut can_base, self.rules.len());
            if let Some(c) = &changed {
                g.can_match(&c.text, &mut can_changed, self.rules.len());
            }
        }
        // Whether each of the rules' needed words is in a view's lower-cased text, learned the
        // first time a rule left to search asks.
        let mut need_base: Vec<Option<bool>> = vec![None; self.needs.len()];
        let mut need_changed: Vec<Option<bool>> = vec![None; if changed.is_some() { self.needs.len() } else { 0 }];
        for (i, r) in self.rules.iter().enumerate() {
            // A words rule reads the word view; when that is the base view, so does every rule.
            let (v, can, known) = if r.view == Which::Words && changed.is_some() {
                (words, &can_changed, &mut need_changed)
            } else {
                (&base, &can_base, &mut need_base)
            };
            if can.get(i) == Some(&false) {
                continue;
            }
            if !r.need_ids.is_empty()
                && !r
                    .need_ids
                    .iter()
                    .any(|&n| *known[n].get_or_insert_with(|| self.needs[n].find(v.lower.as_bytes()).is_some()))
            {
                continue;
            }
            if r.narrowed {
                for caps in r.regex.captures_iter(&v.text) {
                    if let Some(m) = caps.name("m").or_else(|| caps.get(0)) {
                        self.consider(r, v, text, m.start(), m.end(), &mut hits);
                    }
                }
            } else {
                for m in r.regex.find_iter(&v.text) {
                    self.consider(r, v, text, m.start(), m.end(), &mut hits);
                }
            }
        }
        self.names.screen(&base, words, self.report, self.act, &mut hits);
        if let Some(m) = &self.model {
            m.screen(text, &mut hits);
        }
        if let Some(m) = &self.name_model {
            m.screen_names(text, &self.names, &mut hits);
        }
        finish(text, hits)
    }

    /// The name model's features of the candidate `s..e` of `text`, read with this pack's name
    /// lists (for the trainer, which must read candidates as the engine does).
    pub fn name_feature_strings(&self, text: &str, s: usize, e: usize) -> (Vec<String>, usize) {
        model::name_feature_strings(text, s, e, &self.names)
    }

    /// The pack's name lists, as the name model reads them (for tests of its features).
    #[cfg(test)]
    pub(crate) fn name_lists(&self) -> &dyn model::NameLists {
        &self.names
    }

    /// What the rules' gate's cache has done since the pack was compiled, when the pack has a
    /// gate: its room, and how often it was cleared because it was full (a pack whose cache
    /// keeps clearing screens several times slower: log it, and watch it in the metrics).
    pub fn gate_cache(&self) -> Option<GateCache> {
        self.gate.as_ref().map(|g| g.cache_stats())
    }

    /// The version of the pack's name model and its threshold, when it has one.
    pub fn name_model_version(&self) -> Option<(&str, f32)> {
        self.name_model.as_ref().map(|m| (m.model.version.as_str(), m.threshold))
    }

    /// The version of the pack's sentence model and its threshold, when it has one.
    pub fn model_version(&self) -> Option<(&str, f32)> {
        self.model.as_ref().map(|m| (m.model.version.as_str(), m.threshold))
    }

    fn consider(&self, r: &Compiled, v: &View, original: &str, s: usize, e: usize, hits: &mut Vec<Hit>) {
        if s >= e {
            return;
        }
        let mut score = r.base;
        if let Some(check) = r.check {
            match self.check(check, v, s, e) {
                Some(d) => score += d,
                None => return,
            }
        }
        let matched = &v.text[s..e];
        if !r.stop.is_empty() {
            let last = matched.rsplit(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
            if r.stop.contains(&last.to_lowercase()) {
                return;
            }
        }
        let from = floor_boundary(&v.lower, s.saturating_sub(r.window));
        let to = floor_boundary(&v.lower, e.saturating_add(r.window));
        if !r.suppress_before.is_empty() && lower_has_any(&v.lower[from..s], &r.suppress_before) {
            return;
        }
        let around = &v.lower[from..to];
        let raised = !r.raise.is_empty()
            && (lower_has_any(around, &r.raise)
                || column_header(&v.lower, s).is_some_and(|h| lower_has_any(h, &r.raise)));
        if r.require_context && !raised {
            return;
        }
        if raised {
            score += r.raise_by;
        }
        let lowered = (!r.lower.is_empty() && lower_has_any(around, &r.lower))
            || (!r.lower_before.is_empty() && lower_has_any(&v.lower[from..s], &r.lower_before));
        if lowered {
            score -= r.lower_by;
        }
        let Some((a, b)) = v.original_span(s, e) else { return };
        if r.disguise_raise != 0.0 && original.get(a..b).is_some_and(|o| o != matched) {
            score += r.disguise_raise;
        }
        if score < self.report {
            return;
        }
        let action = if score >= self.act { r.action } else { Action::Warn };
        hits.push(Hit {
            category: r.category,
            clause: r.clause.clone(),
            action,
            score,
            start: a,
            end: b,
            explanation: r.explanation.clone(),
        });
    }

    fn check(&self, check: Check, v: &View, s: usize, e: usize) -> Option<f32> {
        let m = &v.text[s..e];
        match check {
            Check::Nino => validate::nino(m),
            Check::Nhs => validate::nhs(m),
            Check::Card => validate::card(m),
            Check::Iban => validate::iban(m),
            Check::Postcode => {
                if self.allow.postcodes.contains(&compact_upper(m)) {
                    return None;
                }
                validate::postcode(m)
            }
            Check::VehicleCurrent => validate::vehicle_current(m),
            Check::VehiclePrefix => validate::vehicle_prefix(m),
            Check::VehicleSuffix => validate::vehicle_suffix(m),
            Check::VehicleDateless => validate::vehicle_dateless(m),
            Check::Phone => {
                // A number in international form that the numbering plan does not know is
                // still someone's number when the words around it say so (a raise is needed).
                // Ofcom's drama numbers stand for someone's number as an allocated one would.
                let Some(key) = validate::phone_with(&self.uk, m).or_else(|| validate::phone_drama(m)) else {
                    return validate::phone_possible(m).then_some(-0.25);
                };
                let organisation = self.allow.phone_prefixes.iter().any(|p| key.starts_with(p.as_str()));
                (!self.allow.phones.contains(&key) && !organisation).then_some(0.0)
            }
            Check::Email => {
                let lower = m.to_lowercase();
                let domain = lower.rsplit('@').next().unwrap_or("");
                let own = self.allow.email_domains.iter().any(|d| domain == d || domain.ends_with(&format!(".{d}")));
                let public_body = self.allow.email_domain_endings.iter().any(|d| domain.ends_with(d.as_str()));
                let local = lower.split('@').next().unwrap_or("");
                let role = self.allow.email_roles.contains(local)
                    || local.split(['.', '-', '_']).next().is_some_and(|w| self.allow.email_roles.contains(w));
                (!own && !public_body && !role && !self.allow.emails.contains(&lower)).then_some(0.0)
            }
            Check::Date => validate::date(m),
            Check::Marking => Some(marking_position(&v.text, s, e)),
            Check::MarkingStrict => marking_strict(&v.text, s, e).then_some(0.4),
            Check::Operation => {
                let lower = m.to_lowercase();
                // "operation greyhound" in lower case is a name only when it is not an ordinary
                // phrase: no article before it ("the operation continues") and no verb or
                // function word after it.
                if m.starts_with("operation") || m.starts_with("op ") {
                    let name = lower.trim_start_matches("operation").trim_start_matches("op").trim();
                    let before = v.lower[..s].trim_end();
                    let last = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
                    let verbish = name.ends_with("ed") || name.ends_with("ing") || name.ends_with('s');
                    if verbish || OPERATION_STOP.contains(&name) || OPERATION_DETERMINERS.contains(&last) {
                        return None;
                    }
                }
                let rest = lower.strip_prefix('#').unwrap_or(&lower);
                let rest = rest
                    .strip_prefix("operation")
                    .or_else(|| rest.strip_prefix("opn"))
                    .or_else(|| rest.strip_prefix("op"))
                    .unwrap_or(rest);
                let rest = rest.trim_start_matches(['.', ':', '/', '-', ' ']).trim();
                let name = rest.trim_matches(['\'', '\u{2018}', '\u{2019}', '"', '\u{201c}', '\u{201d}']);
                (!self.allow.operations.contains(name)).then_some(0.0)
            }
            Check::Reference => validate::reference(m),
            Check::Rights => {
                let lower = m.to_lowercase();
                (!self.allow.rights.iter().any(|r| lower.contains(r.as_str()))).then_some(0.0)
            }
            Check::Address => {
                let lower = m.to_lowercase();
                // "3 people on the road" is not an address: a street written in small letters
                // or in capitals must not be made of ordinary words.
                let uncased = m == lower || m == m.to_uppercase();
                // "139 the green": an article straight after the number is part of the name.
                let body = lower.replacen(" the ", " ", 1);
                if uncased && body.split([' ', '-']).any(|w| ADDRESS_STOP.contains(&w)) {
                    return None;
                }
                (!self.allow.addresses.iter().any(|a| lower.contains(a.as_str()))).then_some(0.0)
            }
        }
    }
}

/// Ordinary words that never make up a street name written in small letters.
const ADDRESS_STOP: &[&str] = &[
    "the", "on", "in", "at", "of", "a", "an", "and", "to", "for", "by", "from", "with", "our", "your", "their", "his",
    "her", "people", "cars", "vehicles", "miles", "more", "other", "main", "this", "that", "same", "wrong", "open",
    "closed", "side", "one", "two", "three", "four", "five", "times", "days", "weeks", "years", "per", "off", "out",
    "car", "bus", "train", "miles", "hours", "minutes", "mins", "hrs", "lap", "laps",
];

/// Words after a lower-case "operation" that make it an ordinary phrase, not a name.
const OPERATION_STOP: &[&str] = &[
    "that",
    "this",
    "with",
    "into",
    "from",
    "over",
    "last",
    "next",
    "team",
    "teams",
    "room",
    "will",
    "were",
    "have",
    "been",
    "took",
    "went",
    "came",
    "also",
    "led",
    "was",
    "has",
    "had",
    "the",
    "and",
    "but",
    "for",
    "which",
    "where",
    "when",
    "while",
    "after",
    "before",
    "during",
    "under",
    "against",
    "across",
    "around",
    "near",
    "today",
    "tonight",
    "yesterday",
    "tomorrow",
    "week",
    "weekend",
    "last",
    "began",
    "ran",
    "saw",
    "found",
    "aimed",
    "took",
    "comes",
    "code",
    "name",
    "names",
    "order",
    "orders",
    "plan",
    "plans",
    "update",
    "updates",
    "success",
    "result",
    "results",
    "itself",
    "involved",
    "continues",
    "continue",
    "officers",
    "staff",
];

/// Words before a lower-case "operation" that make it a common noun ("the operation", "a joint
/// operation").
const OPERATION_DETERMINERS: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "our",
    "their",
    "its",
    "his",
    "her",
    "joint",
    "major",
    "large",
    "big",
    "police",
    "successful",
    "covert",
    "ongoing",
    "recent",
    "planned",
    "whole",
    "entire",
    "same",
    "rescue",
    "search",
    "wider",
    "separate",
    "another",
    "each",
    "every",
    "any",
    "multi-agency",
    "week-long",
];

/// How much a protective-marking word looks like a marking rather than an ordinary word in
/// capitals: alone on its line, followed by a colon or slash, or in brackets raises it; a line
/// written all in capitals (a shouted headline) lowers it.
fn marking_position(text: &str, s: usize, e: usize) -> f32 {
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    let before = text[line_start..s].trim_end();
    let after = text[e..line_end].trim_start();
    let next = after.chars().next();
    let prev = before.chars().last();
    let rest_is_marking_like = |t: &str| !t.chars().any(char::is_lowercase) && t.split_whitespace().count() <= 3;
    let alone = rest_is_marking_like(before) && rest_is_marking_like(after);
    let punctuated = matches!(next, Some(':' | '/' | ']' | ')')) || matches!(prev, Some('[' | '(' | ':'));
    // A sentence of its own: "... NHS 886 754 5741. CONFIDENTIAL." or "OFFICIAL-SENSITIVE – PROTECT.".
    // "Please treat as RESTRICTED", "Doc marked Top Secret", "Grade: ...".
    let lower_before = before.to_ascii_lowercase();
    let said_to_be = ["treat as", "treated as", "marked", "marking", "classified", "classification", "grade", "graded"]
        .iter()
        .any(|w| lower_before.ends_with(w));
    if said_to_be {
        return 0.4;
    }
    let sentence_start = prev.is_none_or(|c| matches!(c, '.' | '!' | '?' | '-' | '\u{2013}' | '\u{2014}' | '*'));
    let sentence_end = next.is_none_or(|c| matches!(c, '.' | '!' | '-' | '\u{2013}' | '\u{2014}' | '*'));
    if alone || punctuated || (sentence_start && sentence_end) {
        return 0.4;
    }
    let line = &text[line_start..line_end];
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    let upper = line.chars().filter(|c| c.is_uppercase()).count();
    if line.split_whitespace().count() >= 4 && upper * 10 >= letters * 8 { -0.4 } else { 0.0 }
}

/// Whether a marking word in title case is used as a marking: the text says so ("Classification:
/// Restricted", "marked Confidential"), or it stands alone on its line ("Restricted" over a
/// custody record) or in brackets. "Protect. Prepare. Prevent." and "restricted parking" are not.
fn marking_strict(text: &str, s: usize, e: usize) -> bool {
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    let before = text[line_start..s].trim_end();
    let after = text[e..line_end].trim();
    let lower_before = before.to_ascii_lowercase();
    let cue = [
        "classification",
        "classified",
        "classed as",
        "marking",
        "marked",
        "grade",
        "graded",
        "gpms",
        "handling",
        "security",
        "treat as",
        "treated as",
    ]
    .iter()
    .any(|w| lower_before.trim_end_matches([':', '-', ' ']).ends_with(w));
    let bracketed = before.ends_with(['[', '(']) && after.starts_with([']', ')']);
    let alone = before.is_empty()
        && (after.is_empty() || after == "." || after.starts_with(['-', '\u{2013}', '\u{2014}', '/', ':']));
    cue || bracketed || alone
}

thread_local! {
    /// The sentence model's room for scoring, kept on each thread between drafts.
    static SENTENCE_ROOM: std::cell::RefCell<Option<model::Scratch>> = const { std::cell::RefCell::new(None) };
}

impl SentenceModel {
    /// The model's finding over `s..e` at probability `p`: the pack's explanation, then what the
    /// text reads like, the model's version and score, and `why` (more words, or nothing).
    fn hit(&self, s: usize, e: usize, p: f32, reads_like: &str, why: &str) -> Hit {
        Hit {
            category: self.category,
            clause: self.clause.clone(),
            action: self.action,
            score: p,
            start: s,
            end: e,
            explanation: format!(
                "{} {reads_like} (statistical model {}, score {p:.2}{why}).",
                self.explanation, self.model.version
            ),
        }
    }

    /// A finding for each sentence the model scores at or above its threshold, unless a rule
    /// already found the model's category in that sentence.
    fn screen(&self, text: &str, hits: &mut Vec<Hit>) {
        // The room is kept on the thread from one draft to the next rather than made for each.
        let mut scratch = SENTENCE_ROOM.with(|r| r.borrow_mut().take()).unwrap_or_default();
        scratch.reserve_for(text.len());
        for (s, e) in model::sentences(text) {
            if hits.iter().any(|h| h.category == self.category && h.start < e && s < h.end) {
                continue;
            }
            let (p, terms) = self.model.score_with(&text[s..e], 0, &mut scratch);
            if p < self.threshold {
                continue;
            }
            let (_, terms) = if terms.is_empty() { self.model.score(&text[s..e], 3) } else { (p, terms) };
            let words = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ");
            let why = if words.is_empty() { String::new() } else { format!("; the words that weighed most: {words}") };
            let reads_like = format!("This sentence reads like {}", self.category.label().to_lowercase());
            hits.push(self.hit(s, e, p, &reads_like, &why));
        }
        SENTENCE_ROOM.with(|r| *r.borrow_mut() = Some(scratch));
    }
}

impl SentenceModel {
    /// A name finding for each run of capitalised words the model scores at or above its
    /// threshold, unless a finding of any category already overlaps it (a place, an officer, a
    /// reference the rules read).
    fn screen_names(&self, text: &str, lists: &dyn model::NameLists, hits: &mut Vec<Hit>) {
        // The draft's words are split once, for the candidates and for the features.
        let mut words = Some(model::word_spans(text));
        let candidates = model::name_runs(text, words.as_deref().unwrap_or_default());
        let mut draft = None;
        for (s, e) in candidates {
            if hits.iter().any(|h| h.start < e && s < h.end) {
                continue;
            }
            let draft = draft
                .get_or_insert_with(|| model::NameDraft::with_words(text, words.take().unwrap_or_default(), lists));
            let p = self.model.score_name(draft, s, e, lists);
            if p < self.threshold {
                continue;
            }
            hits.push(self.hit(s, e, p, "These words read like a person's name", ""));
        }
    }
}

/// Resolve overlaps and build the verdict. Within a category, overlapping hits merge into the
/// strongest; across the exclusive number categories the strongest wins.
fn finish(text: &str, mut hits: Vec<Hit>) -> Screening {
    hits.retain(|h| h.start < h.end && text.get(h.start..h.end).is_some());
    hits.sort_by(|a, b| {
        b.action
            .cmp(&a.action)
            .then(b.score.total_cmp(&a.score))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        let clash = kept.iter().any(|k| {
            let overlap = k.start < h.end && h.start < k.end;
            overlap && (k.category == h.category || (k.category.exclusive() && h.category.exclusive()))
        });
        if !clash {
            kept.push(h);
        }
    }
    kept.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)).then(a.category.cmp(&b.category)));
    let top = kept.iter().map(|h| h.action).max();
    let (verdict, approver) = match top {
        None => (Verdict::Clear, None),
        Some(Action::Block) => (Verdict::Block, None),
        Some(Action::Sio) => (Verdict::NeedsApproval, Some(Approver::Sio)),
        Some(Action::CorporateComms) => (Verdict::NeedsApproval, Some(Approver::CorporateComms)),
        Some(Action::Warn) => (Verdict::Warn, None),
    };
    let findings = kept
        .into_iter()
        .map(|h| Finding {
            category: h.category,
            clause: h.clause,
            severity: h.action.severity(),
            start: h.start,
            matched: text[h.start..h.end].to_string(),
            end: h.end,
            explanation: h.explanation,
        })
        .collect();
    Screening { verdict, approver, findings }
}

#[cfg(test)]
mod gate_tests {
    use proptest::prelude::*;

    use super::*;

    /// The built-in engine, and the same engine without its gate, built once for every test.
    fn engines() -> &'static (Engine, Engine) {
        static ENGINES: std::sync::LazyLock<(Engine, Engine)> = std::sync::LazyLock::new(|| {
            let e = Engine::builtin().expect("the built-in pack compiles");
            let plain = ungated(&e);
            (e, plain)
        });
        &ENGINES
    }

    /// The same engine searching every rule on every draft, as before the gate.
    fn ungated(e: &Engine) -> Engine {
        Engine { gate: None, ..e.clone() }
    }

    /// Drafts that stress where a set of patterns and each pattern alone could part: Unicode
    /// case folding (the Kelvin sign and long s match `k` and `s` case-insensitively), accents,
    /// dashes, emoji, spaced-out and disguised words (the word view differs), empty text.
    const TRICKY: &[&str] = &[
        "",
        " ",
        "\u{212A}eep the \u{17F}ecret: OFFICIAL-SENSITIVE",
        "Op\u{e9}ration Nightfall \u{2014} arrested on suspicion of burglary at 6am tomorrow",
        "S E C R E T briefing: warrant at 0600 tomorrow, ref CR1234567 \u{1F694}",
        "Call 07700 900123 or email jo.bloggs@example.com; DOB 01/02/1990, NI AB 12 34 56 C",
        "0ff1c1al s3ns1t1ve: the source inside the gang told us their plans",
        "Jos\u{e9} M\u{fc}ller (12/03/2005) of 14 Acacia Avenue, AB1 2CD, vehicle AB12 CDE",
        "\u{130}stanbul \u{131} \u{3a3}\u{3c3}\u{3c2} \u{1E9E} \u{FB00}",
    ];

    #[test]
    fn the_gate_answers_as_each_rules_own_search_would() {
        let (e, _) = engines();
        let gate = e.gate.as_ref().expect("the built-in pack's rules compile into a gate");
        assert_eq!(gate.rules.len(), e.rules.len(), "every rule of the built-in pack is in the gate");
        let corpus = include_str!("../corpus.jsonl");
        let texts = corpus
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| v["text"].as_str().unwrap_or_default().to_string())
            .chain(TRICKY.iter().map(|t| t.to_string()));
        let mut can = Vec::new();
        let mut ruled_out = 0;
        for t in texts {
            gate.can_match(&t, &mut can, e.rules.len());
            for (i, r) in e.rules.iter().enumerate() {
                assert_eq!(can[i], r.regex.is_match(&t), "rule {i} ({}) on {t:?}", r.regex.as_str());
                ruled_out += usize::from(!can[i]);
            }
        }
        assert!(ruled_out > 0, "the gate rules out some rules on some drafts");
    }

    /// A pack whose gate needs more room than it was given: its cache grows instead of being
    /// cleared and refilled draft after draft, every clear is counted, and the answers stay those
    /// of each rule's own search.
    #[test]
    fn a_gate_cache_too_small_for_its_pack_grows_and_stops_clearing() {
        let (e, _) = engines();
        // The least room, in whole MiB from 2, that the built-in rules' gate compiles with (pack
        // 2026.12.11's needs more than 2 MiB).
        let (small, gate) = (2..=16)
            .map(|m| m << 20)
            .find_map(|c| Gate::with_capacity(&e.rules, Some(c)).map(|g| (c, g)))
            .expect("the built-in rules compile into a gate");
        let dev =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/screening/blind5/dev5.jsonl"))
                .expect("the fifth development half");
        let texts: Vec<String> = dev
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| v["text"].as_str().unwrap_or_default().to_string())
            .collect();
        let mut can = Vec::new();
        let mut pass = |check: bool| {
            for t in &texts {
                gate.can_match(t, &mut can, e.rules.len());
                if check {
                    for (i, r) in e.rules.iter().enumerate() {
                        assert_eq!(can[i], r.regex.is_match(t), "rule {i} on {t:?}");
                    }
                }
            }
            gate.cache_stats()
        };
        let first = pass(true);
        assert!(first.clears > 0, "2 MiB is too little for the built-in pack: {first:?}");
        assert!(first.grown > 0 && first.capacity_bytes > small, "the cache grew: {first:?}");
        assert_eq!(first.initial_bytes, small);
        let second = pass(false);
        let third = pass(false);
        assert_eq!(third.clears, second.clears, "once grown, the same drafts clear nothing: {second:?} {third:?}");
        assert_eq!(third.gave_up, second.gave_up);
        assert!(third.capacity_bytes <= GATE_CACHE_MAX);
    }

    #[test]
    fn the_builtin_gate_is_sized_from_its_set() {
        let (e, _) = engines();
        let g = e.gate_cache().expect("the built-in pack has a gate");
        assert_eq!(g.initial_bytes, gate_cache_for(&e.gate.as_ref().unwrap().nfa));
        assert!(g.initial_bytes >= GATE_CACHE_MIN && g.initial_bytes <= GATE_CACHE_MAX);
        assert_eq!(g.gave_up, 0);
    }

    #[test]
    fn the_gate_changes_no_screening() {
        let (e, plain) = engines();
        for l in include_str!("../corpus.jsonl").lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else { continue };
            let t = v["text"].as_str().unwrap_or_default();
            assert_eq!(e.screen(t), plain.screen(t), "{t:?}");
        }
        for t in TRICKY {
            assert_eq!(e.screen(t), plain.screen(t), "{t:?}");
        }
    }

    #[test]
    fn a_pattern_the_gate_cannot_follow_is_searched_on_its_own() {
        // A Unicode non-boundary (`\B`, which the engine keeps Unicode) is left out of the gate
        // and its rule is always searched.
        let mut pack = Pack::builtin().expect("built-in pack");
        let mut rule = pack.rules[0].clone();
        rule.id = "test.unicode-boundary".into();
        rule.pattern = Some(r"\Baf\u{e9}".into());
        rule.words.clear();
        rule.needs.clear();
        rule.check = None;
        rule.base = 0.9;
        rule.require_context = false;
        rule.stop.clear();
        rule.suppress_before.clear();
        rule.lower.clear();
        rule.lower_before.clear();
        pack.rules.push(rule);
        let e = Engine::from_pack(&pack).expect("pack compiles");
        let gate = e.gate.as_ref().expect("gate");
        assert_eq!(gate.rules.len(), e.rules.len() - 1);
        let t = "Lunch at the caf\u{e9} today";
        let screened = e.screen(t);
        assert!(!screened.findings.is_empty(), "the rule left out of the gate still finds");
        assert_eq!(screened, ungated(&e).screen(t));
    }

    /// What the rules look for, and characters where a set and a single pattern could part.
    const PIECES: &[&str] = &[
        "Operation Nightfall",
        "arrested",
        "07700 900123",
        "AB12 CDE",
        "SECRET",
        "official sensitive",
        "DOB 01/02/1990",
        "ref 123 of 4 May",
        "undercover",
        "at 6am tomorrow",
        "John Smith",
        "\u{212A}",
        "\u{e9}",
        "\u{1F694}",
        "s e c r e t",
        "\n",
        " ",
        ".",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
        /// Random drafts made of the pieces the rules look for, joined in any order.
        #[test]
        fn gated_and_ungated_screenings_are_equal(
            parts in proptest::collection::vec(prop_oneof![
                proptest::sample::select(PIECES).prop_map(str::to_string),
                "[a-zA-Z0-9 ]{0,12}",
                "\\PC{0,6}",
            ], 0..12)
        ) {
            let t: String = parts.concat();
            let (e, plain) = engines();
            prop_assert_eq!(e.screen(&t), plain.screen(&t));
        }
    }
}
