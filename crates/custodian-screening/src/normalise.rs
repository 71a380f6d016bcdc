//! Normalisation before matching: Unicode NFKC, invisible characters removed, look-alike
//! letters folded to Latin, and (in the word view) digits standing in for letters and letters
//! spaced out joined up. Every byte of a normalised view remembers which bytes of the original
//! text produced it, so a match in a view maps back to a span of the text as given.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// A normalised copy of the text with, for each of its bytes, the original byte span of the
/// character (or character plus combining marks) that produced it.
///
/// Invariants: `src.len() == text.len()`; the spans are non-decreasing and each lies on
/// character boundaries of the original text, so [`View::original_span`] always yields a slice
/// the original text can be indexed by.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    pub(crate) text: String,
    /// `text` lower-cased byte for byte (ASCII only), for context-word look-ups.
    pub(crate) lower: String,
    src: Vec<(u32, u32)>,
}

impl View {
    /// The original span `[start, end)` that produced the view's bytes `[s, e)`, or `None` for
    /// an empty or out-of-range span.
    pub(crate) fn original_span(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        if s >= e || e > self.src.len() {
            return None;
        }
        let (a, _) = self.src[s];
        let (_, b) = self.src[e - 1];
        Some((a as usize, b as usize))
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        let before = self.text.len();
        self.text.push(c);
        for _ in before..self.text.len() {
            self.src.push(span);
        }
    }

    fn finish(mut self) -> Self {
        self.lower = self.text.to_ascii_lowercase();
        self
    }
}

/// Characters that render as nothing and are used to break up words: zero-width spaces and
/// joiners, the word joiner, the byte-order mark, the soft hyphen, variation selectors.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Fold a character that looks like a Latin letter, digit or ASCII punctuation mark to it.
/// Cyrillic and Greek capitals and small letters that are drawn like Latin ones, typographic
/// dashes and quotation marks. NFKC has already handled full-width and mathematical letters.
fn fold(c: char) -> char {
    match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' | 'Ϲ' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' | 'Ӏ' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        'а' | 'α' => 'a',
        'с' | 'ϲ' => 'c',
        'е' => 'e',
        'һ' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'х' | 'χ' => 'x',
        'у' => 'y',
        'ν' => 'v',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        _ => c,
    }
}

/// The base view: NFKC, invisible characters removed, look-alikes folded. Digits stay digits,
/// so numbers (phones, postcodes, references) are matched here.
pub(crate) fn base(text: &str) -> View {
    let mut v =
        View { text: String::with_capacity(text.len()), lower: String::new(), src: Vec::with_capacity(text.len()) };
    let b = text.as_bytes();
    let mut i = 0;
    let mut buf = String::new();
    while i < b.len() {
        // An ASCII character with no combining mark after it stands for itself: a run of ASCII
        // is copied whole, but for its last byte when something else follows it (it may carry a
        // combining mark).
        let run = b[i..].iter().position(|x| !x.is_ascii()).map_or(b.len(), |p| i + p);
        let copy = if run < b.len() { run.saturating_sub(1) } else { run };
        if copy > i {
            v.text.push_str(&text[i..copy]);
            v.src.extend((i as u32..copy as u32).map(|k| (k, k + 1)));
            i = copy;
            continue;
        }
        let Some(c) = text[i..].chars().next() else { break };
        let mut end = i + c.len_utf8();
        // A character and its combining marks normalise together.
        while let Some(d) = text[end..].chars().next() {
            if canonical_combining_class(d) == 0 || invisible(d) {
                break;
            }
            end += d.len_utf8();
        }
        let start = i;
        i = end;
        if invisible(c) {
            continue;
        }
        let span = (start as u32, end as u32);
        buf.clear();
        buf.extend(text[start..end].nfkc());
        for o in buf.chars() {
            if !invisible(o) {
                v.push(fold(o), span);
            }
        }
    }
    v.finish()
}

