//! The policy page: WP034 by section, with every clause's words.

use crate::routing::{Routes, get, post};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::policy::changes::{ChangeKind, WordTag};
use custodian_store::policy::Adoption;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::date_input::{DateField, Parts, When, parse_date};
use crate::web::display::date_words;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};
pub fn routes() -> Routes {
    Routes::new()
        .route("/policy", get(policy))
        .route("/policy/versions", get(versions).post(draft))
        .route("/policy/versions/{id}", get(version))
        .route("/policy/versions/{id}/clauses", post(edit_clause))
        .route("/policy/versions/{id}/consult", post(consult))
        .route("/policy/versions/{id}/adopt", post(adopt))
        .route("/policy/campaigns", get(campaigns).post(start_campaign))
        .route("/policy/training", get(training).post(training_upload))
        .route("/policy/campaigns/{id}", get(campaign))
        .route("/policy/campaigns/{id}/acknowledge", post(acknowledge))
        .route("/policy/overdue", get(overdue))
        .route("/policy/record", get(record))
}

pub(crate) struct SectionView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) clauses: Vec<ClauseView>,
}

#[derive(Template)]
#[template(path = "policy/policy.html")]
pub(crate) struct PolicyPage {
    pub(crate) layout: Layout,
    pub(crate) reference: String,
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) owner: String,
    pub(crate) review_date: String,
    pub(crate) review_due: bool,
    pub(crate) review_line: String,
    pub(crate) sections: Vec<SectionView>,
}
page!(PolicyPage);

pub async fn policy(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let status = super::status(&state).await?;
    let p = custodian_domain::policy::wp034();
    let sections = p
        .sections
        .iter()
        .map(|s| SectionView {
            id: s.id.clone(),
            title: s.title.clone(),
            clauses: p.clauses.iter().filter(|c| c.section == s.id).map(|c| clause_view(&c.id)).collect(),
        })
        .collect();
    Ok(render(&PolicyPage {
        layout: layout(&state, Some(&user), "Policy WP034", "/policy"),
        reference: p.reference.clone(),
        title: p.title.clone(),
        version: p.version.to_string(),
        owner: p.business_area.clone(),
        review_date: date_words(status.next_review),
        review_due: status.overdue,
        review_line: status.line,
        sections,
    }))
}

// ----- Versions (WP034 10, 11) ------------------------------------------------------------------

pub(crate) struct VersionRow {
    pub(crate) id: Uuid,
    pub(crate) version: i64,
    pub(crate) status: String,
    pub(crate) adopted: String,
    pub(crate) approval_body: String,
    pub(crate) next_review: String,
}

#[derive(Template)]
#[template(path = "policy/versions.html")]
pub(crate) struct VersionsPage {
    pub(crate) layout: Layout,
    pub(crate) reference: String,
    pub(crate) review_line: String,
    pub(crate) overdue: bool,
    pub(crate) recorded: bool,
    pub(crate) rows: Vec<VersionRow>,
    pub(crate) can_manage: bool,
    pub(crate) can_start: bool,
    pub(crate) can_train: bool,
    pub(crate) c101: ClauseView,
    pub(crate) c102: ClauseView,
}
page!(VersionsPage);

fn iso_words(s: Option<&str>) -> String {
    s.and_then(custodian_domain::policy::text::iso_date).map(date_words).unwrap_or_else(|| "—".into())
}

async fn versions(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let status = super::status(&state).await?;
    let rows = state
        .store()
        .policy_versions(super::REFERENCE)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            id: v.id,
            version: v.version,
            status: v.status.clone(),
            adopted: iso_words(v.adopted_on.as_deref()),
            approval_body: v.approval_body.clone().unwrap_or_else(|| "—".into()),
            next_review: iso_words(Some(&v.next_review_on)),
        })
        .collect();
    Ok(render(&VersionsPage {
        layout: layout(&state, Some(&user), "Policy versions", "/policy"),
        reference: status.reference.clone(),
        review_line: status.line.clone(),
        overdue: status.overdue,
        recorded: status.recorded,
        rows,
        can_manage: state.allows(&user, Action::PolicyManage, &Resource::System),
        can_start: state.allows(&user, Action::PolicyCampaignsStart, &Resource::System),
        can_train: state.allows(&user, Action::PolicyTrainingRecord, &Resource::System),
        c101: clause_view("10.1"),
        c102: clause_view("10.2"),
    }))
}

