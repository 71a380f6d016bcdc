//! The device pages: the register, one device and its history, and "My devices".

use crate::routing::{Routes, get, post};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_store::{Device, DeviceEvent, DeviceFilter, FindingFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::findings::ui::{FindingRowView, finding_row};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::date_input::{DateField, Parts, When, parse_moment};
use crate::web::{Choice, ClauseView, Layout, clause_view, fmt_time, is_htmx, layout, page, percent, render};
pub fn routes() -> Routes {
    Routes::new()
        .route("/my-devices", get(my_devices))
        .route("/my-devices/{id}/confirm", post(confirm_receipt))
        .route("/my-devices/{id}/report-loss", post(report_loss))
        .route("/devices", get(devices).post(create_device))
        .route("/devices/new", get(new_device))
        .route("/devices/{id}", get(device))
        .route("/devices/{id}/allocate", post(allocate))
        .route("/devices/{id}/transition", post(transition))
        .route("/devices/{id}/allocations/{allocation}/correct", post(correct_allocation))
}

// ----- My devices ----------------------------------------------------------------------------

pub(crate) struct DeviceRowView {
    pub(crate) id: Uuid,
    pub(crate) asset_tag: String,
    pub(crate) kind: String,
    pub(crate) make_model: String,
    pub(crate) identifier: String,
    pub(crate) status: String,
    pub(crate) status_class: String,
    pub(crate) holder: String,
    pub(crate) awaiting_receipt: bool,
}

pub(crate) fn status_class(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Allocated => "govuk-tag--green",
        DeviceStatus::InStock | DeviceStatus::Returned => "govuk-tag--grey",
        DeviceStatus::Lost | DeviceStatus::Stolen => "govuk-tag--red",
        DeviceStatus::Damaged | DeviceStatus::InRepair => "govuk-tag--orange",
        DeviceStatus::InExamination => "govuk-tag--purple",
        DeviceStatus::Retired => "govuk-tag--grey",
    }
}

pub(crate) fn device_row(d: &Device) -> DeviceRowView {
    DeviceRowView {
        id: d.id,
        asset_tag: d.asset_tag.clone(),
        kind: d.device_type.as_str().to_string(),
        make_model: format!("{} {}", d.make, d.model),
        identifier: d.phone_number.clone().or_else(|| d.imei.clone()).or_else(|| d.serial.clone()).unwrap_or_default(),
        status: d.status.label().to_string(),
        status_class: status_class(d.status).to_string(),
        holder: match (&d.holder_name, &d.holder_staff_number) {
            (Some(n), Some(s)) => format!("{n} ({s})"),
            _ => String::new(),
        },
        awaiting_receipt: d.status == DeviceStatus::Allocated && d.receipt_confirmed_at.is_none(),
    }
}

#[derive(Template)]
#[template(path = "devices/my_devices.html")]
pub(crate) struct MyDevicesPage {
    pub(crate) layout: Layout,
    pub(crate) devices: Vec<DeviceRowView>,
    pub(crate) c41: ClauseView,
    pub(crate) c47: ClauseView,
    pub(crate) message: Option<String>,
}
page!(MyDevicesPage);

#[derive(Deserialize, Default)]
pub struct Flash {
    pub(crate) done: Option<String>,
}

pub async fn my_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(flash): Query<Flash>,
) -> UiResult<Response> {
    state.require(&user, Action::MyDevicesView, &Resource::System)?;
    let mine =
        state.store().devices(&DeviceFilter { holder_id: Some(user.id()), ..DeviceFilter::default() }, 1, 200).await?;
    let message = match flash.done.as_deref() {
        Some("confirmed") => Some("Receipt confirmed. You are now responsible for this device's use and care.".into()),
        Some("reported") => Some("Report received. Digital Services have been alerted.".into()),
        _ => None,
    };
    Ok(render(&MyDevicesPage {
        layout: layout(&state, Some(&user), "My devices", "/my-devices"),
        devices: mine.items.iter().map(device_row).collect(),
        c41: clause_view("4.1"),
        c47: clause_view("4.7"),
        message,
    }))
}

pub async fn confirm_receipt(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    _: CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    crate::devices::confirm_receipt(&state, &user, id).await?;
    Ok(Redirect::to("/my-devices?done=confirmed").into_response())
}

#[derive(Deserialize)]
pub struct LossForm {
    pub(crate) what: String,
    pub(crate) circumstances: String,
}

