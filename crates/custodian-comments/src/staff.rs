//! The people register's staff, as the triage reads them (WP034 8.2): abuse of staff needs an
//! identifiable officer or member of staff, and a comment often names one by surname alone
//! ("Hughes is a lazy slob"), by first name, by rank and name, or by collar number, sometimes
//! misspelt. The pack's patterns cannot know the force's names; a [`StaffIndex`] built from the
//! register can. The engine finds the register's people in a comment's word view and reads each
//! as the pack's patterns read a named officer (`officer Hughes`), so every rule written for an
//! identifiable officer (abuse of staff, threats and doxxing aimed at staff, the wellbeing route)
//! sees them. A name that is also a common word (the pack's `[staff] common_words`) names
//! nobody alone, only with a rank, the other half of the name or a collar number.

use std::collections::HashMap;

use serde::Serialize;

/// One person of the register, as a `staff.csv` line gives them (header
/// `staff_number,given_name,family_name,rank,collar_number`; rank and collar number may be
/// empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffMember {
    pub staff_number: String,
    pub given_name: String,
    pub family_name: String,
    pub rank: String,
    pub collar_number: String,
}

/// A member of staff a comment names: their staff number, how they were named, and the span of
/// the text as given (UTF-8 byte offsets).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffNamed {
    pub staff_number: String,
    /// "surname", "given name", "full name", "rank and name", "collar number" or "misspelt
    /// surname".
    pub how: &'static str,
    pub start: usize,
    pub end: usize,
    #[serde(rename = "match")]
    pub matched: String,
}

/// The register's names and numbers, lowered, each to the people who carry it.
#[derive(Debug, Clone, Default)]
pub struct StaffIndex {
    members: Vec<StaffMember>,
    pub(crate) family: HashMap<String, Vec<u32>>,
    pub(crate) given: HashMap<String, Vec<u32>>,
    pub(crate) numbers: HashMap<String, Vec<u32>>,
    /// Every family name of five letters or more with one letter deleted, to the names.
    pub(crate) deletions: HashMap<String, Vec<String>>,
    /// The first letters and lengths of those names: a word a misspelling could be must share
    /// its first letter with one and be within a letter of its length.
    shapes: std::collections::HashSet<(u8, usize)>,
}

/// A name as the word view spells it: lower case ASCII letters, apostrophes and hyphens.
pub(crate) fn name_key(s: &str) -> String {
    s.trim()
        .chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            (c.is_ascii_alphanumeric() || c == '\'' || c == '-').then_some(c)
        })
        .collect()
}

fn number_key(s: &str) -> String {
    s.trim().trim_start_matches('#').chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase()
}

impl StaffIndex {
    pub fn new(members: Vec<StaffMember>) -> StaffIndex {
        let mut idx = StaffIndex { members, ..StaffIndex::default() };
        for (i, m) in idx.members.iter().enumerate() {
            let i = i as u32;
            let family = name_key(&m.family_name);
            let given = name_key(&m.given_name);
            if family.len() >= 2 {
                // A double-barrelled name is found whole and by each part.
                let mut keys = vec![family.clone()];
                if family.contains('-') {
                    keys.extend(family.split('-').filter(|p| p.len() >= 3).map(str::to_string));
                }
                for k in keys {
                    if k.len() >= 5 && k.chars().all(|c| c.is_ascii_alphabetic()) {
                        for n in k.len() - 1..=k.len() + 1 {
                            idx.shapes.insert((k.as_bytes()[0], n));
                        }
                        for d in deletions(&k) {
                            let v = idx.deletions.entry(d).or_default();
                            if !v.contains(&k) {
                                v.push(k.clone());
                            }
                        }
                    }
                    push(&mut idx.family, k, i);
                }
            }
            if given.len() >= 2 {
                push(&mut idx.given, given, i);
            }
            for n in [&m.collar_number, &m.staff_number] {
                let k = number_key(n);
                // A number names someone only when it has three digits or more.
                if k.chars().filter(char::is_ascii_digit).count() >= 3 {
                    push(&mut idx.numbers, k, i);
                }
            }
        }
        idx
    }

