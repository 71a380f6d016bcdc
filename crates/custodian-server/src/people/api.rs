//! The people API: the signed-in person, people, and personal numbers shown only with a reason.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use custodian_domain::people::PersonStatus;
use custodian_store::PersonFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::dto::*;
use crate::api::parse_opt;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;
use custodian_store as s;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new()
        .routes(routes!(me))
        .routes(routes!(list_people))
        .routes(routes!(get_person))
        .routes(routes!(personal_numbers))
}

/// The signed-in person.
#[utoipa::path(get, path = "/me", tag = "people", responses((status = 200, body = PersonOut), (status = 401, body = Problem)))]
async fn me(user: CurrentUser) -> Json<PersonOut> {
    Json(PersonOut::from(&user.person))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PeopleQuery {
    q: Option<String>,
    business_area: Option<String>,
    /// active or leaver
    status: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// People and their business areas (WP034 4.1).
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery), responses((status = 200, body = PersonPage), (status = 403, body = Problem)))]
async fn list_people(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Json<PersonPage>> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = PersonFilter {
        q: q.q,
        business_area: q.business_area,
        status: parse_opt("status", &q.status, PersonStatus::parse)?,
    };
    let p = crate::people::list_people(&state, &user, f, page, per_page).await?;
    Ok(Json(PersonPage { items: p.items.iter().map(PersonOut::from).collect(), total: p.total, page, per_page }))
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "people", params(("id" = Uuid, Path)), responses((status = 200, body = PersonOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PersonOut>> {
    let (p, _) = crate::people::view_person(&state, &user, id, None).await?;
    Ok(Json(PersonOut::from(&p)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PersonalNumbersQuery {
    /// Why you need them (at least ten characters and two words); recorded in the audit log.
    /// Not needed for your own record.
    reason: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct PersonalNumbersOut {
    staff_number: String,
    /// Declared personal phone numbers, E.164.
    personal_phones: Vec<String>,
}

/// A person's declared personal phone numbers (WP034 4.12): shown only with a real reason,
/// which is logged (`person.view_personal_numbers`); a missing or thin reason is a 422 naming
/// `reason`.
#[utoipa::path(get, path = "/people/{id}/personal-numbers", tag = "people", params(("id" = Uuid, Path), PersonalNumbersQuery), responses((status = 200, body = PersonalNumbersOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn personal_numbers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PersonalNumbersQuery>,
) -> ApiResult<Json<PersonalNumbersOut>> {
    let reason = q.reason.as_deref().unwrap_or("");
    let (p, sensitive) = crate::people::view_person(&state, &user, id, Some(reason)).await?;
    if !sensitive {
        return Err(AppError::invalid("reason", "Give the reason you need to see them").into());
    }
    Ok(Json(PersonalNumbersOut { staff_number: p.staff_number.clone(), personal_phones: p.personal_phones }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub email: String,
    /// officer, staff or volunteer
    pub kind: String,
    pub business_area: String,
    pub line_manager: Option<String>,
    pub roles: Vec<String>,
    /// active or leaver
    pub status: String,
    pub head_of_department: bool,
}

impl From<&s::Person> for PersonOut {
    fn from(p: &s::Person) -> Self {
        Self {
            id: p.id,
            staff_number: p.staff_number.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            kind: p.kind.as_str().into(),
            business_area: p.business_area.clone(),
            line_manager: p.line_manager_staff_number.clone(),
            roles: p.roles.iter().map(|r| r.as_str().to_string()).collect(),
            status: p.status.as_str().into(),
            head_of_department: p.is_head_of_department,
        }
    }
}
crate::api::dto::page_type!(PersonPage, PersonOut);
