//! Approved apps (WP034 4.8, 6.5): the use cases behind the catalogue, grants, inventory and
//! catalogue imports, the unlisted apps seen, the MDM export, and requests for apps through the
//! approval chain (the Head of Department of the requester's business area, then Digital
//! Services). The records and the evaluation are in `custodian_store::apps`.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::apps::{self as dom, Audience, Category, Platform};
use custodian_domain::people::Role;
use custodian_store::apps::{
    AppRecord, AppRequestRecord, EvalSummary, GrantTo, NewApp, NewAppRequest, RequestedApp, UnlistedSeen,
};
use custodian_store::{Actor, Store};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::approvals::Decision;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::imports::{ImportOutcome, rejected, sha256_hex};
use crate::state::AppState;

/// The catalogue: every app with its grants (everyone may see it, WP034 4.8).
pub async fn catalogue(state: &AppState, user: &CurrentUser) -> Result<Vec<AppRecord>, AppError> {
    state.require(user, Action::AppsCatalogueView, &Resource::System)?;
    Ok(state.store().apps().await?)
}

pub async fn app(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<AppRecord, AppError> {
    state.require(user, Action::AppsCatalogueView, &Resource::System)?;
    state.store().app(id).await?.ok_or_else(|| AppError::NotFound(format!("No app with id {id}.")))
}

/// The fields of an app as a form or JSON body gives them.
#[derive(Debug, Clone, Default)]
pub struct AppFields {
    pub name: String,
    pub platform: String,
    pub package_id: String,
    pub publisher: String,
    pub category: String,
    pub store_url: Option<String>,
}

impl AppFields {
    pub fn check(&self) -> Result<NewApp, AppError> {
        let platform = Platform::parse(&self.platform)
            .ok_or_else(|| AppError::invalid("platform", "Choose android, ios or windows"))?;
        let category = Category::parse(&self.category).ok_or_else(|| {
            AppError::invalid(
                "category",
                "Choose messaging, social, productivity, navigation, camera_evidence or other",
            )
        })?;
        if self.name.trim().is_empty() {
            return Err(AppError::invalid("name", "Enter the app's name"));
        }
        let package_id = self.package_id.trim();
        if package_id.is_empty() || package_id.contains(char::is_whitespace) {
            return Err(AppError::invalid("package_id", "Enter the package or bundle id, without spaces"));
        }
        if self.publisher.trim().is_empty() {
            return Err(AppError::invalid("publisher", "Enter the publisher"));
        }
        let store_url = self.store_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
        if let Some(u) = &store_url
            && !u.starts_with("https://")
        {
            return Err(AppError::invalid("store_url", "Give the app's store link, starting https://"));
        }
        Ok(NewApp {
            name: self.name.trim().into(),
            platform,
            package_id: package_id.into(),
            publisher: self.publisher.trim().into(),
            category,
            store_url,
        })
    }
}

/// Digital Services add (or update) an app in the catalogue.
pub async fn add_app(state: &AppState, user: &CurrentUser, f: &AppFields) -> Result<Uuid, AppError> {
    state.require(user, Action::AppsCatalogueManage, &Resource::System)?;
    let a = f.check()?;
    Ok(state.store().app_upsert(&a, user.actor.at(state.now())).await?)
}

/// Digital Services grant an app: `allowed_for` is `all`, `role:ROLE`, `area:NAME` or
/// `person:STAFF_NUMBER` (one audience), optionally until an expiry.
pub async fn grant(
    state: &AppState,
    user: &CurrentUser,
    app: Uuid,
    allowed_for: &str,
    expires_at: Option<OffsetDateTime>,
) -> Result<(Uuid, EvalSummary), AppError> {
    state.require(user, Action::AppsCatalogueManage, &Resource::System)?;
    let audiences = dom::parse_allowed_for(allowed_for).map_err(|m| AppError::invalid("allowed_for", m))?;
    let [audience] = audiences.as_slice() else {
        return Err(AppError::invalid("allowed_for", "Give one audience per grant"));
    };
    if let Audience::Person(sn) = audience
        && sn.trim().eq_ignore_ascii_case(&user.person.staff_number)
    {
        return Err(AppError::invalid(
            "allowed_for",
            "Nobody grants an app to themselves (WP034 4.8): request it, and your Head of Department and \
             Digital Services decide",
        ));
    }
    if let Some(e) = expires_at {
        crate::forms::check_moment("expires_at", e, state.now())?;
    }
    if expires_at.is_some_and(|e| e <= state.now()) {
        return Err(AppError::invalid("expires_at", "The expiry must be in the future"));
    }
    Ok(state.store().app_grant(app, audience, expires_at, user.actor.at(state.now())).await?)
}

pub async fn revoke_grant(
    state: &AppState,
    user: &CurrentUser,
    grant: Uuid,
    reason: &str,
) -> Result<EvalSummary, AppError> {
    state.require(user, Action::AppsCatalogueManage, &Resource::System)?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Say why the grant is revoked"));
    }
    Ok(state.store().app_grant_revoke(grant, reason.trim(), user.actor.at(state.now())).await?)
}

