//! Overseas use (WP034 4.2) in the server: the use cases behind the "Overseas use" pages and
//! their API. Streaming exceptions and usage imports are in [`crate::usage`].
//!
//! * A person requests overseas use of devices they hold; the request goes on the approval chain
//!   to their line manager (fixed now), Digital Services and the Force Vetting Unit, who decide it
//!   in any order through the approvals pages and API. The window becomes approved only when all
//!   three approve (see `custodian_store::overseas`).
//! * Who sees which windows: the person their own, a line manager the requests they decide,
//!   Digital Services and the Force Vetting Unit every one (`overseas.windows.view`). Digital
//!   Services export the approved ones for the MDM.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::approvals::RequestStatus;
use custodian_store::approvals::ApprovalRequest;
use custodian_store::overseas::{NewOverseasRequest, OverseasFilter, OverseasItem, valid_country};
use time::Date;
use uuid::Uuid;

use crate::approvals::RequestView;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// What a person fills in to request overseas use.
#[derive(Debug, Clone, Default)]
pub struct RequestForm {
    /// Asset tags of devices the person holds.
    pub devices: Vec<String>,
    /// ISO 3166-1 alpha-2 codes (any case, separated by commas or spaces).
    pub countries: Vec<String>,
    pub from: String,
    pub to: String,
    pub purpose: String,
}

pub(crate) fn parse_day(field: &str, v: &str) -> Result<Date, AppError> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(v.trim(), f).map_err(|_| AppError::invalid(field, "Enter a date like 2026-06-03"))
}

/// Countries from form input: split on commas and spaces, upper-cased, each two letters.
pub fn parse_countries(input: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for c in input.iter().flat_map(|s| s.split([',', ' ', ';'])).map(str::trim).filter(|s| !s.is_empty()) {
        let c = c.to_ascii_uppercase();
        if !valid_country(&c) {
            return Err(AppError::invalid(
                "countries",
                format!("{c:?} is not an ISO 3166-1 alpha-2 code (two letters, such as FR)"),
            ));
        }
        if c == "GB" {
            return Err(AppError::invalid("countries", "GB is home: name the countries you will travel to"));
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid("countries", "Enter at least one country code, such as FR"));
    }
    Ok(out)
}

/// Request overseas use: validates the form, then the store opens the window and its approval
/// request in one transaction. Returns (window id, approval request id).
pub async fn request(state: &AppState, user: &CurrentUser, f: &RequestForm) -> Result<(Uuid, Uuid), AppError> {
    state.require(user, Action::OverseasRequest, &Resource::System)?;
    let tags: Vec<&str> = f.devices.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if tags.is_empty() {
        return Err(AppError::invalid("devices", "Choose at least one device you hold"));
    }
    let held = state
        .store()
        .devices(&custodian_store::DeviceFilter { holder_id: Some(user.id()), ..Default::default() }, 1, 500)
        .await?
        .items;
    let mut devices = Vec::with_capacity(tags.len());
    for t in tags {
        let d = held
            .iter()
            .find(|d| d.asset_tag.eq_ignore_ascii_case(t))
            .ok_or_else(|| AppError::invalid("devices", format!("{t} is not a device allocated to you")))?;
        if !devices.contains(&d.id) {
            devices.push(d.id);
        }
    }
    let countries = parse_countries(&f.countries)?;
    let from = parse_day("from", &f.from)?;
    let to = parse_day("to", &f.to)?;
    crate::forms::check_date("from", from, state.now().date())?;
    crate::forms::check_date("to", to, state.now().date())?;
    if to < from {
        return Err(AppError::invalid("to", "The last day must be on or after the first day"));
    }
    if to < state.now().date() {
        return Err(AppError::invalid("to", "The window has already ended"));
    }
    let purpose = f.purpose.trim();
    if purpose.is_empty() {
        return Err(AppError::invalid("purpose", "Say why you need the device overseas"));
    }
    let r = NewOverseasRequest { person: user.id(), devices, countries, from, to, purpose: purpose.to_string() };
    Ok(state.store().overseas_request(&r, user.actor.at(state.now())).await?)
}

/// The user's own requests and windows, newest first.
pub async fn mine(state: &AppState, user: &CurrentUser) -> Result<Vec<OverseasItem>, AppError> {
    state.require(user, Action::OverseasRequest, &Resource::System)?;
    Ok(state.store().overseas_list(&OverseasFilter { person: Some(user.id()), ..Default::default() }).await?)
}

