//! Normalisation before matching. Two views of a comment, each remembering for every byte the
//! byte span of the original text that produced it, so a match maps back to the text as given:
//!
//! - the **base** view: NFKC for non-ASCII characters, invisible characters removed, look-alike
//!   letters (Cyrillic, Greek) folded to Latin, typographic quotes and dashes folded, accents
//!   taken off, lower case, and ASCII only: the pound sign becomes `$`, any other character
//!   outside ASCII (emoji) a space.
//!   Numbers (phones, registrations, collar numbers) are matched here.
//! - the **word** view, built from the base view: letters spaced out ("s p a c e d",
//!   "d.o.t.t.e.d", "u_n_d_e_r") joined, and digits and symbols standing in for letters inside
//!   a word ("d1ck", "c0ps", "$cum", "sh!t") folded. Masks (`*`, `#`, `%`) are kept: the pack's
//!   terms match them as any letter.

use std::sync::LazyLock;

use custodian_domain::people::ranks::{self, Rank};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    pub(crate) text: String,
    src: Vec<(u32, u32)>,
}

impl View {
    /// The original span `[start, end)` that produced the view's bytes `[s, e)`.
    pub(crate) fn original_span(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        if s >= e || e > self.src.len() {
            return None;
        }
        Some((self.src[s].0 as usize, self.src[e - 1].1 as usize))
    }

    /// The view with `what` written before each of the byte offsets `at` (ascending, each a
    /// character boundary), the inserted bytes standing on the span of the byte after them.
    pub(crate) fn with_inserted(&self, at: &[usize], what: &str) -> View {
        let mut v = View {
            text: String::with_capacity(self.text.len() + at.len() * what.len()),
            src: Vec::with_capacity(self.src.len() + at.len() * what.len()),
        };
        let mut last = 0;
        for &p in at {
            if p < last || p >= self.text.len() || !self.text.is_char_boundary(p) {
                continue;
            }
            v.text.push_str(&self.text[last..p]);
            v.src.extend_from_slice(&self.src[last..p]);
            v.text.push_str(what);
            v.src.extend(std::iter::repeat_n(self.src[p], what.len()));
            last = p;
        }
        v.text.push_str(&self.text[last..]);
        v.src.extend_from_slice(&self.src[last..]);
        v
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        let before = self.text.len();
        self.text.push(c);
        for _ in before..self.text.len() {
            self.src.push(span);
        }
    }
}

fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

fn fold(c: char) -> char {
    match c {
        'А' | 'Α' | 'а' | 'α' => 'a',
        'В' | 'Β' => 'b',
        'С' | 'Ϲ' | 'с' | 'ϲ' => 'c',
        'Е' | 'Ε' | 'е' => 'e',
        'Н' | 'Η' | 'һ' => 'h',
        'І' | 'Ι' | 'Ӏ' | 'і' | 'ι' => 'i',
        'Ј' | 'ј' => 'j',
        'К' | 'Κ' => 'k',
        'М' | 'Μ' => 'm',
        'Ν' | 'ν' => 'n',
        'О' | 'Ο' | 'о' | 'ο' => 'o',
        'Р' | 'Ρ' | 'р' | 'ρ' => 'p',
        'Ѕ' | 'ѕ' => 's',
        'Т' | 'Τ' => 't',
        'Х' | 'Χ' | 'х' | 'χ' => 'x',
        'Υ' | 'Ү' | 'у' => 'y',
        'Ζ' => 'z',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        _ => c,
    }
}

