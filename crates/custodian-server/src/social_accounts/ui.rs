//! The "Social media accounts" pages (WP034 6.1, 6.4, 6.6, 6.7, 9.1): the register with its
//! filters, the request form, and each account with its approval, authorised users, tasks and
//! history. Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_authz::{Action, Resource};
use custodian_domain::posts::Platform;
use custodian_domain::social_accounts::AccountStatus;
use custodian_store::social_accounts::{AccountFilter, RegisterAccount};
use serde::Deserialize;
use uuid::Uuid;

use crate::approvals::ui::{EventView, StepView, step_views, timeline_views};
use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::social_accounts as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::display;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/accounts", get(list).post(create))
        .route("/accounts/new", get(new_account))
        .route("/accounts/{id}", get(show))
        .route("/accounts/{id}/decide", post(decide))
        .route("/accounts/{id}/users", post(authorise))
        .route("/accounts/{id}/users/{user}/end", post(deauthorise))
        .route("/accounts/{id}/recertify", post(recertify))
        .route("/accounts/{id}/profile", post(profile))
        .route("/accounts/{id}/posts", post(record_post))
        .route("/accounts/{id}/close", post(close))
        .route("/accounts/{id}/tasks/{task}/done", post(task_done))
}

fn status_class(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Requested => "govuk-tag--blue",
        AccountStatus::Active => "govuk-tag--green",
        AccountStatus::Dormant => "govuk-tag--yellow",
        AccountStatus::Closed => "govuk-tag--grey",
        AccountStatus::Refused => "govuk-tag--red",
        AccountStatus::Withdrawn => "govuk-tag--grey",
    }
}

fn when(t: Option<time::OffsetDateTime>) -> String {
    t.map(display::time_words).unwrap_or_else(|| "—".into())
}

struct AccountRow {
    id: Uuid,
    name: String,
    team: String,
    team_manager: String,
    kind: String,
    status: String,
    status_class: &'static str,
    last_post: String,
    open_tasks: i64,
}

impl From<&RegisterAccount> for AccountRow {
    fn from(a: &RegisterAccount) -> Self {
        Self {
            id: a.id,
            name: format!("{} {}", a.platform.as_str(), a.handle),
            team: a.owning_team.clone(),
            team_manager: match (&a.team_manager_name, &a.team_manager_staff_number) {
                (Some(n), Some(sn)) => display::person(n, sn),
                _ => "—".into(),
            },
            kind: if a.corporate { "Corporate".into() } else { "Departmental".into() },
            status: a.status.label().into(),
            status_class: status_class(a.status),
            last_post: when(a.last_post_at),
            open_tasks: a.open_tasks,
        }
    }
}

// ----- the register --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "social_accounts/list.html")]
struct ListPage {
    layout: Layout,
    c66: ClauseView,
    c67: ClauseView,
    rows: Vec<AccountRow>,
    sees_all: bool,
    can_request: bool,
    /// Corporate Communications reach the credential vault from here (WP034 6.6).
    sees_vault: bool,
    statuses: Vec<(String, String)>,
    platforms: Vec<String>,
    status: String,
    platform: String,
    team: String,
    tasks: bool,
}
page!(ListPage);

#[derive(Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    platform: Option<String>,
    team: Option<String>,
    tasks: Option<String>,
}

