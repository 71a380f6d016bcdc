//! The register of social media accounts (WP034 6.1, 6.4, 6.6, 6.7, 9.1) in the server: the use
//! cases behind the "Social media accounts" pages, their API and `custodian accounts`.
//!
//! * A team manager requests an account; the request goes on the approval chain to Corporate
//!   Communications, whose approval makes it active (decided here, on the account's page, or on
//!   /approvals).
//! * Who sees an account: Corporate Communications and the auditor every one
//!   (`social_accounts.view_all`); anyone else the accounts they manage, are authorised to use or
//!   whose team runs them.
//! * Who changes it: its team manager (`social_accounts.team` and the relation, checked here) or
//!   Corporate Communications (`social_accounts.manage`). Only the team manager re-certifies the
//!   list of authorised users; only Corporate Communications record changed log-in details.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::posts::Platform;
use custodian_domain::social_accounts::{AccountKind, AccountStatus, SocialPack};
use custodian_store::audit::AuditEvent;
use custodian_store::social_accounts::{
    AccountDetail, AccountFilter, AccountImportSummary, AccountRequest, RegisterAccount, SweepSummary,
};
use custodian_store::{Actor, Store};
use uuid::Uuid;

use crate::approvals::RequestView;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// What a team manager fills in to request an account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub handle: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub audience: String,
    /// The owning team; the requester's business area when empty.
    #[serde(default)]
    pub owning_team: String,
    /// The team manager's staff number; the requester when empty.
    #[serde(default)]
    pub team_manager: String,
    /// corporate or departmental (the default).
    #[serde(default)]
    pub kind: String,
}

fn sees_all(state: &AppState, user: &CurrentUser) -> bool {
    state.allows(user, Action::SocialAccountsViewAll, &Resource::System)
}

fn manages(state: &AppState, user: &CurrentUser) -> bool {
    state.allows(user, Action::SocialAccountsManage, &Resource::System)
}

/// Whether the user is the account's team manager (and may act as one).
pub fn is_team_manager(state: &AppState, user: &CurrentUser, a: &RegisterAccount) -> bool {
    a.team_manager_id == Some(user.id()) && state.allows(user, Action::SocialAccountsTeam, &Resource::System)
}

/// The accounts the user may see, filtered.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    mut f: AccountFilter,
) -> Result<Vec<RegisterAccount>, AppError> {
    state.require(user, Action::SocialAccountsView, &Resource::System)?;
    if !sees_all(state, user) {
        f.visible_to = Some(user.id());
        f.team_of = Some(user.person.business_area.clone());
    }
    Ok(state.store().social_accounts(&f).await?)
}

/// An account with what the viewer may do on it.
pub struct AccountView {
    pub detail: AccountDetail,
    pub approval: Option<RequestView>,
    pub history: Vec<AuditEvent>,
    pub team_manager: bool,
    pub manager: bool,
}

impl AccountView {
    /// May change the authorised users, the profile, record posts and close the account.
    pub fn may_change(&self) -> bool {
        self.team_manager || self.manager
    }
}

async fn load(state: &AppState, id: Uuid) -> Result<AccountDetail, AppError> {
    state.store().social_account(id).await?.ok_or_else(|| AppError::NotFound(format!("No social media account {id}.")))
}