pub async fn report_loss(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<LossForm>,
) -> UiResult<Response> {
    let stolen = match f.what.as_str() {
        "stolen" => true,
        "lost" => false,
        _ => return Err(AppError::invalid("what", "Choose lost or stolen").into()),
    };
    crate::devices::report_loss(&state, &user, id, stolen, &f.circumstances).await?;
    Ok(Redirect::to("/my-devices?done=reported").into_response())
}

// ----- Devices -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct DeviceListQuery {
    pub(crate) q: Option<String>,
    pub(crate) status: Option<String>,
    #[serde(rename = "type")]
    pub(crate) device_type: Option<String>,
    pub(crate) page: Option<i64>,
}

#[derive(Template)]
#[template(path = "devices/devices.html")]
pub(crate) struct DevicesPage {
    pub(crate) layout: Layout,
    pub(crate) q: String,
    pub(crate) statuses: Vec<Choice>,
    pub(crate) types: Vec<Choice>,
    pub(crate) table: DevicesTable,
    pub(crate) can_create: bool,
}
page!(DevicesPage);

#[derive(Template)]
#[template(path = "devices/devices_table.html")]
pub(crate) struct DevicesTable {
    pub(crate) rows: Vec<DeviceRowView>,
    pub(crate) total: i64,
    pub(crate) page: i64,
    pub(crate) pages: i64,
    pub(crate) prev_href: Option<String>,
    pub(crate) next_href: Option<String>,
}

pub(crate) fn page_href(q: &DeviceListQuery, page: i64) -> String {
    let enc = |s: &Option<String>| s.as_deref().map(percent).unwrap_or_default();
    format!("/devices?q={}&status={}&type={}&page={page}", enc(&q.q), enc(&q.status), enc(&q.device_type))
}

pub async fn devices(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Query(q): Query<DeviceListQuery>,
) -> UiResult<Response> {
    state.require(&user, Action::DevicesList, &Resource::System)?;
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| DeviceStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Choose a status from the list")))
        .transpose()?;
    let dtype = q
        .device_type
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| DeviceType::parse(s).ok_or_else(|| AppError::invalid("type", "Choose a type from the list")))
        .transpose()?;
    let page = q.page.unwrap_or(1).max(1);
    let f = DeviceFilter { status, device_type: dtype, q: q.q.clone(), holder_id: None };
    let p = state.store().devices(&f, page, 50).await?;
    let pages = p.pages();
    let table = DevicesTable {
        rows: p.items.iter().map(device_row).collect(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| page_href(&q, page - 1)),
        next_href: (page < pages).then(|| page_href(&q, page + 1)),
    };
    if is_htmx(&headers) {
        return Ok(render(&table));
    }
    Ok(render(&DevicesPage {
        layout: layout(&state, Some(&user), "Devices", "/devices"),
        q: q.q.clone().unwrap_or_default(),
        statuses: DeviceStatus::ALL
            .iter()
            .map(|s| Choice { value: s.as_str().into(), label: s.label().into(), selected: Some(*s) == status })
            .collect(),
        types: DeviceType::ALL
            .iter()
            .map(|t| Choice { value: t.as_str().into(), label: t.as_str().into(), selected: Some(*t) == dtype })
            .collect(),
        table,
        can_create: state.allows(&user, Action::DevicesCreate, &Resource::System),
    }))
}

#[derive(Template)]
#[template(path = "devices/device_new.html")]
pub(crate) struct NewDevicePage {
    pub(crate) layout: Layout,
    pub(crate) errors: Vec<FieldProblem>,
    pub(crate) form: NewDeviceForm,
    pub(crate) types: Vec<Choice>,
    pub(crate) c12: ClauseView,
}
page!(NewDevicePage);

pub(crate) fn type_choices(selected: &str) -> Vec<Choice> {
    DeviceType::ALL
        .iter()
        .map(|t| Choice { value: t.as_str().into(), label: t.as_str().into(), selected: t.as_str() == selected })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct NewDeviceForm {
    pub(crate) asset_tag: String,
    #[serde(rename = "type")]
    pub(crate) device_type: String,
    pub(crate) make: String,
    pub(crate) model: String,
    pub(crate) serial: String,
    pub(crate) imei: String,
    pub(crate) phone_number: String,
    pub(crate) os: String,
}

pub async fn new_device(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::DevicesCreate, &Resource::System)?;
    Ok(render(&NewDevicePage {
        layout: layout(&state, Some(&user), "Register a device", "/devices"),
        errors: vec![],
        form: NewDeviceForm::default(),
        types: type_choices("phone"),
        c12: clause_view("1.2"),
    }))
}

