//! Imports of the people and device registers and of Intune exports: parse, check the
//! importer's authority, then apply with a summary of what was written and what was rejected.
//!
//! Use cases behind both the API and the web interface: authorise, load, apply the domain rule,
//! then persist together with the audit event (the store does the last two in one transaction).
//! Handlers stay thin.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::imports::{self, ImportAuthority, RowError};
use custodian_domain::people::StaffNumber;
use custodian_store::{Actor, ImportSummary};
use sha2::{Digest, Sha256};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The outcome of an import: what was written, and the rows rejected or skipped.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportOutcome {
    pub summary: ImportSummary,
    pub skipped: Vec<RowError>,
    /// What a device register import with `allocated_from` changed in the stored usage
    /// (WP034 4.1): records attributed again, findings closed and opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reattribution: Option<custodian_store::usage::Reattribution>,
}

/// One run of a register import: where it writes, as whom, when, the file, and how it reports
/// its progress (the row count once parsed, `total`, and the rows applied, `progress`).
#[derive(Clone, Copy)]
pub struct ImportRun<'a> {
    pub store: &'a custodian_store::Store,
    pub actor: &'a Actor,
    pub now: time::OffsetDateTime,
    pub bytes: &'a [u8],
    pub progress: custodian_store::Progress<'a>,
    pub total: &'a (dyn Fn(u64) + Send + Sync),
}

fn no_total(_: u64) {}

impl<'a> ImportRun<'a> {
    /// A run that reports no progress.
    pub fn quiet(
        store: &'a custodian_store::Store,
        actor: &'a Actor,
        now: time::OffsetDateTime,
        bytes: &'a [u8],
    ) -> Self {
        Self { store, actor, now, bytes, progress: &custodian_store::no_progress, total: &no_total }
    }
}

/// Which register import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterImport {
    People,
    Devices,
    /// A Microsoft Intune export; `allow_partial` imports one page of a longer export, and
    /// `register_new` registers the devices the register does not know.
    Intune {
        allow_partial: bool,
        register_new: bool,
    },
    /// An Android Management API export; `allow_partial` as for Intune.
    Amapi {
        allow_partial: bool,
    },
}

/// Run one register import of `kind`; a people import applies `people` (the importer's rights
/// over roles), and is refused without it.
pub async fn import_register(
    run: ImportRun<'_>,
    kind: RegisterImport,
    skip_invalid: bool,
    people: Option<&ImportAuthority>,
) -> Result<ImportOutcome, AppError> {
    match (kind, people) {
        (RegisterImport::People, Some(authority)) => import_people_with_progress(run, authority, skip_invalid).await,
        (RegisterImport::People, None) => Err(AppError::Forbidden("No rights over the people import".into())),
        (RegisterImport::Devices, _) => import_devices_with_progress(run, skip_invalid).await,
        (RegisterImport::Intune { allow_partial, register_new }, _) => {
            import_intune_with_progress(run, IntuneOptions { skip_invalid, allow_partial, register_new }).await
        }
        (RegisterImport::Amapi { allow_partial }, _) => {
            import_amapi_with_progress(run, skip_invalid, allow_partial).await
        }
    }
}

