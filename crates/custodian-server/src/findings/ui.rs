//! The findings pages: the list a user may see, one finding with its evidence, and its review.

use crate::routing::{Routes, get, post};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_authz::Action;
use custodian_domain::findings::{Consideration, FindingStatus, Outcome};
use custodian_store::{Finding, FindingFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::{Choice, ClauseView, Layout, clause_view, fmt_time, layout, page, render};
pub fn routes() -> Routes {
    Routes::new()
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding))
        .route("/findings/{id}/review", post(review))
}

// ----- Findings ------------------------------------------------------------------------------

pub(crate) struct FindingRowView {
    pub(crate) id: Uuid,
    pub(crate) opened: String,
    pub(crate) rule: String,
    pub(crate) clause: String,
    pub(crate) summary: String,
    pub(crate) person: String,
    pub(crate) device: String,
    pub(crate) status: String,
    pub(crate) status_class: String,
    pub(crate) severity: String,
}

pub(crate) fn finding_row(f: &Finding) -> FindingRowView {
    FindingRowView {
        id: f.id,
        opened: fmt_time(f.opened_at),
        rule: custodian_domain::findings::rule(&f.rule).map(|r| r.title.to_string()).unwrap_or_else(|| f.rule.clone()),
        clause: f.clause.clone(),
        summary: crate::web::display::times_in_text(&f.summary),
        person: f.person_name.clone().unwrap_or_default(),
        device: f.device_asset_tag.clone().unwrap_or_default(),
        status: f.status.as_str().replace('_', " "),
        status_class: match f.status {
            FindingStatus::Open => "govuk-tag--red",
            FindingStatus::UnderReview => "govuk-tag--yellow",
            FindingStatus::Closed => "govuk-tag--grey",
        }
        .into(),
        severity: f.severity.as_str().into(),
    }
}

#[derive(Deserialize, Default)]
pub struct FindingsQuery {
    pub(crate) status: Option<String>,
    pub(crate) page: Option<i64>,
}

#[derive(Template)]
#[template(path = "findings/findings.html")]
pub(crate) struct FindingsPage {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<FindingRowView>,
    pub(crate) statuses: Vec<Choice>,
    pub(crate) total: i64,
    pub(crate) page: i64,
    pub(crate) pages: i64,
    pub(crate) prev_href: Option<String>,
    pub(crate) next_href: Option<String>,
    pub(crate) c410: ClauseView,
}
page!(FindingsPage);

pub async fn findings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindingsQuery>,
) -> UiResult<Response> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| FindingStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Choose a status from the list")))
        .transpose()?;
    let page = q.page.unwrap_or(1).max(1);
    let p =
        crate::findings::list_findings(&state, &user, FindingFilter { status, ..FindingFilter::default() }, page, 50)
            .await?;
    let pages = p.pages();
    let href = |n: i64| format!("/findings?status={}&page={n}", status.map(|s| s.as_str()).unwrap_or(""));
    Ok(render(&FindingsPage {
        layout: layout(&state, Some(&user), "Findings", "/findings"),
        rows: p.items.iter().map(finding_row).collect(),
        statuses: [FindingStatus::Open, FindingStatus::UnderReview, FindingStatus::Closed]
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.as_str().replace('_', " "),
                selected: Some(*s) == status,
            })
            .collect(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        c410: clause_view("4.10"),
    }))
}

#[derive(Template)]
#[template(path = "findings/finding.html")]
pub(crate) struct FindingPage {
    pub(crate) layout: Layout,
    pub(crate) f: FindingRowView,
    pub(crate) clause: ClauseView,
    pub(crate) c410: ClauseView,
    pub(crate) evidence: Vec<(String, String)>,
    pub(crate) tables: Vec<EvidenceTable>,
    pub(crate) records: Vec<String>,
    pub(crate) outcome: String,
    pub(crate) reasons: String,
    pub(crate) closed: bool,
    pub(crate) can_review: bool,
    pub(crate) outcomes: Vec<Choice>,
    pub(crate) errors: Vec<FieldProblem>,
    /// WP034 4.8 findings: the link to request the app for the device.
    pub(crate) request_link: Option<String>,
    /// WP034 6.5 findings about a direct-messaging app.
    pub(crate) dm_warning: Option<String>,
    /// WP034 4.10's considerations, as checkboxes for the reviewer.
    pub(crate) considerations: Vec<ConsiderationView>,
    /// The finding's reviews, oldest first.
    pub(crate) history: Vec<ReviewView>,
}
page!(FindingPage);

/// One of WP034 4.10's considerations in the review form.
pub(crate) struct ConsiderationView {
    /// The form field: `consider_<name>`.
    pub(crate) field: String,
    pub(crate) letter: char,
    pub(crate) label: &'static str,
}

/// One review in a finding's history.
pub(crate) struct ReviewView {
    pub(crate) at: String,
    pub(crate) reviewer: String,
    pub(crate) decision: String,
    pub(crate) reasons: String,
    /// "a. The full circumstances ..." for each consideration weighed.
    pub(crate) considered: Vec<String>,
}

/// A list of like items in a finding's evidence (the example records, say), shown as a table.
pub(crate) struct EvidenceTable {
    pub(crate) title: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// "total_bytes" -> "Total bytes".
pub(crate) fn evidence_label(key: &str) -> String {
    let mut s = key.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let up = first.to_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

pub(crate) fn evidence_value(key: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => crate::web::display::times_in_text(s),
        serde_json::Value::Number(n) if key.ends_with("bytes") && n.as_u64().is_some() => {
            custodian_domain::usage::bytes_label(n.as_u64().unwrap_or_default())
        }
        serde_json::Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(|i| evidence_value(key, i)).collect::<Vec<_>>().join(", ")
        }
        serde_json::Value::Object(_) => crate::web::display::details_words(v, &[]),
        other => crate::web::display::value_words(other).unwrap_or_default(),
    }
}