pub async fn create_device(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<NewDeviceForm>,
) -> UiResult<Response> {
    state.require(&user, Action::DevicesCreate, &Resource::System)?;
    let row = crate::forms::device_row(
        &f.asset_tag,
        &f.device_type,
        &f.make,
        &f.model,
        Some(&f.serial),
        Some(&f.imei),
        Some(&f.phone_number),
        Some(&f.os),
    );
    let result = match row {
        Ok(row) => state.store().create_device(&row, user.actor.at(state.now())).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/devices/{}", d.id)).into_response()),
        // Shown here to a client without a `Referer`; a browser is sent back to /devices/new
        // with the problems and what was typed (`web::form_errors`).
        Err(e) => {
            let (status, errors) = match e {
                AppError::Invalid { errors, .. } => (StatusCode::UNPROCESSABLE_ENTITY, errors),
                AppError::Conflict(m) => (
                    StatusCode::CONFLICT,
                    vec![FieldProblem { field: Some("asset_tag".into()), line: None, message: m }],
                ),
                e => return Err(e.into()),
            };
            let mut res = render(&NewDevicePage {
                layout: layout(&state, Some(&user), "Register a device", "/devices"),
                errors: errors.clone(),
                types: type_choices(&f.device_type),
                form: f,
                c12: clause_view("1.2"),
            });
            *res.status_mut() = status;
            Ok(crate::web::form_errors::refused(res, errors))
        }
    }
}

pub(crate) struct EventView {
    pub(crate) at: String,
    pub(crate) title: String,
    pub(crate) actor: String,
    pub(crate) reason: String,
    pub(crate) clause: String,
}

pub(crate) fn event_view(e: &DeviceEvent) -> EventView {
    let title = match (e.event.as_str(), &e.person_name) {
        ("allocated", Some(n)) => format!("Allocated to {n}"),
        ("receipt_confirmed", Some(n)) => format!("Receipt confirmed by {n}"),
        ("registered", _) => "Registered".into(),
        (other, _) => {
            DeviceStatus::parse(other).map(|s| s.label().to_string()).unwrap_or_else(|| other.replace('_', " "))
        }
    };
    EventView { at: fmt_time(e.at), title, actor: e.actor.clone(), reason: e.reason.clone(), clause: e.clause.clone() }
}

/// The most people a device page offers in its list to choose from (a native datalist, which
/// works without JavaScript); a larger force types a name or staff number.
const PEOPLE_CHOICES: i64 = 2000;

#[derive(Template)]
#[template(path = "devices/device.html")]
pub(crate) struct DevicePage {
    pub(crate) layout: Layout,
    pub(crate) d: DeviceRowView,
    pub(crate) serial: String,
    pub(crate) imei: String,
    pub(crate) phone: String,
    pub(crate) os: String,
    pub(crate) mdm: String,
    /// The latest MDM state (WP034 4.7), as label/value rows; empty before any export matched.
    pub(crate) mdm_state: Vec<(String, String)>,
    pub(crate) receipt: String,
    pub(crate) events: Vec<EventView>,
    pub(crate) findings: Vec<FindingRowView>,
    pub(crate) can_allocate: bool,
    /// The active people to choose from when allocating, "Name (A1018)", for those who may list
    /// people; empty otherwise (the field still takes a name or staff number typed).
    pub(crate) people_choices: Vec<String>,
    pub(crate) can_transition: bool,
    pub(crate) transitions: Vec<Choice>,
    pub(crate) errors: Vec<FieldProblem>,
    pub(crate) c41: ClauseView,
    pub(crate) c47: ClauseView,
    /// The allocation history, newest first, and whether the user may correct its dates.
    pub(crate) allocations: Vec<AllocationView>,
    pub(crate) can_correct: bool,
    /// After a correction of an allocation's dates: the records it re-attributed.
    pub(crate) corrected: Option<u64>,
}
page!(DevicePage);

