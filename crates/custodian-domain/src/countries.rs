//! Countries by their English short names (ISO 3166-1), for forms that ask where a person is
//! going (WP034 4.2): a person types "France" or "FR" and the record keeps the code. The list is
//! data (`countries.tsv`, from the ISO 3166-1 list the Debian iso-codes package ships).

use std::sync::OnceLock;

/// One country: its alpha-2 code, its name, and other names it is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    pub other_names: Vec<&'static str>,
}

/// Every ISO 3166-1 country, by name.
pub fn all() -> &'static [Country] {
    static ALL: OnceLock<Vec<Country>> = OnceLock::new();
    ALL.get_or_init(|| {
        include_str!("countries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let (code, name) = (f.next()?, f.next()?);
                let other_names = f.next().unwrap_or("").split('|').filter(|s| !s.is_empty()).collect();
                Some(Country { code, name, other_names })
            })
            .collect()
    })
}

/// The country with alpha-2 `code` (any case).
pub fn by_code(code: &str) -> Option<&'static Country> {
    all().iter().find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

/// The name of the country with `code`, or the code itself when it is not in the list.
pub fn name_of(code: &str) -> String {
    by_code(code).map(|c| c.name.to_string()).unwrap_or_else(|| code.to_string())
}

fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The country a person named: by its code, its name or one of its other names, in any case.
pub fn find(input: &str) -> Option<&'static Country> {
    let s = folded(input);
    if s.is_empty() {
        return None;
    }
    if s.len() == 2 {
        return by_code(&s);
    }
    let s = s.strip_prefix("the ").unwrap_or(&s).to_string();
    all().iter().find(|c| folded(c.name) == s || c.other_names.iter().any(|n| folded(n) == s))
}

/// Countries named in one line of text, separated by commas, semicolons or new lines (codes
/// may also be separated by spaces: "FR BE"). A name with a comma in it ("Palestine, State of")
/// is read whole. Returns their codes in the order given, each once; an unknown piece is the
/// error.
pub fn parse_list(input: &str) -> Result<Vec<&'static str>, String> {
    let pieces: Vec<&str> = input.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut out: Vec<&'static str> = Vec::new();
    let push = |c: &'static Country, out: &mut Vec<&'static str>| {
        if !out.contains(&c.code) {
            out.push(c.code);
        }
    };
    let mut i = 0;
    'pieces: while i < pieces.len() {
        // The longest run of pieces that names a country ("Korea, Republic of").
        for j in (i + 1..=(i + 3).min(pieces.len())).rev() {
            if let Some(c) = find(&pieces[i..j].join(", ")) {
                push(c, &mut out);
                i = j;
                continue 'pieces;
            }
        }
        let words: Vec<&str> = pieces[i].split_whitespace().collect();
        if words.len() > 1 && words.iter().all(|w| w.len() == 2) {
            for w in &words {
                push(by_code(w).ok_or_else(|| (*w).to_string())?, &mut out);
            }
            i += 1;
            continue;
        }
        return Err(pieces[i].to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_iso_3166_1() {
        assert_eq!(all().len(), 249);
        let mut codes: Vec<&str> = all().iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 249, "each code once");
        assert!(all().iter().all(|c| c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase())));
        assert_eq!(name_of("FR"), "France");
        assert_eq!(name_of("kr"), "South Korea");
        assert_eq!(name_of("ZZ"), "ZZ");
    }

    #[test]
    fn countries_are_found_by_name_or_code() {
        let code = |s| find(s).map(|c| c.code);
        assert_eq!(code("France"), Some("FR"));
        assert_eq!(code("  united   states "), Some("US"));
        assert_eq!(code("United States of America"), Some("US"));
        assert_eq!(code("USA"), Some("US"));
        assert_eq!(code("fr"), Some("FR"));
        assert_eq!(code("The Netherlands"), Some("NL"));
        assert_eq!(code("Turkey"), Some("TR"));
        assert_eq!(code("Türkiye"), Some("TR"));
        assert_eq!(code("Narnia"), None);
        assert_eq!(code("ZZ"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn a_list_is_read_in_order_with_names_that_have_commas() {
        assert_eq!(parse_list("France, Belgium"), Ok(vec!["FR", "BE"]));
        assert_eq!(parse_list("FR, be; Spain\nfrance"), Ok(vec!["FR", "BE", "ES"]));
        assert_eq!(parse_list("FR BE"), Ok(vec!["FR", "BE"]));
        assert_eq!(parse_list("Korea, Republic of, Japan"), Ok(vec!["KR", "JP"]));
        assert_eq!(parse_list("Palestine, State of"), Ok(vec!["PS"]));
        assert_eq!(parse_list("France, Narnia"), Err("Narnia".into()));
        assert_eq!(parse_list("FR ZZ"), Err("ZZ".into()));
        assert_eq!(parse_list(" , "), Ok(vec![]));
    }
}
