//! The findings API: the findings a caller may see, one finding, and its review.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use custodian_domain::findings::FindingStatus;
use custodian_store::FindingFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::dto::ts;
use crate::api::dto::*;
use crate::api::{CsrfHeader, JsonIn, parse_opt};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use custodian_store as s;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Routes {
    Routes::new().routes(routes!(list_findings)).routes(routes!(get_finding)).routes(routes!(review_finding))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FindingQuery {
    /// open, under_review or closed
    status: Option<String>,
    rule: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// Findings the caller may see (WP034 4.10).
#[utoipa::path(get, path = "/findings", tag = "findings", params(FindingQuery), responses((status = 200, body = FindingPage)))]
async fn list_findings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindingQuery>,
) -> ApiResult<Json<FindingPage>> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = FindingFilter {
        status: parse_opt("status", &q.status, FindingStatus::parse)?,
        rule: q.rule.filter(|r| !r.is_empty()),
        ..FindingFilter::default()
    };
    let p = crate::findings::list_findings(&state, &user, f, page, per_page).await?;
    Ok(Json(FindingPage { items: p.items.iter().map(FindingOut::from).collect(), total: p.total, page, per_page }))
}

/// One finding, with its clause's words. The view is logged.
#[utoipa::path(get, path = "/findings/{id}", tag = "findings", params(("id" = Uuid, Path)), responses((status = 200, body = FindingOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_finding(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FindingOut>> {
    Ok(Json(FindingOut::from(&crate::findings::view_finding(&state, &user, id).await?)))
}

/// Review a finding: take it under review, or close it with an outcome and reasons (WP034 4.10).
#[utoipa::path(post, path = "/findings/{id}/review", tag = "findings", params(("id" = Uuid, Path)), request_body = ReviewIn, responses((status = 200, body = FindingOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_finding(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReviewIn>,
) -> ApiResult<Json<FindingOut>> {
    Ok(Json(FindingOut::from(
        &crate::findings::review(
            &state,
            &user,
            id,
            crate::findings::Review {
                status: &b.status,
                outcome: b.outcome.as_deref(),
                reasons: b.reasons.as_deref(),
                considerations: &b.considerations,
            },
        )
        .await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    pub id: Uuid,
    pub rule: String,
    /// The WP034 clause the finding rests on, and its words.
    pub clause: String,
    pub clause_text: String,
    pub person: Option<String>,
    pub device: Option<String>,
    pub summary: String,
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub records: Vec<String>,
    pub severity: String,
    pub status: String,
    pub outcome: Option<String>,
    pub reasons: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

impl From<&s::Finding> for FindingOut {
    fn from(f: &s::Finding) -> Self {
        Self {
            id: f.id,
            rule: f.rule.clone(),
            clause: f.clause.clone(),
            clause_text: custodian_domain::policy::clause(&f.clause).map(|c| c.text().into_owned()).unwrap_or_default(),
            person: f.person_staff_number.clone(),
            device: f.device_asset_tag.clone(),
            summary: f.summary.clone(),
            evidence: f.evidence.clone(),
            records: f.records.clone(),
            severity: f.severity.as_str().into(),
            status: f.status.as_str().into(),
            outcome: f.outcome.map(|o| o.as_str().to_string()),
            reasons: f.reasons.clone(),
            opened_at: ts(f.opened_at),
            closed_at: f.closed_at.map(ts),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewIn {
    /// under_review or closed
    pub status: String,
    /// no_action, advice_given, referred_to_psd or false_positive (to close)
    pub outcome: Option<String>,
    pub reasons: Option<String>,
    /// The considerations of WP034 4.10 the reviewer weighed: any of circumstances, frequency,
    /// code_of_ethics, public_appearance. Kept with the review and in the audit log.
    #[serde(default)]
    pub considerations: Vec<String>,
}
crate::api::dto::page_type!(FindingPage, FindingOut);
