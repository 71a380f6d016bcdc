//! The screening pack pages (WP034 6.3, 6.5): the pack in force and its history, and changing
//! it in two steps: check a proposed pack against the one in force, then put it into effect
//! with a reason. The pack is changed either as a whole (its TOML) or, for the word lists and
//! allowlists, in a form with one entry a line ([`LISTS`]); both go through the same check.
//! The forms work without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_screening::review::ChangeReport;
use custodian_store::screening::PackVersion;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::screening as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/screening/pack", get(overview).post(activate))
        .route("/screening/pack/check", post(check))
        .route("/screening/pack/versions/{version}", get(one_version))
}

/// One section of the pack's lists: (section, heading, [(key, label)]).
pub type PackListSection = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The pack's lists a form edits, one entry a line.
pub const LISTS: &[PackListSection] = &[
    (
        "allowlist",
        "Never personal data (allowlists)",
        &[
            ("operations", "Public campaigns: operation names that are not investigations"),
            ("phones", "The force's public phone numbers"),
            ("phone_prefixes", "Organisations' number ranges (080, 03)"),
            ("emails", "Public e-mail addresses"),
            ("email_domains", "The force's own e-mail domains"),
            ("email_domain_endings", "Domain endings of public bodies (.gov.uk)"),
            ("email_roles", "Role mailboxes (info, press)"),
            ("addresses", "Addresses of the force's public buildings"),
            ("postcodes", "Postcodes of the force's public buildings"),
            ("rights_holders", "Rights holders whose material the force may use"),
        ],
    ),
    (
        "names",
        "Names of members of the public (WP034 6.3b)",
        &[
            ("forenames", "Given names"),
            ("honorifics", "Titles before a name (Mr, Dr)"),
            ("officials", "Ranks and roles of officers and officials"),
            ("not_names", "Capitalised words that are never names"),
            ("raise", "Words near a name that show a member of the public"),
            ("lower", "Words near a name that show a court result or an official"),
            ("introducers", "Phrases that introduce a person by name"),
            ("lower_before", "Words just before a name that show a court result"),
        ],
    ),
    (
        "justice",
        "Court cases (WP034 6.3a)",
        &[
            ("pending", "Words that show proceedings are pending"),
            ("decided", "Words that show a case is decided"),
            ("prejudicial", "Words that presume guilt"),
            ("sexual", "Words that make a post about a sexual offence"),
            ("complainant", "Words before a name that make it the complainant's"),
            ("proceedings", "Words that make a post about proceedings, for naming a child"),
        ],
    ),
];

/// One list in the lists form: its field (`allowlist.operations`), id, words and entries.
struct ListField {
    name: String,
    id: String,
    label: &'static str,
    count: usize,
    rows: usize,
    text: String,
}

/// A section of the lists form.
struct ListSection {
    heading: &'static str,
    lists: Vec<ListField>,
}

/// The lists of a pack's TOML, for the form: those of [`LISTS`] the pack holds as lists of text.
fn list_sections(body: &str) -> Vec<ListSection> {
    let Ok(doc) = body.parse::<toml_edit::DocumentMut>() else { return Vec::new() };
    LISTS
        .iter()
        .map(|(section, heading, keys)| ListSection {
            heading,
            lists: keys
                .iter()
                .filter_map(|(key, label)| {
                    let items: Vec<String> = doc
                        .get(section)?
                        .get(key)?
                        .as_array()?
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    Some(ListField {
                        name: format!("{section}.{key}"),
                        id: format!("list-{section}-{key}").replace('_', "-"),
                        label,
                        count: items.len(),
                        rows: (items.len() + 1).clamp(3, 10),
                        text: items.join("\n"),
                    })
                })
                .collect(),
        })
        .filter(|s| !s.lists.is_empty())
        .collect()
}

/// The pack `body` with the lists the form sent (one entry a line; blank lines and repeats
/// dropped) and the new `version` (kept as it is when empty): a change for the same check as
/// the whole TOML.
pub fn with_lists(body: &str, version: &str, sent: &[(String, String)]) -> Result<String, AppError> {
    let version = version.trim();
    let mut doc = body
        .parse::<toml_edit::DocumentMut>()
        .map_err(|e| AppError::invalid("body", format!("The pack in force does not parse: {e}")))?;
    if !version.is_empty() {
        doc["version"] = toml_edit::value(version);
    }
    for (section, _, keys) in LISTS {
        for (key, _) in keys.iter() {
            let name = format!("{section}.{key}");
            let Some((_, text)) = sent.iter().find(|(k, _)| *k == name) else { continue };
            let Some(table) = doc.get_mut(section).and_then(|t| t.as_table_like_mut()) else { continue };
            if table.get(key).and_then(|v| v.as_array()).is_none() {
                continue;
            }
            let mut seen = std::collections::HashSet::new();
            let items: Vec<&str> =
                text.lines().map(str::trim).filter(|l| !l.is_empty() && seen.insert(l.to_string())).collect();
            if let Some(c) = items.iter().find_map(|i| crate::forms::forbidden_character(i)) {
                return Err(crate::forms::forbidden_character_error(&name, c));
            }
            let mut array = toml_edit::Array::new();
            for item in &items {
                let v = toml_edit::Value::from(*item);
                if items.len() > 6 { array.push_formatted(v.decorated("\n  ", "")) } else { array.push(*item) }
            }
            if items.len() > 6 {
                array.set_trailing("\n");
                array.set_trailing_comma(true);
            }
            table.insert(key, toml_edit::Item::Value(toml_edit::Value::Array(array)));
        }
    }
    Ok(doc.to_string())
}