async fn draft(State(state): State<AppState>, user: CurrentUser, CsrfForm(_): CsrfForm<Empty>) -> UiResult<Response> {
    let v = super::draft(&state, &user).await?;
    Ok(Redirect::to(&format!("/policy/versions/{}", v.id)).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

pub(crate) struct Run {
    pub(crate) tag: &'static str,
    pub(crate) text: String,
}

pub(crate) struct ChangeRow {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) added: usize,
    pub(crate) removed: usize,
    pub(crate) runs: Vec<Run>,
}

pub(crate) struct FlagRow {
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) clause: String,
    pub(crate) title: String,
}

pub(crate) struct ClauseRow {
    pub(crate) id: String,
    pub(crate) text: String,
}

pub(crate) struct HistoryView {
    pub(crate) date: String,
    pub(crate) author: String,
    pub(crate) amendment: String,
    pub(crate) approval: String,
}

#[derive(Template)]
#[template(path = "policy/version.html")]
pub(crate) struct VersionPage {
    pub(crate) layout: Layout,
    pub(crate) id: Uuid,
    pub(crate) reference: String,
    pub(crate) version: i64,
    pub(crate) status: String,
    pub(crate) owner: String,
    pub(crate) approval_body: String,
    pub(crate) adopted: String,
    pub(crate) next_review: String,
    pub(crate) based_on: Option<i64>,
    pub(crate) approval_request: Option<Uuid>,
    pub(crate) changes: Vec<ChangeRow>,
    pub(crate) flagged: Vec<FlagRow>,
    pub(crate) clauses: Vec<ClauseRow>,
    pub(crate) history: Vec<HistoryView>,
    pub(crate) can_edit: bool,
    pub(crate) can_consult: bool,
    pub(crate) can_adopt: bool,
    pub(crate) today: String,
    pub(crate) c101: ClauseView,
    pub(crate) c102: ClauseView,
}
page!(VersionPage);