/// The windows the user may see besides their own: every window for Digital Services and the
/// Force Vetting Unit, the requests they decide as line manager for anyone else.
pub async fn windows(
    state: &AppState,
    user: &CurrentUser,
    status: Option<&str>,
) -> Result<Vec<OverseasItem>, AppError> {
    state.require(user, Action::OverseasRequest, &Resource::System)?;
    if let Some(s) = status
        && !["requested", "approved", "rejected", "withdrawn"].contains(&s)
    {
        return Err(AppError::invalid("status", "Choose requested, approved, rejected or withdrawn"));
    }
    let status = status.map(str::to_string);
    if state.allows(user, Action::OverseasWindowsView, &Resource::System) {
        return Ok(state.store().overseas_list(&OverseasFilter { status, ..Default::default() }).await?);
    }
    let mut out = state
        .store()
        .overseas_list(&OverseasFilter { line_manager: Some(user.id()), status: status.clone(), ..Default::default() })
        .await?;
    let own =
        state.store().overseas_list(&OverseasFilter { person: Some(user.id()), status, ..Default::default() }).await?;
    for w in own {
        if !out.iter().any(|o| o.id == w.id) {
            out.push(w);
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// One window with its approval request and timeline (when the viewer may see them).
pub struct WindowView {
    pub item: OverseasItem,
    pub approval: Option<RequestView>,
}

/// An overseas-use window, for one who may request overseas use (WP034 4.2); who may see this
/// one is for the caller to check.
async fn requested_item(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<OverseasItem, AppError> {
    state.require(user, Action::OverseasRequest, &Resource::System)?;
    state.store().overseas_item(id).await?.ok_or_else(|| AppError::NotFound(format!("No overseas-use window {id}.")))
}

pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<WindowView, AppError> {
    let item = requested_item(state, user, id).await?;
    let may = item.person_id == user.id()
        || item.line_manager_id == Some(user.id())
        || state.allows(user, Action::OverseasWindowsView, &Resource::System);
    if !may {
        return Err(AppError::Forbidden(
            "Only the person, their line manager, Digital Services and the Force Vetting Unit see an overseas-use window."
                .into(),
        ));
    }
    let approval = match item.approval_id() {
        Some(a) => match crate::approvals::view(state, user, a).await {
            Ok(v) => Some(v),
            Err(AppError::Forbidden(_) | AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    Ok(WindowView { item, approval })
}

/// The requester withdraws their overseas request (the chain's withdrawal; the window follows).
pub async fn withdraw(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<ApprovalRequest, AppError> {
    let item = requested_item(state, user, id).await?;
    if item.person_id != user.id() {
        return Err(AppError::Forbidden("Only the requester can withdraw an overseas request.".into()));
    }
    let a = item.approval_id().ok_or_else(|| {
        AppError::Conflict(
            "This window was recorded by an administrator, not requested: there is nothing to withdraw.".into(),
        )
    })?;
    let r = crate::approvals::withdraw(state, user, a).await?;
    if r.status != RequestStatus::Withdrawn {
        return Err(AppError::Conflict("The request could not be withdrawn.".into()));
    }
    Ok(r)
}

/// One line of the MDM export: a device, its MDM id, the holder and the approved window.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportRow {
    pub device: String,
    pub mdm_id: Option<String>,
    pub staff_number: String,
    pub countries: Vec<String>,
    pub from: String,
    pub to: String,
}

/// The approved windows for the MDM, as `custodian overseas export` writes them: one line per
/// device (a window naming no devices covers every device the person holds now).
pub async fn export(state: &AppState, user: &CurrentUser) -> Result<Vec<ExportRow>, AppError> {
    state.require(user, Action::OverseasExport, &Resource::System)?;
    let windows = state.store().overseas_windows(Some("approved")).await?;
    let register = state.store().usage_register().await?;
    let mut out = Vec::new();
    for o in &windows {
        for d in register.devices.iter().filter(|d| {
            if o.window.devices.is_empty() {
                d.holdings.iter().any(|h| h.person == o.window.person && h.to_us.is_none())
            } else {
                o.window.devices.contains(&d.id)
            }
        }) {
            out.push(ExportRow {
                device: d.asset_tag.clone(),
                mdm_id: d.mdm_id.clone(),
                staff_number: o.staff_number.clone(),
                countries: o.window.countries.clone(),
                from: o.window.from.to_string(),
                to: o.window.to.to_string(),
            });
        }
    }
    Ok(out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The export as CSV: `device,mdm_id,staff_number,countries,from,to` (countries joined by `;`).
/// The approved windows as a CSV download (`overseas-windows.csv`), for the API and the page.
pub async fn export_download(state: &AppState, user: &CurrentUser) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let rows = export(state, user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"overseas-windows.csv\""),
        ],
        export_csv(&rows),
    )
        .into_response())
}

pub fn export_csv(rows: &[ExportRow]) -> String {
    let mut s = String::from("device,mdm_id,staff_number,countries,from,to\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&r.device),
            csv_field(r.mdm_id.as_deref().unwrap_or("")),
            csv_field(&r.staff_number),
            csv_field(&r.countries.join(";")),
            r.from,
            r.to
        ));
    }
    s
}