/// [`base`] as it was first written, an ASCII byte at a time (the reference the run-copying
/// pass is tested against).
#[cfg(test)]
fn base_by_bytes(text: &str) -> View {
    let mut v =
        View { text: String::with_capacity(text.len()), lower: String::new(), src: Vec::with_capacity(text.len()) };
    let b = text.as_bytes();
    let mut i = 0;
    let mut buf = String::new();
    while i < b.len() {
        // An ASCII character with no combining mark after it stands for itself.
        if b[i].is_ascii() && b.get(i + 1).is_none_or(|n| n.is_ascii()) {
            v.text.push(b[i] as char);
            v.src.push((i as u32, i as u32 + 1));
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else { break };
        let mut end = i + c.len_utf8();
        // A character and its combining marks normalise together.
        while let Some(d) = text[end..].chars().next() {
            if canonical_combining_class(d) == 0 || invisible(d) {
                break;
            }
            end += d.len_utf8();
        }
        let start = i;
        i = end;
        if invisible(c) {
            continue;
        }
        let span = (start as u32, end as u32);
        buf.clear();
        buf.extend(text[start..end].nfkc());
        for o in buf.chars() {
            if !invisible(o) {
                v.push(fold(o), span);
            }
        }
    }
    v.finish()
}

/// Digits and symbols written for the letters they look like inside a word ("0FFICIAL",
/// "sh1t", "$cum").
fn leet(c: char, upper: bool) -> Option<char> {
    let l = match c {
        '0' => 'o',
        '1' | '!' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        _ => return None,
    };
    Some(if upper { l.to_ascii_uppercase() } else { l })
}

fn spacer(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '/' | '\u{00B7}' | '\u{2022}')
}

/// What [`spaced_or_mixed`] needs to know of a character: whether it is a letter or digit
/// (`ALNUM`), a letter (`ALPHA`), a spacer (`SPACER`), part of a word that may be folded (a
/// letter, a digit, `@` or `$`: `WORD`), and one that stands for a letter (`STANDS`).
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const SPACER: u8 = 4;
const WORD: u8 = 8;
const STANDS: u8 = 16;

/// [`class`] of every ASCII character, worked out when the crate is compiled.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_alphanumeric() {
            k |= ALNUM | WORD;
        }
        if c.is_ascii_alphabetic() {
            k |= ALPHA;
        }
        if matches!(c, b' ' | b'.' | b'-' | b'_' | b'*' | b'/') {
            k |= SPACER;
        }
        if matches!(c, b'@' | b'$') {
            k |= WORD;
        }
        if matches!(c, b'0' | b'1' | b'!' | b'3' | b'4' | b'@' | b'5' | b'$' | b'7') {
            k |= STANDS;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// The class of a character, as [`ASCII_CLASS`] gives it for ASCII: from the same tests
/// ([`char::is_alphanumeric`], [`char::is_alphabetic`], [`spacer`], [`leet`]) that the word
/// view's builder makes.
fn class(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII_CLASS[c as usize];
    }
    let mut k = 0;
    if c.is_alphanumeric() {
        k |= ALNUM | WORD;
    }
    if c.is_alphabetic() {
        k |= ALPHA;
    }
    if spacer(c) {
        k |= SPACER;
    }
    if leet(c, false).is_some() {
        k |= STANDS;
    }
    k
}

/// Whether the word view of `text` can differ from it. Most drafts have nothing to join or
/// fold, and then the word view is the base view: every character [`words_if_changed`] leaves
/// alone it copies with its span. A run of spaced-out letters starts with two single
/// characters (letters or digits with none beside them) one to three spacers apart, and a word
/// (a run of letters, digits, `@` and `$`) is folded only when it has at least two letters and a
/// digit or symbol that stands for one. One pass, nothing allocated; an ASCII byte is classed
/// from a table without decoding it.
fn spaced_or_mixed(text: &str) -> bool {
    // The class of the character at byte `i` (a boundary) and its length in bytes.
    #[inline(always)]
    fn at(text: &str, i: usize) -> (u8, usize) {
        match text.as_bytes().get(i) {
            None => (0, 0),
            Some(&x) if x < 0x80 => (ASCII_CLASS[usize::from(x)], 1),
            Some(_) => text[i..].chars().next().map_or((0, 0), |c| (class(c), c.len_utf8())),
        }
    }
    // Spacers seen since the last single character, while nothing else came between.
    let mut gap: Option<usize> = None;
    let (mut letters, mut stand_in) = (0usize, false);
    let mut prev_alnum = false;
    let (mut cur, mut len) = at(text, 0);
    let mut i = 0;
    while len > 0 {
        let (next, next_len) = at(text, i + len);
        let alnum = cur & ALNUM != 0;
        if alnum {
            let single = !prev_alnum && next & ALNUM == 0;
            if single && gap.is_some_and(|g| (1..=3).contains(&g)) {
                return true;
            }
            gap = single.then_some(0);
        } else if cur & SPACER != 0 {
            gap = gap.map(|g| g + 1);
        } else {
            gap = None;
        }
        prev_alnum = alnum;
        if cur & WORD != 0 {
            letters += usize::from(cur & ALPHA != 0);
            stand_in |= cur & STANDS != 0;
            if letters >= 2 && stand_in {
                return true;
            }
        } else {
            (letters, stand_in) = (0, false);
        }
        i += len;
        (cur, len) = (next, next_len);
    }
    false
}

