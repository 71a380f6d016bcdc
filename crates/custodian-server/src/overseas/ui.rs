//! The "Overseas use" pages (WP034 4.2): the request form, one's requests with the approval
//! chain's timeline, the windows a viewer may see, and the MDM export as CSV. Every form works
//! without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_store::overseas::OverseasItem;
use uuid::Uuid;

use crate::approvals::ui::{EventView, StepView, step_views, timeline_views};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::overseas as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::date_input::{DateField, Parts, When, iso, parse_date};
use crate::web::error::problems;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/overseas", get(overseas).post(create))
        .route("/overseas/export.csv", get(export_csv))
        .route("/overseas/{id}", get(window))
        .route("/overseas/{id}/decide", post(decide))
        .route("/overseas/{id}/withdraw", post(withdraw))
}

fn status_class(s: &str) -> &'static str {
    match s {
        "approved" => "govuk-tag--green",
        "rejected" => "govuk-tag--red",
        "withdrawn" => "govuk-tag--grey",
        _ => "govuk-tag--blue",
    }
}

// ----- Overseas use --------------------------------------------------------------------------

struct WindowRow {
    id: Uuid,
    person: String,
    line_manager: String,
    devices: String,
    countries: String,
    from: String,
    to: String,
    purpose: String,
    status: String,
    status_class: String,
}

impl From<&OverseasItem> for WindowRow {
    fn from(w: &OverseasItem) -> Self {
        Self {
            id: w.id,
            person: format!("{} ({})", w.person_name, w.staff_number),
            line_manager: w.line_manager_name.clone().unwrap_or_else(|| "—".into()),
            devices: if w.device_tags.is_empty() { "every device held".into() } else { w.device_tags.join(", ") },
            countries: w
                .countries
                .iter()
                .map(|c| custodian_domain::countries::name_of(c))
                .collect::<Vec<_>>()
                .join(", "),
            from: crate::web::display::date_words(w.from),
            to: crate::web::display::date_words(w.to),
            purpose: w.purpose.clone(),
            status: w.status.clone(),
            status_class: status_class(&w.status).into(),
        }
    }
}

struct DeviceChoice {
    tag: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "overseas/overseas.html")]
struct OverseasPage {
    layout: Layout,
    c42: ClauseView,
    errors: Vec<FieldProblem>,
    devices: Vec<DeviceChoice>,
    countries: String,
    country_names: Vec<&'static str>,
    from: DateField,
    to: DateField,
    purpose: String,
    mine: Vec<WindowRow>,
    others: Vec<WindowRow>,
    sees_all: bool,
    can_export: bool,
    status: String,
}
page!(OverseasPage);

#[derive(Default, serde::Deserialize)]
struct WindowsQuery {
    status: Option<String>,
}

/// What a person typed in the request form, kept to show again.
#[derive(Default)]
struct Typed {
    devices: Vec<String>,
    countries: String,
    from: Parts,
    to: Parts,
    purpose: String,
}

impl Typed {
    fn read(f: &[(String, String)]) -> Self {
        let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        Typed {
            devices: f.iter().filter(|(n, _)| n == "devices").map(|(_, v)| v.clone()).collect(),
            countries: get("countries"),
            from: Parts::read(f, "from"),
            to: Parts::read(f, "to"),
            purpose: get("purpose"),
        }
    }
}

