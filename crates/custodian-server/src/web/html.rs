//! A small reader of the HTML Custodian's own templates produce: the tags of a page with their
//! places and attributes, so that a refused form can be shown again on its page with its errors
//! and the values typed (see [`super::form_errors`]). It is not a general HTML parser: it knows
//! comments, the raw text of `script`, `style` and `textarea`, and quoted attribute values.

/// One start or end tag of a page.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Byte offsets of `<` and one past `>`.
    pub start: usize,
    pub end: usize,
    /// Lower-case element name.
    pub name: String,
    pub closing: bool,
    /// Attributes in order, names lower-case, values decoded.
    pub attrs: Vec<(String, Option<String>)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
    }

    pub fn set_attr(&mut self, name: &str, value: Option<&str>) {
        match self.attrs.iter_mut().find(|(n, _)| n == name) {
            Some(a) => a.1 = value.map(str::to_string),
            None => self.attrs.push((name.to_string(), value.map(str::to_string))),
        }
    }

    pub fn remove_attr(&mut self, name: &str) {
        self.attrs.retain(|(n, _)| n != name);
    }

    pub fn add_class(&mut self, class: &str) {
        if self.has_class(class) {
            return;
        }
        let classes = match self.attr("class") {
            Some(c) if !c.trim().is_empty() => format!("{} {class}", c.trim()),
            _ => class.to_string(),
        };
        self.set_attr("class", Some(&classes));
    }

    /// The start tag written out again with its (possibly changed) attributes.
    pub fn render(&self) -> String {
        let mut s = format!("<{}", self.name);
        for (n, v) in &self.attrs {
            s.push(' ');
            s.push_str(n);
            if let Some(v) = v {
                s.push_str("=\"");
                s.push_str(&escape(v));
                s.push('"');
            }
        }
        s.push('>');
        s
    }
}

/// Escape text for an HTML attribute value or element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Decode the character references askama and Custodian's templates write.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Bytes, not a str slice: the 12th byte may fall inside a character; ';' is ASCII.
        let Some(semi) = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every tag of `html`, in order.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| start + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i = rest.find('>').map_or(b.len(), |e| start + e + 1);
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = start + if closing { 2 } else { 1 };
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == name_start {
            i = start + 1;
            continue;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        // Attributes up to the closing '>'.
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let an = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr_name = html[an..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let value = if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let vs = j + 1;
                    let ve = html[vs..].find(q as char).map_or(b.len(), |e| vs + e);
                    j = (ve + 1).min(b.len());
                    &html[vs..ve]
                } else {
                    let vs = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    &html[vs..j]
                };
                attrs.push((attr_name, Some(unescape(value))));
            } else if !attr_name.is_empty() {
                attrs.push((attr_name, None));
            } else {
                j += 1;
            }
        }
        let end = (j + 1).min(b.len());
        out.push(Tag { start, end, name: name.clone(), closing, attrs });
        i = end;
        if !closing && matches!(name.as_str(), "script" | "style" | "textarea") {
            let close = format!("</{name}");
            match html[i..].to_ascii_lowercase().find(&close) {
                Some(e) => i += e,
                None => break,
            }
        }
    }
    out
}

/// The text of `html[from..to]` without its tags, whitespace collapsed.
pub fn text_between(html: &str, from: usize, to: usize) -> String {
    let slice = &html[from..to];
    let mut text = String::new();
    let mut in_tag = false;
    for c in slice.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replacements of byte ranges of a page, applied at once.
#[derive(Default)]
pub struct Edits(Vec<(usize, usize, String)>);

impl Edits {
    pub fn replace(&mut self, start: usize, end: usize, with: String) {
        self.0.push((start, end, with));
    }

    pub fn insert(&mut self, at: usize, text: String) {
        self.0.push((at, at, text));
    }

    /// The page with every edit applied; of overlapping replacements the first made wins.
    pub fn apply(mut self, html: &str) -> String {
        // Stable: inserts at one place keep the order they were made in.
        self.0.sort_by_key(|e| (e.0, e.1 != e.0));
        let mut out = String::with_capacity(html.len() + 1024);
        let mut at = 0;
        for (s, e, text) in self.0 {
            if s < at {
                continue;
            }
            out.push_str(&html[at..s]);
            out.push_str(&text);
            at = e;
        }
        out.push_str(&html[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_with_decoded_attributes_and_raw_text_is_skipped() {
        let html = r#"<!-- <p> --><form action="/a?x=1&amp;y=2" method=post><textarea name="t"><b>not a tag</b></textarea><input name='q' value="a > b" required></form>"#;
        let t = tags(html);
        let names: Vec<_> = t.iter().map(|t| (t.name.as_str(), t.closing)).collect();
        assert_eq!(
            names,
            vec![("form", false), ("textarea", false), ("textarea", true), ("input", false), ("form", true)]
        );
        assert_eq!(t[0].attr("action"), Some("/a?x=1&y=2"));
        assert_eq!(t[0].attr("method"), Some("post"));
        assert_eq!(t[3].attr("value"), Some("a > b"));
        assert_eq!(t[3].attr("required"), Some(""));
        assert_eq!(&html[t[3].start..t[3].end], r#"<input name='q' value="a > b" required>"#);
    }

    #[test]
    fn edits_apply_in_place_and_values_are_escaped() {
        let html = "<p><input name=\"a\"></p>";
        let t = tags(html);
        let mut input = t[1].clone();
        input.set_attr("value", Some("<\"x\">"));
        input.add_class("govuk-input--error");
        let mut e = Edits::default();
        e.replace(input.start, input.end, input.render());
        e.insert(t[1].start, "<span>E</span>".into());
        assert_eq!(
            e.apply(html),
            "<p><span>E</span><input name=\"a\" value=\"&lt;&quot;x&quot;&gt;\" class=\"govuk-input--error\"></p>"
        );
        let label = "<label>Staff <b>number</b>\n</label>";
        assert_eq!(text_between(label, 0, label.len()), "Staff number");
        assert_eq!(unescape("a&amp;b&#39;c&#x27;&unknown;"), "a&b'c'&unknown;");
        // A reference's 12-byte window may end inside a character (a refused form kept curly quotes).
        assert_eq!(unescape("&#39;&#34;\u{2018}\u{201c}]?x"), "'\"\u{2018}\u{201c}]?x");
        assert_eq!(
            unescape("&\u{2018}\u{2018}\u{2018}\u{2018}\u{2018};"),
            "&\u{2018}\u{2018}\u{2018}\u{2018}\u{2018};"
        );
    }
}