/// [`spaced_or_mixed`] as it was first written, a character at a time (the reference the
/// table-driven pass is tested against).
#[cfg(test)]
fn spaced_or_mixed_by_chars(text: &str) -> bool {
    let mut gap: Option<usize> = None;
    let (mut letters, mut stand_in) = (0usize, false);
    let mut prev_alnum = false;
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        let alnum = c.is_alphanumeric();
        if alnum {
            let single = !prev_alnum && !it.peek().is_some_and(|d| d.is_alphanumeric());
            if single && gap.is_some_and(|g| (1..=3).contains(&g)) {
                return true;
            }
            gap = single.then_some(0);
        } else if spacer(c) {
            gap = gap.map(|g| g + 1);
        } else {
            gap = None;
        }
        prev_alnum = alnum;
        if alnum || c == '@' || c == '$' {
            letters += usize::from(c.is_alphabetic());
            stand_in |= leet(c, false).is_some();
            if letters >= 2 && stand_in {
                return true;
            }
        } else {
            (letters, stand_in) = (0, false);
        }
    }
    false
}

/// The word view, built from the base view: letters spaced out ("S E C R E T",
/// "s.e.c.r.e.t") joined, and digits standing in for letters inside words folded. Word lists
/// and markings are matched here; numbers never are.
#[cfg(test)]
pub(crate) fn words(base: &View) -> View {
    words_if_changed(base).unwrap_or_else(|| base.clone())
}

/// [`words`], or `None` when the word view would be the base view itself (most drafts: nothing
/// spaced out, no digit standing for a letter).
pub(crate) fn words_if_changed(base: &View) -> Option<View> {
    if !spaced_or_mixed(&base.text) {
        return None;
    }
    Some(build_words(base))
}

/// The word view, built in full.
fn build_words(base: &View) -> View {
    if base.text.is_ascii() { build_words_ascii(base) } else { build_words_chars(base) }
}