/// The base view.
pub(crate) fn base(text: &str) -> View {
    let mut v = View { text: String::with_capacity(text.len()), src: Vec::with_capacity(text.len()) };
    let mut buf = String::new();
    for (i, c) in text.char_indices() {
        let span = (i as u32, (i + c.len_utf8()) as u32);
        if c.is_ascii() {
            v.push(c.to_ascii_lowercase(), span);
            continue;
        }
        if invisible(c) {
            continue;
        }
        if let Some(w) = emoji_word(c) {
            for l in [' '].into_iter().chain(w.chars()).chain([' ']) {
                v.push(l, span);
            }
            continue;
        }
        buf.clear();
        buf.extend(std::iter::once(c).nfkc());
        for o in buf.chars() {
            if invisible(o) {
                continue;
            }
            // The views are ASCII, so the matcher's word boundaries never meet a character they
            // cannot classify: the pound sign becomes "$", anything else outside ASCII a space.
            for l in fold(o).to_lowercase() {
                let l = if l.is_ascii() {
                    l
                } else if l == '£' {
                    '$'
                } else {
                    l.to_string().nfd().next().filter(char::is_ascii_alphabetic).unwrap_or(' ')
                };
                v.push(l, span);
            }
        }
    }
    v
}

/// The word a pictograph stands for where commenters use it for what the labels are about (a
/// banana or a monkey as racist abuse; a knife, a bomb or a gun as a threat), so the rules and
/// the model read it as that word; any other pictograph is a space. (A rainbow is not here: it
/// is far more often celebration than mockery.)
fn emoji_word(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{1F34C}' => "banana",
        '\u{1F412}' | '\u{1F435}' | '\u{1F98D}' => "monkey",
        '\u{1F52A}' | '\u{1F5E1}' => "knife",
        '\u{1F4A3}' => "bomb",
        '\u{1F52B}' => "gun",
        _ => return None,
    })
}

fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => return None,
    })
}

/// Characters that mask a letter in a word ("p*ki", "f#ck").
pub(crate) fn mask(c: char) -> bool {
    matches!(c, '*' | '#' | '%')
}

fn spacer(c: char) -> bool {
    matches!(c, ' ' | '.' | '_' | '-' | '\u{00B7}' | '\u{2022}' | '/' | '+')
}

/// Ranks that may open a handle naming an officer ("@SgtPrentice", "@PCJones", "@DCIWalsh",
/// "@Insp_Kaur"), longest first where one begins another, with when they count
/// (`custodian_domain::people::ranks`, WP034 8.2).
static HANDLE_RANKS: LazyLock<Vec<&'static Rank>> = LazyLock::new(|| ranks::longest_first(|r| r.triage));

/// How a rank-and-name handle divides, from its letters as written (after the `@`): the length
/// of the rank and whether a separator (`_`, `.`, `-`) stands between rank and name. `None`
/// when the handle does not open with a rank followed by a name: a capitalised name
/// ("SgtPrentice", "PCSOAhmed"), a name after a separator ("PC_Jones", "sgt.prentice"), or,
/// for a rank no word begins with, a name run on in small letters ("sgtprentice").
pub(crate) fn rank_handle(handle: &[char]) -> Option<(usize, bool)> {
    for r in HANDLE_RANKS.iter() {
        let n = r.word.len();
        if handle.len() < n + 2 {
            continue;
        }
        let head = &handle[..n];
        if !head.iter().zip(r.word.chars()).all(|(a, b)| a.to_ascii_lowercase() == b) {
            continue;
        }
        if r.caps_only && !head.iter().all(char::is_ascii_uppercase) {
            continue;
        }
        let (a, b) = (handle[n], handle[n + 1]);
        if matches!(a, '_' | '.' | '-') && b.is_ascii_alphabetic() {
            return Some((n, true));
        }
        if a.is_ascii_uppercase() && b.is_ascii_lowercase() {
            return Some((n, false));
        }
        let rest = &handle[n..];
        if r.run_on
            && head.iter().all(char::is_ascii_lowercase)
            && rest.len() >= 3
            && rest.iter().all(char::is_ascii_lowercase)
        {
            return Some((n, false));
        }
    }
    None
}

