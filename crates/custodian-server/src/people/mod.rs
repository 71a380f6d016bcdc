//! People (WP034 4.1, 4.12): who may list and see whom, and declared personal numbers shown
//! only with a reason, which is logged.
//!
//! Use cases behind both the API and the web interface: authorise, load, apply the domain rule,
//! then persist together with the audit event (the store does the last two in one transaction).
//! Handlers stay thin.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_store::{AuditEntry, Page, Person};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub fn person_resource(p: &Person) -> Resource {
    Resource::Person { id: p.id, line_manager: p.line_manager_id, business_area: Some(p.business_area.clone()) }
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
                .log_view(
                    user,
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

/// The most people a chooser suggests at once.
pub const SUGGESTIONS: usize = 10;

/// Whom a person chooser offers: anyone the user may see (Cedar `people.view` on each), or the
/// people a task may name, which the user may be offered because they do that task even where
/// they may not see everyone: the Digital Media Investigators for a monitoring case (WP034 5.5),
/// the Senior Investigating Officers for an investigation's posts (6.3e), the people of a
/// monitoring round's business areas for its exclusions (5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    Visible,
    Role(custodian_domain::people::Role),
    Round(Uuid),
}

impl Among {
    /// A chooser's `among` as its page writes it: `dmi`, `sio`, `round:ID`, or empty.
    pub fn parse(s: &str) -> Self {
        use custodian_domain::people::Role;
        match s.trim() {
            "dmi" => Among::Role(Role::Dmi),
            "sio" => Among::Role(Role::Sio),
            r => r.strip_prefix("round:").and_then(|id| Uuid::parse_str(id).ok()).map_or(Among::Visible, Among::Round),
        }
    }
}

/// Which active people `among` offers `user`: a test on each person, or `None` when the user
/// does not do the task that names them (then nobody is offered).
async fn offers(
    state: &AppState,
    user: &CurrentUser,
    among: Among,
) -> Result<Option<Box<dyn Fn(&Person) -> bool + Send + Sync>>, AppError> {
    use custodian_domain::people::Role;
    Ok(match among {
        Among::Visible => {
            let (state, user) = (state.clone(), user.clone());
            Some(Box::new(move |p: &Person| state.allows(&user, Action::PeopleView, &person_resource(p))))
        }
        Among::Role(role) => {
            let action = match role {
                Role::Dmi => Action::MonitoringRoundsManage,
                Role::Sio => Action::PostsInvestigations,
                _ => return Ok(None),
            };
            state.allows(user, action, &Resource::System).then(|| {
                Box::new(move |p: &Person| p.roles.contains(&role)) as Box<dyn Fn(&Person) -> bool + Send + Sync>
            })
        }
        Among::Round(id) => {
            if !state.allows(user, Action::MonitoringRoundsManage, &Resource::System) {
                return Ok(None);
            }
            let areas: Vec<String> = state
                .store()
                .monitoring_round(id)
                .await?
                .map(|r| r.areas.into_iter().map(|a| a.business_area).collect())
                .unwrap_or_default();
            Some(Box::new(move |p: &Person| areas.contains(&p.business_area)))
        }
    })
}

/// Active people whose name, staff number or e-mail contains `q`, among those `among` offers
/// the user: a chooser's suggestions.
pub async fn suggest(state: &AppState, user: &CurrentUser, q: &str, among: Among) -> Result<Vec<Person>, AppError> {
    let q = q.trim();
    if q.chars().count() < 2 {
        return Ok(vec![]);
    }
    let Some(offered) = offers(state, user, among).await? else { return Ok(vec![]) };
    let filter = custodian_store::PersonFilter {
        q: Some(q.to_string()),
        status: Some(custodian_domain::people::PersonStatus::Active),
        ..Default::default()
    };
    let found = state.store().people(&filter, 1, 100).await?.items;
    Ok(found.into_iter().filter(|p| offered(p)).take(SUGGESTIONS).collect())
}

/// The staff number a task's chooser names in `field` (its `what` in messages: "the Digital
/// Media Investigator"): a staff number typed, a person as the suggestions show them ("Jack
/// Thornton (A1018)"), or the full name of the one active person of that name `among` offers.
/// A staff number is passed on as typed, for the task to check; an empty field is a problem
/// only when `required`.
pub async fn chosen_staff_number(
    state: &AppState,
    user: &CurrentUser,
    field: &str,
    what: &str,
    input: &str,
    among: Among,
    required: bool,
) -> Result<String, AppError> {
    let sn = custodian_domain::people::staff_number_in(input);
    if sn.is_empty() {
        return if required {
            Err(AppError::invalid(field, format!("Enter the name or staff number of {what}")))
        } else {
            Ok(String::new())
        };
    }
    if !sn.contains(' ') {
        return Ok(sn.to_string());
    }
    let offered = offers(state, user, among).await?;
    let none = format!("No one you can choose is called {sn}: enter the staff number of {what}, for example A1018");
    let p = one_called(state, field, sn, none, |p| offered.as_ref().is_some_and(|o| o(p))).await?;
    Ok(p.staff_number)
}

/// The one active person called `name` (in any case) that `may_choose` lets the chooser pick, or
/// a problem on `field`: nobody (`none` says what to type instead) or several of that name.
async fn one_called(
    state: &AppState,
    field: &str,
    name: &str,
    none: String,
    may_choose: impl Fn(&Person) -> bool,
) -> Result<Person, AppError> {
    let filter = custodian_store::PersonFilter {
        q: Some(name.to_string()),
        status: Some(custodian_domain::people::PersonStatus::Active),
        ..Default::default()
    };
    let found = state.store().people(&filter, 1, 100).await?.items;
    let mut same: Vec<Person> =
        found.into_iter().filter(|p| p.name.trim().eq_ignore_ascii_case(name) && may_choose(p)).collect();
    match same.len() {
        1 => Ok(same.remove(0)),
        0 => Err(AppError::invalid(field, none)),
        n => Err(AppError::invalid(
            field,
            format!("{n} people are called {name}: enter the staff number of the one you mean"),
        )),
    }
}

/// The person a form's chooser names in `field` (its `what` in messages: "your deputy"): a
/// staff number ("A1018"), a person as pages show them ("Jack Thornton (A1018)"), or the full
/// name, in any case, of the one active person of that name the user may see. Several of that
/// name, or none, is a problem on the field saying what to type.
pub async fn chosen(
    state: &AppState,
    user: &CurrentUser,
    field: &str,
    what: &str,
    input: &str,
) -> Result<Person, AppError> {
    let sn = custodian_domain::people::staff_number_in(input);
    if sn.is_empty() {
        return Err(AppError::invalid(field, format!("Enter the name or staff number of {what}")));
    }
    if let Some(p) = state.store().person_by_staff_number(sn).await? {
        return Ok(p);
    }
    if !sn.contains(' ') {
        return Err(AppError::invalid(
            field,
            format!("No person has staff number {sn}: check it, or enter their full name"),
        ));
    }
    let none = format!("No one you can choose is called {sn}: enter {what}'s staff number, for example A1018");
    one_called(state, field, sn, none, |p| state.allows(user, Action::PeopleView, &person_resource(p))).await
}
