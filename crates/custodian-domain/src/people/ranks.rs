//! The police ranks and titles that, before a surname, a staff number or in a handle, name an
//! officer or member of staff (WP034 8.2). One list for the comment triage (custodian-comments)
//! and the register's matching (`comments::people_named`).

/// A rank or role word, in small letters, and how it may open a handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rank {
    pub word: &'static str,
    /// At the head of a handle it counts only in capitals ("@PCJones", not "@PcWorld" or
    /// "@DiCaprio").
    pub caps_only: bool,
    /// No English word begins so: it opens a handle even run on in small letters
    /// ("@sgtprentice").
    pub run_on: bool,
    /// The comment triage reads it as a rank (all but "psc", which only the register's
    /// matching knows).
    pub triage: bool,
}

const fn rank(word: &'static str, caps_only: bool, run_on: bool) -> Rank {
    Rank { word, caps_only, run_on, triage: true }
}

/// The ranks, shortest abbreviation first where one begins another ("pc" before "pcso", "dc"
/// before "dci"): the order in which a number run on after a rank ("pc3391") is tried.
pub const RANKS: &[Rank] = &[
    rank("pc", true, false),
    rank("pcso", false, true),
    Rank { word: "psc", caps_only: true, run_on: false, triage: false },
    rank("sgt", false, true),
    rank("sergeant", false, false),
    rank("sarge", false, false),
    rank("dc", true, false),
    rank("ds", true, false),
    rank("di", true, false),
    rank("dci", true, false),
    rank("insp", false, false),
    rank("inspector", false, false),
    rank("supt", false, true),
    rank("superintendent", false, false),
    rank("constable", false, false),
    rank("detective", false, false),
    rank("officer", false, false),
];

/// Titles that, before a surname, name a member of staff; they do not open a handle ("@MrsSmith"
/// is a member of the public).
pub const TITLES: &[&str] = &["mr", "mrs", "ms", "miss"];

/// Whether `word` (in small letters) is a rank.
pub fn is_rank(word: &str) -> bool {
    RANKS.iter().any(|r| r.word == word)
}

/// The ranks `keep` selects, longest first, so that a handle that opens with "pcso" is not read
/// as "pc" and "so…".
pub fn longest_first(keep: impl Fn(&Rank) -> bool) -> Vec<&'static Rank> {
    let mut ranks: Vec<&'static Rank> = RANKS.iter().filter(|r| keep(r)).collect();
    ranks.sort_by_key(|r| std::cmp::Reverse(r.word.len()));
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_first_puts_a_rank_before_any_rank_it_begins_with() {
        let ranks = longest_first(|_| true);
        for (i, a) in ranks.iter().enumerate() {
            for b in &ranks[i + 1..] {
                assert!(!b.word.starts_with(a.word) || a.word == b.word, "{} before {}", a.word, b.word);
            }
        }
        assert_eq!(ranks.first().map(|r| r.word), Some("superintendent"));
        assert!(!longest_first(|r| r.triage).iter().any(|r| r.word == "psc"));
    }
}
