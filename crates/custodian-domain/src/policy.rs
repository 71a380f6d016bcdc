//! WP034, the Mobile Devices and Social Media Policy, as data: its cover-page metadata, sections,
//! numbered clauses (with their lettered items) and document history, loaded from the policy pack
//! `policy-pack/wp034.toml` that is compiled into the binary. Every rule, permission and finding
//! cites a clause by id ("4.8", "6.3b", "7.3-2") and [`clause`] turns that id into the policy's
//! own words for the UI.

#[path = "policy_changes.rs"]
pub mod changes;
#[path = "policy_text.rs"]
pub mod text;
#[path = "policy_training.rs"]
pub mod training;

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// The WP034 policy pack, compiled in so the clause text can never go missing at run time.
const WP034_TOML: &str = include_str!("../../../policy-pack/wp034.toml");

/// A policy as published: cover-page metadata, sections, clauses and document history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The force's reference number, e.g. "WP034".
    pub reference: String,
    /// The policy title as printed on the cover page.
    pub title: String,
    /// The published version number.
    pub version: u32,
    /// The force that owns the policy.
    pub force: String,
    /// The Government Security Classification marking, e.g. "OFFICIAL".
    pub security_classification: String,
    /// Whether the policy is disclosable under the Freedom of Information Act 2000.
    pub disclosable_under_foi: bool,
    /// The directorate that owns the policy.
    pub directorate: String,
    /// The business area that owns the policy.
    pub business_area: String,
    /// When this version took effect.
    #[serde(deserialize_with = "toml_date", serialize_with = "iso_date")]
    pub initial_implementation_date: Date,
    /// When the policy is next due for review.
    #[serde(deserialize_with = "toml_date", serialize_with = "iso_date")]
    pub next_review_date: Date,
    /// The risk rating on the cover page.
    pub risk_rating: String,
    /// The outcome of the equality analysis on the cover page.
    pub equality_analysis: String,
    /// Where the public and staff may send comments on the policy.
    pub contact_email: String,
    /// The numbered sections ("1.0" to "11.0"), in document order.
    pub sections: Vec<Section>,
    /// The numbered clauses, in document order.
    pub clauses: Vec<Clause>,
    /// The document history table, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryRow>,
    /// Every addressable id (clauses and their items) in document order; built by the loader.
    #[serde(skip)]
    index: Vec<IndexEntry>,
}

/// A numbered section of the policy, e.g. "4.0 MOBILE DEVICE USAGE".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section number as printed, e.g. "4.0".
    pub id: String,
    /// The section heading as printed.
    pub title: String,
    /// Unnumbered text under the heading, where there is any (only 11.0 has some).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
}

/// A numbered clause. `text` is the clause's own words before any lettered items; paragraphs
/// are separated by a blank line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The clause id, e.g. "4.8"; a repeated number in the source gets a suffix ("7.3-2").
    pub id: String,
    /// The id of the section the clause belongs to, e.g. "4.0".
    pub section: String,
    /// The clause's lead text, exactly as in the policy.
    pub text: String,
    /// Lettered sub-items (a., b., ...), in order; each is addressable as clause id + letter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// An editorial note about how the clause was transcribed; not part of the policy's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A lettered sub-item of a clause, e.g. 6.3 b.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The item's letter, e.g. "b".
    pub id: String,
    /// The item's text, exactly as in the policy.
    pub text: String,
}

/// One row of the document history table (section 11.0), cells as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRow {
    /// When the change was made, as printed (e.g. "Sept 2016").
    pub date: String,
    /// The author or reviewer.
    pub author: String,
    /// The amendments made and the rationale for them.
    pub amendment: String,
    /// Who approved or adopted the change, and when; absent where the table is blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
}

/// One addressable id: a clause, or one lettered item of a clause.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct IndexEntry {
    id: String,
    clause: usize,
    item: Option<usize>,
}

