//! The use cases behind both the API and the web interface: authorise, load, apply the domain
//! rule, then persist together with the audit event (the store does the last two in one
//! transaction). Handlers stay thin.

use custodian_authz::{Action, Resource};
use custodian_domain::devices::DeviceStatus;
use custodian_domain::findings::{FindingStatus, Outcome};
use custodian_domain::imports::{self, ImportAuthority, RowError};
use custodian_domain::people::StaffNumber;
use custodian_store::{Actor, AuditEntry, Device, Finding, FindingFilter, ImportSummary, Page, Person, Visibility};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub fn device_resource(d: &Device) -> Resource {
    Resource::Device { id: d.id, holder: d.holder_id, holder_line_manager: d.holder_line_manager_id }
}

pub fn person_resource(p: &Person) -> Resource {
    Resource::Person { id: p.id, line_manager: p.line_manager_id, business_area: Some(p.business_area.clone()) }
}

pub fn finding_resource(f: &Finding) -> Resource {
    Resource::Finding { id: f.id, subject: f.person_id, subject_line_manager: f.person_line_manager_id }
}

pub async fn load_device(state: &AppState, id: Uuid) -> Result<Device, AppError> {
    state.store().device(id).await?.ok_or_else(|| AppError::NotFound(format!("No device with id {id}.")))
}

/// A device, if the user may see it (WP034 4.1: the holder, their line manager, and the teams
/// that manage devices).
pub async fn view_device(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Device, AppError> {
    let d = load_device(state, id).await?;
    state.require(user, Action::DevicesView, &device_resource(&d))?;
    Ok(d)
}

pub async fn allocate(
    state: &AppState,
    user: &CurrentUser,
    device: Uuid,
    staff_number: &str,
    reason: &str,
) -> Result<Device, AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesAllocate, &device_resource(&d))?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Give the reason for the allocation"));
    }
    let sn = staff_number.trim();
    if sn.is_empty() {
        return Err(AppError::invalid("staff_number", "Enter the staff number of the person receiving the device"));
    }
    let person = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("staff_number", format!("No person has staff number {sn}")))?;
    Ok(state.store().allocate(device, person.id, reason.trim(), &user.actor, state.now()).await?)
}

pub async fn transition(
    state: &AppState,
    user: &CurrentUser,
    device: Uuid,
    status: &str,
    reason: &str,
) -> Result<Device, AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesTransition, &device_resource(&d))?;
    let to = DeviceStatus::parse(status)
        .ok_or_else(|| AppError::invalid("status", format!("{status:?} is not a device status")))?;
    if to == DeviceStatus::Allocated {
        return Err(AppError::invalid("status", "Use allocation to give a device to a person"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Give the reason for the change"));
    }
    Ok(state.store().transition(device, to, reason.trim(), &user.actor, state.now()).await?)
}

pub async fn confirm_receipt(state: &AppState, user: &CurrentUser, device: Uuid) -> Result<Device, AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesConfirmReceipt, &device_resource(&d))?;
    Ok(state.store().confirm_receipt(device, user.id(), &user.actor, state.now()).await?)
}

pub async fn report_loss(
    state: &AppState,
    user: &CurrentUser,
    device: Uuid,
    stolen: bool,
    circumstances: &str,
) -> Result<Device, AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesReportLoss, &device_resource(&d))?;
    if circumstances.trim().is_empty() {
        return Err(AppError::invalid("circumstances", "Say when and where the device was last seen"));
    }
    let (d, _) =
        state.store().report_loss(device, user.id(), stolen, circumstances.trim(), &user.actor, state.now()).await?;
    Ok(d)
}

