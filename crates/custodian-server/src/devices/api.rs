//! The devices API: the register, one device and its history, allocation and changes of status.

use crate::routing::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodian_authz::{Action, Resource};
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_store::DeviceFilter;
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
    Routes::new()
        .routes(routes!(list_devices, create_device))
        .routes(routes!(get_device))
        .routes(routes!(device_history))
        .routes(routes!(allocate))
        .routes(routes!(transition))
        .routes(routes!(correct_allocation))
        .routes(routes!(confirm_receipt))
        .routes(routes!(report_loss))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeviceQuery {
    /// Device status, e.g. allocated
    status: Option<String>,
    /// laptop, tablet, phone, radio or other
    #[serde(rename = "type")]
    #[param(rename = "type")]
    device_type: Option<String>,
    /// Search asset tag, serial, IMEI, phone number, make, model or holder
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
    /// Keyset cursor: the last asset tag of the previous page (its `next_after`). Faster than
    /// `page` for deep pages; when given, `page` is ignored.
    after: Option<String>,
}

/// The device register (WP034 1.2, 4.1).
#[utoipa::path(get, path = "/devices", tag = "devices", params(DeviceQuery), responses((status = 200, body = DevicePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DeviceQuery>,
) -> ApiResult<Json<DevicePage>> {
    state.require(&user, Action::DevicesList, &Resource::System)?;
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve();
    let f = DeviceFilter {
        status: parse_opt("status", &q.status, DeviceStatus::parse)?,
        device_type: parse_opt("type", &q.device_type, DeviceType::parse)?,
        q: q.q,
        holder_id: None,
    };
    let after = q.after.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_ascii_uppercase);
    let p = state.store().devices_after(&f, after.as_deref(), page, per_page).await?;
    let next_after = if p.items.len() as i64 == per_page { p.items.last().map(|d| d.asset_tag.clone()) } else { None };
    Ok(Json(DevicePage {
        items: p.items.iter().map(DeviceOut::from).collect(),
        total: p.total,
        page,
        per_page,
        next_after,
    }))
}

/// Register a device (WP034 1.2). It starts in stock.
#[utoipa::path(post, path = "/devices", tag = "devices", request_body = DeviceIn, responses((status = 201, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_device(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    JsonIn(d): JsonIn<DeviceIn>,
) -> ApiResult<(StatusCode, Json<DeviceOut>)> {
    state.require(&user, Action::DevicesCreate, &Resource::System)?;
    let row = crate::forms::device_row(
        &d.asset_tag,
        &d.device_type,
        &d.make,
        &d.model,
        d.serial.as_deref(),
        d.imei.as_deref(),
        d.phone_number.as_deref(),
        d.os.as_deref(),
    )?;
    let dev = state.store().create_device(&row, user.actor.at(state.now())).await?;
    Ok((StatusCode::CREATED, Json(DeviceOut::from(&dev))))
}

/// One device.
#[utoipa::path(get, path = "/devices/{id}", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_device(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DeviceOut>> {
    let d = crate::devices::view_device(&state, &user, id).await?;
    let mut out = DeviceOut::from(&d);
    out.mdm_state = state.store().device_mdm(d.id).await?.as_ref().map(MdmStateOut::from);
    Ok(Json(out))
}

/// A device's full history: allocations, returns, losses, repairs, examinations.
#[utoipa::path(get, path = "/devices/{id}/history", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = [DeviceEventOut]), (status = 403, body = Problem)))]
async fn device_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<DeviceEventOut>>> {
    crate::devices::view_device(&state, &user, id).await?;
    Ok(Json(state.store().device_history(id).await?.iter().map(DeviceEventOut::from).collect()))
}

/// Allocate a device to one named person (WP034 4.1).
#[utoipa::path(post, path = "/devices/{id}/allocate", tag = "devices", params(("id" = Uuid, Path)), request_body = AllocateIn, responses((status = 200, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn allocate(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<AllocateIn>,
) -> ApiResult<Json<DeviceOut>> {
    Ok(Json(DeviceOut::from(&crate::devices::allocate(&state, &user, id, &b.staff_number, &b.reason).await?)))
}

