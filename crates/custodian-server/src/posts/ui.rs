//! Social media post pages (WP034 6.3-6.8): the editor, which highlights findings in place as
//! the author types (an htmx request after a pause in typing; the server returns the marked-up
//! text), each post with its route, approvals and record, the accounts and the SIO of each
//! operation, and Corporate Communications' major-incident controls (the banner departmental
//! users see is on every page: see the base layout). Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use crate::web::html::escape;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::approvals::StepStatus;
use custodian_domain::posts::{Approval, Attachment, PostState, Rights};
use custodian_screening::Screening;
use custodian_store::posts::Post;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::posts::{self as uc, PostDraft};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::{ClauseView, Layout, clause_view, fmt_time, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/posts", get(list).post(create))
        .route("/posts/new", get(new_post))
        .route("/posts/highlight", post(highlight))
        .route("/posts/setup", get(setup))
        .route("/posts/setup/investigations", post(set_sio))
        .route("/posts/incident", post(declare))
        .route("/posts/incident/end", post(end_incident))
        .route("/posts/{id}", get(show).post(edit))
        .route("/posts/{id}/submit", post(submit))
        .route("/posts/{id}/override", post(override_warnings))
        .route("/posts/{id}/approve", post(approve))
        .route("/posts/{id}/return", post(send_back))
}

/// One finding as the pages show it, with the words of its clause.
struct FindingView {
    category: String,
    /// The category in words.
    label: String,
    severity: String,
    matched: String,
    explanation: String,
    clause: ClauseView,
}

/// The text with each finding wrapped in a `<mark>` (escaped; overlapping findings after the
/// first are left unmarked), and the findings for the list beside it.
fn marked(text: &str, findings: &serde_json::Value) -> (String, Vec<FindingView>) {
    let list = findings.as_array().cloned().unwrap_or_default();
    let mut spans: Vec<(usize, usize, String, String, String)> = list
        .iter()
        .filter_map(|f| {
            let s = f.get("start")?.as_u64()? as usize;
            let e = f.get("end")?.as_u64()? as usize;
            let sev = f.get("severity")?.as_str()?.to_string();
            let cat = f.get("category")?.as_str()?.to_string();
            let why = f.get("explanation").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            Some((s, e, sev, cat, why))
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut at = 0;
    for (s, e, sev, cat, why) in &spans {
        let (Some(before), Some(inner)) = (text.get(at..*s), text.get(*s..*e)) else { continue };
        out.push_str(&escape(before));
        out.push_str(&format!(
            "<mark class=\"app-finding app-finding--{}\" data-category=\"{}\" title=\"{}\">{}</mark>",
            escape(sev),
            escape(cat),
            escape(why),
            escape(inner)
        ));
        at = *e;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    // A trailing newline in a textarea needs a character after it in the backdrop.
    out.push(' ');
    let views = list
        .iter()
        .map(|f| {
            let s = |k: &str| f.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            FindingView {
                label: custodian_screening::Category::parse(&s("category"))
                    .map_or_else(|| crate::web::form_errors::humanise(&s("category")), |c| c.label().to_string()),
                category: s("category"),
                severity: match s("severity").as_str() {
                    "high" => "Blocks publication".into(),
                    "medium" => "Needs approval".into(),
                    _ => "Warning".into(),
                },
                matched: s("match"),
                explanation: s("explanation"),
                clause: clause_view(&s("clause")),
            }
        })
        .collect();
    (out, views)
}

fn verdict_label(v: &str) -> &'static str {
    match v {
        "block" => "Blocked: fix the findings marked",
        "needs_approval" => "Needs approval",
        "warn" => "Warnings",
        _ => "Nothing found",
    }
}

fn state_class(s: PostState) -> &'static str {
    match s {
        PostState::Draft => "govuk-tag--grey",
        PostState::PendingSio | PostState::PendingComms => "govuk-tag--yellow",
        PostState::Scheduled => "govuk-tag--blue",
        PostState::Held => "govuk-tag--red",
        PostState::Published => "govuk-tag--green",
    }
}

/// The post editor's form (create and edit): the account, the text, up to three attachments
/// with the rights to publish them (WP034 6.3c), and when to publish.
#[derive(Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    text: String,
    /// From a client that sends the whole moment (`2027-03-27T09:30`, London time).
    scheduled_for: Option<String>,
    #[serde(default, rename = "scheduled_for-day")]
    scheduled_day: String,
    #[serde(default, rename = "scheduled_for-month")]
    scheduled_month: String,
    #[serde(default, rename = "scheduled_for-year")]
    scheduled_year: String,
    #[serde(default, rename = "scheduled_for-time")]
    scheduled_time: String,
    #[serde(default)]
    attachment_0_name: String,
    #[serde(default)]
    attachment_0_rights: String,
    #[serde(default)]
    attachment_0_holder: String,
    #[serde(default)]
    attachment_1_name: String,
    #[serde(default)]
    attachment_1_rights: String,
    #[serde(default)]
    attachment_1_holder: String,
    #[serde(default)]
    attachment_2_name: String,
    #[serde(default)]
    attachment_2_rights: String,
    #[serde(default)]
    attachment_2_holder: String,
}

