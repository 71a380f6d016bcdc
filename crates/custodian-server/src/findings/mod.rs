//! Findings (WP034 4.10): who may see which, and their review by the teams that handle them.
//!
//! Use cases behind both the API and the web interface: authorise, load, apply the domain rule,
//! then persist together with the audit event (the store does the last two in one transaction).
//! Handlers stay thin.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::findings::{Consideration, FindingStatus, Outcome};
use custodian_store::{AuditEntry, Finding, FindingFilter, Page, Visibility};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub fn finding_resource(f: &Finding) -> Resource {
    // Findings about the data rather than a person's use (usage.unrecognised_number) are for
    // Digital Services: the subject's line manager neither sees nor reviews them.
    let subject_line_manager =
        if custodian_domain::findings::for_digital_services_only(&f.rule) { None } else { f.person_line_manager_id };
    Resource::Finding { id: f.id, subject: f.person_id, subject_line_manager }
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
        .log_view(user, AuditEntry::new("finding.view", format!("finding:{id}")).clause("4.10").justification(why))
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

/// A reviewer's decision on a finding, as a form or the API gives it.
pub struct Review<'a> {
    pub status: &'a str,
    pub outcome: Option<&'a str>,
    pub reasons: Option<&'a str>,
    /// The considerations of WP034 4.10 they weighed, by name.
    pub considerations: &'a [String],
}

pub async fn review(state: &AppState, user: &CurrentUser, id: Uuid, r: Review<'_>) -> Result<Finding, AppError> {
    let Review { status, outcome, reasons, considerations } = r;
    let f = state.store().finding(id).await?.ok_or_else(|| AppError::NotFound(format!("No finding with id {id}.")))?;
    state.require(user, Action::FindingsReview, &finding_resource(&f))?;
    let to = FindingStatus::parse(status)
        .ok_or_else(|| AppError::invalid("status", format!("{status:?} is not under_review or closed")))?;
    let outcome = match outcome.map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => {
            // Only a reviewer's outcomes: `resolved` (a later export showed the device healthy) and
            // `reattributed` (the allocation history was corrected, WP034 4.1) are Custodian's own.
            Some(
                Outcome::parse(o)
                    .filter(|o| Outcome::ALL.contains(o))
                    .ok_or_else(|| AppError::invalid("outcome", format!("{o:?} is not an outcome")))?,
            )
        }
        None => None,
    };
    if to == FindingStatus::Closed && outcome.is_none() {
        return Err(AppError::invalid("outcome", "Choose an outcome to close the finding"));
    }
    if to == FindingStatus::Closed && reasons.map(str::trim).unwrap_or("").is_empty() {
        return Err(AppError::invalid("reasons", "Give your reasons (WP034 4.10: judged case by case)"));
    }
    let considered = Consideration::parse_all(considerations).map_err(|e| AppError::invalid("considerations", e))?;
    Ok(state
        .store()
        .review_finding(id, to, outcome, reasons.map(str::trim), &considered, user.id(), user.actor.at(state.now()))
        .await?)
}
