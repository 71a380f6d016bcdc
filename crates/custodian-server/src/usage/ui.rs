//! The usage pages: streaming exceptions (WP034 4.6), and the usage imports page for Digital
//! Services (4.1): upload a carrier or web gateway CSV and see every run. Every form works
//! without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use time::OffsetDateTime;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::usage as uc;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::date_input::{DateField, Parts, When, iso, parse_date};
use crate::web::error::problems;
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/usage/streaming-exceptions", get(exceptions).post(create_exception))
        .route("/usage/imports", get(imports))
        .route("/usage/out-of-hours", get(out_of_hours))
        .route(
            "/usage/imports/{feed}",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(uc::USAGE_UPLOAD_LIMIT)),
        )
}

fn fmt_us(us: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map(fmt_time).unwrap_or_default()
}

// ----- Streaming exceptions ------------------------------------------------------------------

struct ExceptionRow {
    person: String,
    reason: String,
    approver: String,
    from: String,
    expires: String,
}

struct ReportChoice {
    staff_number: String,
    label: String,
}

#[derive(Template)]
#[template(path = "usage/streaming_exceptions.html")]
struct ExceptionsPage {
    layout: Layout,
    c46: ClauseView,
    rows: Vec<ExceptionRow>,
    reports: Vec<ReportChoice>,
    errors: Vec<FieldProblem>,
    reason: String,
    until: DateField,
}
page!(ExceptionsPage);