/// The editor's live screening: the text as typed so far.
#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// A form whose one field is a reason (overriding warnings, ending an incident).
#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Approve (`as`: sio or comms) or return (with a `reason`) a post.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(rename = "as")]
    acting_as: Option<String>,
    reason: Option<String>,
}

/// The senior investigating officer for an investigation (WP034 6.6).
#[derive(Deserialize)]
pub struct SioForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    sio_staff_number: String,
}

/// A critical incident declared (WP034 6.8).
#[derive(Deserialize)]
pub struct IncidentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    guidance: String,
}

/// When to publish, typed in the GOV.UK date input on London's clocks (`scheduled_for-day`, …,
/// `scheduled_for-time`) or sent whole; nothing typed means "as soon as approved".
fn scheduled(f: &DraftForm, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, AppError> {
    use crate::web::date_input::{Parts, When, parse_moment};
    let sent = Parts {
        day: f.scheduled_day.trim().into(),
        month: f.scheduled_month.trim().into(),
        year: f.scheduled_year.trim().into(),
        time: f.scheduled_time.trim().into(),
        whole: f.scheduled_for.as_deref().unwrap_or("").trim().into(),
    };
    if sent.is_empty() {
        return Ok(None);
    }
    Ok(Some(parse_moment("scheduled_for", "The publishing time", &sent, When::Future, now)?))
}

/// The editor's form: account, text, schedule and up to three attachments, each with its
/// rights declaration (`attachment_N_name`, `attachment_N_rights`, `attachment_N_holder`).
fn draft_from_form(f: &DraftForm, now: OffsetDateTime) -> Result<PostDraft, AppError> {
    let account_id = Uuid::parse_str(f.account_id.trim())
        .map_err(|_| AppError::invalid("account_id", "Choose the account to post from"))?;
    let mut attachments = Vec::new();
    let given = [
        (&f.attachment_0_name, &f.attachment_0_rights, &f.attachment_0_holder),
        (&f.attachment_1_name, &f.attachment_1_rights, &f.attachment_1_holder),
        (&f.attachment_2_name, &f.attachment_2_rights, &f.attachment_2_holder),
    ];
    for (n, (name, rights, holder)) in given.into_iter().enumerate() {
        if name.trim().is_empty() {
            continue;
        }
        let rights = Rights::parse(rights).ok_or_else(|| {
            AppError::invalid(
                &format!("attachment_{n}_rights"),
                "Declare on what basis we may publish the file (WP034 6.3c)",
            )
        })?;
        attachments.push(Attachment { name: name.clone(), rights, holder: holder.clone() });
    }
    Ok(PostDraft { account_id, body: f.text.replace("\r\n", "\n"), attachments, scheduled_for: scheduled(f, now)? })
}

// ----- List ----------------------------------------------------------------------------------

struct PostRow {
    id: Uuid,
    account: String,
    author: String,
    state: String,
    state_class: String,
    verdict: String,
    excerpt: String,
    updated: String,
}

fn post_row(p: &Post) -> PostRow {
    let excerpt: String = p.body.chars().take(80).collect();
    PostRow {
        id: p.id,
        account: format!("{} {}", p.account.platform.as_str(), p.account.handle),
        author: p.author_name.clone(),
        state: p.state.label().into(),
        state_class: state_class(p.state).into(),
        verdict: verdict_label(&p.verdict).into(),
        excerpt: if excerpt.len() < p.body.len() { format!("{excerpt}…") } else { excerpt },
        updated: fmt_time(p.updated_at),
    }
}

#[derive(Template)]
#[template(path = "posts/posts.html")]
struct ListPage {
    layout: Layout,
    posts: Vec<PostRow>,
    can_incident: bool,
    c63: ClauseView,
    c68: ClauseView,
}
page!(ListPage);

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let posts = uc::list(&state, &user, None).await?;
    Ok(render(&ListPage {
        layout: layout(&state, Some(&user), "Social media posts", "/posts"),
        posts: posts.iter().map(post_row).collect(),
        can_incident: state.allows(&user, Action::PostsIncident, &Resource::System),
        c63: clause_view("6.3"),
        c68: clause_view("6.8"),
    }))
}

