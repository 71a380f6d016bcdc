//! Devices (WP034 1.2, 4.1, 4.7): the register, allocation to one named person, the holder's
//! receipt and loss reports, and every other change of status.
//!
//! Use cases behind both the API and the web interface: authorise, load, apply the domain rule,
//! then persist together with the audit event (the store does the last two in one transaction).
//! Handlers stay thin.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::devices::DeviceStatus;
use custodian_store::Device;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub fn device_resource(d: &Device) -> Resource {
    Resource::Device { id: d.id, holder: d.holder_id, holder_line_manager: d.holder_line_manager_id }
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

/// The person a form names in its `staff_number` field: by staff number ("A1018"), as the page
/// offers them ("Jack Thornton (A1018)"), or by their full name when one active person has it.
pub(crate) async fn person_named(state: &AppState, input: &str) -> Result<custodian_store::Person, AppError> {
    let sn = custodian_domain::people::staff_number_in(input);
    if sn.is_empty() {
        return Err(AppError::invalid(
            "staff_number",
            "Enter the name or staff number of the person receiving the device",
        ));
    }
    if let Some(p) = state.store().person_by_staff_number(sn).await? {
        return Ok(p);
    }
    if sn.contains(' ') {
        let filter = custodian_store::PersonFilter {
            q: Some(sn.to_string()),
            status: Some(custodian_domain::people::PersonStatus::Active),
            ..Default::default()
        };
        let found = state.store().people(&filter, 1, 50).await?.items;
        let mut same: Vec<_> = found.into_iter().filter(|p| p.name.eq_ignore_ascii_case(sn)).collect();
        return match same.len() {
            1 => Ok(same.remove(0)),
            0 => Err(AppError::invalid(
                "staff_number",
                format!("No one is called {sn}: choose from the list or enter a staff number"),
            )),
            n => Err(AppError::invalid(
                "staff_number",
                format!("{n} people are called {sn}: enter the staff number of the one you mean"),
            )),
        };
    }
    Err(AppError::invalid("staff_number", format!("No person has staff number {sn}")))
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
    let person = person_named(state, staff_number).await?;
    Ok(state.store().allocate(device, person.id, reason.trim(), user.actor.at(state.now())).await?)
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
    if status.trim().is_empty() {
        return Err(AppError::invalid("status", "Choose the device's new status"));
    }
    let to = DeviceStatus::parse(status)
        .ok_or_else(|| AppError::invalid("status", format!("{status:?} is not a device status")))?;
    if to == DeviceStatus::Allocated {
        return Err(AppError::invalid("status", "Use allocation to give a device to a person"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Give the reason for the change"));
    }
    Ok(state.store().transition(device, to, reason.trim(), user.actor.at(state.now())).await?)
}

/// Read a date-time field of a correction: RFC 3339, or a date taken as 00:00 Europe/London.
fn correction_time(field: &str, s: Option<&str>) -> Result<Option<time::OffsetDateTime>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            custodian_domain::imports::parse_allocated_from(s).map(Some).map_err(|m| AppError::invalid(field, m))
        }
    }
}

/// Correct an allocation's start and/or end (Digital Services, WP034 4.1): the reason is
/// required and audited with the dates before and after; overlaps with the device's other
/// allocations are refused. The device's stored usage over the changed period is then
/// attributed again (WP034 4.1, 4.2).
pub async fn correct_allocation(
    state: &AppState,
    user: &CurrentUser,
    device: Uuid,
    allocation: Uuid,
    start: Option<&str>,
    end: Option<&str>,
    reason: &str,
) -> Result<(Device, custodian_store::usage::Reattribution), AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesCorrectAllocation, &device_resource(&d))?;
    let allocations = state.store().allocations(device).await?;
    let Some(a) = allocations.iter().find(|a| a.id == allocation) else {
        return Err(AppError::NotFound(format!("No allocation {allocation} of device {}.", d.asset_tag)));
    };
    // Moving one's own allocation would move one's own usage, and its findings, to someone else
    // or to nobody: another member of Digital Services corrects it.
    if a.person_id == user.id() {
        return Err(AppError::Forbidden(
            "Nobody corrects their own allocation: another member of Digital Services must (WP034 4.1).".into(),
        ));
    }
    let start = correction_time("allocated_at", start)?;
    let end = correction_time("ended_at", end)?;
    if start.is_none() && end.is_none() {
        return Err(AppError::invalid("allocated_at", "Give the corrected start, end or both"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "Give the reason for the correction (it is audited, WP034 4.1)"));
    }
    if let Some(c) = crate::forms::forbidden_character(reason) {
        return Err(crate::forms::forbidden_character_error("reason", c));
    }
    apply_allocation_correction(state.store(), allocation, start, end, reason.trim(), &user.actor, state.now()).await
}

/// The correction and the re-attribution that follows it, without a permission check (for
/// [`correct_allocation`] and tests).
pub async fn apply_allocation_correction(
    store: &custodian_store::Store,
    allocation: Uuid,
    start: Option<time::OffsetDateTime>,
    end: Option<time::OffsetDateTime>,
    reason: &str,
    actor: &custodian_store::Actor,
    now: time::OffsetDateTime,
) -> Result<(Device, custodian_store::usage::Reattribution), AppError> {
    let c = store.correct_allocation(allocation, start, end, reason, actor.at(now)).await?;
    let scope = custodian_store::usage::ReattributeScope {
        devices: Some(vec![c.device.id]),
        from_us: Some(c.from_us),
        to_us: c.to_us,
    };
    let r = store.reattribute_usage(&scope, custodian_domain::usage::UsagePack::shipped(), actor.at(now)).await?;
    Ok((c.device, r))
}

pub async fn confirm_receipt(state: &AppState, user: &CurrentUser, device: Uuid) -> Result<Device, AppError> {
    let d = load_device(state, device).await?;
    state.require(user, Action::DevicesConfirmReceipt, &device_resource(&d))?;
    Ok(state.store().confirm_receipt(device, user.id(), user.actor.at(state.now())).await?)
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
        state.store().report_loss(device, user.id(), stolen, circumstances.trim(), user.actor.at(state.now())).await?;
    Ok(d)
}