/// The word view. `original` is the text `base` was made from: a handle's capitals, which the
/// base view has lowered, tell a rank-and-name handle ("@SgtPrentice") from any other.
pub(crate) fn words(base: &View, original: &str) -> View {
    let chars: Vec<(usize, char)> = base.text.char_indices().collect();
    let n = chars.len();
    let wordy = |k: usize| {
        let c = chars[k].1;
        c.is_alphanumeric() || mask(c)
    };
    let single = |k: usize| wordy(k) && (k == 0 || !wordy(k - 1)) && (k + 1 >= n || !wordy(k + 1));
    let span_of = |k: usize| {
        let (b, c) = chars[k];
        (base.src[b].0, base.src[b + c.len_utf8() - 1].1)
    };
    let mut v = View { text: String::with_capacity(base.text.len()), src: Vec::with_capacity(base.text.len()) };
    let mut k = 0;
    while k < n {
        let c = chars[k].1;
        // Letters spaced out by one spacing character: at least four singles when the spacer is
        // a space ("u r a" is text-speak, not a spaced word), three otherwise.
        if single(k) && k + 2 < n && spacer(chars[k + 1].1) {
            let sep = chars[k + 1].1;
            let mut run = vec![k];
            let mut j = k;
            while j + 2 < n && chars[j + 1].1 == sep && single(j + 2) {
                j += 2;
                run.push(j);
            }
            let letters = run.iter().filter(|&&r| chars[r].1.is_alphabetic() || mask(chars[r].1)).count();
            let need = if sep == ' ' { 4 } else { 3 };
            if run.len() >= need && letters * 2 >= run.len() {
                for &r in &run {
                    let ch = chars[r].1;
                    v.push(leet(ch).unwrap_or(ch), span_of(r));
                }
                k = j + 1;
                continue;
            }
        }
        // A rank-and-name handle reads as its rank and its name: "@SgtPrentice" is
        // "@sgt prentice", "@PC_Jones" "@pc jones". Any other handle is left whole.
        if c == '@' && (k == 0 || !chars[k - 1].1.is_alphanumeric()) {
            let mut handle = Vec::new();
            let mut m = k + 1;
            while m < n && (chars[m].1.is_ascii_alphanumeric() || matches!(chars[m].1, '_' | '.' | '-')) {
                let (b, ch) = chars[m];
                // The letter as written: the base view has lowered it.
                let o = original.get(base.src[b].0 as usize..).and_then(|t| t.chars().next());
                handle.push(o.filter(|o| o.to_ascii_lowercase() == ch).unwrap_or(ch));
                m += 1;
            }
            if let Some((len, sep)) = rank_handle(&handle) {
                v.push('@', span_of(k));
                for (r, &(_, ch)) in chars.iter().enumerate().take(k + len + 1).skip(k + 1) {
                    v.push(ch, span_of(r));
                }
                // The separator becomes the space; without one, the space stands on the rank's
                // last letter.
                let name = k + 1 + len;
                if sep {
                    v.push(' ', span_of(name));
                    k = name + 1;
                } else {
                    v.push(' ', span_of(name - 1));
                    k = name;
                }
                continue;
            }
        }
        // A word: letters, digits and the symbols that stand for letters.
        let standin = |ch: char| matches!(ch, '@' | '$' | '!' | '|');
        if c.is_alphanumeric() || mask(c) || (standin(c) && c != '!' && c != '|') {
            let mut j = k;
            while j < n
                && (wordy(j)
                    || (standin(chars[j].1)
                        && ((j + 1 < n && wordy(j + 1)) || (chars[j].1 == '$' && j > k))
                        && (j > k || matches!(chars[j].1, '$' | '@'))))
            {
                j += 1;
            }
            if j == k {
                j = k + 1;
            }
            let word = &chars[k..j];
            let letters = word.iter().filter(|(_, ch)| ch.is_alphabetic()).count();
            // Digit runs longer than two are numbers ("pc1234", "a46"), not letters, unless the
            // word has three letters or more ("fag907s").
            let mut longest_digits = 0;
            let mut run = 0;
            for (_, ch) in word {
                if ch.is_ascii_digit() {
                    run += 1;
                    longest_digits = longest_digits.max(run);
                } else {
                    run = 0;
                }
            }
            let fold = letters >= 2 && (longest_digits <= 2 || longest_digits == 3 && letters >= 3);
            for (r, &(_, ch)) in word.iter().enumerate() {
                // A handle's leading @ stays.
                let ch = if fold && !(r == 0 && ch == '@') { leet(ch).unwrap_or(ch) } else { ch };
                v.push(ch, span_of(k + r));
            }
            k = j;
            continue;
        }
        v.push(c, span_of(k));
        k += 1;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictographs_the_labels_are_about_read_as_words_and_others_as_spaces() {
        let v = base("off a boat \u{1F34C} lol \u{1F602}");
        assert_eq!(v.text, "off a boat  banana  lol  ");
        assert_eq!(base("\u{1F52A}\u{1F308}").text, " knife  ");
    }

    fn w(t: &str) -> String {
        words(&base(t), t).text
    }

    #[test]
    fn spaced_dotted_and_underscored_letters_are_joined() {
        assert_eq!(w("you s c u m bag"), "you scum bag");
        assert_eq!(w("a d.o.t.t.e.d word"), "a dotted word");
        assert_eq!(w("u_n_d_e_r"), "under");
        assert_eq!(w("u r a joke"), "u r a joke");
    }

    #[test]
    fn digits_for_letters_fold_inside_words_but_numbers_stay() {
        assert_eq!(w("D1CK h3ad c0ps"), "dick head cops");
        assert_eq!(w("PC1234 on the A46, call 07700 900123"), "pc1234 on the a46, call 07700 900123");
        assert_eq!(w("$cum sh!t @SgtBloggs"), "scum shit @sgt bloggs");
    }

    #[test]
    fn a_rank_and_name_handle_reads_as_rank_and_name_and_any_other_handle_stays_whole() {
        // WP034 8.2: a handle names an officer when it is a rank and a name.
        assert_eq!(w("@SgtPrentice you clown"), "@sgt prentice you clown");
        assert_eq!(w("@PCJones @InspKaur @DCIWalsh @PCSOAhmed"), "@pc jones @insp kaur @dci walsh @pcso ahmed");
        assert_eq!(w("@PC_Jones @sgt.prentice @Insp-Kaur"), "@pc jones @sgt prentice @insp kaur");
        assert_eq!(w("@sgtprentice @supthughes"), "@sgt prentice @supt hughes");
        assert_eq!(w("@SergeantDibble @DetectiveHale"), "@sergeant dibble @detective hale");
        // Members of the public: names, words that begin like a rank, small-letter abbreviations.
        assert_eq!(w("@SteveCrane @DiCaprio @PcWorld @pcjones"), "@stevecrane @dicaprio @pcworld @pcjones");
        assert_eq!(w("@Inspired @dsmith @DSmith @WarksPolice"), "@inspired @dsmith @dsmith @warkspolice");
        // An e-mail address is no handle (its @ folds as a letter inside a word).
        assert_eq!(w("whitnashsgt@Example.co.uk"), "whitnashsgtaexample.co.uk");
    }

    #[test]
    fn a_rank_and_name_handle_maps_back_to_the_handle_as_written() {
        let t = "well done @SgtPrentice";
        let b = base(t);
        let v = words(&b, t);
        let s = v.text.find("@sgt").unwrap_or(0);
        let (a, e) = v.original_span(s, v.text.len()).unwrap_or((0, 0));
        assert_eq!(&t[a..e], "@SgtPrentice");
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let t = "Ｓcum s c u m";
        let b = base(t);
        let v = words(&b, t);
        let s = v.text.rfind("scum").unwrap_or(0);
        let (a, e) = v.original_span(s, s + 4).unwrap_or((0, 0));
        assert_eq!(&t[a..e], "s c u m");
        let (a, e) = v.original_span(0, 4).unwrap_or((0, 0));
        assert_eq!(&t[a..e], "Ｓcum");
    }
}