/// Run a register import on the blocking pool ([`AppState::offload`]: parsing a file of up to
/// 64 MB, then writing it, never stops the server answering others). The caller has checked the
/// user's permission; a people import carries the user's rights over roles
/// ([`people_authority`]), and `ignore_roles` applies to it alone.
pub async fn import_offloaded(
    state: &AppState,
    user: &CurrentUser,
    kind: RegisterImport,
    bytes: impl AsRef<[u8]> + Send + 'static,
    skip_invalid: bool,
    ignore_roles: bool,
) -> Result<ImportOutcome, AppError> {
    let (store, actor, now) = (state.store().clone(), user.actor.clone(), state.now());
    let authority = match kind {
        RegisterImport::People => Some(people_authority(state, user, ignore_roles)?),
        _ => None,
    };
    state
        .offload(async move {
            let run = ImportRun::quiet(&store, &actor, now, bytes.as_ref());
            import_register(run, kind, skip_invalid, authority.as_ref()).await
        })
        .await
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn rejected(errors: Vec<RowError>) -> AppError {
    let detail = format!(
        "The file has {} invalid row{}; nothing was imported. Fix them, or skip them and import the valid rows (--skip-invalid on the command line, skip_invalid=true in the API, or the checkbox on the imports page).",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    AppError::Invalid { detail, errors: errors.into_iter().map(crate::error::FieldProblem::from).collect() }
}

/// Import an HR export of people. An actor with no person identity (the demo seed) imports as
/// the system operator, roles included; a person's actor imports with no right to change roles
/// (a signed-in user's import goes through [`import_offloaded`] with [`people_authority`]).
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
    import_people_with_progress(ImportRun::quiet(state_store, actor, now, bytes), &authority, skip_invalid).await
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

/// [`import_people`] with the importer's `authority`, reporting its progress as `run` says.
pub async fn import_people_with_progress(
    run: ImportRun<'_>,
    authority: &ImportAuthority,
    skip_invalid: bool,
) -> Result<ImportOutcome, AppError> {
    let ImportRun { store: state_store, actor, now, bytes, progress, total } = run;
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
        match state_store.import_people(&rows, authority, actor.at(now), &sha256_hex(bytes), progress).await? {
            Ok(summary) => {
                errors.sort_by_key(|e| e.line);
                // New starters (and movers into a campaign's areas) are asked to acknowledge the
                // open policy campaigns (WP034 2.3).
                state_store.policy_campaigns_enrol_new(actor.at(now)).await?;
                return Ok(ImportOutcome { summary, skipped: errors, reattribution: None });
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
    import_devices_with_progress(ImportRun::quiet(store, actor, now, bytes), skip_invalid).await
}

/// [`import_devices`] reporting its progress as `run` says.
pub async fn import_devices_with_progress(run: ImportRun<'_>, skip_invalid: bool) -> Result<ImportOutcome, AppError> {
    let ImportRun { store, actor, now, bytes, progress, total } = run;
    let parsed = imports::parse_devices_csv(bytes).map_err(|e| rejected(vec![e]))?;
    let mut errors = parsed.errors;
    let mut rows = parsed.rows;
    // The people and devices the rows name, read once for the checks below.
    let staff: Vec<&str> = rows.iter().filter_map(|r| r.allocated_to.as_ref().map(StaffNumber::as_str)).collect();
    let tags: Vec<&str> = rows.iter().filter(|r| r.allocated_from.is_some()).map(|r| r.asset_tag.as_str()).collect();
    let refs = store.register_refs(&staff, &tags).await?;
    for r in &rows {
        if let Some(sn) = &r.allocated_to
            && !refs.people.contains_key(sn.as_str())
        {
            errors.push(RowError {
                line: r.line,
                field: Some("allocated_to".into()),
                message: format!("no person with staff number {sn}"),
            });
        }
    }
    // WP034 4.1: an allocation start in the future, or overlapping the recorded history.
    errors.extend(store.device_import_start_problems(&rows, now).await?);
    // Nobody dates their own allocations: a start that hands the importer's device to someone
    // else, or starts the importer's own, would move their usage and its findings.
    if let Some(me) = actor.person_id {
        for r in rows.iter().filter(|r| r.allocated_from.is_some()) {
            let mine_now = refs.devices.get(&r.asset_tag).is_some_and(|(_, holder)| *holder == Some(me));
            let to_me = r.allocated_to.as_ref().is_some_and(|sn| refs.people.get(sn.as_str()) == Some(&me));
            if mine_now || to_me {
                errors.push(RowError {
                    line: r.line,
                    field: Some("allocated_from".into()),
                    message: "this row dates an allocation of your own: another member of Digital Services must \
                              import it (WP034 4.1)"
                        .into(),
                });
            }
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
    let summary = store.import_devices(&rows, actor.at(now), &sha256_hex(bytes), progress).await?;
    let reattribution = reattribute_after_import(store, &rows, actor, now).await?;
    Ok(ImportOutcome { summary, skipped: errors, reattribution })
}

/// Devices named in one re-attribution before it reads every device's records in the period.
const REATTRIBUTE_DEVICE_LIST_MAX: usize = 500;

/// After a register import whose rows give `allocated_from`, attribute the stored usage of those
/// devices from the earliest start again (WP034 4.1, 4.2). Runs after the import commits: if it is
/// interrupted, `custodian usage reattribute` finishes it (it is idempotent).
async fn reattribute_after_import(
    store: &custodian_store::Store,
    rows: &[imports::DeviceRow],
    actor: &Actor,
    now: time::OffsetDateTime,
) -> Result<Option<custodian_store::usage::Reattribution>, AppError> {
    let started: Vec<&imports::DeviceRow> = rows.iter().filter(|r| r.allocated_from.is_some()).collect();
    let Some(from) = started.iter().filter_map(|r| r.allocated_from).min() else { return Ok(None) };
    let devices = if started.len() > REATTRIBUTE_DEVICE_LIST_MAX {
        None
    } else {
        let tags: Vec<&str> = started.iter().map(|r| r.asset_tag.as_str()).collect();
        let refs = store.register_refs(&[], &tags).await?;
        let ids: Vec<uuid::Uuid> =
            started.iter().filter_map(|r| refs.devices.get(&r.asset_tag).map(|(id, _)| *id)).collect();
        Some(ids)
    };
    reattribute_from(store, devices, from, actor, now).await.map(Some)
}

/// Attribute the stored usage of `devices` (every device when `None`) from `from` on again by
/// the allocation history (WP034 4.1, 4.2), after an import that started allocations.
async fn reattribute_from(
    store: &custodian_store::Store,
    devices: Option<Vec<uuid::Uuid>>,
    from: time::OffsetDateTime,
    actor: &Actor,
    now: time::OffsetDateTime,
) -> Result<custodian_store::usage::Reattribution, AppError> {
    let scope = custodian_store::usage::ReattributeScope {
        devices,
        from_us: Some((from.unix_timestamp_nanos() / 1000) as i64),
        to_us: None,
    };
    Ok(store.reattribute_usage(&scope, custodian_domain::usage::UsagePack::shipped(), actor.at(now)).await?)
}

/// How an Intune export is applied (`custodian import intune`, `POST /api/v1/imports/intune`,
/// the imports page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntuneOptions {
    /// Import the valid devices and list the invalid ones, instead of importing nothing.
    pub skip_invalid: bool,
    /// Import one page of a longer export (`@odata.nextLink` set) instead of refusing it.
    pub allow_partial: bool,
    /// Register the devices the register does not know, allocated to their primary user from
    /// `enrolledDateTime` (WP034 1.2, 4.1), instead of reporting them as unmatched.
    pub register_new: bool,
}

/// Apply a Microsoft Intune managedDevices export (`custodian import intune`). A Graph page that
/// is not the last (`@odata.nextLink` set) is refused unless `allow_partial`.
pub async fn import_intune(
    store: &custodian_store::Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
    options: IntuneOptions,
) -> Result<ImportOutcome, AppError> {
    import_intune_with_progress(ImportRun::quiet(store, actor, now, bytes), options).await
}

/// The refusal of one page of a longer export, saying how to fetch the rest.
fn partial_refused(warning: &RowError, what: &str, how: &str) -> AppError {
    AppError::Invalid {
        detail: format!(
            "This file is one page of a longer {what}: the devices on the other pages are missing, so nothing was imported. \
             {how} Or import this page anyway with --allow-partial (allow_partial=true in the API, or the checkbox on the imports page)."
        ),
        errors: vec![crate::error::FieldProblem::from(warning.clone())],
    }
}

/// An MDM export as parsed, checked before anything is applied: a partial export (the parser's
/// warning on `next_marker`) is refused unless `allow_partial`, and invalid entries refuse the
/// whole file unless `skip_invalid`.
fn mdm_checked<T>(
    parsed: imports::Parsed<T>,
    skip_invalid: bool,
    allow_partial: bool,
    next_marker: &str,
    what: &str,
    how: &str,
) -> Result<imports::Parsed<T>, AppError> {
    if !allow_partial && let Some(w) = parsed.warnings.iter().find(|w| w.field.as_deref() == Some(next_marker)) {
        return Err(partial_refused(w, what, how));
    }
    if !parsed.errors.is_empty() && !skip_invalid {
        return Err(rejected(parsed.errors));
    }
    Ok(parsed)
}

/// [`import_intune`] reporting its progress (devices) as `run` says. With `register_new`, the
/// devices it would register but may not (an enrolment in the future, the importer as primary
/// user) reject the file, or are skipped with `skip_invalid`; the usage of the devices it
/// allocates is then attributed again from the earliest start.
pub async fn import_intune_with_progress(
    run: ImportRun<'_>,
    options: IntuneOptions,
) -> Result<ImportOutcome, AppError> {
    let ImportRun { store, actor, now, bytes, progress, total } = run;
    let IntuneOptions { skip_invalid, allow_partial, register_new } = options;
    let text = imports::json_text(bytes, "Intune export").map_err(|e| rejected(vec![e]))?;
    let parsed = imports::parse_intune_json(text).map_err(|e| rejected(vec![e]))?;
    let mut parsed = mdm_checked(
        parsed,
        skip_invalid,
        allow_partial,
        imports::INTUNE_NEXT_LINK,
        "Intune (Microsoft Graph) export",
        "Fetch every page: follow each page's @odata.nextLink until a page has none (for example \
         Get-MgDeviceManagementManagedDevice -All in Microsoft Graph PowerShell, or Intune's Devices > Export), \
         and import the devices of all pages as one JSON array.",
    )?;
    if register_new {
        let refused = store.intune_registration_problems(&parsed.rows, actor.at(now)).await?;
        if !refused.is_empty() {
            if !skip_invalid {
                let mut errors = refused;
                errors.sort_by_key(|e| e.line);
                return Err(rejected(errors));
            }
            let lines: std::collections::HashSet<u64> = refused.iter().map(|e| e.line).collect();
            parsed.rows.retain(|d| !lines.contains(&(d.index as u64 + 1)));
            parsed.errors.extend(refused);
            parsed.errors.sort_by_key(|e| e.line);
        }
    }
    total(parsed.rows.len() as u64);
    let summary = store
        .import_intune(&parsed.rows, &parsed.warnings, register_new, actor.at(now), &sha256_hex(bytes), progress)
        .await?;
    let reattribution = match summary.allocations_started.iter().map(|(_, from)| *from).min() {
        Some(from) => {
            let devices = (summary.allocations_started.len() <= REATTRIBUTE_DEVICE_LIST_MAX)
                .then(|| summary.allocations_started.iter().map(|(d, _)| *d).collect());
            Some(reattribute_from(store, devices, from, actor, now).await?)
        }
        None => None,
    };
    Ok(ImportOutcome { summary, skipped: parsed.errors, reattribution })
}

/// Apply an Android Management API export (`custodian import amapi`): `enterprises.devices.list`
/// responses or a bare array of `Device` resources (WP034 4.7). A response with a
/// `nextPageToken` is refused unless `allow_partial`; progress is reported as `run` says.
pub async fn import_amapi_with_progress(
    run: ImportRun<'_>,
    skip_invalid: bool,
    allow_partial: bool,
) -> Result<ImportOutcome, AppError> {
    let ImportRun { store, actor, now, bytes, progress, total } = run;
    let text = imports::json_text(bytes, "Android Management API export").map_err(|e| rejected(vec![e]))?;
    let parsed = imports::parse_amapi_json(text).map_err(|e| rejected(vec![e]))?;
    let parsed = mdm_checked(
        parsed,
        skip_invalid,
        allow_partial,
        imports::AMAPI_NEXT_PAGE,
        "Android Management API device list",
        "Fetch every page: call enterprises.devices.list again with pageToken set to each response's \
         nextPageToken until a response has none, and import the devices of all pages as one JSON array.",
    )?;
    total(parsed.rows.len() as u64);
    let summary =
        store.import_amapi(&parsed.rows, &parsed.warnings, actor.at(now), &sha256_hex(bytes), progress).await?;
    Ok(ImportOutcome { summary, skipped: parsed.errors, reattribution: None })
}