// ----- Editor --------------------------------------------------------------------------------

struct AccountChoice {
    id: Uuid,
    label: String,
    selected: bool,
}

struct AttachmentRow {
    n: usize,
    name: String,
    rights: String,
    holder: String,
}

#[derive(Template)]
#[template(path = "posts/posts_edit.html")]
struct EditPage {
    layout: Layout,
    action: String,
    heading: String,
    accounts: Vec<AccountChoice>,
    text: String,
    /// When to publish: the GOV.UK date input with a time on London's clocks.
    scheduled: crate::web::date_input::DateField,
    attachments: Vec<AttachmentRow>,
    rights: Vec<(String, String)>,
    marked: String,
    findings: Vec<FindingView>,
    verdict: String,
    restart_warning: bool,
    c63: ClauseView,
    c63c: ClauseView,
}
page!(EditPage);

impl EditPage {
    /// The editor partial reads its fields through `ed`, on this page and on a post's page.
    fn ed(&self) -> &Self {
        self
    }
}

fn rights_choices() -> Vec<(String, String)> {
    Rights::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect()
}

async fn editor(state: &AppState, user: &CurrentUser, existing: Option<&Post>) -> Result<EditPage, AppError> {
    let accounts = uc::accounts(state, user).await?;
    let text = existing.map(|p| p.body.clone()).unwrap_or_default();
    let (s, _) = uc::screen(state, &text).await?;
    let findings = serde_json::to_value(&s.findings).unwrap_or_default();
    let (marked_text, views) = marked(&text, &findings);
    let mut attachments: Vec<AttachmentRow> = existing
        .map(|p| {
            p.attachments
                .iter()
                .enumerate()
                .map(|(n, a)| AttachmentRow {
                    n,
                    name: a.name.clone(),
                    rights: a.rights.as_str().into(),
                    holder: a.holder.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    while attachments.len() < 3 {
        attachments.push(AttachmentRow {
            n: attachments.len(),
            name: String::new(),
            rights: String::new(),
            holder: String::new(),
        });
    }
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    Ok(EditPage {
        layout: layout(state, Some(user), if existing.is_some() { "Change post" } else { "New post" }, "/posts"),
        action: existing.map_or_else(|| "/posts".to_string(), |p| format!("/posts/{}", p.id)),
        heading: if existing.is_some() { "Change the post".into() } else { "Write a post".into() },
        accounts: accounts
            .iter()
            .map(|a| AccountChoice {
                id: a.id,
                label: format!("{} {} ({})", a.platform.as_str(), a.handle, a.owning_team),
                selected: existing.is_some_and(|p| p.account.id == a.id),
            })
            .collect(),
        text,
        scheduled: {
            let field = crate::web::date_input::DateField::moment(
                "scheduled_for",
                "Publish at (optional)",
                "Leave empty to publish as soon as it is approved. For example, 27 3 2027 and 9:30am. UK time.",
            );
            let whole = existing
                .and_then(|p| p.scheduled_for)
                .and_then(|t| crate::web::display::london(t).format(&local).ok())
                .unwrap_or_default();
            field.filled(&crate::web::date_input::Parts { whole, ..Default::default() }, &[])
        },
        attachments,
        rights: rights_choices(),
        marked: marked_text,
        findings: views,
        verdict: verdict_label(s.verdict.as_str()).into(),
        restart_warning: existing.is_some_and(|p| {
            p.state != PostState::Draft || p.sio_approved_by.is_some() || p.comms_approved_by.is_some()
        }),
        c63: clause_view("6.3"),
        c63c: clause_view("6.3c"),
    })
}

pub async fn new_post(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PostsDraft, &Resource::System)?;
    Ok(render(&editor(&state, &user, None).await?))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<DraftForm>,
) -> UiResult<Response> {
    let p = uc::save(&state, &user, None, &draft_from_form(&f, state.now())?).await?;
    Ok(Redirect::to(&format!("/posts/{}", p.id)).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DraftForm>,
) -> UiResult<Response> {
    uc::save(&state, &user, Some(id), &draft_from_form(&f, state.now())?).await?;
    Ok(Redirect::to(&format!("/posts/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "posts/posts_highlight.html")]
struct Highlight {
    marked: String,
    findings: Vec<FindingView>,
    verdict: String,
}

/// The editor's live screening: the text marked up in place, and the findings (out of band).
pub async fn highlight(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<TextForm>,
) -> UiResult<Response> {
    state.require(&user, Action::PostsDraft, &Resource::System)?;
    let text = f.text.replace("\r\n", "\n");
    let (s, _): (Screening, String) = uc::screen(&state, &text).await?;
    let findings = serde_json::to_value(&s.findings).unwrap_or_default();
    let (marked_text, views) = marked(&text, &findings);
    Ok(render(&Highlight { marked: marked_text, findings: views, verdict: verdict_label(s.verdict.as_str()).into() }))
}

// ----- One post ------------------------------------------------------------------------------

struct StepRow {
    at: String,
    actor: String,
    step: String,
    clause: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "posts/posts_show.html")]
struct ShowPage {
    layout: Layout,
    id: Uuid,
    account: String,
    author: String,
    /// Who saved each version (WP034 6.3: none of them approves it).
    editors: Vec<String>,
    state: String,
    state_class: String,
    version: i64,
    pack_version: String,
    verdict: String,
    marked: String,
    findings: Vec<FindingView>,
    attachments: Vec<(String, String, String)>,
    scheduled: String,
    route: Vec<String>,
    approvals: Vec<String>,
    override_note: Option<String>,
    published: Option<String>,
    last_error: Option<String>,
    steps: Vec<StepRow>,
    can_submit: bool,
    submit_unavailable: String,
    can_override: bool,
    can_approve_sio: bool,
    can_approve_comms: bool,
    can_return: bool,
    /// The post's request on the approval chain, with its timeline.
    approval_link: Option<String>,
    /// The editor, for the author or Corporate Communications while the post can change.
    ed: Option<EditPage>,
    c63: ClauseView,
    c63e: ClauseView,
    c64: ClauseView,
    c68: ClauseView,
}
page!(ShowPage);

pub async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let (p, steps) = uc::get(&state, &user, id).await?;
    let (marked_text, views) = marked(&p.body, &p.findings);
    let author_or_cc = p.author_id == user.id() || state.allows(&user, Action::PostsOverride, &Resource::System);
    let mut route = Vec::new();
    if p.state != PostState::Draft || p.needs_sio || p.needs_comms {
        if p.needs_sio {
            route.push(match &p.sio_name {
                Some(n) => format!("The SIO for the investigation named: {n} (WP034 6.3e)"),
                None => {
                    "Any Senior Investigating Officer: the investigation named has no SIO recorded (WP034 6.3e)".into()
                }
            });
        }
        if p.needs_comms {
            route.push(if p.reapproval {
                "Corporate Communications, again after a major-incident hold (WP034 6.8)".into()
            } else {
                "Corporate Communications (WP034 6.4)".into()
            });
        }
        if route.is_empty() {
            route.push("No approval needed: scheduled once submitted".into());
        }
    }
    // The post's approval request on the shared chain: each step, who decided it, and which
    // steps the viewer may decide now (the chain refuses the author and a second decision).
    let chain = uc::chain(&state, &user, &p).await?;
    let approvals: Vec<String> = chain
        .as_ref()
        .map(|(r, _)| {
            r.steps
                .iter()
                .map(|s| {
                    let step = match Approval::from_step_key(&s.key) {
                        Some(Approval::Sio) => "SIO",
                        Some(Approval::Comms) => "Corporate Communications",
                        None => s.key.as_str(),
                    };
                    match (s.status, &s.decided_by_name) {
                        (StepStatus::Approved, Some(by)) => format!("{step}: approved by {by} (WP034 {})", s.clause),
                        (StepStatus::Rejected, Some(by)) => format!("{step}: returned by {by} (WP034 {})", s.clause),
                        (StepStatus::Pending, _) => {
                            format!("{step}: waiting for {} (WP034 {})", s.decider_label, s.clause)
                        }
                        _ => format!("{step}: after the step before it (WP034 {})", s.clause),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let decidable = |a: Approval| chain.as_ref().is_some_and(|(_, keys)| keys.iter().any(|k| k == a.step_key()));
    let can_edit = author_or_cc && p.state.editable();
    let ed = if can_edit { Some(editor(&state, &user, Some(&p)).await?) } else { None };
    let step_actors =
        crate::web::display::actors_in_words(&state, &steps.iter().map(|s| s.actor.clone()).collect::<Vec<_>>()).await;
    let page = ShowPage {
        layout: layout(&state, Some(&user), "Post", "/posts"),
        id: p.id,
        account: format!("{} {} ({})", p.account.platform.as_str(), p.account.handle, p.account.owning_team),
        author: format!("{} ({})", p.author_name, p.author_staff_number),
        editors: p
            .editors
            .iter()
            .map(|e| {
                let what = if e.version == 1 { "wrote" } else { "edited" };
                format!("Version {}: {what} by {} ({}), {}", e.version, e.name, e.staff_number, fmt_time(e.saved_at))
            })
            .collect(),
        state: p.state.label().into(),
        state_class: state_class(p.state).into(),
        version: p.version,
        pack_version: p.pack_version.clone(),
        verdict: verdict_label(&p.verdict).into(),
        marked: marked_text,
        findings: views,
        attachments: p
            .attachments
            .iter()
            .map(|a| (a.name.clone(), a.rights.label().to_string(), a.holder.clone()))
            .collect(),
        scheduled: p.scheduled_for.map_or_else(|| "As soon as approved".into(), fmt_time),
        route,
        approvals,
        override_note: p
            .override_reason
            .as_ref()
            .map(|r| format!("{} overrode the warnings: {r}", p.override_by.clone().unwrap_or_default())),
        published: p.published_at.map(|t| format!("{} ({})", fmt_time(t), p.published_ref.clone().unwrap_or_default())),
        last_error: p.last_error.clone(),
        steps: steps
            .iter()
            .zip(step_actors)
            .map(|(s, actor)| StepRow {
                at: fmt_time(s.at),
                actor,
                step: crate::web::form_errors::humanise(&s.step),
                clause: s.clause.clone(),
                detail: s.detail.get("to").and_then(|v| v.as_str()).unwrap_or_default().replace('_', " "),
            })
            .collect(),
        can_submit: author_or_cc
            && p.state == PostState::Draft
            && custodian_domain::posts::check_submit(p.state, p.gate, p.overridden).is_ok(),
        // Why a draft cannot be submitted yet, in words, instead of a button that is refused.
        submit_unavailable: match custodian_domain::posts::check_submit(p.state, p.gate, p.overridden) {
            Err(why) if author_or_cc && p.state == PostState::Draft => {
                let why = why.to_string();
                let mut c = why.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            }
            _ => String::new(),
        },
        can_override: p.state == PostState::Draft
            && p.gate.warnings > 0
            && p.gate.blocks == 0
            && !p.overridden
            && state.allows(&user, Action::PostsOverride, &Resource::System),
        can_approve_sio: p.state == PostState::PendingSio
            && decidable(Approval::Sio)
            && state.allows(&user, Action::PostsApproveSio, &Resource::System),
        can_approve_comms: p.state == PostState::PendingComms
            && decidable(Approval::Comms)
            && state.allows(&user, Action::PostsApproveComms, &Resource::System),
        can_return: (p.state == PostState::PendingSio
            && decidable(Approval::Sio)
            && state.allows(&user, Action::PostsApproveSio, &Resource::System))
            || (p.state == PostState::PendingComms
                && decidable(Approval::Comms)
                && state.allows(&user, Action::PostsApproveComms, &Resource::System))
            || (p.state == PostState::Held && state.allows(&user, Action::PostsApproveComms, &Resource::System)),
        approval_link: chain.as_ref().map(|(r, _)| format!("/approvals/{}", r.id)),
        c63: clause_view("6.3"),
        c63e: clause_view("6.3e"),
        c64: clause_view("6.4"),
        c68: clause_view("6.8"),
        ed,
    };
    Ok(render(&page))
}

pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::submit(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/posts/{id}")).into_response())
}

pub async fn override_warnings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> UiResult<Response> {
    uc::override_warnings(&state, &user, id, &f.reason).await?;
    Ok(Redirect::to(&format!("/posts/{id}")).into_response())
}

/// Approve (`as`: sio or comms) or return (with a `reason`) a post: one handler for both forms,
/// over the use case the API shares ([`uc::decide`]).
async fn decide(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    f: DecisionForm,
    kind: uc::DecisionKind,
) -> UiResult<Response> {
    uc::decide(&state, &user, id, kind, f.acting_as.as_deref(), f.reason.as_deref()).await?;
    Ok(Redirect::to(&format!("/posts/{id}")).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> UiResult<Response> {
    decide(state, user, id, f, uc::DecisionKind::Approve).await
}

pub async fn send_back(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> UiResult<Response> {
    decide(state, user, id, f, uc::DecisionKind::Return).await
}

// ----- Accounts, investigations, incidents ---------------------------------------------------

#[derive(Template)]
#[template(path = "posts/posts_setup.html")]
struct SetupPage {
    layout: Layout,
    /// Each account: its register page, platform, handle, team, the two posting flags.
    accounts: Vec<(String, String, String, String, bool, bool)>,
    sios: Vec<(String, String, String)>,
    incidents: Vec<(String, String, String, String)>,
    /// Whether the person may see every account in the register (Corporate Communications).
    can_accounts: bool,
    can_sios: bool,
    can_read_sios: bool,
    c63e: ClauseView,
    c66: ClauseView,
    c68: ClauseView,
}
page!(SetupPage);

pub async fn setup(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let accounts = uc::accounts(&state, &user).await?;
    let can_read_sios = state.allows(&user, Action::PostsInvestigationsView, &Resource::System);
    let sios = if can_read_sios { uc::sios(&state, &user).await? } else { Vec::new() };
    let incidents = uc::incidents(&state, &user).await?;
    Ok(render(&SetupPage {
        layout: layout(&state, Some(&user), "Accounts and investigations", "/posts"),
        accounts: accounts
            .iter()
            .map(|a| {
                (
                    format!("/accounts/{}", a.id),
                    a.platform.as_str().to_string(),
                    a.handle.clone(),
                    a.owning_team.clone(),
                    a.comms_approval,
                    a.corporate,
                )
            })
            .collect(),
        sios: sios
            .iter()
            .map(|s| (s.kind.clone(), s.label.clone(), format!("{} ({})", s.sio_name, s.sio_staff_number)))
            .collect(),
        incidents: incidents
            .iter()
            .map(|i| {
                (
                    i.name.clone(),
                    fmt_time(i.declared_at),
                    i.ended_at.map(fmt_time).unwrap_or_else(|| "In force".into()),
                    i.end_reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        can_accounts: state.allows(&user, Action::SocialAccountsViewAll, &Resource::System),
        can_sios: state.allows(&user, Action::PostsInvestigations, &Resource::System),
        can_read_sios,
        c63e: clause_view("6.3e"),
        c66: clause_view("6.6"),
        c68: clause_view("6.8"),
    }))
}

pub async fn set_sio(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<SioForm>,
) -> UiResult<Response> {
    let among = crate::people::Among::Role(custodian_domain::people::Role::Sio);
    let what = "the Senior Investigating Officer";
    let sn =
        crate::people::chosen_staff_number(&state, &user, "sio_staff_number", what, &f.sio_staff_number, among, true)
            .await?;
    uc::set_sio(&state, &user, &f.kind, &f.label, &sn).await?;
    Ok(Redirect::to("/posts/setup").into_response())
}

pub async fn declare(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<IncidentForm>,
) -> UiResult<Response> {
    uc::declare(&state, &user, &f.name, &f.reason, &f.guidance).await?;
    Ok(Redirect::to("/posts").into_response())
}

pub async fn end_incident(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> UiResult<Response> {
    uc::end_incident(&state, &user, &f.reason).await?;
    Ok(Redirect::to("/posts").into_response())
}