async fn version(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let view = super::version(&state, &user, id).await?;
    let manage = state.allows(&user, Action::PolicyManage, &Resource::System);
    let v = &view.version;
    let changes = view
        .changes
        .iter()
        .map(|c| ChangeRow {
            id: c.id.clone(),
            kind: match c.kind {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                ChangeKind::Changed => "changed",
            },
            added: c.added,
            removed: c.removed,
            runs: c
                .runs
                .iter()
                .map(|r| Run {
                    tag: match r.tag {
                        WordTag::Kept => "kept",
                        WordTag::Added => "added",
                        WordTag::Removed => "removed",
                    },
                    text: r.text.clone(),
                })
                .collect(),
        })
        .collect();
    let flagged = view
        .flagged
        .iter()
        .map(|c| FlagRow {
            kind: match c.kind {
                custodian_domain::policy::changes::CitationKind::Rule => "Rule",
                custodian_domain::policy::changes::CitationKind::Permission => "Permission",
                custodian_domain::policy::changes::CitationKind::PackEntry => "Pack entry",
            },
            id: c.id.clone(),
            clause: c.clause.clone(),
            title: c.title.clone(),
        })
        .collect();
    let page = VersionPage {
        layout: layout(&state, Some(&user), &format!("{} version {}", v.reference, v.version), "/policy"),
        id: v.id,
        reference: v.reference.clone(),
        version: v.version,
        status: v.status.clone(),
        owner: v.owner.clone(),
        approval_body: v.approval_body.clone().unwrap_or_else(|| "—".into()),
        adopted: iso_words(v.adopted_on.as_deref()),
        next_review: iso_words(Some(&v.next_review_on)),
        based_on: view.based_on.as_ref().map(|b| b.version),
        approval_request: v.approval_request_id,
        changes,
        flagged,
        clauses: view
            .clauses
            .iter()
            .map(|c| ClauseRow { id: c.clause_id.clone(), text: super::clause_text(c) })
            .collect(),
        history: view
            .history
            .iter()
            .map(|h| HistoryView {
                date: h.date_label.clone(),
                author: h.author.clone(),
                amendment: h.amendment.clone(),
                approval: h.approval.clone().unwrap_or_default(),
            })
            .collect(),
        can_edit: manage && v.status == "draft",
        can_consult: manage && v.status == "draft",
        can_adopt: manage && v.status == "consulted",
        today: {
            let d = state.now().date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        },
        c101: clause_view("10.1"),
        c102: clause_view("10.2"),
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct ClauseForm {
    #[serde(default)]
    clause: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    remove: Option<String>,
}

async fn edit_clause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ClauseForm>,
) -> UiResult<Response> {
    let edit = super::clause_edit(&f.clause, &f.text, &f.items, f.remove.is_some())?;
    super::edit_clause(&state, &user, id, &edit).await?;
    Ok(Redirect::to(&format!("/policy/versions/{id}#changes")).into_response())
}

async fn consult(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> UiResult<Response> {
    super::consult(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/policy/versions/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct AdoptForm {
    #[serde(default)]
    approval_body: String,
    #[serde(default)]
    adopted_on: String,
    #[serde(default)]
    next_review_on: String,
    #[serde(default)]
    amendment: String,
    #[serde(default)]
    acknowledge_days: String,
}

fn form_date(field: &str, s: &str) -> Result<time::Date, AppError> {
    custodian_domain::policy::text::iso_date(s.trim())
        .ok_or_else(|| AppError::invalid(field, "Give the date as YYYY-MM-DD, such as 2026-12-01"))
}

async fn adopt(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AdoptForm>,
) -> UiResult<Response> {
    let days: i64 = match f.acknowledge_days.trim() {
        "" => 28,
        d => d.parse().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| {
            AppError::invalid("acknowledge_days", "Give the days people have to acknowledge, 1 to 365")
        })?,
    };
    let adopted_on = form_date("adopted_on", &f.adopted_on)?;
    let a = Adoption {
        campaign: Some(custodian_store::policy::NewCampaign {
            version_id: id,
            title: String::new(),
            clauses: Vec::new(),
            areas: Vec::new(),
            roles: Vec::new(),
            due_on: adopted_on + time::Duration::days(days),
        }),
        approval_body: f.approval_body.trim().to_owned(),
        adopted_on,
        next_review_on: form_date("next_review_on", &f.next_review_on)?,
        author: user.person.name.clone(),
        amendment: f.amendment.trim().to_owned(),
    };
    super::adopt(&state, &user, id, &a).await?;
    Ok(Redirect::to(&format!("/policy/versions/{id}")).into_response())
}

// ----- Acknowledgements (WP034 2.3) ------------------------------------------------------------

#[derive(Template)]
#[template(path = "policy/campaign.html")]
pub(crate) struct CampaignPage {
    pub(crate) layout: Layout,
    pub(crate) head: CampaignHead,
    pub(crate) clauses: Vec<ClauseRow>,
    /// Who is asked, in words.
    pub(crate) scope: String,
    pub(crate) c23: ClauseView,
}
page!(CampaignPage);

/// What both kinds of campaign page show of a campaign (acknowledgement, WP034 2.3, and
/// re-declaration, WP034 7.3): its title and due date, whether the viewer is asked and has done
/// it, and the completion chart for those who may see it.
pub(crate) struct CampaignHead {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) due: String,
    /// The viewer is asked: `Some(done)`.
    pub(crate) mine: Option<bool>,
    pub(crate) chart: Option<String>,
}

impl CampaignHead {
    /// `done` names what completing the campaign is ("acknowledged" or "declared").
    async fn read(
        state: &AppState,
        user: &CurrentUser,
        c: &custodian_store::policy::Campaign,
        done: &'static str,
    ) -> Result<Self, AppError> {
        let mine = state
            .store()
            .policy_acknowledgements_of(user.id())
            .await?
            .into_iter()
            .find(|a| a.campaign_id == c.id)
            .map(|a| a.acknowledged_at.is_some());
        Ok(Self {
            id: c.id,
            title: c.title.clone(),
            due: iso_words(Some(&c.due_on)),
            mine,
            chart: completion_chart(state, user, c.id, done).await?,
        })
    }
}

/// The annual re-declaration (a campaign of kind `declaration`, WP034 7.3): the person declares
/// an association or says they have nothing to declare; either completes their enrolment. The
/// forms post to `/declarations`, and come back here.
#[derive(Template)]
#[template(path = "policy/declaration_campaign.html")]
pub(crate) struct DeclarationCampaignPage {
    pub(crate) layout: Layout,
    pub(crate) head: CampaignHead,
    pub(crate) categories: &'static [custodian_domain::declarations::Category],
    pub(crate) c72: ClauseView,
    pub(crate) c73: ClauseView,
}
page!(DeclarationCampaignPage);

/// A campaign's completion per business area as a chart, for those who may see it (counts only).
async fn completion_chart(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    done: &'static str,
) -> Result<Option<String>, AppError> {
    if !state.allows(user, Action::PolicyCampaignsView, &Resource::System) {
        return Ok(None);
    }
    let rows: Vec<(String, i64)> = state
        .store()
        .policy_campaign_completion(id)
        .await?
        .into_iter()
        .map(|a| {
            let pct = if a.enrolled == 0 { 0 } else { a.acknowledged * 100 / a.enrolled };
            (format!("{} ({} of {})", a.business_area, a.acknowledged, a.enrolled), pct)
        })
        .collect();
    let (title, value_heading, empty) = if done == "declared" {
        ("Declared, per cent of each business area", "Per cent declared", "Nobody has declared yet.")
    } else {
        ("Acknowledged, per cent of each business area", "Per cent acknowledged", "Nobody has acknowledged yet.")
    };
    Ok(Some(crate::web::chart::Bars { title, label_heading: "Business area", value_heading, empty }.render(&rows)))
}

async fn campaign(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let store = state.store();
    let c = store.policy_campaign(id).await?.ok_or_else(|| AppError::NotFound(format!("No campaign {id}.")))?;
    if c.kind == "declaration" {
        return Ok(render(&DeclarationCampaignPage {
            layout: layout(&state, Some(&user), &c.title, "/declarations"),
            head: CampaignHead::read(&state, &user, &c, "declared").await?,
            categories: custodian_domain::declarations::categories(),
            c72: clause_view("7.2"),
            c73: clause_view("7.3-2"),
        }));
    }
    let wanted: Vec<String> = serde_json::from_str(&c.clauses).unwrap_or_default();
    let clauses = store
        .policy_clauses(c.version_id)
        .await?
        .iter()
        .filter(|k| wanted.contains(&k.clause_id))
        .map(|k| ClauseRow { id: k.clause_id.clone(), text: super::clause_text(k) })
        .collect();
    let head = CampaignHead::read(&state, &user, &c, "acknowledged").await?;
    let (areas, roles) = store.policy_campaign_scope(id).await?;
    Ok(render(&CampaignPage {
        scope: scope_words(&areas, &roles),
        layout: layout(&state, Some(&user), &c.title, "/policy"),
        head,
        clauses,
        c23: clause_view("2.3"),
    }))
}

async fn acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    // Acknowledging is a change: a session or a write token, never a read token (whose scope
    // covers only read actions such as `policy.manage` is not).
    if !user.scope_allows(Action::PolicyManage) {
        return Err(AppError::Forbidden("A read-only token cannot acknowledge the policy.".into()).into());
    }
    let c = state.store().policy_campaign(id).await?.ok_or_else(|| AppError::NotFound(format!("No campaign {id}.")))?;
    if c.kind == "declaration" {
        return Err(AppError::Conflict(
            "This is a re-declaration: declare an association or say you have nothing to declare (WP034 7.3).".into(),
        )
        .into());
    }
    state.store().policy_acknowledge(id, user.id(), user.actor.at(state.now())).await?;
    Ok(Redirect::to(&format!("/policy/campaigns/{id}")).into_response())
}

// ----- A line manager's overdue people and a person's record (WP034 2.3, 2.4) ------------------

pub(crate) struct AckRow {
    pub(crate) title: String,
    pub(crate) due: String,
    pub(crate) status: String,
    pub(crate) class: &'static str,
}

pub(crate) struct TrainRow {
    pub(crate) date: String,
    pub(crate) topic: String,
}

/// A person's acknowledgements and the training they attended, for their record.
pub(crate) async fn record_rows(state: &AppState, person: Uuid) -> Result<(Vec<AckRow>, Vec<TrainRow>), AppError> {
    let store = state.store();
    let today = state.now().date();
    let acks = store
        .policy_acknowledgements_of(person)
        .await?
        .into_iter()
        .map(|a| {
            let due = custodian_domain::policy::text::iso_date(&a.due_on);
            let (status, class) = match (a.acknowledged_at, due) {
                (Some(t), _) => {
                    (format!("Done {}", date_words(crate::web::display::london(t).date())), "govuk-tag--green")
                }
                (None, Some(d)) if d < today => ("Overdue".to_owned(), "govuk-tag--red"),
                (None, _) => ("Not yet".to_owned(), "govuk-tag--blue"),
            };
            AckRow { title: a.title, due: iso_words(Some(&a.due_on)), status, class }
        })
        .collect();
    let training = store
        .training_of(person)
        .await?
        .into_iter()
        .map(|t| TrainRow { date: iso_words(Some(&t.held_on)), topic: t.topic })
        .collect();
    Ok((acks, training))
}

#[derive(Template)]
#[template(path = "policy/record.html")]
pub(crate) struct RecordPage {
    pub(crate) layout: Layout,
    pub(crate) acks: Vec<AckRow>,
    pub(crate) training: Vec<TrainRow>,
    pub(crate) c23: ClauseView,
    pub(crate) c24: ClauseView,
}
page!(RecordPage);

async fn record(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let (acks, training) = record_rows(&state, user.id()).await?;
    Ok(render(&RecordPage {
        layout: layout(&state, Some(&user), "Your policy record", "/policy/record"),
        acks,
        training,
        c23: clause_view("2.3"),
        c24: clause_view("2.4"),
    }))
}

pub(crate) struct OverdueRow {
    pub(crate) person: String,
    pub(crate) title: String,
    pub(crate) due: String,
}

#[derive(Template)]
#[template(path = "policy/overdue.html")]
pub(crate) struct OverduePage {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<OverdueRow>,
    pub(crate) c23: ClauseView,
}
page!(OverduePage);

/// The people the signed-in line manager manages who are overdue on a campaign: only their
/// own people, whoever asks (everyone may open it; it lists nobody for someone who manages none).
async fn overdue(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
    let rows = state
        .store()
        .policy_overdue_for_manager(user.id(), state.now().date())
        .await?
        .into_iter()
        .map(|o| OverdueRow {
            person: crate::web::display::person(&o.name, &o.staff_number),
            title: o.title,
            due: iso_words(Some(&o.due_on)),
        })
        .collect();
    Ok(render(&OverduePage {
        layout: layout(&state, Some(&user), "Overdue acknowledgements", "/policy/overdue"),
        rows,
        c23: clause_view("2.3"),
    }))
}

// ----- Starting a campaign (WP034 2.3) ----------------------------------------------------------

/// Who a campaign asks, in words: "Every active person", "People in Area A or Area B", "Holders
/// of the role Professional Standards", or both.
pub(crate) fn scope_words(areas: &[String], roles: &[String]) -> String {
    let role_labels: Vec<&str> = roles
        .iter()
        .map(|r| custodian_domain::people::Role::parse(r).map(|r| r.label()).unwrap_or(r.as_str()))
        .collect();
    let areas_part = (!areas.is_empty()).then(|| format!("people in {}", areas.join(" or ")));
    let roles_part = (!role_labels.is_empty()).then(|| {
        format!("holders of the role{} {}", if role_labels.len() == 1 { "" } else { "s" }, role_labels.join(" or "))
    });
    let words = match (areas_part, roles_part) {
        (None, None) => "every active person".to_owned(),
        (Some(a), None) => a,
        (None, Some(r)) => r,
        (Some(a), Some(r)) => format!("{a} who are {r}"),
    };
    let mut c = words.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
}

pub(crate) struct CampaignRow {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) kind: &'static str,
    pub(crate) due: String,
    pub(crate) status: String,
    pub(crate) scope: String,
}