/// Why a policy pack could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// The pack is not valid TOML or does not have the expected shape.
    #[error("policy pack is not well formed: {0}")]
    Toml(String),
    /// A section id is not of the form "N.0", or appears twice.
    #[error("section {0}: ids must look like \"4.0\" and be unique")]
    BadSection(String),
    /// A clause id is not of the form "N.M" or "N.M-K", or appears twice.
    #[error("clause {0}: ids must look like \"4.8\" or \"7.3-2\" and be unique")]
    BadClauseId(String),
    /// A clause names a section that does not exist or does not match its number.
    #[error("clause {clause}: section {section} does not exist or does not match the clause number")]
    BadClauseSection {
        /// The clause id.
        clause: String,
        /// The section it claims to belong to.
        section: String,
    },
    /// A clause's items are not lettered a, b, c, ... in order.
    #[error("clause {clause}: item {item} is out of sequence; items must be lettered a, b, c, ... in order")]
    BadItem {
        /// The clause id.
        clause: String,
        /// The offending item id.
        item: String,
    },
    /// A clause, item or section has no text.
    #[error("{0}: text must not be empty")]
    EmptyText(String),
}

impl Policy {
    /// Parses and checks a policy pack: ids well formed and unique, every clause in a section
    /// that matches its number, items lettered a, b, c, ... in order, no empty text.
    pub fn from_toml(src: &str) -> Result<Self, PackError> {
        let mut policy: Policy = toml::from_str(src).map_err(|e| PackError::Toml(e.to_string()))?;
        policy.index = build_index(&policy)?;
        Ok(policy)
    }

    /// Checks a policy read from elsewhere (a published text) as [`Policy::from_toml`] checks a
    /// pack, and builds its index.
    pub(crate) fn checked(mut self) -> Result<Self, PackError> {
        self.index = build_index(&self)?;
        Ok(self)
    }

    /// Looks up a clause or item by id: "4.8", "6.3b", "6.3(b)", "6.3 (B)" and "7.3-2" are all
    /// accepted. Returns `None` for an id the policy does not have.
    pub fn clause(&self, id: &str) -> Option<ClauseRef<'_>> {
        let wanted = normalise_id(id)?;
        let entry = self.index.iter().find(|e| e.id == wanted)?;
        let clause = self.clauses.get(entry.clause)?;
        let item = match entry.item {
            Some(i) => Some(clause.items.get(i)?),
            None => None,
        };
        let section = self.section(&clause.section)?;
        Some(ClauseRef { id: &entry.id, section, clause, item })
    }

    /// Looks up a section by its number, e.g. "4.0".
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Every addressable id in document order, each clause followed by its items
    /// ("3.1", "3.1a", ..., "3.1f", "3.2", ...).
    pub fn clause_ids(&self) -> impl Iterator<Item = &str> {
        self.index.iter().map(|e| e.id.as_str())
    }

    /// Whether the policy is due (or overdue) for review on `today`: true on and after the next
    /// review date.
    pub fn review_due(&self, today: Date) -> bool {
        today >= self.next_review_date
    }
}

/// A resolved citation: a clause, or one lettered item of a clause, with its section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseRef<'a> {
    id: &'a str,
    section: &'a Section,
    clause: &'a Clause,
    item: Option<&'a Item>,
}