/// [`build_words_chars`] for a base view that is all ASCII: a character is a byte, classed from
/// [`ASCII_CLASS`], and its span is the byte's.
fn build_words_ascii(base: &View) -> View {
    let b = base.text.as_bytes();
    let n = b.len();
    let class = |k: usize| ASCII_CLASS[usize::from(b[k])];
    let alnum = |k: usize| class(k) & ALNUM != 0;
    let single = |k: usize| alnum(k) && (k == 0 || !alnum(k - 1)) && (k + 1 >= n || !alnum(k + 1));
    // A letter for the digit or symbol `x` that stands for one, in the case given.
    let leet_byte = |x: u8, upper: bool| leet(char::from(x), upper).map_or(x, |l| l as u8);
    let mut v = View { text: String::with_capacity(n), lower: String::new(), src: Vec::with_capacity(n) };
    let mut k = 0;
    while k < n {
        let c = b[k];
        // Letters spaced out, as in [`build_words_chars`].
        if single(k) {
            let (mut len, mut letters, mut upper) = (1, usize::from(c.is_ascii_alphabetic()), !c.is_ascii_lowercase());
            let mut j = k;
            loop {
                let mut m = j + 1;
                let mut gaps = 0;
                while m < n && gaps < 3 && class(m) & SPACER != 0 {
                    m += 1;
                    gaps += 1;
                }
                if gaps == 0 || m >= n || !single(m) {
                    break;
                }
                len += 1;
                letters += usize::from(b[m].is_ascii_alphabetic());
                upper &= !b[m].is_ascii_lowercase();
                j = m;
            }
            if len >= 3 && letters >= 2 {
                for (&x, &span) in b[k..=j].iter().zip(&base.src[k..=j]) {
                    if ASCII_CLASS[usize::from(x)] & SPACER != 0 {
                        continue;
                    }
                    let x = if x.is_ascii_digit() { leet_byte(x, upper) } else { x };
                    v.text.push(char::from(x));
                    v.src.push(span);
                }
                k = j + 1;
                continue;
            }
        }
        // A word, as in [`build_words_chars`].
        if c.is_ascii_alphanumeric() || class(k) & STANDS != 0 && c != b'!' {
            let mut j = k;
            while j < n && class(j) & WORD != 0 {
                j += 1;
            }
            if j == k {
                v.text.push(char::from(c));
                v.src.push(base.src[k]);
                k += 1;
                continue;
            }
            let word = &b[k..j];
            let letters = word.iter().filter(|x| x.is_ascii_alphabetic()).count();
            let subs = word.iter().filter(|&&x| ASCII_CLASS[usize::from(x)] & STANDS != 0).count();
            let fold = letters >= 2 && subs > 0 && subs < letters + subs;
            let upper = word.iter().filter(|x| x.is_ascii_alphabetic()).all(|x| !x.is_ascii_lowercase());
            for (&x, &span) in word.iter().zip(&base.src[k..j]) {
                let x = if fold { leet_byte(x, upper) } else { x };
                v.text.push(char::from(x));
                v.src.push(span);
            }
            k = j;
            continue;
        }
        v.text.push(char::from(c));
        v.src.push(base.src[k]);
        k += 1;
    }
    v.finish()
}

/// The word view of any base view, a character at a time.
fn build_words_chars(base: &View) -> View {
    let chars: Vec<(usize, char)> = base.text.char_indices().collect();
    let n = chars.len();
    let alnum = |k: usize| chars[k].1.is_alphanumeric();
    let single = |k: usize| alnum(k) && (k == 0 || !alnum(k - 1)) && (k + 1 >= n || !alnum(k + 1));
    let span_of = |k: usize| {
        let (b, c) = chars[k];
        let first = base.src[b];
        let last = base.src[b + c.len_utf8() - 1];
        (first.0, last.1)
    };
    let mut v = View {
        text: String::with_capacity(base.text.len()),
        lower: String::new(),
        src: Vec::with_capacity(base.src.len()),
    };
    let mut k = 0;
    while k < n {
        let (_, c) = chars[k];
        // Letters spaced out: at least three single letters or digits, at least two of them
        // letters, separated by one to three spacing characters. The run's members are single characters (letters or digits) and everything between
        // them is spacers, so it is counted as it is found and then copied without its spacers.
        if single(k) {
            let (mut len, mut letters, mut upper) = (1, usize::from(c.is_alphabetic()), !c.is_lowercase());
            let mut j = k;
            loop {
                let mut m = j + 1;
                let mut gaps = 0;
                while m < n && gaps < 3 && spacer(chars[m].1) {
                    m += 1;
                    gaps += 1;
                }
                if gaps == 0 || m >= n || !single(m) {
                    break;
                }
                let ch = chars[m].1;
                len += 1;
                letters += usize::from(ch.is_alphabetic());
                upper &= !ch.is_lowercase();
                j = m;
            }
            if len >= 3 && letters >= 2 {
                for (r, &(_, ch)) in chars.iter().enumerate().take(j + 1).skip(k) {
                    if spacer(ch) {
                        continue;
                    }
                    let ch = if ch.is_ascii_digit() { leet(ch, upper).unwrap_or(ch) } else { ch };
                    v.push(ch, span_of(r));
                }
                k = j + 1;
                continue;
            }
        }
        // A word: fold look-alike digits and symbols when it has at least two letters.
        if c.is_alphanumeric() || leet(c, false).is_some() && c != '!' {
            let mut j = k;
            while j < n && (chars[j].1.is_alphanumeric() || matches!(chars[j].1, '@' | '$')) {
                j += 1;
            }
            if j == k {
                v.push(c, span_of(k));
                k += 1;
                continue;
            }
            let word = &chars[k..j];
            let letters = word.iter().filter(|(_, ch)| ch.is_alphabetic()).count();
            let subs = word.iter().filter(|(_, ch)| leet(*ch, false).is_some()).count();
            let fold = letters >= 2 && subs > 0 && subs < letters + subs;
            let upper = word.iter().filter(|(_, ch)| ch.is_alphabetic()).all(|(_, ch)| !ch.is_lowercase());
            for (r, &(_, ch)) in chars.iter().enumerate().take(j).skip(k) {
                let ch = if fold { leet(ch, upper).unwrap_or(ch) } else { ch };
                v.push(ch, span_of(r));
            }
            k = j;
            continue;
        }
        v.push(c, span_of(k));
        k += 1;
    }
    v.finish()
}