#[derive(Template)]
#[template(path = "policy/campaigns.html")]
pub(crate) struct CampaignsPage {
    pub(crate) layout: Layout,
    /// The version in force ("WP034 version 3"), if one is recorded.
    pub(crate) in_force: Option<String>,
    pub(crate) areas: Vec<Choice>,
    pub(crate) roles: Vec<Choice>,
    pub(crate) due_on: DateField,
    pub(crate) rows: Vec<CampaignRow>,
    pub(crate) c23: ClauseView,
}
page!(CampaignsPage);

/// The acknowledgement campaigns and the form that starts one, for those who may start them.
async fn campaigns(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyCampaignsStart, &Resource::System)?;
    let store = state.store();
    let in_force =
        store.policy_in_force(super::REFERENCE).await?.map(|v| format!("{} version {}", v.reference, v.version));
    let mut rows = Vec::new();
    for c in store.policy_campaigns().await? {
        let (areas, roles) = store.policy_campaign_scope(c.id).await?;
        rows.push(CampaignRow {
            id: c.id,
            title: c.title,
            kind: if c.kind == "declaration" { "Re-declaration" } else { "Acknowledgement" },
            due: iso_words(Some(&c.due_on)),
            status: if c.status == "open" { "Open".into() } else { "Closed".into() },
            scope: scope_words(&areas, &roles),
        });
    }
    Ok(render(&CampaignsPage {
        layout: layout(&state, Some(&user), "Acknowledgement campaigns", "/policy"),
        in_force,
        areas: store
            .business_areas()
            .await?
            .into_iter()
            .map(|a| Choice { value: a.id.to_string(), label: a.name })
            .collect(),
        roles: custodian_domain::people::Role::ALL
            .iter()
            .map(|r| Choice { value: r.as_str().into(), label: r.label().into() })
            .collect(),
        due_on: DateField::date("due_on", "Acknowledge by", "For example, 31 3 2027"),
        rows,
        c23: clause_view("2.3"),
    }))
}

