//! Approved apps pages (WP034 4.8, 6.5): the catalogue with who may have each app and WP034
//! 6.5's warning beside every direct-messaging app, one app with its grants (Digital Services
//! grant and revoke), the unlisted apps seen on devices, the request form, a person's requests,
//! and one request with its steps, decisions and timeline. Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::approvals::RequestStatus;
use custodian_domain::apps::DIRECT_MESSAGING_WARNING;
use custodian_store::DeviceFilter;
use custodian_store::apps::AppRecord;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::approvals::ui::{EventView, StepView, step_views, timeline_views};
use crate::apps as uc;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::date_input::{DateField, Parts, When, from_london, parse_date};
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/apps", get(catalogue).post(add_app))
        .route("/apps/unlisted", get(unlisted))
        .route("/apps/requests", get(my_requests).post(create_request))
        .route("/apps/requests/new", get(new_request))
        .route("/apps/requests/{id}", get(request))
        .route("/apps/requests/{id}/decide", post(decide))
        .route("/apps/requests/{id}/withdraw", post(withdraw))
        .route("/apps/grants/{id}/revoke", post(revoke_grant))
        .route("/apps/{id}", get(app))
        .route("/apps/{id}/grants", post(grant))
}

type Fields = Vec<(String, String)>;

fn get1<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The grant's last day, typed in the GOV.UK date input (`expires_at-day`, `expires_at-month`,
/// `expires_at-year`) or sent whole (`2027-03-31`): the grant runs to the end of that day,
/// London time. Nothing typed: no end.
fn grant_until(f: &Fields, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, AppError> {
    let sent = Parts::read(f, "expires_at");
    if sent.is_empty() {
        return Ok(None);
    }
    let today = crate::web::display::london(now).date();
    let day = parse_date("expires_at", "The last day", &sent, When::TodayOrLater, today)?;
    let end = day.next_day().map(|d| d.midnight()).and_then(from_london);
    end.map(Some).ok_or_else(|| AppError::invalid("expires_at-day", "The last day must be a real date"))
}

/// The "Until" field of a grant form.
fn until_field() -> DateField {
    DateField::date(
        "expires_at",
        "Until (optional)",
        "The last day it may be used. Leave empty for no end date. For example, 31 3 2027",
    )
}

/// The business areas, for the area chooser's list.
async fn area_names(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(state.store().business_areas().await?.into_iter().map(|a| a.name).collect())
}

/// Whom a grant is for, from the grant form's choosers (WP034 4.8): `audience` (`all`, `role`,
/// `area` or `person`) with the chosen `role`, `area` (one of the force's business areas) or
/// `person` (a name, a suggestion or a staff number); or the `allowed_for` text a client sends.
/// Returns the audience as the catalogue writes it and the field a problem with it is about.
async fn audience(state: &AppState, user: &CurrentUser, f: &Fields) -> Result<(String, &'static str), AppError> {
    match get1(f, "audience") {
        "all" => Ok(("all".into(), "audience")),
        "role" => {
            let role = custodian_domain::people::Role::parse(get1(f, "role").trim())
                .ok_or_else(|| AppError::invalid("role", "Choose the role"))?;
            Ok((format!("role:{}", role.as_str()), "role"))
        }
        "area" => {
            let typed = get1(f, "area").trim();
            if typed.is_empty() {
                return Err(AppError::invalid("area", "Enter the business area"));
            }
            let areas = area_names(state).await?;
            let area = areas.iter().find(|a| a.eq_ignore_ascii_case(typed)).ok_or_else(|| {
                AppError::invalid("area", format!("No business area is called {typed}: choose one from the list"))
            })?;
            Ok((format!("area:{area}"), "area"))
        }
        "person" => {
            let among = crate::people::Among::Visible;
            let sn =
                crate::people::chosen_staff_number(state, user, "person", "the person", get1(f, "person"), among, true)
                    .await?;
            Ok((format!("person:{sn}"), "person"))
        }
        "" if !get1(f, "allowed_for").trim().is_empty() => Ok((get1(f, "allowed_for").to_string(), "allowed_for")),
        _ => Err(AppError::invalid("audience", "Choose who may have the app")),
    }
}

struct GrantView {
    id: Uuid,
    allowed_for: String,
    expires: String,
    live: bool,
    from_request: bool,
}

struct AppView {
    id: Uuid,
    name: String,
    platform: String,
    package_id: String,
    publisher: String,
    category: String,
    store_url: String,
    listed: bool,
    direct_messaging: bool,
    allowed_for: String,
    grants: Vec<GrantView>,
}

fn app_view(a: &AppRecord, now: OffsetDateTime) -> AppView {
    let grants: Vec<GrantView> = a
        .grants
        .iter()
        .filter(|g| g.revoked_at.is_none())
        .map(|g| GrantView {
            id: g.id,
            allowed_for: match (&g.person_name, &g.audience) {
                (Some(n), custodian_domain::apps::Audience::Person(sn)) => format!("{n} ({sn})"),
                _ => g.audience_text(),
            },
            expires: g.expires_at.map(fmt_time).unwrap_or_default(),
            live: g.live(now),
            from_request: g.request_id.is_some(),
        })
        .collect();
    let live: Vec<String> = grants.iter().filter(|g| g.live).map(|g| g.allowed_for.clone()).collect();
    AppView {
        id: a.id,
        name: a.name.clone(),
        platform: a.platform.as_str().into(),
        package_id: a.package_id.clone(),
        publisher: a.publisher.clone(),
        category: a.category.as_str().replace('_', " / "),
        store_url: a.store_url.clone().unwrap_or_default(),
        listed: a.listed,
        direct_messaging: a.direct_messaging,
        allowed_for: if live.is_empty() { "nobody yet".into() } else { live.join("; ") },
        grants,
    }
}

#[derive(Template)]
#[template(path = "apps/apps.html")]
struct CataloguePage {
    layout: Layout,
    apps: Vec<AppView>,
    c48: ClauseView,
    c65: ClauseView,
    warning: &'static str,
    can_manage: bool,
    can_unlisted: bool,
}
page!(CataloguePage);

async fn catalogue(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let now = state.now();
    let apps = uc::catalogue(&state, &user).await?;
    Ok(render(&CataloguePage {
        layout: layout(&state, Some(&user), "Approved apps", "/apps"),
        apps: apps.iter().map(|a| app_view(a, now)).collect(),
        c48: clause_view("4.8"),
        c65: clause_view("6.5"),
        warning: DIRECT_MESSAGING_WARNING,
        can_manage: state.allows(&user, Action::AppsCatalogueManage, &Resource::System),
        can_unlisted: state.allows(&user, Action::AppsUnlistedView, &Resource::System),
    }))
}

async fn add_app(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Fields>,
) -> UiResult<Response> {
    let fields = uc::AppFields {
        name: get1(&f, "name").into(),
        platform: get1(&f, "platform").into(),
        package_id: get1(&f, "package_id").into(),
        publisher: get1(&f, "publisher").into(),
        category: get1(&f, "category").into(),
        store_url: Some(get1(&f, "store_url").to_string()),
    };
    let id = uc::add_app(&state, &user, &fields).await?;
    Ok(Redirect::to(&format!("/apps/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "apps/app.html")]
struct AppPage {
    layout: Layout,
    app: AppView,
    c48: ClauseView,
    warning: &'static str,
    can_manage: bool,
    roles: Vec<Opt>,
    areas: Vec<String>,
    until: DateField,
}
page!(AppPage);

async fn app(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let a = uc::app(&state, &user, id).await?;
    Ok(render(&AppPage {
        layout: layout(&state, Some(&user), &a.name, "/apps"),
        app: app_view(&a, state.now()),
        c48: clause_view("4.8"),
        warning: DIRECT_MESSAGING_WARNING,
        can_manage: state.allows(&user, Action::AppsCatalogueManage, &Resource::System),
        roles: role_options(),
        areas: area_names(&state).await?,
        until: until_field(),
    }))
}

fn role_options() -> Vec<Opt> {
    custodian_domain::people::Role::ALL
        .iter()
        .map(|r| Opt { value: r.as_str().into(), label: r.label().into(), selected: false })
        .collect()
}

async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<Fields>,
) -> UiResult<Response> {
    let expires = grant_until(&f, state.now())?;
    let (allowed_for, field) = audience(&state, &user, &f).await?;
    match uc::grant(&state, &user, id, &allowed_for, expires).await {
        Ok(_) => {}
        Err(AppError::Invalid { mut errors, detail }) => {
            // The use case names the audience as a whole; the form names the chooser used.
            for p in &mut errors {
                if let Some(f) = p.field.as_mut().filter(|f| *f == "allowed_for") {
                    *f = field.to_string();
                }
            }
            return Err(AppError::Invalid { errors, detail }.into());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/apps/{id}")).into_response())
}

async fn revoke_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<Fields>,
) -> UiResult<Response> {
    // The page to go back to is an app's id, never text copied into the Location header (a
    // line break there would split the header); checked before anything changes.
    let back = match get1(&f, "app").trim() {
        "" => None,
        app => Some(Uuid::parse_str(app).map_err(|_| AppError::invalid("app", "is not the id of an app"))?),
    };
    uc::revoke_grant(&state, &user, id, get1(&f, "reason")).await?;
    Ok(Redirect::to(&back.map_or_else(|| "/apps".to_string(), |app| format!("/apps/{app}"))).into_response())
}

struct UnlistedView {
    package_id: String,
    app_name: String,
    devices: i64,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "apps/apps_unlisted.html")]
struct UnlistedPage {
    layout: Layout,
    rows: Vec<UnlistedView>,
    c48: ClauseView,
}
page!(UnlistedPage);

async fn unlisted(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let rows = uc::unlisted(&state, &user).await?;
    Ok(render(&UnlistedPage {
        layout: layout(&state, Some(&user), "Unlisted apps seen", "/apps"),
        rows: rows
            .into_iter()
            .map(|u| UnlistedView {
                package_id: u.package_id,
                app_name: u.app_name.unwrap_or_default(),
                devices: u.devices,
                last_seen: fmt_time(u.last_seen),
            })
            .collect(),
        c48: clause_view("4.8"),
    }))
}

struct RequestRow {
    id: Uuid,
    app: String,
    devices: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "apps/apps_requests.html")]
struct MyRequestsPage {
    layout: Layout,
    rows: Vec<RequestRow>,
    c48: ClauseView,
}
page!(MyRequestsPage);

async fn my_requests(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let rows = uc::my_requests(&state, &user).await?;
    Ok(render(&MyRequestsPage {
        layout: layout(&state, Some(&user), "My app requests", "/apps"),
        rows: rows
            .iter()
            .map(|r| RequestRow {
                id: r.id,
                app: format!("{} ({})", r.app.name, r.app.package_id),
                devices: r.devices.join(", "),
                status: r.approval.status.as_str().into(),
                created: fmt_time(r.created_at),
            })
            .collect(),
        c48: clause_view("4.8"),
    }))
}

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "apps/apps_request_new.html")]
struct NewRequestPage {
    layout: Layout,
    apps: Vec<Opt>,
    devices: Vec<Opt>,
    package: String,
    c48: ClauseView,
    warning: &'static str,
}
page!(NewRequestPage);

#[derive(Deserialize)]
struct NewQuery {
    package: Option<String>,
    device: Option<Uuid>,
}

async fn new_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> UiResult<Response> {
    state.require(&user, Action::AppsRequest, &Resource::System)?;
    let apps = state.store().apps().await?;
    let package = q.package.unwrap_or_default();
    let mine =
        state.store().devices(&DeviceFilter { holder_id: Some(user.id()), ..DeviceFilter::default() }, 1, 200).await?;
    Ok(render(&NewRequestPage {
        layout: layout(&state, Some(&user), "Request an app", "/apps"),
        apps: apps
            .iter()
            .map(|a| Opt {
                value: a.id.to_string(),
                label: format!(
                    "{} ({}, {}){}",
                    a.name,
                    a.platform.as_str(),
                    a.package_id,
                    if a.direct_messaging { " - direct messaging, WP034 6.5 applies" } else { "" }
                ),
                selected: a.package_id == package,
            })
            .collect(),
        devices: mine
            .items
            .iter()
            .map(|d| Opt {
                value: d.id.to_string(),
                label: format!("{} ({} {})", d.asset_tag, d.make, d.model),
                selected: q.device == Some(d.id) || mine.items.len() == 1,
            })
            .collect(),
        package,
        c48: clause_view("4.8"),
        warning: DIRECT_MESSAGING_WARNING,
    }))
}

async fn create_request(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<Fields>,
) -> UiResult<Response> {
    let app_id = match get1(&f, "app_id").trim() {
        "" | "new" => None,
        v => Some(Uuid::parse_str(v).map_err(|_| AppError::invalid("app_id", "Choose an app from the list"))?),
    };
    let new_app = app_id.is_none().then(|| uc::AppFields {
        name: get1(&f, "name").into(),
        platform: get1(&f, "platform").into(),
        package_id: get1(&f, "package_id").into(),
        publisher: get1(&f, "publisher").into(),
        category: get1(&f, "category").into(),
        store_url: Some(get1(&f, "store_url").to_string()),
    });
    let mut devices = vec![];
    for (k, v) in &f {
        if k == "devices" {
            devices.push(
                Uuid::parse_str(v).map_err(|_| AppError::invalid("devices", "Choose your devices from the list"))?,
            );
        }
    }
    let id = uc::request(
        &state,
        &user,
        &uc::RequestFields { app_id, new_app, devices, business_need: get1(&f, "business_need").into() },
    )
    .await?;
    Ok(Redirect::to(&format!("/apps/requests/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "apps/apps_request.html")]
struct RequestPage {
    layout: Layout,
    id: Uuid,
    app: AppView,
    requester: String,
    business_area: String,
    devices: String,
    business_need: String,
    status: String,
    granted: bool,
    approval_id: Uuid,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    can_withdraw: bool,
    roles: Vec<Opt>,
    warning: &'static str,
    until: DateField,
}
page!(RequestPage);

impl RequestPage {
    fn clauses(&self) -> Vec<&ClauseView> {
        crate::approvals::ui::step_clauses(None, &self.steps)
    }
}

async fn request(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let now = state.now();
    let v = uc::view_request(&state, &user, id).await?;
    let r = &v.request;
    let steps = step_views(&r.approval.steps, &v.can_decide, now);
    let timeline = timeline_views(&r.timeline, "requested the app", "changed the request");
    Ok(render(&RequestPage {
        layout: layout(&state, Some(&user), &format!("App request: {}", r.app.name), "/apps"),
        id: r.id,
        app: app_view(&r.app, now),
        requester: r.requester_name.clone(),
        business_area: r.business_area.clone().unwrap_or_default(),
        devices: r.devices.join(", "),
        business_need: r.business_need.clone(),
        status: r.approval.status.as_str().into(),
        granted: r.grant_id.is_some() && r.approval.status == RequestStatus::Approved,
        approval_id: r.approval.id,
        steps,
        timeline,
        can_withdraw: v.can_withdraw,
        roles: role_options(),
        warning: DIRECT_MESSAGING_WARNING,
        until: until_field(),
    }))
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<Fields>,
) -> UiResult<Response> {
    let expires = grant_until(&f, state.now())?;
    let reasons = Some(get1(&f, "reasons"));
    let grant_to = Some(get1(&f, "grant_to"));
    let d = crate::approvals::Decision { step: get1(&f, "step"), verdict: get1(&f, "verdict"), reasons };
    uc::decide(&state, &user, id, d, grant_to, expires).await?;
    Ok(Redirect::to(&format!("/apps/requests/{id}")).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::withdraw(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/apps/requests/{id}")).into_response())
}