/// Apps seen on devices that are not in the catalogue (Digital Services review them).
pub async fn unlisted(state: &AppState, user: &CurrentUser) -> Result<Vec<UnlistedSeen>, AppError> {
    state.require(user, Action::AppsUnlistedView, &Resource::System)?;
    Ok(state.store().apps_unlisted_seen().await?)
}

/// The outcome of a catalogue or inventory import: the import's own summary and what the
/// evaluation that followed changed.
#[derive(Debug, Default, serde::Serialize)]
pub struct AppsImportOutcome {
    #[serde(flatten)]
    pub import: ImportOutcome,
    pub evaluation: EvalSummary,
}

/// Load the catalogue CSV (`custodian apps import-catalogue`, the API). Invalid rows reject
/// the file unless `skip_invalid`.
pub async fn import_catalogue(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<AppsImportOutcome, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|e| AppError::invalid("file", format!("not UTF-8: {e}")))?;
    let (rows, mut errors) = dom::parse_catalogue(text.strip_prefix('\u{feff}').unwrap_or(text));
    if errors.iter().any(|e| e.line == 1 && e.field.is_none()) {
        return Err(rejected(errors));
    }
    // A person named in allowed_for must exist; an area too. Nobody grants an app to themselves
    // by name (WP034 4.8: someone else approves a person's apps; they request it instead).
    let importer = match actor.person_id {
        Some(id) => store.person(id).await?.map(|p| p.staff_number),
        None => None,
    };
    let mut ok = Vec::with_capacity(rows.len());
    let areas = store.business_areas().await?;
    for r in rows {
        let mut bad = None;
        for a in &r.allowed_for {
            match a {
                Audience::Person(sn) if importer.as_deref().is_some_and(|me| me.eq_ignore_ascii_case(sn.trim())) => {
                    bad = Some(format!(
                        "person:{sn} is you: nobody grants an app to themselves (WP034 4.8); request it, and \
                         your Head of Department and Digital Services decide"
                    ));
                }
                Audience::Person(sn) if store.person_by_staff_number(sn).await?.is_none() => {
                    bad = Some(format!("no person has staff number {sn}"));
                }
                Audience::Area(name) if !areas.iter().any(|b| b.name.eq_ignore_ascii_case(name)) => {
                    bad = Some(format!("no business area is called {name:?}"));
                }
                _ => {}
            }
        }
        match bad {
            Some(message) => errors.push(custodian_domain::imports::RowError {
                line: r.line,
                field: Some("allowed_for".into()),
                message,
            }),
            None => ok.push(r),
        }
    }
    if !errors.is_empty() && !skip_invalid {
        errors.sort_by_key(|e| e.line);
        return Err(rejected(errors));
    }
    errors.sort_by_key(|e| e.line);
    let (summary, evaluation) = store.apps_import_catalogue(&ok, actor.at(now), &sha256_hex(bytes)).await?;
    Ok(AppsImportOutcome { import: ImportOutcome { summary, skipped: errors, reattribution: None }, evaluation })
}

/// Import an inventory (`custodian import apps`, the API): CSV `device,app_id,version,seen_at`
/// or a Microsoft Graph detectedApps / managed-device JSON export.
pub async fn import_inventory(
    store: &Store,
    actor: &Actor,
    now: OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
    progress: custodian_store::Progress<'_>,
    total: &(dyn Fn(u64) + Send + Sync),
) -> Result<AppsImportOutcome, AppError> {
    let parsed = dom::parse_inventory(bytes).map_err(|e| rejected(vec![e]))?;
    if !parsed.errors.is_empty() && !skip_invalid {
        return Err(rejected(parsed.errors));
    }
    total(parsed.rows.len() as u64);
    let (summary, evaluation) =
        store.apps_import_inventory(&parsed.rows, actor.at(now), &sha256_hex(bytes), progress).await?;
    Ok(AppsImportOutcome { import: ImportOutcome { summary, skipped: parsed.errors, reattribution: None }, evaluation })
}