struct VersionRow {
    version: String,
    when: String,
    author: String,
    reason: String,
    rules: i64,
    examples: i64,
}

impl From<&PackVersion> for VersionRow {
    fn from(v: &PackVersion) -> Self {
        Self {
            version: v.version.clone(),
            when: fmt_time(v.created_at),
            author: v.author.clone(),
            reason: v.reason.clone(),
            rules: v.rules,
            examples: v.examples,
        }
    }
}

#[derive(Template)]
#[template(path = "screening/screening_pack.html")]
struct PackPage {
    layout: Layout,
    version: String,
    sha256: String,
    built_in: bool,
    rules: usize,
    examples: usize,
    history: Vec<VersionRow>,
    can_manage: bool,
    body: String,
    errors: Vec<FieldProblem>,
    activated: Option<String>,
    c63: ClauseView,
    c65: ClauseView,
    /// The lists form: the lists of the pack shown (in force, or as sent).
    lists: Vec<ListSection>,
    new_version: String,
    /// What the pack in force does differently from what it says: a stored pack pinned to a
    /// model this build no longer ships is screened with the shipped model.
    warnings: Vec<String>,
}
page!(PackPage);

impl PackPage {
    /// The lists form's problem with the new version, shown beside it.
    fn version_error(&self) -> String {
        self.errors
            .iter()
            .find(|e| e.field.as_deref() == Some("new_version"))
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    /// The problems with the pack itself, shown beside the TOML.
    fn body_errors(&self) -> Vec<&FieldProblem> {
        self.errors.iter().filter(|e| e.field.as_deref() != Some("new_version")).collect()
    }
}

#[derive(Deserialize)]
pub struct OverviewQuery {
    activated: Option<String>,
}

async fn pack_page(
    state: &AppState,
    user: &CurrentUser,
    body: Option<String>,
    errors: Vec<FieldProblem>,
    activated: Option<String>,
) -> Result<Response, AppError> {
    let (current, history) = uc::overview(state, user).await?;
    let body = match body {
        Some(b) => b,
        None => match current.seq {
            Some(_) => history.iter().find(|v| Some(v.seq) == current.seq).map(|v| v.body.clone()).unwrap_or_default(),
            None => custodian_screening::Pack::builtin_text().to_string(),
        },
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let lists = list_sections(&body);
    // A refused change shows the version it asked for, if it asked for a new one.
    let new_version = match body.parse::<toml_edit::DocumentMut>() {
        Ok(doc) if !errors.is_empty() => {
            doc.get("version").and_then(|v| v.as_str()).filter(|v| *v != current.version()).unwrap_or("").to_string()
        }
        _ => String::new(),
    };
    let mut res = render(&PackPage {
        lists,
        new_version,
        layout: layout(state, Some(user), "Screening pack", "/screening/pack"),
        version: current.version().to_string(),
        sha256: current.sha256.clone(),
        built_in: current.seq.is_none(),
        rules: current.pack.rules.len(),
        examples: current.pack.examples.len(),
        history: history.iter().map(VersionRow::from).collect(),
        can_manage: state.allows(user, Action::ScreeningPackManage, &Resource::System),
        body,
        errors,
        activated,
        c63: clause_view("6.3"),
        c65: clause_view("6.5"),
        warnings: current.engine.warnings().to_vec(),
    });
    *res.status_mut() = status;
    Ok(res)
}

async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<OverviewQuery>,
) -> UiResult<Response> {
    Ok(pack_page(&state, &user, None, Vec::new(), q.activated).await?)
}

struct ScoreRow {
    category: &'static str,
    gold: usize,
    before_precision: String,
    before_recall: String,
    after_precision: String,
    after_recall: String,
    worse: bool,
}

struct DifferenceRow {
    source: String,
    text: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "screening/screening_check.html")]
struct CheckPage {
    layout: Layout,
    report: ChangeReport,
    scores: Vec<ScoreRow>,
    differences: Vec<DifferenceRow>,
    regressions: usize,
    body: String,
    errors: Vec<FieldProblem>,
    c63: ClauseView,
}
page!(CheckPage);

fn outcome_text(o: &custodian_screening::review::Outcome) -> String {
    let mut s = o.verdict.replace('_', " ");
    if let Some(a) = o.approver {
        s.push_str(&format!(" ({})", a.replace('_', " ")));
    }
    if !o.categories.is_empty() {
        s.push_str(": ");
        s.push_str(&o.categories.join(", "));
    }
    s
}

