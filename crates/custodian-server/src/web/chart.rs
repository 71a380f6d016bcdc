//! Server-rendered SVG charts: accessible (title, description, a data table beside), no script.

/// A horizontal bar chart of labelled counts.
pub fn bars(title: &str, data: &[(String, i64)]) -> String {
    let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let row_h = 28;
    // Wide enough for the longest label at about 8 px a character (14 px system font).
    let label_w = (data.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0) as i64 * 8 + 12).max(120);
    let bar_w = 300;
    let height = (data.len().max(1) * row_h) as i64 + 10;
    let id = title.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let mut out = format!(
        "<svg class=\"app-chart\" font-family=\"system-ui, Arial, sans-serif\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {} {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        label_w + bar_w + 60,
        esc(title),
        esc(&data.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
    );
    for (i, (label, value)) in data.iter().enumerate() {
        let y = i as i64 * row_h as i64 + 5;
        let w = (*value as f64 / max as f64 * bar_w as f64).round() as i64;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"14\" fill=\"#0b0c0c\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"#1d70b8\"></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\" fill=\"#0b0c0c\">{}</text>",
            label_w - 8,
            y + 14,
            esc(label),
            label_w,
            y,
            w.max(1),
            label_w + w.max(1) + 6,
            y + 14,
            value
        ));
    }
    out.push_str("</svg>");
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = bars("Devices", &[("a<b".into(), 10), ("c".into(), 5)]);
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("width=\"300\""));
        assert!(svg.contains("width=\"150\""));
    }
}