async fn overseas_page(
    state: &AppState,
    user: &CurrentUser,
    form: &Typed,
    status: Option<&str>,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let mine = uc::mine(state, user).await?;
    let others = uc::windows(state, user, status).await?;
    let held = state
        .store()
        .devices(&custodian_store::DeviceFilter { holder_id: Some(user.id()), ..Default::default() }, 1, 500)
        .await?
        .items;
    let page = OverseasPage {
        layout: layout(state, Some(user), "Overseas use", "/overseas"),
        c42: clause_view("4.2"),
        devices: held
            .iter()
            .map(|d| DeviceChoice {
                tag: d.asset_tag.clone(),
                label: format!("{} · {} {}", d.asset_tag, d.make, d.model),
                checked: form.devices.iter().any(|t| t == &d.asset_tag),
            })
            .collect(),
        countries: form.countries.clone(),
        country_names: custodian_domain::countries::all().iter().filter(|c| c.code != "GB").map(|c| c.name).collect(),
        from: DateField::date("from", "First day", "").filled(&form.from, &errors),
        to: DateField::date("to", "Last day", "").filled(&form.to, &errors),
        purpose: form.purpose.clone(),
        mine: mine.iter().map(WindowRow::from).collect(),
        others: others.iter().filter(|w| w.person_id != user.id()).map(WindowRow::from).collect(),
        sees_all: state.allows(user, Action::OverseasWindowsView, &Resource::System),
        can_export: state.allows(user, Action::OverseasExport, &Resource::System),
        status: status.unwrap_or("").into(),
        errors,
    };
    let bad = !page.errors.is_empty();
    let mut res = render(&page);
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn overseas(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<WindowsQuery>,
) -> UiResult<Response> {
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    Ok(overseas_page(&state, &user, &Typed::default(), status, vec![]).await?)
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let typed = Typed::read(&f);
    // The form takes countries by name and dates in three boxes; the use case, as the API, takes
    // codes and ISO dates.
    let today = state.now().date();
    let mut errors: Vec<FieldProblem> = Vec::new();
    let countries = match custodian_domain::countries::parse_list(&typed.countries) {
        Ok(c) => c.into_iter().map(str::to_string).collect(),
        Err(bad) => {
            errors.push(FieldProblem {
                field: Some("countries".into()),
                line: None,
                message: format!("No country is called {bad}: enter its name, such as France, or its code, such as FR"),
            });
            vec![]
        }
    };
    let mut day = |name: &str, label: &str, sent: &Parts, when: When| match parse_date(name, label, sent, when, today) {
        Ok(d) => iso(d),
        Err(p) => {
            errors.push(p.into());
            String::new()
        }
    };
    let from = day("from", "The first day", &typed.from, When::Any);
    let to = day("to", "The last day", &typed.to, When::TodayOrLater);
    let result = if errors.is_empty() {
        let form =
            uc::RequestForm { devices: typed.devices.clone(), countries, from, to, purpose: typed.purpose.clone() };
        uc::request(&state, &user, &form).await
    } else {
        Err(AppError::Invalid { detail: "The request has problems".into(), errors })
    };
    match result {
        Ok((id, _)) => Ok(Redirect::to(&format!("/overseas/{id}")).into_response()),
        Err(e) => {
            let mut errors = problems(e)?;
            // A use-case problem with a date names the whole field: point it at its first box.
            for p in &mut errors {
                if let Some(f) = p.field.as_mut().filter(|f| *f == "from" || *f == "to") {
                    f.push_str("-day");
                }
            }
            Ok(crate::web::form_errors::refused(
                overseas_page(&state, &user, &typed, None, errors.clone()).await?,
                errors,
            ))
        }
    }
}

async fn export_csv(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(uc::export_download(&state, &user).await?)
}

#[derive(Template)]
#[template(path = "overseas/overseas_window.html")]
struct WindowPage {
    layout: Layout,
    c42: ClauseView,
    w: WindowRow,
    approval_id: Option<Uuid>,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    can_decide: bool,
    can_withdraw: bool,
    errors: Vec<FieldProblem>,
}
page!(WindowPage);

impl WindowPage {
    fn clauses(&self) -> Vec<&ClauseView> {
        crate::approvals::ui::step_clauses(Some(&self.c42), &self.steps)
    }
}

async fn window_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let v = uc::view(state, user, id).await?;
    let (steps, timeline, can_decide, can_withdraw) = match &v.approval {
        Some(a) => (
            step_views(&a.request.steps, &a.can_decide, state.now()),
            timeline_views(&a.timeline, "made the request", "changed the request"),
            !a.can_decide.is_empty(),
            a.can_withdraw,
        ),
        None => (vec![], vec![], false, false),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    let mut res = render(&WindowPage {
        layout: layout(state, Some(user), "Overseas use", "/overseas"),
        c42: clause_view("4.2"),
        approval_id: v.item.approval_id(),
        w: WindowRow::from(&v.item),
        steps,
        timeline,
        can_decide,
        can_withdraw,
        errors,
    });
    *res.status_mut() = status;
    Ok(res)
}

async fn window(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(window_page(&state, &user, id, vec![]).await?)
}

/// A decider records their step on the window's own page (WP034 4.2: the line manager, Digital
/// Services and the Force Vetting Unit). The decision goes through the shared approval chain, as on
/// /approvals, so the window is approved in the same transaction as the last approval.
async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<crate::approvals::ui::DecisionForm>,
) -> UiResult<Response> {
    let d = f.decision();
    let decided = match uc::view(&state, &user, id).await?.item.approval_id() {
        Some(approval) => crate::approvals::decide(&state, &user, approval, d).await.map(drop),
        None => Err(AppError::Conflict(
            "This window was recorded as approved outside Custodian: there is nothing to decide.".into(),
        )),
    };
    back_to_window(&state, &user, id, decided).await
}

/// After a step taken on a window's page: back to the page, or the page again with what was wrong.
async fn back_to_window(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    done: Result<(), AppError>,
) -> UiResult<Response> {
    crate::web::form_errors::redirect_or_again(done.map(|()| format!("/overseas/{id}")), |errors| {
        window_page(state, user, id, errors)
    })
    .await
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    let withdrawn = uc::withdraw(&state, &user, id).await.map(drop);
    back_to_window(&state, &user, id, withdrawn).await
}
