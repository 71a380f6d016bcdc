//! The imports API: the people and device registers and Intune exports.

use crate::routing::Routes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use custodian_authz::{Action, Resource};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

use crate::api::csrf_header;
use crate::api::dto::*;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .routes(routes!(import_people))
        .routes(routes!(import_devices))
        .routes(routes!(import_intune))
        .routes(routes!(import_amapi))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// Import the valid rows and list the invalid ones, instead of rejecting the file.
    skip_invalid: Option<bool>,
    /// People import only: ignore role changes the caller may not make (only an administrator
    /// changes roles, and nobody their own) instead of rejecting their rows; they are listed
    /// in `ignored`.
    ignore_roles: Option<bool>,
    /// Intune and Android Management API only: import one page of a longer export (a Graph page
    /// with `@odata.nextLink`, a list response with `nextPageToken`) instead of refusing it.
    allow_partial: Option<bool>,
    /// Intune only: register the devices the register does not know (no match by Intune id,
    /// serial or IMEI) from the export's fields, allocated to the person whose e-mail is the
    /// `userPrincipalName` from `enrolledDateTime` (WP034 1.2, 4.1); their stored usage is then
    /// attributed again (`reattribution`). Without it they are listed in `unmatched`.
    register_new: Option<bool>,
}

/// What every import handler takes, extracted in the order the handlers once listed them: the
/// signed-in user, the headers (for the CSRF check, which [`import`] makes), the query and the
/// body.
struct ImportRequest {
    user: CurrentUser,
    headers: HeaderMap,
    query: ImportQuery,
    body: Bytes,
}

impl FromRequest<AppState> for ImportRequest {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let Query(query) =
            Query::<ImportQuery>::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let body =
            Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        Ok(Self { user, headers, query, body })
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    #[serde(flatten)]
    summary: ImportOut,
    skipped: Vec<crate::error::FieldProblem>,
    /// Changes not applied in rows that were otherwise imported (role changes under `ignore_roles`).
    ignored: Vec<crate::error::FieldProblem>,
    /// Device imports with `allocated_from`, and Intune imports with `register_new` that
    /// allocated devices: the stored usage attributed again by the new allocation history
    /// (WP034 4.1, 4.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    reattribution: Option<ReattributionOut>,
}

/// What a re-attribution of stored usage changed (WP034 4.1, 4.2).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReattributionOut {
    /// Records read in the devices and period.
    pub records_examined: u64,
    /// Records whose holder changed.
    pub records_reattributed: u64,
    /// Open findings closed with the outcome `reattributed`.
    pub findings_closed: u64,
    /// Open findings that lost some of their records to another holder.
    pub findings_trimmed: u64,
    /// Findings opened for the records' new holders (or as unattributed).
    pub findings_opened: u64,
    /// Open findings the records were added to.
    pub findings_updated: u64,
}

impl From<custodian_store::usage::Reattribution> for ReattributionOut {
    fn from(r: custodian_store::usage::Reattribution) -> Self {
        Self {
            records_examined: r.records_examined,
            records_reattributed: r.records_reattributed,
            findings_closed: r.findings_closed,
            findings_trimmed: r.findings_trimmed,
            findings_opened: r.findings_opened,
            findings_updated: r.findings_updated,
        }
    }
}

fn import_result(mut o: crate::imports::ImportOutcome) -> Json<ImportResult> {
    let ignored = std::mem::take(&mut o.summary.ignored);
    Json(ImportResult {
        summary: ImportOut::from(o.summary),
        skipped: o.skipped.into_iter().map(crate::error::FieldProblem::from).collect(),
        ignored: ignored.into_iter().map(crate::error::FieldProblem::from).collect(),
        reattribution: o.reattribution.map(ReattributionOut::from),
    })
}

/// Import people from an HR export (CSV body, columns
/// `staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones`).
/// Only an administrator changes roles, and nobody their own roles, line manager or status
/// (WP034 4.1): such rows are rejected with their line and field, or with `ignore_roles` the
/// role changes are ignored and listed.
#[utoipa::path(post, path = "/imports/people", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_people(State(state): State<AppState>, req: ImportRequest) -> ApiResult<Json<ImportResult>> {
    import(&state, req, super::RegisterImport::People).await
}

/// Import the device register (CSV body, columns
/// `asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to`, optionally followed
/// by `allocated_from`: an RFC 3339 date-time or a date taken as 00:00 Europe/London, when the
/// allocation started, WP034 4.1).
#[utoipa::path(post, path = "/imports/devices", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "text/csv", description = "A CSV file; rows the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_devices(State(state): State<AppState>, req: ImportRequest) -> ApiResult<Json<ImportResult>> {
    import(&state, req, super::RegisterImport::Devices).await
}

/// Apply a Microsoft Intune `managedDevices` export (a JSON array or a Graph page); raises
/// WP034 4.1 findings where the signed-in user is not the holder, and WP034 4.7 findings from each
/// device's integrity, compliance and check-ins (closed by a later export showing it healthy). A
/// page with `@odata.nextLink` is refused unless `allow_partial`; the parser's warnings are in
/// `warnings`. With `register_new`, devices the register does not know are registered (asset tag:
/// the `deviceName` when it is a valid, unused asset tag, else `INTUNE-` and the first 8 letters
/// and digits of the Intune id) and allocated to their primary user from `enrolledDateTime`; an
/// `enrolledDateTime` in the future, or the caller as primary user, rejects the device.
#[utoipa::path(post, path = "/imports/intune", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "application/json", description = "A JSON array of managedDevices, or a Graph page of them; entries the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_intune(State(state): State<AppState>, req: ImportRequest) -> ApiResult<Json<ImportResult>> {
    let kind = super::RegisterImport::Intune {
        allow_partial: req.query.allow_partial.unwrap_or(false),
        register_new: req.query.register_new.unwrap_or(false),
    };
    import(&state, req, kind).await
}

/// Apply an Android Management API export: an `enterprises.devices.list` response or a JSON
/// array of `Device` resources, matched by resource name, serial number or IMEI. Records each
/// device's MDM state and opens (or, when healthy again, closes) WP034 4.7 findings.
#[utoipa::path(post, path = "/imports/amapi", tag = "imports", params(ImportQuery), request_body(content = serde_json::Value, content_type = "application/json", description = "An enterprises.devices.list response or a JSON array of Device resources; entries the server cannot read are refused, or listed and skipped with skip_invalid."), responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
async fn import_amapi(State(state): State<AppState>, req: ImportRequest) -> ApiResult<Json<ImportResult>> {
    let kind = super::RegisterImport::Amapi { allow_partial: req.query.allow_partial.unwrap_or(false) };
    import(&state, req, kind).await
}

/// What every import here does: check the CSRF header, then (for the device register and
/// Intune) that the user may import devices, then import on the blocking pool. The people import
/// settles who may change what row by row ([`crate::imports::people_authority`]).
async fn import(state: &AppState, req: ImportRequest, kind: super::RegisterImport) -> ApiResult<Json<ImportResult>> {
    let ImportRequest { user, headers, query: q, body } = req;
    user.check_csrf(csrf_header(&headers))?;
    let ignore_roles = if matches!(kind, super::RegisterImport::People) {
        q.ignore_roles.unwrap_or(false)
    } else {
        state.require(&user, Action::DevicesImport, &Resource::System)?;
        false
    };
    let outcome =
        super::import_offloaded(state, &user, kind, body, q.skip_invalid.unwrap_or(false), ignore_roles).await?;
    Ok(import_result(outcome))
}
