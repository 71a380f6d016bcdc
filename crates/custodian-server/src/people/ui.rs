//! The people pages: the list a user may see, and one person's record.

use crate::routing::{Routes, get};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_authz::{Action, Resource};
use custodian_store::{DeviceFilter, Person, PersonFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::devices::ui::{DeviceRowView, device_row};
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::{Choice, ClauseView, Layout, clause_view, layout, page, percent, render};
pub fn routes() -> Routes {
    Routes::new()
        .route("/people", get(people))
        .route("/people/suggest", get(suggest))
        .route("/people/{id}", get(person))
}

#[derive(Deserialize, Default)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
    /// Whom the chooser offers (`people::Among`): `dmi`, `sio`, `round:ID`, or anyone the user
    /// may see.
    #[serde(default)]
    among: String,
}

/// One suggestion of a person chooser: `label` is what the input takes ("Jack Thornton (A1018)").
#[derive(serde::Serialize)]
struct Suggestion {
    label: String,
    name: String,
    staff_number: String,
}

/// A person chooser's suggestions as JSON (`templates/_macros.html` `person_input`, read by
/// `static/app.js`): up to ten active people matching `q` whom the user may see.
async fn suggest(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SuggestQuery>,
) -> UiResult<Response> {
    let people = crate::people::suggest(&state, &user, &q.q, crate::people::Among::parse(&q.among)).await?;
    let out: Vec<Suggestion> = people
        .iter()
        .map(|p| Suggestion {
            label: crate::web::display::person(&p.name, &p.staff_number),
            name: p.name.clone(),
            staff_number: p.staff_number.clone(),
        })
        .collect();
    Ok(axum::response::IntoResponse::into_response(axum::Json(out)))
}

// ----- People --------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    pub(crate) q: Option<String>,
    pub(crate) area: Option<String>,
    pub(crate) page: Option<i64>,
}

pub(crate) struct PersonRowView {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) staff_number: String,
    pub(crate) kind: String,
    pub(crate) area: String,
    pub(crate) manager: String,
    pub(crate) roles: String,
    pub(crate) status: String,
}

pub(crate) fn person_row(p: &Person) -> PersonRowView {
    PersonRowView {
        id: p.id,
        name: p.name.clone(),
        staff_number: p.staff_number.clone(),
        kind: p.kind.as_str().into(),
        area: p.business_area.clone(),
        manager: p.line_manager_name.clone().unwrap_or_default(),
        roles: p.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
        status: p.status.as_str().into(),
    }
}

#[derive(Template)]
#[template(path = "people/people.html")]
pub(crate) struct PeoplePage {
    pub(crate) layout: Layout,
    pub(crate) q: String,
    pub(crate) areas: Vec<Choice>,
    pub(crate) rows: Vec<PersonRowView>,
    pub(crate) total: i64,
    pub(crate) page: i64,
    pub(crate) pages: i64,
    pub(crate) prev_href: Option<String>,
    pub(crate) next_href: Option<String>,
    /// WP034 4.11: the out-of-hours contact chart, for those who may see it.
    pub(crate) out_of_hours: bool,
}
page!(PeoplePage);

pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PeopleQuery>,
) -> UiResult<Response> {
    let page = q.page.unwrap_or(1).max(1);
    let area = q.area.clone().filter(|a| !a.is_empty());
    let p = crate::people::list_people(
        &state,
        &user,
        PersonFilter { q: q.q.clone(), business_area: area.clone(), status: None },
        page,
        50,
    )
    .await?;
    let pages = p.pages();
    let href = |n: i64| {
        format!(
            "/people?q={}&area={}&page={n}",
            percent(q.q.as_deref().unwrap_or("")),
            percent(area.as_deref().unwrap_or(""))
        )
    };
    let areas = state.store().business_areas().await?;
    Ok(render(&PeoplePage {
        layout: layout(&state, Some(&user), "People", "/people"),
        out_of_hours: state.allows(
            &user,
            custodian_authz::Action::UsageOutOfHoursView,
            &custodian_authz::Resource::System,
        ),
        q: q.q.clone().unwrap_or_default(),
        areas: areas
            .iter()
            .map(|a| Choice { value: a.name.clone(), label: a.name.clone(), selected: Some(&a.name) == area.as_ref() })
            .collect(),
        rows: p.items.iter().map(person_row).collect(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    }))
}

#[derive(Deserialize, Default)]
pub struct PersonQuery {
    pub(crate) reason: Option<String>,
}

#[derive(Template)]
#[template(path = "people/person.html")]
pub(crate) struct PersonPage {
    pub(crate) layout: Layout,
    pub(crate) p: PersonRowView,
    pub(crate) email: String,
    pub(crate) head_of_department: bool,
    pub(crate) devices: Vec<DeviceRowView>,
    pub(crate) reports: Vec<PersonRowView>,
    pub(crate) show_phones: bool,
    pub(crate) phones: Vec<String>,
    pub(crate) c412: ClauseView,
    pub(crate) errors: Vec<FieldProblem>,
    pub(crate) reason: String,
    /// Their policy acknowledgements and training attended (WP034 2.3, 2.4).
    pub(crate) acks: Vec<crate::policy::ui::AckRow>,
    pub(crate) training: Vec<crate::policy::ui::TrainRow>,
}
page!(PersonPage);

pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PersonQuery>,
) -> UiResult<Response> {
    // A reason too thin to record shows the page again without the numbers, the error on the field.
    let (p, sensitive, errors) = match crate::people::view_person(&state, &user, id, q.reason.as_deref()).await {
        Ok((p, sensitive)) => (p, sensitive, vec![]),
        Err(AppError::Invalid { errors, .. }) => {
            let (p, sensitive) = crate::people::view_person(&state, &user, id, None).await?;
            (p, sensitive, errors)
        }
        Err(e) => return Err(e.into()),
    };
    let devices = if state.allows(&user, Action::DevicesList, &Resource::System)
        || user.id() == p.id
        || p.line_manager_id == Some(user.id())
    {
        state.store().devices(&DeviceFilter { holder_id: Some(p.id), ..DeviceFilter::default() }, 1, 100).await?.items
    } else {
        vec![]
    };
    let reports = state.store().direct_reports(p.id).await?;
    let (acks, training) = crate::policy::ui::record_rows(&state, p.id).await?;
    let page_ok = errors.is_empty();
    let mut res = render(&PersonPage {
        layout: layout(&state, Some(&user), &p.name, "/people"),
        email: p.email.clone(),
        head_of_department: p.is_head_of_department,
        devices: devices.iter().map(device_row).collect(),
        reports: reports.iter().map(person_row).collect(),
        show_phones: sensitive,
        phones: if sensitive { p.personal_phones.clone() } else { vec![] },
        p: person_row(&p),
        c412: clause_view("4.12"),
        reason: if errors.is_empty() { String::new() } else { q.reason.clone().unwrap_or_default() },
        errors,
        acks,
        training,
    });
    if !page_ok {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}