impl<'a> ClauseRef<'a> {
    /// The canonical id: "4.8", "6.3b" or "7.3-2" (whatever spelling was looked up).
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The policy's words for this citation. For an item ("6.3b"), the clause's lead text
    /// followed by that item ("b. Contain information, ..."). For a clause, its lead text
    /// followed by all of its items, one per line, so nothing the clause says is left out.
    pub fn text(&self) -> Cow<'a, str> {
        let lead = self.clause.text.as_str();
        match self.item {
            Some(item) => Cow::Owned(format!("{lead}\n{}. {}", item.id, item.text)),
            None if self.clause.items.is_empty() => Cow::Borrowed(lead),
            None => {
                let mut text = lead.to_owned();
                for item in &self.clause.items {
                    text.push('\n');
                    text.push_str(&item.id);
                    text.push_str(". ");
                    text.push_str(&item.text);
                }
                Cow::Owned(text)
            }
        }
    }

    /// The heading of the section the clause sits in, e.g. "MOBILE DEVICE USAGE".
    pub fn title(&self) -> &'a str {
        &self.section.title
    }

    /// The clause's own lead text, without any items.
    pub fn lead(&self) -> &'a str {
        &self.clause.text
    }

    /// The section the clause sits in.
    pub fn section(&self) -> &'a Section {
        self.section
    }

    /// The whole clause (for an item id, the clause the item belongs to).
    pub fn clause(&self) -> &'a Clause {
        self.clause
    }

    /// The lettered item, when the id names one.
    pub fn item(&self) -> Option<&'a Item> {
        self.item
    }

    /// The transcription note on the clause, if any (e.g. why 7.3-2 is not simply 7.3).
    pub fn note(&self) -> Option<&'a str> {
        self.clause.note.as_deref()
    }
}

/// What a policy's review date means on `today` (WP034 10, 11): "review overdue since 16 March
/// 2026" on and after the date, "next review due 16 March 2026" before it.
pub fn review_status(next_review: Date, today: Date) -> String {
    let printed = format!("{} {} {}", next_review.day(), next_review.month(), next_review.year());
    if today >= next_review { format!("review overdue since {printed}") } else { format!("next review due {printed}") }
}

/// WP034 version 3, parsed once from the compiled-in policy pack.
pub fn wp034() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        // The pack is compiled in, so it either always parses or never does: a failure here is a
        // build defect, and `tests::the_wp034_pack_parses_and_passes_its_checks` fails on it
        // before any release. There is no sensible policy to fall back to.
        #[allow(clippy::expect_used)]
        Policy::from_toml(WP034_TOML).expect("policy-pack/wp034.toml is compiled in and checked by the unit tests")
    })
}

/// Looks up a WP034 clause or item by id ("4.8", "6.3b", "6.3(b)", "7.3-2").
pub fn clause(id: &str) -> Option<ClauseRef<'static>> {
    wp034().clause(id)
}

/// Every addressable WP034 id in document order, including item ids such as "6.3b".
pub fn all_clause_ids() -> Vec<String> {
    wp034().clause_ids().map(str::to_owned).collect()
}

/// Turns the spellings people write into the canonical id: drops whitespace, lower-cases, and
/// rewrites a bracketed item letter ("6.3(b)") as a suffix ("6.3b").
fn normalise_id(id: &str) -> Option<String> {
    let compact: String = id.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    match compact.strip_suffix(')') {
        None => Some(compact),
        Some(open) => {
            let (head, letter) = open.rsplit_once('(')?;
            let mut chars = letter.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_lowercase() => Some(format!("{head}{c}")),
                _ => None,
            }
        }
    }
}