async fn list(State(state): State<AppState>, user: CurrentUser, Query(q): Query<ListQuery>) -> UiResult<Response> {
    let f = AccountFilter {
        status: uc::parse_status(q.status.as_deref())?,
        platform: uc::parse_platform(q.platform.as_deref())?,
        team: q.team.clone().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        with_tasks: q.tasks.as_deref().is_some_and(|t| !t.is_empty()),
        ..Default::default()
    };
    let rows = uc::list(&state, &user, f).await?;
    Ok(render(&ListPage {
        layout: layout(&state, Some(&user), "Social media accounts", "/accounts"),
        c66: clause_view("6.6"),
        c67: clause_view("6.7"),
        rows: rows.iter().map(AccountRow::from).collect(),
        sees_all: state.allows(&user, Action::SocialAccountsViewAll, &Resource::System),
        can_request: state.allows(&user, Action::SocialAccountsRequest, &Resource::System),
        sees_vault: state.allows(&user, Action::VaultList, &Resource::System),
        statuses: AccountStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect(),
        platforms: Platform::ALL.iter().map(|p| p.as_str().to_string()).collect(),
        status: q.status.unwrap_or_default(),
        platform: q.platform.unwrap_or_default(),
        team: q.team.unwrap_or_default(),
        tasks: q.tasks.is_some_and(|t| !t.is_empty()),
    }))
}

// ----- the request ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "social_accounts/new.html")]
struct NewPage {
    layout: Layout,
    c64: ClauseView,
    c66: ClauseView,
    errors: Vec<FieldProblem>,
    f: uc::RequestForm,
    platforms: Vec<String>,
    me: String,
    /// The force's business areas, offered as the owning team is typed.
    areas: Vec<String>,
    team_hint: String,
}
page!(NewPage);

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    f: uc::RequestForm,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let bad = !errors.is_empty();
    let areas = state.store().business_areas().await?.into_iter().map(|a| a.name).collect();
    let mut res = render(&NewPage {
        layout: layout(state, Some(user), "Request a social media account", "/accounts"),
        c64: clause_view("6.4"),
        c66: clause_view("6.6"),
        errors,
        f,
        platforms: Platform::ALL.iter().map(|p| p.as_str().to_string()).collect(),
        me: display::person(&user.person.name, &user.person.staff_number),
        areas,
        team_hint: format!("Leave empty for your team, {}", user.person.business_area),
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn new_account(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::SocialAccountsRequest, &Resource::System)?;
    Ok(new_page(&state, &user, uc::RequestForm::default(), vec![]).await?)
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<uc::RequestForm>,
) -> UiResult<Response> {
    let done = uc::request(&state, &user, &f).await.map(|(id, _)| format!("/accounts/{id}"));
    crate::web::form_errors::redirect_or_again(done, |errors| new_page(&state, &user, f, errors)).await
}

// ----- one account ---------------------------------------------------------------------------

struct UserRow {
    id: Uuid,
    person: String,
    business_area: String,
    from: String,
    to: String,
    by: String,
    ended: String,
    current: bool,
}

struct TaskRow {
    id: Uuid,
    title: String,
    clause: String,
    assignee: String,
    summary: String,
    opened: String,
    open: bool,
    done: String,
    rotation: bool,
}

/// An earlier request for the same handle, refused or withdrawn (WP034 6.6).
struct EarlierRow {
    id: Uuid,
    status: String,
    requested: String,
    by: String,
    team: String,
    purpose: String,
    decided: String,
}

struct HistoryRow {
    at: String,
    actor: String,
    action: String,
    clause: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "social_accounts/show.html")]
struct ShowPage {
    layout: Layout,
    c61: ClauseView,
    c66: ClauseView,
    c67: ClauseView,
    c91: ClauseView,
    errors: Vec<FieldProblem>,
    id: Uuid,
    name: String,
    status: String,
    status_class: &'static str,
    in_use: bool,
    /// Not a refused or withdrawn request: the vault keeps its log-in details (WP034 6.6).
    in_vault: bool,
    url: String,
    team: String,
    team_manager: String,
    kind: String,
    purpose: String,
    audience: String,
    profile: String,
    created: String,
    last_post: String,
    recertified: String,
    closed: String,
    users: Vec<UserRow>,
    tasks: Vec<TaskRow>,
    earlier: Vec<EarlierRow>,
    history: Vec<HistoryRow>,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    approval_id: Option<Uuid>,
    may_change: bool,
    team_manager_here: bool,
    comms: bool,
}
page!(ShowPage);