    /// Read a `staff.csv`: header `staff_number,given_name,family_name,rank,collar_number` (in
    /// any order; rank and collar_number may be left out), one person a line.
    pub fn from_csv(text: &str) -> Result<StaffIndex, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or("the staff file is empty")?;
        let cols: Vec<String> = split_csv(header).into_iter().map(|c| c.trim().to_lowercase()).collect();
        let col = |name: &str| cols.iter().position(|c| c == name);
        let (Some(sn), Some(gn), Some(fn_)) = (col("staff_number"), col("given_name"), col("family_name")) else {
            return Err("the staff file's header must name staff_number, given_name and family_name".into());
        };
        let (rank, collar) = (col("rank"), col("collar_number"));
        let mut members = Vec::new();
        for (i, line) in lines {
            let f = split_csv(line);
            let get = |k: Option<usize>| k.and_then(|k| f.get(k)).map(|s| s.trim().to_string()).unwrap_or_default();
            let m = StaffMember {
                staff_number: get(Some(sn)),
                given_name: get(Some(gn)),
                family_name: get(Some(fn_)),
                rank: get(rank),
                collar_number: get(collar),
            };
            if m.staff_number.is_empty() || m.family_name.is_empty() {
                return Err(format!("staff file line {}: staff_number and family_name are required", i + 1));
            }
            members.push(m);
        }
        Ok(StaffIndex::new(members))
    }

    /// Read a `staff.csv` file.
    pub fn from_path(path: &std::path::Path) -> Result<StaffIndex, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        StaffIndex::from_csv(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn member(&self, i: u32) -> &StaffMember {
        &self.members[i as usize]
    }

    /// The people whose family name a token misspells by one letter (a letter changed, added,
    /// dropped, or two neighbours swapped), when exactly one family name is that close.
    pub(crate) fn misspelt(&self, token: &str) -> Option<&[u32]> {
        if token.len() < 5
            || !self.shapes.contains(&(token.as_bytes()[0], token.len()))
            || !token.chars().all(|c| c.is_ascii_alphabetic())
        {
            return None;
        }
        let mut names: Vec<&str> = Vec::new();
        let mut keys: Vec<&String> = Vec::new();
        keys.extend(self.deletions.get(token).into_iter().flatten());
        for d in deletions(token) {
            if let Some((k, _)) = self.family.get_key_value(&d) {
                keys.push(k);
            }
            keys.extend(self.deletions.get(&d).into_iter().flatten());
        }
        for k in keys {
            if k != token && within_one(token, k) && !names.contains(&k.as_str()) {
                names.push(k);
            }
        }
        match names.as_slice() {
            [one] => self.family.get(*one).map(Vec::as_slice),
            _ => None,
        }
    }
}

fn push(map: &mut HashMap<String, Vec<u32>>, k: String, i: u32) {
    let v = map.entry(k).or_default();
    if !v.contains(&i) {
        v.push(i);
    }
}

fn deletions(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    (0..b.len())
        .map(|i| {
            let mut d = Vec::with_capacity(b.len() - 1);
            d.extend_from_slice(&b[..i]);
            d.extend_from_slice(&b[i + 1..]);
            String::from_utf8(d).unwrap_or_default()
        })
        .collect()
}

/// Whether two words differ by at most one edit: a letter changed, added or dropped, or two
/// neighbouring letters swapped.
pub(crate) fn within_one(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if la == lb {
        // One change, or one swap of neighbours.
        if a[p + 1..] == b[p + 1..] {
            return true;
        }
        return p + 1 < la && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..];
    }
    let (long, short) = if la > lb { (a, b) } else { (b, a) };
    long[p + 1..] == short[p..]
}

/// Split one CSV line: fields separated by commas, a field in double quotes may hold commas and
/// doubled quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut it = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '"' if quoted && it.peek() == Some(&'"') => {
                cur.push('"');
                it.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_apart() {
        assert!(within_one("hughes", "hughs"));
        assert!(within_one("hughes", "hugehs"));
        assert!(within_one("hughes", "hudhes"));
        assert!(within_one("hughes", "hughess"));
        assert!(!within_one("hughes", "hugs"));
        assert!(!within_one("hughes", "hgueh"));
    }

    #[test]
    fn a_csv_is_read_by_its_header() {
        let idx = StaffIndex::from_csv(
            "staff_number,given_name,family_name,rank,collar_number\nA1,Dave,Hughes,PC,3391\n\"A2\",\"Amy\",\"Smith-Jones\",,\n",
        )
        .unwrap();
        assert_eq!(idx.len(), 2);
        assert_eq!(idx.family.get("hughes"), Some(&vec![0]));
        assert_eq!(idx.family.get("jones"), Some(&vec![1]));
        assert_eq!(idx.numbers.get("3391"), Some(&vec![0]));
        assert_eq!(idx.misspelt("hughs"), Some(&[0u32][..]));
        assert_eq!(idx.misspelt("hugehs"), Some(&[0u32][..]));
        assert_eq!(idx.misspelt("houses"), None);
        assert!(StaffIndex::from_csv("name,number\nx,1\n").is_err());
        assert!(StaffIndex::from_csv("staff_number,given_name,family_name\n,Amy,\n").is_err());
    }
}