/// [`build_words`] as it was first written, each run of spaced-out letters gathered into a
/// list (the reference the counting pass is tested against).
#[cfg(test)]
fn build_words_listed(base: &View) -> View {
    let chars: Vec<(usize, char)> = base.text.char_indices().collect();
    let n = chars.len();
    let alnum = |k: usize| chars[k].1.is_alphanumeric();
    let single = |k: usize| alnum(k) && (k == 0 || !alnum(k - 1)) && (k + 1 >= n || !alnum(k + 1));
    let span_of = |k: usize| {
        let (b, c) = chars[k];
        let first = base.src[b];
        let last = base.src[b + c.len_utf8() - 1];
        (first.0, last.1)
    };
    let mut v = View {
        text: String::with_capacity(base.text.len()),
        lower: String::new(),
        src: Vec::with_capacity(base.src.len()),
    };
    let mut k = 0;
    while k < n {
        let (_, c) = chars[k];
        // Letters spaced out: at least three single letters or digits, at least two of them
        // letters, separated by one to three spacing characters.
        if single(k) {
            let mut run = vec![k];
            let mut j = k;
            loop {
                let mut m = j + 1;
                let mut gaps = 0;
                while m < n && gaps < 3 && spacer(chars[m].1) {
                    m += 1;
                    gaps += 1;
                }
                if gaps == 0 || m >= n || !single(m) {
                    break;
                }
                run.push(m);
                j = m;
            }
            let letters = run.iter().filter(|&&r| chars[r].1.is_alphabetic()).count();
            if run.len() >= 3 && letters >= 2 {
                let upper = run.iter().all(|&r| !chars[r].1.is_lowercase());
                for &r in &run {
                    let ch = chars[r].1;
                    let ch = if ch.is_ascii_digit() { leet(ch, upper).unwrap_or(ch) } else { ch };
                    v.push(ch, span_of(r));
                }
                k = j + 1;
                continue;
            }
        }
        // A word: fold look-alike digits and symbols when it has at least two letters.
        if c.is_alphanumeric() || leet(c, false).is_some() && c != '!' {
            let mut j = k;
            while j < n && (chars[j].1.is_alphanumeric() || matches!(chars[j].1, '@' | '$')) {
                j += 1;
            }
            if j == k {
                v.push(c, span_of(k));
                k += 1;
                continue;
            }
            let word = &chars[k..j];
            let letters = word.iter().filter(|(_, ch)| ch.is_alphabetic()).count();
            let subs = word.iter().filter(|(_, ch)| leet(*ch, false).is_some()).count();
            let fold = letters >= 2 && subs > 0 && subs < letters + subs;
            let upper = word.iter().filter(|(_, ch)| ch.is_alphabetic()).all(|(_, ch)| !ch.is_lowercase());
            for (r, &(_, ch)) in chars.iter().enumerate().take(j).skip(k) {
                let ch = if fold { leet(ch, upper).unwrap_or(ch) } else { ch };
                v.push(ch, span_of(r));
            }
            k = j;
            continue;
        }
        v.push(c, span_of(k));
        k += 1;
    }
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(v: &View, original: &str, needle: &str) -> String {
        let s = v.text.find(needle).expect("needle in view");
        let (a, b) = v.original_span(s, s + needle.len()).expect("span");
        original[a..b].to_string()
    }

    #[test]
    fn zero_width_characters_are_removed_and_the_span_covers_them() {
        let t = "OFFI\u{200B}CIAL-SENSITIVE report";
        let v = base(t);
        assert_eq!(v.text, "OFFICIAL-SENSITIVE report");
        assert_eq!(back(&v, t, "OFFICIAL-SENSITIVE"), "OFFI\u{200B}CIAL-SENSITIVE");
    }

    #[test]
    fn cyrillic_and_full_width_look_alikes_become_latin() {
        let t = "S\u{0415}CRET and \u{FF33}\u{FF25}\u{FF23}\u{FF32}\u{FF25}\u{FF34}";
        let v = base(t);
        assert_eq!(v.text, "SECRET and SECRET");
        assert_eq!(back(&v, t, "SECRET"), "S\u{0415}CRET");
    }

    #[test]
    fn spaced_out_letters_are_joined_in_the_word_view() {
        let t = "this is S E C R E T stuff";
        let w = words(&base(t));
        assert_eq!(w.text, "this is SECRET stuff");
        assert_eq!(back(&w, t, "SECRET"), "S E C R E T");
    }

    #[test]
    fn digits_standing_for_letters_are_folded_only_inside_words() {
        let w = words(&base("0FFICIAL-SENSITIVE on the A46 at 10:30, call 0800 555 111"));
        assert_eq!(w.text, "OFFICIAL-SENSITIVE on the A46 at 10:30, call 0800 555 111");
    }

    #[test]
    fn the_word_view_is_built_only_when_it_can_differ() {
        for t in [
            "Officers on the A46 at 10:30, call 0800 555 111 or CV1 2AB",
            "a - b and x y",
            "ids: a1, b2b, 4x4, @home, $5, e-mail me@example.org",
            "i.e. e.g. a.m. p.m.",
            "Zoe\u{0308} 3rd 1st 2nd",
            "S E C R E T",
            "0FFICIAL",
            "sh1t and $cum",
            "n 0 w",
            "PC 1234 A B",
        ] {
            let b = base(t);
            let full = build_words(&b);
            let same = full.text == b.text && full.src == b.src;
            if !spaced_or_mixed(&b.text) {
                assert!(same, "{t:?}");
            }
            assert_eq!(words(&b).text, full.text, "{t:?}");
        }
        assert!(!spaced_or_mixed("Officers on the A46 at 10:30"));
        assert!(spaced_or_mixed("S E C R E T") && spaced_or_mixed("0FFICIAL"));
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        let t = "Zoe\u{0308} said";
        let v = base(t);
        assert_eq!(v.text, "Zoë said");
        assert_eq!(back(&v, t, "Zoë"), t[..5].to_string());
    }

    /// Characters that [`spaced_or_mixed`] classes differently: ASCII letters, digits, spacers
    /// and the symbols that stand for letters, and their non-ASCII kin (accented and Greek
    /// letters, other scripts' digits, the two non-ASCII spacers, a combining mark, emoji).
    const ALPHABET: &[char] = &[
        'a', 'B', 'z', '0', '1', '3', '4', '5', '7', '9', '@', '$', '!', ' ', ' ', '.', '-', '_', '*', '/', ',', '\n',
        '\'', 'é', 'Ł', 'ß', 'Σ', 'ж', '\u{0663}', '²', 'Ⅻ', '\u{00B7}', '\u{2022}', '\u{0301}', '\u{00A0}',
        '\u{2013}', '😀', '中',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// The table-driven pass answers as the character-at-a-time one, on any text of these
        /// characters, ASCII or not.
        #[test]
        fn the_table_driven_check_answers_as_the_character_one(
            picks in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..24)
        ) {
            let t: String = picks.into_iter().collect();
            proptest::prop_assert_eq!(spaced_or_mixed(&t), spaced_or_mixed_by_chars(&t), "{:?}", t);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// Copying runs of ASCII whole gives the base view (text, spans, lower case) that the
        /// byte-at-a-time pass gives, with combining marks, invisible characters, look-alikes and
        /// full-width letters anywhere, after ASCII or not.
        #[test]
        fn the_run_copying_base_view_is_the_bytewise_one(
            picks in proptest::collection::vec(proptest::sample::select(BASE_ALPHABET), 0..32)
        ) {
            let t: String = picks.into_iter().collect();
            let (fast, slow) = (base(&t), base_by_bytes(&t));
            proptest::prop_assert_eq!(&fast.text, &slow.text, "{:?}", t);
            proptest::prop_assert_eq!(&fast.lower, &slow.lower, "{:?}", t);
            proptest::prop_assert_eq!(&fast.src, &slow.src, "{:?}", t);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// Counting a run of spaced-out letters as it is found builds the word view (text and
        /// spans) that gathering the run into a list built, on any text of the word view's
        /// characters (spacers, single letters and digits, symbols standing for letters).
        #[test]
        fn the_counting_word_view_is_the_listed_one(
            picks in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..32)
        ) {
            let t: String = picks.into_iter().collect();
            let b = base(&t);
            let (fast, slow) = (build_words_chars(&b), build_words_listed(&b));
            proptest::prop_assert_eq!(&fast.text, &slow.text, "{:?}", t);
            proptest::prop_assert_eq!(&fast.lower, &slow.lower, "{:?}", t);
            proptest::prop_assert_eq!(&fast.src, &slow.src, "{:?}", t);
        }
    }

    /// The ASCII characters of [`ALPHABET`].
    const ASCII_ALPHABET: &[char] = &[
        'a', 'B', 'z', 'Q', '0', '1', '3', '4', '5', '7', '9', '@', '$', '!', ' ', '.', '-', '_', '*', '/', ',', '\n',
        '\'', ':',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// The byte-wise word view of an ASCII draft is the character-at-a-time one.
        #[test]
        fn the_ascii_word_view_is_the_character_one(
            picks in proptest::collection::vec(proptest::sample::select(ASCII_ALPHABET), 0..40)
        ) {
            let t: String = picks.into_iter().collect();
            let b = base(&t);
            let (fast, slow) = (build_words_ascii(&b), build_words_chars(&b));
            proptest::prop_assert_eq!(&fast.text, &slow.text, "{:?}", t);
            proptest::prop_assert_eq!(&fast.lower, &slow.lower, "{:?}", t);
            proptest::prop_assert_eq!(&fast.src, &slow.src, "{:?}", t);
        }
    }

    /// Characters that [`base`] treats differently: ASCII, combining marks (which join the
    /// character before them, ASCII or not), invisible characters, look-alikes, full-width and
    /// compatibility characters NFKC rewrites, and other scripts.
    const BASE_ALPHABET: &[char] = &[
        'a',
        'Z',
        '0',
        ' ',
        '.',
        '\n',
        '-',
        'e',
        '\u{0301}',
        '\u{0308}',
        '\u{0327}',
        '\u{200B}',
        '\u{00AD}',
        '\u{FEFF}',
        '\u{FE0F}',
        '\u{0415}',
        '\u{03BF}',
        '\u{FF33}',
        '\u{FB01}',
        '\u{2460}',
        '\u{00A0}',
        '\u{2019}',
        '\u{2014}',
        'é',
        'ß',
        '中',
        '😀',
        '\u{E0101}',
        '\u{1D400}',
    ];

    #[test]
    fn every_character_is_classed_as_the_word_view_reads_it() {
        for c in (0..=0x3000u32).chain([0x1F600, 0xFF10, 0xFF21]).filter_map(char::from_u32) {
            let k = class(c);
            assert_eq!(k & ALNUM != 0, c.is_alphanumeric(), "{c:?}");
            assert_eq!(k & ALPHA != 0, c.is_alphabetic(), "{c:?}");
            assert_eq!(k & SPACER != 0, spacer(c), "{c:?}");
            assert_eq!(k & STANDS != 0, leet(c, false).is_some(), "{c:?}");
            assert_eq!(k & WORD != 0, c.is_alphanumeric() || c == '@' || c == '$', "{c:?}");
        }
    }
}