/// Correct the start and/or end of one of the device's allocations, with a reason (Digital
/// Services, WP034 4.1). Overlaps with the device's other allocations, and dates in the future,
/// are refused naming the field. The device's stored usage over the changed period is then
/// attributed again (WP034 4.1, 4.2): findings whose records now belong to someone else are
/// closed as `reattributed`, and the rules are applied for the new holder.
#[utoipa::path(post, path = "/devices/{id}/allocations/{allocation}/correct", tag = "devices", params(("id" = Uuid, Path), ("allocation" = Uuid, Path)), request_body = CorrectAllocationIn, responses((status = 200, body = CorrectAllocationOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn correct_allocation(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path((id, allocation)): Path<(Uuid, Uuid)>,
    JsonIn(b): JsonIn<CorrectAllocationIn>,
) -> ApiResult<Json<CorrectAllocationOut>> {
    let (d, r) = crate::devices::correct_allocation(
        &state,
        &user,
        id,
        allocation,
        b.allocated_at.as_deref(),
        b.ended_at.as_deref(),
        &b.reason,
    )
    .await?;
    Ok(Json(CorrectAllocationOut { device: DeviceOut::from(&d), reattribution: r.into() }))
}

/// Record a return, loss, theft, damage, repair, examination or retirement (WP034 4.7, 5.4).
#[utoipa::path(post, path = "/devices/{id}/transition", tag = "devices", params(("id" = Uuid, Path)), request_body = TransitionIn, responses((status = 200, body = DeviceOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<TransitionIn>,
) -> ApiResult<Json<DeviceOut>> {
    Ok(Json(DeviceOut::from(&crate::devices::transition(&state, &user, id, &b.status, &b.reason).await?)))
}

/// The holder confirms receipt and accepts responsibility (WP034 4.1, 4.7).
#[utoipa::path(post, path = "/devices/{id}/confirm-receipt", tag = "devices", params(("id" = Uuid, Path)), responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn confirm_receipt(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DeviceOut>> {
    Ok(Json(DeviceOut::from(&crate::devices::confirm_receipt(&state, &user, id).await?)))
}