impl ShowPage {
    fn clauses(&self) -> Vec<&ClauseView> {
        crate::approvals::ui::step_clauses(Some(&self.c66), &self.steps)
            .into_iter()
            .chain([&self.c67, &self.c61, &self.c91])
            .collect()
    }
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let v = uc::view(state, user, id).await?;
    let a = &v.detail.account;
    let (steps, timeline) = match &v.approval {
        Some(r) => (
            step_views(&r.request.steps, &r.can_decide, state.now()),
            timeline_views(&r.timeline, "asked for the account", "changed the request"),
        ),
        None => (vec![], vec![]),
    };
    let names: Vec<(String, String)> =
        v.detail.users.iter().map(|u| (u.staff_number.clone(), u.name.clone())).collect();
    let name_of = |sn: &str| names.iter().find(|(s, _)| s == sn).map(|(_, n)| n.clone());
    let may_change = v.may_change();
    let page = ShowPage {
        layout: layout(state, Some(user), &format!("{} {}", a.platform.as_str(), a.handle), "/accounts"),
        c61: clause_view("6.1"),
        c66: clause_view("6.6"),
        c67: clause_view("6.7"),
        c91: clause_view("9.1"),
        id: a.id,
        name: format!("{} {}", a.platform.as_str(), a.handle),
        status: a.status.label().into(),
        status_class: status_class(a.status),
        in_use: a.status.in_use(),
        in_vault: a.status.holds_handle(),
        url: a.url.clone(),
        team: a.owning_team.clone(),
        team_manager: AccountRow::from(a).team_manager,
        kind: AccountRow::from(a).kind,
        purpose: a.purpose.clone(),
        audience: a.audience.clone(),
        profile: a.profile.clone(),
        created: display::time_words(a.created_at),
        last_post: when(a.last_post_at),
        recertified: when(a.recertified_at),
        closed: match (&a.closed_reason, a.closed_at) {
            (Some(r), Some(t)) => format!("{} — {r}", display::time_words(t)),
            _ => String::new(),
        },
        users: v
            .detail
            .users
            .iter()
            .map(|u| UserRow {
                id: u.id,
                person: display::person(&u.name, &u.staff_number),
                business_area: u.business_area.clone(),
                from: display::time_words(u.authorised_from),
                to: when(u.authorised_to),
                by: display::actor(&u.authorised_by, name_of),
                ended: u
                    .ended_reason
                    .as_deref()
                    .and_then(|r| r.parse::<custodian_domain::social_accounts::EndedReason>().ok())
                    .map(|r| r.label().to_string())
                    .unwrap_or_default(),
                current: u.authorised_to.is_none(),
            })
            .collect(),
        tasks: v
            .detail
            .tasks
            .iter()
            .map(|t| TaskRow {
                id: t.id,
                title: custodian_domain::findings::rule(&t.rule)
                    .map_or_else(|| t.rule.clone(), |r| r.title.to_string()),
                clause: t.clause.clone(),
                assignee: t
                    .assignee
                    .parse::<custodian_domain::social_accounts::Assignee>()
                    .map(|a| a.label().to_string())
                    .unwrap_or_else(|_| t.assignee.clone()),
                summary: t.summary.clone(),
                opened: display::time_words(t.opened_at),
                open: t.status == "open",
                done: match (t.done_at, &t.outcome) {
                    (Some(at), Some(o)) => format!("{} — {o}", display::time_words(at)),
                    _ => String::new(),
                },
                rotation: t.rule == custodian_domain::findings::SOCIAL_ROTATE_CREDENTIALS.id,
            })
            .collect(),
        earlier: v
            .detail
            .earlier_requests
            .iter()
            .map(|e| EarlierRow {
                id: e.id,
                status: e.status.label().into(),
                requested: display::time_words(e.created_at),
                by: display::actor(&e.created_by, |_| None),
                team: e.owning_team.clone(),
                purpose: e.purpose.clone(),
                decided: match (&e.closed_reason, e.closed_at) {
                    (Some(r), Some(t)) => format!("{} — {r}", display::time_words(t)),
                    (None, Some(t)) => display::time_words(t),
                    _ => "—".into(),
                },
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|e| HistoryRow {
                at: display::time_words(e.at),
                actor: display::actor(&e.actor, name_of),
                action: e.action.trim_start_matches("social_account.").replace('_', " "),
                clause: e.clause.clone().unwrap_or_default(),
                detail: display::details_words(&e.detail, &["task", "authorisation", "approval"]),
            })
            .collect(),
        steps,
        timeline,
        approval_id: a.approval_id,
        may_change,
        team_manager_here: v.team_manager,
        comms: v.manager,
        errors,
    };
    let bad = !page.errors.is_empty();
    let mut res = render(&page);
    if bad {
        *res.status_mut() = StatusCode::CONFLICT;
    }
    Ok(res)
}

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(show_page(&state, &user, id, vec![]).await?)
}