/// One allocation as the device page shows it, with its correction form's date inputs (ids
/// made unique by the allocation's id; a refused correction comes back through the one form
/// pattern, `web::form_errors`).
pub(crate) struct AllocationView {
    pub(crate) id: Uuid,
    pub(crate) holder: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) current: bool,
    pub(crate) from_field: DateField,
    pub(crate) to_field: DateField,
}

fn allocation_view(a: &custodian_store::Allocation) -> AllocationView {
    let field = |name: &str, legend: &str, t: Option<time::OffsetDateTime>| {
        let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let whole = t.and_then(|t| crate::web::display::london(t).format(&local).ok()).unwrap_or_default();
        DateField::moment(name, legend, "")
            .with_id(&format!("{name}-{}", a.id))
            .filled(&Parts { whole, ..Parts::default() }, &[])
    };
    AllocationView {
        id: a.id,
        holder: format!("{} ({})", a.person_name, a.staff_number),
        from: fmt_time(a.allocated_at),
        to: a.ended_at.map(fmt_time).unwrap_or_else(|| "now".into()),
        current: a.ended_at.is_none(),
        from_field: field("allocated_at", "From", Some(a.allocated_at)),
        to_field: field("ended_at", "To", a.ended_at),
    }
}

pub(crate) async fn device_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    device_page_with(state, user, id, errors, None).await
}