pub async fn view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<AccountView, AppError> {
    state.require(user, Action::SocialAccountsView, &Resource::System)?;
    let detail = load(state, id).await?;
    let a = &detail.account;
    let team_manager = is_team_manager(state, user, a);
    let uses = detail.users.iter().any(|u| u.person_id == user.id() && u.authorised_to.is_none());
    let may = sees_all(state, user)
        || team_manager
        || uses
        || a.owning_team == user.person.business_area
        || a.team_manager_id == Some(user.id());
    if !may {
        return Err(AppError::Forbidden(
            "Only the account's team, its team manager, the people authorised to use it and Corporate Communications see a social media account (WP034 6.7)."
                .into(),
        ));
    }
    let approval = match a.approval_id {
        Some(r) => match crate::approvals::view(state, user, r).await {
            Ok(v) => Some(v),
            Err(AppError::Forbidden(_) | AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let history = state.store().audit_page(Some(&format!("social_account:{id}")), None, 1, 100).await?.items;
    let manager = manages(state, user);
    Ok(AccountView { detail, approval, history, team_manager, manager })
}

/// The account, if the user may change it (its team manager or Corporate Communications).
async fn changeable(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<AccountDetail, AppError> {
    state.require(user, Action::SocialAccountsView, &Resource::System)?;
    let d = load(state, id).await?;
    if !(is_team_manager(state, user, &d.account) || manages(state, user)) {
        return Err(AppError::Forbidden(
            "Only the account's team manager and Corporate Communications change a social media account (WP034 6.6, 6.7)."
                .into(),
        ));
    }
    Ok(d)
}

/// Request an account: the store records it and opens the approval request to Corporate
/// Communications in one transaction. Returns (account id, approval request id).
pub async fn request(state: &AppState, user: &CurrentUser, f: &RequestForm) -> Result<(Uuid, Uuid), AppError> {
    state.require(user, Action::SocialAccountsRequest, &Resource::System)?;
    let platform = Platform::parse(&f.platform).ok_or_else(|| {
        let all: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        AppError::invalid("platform", format!("Choose one of {}", all.join(", ")))
    })?;
    let kind = match f.kind.trim() {
        "" => AccountKind::Departmental,
        k => k.parse().map_err(|_| AppError::invalid("kind", "Choose corporate or departmental"))?,
    };
    let team_manager = match f.team_manager.trim() {
        "" => user.id(),
        sn => {
            let p = state
                .store()
                .person_by_staff_number(sn)
                .await?
                .ok_or_else(|| AppError::invalid("team_manager", format!("No person with staff number {sn}")))?;
            p.id
        }
    };
    let owning_team = match f.owning_team.trim() {
        "" => user.person.business_area.clone(),
        t => t.to_string(),
    };
    let r = AccountRequest {
        platform,
        handle: f.handle.clone(),
        purpose: f.purpose.clone(),
        audience: f.audience.clone(),
        owning_team,
        team_manager,
        corporate: kind.is_corporate(),
    };
    Ok(state.store().social_request(&r, user.actor.at(state.now())).await?)
}

/// Authorise a person, by staff number, to use the account (WP034 6.7).
pub async fn authorise(state: &AppState, user: &CurrentUser, id: Uuid, staff_number: &str) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    let sn = staff_number.trim();
    if sn.is_empty() {
        return Err(AppError::invalid("staff_number", "Give the staff number of the person to authorise"));
    }
    let p = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("staff_number", format!("No person with staff number {sn}")))?;
    Ok(state.store().social_authorise(id, p.id, user.actor.at(state.now())).await?)
}

pub async fn deauthorise(state: &AppState, user: &CurrentUser, id: Uuid, authorisation: Uuid) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    Ok(state.store().social_deauthorise(id, authorisation, user.actor.at(state.now())).await?)
}

/// Only the team manager re-certifies the list (WP034 6.7: "under the supervision of the team
/// manager").
pub async fn recertify(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<(), AppError> {
    state.require(user, Action::SocialAccountsTeam, &Resource::System)?;
    let d = load(state, id).await?;
    if !is_team_manager(state, user, &d.account) {
        return Err(AppError::Forbidden(
            "Only the account's team manager re-certifies its authorised users (WP034 6.7).".into(),
        ));
    }
    Ok(state.store().social_recertify(id, user.actor.at(state.now())).await?)
}

pub async fn update_profile(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    profile: &str,
    url: &str,
) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    Ok(state.store().social_update_profile(id, profile, url, user.actor.at(state.now())).await?)
}

/// Record a post made outside Custodian on a day (YYYY-MM-DD; today when empty).
pub async fn record_post(state: &AppState, user: &CurrentUser, id: Uuid, day: &str) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    let now = state.now();
    let at = match day.trim() {
        "" => now,
        d => {
            let date = crate::overseas::parse_day("day", d)?;
            if date > now.date() {
                return Err(AppError::invalid("day", "The post cannot be in the future"));
            }
            if date == now.date() { now } else { date.midnight().assume_utc() }
        }
    };
    Ok(state.store().social_record_post(id, at, user.actor.at(now)).await?)
}

pub async fn close(state: &AppState, user: &CurrentUser, id: Uuid, reason: &str) -> Result<(), AppError> {
    changeable(state, user, id).await?;
    Ok(state.store().social_close(id, reason, user.actor.at(state.now())).await?)
}

/// Corporate Communications record that the log-in details were changed (WP034 9.1).
pub async fn task_done(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    task: Uuid,
    outcome: &str,
) -> Result<(), AppError> {
    state.require(user, Action::SocialAccountsManage, &Resource::System)?;
    Ok(state.store().social_task_done(id, task, outcome, user.actor.at(state.now())).await?)
}

/// Raise the re-certification and dormancy tasks due now, with the shipped pack's parameters.
pub async fn sweep(store: &Store, now: time::OffsetDateTime) -> Result<SweepSummary, AppError> {
    Ok(store.social_sweep(SocialPack::shipped().register, Actor::system().at(now)).await?)
}

/// `custodian accounts import`: parse, then import all or nothing; errors name line and field.
pub async fn import(
    store: &Store,
    actor: &Actor,
    now: time::OffsetDateTime,
    bytes: &[u8],
) -> Result<AccountImportSummary, AppError> {
    let rows = custodian_domain::social_accounts::parse_import(bytes).map_err(rejected)?;
    match store.social_import(&rows, actor.at(now)).await? {
        Ok(s) => Ok(s),
        Err(errors) => Err(rejected(errors)),
    }
}

fn rejected(errors: Vec<custodian_domain::imports::RowError>) -> AppError {
    let detail = format!(
        "The file has {} invalid row{}; nothing was imported.",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    AppError::Invalid { detail, errors: errors.into_iter().map(crate::error::FieldProblem::from).collect() }
}

/// A status from a filter, or an error naming the field.
pub fn parse_status(s: Option<&str>) -> Result<Option<AccountStatus>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            AppError::invalid("status", "Choose requested, active, dormant, closed, refused or withdrawn")
        }),
    }
}

/// A platform from a filter, or an error naming the field.
pub fn parse_platform(s: Option<&str>) -> Result<Option<Platform>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Platform::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::invalid("platform", format!("{s:?} is not a platform"))),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The register as `custodian accounts list --format csv` writes it (the import's columns plus
/// the status, last post and open tasks); `authorised_users` as staff numbers separated by `;`.
pub fn list_csv(rows: &[(RegisterAccount, Vec<String>)]) -> String {
    let mut s = String::from(
        "platform,handle,url,team,team_manager,kind,profile,authorised_users,status,last_post_at,recertified_at,open_tasks\n",
    );
    let ts = |t: Option<time::OffsetDateTime>| {
        t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default()
    };
    for (a, users) in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            a.platform.as_str(),
            csv_field(&a.handle),
            csv_field(&a.url),
            csv_field(&a.owning_team),
            csv_field(a.team_manager_staff_number.as_deref().unwrap_or("")),
            AccountKind::from_corporate(a.corporate).as_str(),
            csv_field(&a.profile),
            csv_field(&users.join(";")),
            a.status.as_str(),
            ts(a.last_post_at),
            ts(a.recertified_at),
            a.open_tasks
        ));
    }
    s
}