/// A finding's evidence as the page shows it: plain facts as (label, value) rows, lists of
/// records as tables. The finding's own device id is left out (the page names the device).
pub(crate) fn evidence_views(f: &custodian_store::Finding) -> (Vec<(String, String)>, Vec<EvidenceTable>) {
    let serde_json::Value::Object(m) = &f.evidence else {
        return (vec![("Evidence".into(), f.evidence.to_string())], vec![]);
    };
    let device = f.device_id.map(|d| d.to_string());
    let (mut rows, mut tables) = (Vec::new(), Vec::new());
    for (k, v) in m {
        if v.is_null() || k == "request_link" || v.as_str().is_some_and(|s| Some(s) == device.as_deref()) {
            continue;
        }
        match v {
            serde_json::Value::Array(items) if !items.is_empty() && items.iter().all(serde_json::Value::is_object) => {
                let mut columns: Vec<String> = Vec::new();
                for item in items {
                    for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !columns.contains(key) {
                            columns.push(key.clone());
                        }
                    }
                }
                let table_rows = items
                    .iter()
                    .map(|item| {
                        columns.iter().map(|c| item.get(c).map(|x| evidence_value(c, x)).unwrap_or_default()).collect()
                    })
                    .collect();
                tables.push(EvidenceTable {
                    title: evidence_label(k),
                    columns: columns.iter().map(|c| evidence_label(c)).collect(),
                    rows: table_rows,
                });
            }
            _ => rows.push((evidence_label(k), evidence_value(k, v))),
        }
    }
    (rows, tables)
}

pub(crate) async fn finding_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let f = crate::findings::view_finding(state, user, id).await?;
    let (evidence, tables) = evidence_views(&f);
    let mut evidence = evidence;
    if let (true, Some(person)) = (f.rule.starts_with("usage."), f.person_id) {
        evidence.push(crate::usage::frequency_row(state, person, &f.rule).await?);
    }
    let history = state.store().finding_reviews(f.id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&FindingPage {
        layout: layout(state, Some(user), "Finding", "/findings"),
        clause: clause_view(&f.clause),
        c410: clause_view("4.10"),
        evidence,
        tables,
        records: f.records.clone(),
        outcome: f.outcome.map(|o| o.label().to_string()).unwrap_or_default(),
        reasons: f.reasons.clone().unwrap_or_default(),
        closed: f.status == FindingStatus::Closed,
        can_review: state.allows(user, Action::FindingsReview, &crate::findings::finding_resource(&f)),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice { value: o.as_str().into(), label: o.label().into(), selected: false })
            .collect(),
        errors,
        request_link: (f.rule == custodian_domain::apps::RULE_UNAPPROVED && f.status != FindingStatus::Closed)
            .then(|| f.evidence.get("request_link").and_then(|v| v.as_str()).map(str::to_string))
            .flatten(),
        dm_warning: (f.rule == custodian_domain::apps::RULE_UNAPPROVED
            && f.evidence.get("direct_messaging").and_then(|v| v.as_bool()) == Some(true))
        .then(|| custodian_domain::apps::DIRECT_MESSAGING_WARNING.to_string()),
        considerations: Consideration::ALL
            .iter()
            .map(|c| ConsiderationView {
                field: format!("consider_{}", c.as_str()),
                letter: c.letter(),
                label: c.label(),
            })
            .collect(),
        history: history
            .into_iter()
            .map(|r| ReviewView {
                at: fmt_time(r.reviewed_at),
                reviewer: crate::web::display::person(&r.reviewer_name, &r.reviewer_staff_number),
                decision: match r.outcome {
                    Some(o) => format!("Closed: {}", o.label()),
                    None if r.status == FindingStatus::Closed => "Closed".into(),
                    None => "Taken under review".into(),
                },
                reasons: r.reasons.unwrap_or_default(),
                considered: r.considerations.iter().map(|c| format!("{}. {}", c.letter(), c.label())).collect(),
            })
            .collect(),
        f: finding_row(&f),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn finding(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(finding_page(&state, &user, id, vec![]).await?)
}

#[derive(Deserialize)]
pub struct ReviewForm {
    pub(crate) status: String,
    pub(crate) outcome: Option<String>,
    pub(crate) reasons: Option<String>,
    /// WP034 4.10's considerations, one checkbox each (a form posts a ticked box as its value).
    pub(crate) consider_circumstances: Option<String>,
    pub(crate) consider_frequency: Option<String>,
    pub(crate) consider_code_of_ethics: Option<String>,
    pub(crate) consider_public_appearance: Option<String>,
}

impl ReviewForm {
    /// The names of the considerations ticked.
    fn considerations(&self) -> Vec<String> {
        [
            &self.consider_circumstances,
            &self.consider_frequency,
            &self.consider_code_of_ethics,
            &self.consider_public_appearance,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> UiResult<Response> {
    let considerations = f.considerations();
    let r = crate::findings::Review {
        status: &f.status,
        outcome: f.outcome.as_deref(),
        reasons: f.reasons.as_deref(),
        considerations: &considerations,
    };
    let done = crate::findings::review(&state, &user, id, r).await.map(|_| format!("/findings/{id}"));
    crate::web::form_errors::redirect_or_again(done, |errors| finding_page(&state, &user, id, errors)).await
}