/// The device page, after a correction of an allocation's dates (`corrected`: the records it
/// re-attributed).
pub(crate) async fn device_page_with(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
    corrected: Option<u64>,
) -> Result<Response, AppError> {
    let d = crate::devices::view_device(state, user, id).await?;
    let events = state.store().device_history(id).await?;
    let findings = crate::findings::list_findings(
        state,
        user,
        FindingFilter { device_id: Some(id), ..FindingFilter::default() },
        1,
        50,
    )
    .await?;
    let res = device_resource_allows(state, user, &d);
    let transitions = d
        .status
        .next_states()
        .iter()
        .filter(|s| **s != DeviceStatus::Allocated)
        .map(|s| Choice { value: s.as_str().into(), label: s.label().into(), selected: false })
        .collect();
    let allocations: Vec<AllocationView> = state.store().allocations(id).await?.iter().map(allocation_view).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let can_allocate = res.0 && d.status.can_move_to(DeviceStatus::Allocated);
    let people_choices = if can_allocate && state.allows(user, Action::PeopleList, &Resource::System) {
        let active = custodian_store::PersonFilter {
            status: Some(custodian_domain::people::PersonStatus::Active),
            ..Default::default()
        };
        let page = state.store().people(&active, 1, PEOPLE_CHOICES).await?;
        if page.total <= PEOPLE_CHOICES {
            page.items.iter().map(|p| crate::web::display::person(&p.name, &p.staff_number)).collect()
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    let mut r = render(&DevicePage {
        layout: layout(state, Some(user), &format!("Device {}", d.asset_tag), "/devices"),
        people_choices,
        serial: d.serial.clone().unwrap_or_default(),
        imei: d.imei.clone().unwrap_or_default(),
        phone: d.phone_number.clone().unwrap_or_default(),
        os: d.os.clone().unwrap_or_default(),
        mdm: match (&d.mdm_id, &d.mdm_user) {
            (Some(id), Some(u)) => format!("{id} (signed in as {u})"),
            (Some(id), None) => id.clone(),
            _ => String::new(),
        },
        mdm_state: state.store().device_mdm(d.id).await?.as_ref().map(mdm_rows).unwrap_or_default(),
        receipt: d.receipt_confirmed_at.map(fmt_time).unwrap_or_default(),
        d: device_row(&d),
        events: {
            let actors = crate::web::display::actors_in_words(
                state,
                &events.iter().map(|e| e.actor.clone()).collect::<Vec<_>>(),
            )
            .await;
            events.iter().zip(actors).map(|(e, a)| EventView { actor: a, ..event_view(e) }).collect()
        },
        findings: findings.items.iter().map(finding_row).collect(),
        can_allocate,
        can_transition: res.1,
        transitions,
        errors,
        c41: clause_view("4.1"),
        c47: clause_view("4.7"),
        can_correct: state.allows(user, Action::DevicesCorrectAllocation, &crate::devices::device_resource(&d)),
        allocations,
        corrected,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// The rows of the device page's "Device management" list.
fn mdm_rows(m: &custodian_store::DeviceMdm) -> Vec<(String, String)> {
    let yes_no = |b: Option<bool>, yes: &str, no: &str| match b {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => "Not reported".to_string(),
    };
    let or_none = |s: &Option<String>| s.clone().unwrap_or_else(|| "Not reported".into());
    let mut rows = vec![
        ("Reported by".to_string(), format!("{} ({})", m.source.label(), m.mdm_ref)),
        ("Compliance".to_string(), or_none(&m.compliance)),
    ];
    if !m.noncompliance.is_empty() {
        rows.push(("Non-compliance".into(), m.noncompliance.join("; ")));
    }
    if m.posture.is_some() {
        rows.push(("Security posture".into(), or_none(&m.posture)));
    } else {
        rows.push(("Jailbroken or rooted".into(), yes_no(m.jailbroken, "Yes", "No")));
    }
    rows.push(("Encrypted".into(), yes_no(m.encrypted, "Yes", "No")));
    rows.push(("Management state".into(), or_none(&m.management_state)));
    rows.push(("Last check-in".into(), m.last_sync.map(fmt_time).unwrap_or_else(|| "Never".into())));
    rows.push(("As of".into(), fmt_time(m.as_of)));
    rows
}

pub(crate) fn device_resource_allows(state: &AppState, user: &CurrentUser, d: &Device) -> (bool, bool) {
    let r = crate::devices::device_resource(d);
    (state.allows(user, Action::DevicesAllocate, &r), state.allows(user, Action::DevicesTransition, &r))
}

#[derive(Deserialize)]
pub struct DeviceQuery {
    /// Set after a correction of an allocation's dates: the records it re-attributed.
    corrected: Option<u64>,
}

pub async fn device(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<DeviceQuery>,
) -> UiResult<Response> {
    Ok(device_page_with(&state, &user, id, vec![], q.corrected).await?)
}

#[derive(Deserialize)]
pub struct AllocateForm {
    pub(crate) staff_number: String,
    pub(crate) reason: String,
}

/// Re-show the page with the error beside the form when the input is at fault.
pub(crate) async fn or_show_errors(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    r: Result<Device, AppError>,
) -> UiResult<Response> {
    crate::web::form_errors::redirect_or_again(r.map(|_| format!("/devices/{id}")), |errors| {
        device_page(state, user, id, errors)
    })
    .await
}

pub async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AllocateForm>,
) -> UiResult<Response> {
    let r = crate::devices::allocate(&state, &user, id, &f.staff_number, &f.reason).await;
    or_show_errors(&state, &user, id, r).await
}

/// Digital Services correct an allocation's dates (WP034 4.1): `allocated_at` and `ended_at`
/// in the GOV.UK date input with a time on London's clocks (`allocated_at-day`, …,
/// `allocated_at-time`; or sent whole), either left empty to keep it, and the `reason`. The
/// device's usage is then attributed again, and the device page says how many records moved.
/// A refused correction comes back to the device page with its error summary (the one form
/// pattern), naming the box at fault.
pub async fn correct_allocation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, allocation)): Path<(Uuid, Uuid)>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    let now = state.now();
    let moment = |name: &str, label: &str| -> Result<Option<String>, AppError> {
        let sent = Parts::read(&f, name);
        if sent.is_empty() {
            return Ok(None);
        }
        let t = parse_moment(name, label, &sent, When::Any, now)?;
        Ok(Some(t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()))
    };
    let start = moment("allocated_at", "The start")?;
    let end = moment("ended_at", "The end")?;
    let reason = f.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.as_str()).unwrap_or("");
    let r = crate::devices::correct_allocation(&state, &user, id, allocation, start.as_deref(), end.as_deref(), reason)
        .await;
    match r {
        Ok((_, moved)) => {
            Ok(Redirect::to(&format!("/devices/{id}?corrected={}#allocations", moved.records_reattributed))
                .into_response())
        }
        Err(AppError::Invalid { mut errors, detail }) => {
            // The use case names the whole moment; the page's boxes are `…-day` and `…-time`.
            for p in &mut errors {
                if let Some(field) = p.field.as_mut().filter(|f| *f == "allocated_at" || *f == "ended_at") {
                    field.push_str("-day");
                }
            }
            Err(AppError::Invalid { errors, detail }.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TransitionForm {
    pub(crate) status: String,
    pub(crate) reason: String,
}

pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> UiResult<Response> {
    let r = crate::devices::transition(&state, &user, id, &f.status, &f.reason).await;
    or_show_errors(&state, &user, id, r).await
}
