//! The subject access export's two forms, written as the records arrive (never gathered in
//! memory): machine-readable JSON and a readable HTML report. The store decides what goes in
//! and redacts other people; these only write it.

use serde_json::Value;
use std::io::{self, Write};

/// The export's format name, in the JSON's `format`.
pub const FORMAT: &str = "custodian-subject-access/1";

/// Which form to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Json,
    Html,
}

/// A streaming writer of one export: `record` each record in section order, then `finish`.
pub struct ExportWriter<W: Write> {
    w: W,
    form: Form,
    sections: &'static [&'static str],
    /// The index in `sections` of the section open now (None before the first).
    at: Option<usize>,
    /// Records written in the open section.
    in_section: u64,
    /// The HTML table's columns for the open section.
    columns: Vec<String>,
    /// Records per section.
    pub counts: Vec<(&'static str, u64)>,
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn title(section: &str) -> String {
    let s = section.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<W: Write> ExportWriter<W> {
    /// Start an export of `sections` (in order) with its `meta` (who, when, why).
    pub fn new(mut w: W, form: Form, sections: &'static [&'static str], meta: &Value) -> io::Result<Self> {
        match form {
            Form::Json => {
                write!(w, "{{\"format\":{},\"meta\":{},\"sections\":{{", Value::from(FORMAT), meta)?;
            }
            Form::Html => {
                write!(
                    w,
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Subject access report</title>\
                     <style>body{{font-family:Arial,sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:2em}}\
                     td,th{{border:1px solid #b1b4b6;padding:4px;text-align:left;vertical-align:top}}</style></head><body>\
                     <h1>Subject access report</h1><p>What Custodian holds about one person (UK GDPR Article 15; WP034 3.4, 5.3). \
                     Other people are shown by their roles.</p><dl>"
                )?;
                if let Value::Object(m) = meta {
                    for (k, v) in m {
                        write!(w, "<dt>{}</dt><dd>{}</dd>", esc(&title(k)), esc(&cell(v)))?;
                    }
                }
                write!(w, "</dl>")?;
            }
        }
        Ok(Self { w, form, sections, at: None, in_section: 0, columns: Vec::new(), counts: Vec::new() })
    }

    fn close_section(&mut self) -> io::Result<()> {
        if let Some(i) = self.at {
            match self.form {
                Form::Json => write!(self.w, "]")?,
                Form::Html if self.in_section == 0 => write!(self.w, "<p>None held.</p>")?,
                Form::Html => write!(self.w, "</tbody></table>")?,
            }
            self.counts.push((self.sections[i], self.in_section));
        }
        Ok(())
    }

    fn open_section(&mut self, i: usize) -> io::Result<()> {
        let name = self.sections[i];
        match self.form {
            Form::Json => write!(self.w, "{}{}:[", if i == 0 { "" } else { "," }, Value::from(name))?,
            Form::Html => write!(self.w, "<h2 id=\"{name}\">{}</h2>", esc(&title(name)))?,
        }
        self.at = Some(i);
        self.in_section = 0;
        self.columns.clear();
        Ok(())
    }

    /// Move on to `section`, opening (empty) every section before it.
    fn move_to(&mut self, section: &str) -> io::Result<()> {
        let target = self
            .sections
            .iter()
            .position(|s| *s == section)
            .ok_or_else(|| io::Error::other(format!("unknown section {section}")))?;
        let from = match self.at {
            Some(i) if i == target => return Ok(()),
            Some(i) if i > target => return Err(io::Error::other(format!("section {section} is out of order"))),
            Some(i) => i + 1,
            None => 0,
        };
        self.close_section()?;
        for i in from..target {
            self.open_section(i)?;
            self.close_section()?;
        }
        self.open_section(target)
    }

    /// Write one record of `section`.
    pub fn record(&mut self, section: &str, v: &Value) -> io::Result<()> {
        self.move_to(section)?;
        match self.form {
            Form::Json => {
                if self.in_section > 0 {
                    self.w.write_all(b",")?;
                }
                serde_json::to_writer(&mut self.w, v)?;
            }
            Form::Html => {
                let obj = v.as_object();
                if self.in_section == 0 {
                    self.columns = obj.map(|m| m.keys().cloned().collect()).unwrap_or_default();
                    write!(self.w, "<table><thead><tr>")?;
                    for c in &self.columns {
                        write!(self.w, "<th scope=\"col\">{}</th>", esc(&title(c)))?;
                    }
                    write!(self.w, "</tr></thead><tbody>")?;
                }
                write!(self.w, "<tr>")?;
                for c in &self.columns {
                    let text = obj.and_then(|m| m.get(c)).map(cell).unwrap_or_default();
                    write!(self.w, "<td>{}</td>", esc(&text))?;
                }
                write!(self.w, "</tr>")?;
            }
        }
        self.in_section += 1;
        Ok(())
    }

    /// The writer underneath (to take what has been written so far, when it is a buffer).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    /// Close every section (empty ones included) and the document; the writer back.
    pub fn finish(mut self) -> io::Result<(W, Vec<(&'static str, u64)>)> {
        if let Some(last) = self.sections.last() {
            self.move_to(last)?;
        }
        self.close_section()?;
        match self.form {
            Form::Json => write!(self.w, "}}}}")?,
            Form::Html => write!(self.w, "</body></html>")?,
        }
        self.w.flush()?;
        Ok((self.w, self.counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const S: &[&str] = &["profile", "findings", "usage_records"];

    #[test]
    fn json_has_every_section_in_order_and_parses() {
        let mut w = ExportWriter::new(Vec::new(), Form::Json, S, &json!({"staff_number": "A1"})).unwrap();
        w.record("profile", &json!({"name": "A"})).unwrap();
        w.record("usage_records", &json!({"seq": 1})).unwrap();
        w.record("usage_records", &json!({"seq": 2})).unwrap();
        let (out, counts) = w.finish().unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["sections"]["findings"], json!([]));
        assert_eq!(v["sections"]["usage_records"].as_array().unwrap().len(), 2);
        assert_eq!(counts, vec![("profile", 1), ("findings", 0), ("usage_records", 2)]);
        let mut w = ExportWriter::new(Vec::new(), Form::Json, S, &json!({})).unwrap();
        w.record("usage_records", &json!({})).unwrap();
        assert!(w.record("profile", &json!({})).is_err());
    }

    #[test]
    fn html_escapes_what_it_shows() {
        let mut w = ExportWriter::new(Vec::new(), Form::Html, S, &json!({"staff_number": "A1"})).unwrap();
        w.record("findings", &json!({"summary": "<script>x</script>"})).unwrap();
        let (out, _) = w.finish().unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("&lt;script&gt;"), "{s}");
        assert!(!s.contains("<script>"));
        assert!(s.contains("None held."));
    }
}