/// The holder reports the device lost or stolen; Digital Services are alerted (WP034 4.7).
#[utoipa::path(post, path = "/devices/{id}/report-loss", tag = "devices", params(("id" = Uuid, Path)), request_body = ReportLossIn, responses((status = 200, body = DeviceOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report_loss(
    State(state): State<AppState>,
    CsrfHeader(user): CsrfHeader,
    Path(id): Path<Uuid>,
    JsonIn(b): JsonIn<ReportLossIn>,
) -> ApiResult<Json<DeviceOut>> {
    Ok(Json(DeviceOut::from(&crate::devices::report_loss(&state, &user, id, b.stolen, &b.circumstances).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceOut {
    pub id: Uuid,
    pub asset_tag: String,
    /// laptop, tablet, phone, radio or other
    #[serde(rename = "type")]
    pub device_type: String,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    /// E.164
    pub phone_number: Option<String>,
    pub os: Option<String>,
    pub mdm_id: Option<String>,
    /// in_stock, allocated, returned, lost, stolen, damaged, in_repair, in_examination, retired
    pub status: String,
    /// Staff number of the holder (WP034 4.1), when allocated.
    pub holder: Option<String>,
    pub holder_name: Option<String>,
    /// RFC 3339; when the holder confirmed receipt.
    pub receipt_confirmed_at: Option<String>,
    pub updated_at: String,
    /// The latest state the device's MDM reported (WP034 4.7); on `GET /devices/{id}` only,
    /// and only once an Intune or Android Management API export has matched the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mdm_state: Option<MdmStateOut>,
}

/// The latest MDM state of a device, as the last export that changed it reported it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MdmStateOut {
    /// intune or amapi
    pub source: String,
    /// The MDM's id for the device (Intune device id, AMAPI resource name).
    pub mdm_ref: String,
    /// Intune complianceState; for AMAPI compliant or noncompliant.
    pub compliance: Option<String>,
    /// Jailbroken or rooted, as Intune reports it; null when unknown.
    pub jailbroken: Option<bool>,
    pub encrypted: Option<bool>,
    /// Intune managementState, AMAPI state.
    pub management_state: Option<String>,
    /// AMAPI securityPosture.devicePosture.
    pub posture: Option<String>,
    /// AMAPI nonComplianceDetails ("setting: reason").
    pub noncompliance: Vec<String>,
    /// RFC 3339; the device's last check-in with the MDM.
    pub last_sync: Option<String>,
    /// RFC 3339; when Custodian first recorded this state.
    pub as_of: String,
    /// SHA-256 of the export that reported it.
    pub file_sha256: String,
}

impl From<&s::DeviceMdm> for MdmStateOut {
    fn from(m: &s::DeviceMdm) -> Self {
        Self {
            source: m.source.as_str().into(),
            mdm_ref: m.mdm_ref.clone(),
            compliance: m.compliance.clone(),
            jailbroken: m.jailbroken,
            encrypted: m.encrypted,
            management_state: m.management_state.clone(),
            posture: m.posture.clone(),
            noncompliance: m.noncompliance.clone(),
            last_sync: m.last_sync.map(ts),
            as_of: ts(m.as_of),
            file_sha256: m.file_sha256.clone(),
        }
    }
}

impl From<&s::Device> for DeviceOut {
    fn from(d: &s::Device) -> Self {
        Self {
            id: d.id,
            asset_tag: d.asset_tag.clone(),
            device_type: d.device_type.as_str().into(),
            make: d.make.clone(),
            model: d.model.clone(),
            serial: d.serial.clone(),
            imei: d.imei.clone(),
            phone_number: d.phone_number.clone(),
            os: d.os.clone(),
            mdm_id: d.mdm_id.clone(),
            status: d.status.as_str().into(),
            holder: d.holder_staff_number.clone(),
            holder_name: d.holder_name.clone(),
            receipt_confirmed_at: d.receipt_confirmed_at.map(ts),
            updated_at: ts(d.updated_at),
            mdm_state: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceEventOut {
    pub at: String,
    pub actor: String,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub person: Option<String>,
    pub reason: String,
    /// The WP034 clause the step rests on.
    pub clause: String,
}

impl From<&s::DeviceEvent> for DeviceEventOut {
    fn from(e: &s::DeviceEvent) -> Self {
        Self {
            at: ts(e.at),
            actor: e.actor.clone(),
            event: e.event.clone(),
            from_status: e.from_status.clone(),
            to_status: e.to_status.clone(),
            person: e.person_staff_number.clone(),
            reason: e.reason.clone(),
            clause: e.clause.clone(),
        }
    }
}

/// A page of devices. Pass `next_after` back as `after` for the next page (keyset paging);
/// `page` numbers work too.
#[derive(Debug, Serialize, ToSchema)]
pub struct DevicePage {
    pub items: Vec<DeviceOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The last asset tag on this page when the page is full (there may be more), else null.
    pub next_after: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AllocateIn {
    /// Staff number of the person who will hold the device.
    pub staff_number: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CorrectAllocationIn {
    /// The corrected start: RFC 3339, or a date taken as 00:00 Europe/London. Omit to keep it.
    pub allocated_at: Option<String>,
    /// The corrected end of an ended allocation (same forms). Omit to keep it.
    pub ended_at: Option<String>,
    /// Why the recorded dates were wrong (audited, WP034 4.1).
    pub reason: String,
}

/// The device after a correction, and what the re-attribution of its usage changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectAllocationOut {
    pub device: DeviceOut,
    pub reattribution: crate::imports::api::ReattributionOut,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionIn {
    /// returned, lost, stolen, damaged, in_repair, in_examination, in_stock or retired
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportLossIn {
    pub stolen: bool,
    pub circumstances: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceIn {
    pub asset_tag: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub make: String,
    pub model: String,
    pub serial: Option<String>,
    pub imei: Option<String>,
    pub phone_number: Option<String>,
    pub os: Option<String>,
}