/// A finding, if the user may see it; the view is logged with who, when and why (need to know).
pub async fn view_finding(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Finding, AppError> {
    let f = state.store().finding(id).await?.ok_or_else(|| AppError::NotFound(format!("No finding with id {id}.")))?;
    let decision = state.authz().decide(&user.principal, Action::FindingsView, &finding_resource(&f));
    if !(decision.allowed && user.scope_allows(Action::FindingsView)) {
        return Err(AppError::Forbidden("You do not have permission to view this finding.".into()));
    }
    let why = format!("access under policy {}", decision.policies.join(", "));
    state
        .store()
        .log_view(
            &user.actor,
            state.now(),
            AuditEntry::new("finding.view", format!("finding:{id}")).clause("4.10").justification(why),
        )
        .await?;
    Ok(f)
}

/// Findings the user may see: everything for the teams that handle them, otherwise their own
/// and their direct reports' (WP034 4.10: line managers judge their people's findings).
pub async fn list_findings(
    state: &AppState,
    user: &CurrentUser,
    mut filter: FindingFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<Finding>, AppError> {
    state.require(user, Action::FindingsList, &custodian_authz::Resource::System)?;
    let all = state.allows(user, Action::FindingsExport, &Resource::System);
    filter.visible_to = Some(Visibility { person_id: user.id(), all });
    Ok(state.store().findings(&filter, page, per_page).await?)
}

pub async fn review(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    status: &str,
    outcome: Option<&str>,
    reasons: Option<&str>,
) -> Result<Finding, AppError> {
    let f = state.store().finding(id).await?.ok_or_else(|| AppError::NotFound(format!("No finding with id {id}.")))?;
    state.require(user, Action::FindingsReview, &finding_resource(&f))?;
    let to = FindingStatus::parse(status)
        .ok_or_else(|| AppError::invalid("status", format!("{status:?} is not under_review or closed")))?;
    let outcome = match outcome.map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => {
            Some(Outcome::parse(o).ok_or_else(|| AppError::invalid("outcome", format!("{o:?} is not an outcome")))?)
        }
        None => None,
    };
    if to == FindingStatus::Closed && outcome.is_none() {
        return Err(AppError::invalid("outcome", "Choose an outcome to close the finding"));
    }
    if to == FindingStatus::Closed && reasons.map(str::trim).unwrap_or("").is_empty() {
        return Err(AppError::invalid("reasons", "Give your reasons (WP034 4.10: judged case by case)"));
    }
    Ok(state
        .store()
        .review_finding(id, to, outcome, reasons.map(str::trim), user.id(), &user.actor, state.now())
        .await?)
}

/// A person's record; declared personal numbers are sensitive and shown only with a reason
/// (at least ten characters and two words, else an error on `reason`), which is logged.
pub async fn view_person(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    reason: Option<&str>,
) -> Result<(Person, bool), AppError> {
    let p = state.store().person(id).await?.ok_or_else(|| AppError::NotFound(format!("No person with id {id}.")))?;
    state.require(user, Action::PeopleView, &person_resource(&p))?;
    let sensitive = match reason {
        Some(raw) if p.id != user.id() => {
            // A real reason (WP034 4.12, need to know), not "x": checked before anything is shown.
            let r = custodian_domain::validate::access_reason(raw).map_err(|m| AppError::invalid("reason", m))?;
            let r = r.as_str();
            state
                .store()
                .log_view(
                    &user.actor,
                    state.now(),
                    AuditEntry::new("person.view_personal_numbers", format!("person:{}", p.staff_number))
                        .clause("4.12")
                        .justification(r),
                )
                .await?;
            true
        }
        _ => p.id == user.id(),
    };
    Ok((p, sensitive))
}

/// People the user may list: everyone for the teams that need it; a Head of Department only
/// their own business area (need to know).
pub async fn list_people(
    state: &AppState,
    user: &CurrentUser,
    mut filter: custodian_store::PersonFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<Person>, AppError> {
    state.require(user, Action::PeopleList, &Resource::System)?;
    let elsewhere = Resource::Person { id: Uuid::nil(), line_manager: None, business_area: None };
    if !state.allows(user, Action::PeopleView, &elsewhere) {
        filter.business_area = Some(user.person.business_area.clone());
    }
    Ok(state.store().people(&filter, page, per_page).await?)
}

/// The outcome of an import: what was written, and the rows rejected or skipped.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportOutcome {
    pub summary: ImportSummary,
    pub skipped: Vec<RowError>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn rejected(errors: Vec<RowError>) -> AppError {
    let detail = format!(
        "The file has {} invalid row{}; nothing was imported. Fix them, or import with skip_invalid to import the valid rows.",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    AppError::Invalid { detail, errors: errors.into_iter().map(crate::error::FieldProblem::from).collect() }
}

/// Import an HR export of people. An actor with no person identity (the demo seed) imports as
/// the system operator, roles included; a person's actor imports with no right to change roles
/// (a signed-in user's import goes through [`crate::heavy::import`] with [`people_authority`]).
pub async fn import_people(
    state_store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<ImportOutcome, AppError> {
    let authority = match actor.person_id {
        None => ImportAuthority::operator(),
        Some(_) => ImportAuthority { may_change_roles: false, importer: None, ignore_roles: false },
    };
    import_people_with_progress(
        state_store,
        &authority,
        actor,
        now,
        bytes,
        skip_invalid,
        &custodian_store::no_progress,
        &|_| {},
    )
    .await
}

/// What a signed-in user or token may change through the people import (the web upload and
/// `POST /api/v1/imports/people`). Anyone allowed `people.import` creates people and updates HR
/// fields; only an administrator (`users.manage`, WP034 4.1) changes roles, and nobody their own
/// roles, line manager or status, nor makes themselves someone's line manager. Refused changes
/// reject their rows with the line and field, or, with `ignore_roles`, role changes are ignored
/// (stored roles kept, new people get none) and listed in the summary's `ignored`.
pub fn people_authority(state: &AppState, user: &CurrentUser, ignore_roles: bool) -> Result<ImportAuthority, AppError> {
    state.require(user, Action::PeopleImport, &Resource::System)?;
    Ok(ImportAuthority {
        may_change_roles: state.allows(user, Action::UsersManage, &Resource::System),
        importer: Some(
            StaffNumber::parse(&user.person.staff_number)
                .map_err(|m| AppError::Forbidden(format!("Your own staff number is not usable here: {m}")))?,
        ),
        ignore_roles,
    })
}

/// Rows of `rows` whose line manager is neither in `rows` nor stored are removed, with an error
/// each, until none is left (a row whose manager was removed cannot be linked either).
async fn drop_unlinked_managers(
    state_store: &custodian_store::Store,
    rows: &mut Vec<imports::PersonRow>,
    errors: &mut Vec<RowError>,
) -> Result<(), AppError> {
    loop {
        let more = state_store.unknown_managers(rows).await?;
        if more.is_empty() {
            return Ok(());
        }
        let lines: std::collections::HashSet<u64> = more.iter().map(|e| e.line).collect();
        rows.retain(|r| !lines.contains(&r.line));
        errors.extend(more);
    }
}

/// [`import_people`] with the importer's `authority`, reporting the row count once parsed
/// (`total`) and rows applied (`progress`).
#[allow(clippy::too_many_arguments)]
pub async fn import_people_with_progress(
    state_store: &custodian_store::Store,
    authority: &ImportAuthority,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
    progress: custodian_store::Progress<'_>,
    total: &(dyn Fn(u64) + Send + Sync),
) -> Result<ImportOutcome, AppError> {
    let parsed = imports::parse_people_csv(bytes).map_err(|e| rejected(vec![e]))?;
    let mut errors = parsed.errors;
    let mut rows = parsed.rows;
    errors.extend(state_store.unknown_managers(&rows).await?);
    if !errors.is_empty() {
        if !skip_invalid {
            errors.sort_by_key(|e| e.line);
            return Err(rejected(errors));
        }
        let bad: std::collections::HashSet<u64> = errors.iter().map(|e| e.line).collect();
        rows.retain(|r| !bad.contains(&r.line));
        drop_unlinked_managers(state_store, &mut rows, &mut errors).await?;
    }
    total(rows.len() as u64);
    // The store checks every row against the importer's authority inside its transaction; rows
    // it refuses reject the file, or are skipped with `skip_invalid` and the rest imported again.
    loop {
        match state_store.import_people(&rows, authority, actor, now, &sha256_hex(bytes), progress).await? {
            Ok(summary) => {
                errors.sort_by_key(|e| e.line);
                return Ok(ImportOutcome { summary, skipped: errors });
            }
            Err(refused) if !skip_invalid => {
                errors.extend(refused);
                errors.sort_by_key(|e| e.line);
                return Err(rejected(errors));
            }
            Err(refused) => {
                let lines: std::collections::HashSet<u64> = refused.iter().map(|e| e.line).collect();
                rows.retain(|r| !lines.contains(&r.line));
                errors.extend(refused);
                drop_unlinked_managers(state_store, &mut rows, &mut errors).await?;
            }
        }
    }
}

/// Import the device register (`custodian import devices`).
pub async fn import_devices(
    store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<ImportOutcome, AppError> {
    import_devices_with_progress(store, actor, now, bytes, skip_invalid, &custodian_store::no_progress, &|_| {}).await
}

/// [`import_devices`] reporting the row count once parsed (`total`) and rows applied (`progress`).
pub async fn import_devices_with_progress(
    store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
    progress: custodian_store::Progress<'_>,
    total: &(dyn Fn(u64) + Send + Sync),
) -> Result<ImportOutcome, AppError> {
    let parsed = imports::parse_devices_csv(bytes).map_err(|e| rejected(vec![e]))?;
    let mut errors = parsed.errors;
    let mut rows = parsed.rows;
    for r in &rows {
        if let Some(sn) = &r.allocated_to
            && store.person_by_staff_number(sn.as_str()).await?.is_none()
        {
            errors.push(RowError {
                line: r.line,
                field: Some("allocated_to".into()),
                message: format!("no person with staff number {sn}"),
            });
        }
    }
    if !errors.is_empty() && !skip_invalid {
        errors.sort_by_key(|e| e.line);
        return Err(rejected(errors));
    }
    let bad: std::collections::HashSet<u64> = errors.iter().map(|e| e.line).collect();
    rows.retain(|r| !bad.contains(&r.line));
    errors.sort_by_key(|e| e.line);
    total(rows.len() as u64);
    let summary = store.import_devices(&rows, actor, now, &sha256_hex(bytes), progress).await?;
    Ok(ImportOutcome { summary, skipped: errors })
}

/// Apply a Microsoft Intune managedDevices export (`custodian import intune`).
pub async fn import_intune(
    store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<ImportOutcome, AppError> {
    import_intune_with_progress(store, actor, now, bytes, skip_invalid, &custodian_store::no_progress, &|_| {}).await
}

/// [`import_intune`] reporting the device count once parsed (`total`) and devices applied.
pub async fn import_intune_with_progress(
    store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    skip_invalid: bool,
    progress: custodian_store::Progress<'_>,
    total: &(dyn Fn(u64) + Send + Sync),
) -> Result<ImportOutcome, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|e| AppError::invalid("file", format!("not UTF-8: {e}")))?;
    let parsed = imports::parse_intune_json(text).map_err(|e| rejected(vec![e]))?;
    if !parsed.errors.is_empty() && !skip_invalid {
        return Err(rejected(parsed.errors));
    }
    total(parsed.rows.len() as u64);
    let summary = store.import_intune(&parsed.rows, actor, now, &sha256_hex(bytes), progress).await?;
    Ok(ImportOutcome { summary, skipped: parsed.errors })
}
