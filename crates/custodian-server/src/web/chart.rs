//! Server-rendered bar charts anyone can read, no script: the labels and numbers are HTML text in
//! the page's own type scale (GOV.UK body text, 19 px on a desktop and 16 px on a phone, never
//! shrunk with the drawing), the bars are SVG shapes without text that stretch to the width
//! available, a caption and a description name the chart for screen readers, and a "Show as a
//! table" details element holds the same numbers as a real table. A chart whose counts are all
//! zero is a sentence saying so instead.

/// One bar chart.
pub struct Bars<'a> {
    /// The caption ("Devices by status").
    pub title: &'a str,
    /// The table's heading for the labels ("Status") and for the counts ("Devices").
    pub label_heading: &'a str,
    pub value_heading: &'a str,
    /// The sentence shown instead when every count is zero ("No devices in the register yet.").
    pub empty: &'a str,
}

impl Bars<'_> {
    /// The chart of `data` (label, count) as HTML.
    pub fn render(&self, data: &[(String, i64)]) -> String {
        let id = format!("chart-{}", slug(self.title));
        if data.iter().all(|(_, v)| *v == 0) {
            return format!(
                "<div class=\"app-chart app-chart--empty\" id=\"{id}\"><p class=\"govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1\">{}</p>\
                 <p class=\"govuk-body\" id=\"{id}-empty\">{}</p></div>",
                esc(self.title),
                esc(self.empty)
            );
        }
        let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let total: i64 = data.iter().map(|(_, v)| *v).sum();
        let largest = data.iter().max_by_key(|(_, v)| *v).map(|(l, v)| format!("{l} ({v})")).unwrap_or_default();
        let mut out = format!(
            "<figure class=\"app-chart govuk-!-margin-0 govuk-!-margin-bottom-6\" id=\"{id}\" aria-labelledby=\"{id}-t\" aria-describedby=\"{id}-d\">\
             <figcaption class=\"govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2\" id=\"{id}-t\">{}</figcaption>\
             <p class=\"govuk-visually-hidden\" id=\"{id}-d\">Bar chart of {} {}, {total} in all; the largest is {}. The same numbers are in the table after the chart.</p>\
             <ul class=\"govuk-list govuk-!-margin-bottom-2\">",
            esc(self.title),
            data.len(),
            esc(&self.label_heading.to_lowercase()),
            esc(&largest),
        );
        for (label, value) in data {
            // Per cent of the longest bar; a non-zero count always shows a sliver.
            let pct = if *value == 0 { 0.0 } else { (*value as f64 / max as f64 * 100.0).max(0.5) };
            out.push_str(&format!(
                "<li class=\"govuk-!-margin-bottom-2\"><p class=\"govuk-body govuk-!-margin-0 app-chart__label\">{}: \
                 <strong class=\"app-chart__value\">{value}</strong></p>\
                 <svg class=\"app-chart__bar\" width=\"100%\" height=\"16\" viewBox=\"0 0 100 1\" preserveAspectRatio=\"none\" \
                 aria-hidden=\"true\" focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">\
                 <rect x=\"0\" y=\"0\" width=\"100\" height=\"1\" fill=\"#f3f2f1\"></rect>\
                 <rect x=\"0\" y=\"0\" width=\"{pct:.1}\" height=\"1\" fill=\"#1d70b8\"></rect></svg></li>",
                esc(label),
            ));
        }
        out.push_str("</ul>");
        out.push_str(&format!(
            "<details class=\"govuk-details govuk-!-margin-bottom-0\"><summary class=\"govuk-details__summary\">\
             <span class=\"govuk-details__summary-text\">Show as a table</span></summary><div class=\"govuk-details__text\">\
             <table class=\"govuk-table\" id=\"{id}-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">{}</caption>\
             <thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">{}</th>\
             <th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">{}</th></tr></thead><tbody class=\"govuk-table__body\">",
            esc(self.title),
            esc(self.label_heading),
            esc(self.value_heading)
        ));
        for (label, value) in data {
            out.push_str(&format!(
                "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">{}</th>\
                 <td class=\"govuk-table__cell govuk-table__cell--numeric\">{value}</td></tr>",
                esc(label)
            ));
        }
        out.push_str("</tbody></table></div></details></figure>");
        out
    }
}

fn slug(s: &str) -> String {
    s.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DEVICES: Bars<'static> = Bars {
        title: "Devices by status",
        label_heading: "Status",
        value_heading: "Devices",
        empty: "No devices in the register yet.",
    };

    /// The numbers of the chart's table, in order.
    fn table_rows(html: &str) -> Vec<(String, i64)> {
        let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
        table
            .split("<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">")
            .skip(1)
            .map(|r| {
                let (label, rest) = r.split_once("</th>").unwrap();
                let n = rest.split('>').nth(1).unwrap().split('<').next().unwrap();
                (label.to_string(), n.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn bars_scale_to_the_largest_value_escape_labels_and_carry_the_same_numbers_in_a_table() {
        let data = vec![("a<b".to_string(), 10), ("c".to_string(), 5), ("d".to_string(), 0)];
        let html = DEVICES.render(&data);
        assert!(html.contains("a&lt;b: <strong class=\"app-chart__value\">10</strong>"), "{html}");
        assert!(html.contains("width=\"100.0\""), "{html}");
        assert!(html.contains("width=\"50.0\""), "{html}");
        assert!(html.contains("width=\"0.0\""), "{html}");
        assert!(html.contains("Show as a table"));
        assert_eq!(table_rows(&html), vec![("a&lt;b".to_string(), 10), ("c".into(), 5), ("d".into(), 0)]);
        // Screen readers get a caption and a description; no text is drawn inside the SVG.
        assert!(html.contains("aria-labelledby=\"chart-devices-by-status-t\""));
        assert!(html.contains("15 in all"), "{html}");
        assert!(!html.contains("<text"));
    }

    #[test]
    fn an_all_zero_chart_is_an_empty_state_sentence() {
        let html = DEVICES.render(&[("Allocated".to_string(), 0), ("Lost".to_string(), 0)]);
        assert!(html.contains("No devices in the register yet."), "{html}");
        assert!(!html.contains("<svg") && !html.contains("<table"), "{html}");
        assert!(DEVICES.render(&[]).contains("No devices in the register yet."));
    }
}
