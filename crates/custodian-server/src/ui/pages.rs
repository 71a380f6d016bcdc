//! Page handlers. Each one authorises through the same use cases as the API.

use std::net::SocketAddr;

use crate::forms::Form;
use askama::Template;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::findings::{FindingStatus, Outcome};
use custodian_domain::people::PersonStatus;
use custodian_store::{Device, DeviceEvent, DeviceFilter, Finding, FindingFilter, Person, PersonFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::{ClauseView, Layout, chart, clause_view, fmt_time, layout, page, render};
use crate::auth::{self, CurrentUser, MaybeUser};
use crate::error::{AppError, FieldProblem, UiResult};
use crate::state::AppState;
use crate::usecases as uc;

fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request")
}

// ----- Sign in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    /// The pre-session token the form posts back (see `auth::SIGNIN_COOKIE`).
    signin_token: String,
    email: String,
    error: Option<String>,
    c91: ClauseView,
}
page!(SignInPage);

/// The sign-in page with its pre-session cookie (the one the browser has, or a new one).
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = auth::signin_token(headers).unwrap_or_else(auth::random_token);
    let mut res = render(&SignInPage {
        layout: layout(state, None, "Sign in", "/sign-in"),
        signin_token: token.clone(),
        email: email.to_string(),
        error,
        c91: clause_view("9.1"),
    });
    *res.status_mut() = status;
    if let Ok(v) = header::HeaderValue::from_str(&auth::signin_cookie(&token, state.settings().secure_cookies)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn sign_in_form(State(state): State<AppState>, headers: HeaderMap, MaybeUser(user): MaybeUser) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    sign_in_page(&state, &headers, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    signin_token: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> UiResult<Response> {
    let email = f.email.trim().to_ascii_lowercase();
    let now = state.now();
    let address = addr.ip().to_string();
    let fail = |msg: &str, status: StatusCode| sign_in_page(&state, &headers, &email, Some(msg.into()), status);
    // Login CSRF: the form must post back the token of its own pre-session cookie.
    if !auth::signin_csrf_ok(&headers, f.signin_token.as_deref()) {
        return Ok(fail(
            "The sign-in form had expired or did not come from this page. Enter your details again.",
            StatusCode::FORBIDDEN,
        ));
    }
    if let Err(t) = state.throttle().check(&email, &address, now) {
        tracing::warn!(address, scope = t.scope, "sign-in refused: throttled");
        let wait = (t.until - now).whole_seconds().max(1);
        let wait = if wait < 90 { format!("{wait} seconds") } else { format!("{} minutes", (wait + 59) / 60) };
        return Ok(fail(
            &format!("Too many failed attempts. Wait {wait} before trying again."),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let person = state.store().person_by_email(&email).await?.filter(|p| p.status == PersonStatus::Active);
    let hash = match &person {
        Some(p) => state.store().password_hash(p.id).await?,
        None => None,
    };
    let ok = state.passwords().verify(&f.password, hash.as_deref()).await;
    match (ok, person) {
        (true, Some(p)) => {
            state.throttle().succeed(&email, &address);
            let cookie = auth::start_session(&state, &p).await?;
            let used = auth::signin_cookie("", state.settings().secure_cookies).replace("Max-Age=3600", "Max-Age=0");
            Ok((
                axum::response::AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, used)]),
                Redirect::to("/"),
            )
                .into_response())
        }
        _ => {
            if let Some(t) = state.throttle().fail(&email, &address, now) {
                let anonymous = custodian_store::Actor { person_id: None, label: format!("address:{address}") };
                auth::record_throttle(&state, "session.sign_in", &format!("sign_in:{email}"), &anonymous, &address, t)
                    .await?;
            }
            Ok(fail("Enter a correct email address and password.", StatusCode::UNAUTHORIZED))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: Option<String>,
}

pub async fn sign_out(State(state): State<AppState>, user: CurrentUser, Form(f): Form<CsrfOnly>) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    if let auth::Via::Session { token_hash, .. } = &user.via {
        state.store().delete_session(token_hash).await?;
    }
    Ok(([(header::SET_COOKIE, auth::clear_cookie(state.settings().secure_cookies))], Redirect::to("/sign-in"))
        .into_response())
}

// ----- Home ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
    roles: Vec<String>,
    my_devices: usize,
    awaiting_receipt: usize,
    my_open_findings: i64,
    team_open_findings: i64,
    register: Option<Register>,
    review_due: bool,
    /// Approvals waiting for this person, how many past due, and (for those who oversee the
    /// route) every overdue step.
    approvals_waiting: usize,
    approvals_waiting_overdue: usize,
    approvals_overdue_all: Option<usize>,
}
page!(HomePage);

struct Register {
    total: i64,
    allocated: i64,
    lost_or_stolen: i64,
    open_findings: i64,
    awaiting_receipt: i64,
    status_chart: String,
    findings_chart: String,
    status_rows: Vec<(String, i64)>,
}

pub async fn home(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let store = state.store();
    let mine = store.devices(&DeviceFilter { holder_id: Some(user.id()), ..DeviceFilter::default() }, 1, 100).await?;
    let awaiting = mine.items.iter().filter(|d| d.receipt_confirmed_at.is_none()).count();
    let my_findings = store
        .findings(
            &FindingFilter {
                person_id: Some(user.id()),
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            1,
            1,
        )
        .await?
        .total;
    let visible = uc::list_findings(
        &state,
        &user,
        FindingFilter { status: Some(FindingStatus::Open), ..FindingFilter::default() },
        1,
        1,
    )
    .await?
    .total;
    let register = if state.allows(&user, Action::DevicesList, &Resource::System) {
        let c = store.counts(None).await?;
        let get = |k: &str| c.devices_by_status.iter().find(|(s, _)| s == k).map(|(_, n)| *n).unwrap_or(0);
        let status_rows: Vec<(String, i64)> =
            DeviceStatus::ALL.iter().map(|s| (s.label().to_string(), get(s.as_str()))).collect();
        // Rules by their titles, as the findings list names them.
        let findings_rows: Vec<(String, i64)> = c
            .findings_open_by_rule
            .iter()
            .map(|(id, n)| {
                (custodian_domain::findings::rule(id).map(|r| r.title.to_string()).unwrap_or_else(|| id.clone()), *n)
            })
            .collect();
        Some(Register {
            total: c.devices_by_status.iter().map(|(_, n)| n).sum(),
            allocated: get("allocated"),
            lost_or_stolen: get("lost") + get("stolen"),
            open_findings: c.findings_by_status.iter().filter(|(s, _)| s != "closed").map(|(_, n)| n).sum(),
            awaiting_receipt: c.awaiting_receipt,
            status_chart: chart::bars("Devices by status", &status_rows),
            findings_chart: chart::bars("Open findings by rule", &findings_rows),
            status_rows,
        })
    } else {
        None
    };
    let waiting = crate::approvals::to_decide(&state, &user).await.unwrap_or_default();
    let approvals_overdue_all = if state.allows(&user, Action::ApprovalsOverview, &Resource::System) {
        Some(crate::approvals::overdue(&state, &user).await?.len())
    } else {
        None
    };
    let today = state.now().date();
    Ok(render(&HomePage {
        approvals_waiting: waiting.len(),
        approvals_waiting_overdue: waiting.iter().filter(|t| t.overdue).count(),
        approvals_overdue_all,
        layout: layout(&state, Some(&user), "Home", "/"),
        first_name: user.person.name.split_whitespace().next().unwrap_or("").to_string(),
        roles: user.person.roles.iter().map(|r| r.label().to_string()).collect(),
        my_devices: mine.items.len(),
        awaiting_receipt: awaiting,
        my_open_findings: my_findings,
        team_open_findings: visible,
        register,
        review_due: custodian_domain::policy::wp034().review_due(today),
    }))
}

// ----- My devices ----------------------------------------------------------------------------

struct DeviceRowView {
    id: Uuid,
    asset_tag: String,
    kind: String,
    make_model: String,
    identifier: String,
    status: String,
    status_class: String,
    holder: String,
    awaiting_receipt: bool,
}

fn status_class(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Allocated => "govuk-tag--green",
        DeviceStatus::InStock | DeviceStatus::Returned => "govuk-tag--grey",
        DeviceStatus::Lost | DeviceStatus::Stolen => "govuk-tag--red",
        DeviceStatus::Damaged | DeviceStatus::InRepair => "govuk-tag--orange",
        DeviceStatus::InExamination => "govuk-tag--purple",
        DeviceStatus::Retired => "govuk-tag--grey",
    }
}

fn device_row(d: &Device) -> DeviceRowView {
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
#[template(path = "my_devices.html")]
struct MyDevicesPage {
    layout: Layout,
    devices: Vec<DeviceRowView>,
    c41: ClauseView,
    c47: ClauseView,
    message: Option<String>,
}
page!(MyDevicesPage);

#[derive(Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
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
    Form(f): Form<CsrfOnly>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    uc::confirm_receipt(&state, &user, id).await?;
    Ok(Redirect::to("/my-devices?done=confirmed").into_response())
}

#[derive(Deserialize)]
pub struct LossForm {
    csrf_token: Option<String>,
    what: String,
    circumstances: String,
}

pub async fn report_loss(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<LossForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    let stolen = match f.what.as_str() {
        "stolen" => true,
        "lost" => false,
        _ => return Err(AppError::invalid("what", "Choose lost or stolen").into()),
    };
    uc::report_loss(&state, &user, id, stolen, &f.circumstances).await?;
    Ok(Redirect::to("/my-devices?done=reported").into_response())
}

// ----- Devices -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct DeviceListQuery {
    q: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    device_type: Option<String>,
    page: Option<i64>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    layout: Layout,
    q: String,
    statuses: Vec<Choice>,
    types: Vec<Choice>,
    table: DevicesTable,
    can_create: bool,
}
page!(DevicesPage);

#[derive(Template)]
#[template(path = "devices_table.html")]
struct DevicesTable {
    rows: Vec<DeviceRowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(q: &DeviceListQuery, page: i64) -> String {
    let enc = |s: &Option<String>| s.as_deref().map(percent).unwrap_or_default();
    format!("/devices?q={}&status={}&type={}&page={page}", enc(&q.q), enc(&q.status), enc(&q.device_type))
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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
#[template(path = "device_new.html")]
struct NewDevicePage {
    layout: Layout,
    errors: Vec<FieldProblem>,
    form: NewDeviceForm,
    types: Vec<Choice>,
    c12: ClauseView,
}
page!(NewDevicePage);

fn type_choices(selected: &str) -> Vec<Choice> {
    DeviceType::ALL
        .iter()
        .map(|t| Choice { value: t.as_str().into(), label: t.as_str().into(), selected: t.as_str() == selected })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct NewDeviceForm {
    csrf_token: Option<String>,
    asset_tag: String,
    #[serde(rename = "type")]
    device_type: String,
    make: String,
    model: String,
    serial: String,
    imei: String,
    phone_number: String,
    os: String,
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
    Form(f): Form<NewDeviceForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
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
        Ok(row) => state.store().create_device(&row, &user.actor, state.now()).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/devices/{}", d.id)).into_response()),
        Err(AppError::Invalid { errors, .. }) => {
            let mut res = render(&NewDevicePage {
                layout: layout(&state, Some(&user), "Register a device", "/devices"),
                errors,
                types: type_choices(&f.device_type),
                form: f,
                c12: clause_view("1.2"),
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(AppError::Conflict(m)) => {
            let errors = vec![FieldProblem { field: Some("asset_tag".into()), line: None, message: m }];
            let mut res = render(&NewDevicePage {
                layout: layout(&state, Some(&user), "Register a device", "/devices"),
                errors,
                types: type_choices(&f.device_type),
                form: f,
                c12: clause_view("1.2"),
            });
            *res.status_mut() = StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

struct EventView {
    at: String,
    title: String,
    actor: String,
    reason: String,
    clause: String,
}

fn event_view(e: &DeviceEvent) -> EventView {
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

struct FindingRowView {
    id: Uuid,
    opened: String,
    rule: String,
    clause: String,
    summary: String,
    person: String,
    device: String,
    status: String,
    status_class: String,
    severity: String,
}

fn finding_row(f: &Finding) -> FindingRowView {
    FindingRowView {
        id: f.id,
        opened: fmt_time(f.opened_at),
        rule: custodian_domain::findings::rule(&f.rule).map(|r| r.title.to_string()).unwrap_or_else(|| f.rule.clone()),
        clause: f.clause.clone(),
        summary: f.summary.clone(),
        person: f.person_name.clone().unwrap_or_default(),
        device: f.device_asset_tag.clone().unwrap_or_default(),
        status: f.status.as_str().replace('_', " "),
        status_class: match f.status {
            FindingStatus::Open => "govuk-tag--red",
            FindingStatus::UnderReview => "govuk-tag--yellow",
            FindingStatus::Closed => "govuk-tag--grey",
        }
        .into(),
        severity: f.severity.as_str().into(),
    }
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    layout: Layout,
    d: DeviceRowView,
    serial: String,
    imei: String,
    phone: String,
    os: String,
    mdm: String,
    receipt: String,
    events: Vec<EventView>,
    findings: Vec<FindingRowView>,
    can_allocate: bool,
    can_transition: bool,
    transitions: Vec<Choice>,
    errors: Vec<FieldProblem>,
    c41: ClauseView,
    c47: ClauseView,
}
page!(DevicePage);

async fn device_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let d = uc::view_device(state, user, id).await?;
    let events = state.store().device_history(id).await?;
    let findings =
        uc::list_findings(state, user, FindingFilter { device_id: Some(id), ..FindingFilter::default() }, 1, 50)
            .await?;
    let res = device_resource_allows(state, user, &d);
    let transitions = d
        .status
        .next_states()
        .iter()
        .filter(|s| **s != DeviceStatus::Allocated)
        .map(|s| Choice { value: s.as_str().into(), label: s.label().into(), selected: false })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&DevicePage {
        layout: layout(state, Some(user), &format!("Device {}", d.asset_tag), "/devices"),
        serial: d.serial.clone().unwrap_or_default(),
        imei: d.imei.clone().unwrap_or_default(),
        phone: d.phone_number.clone().unwrap_or_default(),
        os: d.os.clone().unwrap_or_default(),
        mdm: match (&d.mdm_id, &d.mdm_user) {
            (Some(id), Some(u)) => format!("{id} (signed in as {u})"),
            (Some(id), None) => id.clone(),
            _ => String::new(),
        },
        receipt: d.receipt_confirmed_at.map(fmt_time).unwrap_or_default(),
        d: device_row(&d),
        events: events.iter().map(event_view).collect(),
        findings: findings.items.iter().map(finding_row).collect(),
        can_allocate: res.0 && d.status.can_move_to(DeviceStatus::Allocated),
        can_transition: res.1,
        transitions,
        errors,
        c41: clause_view("4.1"),
        c47: clause_view("4.7"),
    });
    *r.status_mut() = status;
    Ok(r)
}

fn device_resource_allows(state: &AppState, user: &CurrentUser, d: &Device) -> (bool, bool) {
    let r = uc::device_resource(d);
    (state.allows(user, Action::DevicesAllocate, &r), state.allows(user, Action::DevicesTransition, &r))
}

pub async fn device(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(device_page(&state, &user, id, vec![]).await?)
}

#[derive(Deserialize)]
pub struct AllocateForm {
    csrf_token: Option<String>,
    staff_number: String,
    reason: String,
}

/// Re-show the page with the error beside the form when the input is at fault.
async fn or_show_errors(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    r: Result<Device, AppError>,
) -> UiResult<Response> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/devices/{id}")).into_response()),
        Err(AppError::Invalid { errors, .. }) => Ok(device_page(state, user, id, errors).await?),
        Err(AppError::Conflict(m)) => {
            Ok(device_page(state, user, id, vec![FieldProblem { field: None, line: None, message: m }]).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn allocate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<AllocateForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    let r = uc::allocate(&state, &user, id, &f.staff_number, &f.reason).await;
    or_show_errors(&state, &user, id, r).await
}

#[derive(Deserialize)]
pub struct TransitionForm {
    csrf_token: Option<String>,
    status: String,
    reason: String,
}

pub async fn transition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<TransitionForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    let r = uc::transition(&state, &user, id, &f.status, &f.reason).await;
    or_show_errors(&state, &user, id, r).await
}

// ----- People --------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    q: Option<String>,
    area: Option<String>,
    page: Option<i64>,
}

struct PersonRowView {
    id: Uuid,
    name: String,
    staff_number: String,
    kind: String,
    area: String,
    manager: String,
    roles: String,
    status: String,
}

fn person_row(p: &Person) -> PersonRowView {
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
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    q: String,
    areas: Vec<Choice>,
    rows: Vec<PersonRowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}
page!(PeoplePage);

pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PeopleQuery>,
) -> UiResult<Response> {
    let page = q.page.unwrap_or(1).max(1);
    let area = q.area.clone().filter(|a| !a.is_empty());
    let p = uc::list_people(
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
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    p: PersonRowView,
    email: String,
    head_of_department: bool,
    devices: Vec<DeviceRowView>,
    reports: Vec<PersonRowView>,
    show_phones: bool,
    phones: Vec<String>,
    c412: ClauseView,
    errors: Vec<FieldProblem>,
    reason: String,
}
page!(PersonPage);

pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PersonQuery>,
) -> UiResult<Response> {
    // A reason too thin to record shows the page again without the numbers, the error on the field.
    let (p, sensitive, errors) = match uc::view_person(&state, &user, id, q.reason.as_deref()).await {
        Ok((p, sensitive)) => (p, sensitive, vec![]),
        Err(AppError::Invalid { errors, .. }) => {
            let (p, sensitive) = uc::view_person(&state, &user, id, None).await?;
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
    });
    if !page_ok {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

// ----- Imports -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    layout: Layout,
    result: Option<ImportResultView>,
    errors: Vec<FieldProblem>,
    error_detail: String,
    can_people: bool,
    can_devices: bool,
    can_change_roles: bool,
}
page!(ImportsPage);

struct ImportResultView {
    kind: String,
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    findings_opened: usize,
    notes: Vec<FieldProblem>,
}

fn imports_layout(
    state: &AppState,
    user: &CurrentUser,
    result: Option<ImportResultView>,
    errors: Vec<FieldProblem>,
    error_detail: String,
) -> ImportsPage {
    ImportsPage {
        layout: layout(state, Some(user), "Imports", "/imports"),
        result,
        errors,
        error_detail,
        can_people: state.allows(user, Action::PeopleImport, &Resource::System),
        can_devices: state.allows(user, Action::DevicesImport, &Resource::System),
        can_change_roles: state.allows(user, Action::UsersManage, &Resource::System),
    }
}

pub async fn imports_page(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    if !(state.allows(&user, Action::PeopleImport, &Resource::System)
        || state.allows(&user, Action::DevicesImport, &Resource::System))
    {
        return Err(AppError::Forbidden("You do not have permission to import records.".into()).into());
    }
    Ok(render(&imports_layout(&state, &user, None, vec![], String::new())))
}

pub async fn import_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    mut mp: Multipart,
) -> UiResult<Response> {
    let mut csrf = None;
    let mut file: Option<Vec<u8>> = None;
    let mut skip_invalid = false;
    let mut ignore_roles = false;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
        match field.name() {
            Some("csrf_token") => {
                csrf = Some(field.text().await.map_err(|e| AppError::invalid("csrf_token", e.body_text()))?)
            }
            Some("skip_invalid") => skip_invalid = true,
            Some("ignore_roles") => ignore_roles = true,
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| AppError::invalid("file", e.body_text()))?.to_vec())
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let action = if kind == "people" { Action::PeopleImport } else { Action::DevicesImport };
    state.require(&user, action, &Resource::System)?;
    let bytes = file.filter(|f| !f.is_empty()).ok_or_else(|| AppError::invalid("file", "Choose a file to upload"))?;
    let which = match kind.as_str() {
        "people" => crate::heavy::RegisterImport::People,
        "devices" => crate::heavy::RegisterImport::Devices,
        "intune" => crate::heavy::RegisterImport::Intune,
        _ => return Err(AppError::NotFound(format!("No import called {kind}")).into()),
    };
    let r = crate::heavy::import(&state, &user, which, bytes, skip_invalid, ignore_roles).await;
    match r {
        Ok(o) => {
            let mut notes: Vec<FieldProblem> = o
                .skipped
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field,
                    line: Some(e.line),
                    message: format!("skipped: {}", e.message),
                })
                .collect();
            notes.extend(o.summary.unmatched.iter().chain(&o.summary.ignored).map(|e| FieldProblem {
                field: e.field.clone(),
                line: Some(e.line),
                message: e.message.clone(),
            }));
            let s = o.summary;
            let view = ImportResultView {
                kind,
                rows: s.rows,
                created: s.created,
                updated: s.updated,
                unchanged: s.unchanged,
                findings_opened: s.findings_opened,
                notes,
            };
            Ok(render(&imports_layout(&state, &user, Some(view), vec![], String::new())))
        }
        Err(AppError::Invalid { detail, errors }) => {
            let mut res = render(&imports_layout(&state, &user, None, errors, detail));
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ----- Findings ------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct FindingsQuery {
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    layout: Layout,
    rows: Vec<FindingRowView>,
    statuses: Vec<Choice>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    c410: ClauseView,
}
page!(FindingsPage);

pub async fn findings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FindingsQuery>,
) -> UiResult<Response> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| FindingStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Choose a status from the list")))
        .transpose()?;
    let page = q.page.unwrap_or(1).max(1);
    let p = uc::list_findings(&state, &user, FindingFilter { status, ..FindingFilter::default() }, page, 50).await?;
    let pages = p.pages();
    let href = |n: i64| format!("/findings?status={}&page={n}", status.map(|s| s.as_str()).unwrap_or(""));
    Ok(render(&FindingsPage {
        layout: layout(&state, Some(&user), "Findings", "/findings"),
        rows: p.items.iter().map(finding_row).collect(),
        statuses: [FindingStatus::Open, FindingStatus::UnderReview, FindingStatus::Closed]
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.as_str().replace('_', " "),
                selected: Some(*s) == status,
            })
            .collect(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        c410: clause_view("4.10"),
    }))
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    layout: Layout,
    f: FindingRowView,
    clause: ClauseView,
    c410: ClauseView,
    evidence: Vec<(String, String)>,
    tables: Vec<EvidenceTable>,
    records: Vec<String>,
    outcome: String,
    reasons: String,
    closed: bool,
    can_review: bool,
    outcomes: Vec<Choice>,
    errors: Vec<FieldProblem>,
    /// WP034 4.8 findings: the link to request the app for the device.
    request_link: Option<String>,
    /// WP034 6.5 findings about a direct-messaging app.
    dm_warning: Option<String>,
}
page!(FindingPage);

/// A list of like items in a finding's evidence (the example records, say), shown as a table.
struct EvidenceTable {
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// "total_bytes" -> "Total bytes".
fn evidence_label(key: &str) -> String {
    let mut s = key.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let up = first.to_uppercase();
        s.replace_range(0..1, &up);
    }
    s
}

fn evidence_value(key: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) if key == "at" || key.ends_with("_at") => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .and_then(|t| {
                    t.format(time::macros::format_description!(
                        "[day] [month repr:short] [year], [hour]:[minute]:[second] UTC"
                    ))
                    .ok()
                })
                .unwrap_or_else(|| s.clone())
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if key.ends_with("bytes") && n.as_u64().is_some() => {
            custodian_domain::usage::bytes_label(n.as_u64().unwrap_or_default())
        }
        serde_json::Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(|i| evidence_value(key, i)).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// A finding's evidence as the page shows it: plain facts as (label, value) rows, lists of
/// records as tables. The finding's own device id is left out (the page names the device).
fn evidence_views(f: &custodian_store::Finding) -> (Vec<(String, String)>, Vec<EvidenceTable>) {
    let serde_json::Value::Object(m) = &f.evidence else {
        return (vec![("Evidence".into(), f.evidence.to_string())], vec![]);
    };
    let device = f.device_id.map(|d| d.to_string());
    let (mut rows, mut tables) = (Vec::new(), Vec::new());
    for (k, v) in m {
        if v.is_null() || k == "request_link" || v.as_str().is_some_and(|s| Some(s) == device.as_deref()) {
            continue;
        }
        match v {
            serde_json::Value::Array(items) if !items.is_empty() && items.iter().all(serde_json::Value::is_object) => {
                let mut columns: Vec<String> = Vec::new();
                for item in items {
                    for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !columns.contains(key) {
                            columns.push(key.clone());
                        }
                    }
                }
                let table_rows = items
                    .iter()
                    .map(|item| {
                        columns.iter().map(|c| item.get(c).map(|x| evidence_value(c, x)).unwrap_or_default()).collect()
                    })
                    .collect();
                tables.push(EvidenceTable {
                    title: evidence_label(k),
                    columns: columns.iter().map(|c| evidence_label(c)).collect(),
                    rows: table_rows,
                });
            }
            _ => rows.push((evidence_label(k), evidence_value(k, v))),
        }
    }
    (rows, tables)
}

async fn finding_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let f = uc::view_finding(state, user, id).await?;
    let (evidence, tables) = evidence_views(&f);
    let mut evidence = evidence;
    if let (true, Some(person)) = (f.rule.starts_with("usage."), f.person_id) {
        evidence.push(crate::usage::frequency_row(state, person, &f.rule).await?);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut r = render(&FindingPage {
        layout: layout(state, Some(user), "Finding", "/findings"),
        clause: clause_view(&f.clause),
        c410: clause_view("4.10"),
        evidence,
        tables,
        records: f.records.clone(),
        outcome: f.outcome.map(|o| o.label().to_string()).unwrap_or_default(),
        reasons: f.reasons.clone().unwrap_or_default(),
        closed: f.status == FindingStatus::Closed,
        can_review: state.allows(user, Action::FindingsReview, &uc::finding_resource(&f)),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice { value: o.as_str().into(), label: o.label().into(), selected: false })
            .collect(),
        errors,
        request_link: (f.rule == custodian_domain::apps::RULE_UNAPPROVED && f.status != FindingStatus::Closed)
            .then(|| f.evidence.get("request_link").and_then(|v| v.as_str()).map(str::to_string))
            .flatten(),
        dm_warning: (f.rule == custodian_domain::apps::RULE_UNAPPROVED
            && f.evidence.get("direct_messaging").and_then(|v| v.as_bool()) == Some(true))
        .then(|| custodian_domain::apps::DIRECT_MESSAGING_WARNING.to_string()),
        f: finding_row(&f),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn finding(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(finding_page(&state, &user, id, vec![]).await?)
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf_token: Option<String>,
    status: String,
    outcome: Option<String>,
    reasons: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    Form(f): Form<ReviewForm>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    match uc::review(&state, &user, id, &f.status, f.outcome.as_deref(), f.reasons.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        Err(AppError::Invalid { errors, .. }) => Ok(finding_page(&state, &user, id, errors).await?),
        Err(AppError::Conflict(m)) => {
            Ok(finding_page(&state, &user, id, vec![FieldProblem { field: None, line: None, message: m }]).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ----- Audit and policy ----------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    subject: Option<String>,
    page: Option<i64>,
}

struct AuditRowView {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    clause: String,
    justification: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    layout: Layout,
    rows: Vec<AuditRowView>,
    subject: String,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    verify: Option<VerifyView>,
    can_verify: bool,
}
page!(AuditPageView);

struct VerifyView {
    intact: bool,
    events: u64,
    root: String,
    checkpoints: usize,
    problem: String,
}

async fn audit_page(
    state: &AppState,
    user: &CurrentUser,
    q: AuditQuery,
    verify: Option<VerifyView>,
) -> Result<Response, AppError> {
    state.require(user, Action::AuditRead, &Resource::System)?;
    let page = q.page.unwrap_or(1).max(1);
    let subject = q.subject.clone().filter(|s| !s.is_empty());
    let p = state.store().audit_page(subject.as_deref(), None, page, 50).await?;
    let pages = p.pages();
    let href = |n: i64| format!("/audit?subject={}&page={n}", percent(subject.as_deref().unwrap_or("")));
    Ok(render(&AuditPageView {
        layout: layout(state, Some(user), "Audit log", "/audit"),
        rows: p
            .items
            .iter()
            .map(|e| AuditRowView {
                seq: e.seq,
                at: fmt_time(e.at),
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: e.subject.clone(),
                clause: e.clause.clone().unwrap_or_default(),
                justification: e.justification.clone().unwrap_or_default(),
            })
            .collect(),
        subject: subject.clone().unwrap_or_default(),
        total: p.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        verify,
        can_verify: state.allows(user, Action::AuditVerify, &Resource::System),
    }))
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> UiResult<Response> {
    Ok(audit_page(&state, &user, q, None).await?)
}

pub async fn audit_verify(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<CsrfOnly>,
) -> UiResult<Response> {
    user.check_csrf(f.csrf_token.as_deref())?;
    let r = crate::heavy::audit_verify(&state, &user).await?;
    let v = VerifyView {
        intact: r.problem.is_none(),
        events: r.events,
        root: r.root,
        checkpoints: r.checkpoints_checked,
        problem: r.problem.unwrap_or_default(),
    };
    Ok(audit_page(&state, &user, AuditQuery::default(), Some(v)).await?)
}

struct SectionView {
    id: String,
    title: String,
    clauses: Vec<ClauseView>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    layout: Layout,
    reference: String,
    title: String,
    version: String,
    owner: String,
    review_date: String,
    review_due: bool,
    sections: Vec<SectionView>,
}
page!(PolicyPage);

pub async fn policy(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let p = custodian_domain::policy::wp034();
    let sections = p
        .sections
        .iter()
        .map(|s| SectionView {
            id: s.id.clone(),
            title: s.title.clone(),
            clauses: p.clauses.iter().filter(|c| c.section == s.id).map(|c| clause_view(&c.id)).collect(),
        })
        .collect();
    Ok(render(&PolicyPage {
        layout: layout(&state, Some(&user), "Policy WP034", "/policy"),
        reference: p.reference.clone(),
        title: p.title.clone(),
        version: p.version.to_string(),
        owner: p.business_area.clone(),
        review_date: p.next_review_date.to_string(),
        review_due: p.review_due(state.now().date()),
        sections,
    }))
}