/// The leading number of a section or clause id: "4" for "4.0", "4.8" and "4.8-2".
fn major(id: &str) -> Option<&str> {
    id.split_once('.').map(|(major, _)| major)
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_section_id(id: &str) -> bool {
    matches!(id.split_once('.'), Some((major, "0")) if is_number(major))
}

fn is_clause_id(id: &str) -> bool {
    let (number, suffix) = match id.split_once('-') {
        Some((number, suffix)) => (number, Some(suffix)),
        None => (id, None),
    };
    let number_ok = matches!(number.split_once('.'), Some((major, minor)) if is_number(major) && is_number(minor));
    number_ok && suffix.is_none_or(is_number)
}

/// Checks the pack and lists every addressable id in document order.
fn build_index(policy: &Policy) -> Result<Vec<IndexEntry>, PackError> {
    for (n, section) in policy.sections.iter().enumerate() {
        if !is_section_id(&section.id) || policy.sections[..n].iter().any(|s| s.id == section.id) {
            return Err(PackError::BadSection(section.id.clone()));
        }
        if section.title.trim().is_empty() {
            return Err(PackError::EmptyText(section.id.clone()));
        }
    }
    let mut index: Vec<IndexEntry> = Vec::new();
    for (c, clause) in policy.clauses.iter().enumerate() {
        if !is_clause_id(&clause.id) || index.iter().any(|e| e.id == clause.id) {
            return Err(PackError::BadClauseId(clause.id.clone()));
        }
        if policy.section(&clause.section).is_none() || major(&clause.id) != major(&clause.section) {
            return Err(PackError::BadClauseSection { clause: clause.id.clone(), section: clause.section.clone() });
        }
        if clause.text.trim().is_empty() {
            return Err(PackError::EmptyText(clause.id.clone()));
        }
        if clause.items.len() > 26 {
            return Err(PackError::BadItem { clause: clause.id.clone(), item: "more than 26 items".to_owned() });
        }
        index.push(IndexEntry { id: clause.id.clone(), clause: c, item: None });
        for ((i, item), expected) in clause.items.iter().enumerate().zip('a'..='z') {
            if item.id.len() != 1 || !item.id.starts_with(expected) {
                return Err(PackError::BadItem { clause: clause.id.clone(), item: item.id.clone() });
            }
            if item.text.trim().is_empty() {
                return Err(PackError::EmptyText(format!("{}{}", clause.id, item.id)));
            }
            index.push(IndexEntry { id: format!("{}{}", clause.id, item.id), clause: c, item: Some(i) });
        }
    }
    Ok(index)
}

/// Reads a TOML local date (`2026-03-16`, unquoted) into a [`Date`].
fn toml_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    let value = toml::value::Datetime::deserialize(deserializer)?;
    match value {
        toml::value::Datetime { date: Some(date), time: None, offset: None } => {
            let month = Month::try_from(date.month).map_err(D::Error::custom)?;
            Date::from_calendar_date(i32::from(date.year), month, date.day).map_err(D::Error::custom)
        }
        other => Err(D::Error::custom(format!("expected a date such as 2026-03-16, found {other}"))),
    }
}