/// The same for a signed-in user (Digital Services).
pub async fn import_inventory_as(
    state: &AppState,
    user: &CurrentUser,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<AppsImportOutcome, AppError> {
    state.require(user, Action::AppsInventoryImport, &Resource::System)?;
    import_inventory(
        state.store(),
        &user.actor,
        state.now(),
        bytes,
        skip_invalid,
        &custodian_store::no_progress,
        &|_| {},
    )
    .await
}

pub async fn import_catalogue_as(
    state: &AppState,
    user: &CurrentUser,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<AppsImportOutcome, AppError> {
    state.require(user, Action::AppsCatalogueManage, &Resource::System)?;
    import_catalogue(state.store(), &user.actor, state.now(), bytes, skip_invalid).await
}

/// The MDM export for a role: `amapi` (Android Management API policy fragment) or `csv`.
pub async fn export(store: &Store, role: &str, format: &str, now: OffsetDateTime) -> Result<String, AppError> {
    let role = Role::parse(role.trim()).ok_or_else(|| AppError::invalid("role", format!("{role:?} is not a role")))?;
    let apps = store.apps_for_role(role, now).await?;
    match format.trim() {
        "amapi" => Ok(serde_json::to_string_pretty(&dom::amapi_fragment(&apps)).unwrap_or_default()),
        "csv" => Ok(dom::export_csv(&apps)),
        other => Err(AppError::invalid("format", format!("{other:?}: use amapi or csv"))),
    }
}

pub async fn export_as(state: &AppState, user: &CurrentUser, role: &str, format: &str) -> Result<String, AppError> {
    state.require(user, Action::AppsExport, &Resource::System)?;
    export(state.store(), role, format, state.now()).await
}

/// What a person asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestFields {
    /// A catalogue app; otherwise `new_app` describes a new one.
    pub app_id: Option<Uuid>,
    pub new_app: Option<AppFields>,
    pub devices: Vec<Uuid>,
    pub business_need: String,
}

/// Anyone requests an app for their device(s), setting out the business need (WP034 4.8).
pub async fn request(state: &AppState, user: &CurrentUser, f: &RequestFields) -> Result<Uuid, AppError> {
    state.require(user, Action::AppsRequest, &Resource::System)?;
    let app = match (&f.app_id, &f.new_app) {
        (Some(id), _) => RequestedApp::Existing(*id),
        (None, Some(a)) => {
            let a = a.check()?;
            if a.store_url.is_none() {
                return Err(AppError::invalid(
                    "store_url",
                    "Give the app's store link for an app not in the catalogue",
                ));
            }
            RequestedApp::New(a)
        }
        (None, None) => {
            return Err(AppError::invalid("app_id", "Choose an app, or describe a new one with its store link"));
        }
    };
    if f.devices.is_empty() {
        return Err(AppError::invalid("devices", "Choose the device or devices the app is for"));
    }
    if f.business_need.trim().is_empty() {
        return Err(AppError::invalid("business_need", "Set out the business need for the app"));
    }
    let r = NewAppRequest {
        requester: user.id(),
        app,
        devices: f.devices.clone(),
        business_need: f.business_need.trim().into(),
    };
    Ok(state.store().app_request(&r, user.actor.at(state.now())).await?)
}

pub async fn my_requests(state: &AppState, user: &CurrentUser) -> Result<Vec<AppRequestRecord>, AppError> {
    state.require(user, Action::AppsRequest, &Resource::System)?;
    Ok(state.store().app_requests_of(user.id()).await?)
}

/// A request with what the viewer may do: the requester, its deciders (deputies included),
/// and those who oversee approvals see it.
pub struct RequestView {
    pub request: AppRequestRecord,
    pub can_decide: Vec<String>,
    pub can_withdraw: bool,
}

pub async fn view_request(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<RequestView, AppError> {
    let request =
        state.store().app_request_get(id).await?.ok_or_else(|| AppError::NotFound(format!("No app request {id}.")))?;
    // The chain's own view decides who may see and decide it.
    let v = crate::approvals::view(state, user, request.approval.id).await?;
    Ok(RequestView { request, can_decide: v.can_decide, can_withdraw: v.can_withdraw })
}

/// Decide a step. Digital Services' approval grants the app to the requester or to a role
/// (`grant_role`), optionally until `expires_at`.
pub async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    d: Decision<'_>,
    grant_role: Option<&str>,
    expires_at: Option<OffsetDateTime>,
) -> Result<AppRequestRecord, AppError> {
    state.require(user, Action::ApprovalsDecide, &Resource::System)?;
    let (verdict, reasons) = d.verdict()?;
    let grant_to = match grant_role.map(str::trim).filter(|r| !r.is_empty() && *r != "requester") {
        Some(r) => {
            GrantTo::Role(Role::parse(r).ok_or_else(|| AppError::invalid("grant_to", format!("{r:?} is not a role")))?)
        }
        None => GrantTo::Requester,
    };
    if expires_at.is_some_and(|e| e <= state.now()) {
        return Err(AppError::invalid("expires_at", "The expiry must be in the future"));
    }
    let v = view_request(state, user, id).await?;
    d.check_step(user, &v.request.approval)?;
    d.check_decider(&v.request.approval, &v.can_decide)?;
    Ok(state
        .store()
        .app_request_decide(id, d.step, user.id(), verdict, reasons, grant_to, expires_at, user.actor.at(state.now()))
        .await?)
}

/// The requester withdraws before a final decision.
pub async fn withdraw(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<AppRequestRecord, AppError> {
    let r =
        state.store().app_request_get(id).await?.ok_or_else(|| AppError::NotFound(format!("No app request {id}.")))?;
    crate::approvals::withdraw(state, user, r.approval.id).await?;
    state.store().app_request_get(id).await?.ok_or_else(|| AppError::NotFound(format!("No app request {id}.")))
}