/// Start a campaign from the form: its fields come as pairs, the checkboxes repeated.
async fn start_campaign(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> UiResult<Response> {
    state.require(&user, Action::PolicyCampaignsStart, &Resource::System)?;
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let all = |name: &str| pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let parts = Parts::read(&pairs, "due_on");
    let due_on = parse_date("due_on", "The date people acknowledge by", &parts, When::Future, state.now().date())
        .map_err(AppError::from)?;
    let input = super::CampaignInput {
        title: value("title"),
        clauses: value("clauses"),
        areas: all("areas"),
        roles: all("roles"),
        due_on: Some(due_on),
    };
    let (campaign, _) = super::start_campaign(&state, &user, &input).await?;
    Ok(Redirect::to(&format!("/policy/campaigns/{}", campaign.id)).into_response())
}

// ----- Training attendance (WP034 2.4) ----------------------------------------------------------

pub(crate) struct TrainingDone {
    pub(crate) lines: usize,
    pub(crate) sessions: usize,
    pub(crate) added: u64,
}

#[derive(Template)]
#[template(path = "policy/training.html")]
pub(crate) struct TrainingPage {
    pub(crate) layout: Layout,
    pub(crate) errors: Vec<FieldProblem>,
    pub(crate) error_detail: String,
    pub(crate) done: Option<TrainingDone>,
    pub(crate) c24: ClauseView,
}
page!(TrainingPage);

fn training_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<FieldProblem>,
    error_detail: String,
    done: Option<TrainingDone>,
) -> Response {
    let refused = !errors.is_empty();
    let mut res = render(&TrainingPage {
        layout: layout(state, Some(user), "Record training attendance", "/policy"),
        errors,
        error_detail,
        done,
        c24: clause_view("2.4"),
    });
    if refused {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn training(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyTrainingRecord, &Resource::System)?;
    Ok(training_page(&state, &user, Vec::new(), String::new(), None))
}

/// The attendance file, uploaded: recorded whole, or refused whole with every wrong line named
/// on this page (as `custodian policy training-import` names them).
async fn training_upload(State(state): State<AppState>, user: CurrentUser, mut mp: Multipart) -> UiResult<Response> {
    // Who may record training is known before the body is read: nobody else's upload is read.
    state.require(&user, Action::PolicyTrainingRecord, &Resource::System)?;
    let mut csrf = None;
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
        match field.name() {
            Some("csrf_token") => {
                csrf = Some(field.text().await.map_err(|e| AppError::invalid("csrf_token", e.body_text()))?)
            }
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| AppError::invalid("file", e.body_text()))?.to_vec())
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let Some(bytes) = file.filter(|f| !f.is_empty()) else {
        let errors = vec![FieldProblem {
            field: Some("file".into()),
            line: None,
            message: "Choose a CSV file to upload".into(),
        }];
        return Ok(training_page(&state, &user, errors, String::new(), None));
    };
    match super::import_training(&state, &user, &bytes).await {
        Ok(r) => Ok(training_page(
            &state,
            &user,
            Vec::new(),
            String::new(),
            Some(TrainingDone { lines: r.lines, sessions: r.sessions, added: r.added }),
        )),
        Err(AppError::Invalid { detail, errors }) => Ok(training_page(&state, &user, errors, detail, None)),
        Err(e) => Err(e.into()),
    }
}