/// After a step taken on an account's page: back to it, or the page again with what was wrong.
async fn back(state: &AppState, user: &CurrentUser, id: Uuid, done: Result<(), AppError>) -> UiResult<Response> {
    crate::web::form_errors::redirect_or_again(done.map(|()| format!("/accounts/{id}")), |errors| {
        show_page(state, user, id, errors)
    })
    .await
}

/// Corporate Communications decide the request on the account's page (WP034 6.6), through the
/// shared approval chain, so the account becomes active in the same transaction.
async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<crate::approvals::ui::DecisionForm>,
) -> UiResult<Response> {
    let d = f.decision();
    let v = uc::view(&state, &user, id).await?;
    let decided = match (v.detail.account.approval_id, &v.approval) {
        (Some(approval), Some(r)) if !r.can_decide.is_empty() => {
            crate::approvals::decide(&state, &user, approval, d).await.map(drop)
        }
        (Some(_), _) => {
            return Err(AppError::Forbidden(
                "Only Corporate Communications decide a request for a social media account, and never their own (WP034 6.6)."
                    .into(),
            )
            .into());
        }
        (None, _) => Err(AppError::Conflict(
            "This account was set up before requests went through Custodian: there is nothing to decide.".into(),
        )),
    };
    back(&state, &user, id, decided).await
}

#[derive(Deserialize)]
struct AuthoriseForm {
    #[serde(default)]
    staff_number: String,
}

async fn authorise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AuthoriseForm>,
) -> UiResult<Response> {
    let r = uc::authorise(&state, &user, id, &f.staff_number).await;
    back(&state, &user, id, r).await
}

async fn deauthorise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, auth)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    let r = uc::deauthorise(&state, &user, id, auth).await;
    back(&state, &user, id, r).await
}

async fn recertify(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    let r = uc::recertify(&state, &user, id).await;
    back(&state, &user, id, r).await
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    profile: String,
    #[serde(default)]
    url: String,
}

async fn profile(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> UiResult<Response> {
    let r = uc::update_profile(&state, &user, id, &f.profile, &f.url).await;
    back(&state, &user, id, r).await
}

#[derive(Deserialize)]
struct PostForm {
    #[serde(default)]
    day: String,
}

async fn record_post(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<PostForm>,
) -> UiResult<Response> {
    let r = uc::record_post(&state, &user, id, &f.day).await;
    back(&state, &user, id, r).await
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    reason: String,
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> UiResult<Response> {
    let r = uc::close(&state, &user, id, &f.reason).await;
    back(&state, &user, id, r).await
}

#[derive(Deserialize)]
struct DoneForm {
    #[serde(default)]
    outcome: String,
}

async fn task_done(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task)): Path<(Uuid, Uuid)>,
    CsrfForm(f): CsrfForm<DoneForm>,
) -> UiResult<Response> {
    let r = uc::task_done(&state, &user, id, task, &f.outcome).await;
    back(&state, &user, id, r).await
}