async fn exceptions_page(
    state: &AppState,
    user: &CurrentUser,
    reason: &str,
    until: &Parts,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let rows = uc::streaming_exceptions(state, user).await?;
    let reports = state.store().direct_reports(user.id()).await?;
    let bad = !errors.is_empty();
    let mut res = render(&ExceptionsPage {
        layout: layout(state, Some(user), "Streaming exceptions", "/usage/streaming-exceptions"),
        c46: clause_view("4.6"),
        rows: rows
            .iter()
            .map(|e| ExceptionRow {
                person: format!("{} ({})", e.person_name, e.staff_number),
                reason: e.reason.clone(),
                approver: e.approver_name.clone(),
                from: fmt_us(e.from_us),
                expires: fmt_us(e.expires_us),
            })
            .collect(),
        reports: reports
            .iter()
            .filter(|p| p.status == custodian_domain::people::PersonStatus::Active)
            .map(|p| ReportChoice {
                staff_number: p.staff_number.clone(),
                label: format!("{} ({})", p.name, p.staff_number),
            })
            .collect(),
        until: DateField::date("until", "Last day covered", "").filled(until, &errors),
        errors,
        reason: reason.into(),
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn exceptions(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(exceptions_page(&state, &user, "", &Parts::default(), vec![]).await?)
}

/// A streaming exception for one person until a date (WP034 4.6): `staff_number`, `reason` and
/// the date `until` (`until-day`, `until-month`, `until-year`).
async fn create_exception(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (staff_number, reason, until) = (get("staff_number"), get("reason"), Parts::read(&f, "until"));
    let result = match parse_date("until", "The last day covered", &until, When::TodayOrLater, state.now().date()) {
        Ok(d) => uc::record_streaming_exception(&state, &user, &staff_number, &reason, &iso(d)).await,
        Err(p) => Err(p.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/usage/streaming-exceptions").into_response()),
        Err(e) => {
            let mut errors = problems(e)?;
            for p in &mut errors {
                if let Some(f) = p.field.as_mut().filter(|f| *f == "until") {
                    f.push_str("-day");
                }
            }
            Ok(crate::web::form_errors::refused(
                exceptions_page(&state, &user, &reason, &until, errors.clone()).await?,
                errors,
            ))
        }
    }
}

// ----- Usage imports -------------------------------------------------------------------------

struct RunRow {
    at: String,
    actor: String,
    feed: String,
    rows: String,
    imported: String,
    duplicates: String,
    rejected: String,
    findings: String,
    sha256: String,
}

struct ResultView {
    feed: String,
    rows: u64,
    imported: u64,
    duplicates: u64,
    findings_opened: u64,
    findings_updated: u64,
    before_first_allocation: u64,
    rejected: Vec<String>,
}

#[derive(Template)]
#[template(path = "usage/usage_imports.html")]
struct ImportsPage {
    layout: Layout,
    c41: ClauseView,
    /// Other suppliers' layouts in the usage pack, per feed.
    carrier_profiles: Vec<String>,
    web_profiles: Vec<String>,
    runs: Vec<RunRow>,
    result: Option<ResultView>,
    errors: Vec<FieldProblem>,
}
page!(ImportsPage);

async fn imports_page(
    state: &AppState,
    user: &CurrentUser,
    result: Option<ResultView>,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let runs = uc::import_runs(state, user).await?;
    let n = |v: &serde_json::Value, k: &str| {
        v.get(k).map(|x| x.to_string().trim_matches('"').to_string()).unwrap_or_default()
    };
    let bad = !errors.is_empty();
    let actors =
        crate::web::display::actors_in_words(state, &runs.iter().map(|r| r.actor.clone()).collect::<Vec<_>>()).await;
    let mut res = render(&ImportsPage {
        layout: layout(state, Some(user), "Usage imports", "/usage/imports"),
        c41: clause_view("4.1"),
        carrier_profiles: uc::import_profiles(custodian_domain::usage::Feed::Carrier),
        web_profiles: uc::import_profiles(custodian_domain::usage::Feed::Web),
        runs: runs
            .iter()
            .zip(actors)
            .map(|(r, actor)| RunRow {
                at: fmt_time(r.at),
                actor,
                feed: n(&r.detail, "feed"),
                rows: n(&r.detail, "rows"),
                imported: n(&r.detail, "imported"),
                duplicates: n(&r.detail, "duplicates"),
                rejected: n(&r.detail, "rejected"),
                findings: n(&r.detail, "findings_opened"),
                sha256: n(&r.detail, "file_sha256"),
            })
            .collect(),
        result,
        errors,
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn imports(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(imports_page(&state, &user, None, vec![]).await?)
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(feed): Path<String>,
    mut mp: Multipart,
) -> UiResult<Response> {
    let mut csrf = None;
    let mut profile: Option<String> = None;
    let mut file: Option<uc::Spooled> = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
        match field.name() {
            Some("csrf_token") => {
                csrf = Some(field.text().await.map_err(|e| AppError::invalid("csrf_token", e.body_text()))?)
            }
            Some("profile") => {
                profile = Some(field.text().await.map_err(|e| AppError::invalid("profile", e.body_text()))?)
            }
            Some("file") => {
                // Refuse before receiving the file when the form's token is already known to be wrong.
                if csrf.is_some() {
                    user.check_csrf(csrf.as_deref())?;
                }
                let mut spool = uc::Spool::new()?;
                while let Some(chunk) = field.chunk().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
                    spool.push(&chunk).await?;
                }
                file = Some(spool.finish().await?);
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let file = match file {
        Some(f) => f,
        None => uc::Spooled { len: 0, reader: Box::new(std::io::empty()) },
    };
    match uc::import_usage(&state, &user, &feed, profile.as_deref(), file).await {
        Ok(r) => {
            let view = ResultView {
                feed: r.feed.as_str().into(),
                rows: r.rows,
                imported: r.imported,
                duplicates: r.duplicates,
                findings_opened: r.findings_opened,
                findings_updated: r.findings_updated,
                before_first_allocation: r.before_first_allocation,
                rejected: r
                    .rejected
                    .iter()
                    .map(|e| {
                        format!(
                            "Line {}{}: {}",
                            e.line,
                            e.record_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default(),
                            e.reason
                        )
                    })
                    .collect(),
            };
            Ok(imports_page(&state, &user, Some(view), vec![]).await?)
        }
        Err(e) => {
            let errors = problems(e)?;
            Ok(imports_page(&state, &user, None, errors).await?)
        }
    }
}

// ----- Out-of-hours expectations (WP034 4.11) --------------------------------------------------

pub(crate) struct TeamChart {
    pub(crate) title: String,
    pub(crate) size: i64,
    pub(crate) chart: String,
}

#[derive(Template)]
#[template(path = "usage/out_of_hours.html")]
pub(crate) struct OutOfHoursPage {
    pub(crate) layout: Layout,
    pub(crate) teams: Vec<TeamChart>,
    pub(crate) min_team: usize,
    pub(crate) hours: String,
    pub(crate) c411: ClauseView,
}
page!(OutOfHoursPage);

async fn out_of_hours(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let (teams, months) = uc::out_of_hours(&state, &user).await?;
    let pack = &custodian_domain::usage::UsagePack::shipped().out_of_hours;
    let teams = teams
        .into_iter()
        .map(|t| {
            let rows: Vec<(String, i64)> = months
                .iter()
                .map(|m| {
                    let found = t.months.iter().find(|x| x.month == *m);
                    let label = format!("{} {}", m.month(), m.year());
                    match found {
                        Some(x) => (format!("{label} ({} of {})", x.outside, x.total), x.per_cent()),
                        None => (format!("{label} (none)"), 0),
                    }
                })
                .collect();
            let title = format!("Team of {}", crate::web::display::person(&t.manager, &t.staff_number));
            let chart = crate::web::chart::Bars {
                title: &format!("{title}: per cent of calls and messages outside working hours"),
                label_heading: "Month (outside of all)",
                value_heading: "Per cent outside working hours",
                empty: "No calls or messages outside working hours from the manager to the team in these months.",
            }
            .render(&rows);
            TeamChart { title, size: t.team_size, chart }
        })
        .collect();
    Ok(render(&OutOfHoursPage {
        layout: layout(&state, Some(&user), "Out-of-hours contact", "/usage/out-of-hours"),
        teams,
        min_team: pack.min_team,
        hours: format!("{} {} to {}", pack.days.join(", "), pack.start, pack.end),
        c411: clause_view("4.11"),
    }))
}