fn check_page(
    state: &AppState,
    user: &CurrentUser,
    report: ChangeReport,
    body: String,
    errors: Vec<FieldProblem>,
) -> Response {
    let scores = report
        .scores
        .iter()
        .filter(|s| s.before.gold > 0 || s.before.predicted > 0 || s.after.predicted > 0)
        .map(|s| ScoreRow {
            category: s.category,
            gold: s.before.gold,
            before_precision: format!("{:.2}", s.before.precision()),
            before_recall: format!("{:.2}", s.before.recall()),
            after_precision: format!("{:.2}", s.after.precision()),
            after_recall: format!("{:.2}", s.after.recall()),
            worse: s.is_worse(),
        })
        .collect();
    let differences = report
        .differences
        .iter()
        .map(|d| DifferenceRow {
            source: d.source.clone(),
            text: d.text.clone(),
            before: outcome_text(&d.before),
            after: outcome_text(&d.after),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = render(&CheckPage {
        layout: layout(state, Some(user), "Check a screening pack change", "/screening/pack"),
        regressions: report.regressions().len(),
        report,
        scores,
        differences,
        body,
        errors,
        c63: clause_view("6.3"),
    });
    *res.status_mut() = status;
    res
}

/// A refused change: the pack page with the problems and `body` (the pack typed, or the one in
/// force); a browser gets it from `web::form_errors` with the problems beside the fields.
async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    body: Option<String>,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let shown = pack_page(state, user, body.clone(), errors.clone(), None).await?;
    let bare = pack_page(state, user, body, Vec::new(), None).await?;
    Ok(crate::web::form_errors::refused_on_own_page(shown, errors, bare).await)
}

/// Check a change posted to `/screening/pack/check` (see [`check_form`]).
async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    check_form(&state, &user, f).await
}

/// Check a change: the whole pack (`body`), or the pack in force with the lists form's lists
/// (`edit=lists`, `new_version` and one field a list, `allowlist.operations`). The page's forms
/// post it to the page's own address (`step=check`), so a refused pack, which is too large for
/// the refusal cookie, is shown again at `/screening/pack` with everything typed
/// (`web::form_errors`).
async fn check_form(state: &AppState, user: &CurrentUser, f: Vec<(String, String)>) -> UiResult<Response> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let body = if get("edit") == "lists" {
        state.require(user, Action::ScreeningPackManage, &Resource::System)?;
        let (current, history) = uc::overview(state, user).await?;
        let in_force = match current.seq {
            Some(_) => history.iter().find(|v| Some(v.seq) == current.seq).map(|v| v.body.clone()).unwrap_or_default(),
            None => custodian_screening::Pack::builtin_text().to_string(),
        };
        match with_lists(&in_force, &get("new_version"), &f) {
            Ok(b) if get("new_version").trim().is_empty() => {
                let message = "Give the changed pack a new version, for example 2027.1.1".to_string();
                let errors = vec![FieldProblem { field: Some("new_version".into()), line: None, message }];
                return Ok(refuse(state, user, Some(b), errors).await?);
            }
            Ok(b) => b,
            Err(AppError::Invalid { errors, .. }) => {
                return Ok(refuse(state, user, None, errors).await?);
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        get("body")
    };
    match uc::check(state, user, &body).await {
        Ok(report) => Ok(check_page(state, user, report, body, Vec::new())),
        Err(AppError::Invalid { errors, .. }) => Ok(refuse(state, user, Some(body), errors).await?),
        Err(e) => Err(e.into()),
    }
}

/// What the check page's form puts into effect: the checked pack and why.
struct ActivateForm {
    body: String,
    reason: String,
}

/// `POST /screening/pack`: a change checked (the page's own forms, `step=check`), or a checked
/// pack put into effect (the check page's form: `body` and `reason`).
async fn activate(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if get("step") == "check" {
        return check_form(&state, &user, f).await;
    }
    let f = ActivateForm { body: get("body"), reason: get("reason") };
    match uc::activate(&state, &user, &f.body, &f.reason).await {
        Ok(v) => {
            let query = serde_urlencoded::to_string([("activated", &v.version)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/screening/pack?{query}")).into_response())
        }
        Err(AppError::Invalid { errors, .. }) if errors.iter().any(|e| e.field.as_deref() == Some("reason")) => {
            // The pack passed its checks; show the report again with the reason asked for.
            let report = uc::check(&state, &user, &f.body).await?;
            Ok(check_page(&state, &user, report, f.body, errors))
        }
        Err(AppError::Invalid { errors, .. }) => Ok(pack_page(&state, &user, Some(f.body), errors, None).await?),
        Err(AppError::Conflict(message)) => {
            let errors = vec![FieldProblem { field: Some("body".into()), line: None, message }];
            Ok(pack_page(&state, &user, Some(f.body), errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "screening/screening_version.html")]
struct VersionPage {
    layout: Layout,
    v: VersionRow,
    sha256: String,
    body: String,
}
page!(VersionPage);

async fn one_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(version): Path<String>,
) -> UiResult<Response> {
    let v = uc::version(&state, &user, &version).await?;
    Ok(render(&VersionPage {
        layout: layout(&state, Some(&user), &format!("Screening pack {}", v.version), "/screening/pack"),
        v: VersionRow::from(&v),
        sha256: v.sha256.clone(),
        body: v.body,
    }))
}