/// Writes a [`Date`] as "YYYY-MM-DD".
fn iso_date<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Every numbered clause printed in WP034 v3, in document order (7.3 appears twice).
    const EXPECTED_CLAUSES: &[&str] = &[
        "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", //
        "2.1", "2.2", "2.3", "2.4", "2.5", //
        "3.1", "3.2", "3.3", "3.4", //
        "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", //
        "5.1", "5.2", "5.3", "5.4", "5.5", //
        "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", //
        "7.1", "7.2", "7.3", "7.3-2", "7.4", //
        "8.1", "8.2", //
        "9.1", //
        "10.1", "10.2",
    ];

    fn text_of(id: &str) -> String {
        clause(id).map(|c| c.text().into_owned()).unwrap_or_else(|| panic!("{id} should resolve"))
    }

    #[test]
    fn the_wp034_pack_parses_and_passes_its_checks() {
        let policy = Policy::from_toml(WP034_TOML);
        assert!(policy.is_ok(), "{policy:?}");
    }

    #[test]
    fn the_metadata_matches_the_cover_page() {
        let p = wp034();
        assert_eq!(p.reference, "WP034");
        assert_eq!(p.title, "Mobile devices and social media policy");
        assert_eq!(p.version, 3);
        assert_eq!(p.force, "Warwickshire Police");
        assert_eq!(p.security_classification, "OFFICIAL");
        assert!(p.disclosable_under_foi);
        assert_eq!(p.directorate, "ENABLING SERVICES");
        assert_eq!(p.business_area, "CORPORATE COMMUNICATIONS");
        assert_eq!(p.initial_implementation_date, date!(2023 - 03 - 16));
        assert_eq!(p.next_review_date, date!(2026 - 03 - 16));
        assert_eq!(p.risk_rating, "LOW");
        assert_eq!(p.equality_analysis, "LOW");
        assert_eq!(p.contact_email, "policiesandprocedures@warwickshire.uk");
    }

    #[test]
    fn there_are_eleven_sections_with_their_printed_titles() {
        let ids: Vec<&str> = wp034().sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0", "11.0"]);
        assert_eq!(wp034().section("5.0").map(|s| s.title.as_str()), Some("WORK ISSUED MOBILE DEVICES DOWNLOADS"));
        assert_eq!(wp034().section("9.0").map(|s| s.title.as_str()), Some("LOG-IN CREDENTIALS AND PASSWORDS"));
    }

    #[test]
    fn every_numbered_clause_in_the_policy_is_present_in_order_and_nothing_else() {
        let ids: Vec<&str> = wp034().clauses.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, EXPECTED_CLAUSES);
        for id in EXPECTED_CLAUSES {
            assert!(clause(id).is_some(), "{id} does not resolve");
        }
    }

    #[test]
    fn both_clauses_numbered_7_3_are_kept_and_the_second_says_why_it_is_renamed() {
        let first = clause("7.3").map(|c| (c.lead(), c.note()));
        assert!(
            matches!(first, Some((text, None)) if text.starts_with("Individuals should be mindful that the content of online private or group chats"))
        );
        let second = clause("7.3-2");
        assert!(second.is_some_and(|c| c.lead().starts_with("Online associations must be considered")));
        assert!(second.and_then(|c| c.note()).is_some_and(|n| n.contains("7.3") && n.contains("7.3-2")));
    }

    #[test]
    fn item_6_3b_resolves_to_the_lead_text_and_the_protective_marking_item() {
        let text = text_of("6.3b");
        assert!(text.starts_with("Content, comments or posts on social media must not:\nb. "), "{text}");
        assert!(text.contains("protectively marked"));
        assert!(!text.contains("Breach copyright laws"), "only item b, not its neighbours");
        assert_eq!(clause("6.3b").map(|c| c.title()), Some("SOCIAL MEDIA FOR POLICING PURPOSES"));
    }

    #[test]
    fn item_ids_are_accepted_in_every_usual_spelling() {
        for spelling in ["6.3b", "6.3(b)", "6.3 (b)", "6.3B", " 6.3(B) "] {
            assert_eq!(clause(spelling).map(|c| c.id()), Some("6.3b"), "{spelling}");
        }
        assert_eq!(clause("7.3-2").map(|c| c.id()), Some("7.3-2"));
    }

    #[test]
    fn clause_4_2_requires_force_vetting_unit_approval_for_overseas_use() {
        assert!(text_of("4.2").contains("Force Vetting Unit"));
        assert_eq!(clause("4.2").map(|c| c.title()), Some("MOBILE DEVICE USAGE"));
    }

    #[test]
    fn the_messaging_service_procedure_belongs_to_clause_4_8() {
        let lead = clause("4.8").map(|c| c.lead()).unwrap_or_default();
        assert!(lead.starts_with("Personnel may download apps onto their device(s) via Google Play"));
        assert!(
            lead.ends_with("\n\nThe procedure for requesting a new messaging service on a work device is as follows:")
        );
        assert!(text_of("4.8a").ends_with(
            "a. Submit a request setting out the business need for access to the specific app to your Head of Department"
        ));
        assert!(
            text_of("4.8b")
                .ends_with("b. Head of Department to consider application and submit to Digital Services if approved.")
        );
        assert!(clause("4.8c").is_none());
        assert!(clause("4.9a").is_none());
    }

    #[test]
    fn a_clause_with_items_shows_all_of_its_items() {
        let text = text_of("4.10");
        assert!(text.contains("with the following considerations:\na. the full circumstances of the situation\nb. "));
        assert!(text.ends_with("d. how usage may appear to the public (see 4.4)"));
    }

    #[test]
    fn an_unknown_id_resolves_to_none() {
        for id in ["", "4", "4.0", "4.13", "12.1", "6.3h", "6.3(bb)", "6.3()", "6.3b)", "7.3-3", "WP034 4.8", "4.8.a"] {
            assert!(clause(id).is_none(), "{id:?} should not resolve");
        }
    }

    #[test]
    fn all_clause_ids_lists_clauses_and_items_in_document_order() {
        let ids = all_clause_ids();
        assert_eq!(ids.len(), 50 + 22);
        let pos = |id: &str| ids.iter().position(|i| i == id);
        assert_eq!(ids.first().map(String::as_str), Some("1.1"));
        assert_eq!(ids.last().map(String::as_str), Some("10.2"));
        assert!(pos("3.1") < pos("3.1a") && pos("3.1f") < pos("3.2"));
        assert!(pos("7.3") < pos("7.3-2") && pos("7.3-2") < pos("7.4"));
        for letter in 'a'..='g' {
            assert!(pos(&format!("6.3{letter}")).is_some());
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        for id in &ids {
            assert_eq!(clause(id).map(|c| c.id()), Some(id.as_str()));
        }
    }

    #[test]
    fn clause_text_keeps_the_policys_exact_words_and_punctuation() {
        let exact = [
            (
                "1.3",
                "For the purposes of this policy, the term 'social media' is used to describe all of these activities.",
            ),
            (
                "1.6",
                "This policy and the Code of Ethics and Standards of Professional Behaviour apply to police personnel",
            ),
            (
                "2.2",
                "\n\nIt also aims to ensure that the use of social media by the force is in line with the national policing position, and with the Fit for the Future strategy.",
            ),
            ("3.3", "Section 4(2) of the Regulation of Investigatory Powers Act 2000"),
            (
                "4.5",
                "should not usually connect via a \"sign-up website\" where name/email address/personal information/payment details are required.",
            ),
            ("4.12", "via personal devices - putting the individual or force at risk"),
            (
                "6.4",
                "\n\nInformation on channels and support available to use social media is outlined in the accompanying guidance.",
            ),
            (
                "6.5",
                "WhatsApp, Facebook Messenger, Twitter DM, Snapchat and any other direct messaging services are not approved",
            ),
            ("7.1", "social media profiles – in any format, whether it be words or pictures"),
            (
                "7.2",
                "Individuals must never reveal their security clearance (vetting) level or that of any other personnel",
            ),
            ("9.1", "should not use common passwords across multiple systems/sites/devices"),
            ("10.1", "again in September 2018 and again in October 2020."),
        ];
        for (id, phrase) in exact {
            assert!(text_of(id).contains(phrase), "{id} should contain {phrase:?}");
        }
    }

    #[test]
    fn no_pdf_artefacts_remain_in_any_clause() {
        for id in all_clause_ids() {
            let text = text_of(&id);
            assert!(!text.contains("OFFICIAL"), "{id} contains a page footer");
            assert!(!text.contains("](#)") && !text.contains('['), "{id} contains link markup");
            assert!(!text.starts_with("- ") && !text.contains("\n- "), "{id} contains a bullet");
            assert_eq!(text.trim(), text, "{id} has stray whitespace");
        }
    }

    #[test]
    fn the_document_history_has_every_row_of_the_table() {
        let history = &wp034().history;
        let dates: Vec<&str> = history.iter().map(|h| h.date.as_str()).collect();
        assert_eq!(
            dates,
            ["July 2013", "Sept 2016", "August 2018", "Nov 2020", "Sept 2021", "May 2022", "October 2022"]
        );
        assert_eq!(
            history.first().map(|h| (h.amendment.as_str(), h.approval.as_deref())),
            Some(("Harmonisation", Some("JNCC 13/09/2013")))
        );
        assert_eq!(history.get(5).map(|h| h.approval.is_none()), Some(true), "May 2022 has no approval in the table");
        assert_eq!(history.last().and_then(|h| h.approval.as_deref()), Some("22/03/23"));
        assert!(wp034().section("11.0").and_then(|s| s.intro.as_deref()).is_some_and(|i| i.contains("below chart")));
    }

    #[test]
    fn the_policy_is_due_for_review_on_and_after_16_march_2026() {
        let p = wp034();
        assert!(!p.review_due(date!(2026 - 03 - 15)));
        assert!(p.review_due(date!(2026 - 03 - 16)));
        assert!(p.review_due(date!(2026 - 11 - 28)));
    }

    #[test]
    fn the_review_status_says_overdue_from_the_review_date() {
        assert_eq!(review_status(date!(2026 - 03 - 16), date!(2026 - 12 - 04)), "review overdue since 16 March 2026");
        assert_eq!(review_status(date!(2026 - 03 - 16), date!(2026 - 03 - 16)), "review overdue since 16 March 2026");
        assert_eq!(review_status(date!(2026 - 03 - 16), date!(2026 - 03 - 15)), "next review due 16 March 2026");
    }

    #[test]
    fn the_policy_serialises_with_iso_dates() {
        let json = serde_json::to_value(wp034()).unwrap_or_default();
        assert_eq!(json["next_review_date"], "2026-03-16");
        assert_eq!(json["clauses"][0]["id"], "1.1");
    }

    const MINIMAL: &str = "reference = 'X1'\ntitle = 't'\nversion = 1\nforce = 'f'\nsecurity_classification = 'OFFICIAL'\n\
        disclosable_under_foi = true\ndirectorate = 'd'\nbusiness_area = 'b'\ninitial_implementation_date = 2023-03-16\n\
        next_review_date = 2026-03-16\nrisk_rating = 'LOW'\nequality_analysis = 'LOW'\ncontact_email = 'e@example.org'\n\
        [[sections]]\nid = '1.0'\ntitle = 'ONE'\n";

    fn load_with(extra: &str) -> Result<Policy, PackError> {
        Policy::from_toml(&format!("{MINIMAL}{extra}"))
    }

    #[test]
    fn the_loader_accepts_a_minimal_pack() {
        let p = load_with("[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = 'x'\nitems = [{ id = 'a', text = 'y' }]\n");
        assert_eq!(
            p.map(|p| p.clause_ids().map(str::to_owned).collect::<Vec<_>>()),
            Ok(vec!["1.1".to_owned(), "1.1a".to_owned()])
        );
    }

    #[test]
    fn the_loader_rejects_packs_that_would_make_citations_ambiguous_or_wrong() {
        let dup = "[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = 'x'\n[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = 'y'\n";
        assert_eq!(load_with(dup).err(), Some(PackError::BadClauseId("1.1".into())));
        let wrong_section = "[[clauses]]\nid = '2.1'\nsection = '1.0'\ntext = 'x'\n";
        assert!(matches!(load_with(wrong_section), Err(PackError::BadClauseSection { .. })));
        let missing_section = "[[clauses]]\nid = '2.1'\nsection = '2.0'\ntext = 'x'\n";
        assert!(matches!(load_with(missing_section), Err(PackError::BadClauseSection { .. })));
        let skipped_letter = "[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = 'x'\nitems = [{ id = 'a', text = 'y' }, { id = 'c', text = 'z' }]\n";
        assert!(matches!(load_with(skipped_letter), Err(PackError::BadItem { .. })));
        let bad_id = "[[clauses]]\nid = '1.1a'\nsection = '1.0'\ntext = 'x'\n";
        assert_eq!(load_with(bad_id).err(), Some(PackError::BadClauseId("1.1a".into())));
        let empty = "[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = '  '\n";
        assert_eq!(load_with(empty).err(), Some(PackError::EmptyText("1.1".into())));
        let typo = "[[clauses]]\nid = '1.1'\nsection = '1.0'\ntext = 'x'\nitmes = []\n";
        assert!(matches!(load_with(typo), Err(PackError::Toml(_))));
    }

    #[test]
    fn the_loader_insists_on_plain_dates() {
        let src = MINIMAL.replace("next_review_date = 2026-03-16", "next_review_date = 2026-03-16T09:00:00Z");
        assert!(matches!(Policy::from_toml(&src), Err(PackError::Toml(m)) if m.contains("expected a date")));
        let src = MINIMAL.replace("next_review_date = 2026-03-16", "next_review_date = '2026-03-16'");
        assert!(matches!(Policy::from_toml(&src), Err(PackError::Toml(_))));
    }
}
