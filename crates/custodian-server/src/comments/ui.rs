//! The "Public comments" pages (WP034 6.7, 8.2) under Posts: the labelled comments on every
//! channel for Corporate Communications, each comment's printable evidence pack, and one
//! author's. Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_store::comments::{Comment, Evidence};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::comments as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::{CsrfForm, CsrfOnly};
use crate::web::display;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/comments", get(list))
        .route("/comments/{id}", get(show))
        .route("/comments/{id}/evidence", post(keep_evidence))
        .route("/comments/authors/{platform}/{author}", get(author))
        .merge(super::workflow_ui::routes())
}

/// A label as people read it.
pub fn label_words(l: &str) -> String {
    custodian_domain::comments::label_words(l)
}

struct LabelRow {
    label: String,
    matched: String,
    explanation: String,
    clause: String,
}

struct CommentRow {
    id: Uuid,
    account: String,
    team: String,
    author: String,
    author_link: String,
    text: String,
    posted: String,
    received: String,
    labels: Vec<LabelRow>,
}

impl From<&Comment> for CommentRow {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id,
            account: format!("{} {}", c.platform.as_str(), c.account_handle),
            team: c.owning_team.clone(),
            author: format!("{} ({})", c.author_name, c.author),
            author_link: format!("/comments/authors/{}/{}", c.platform.as_str(), url_segment(&c.author)),
            text: c.body.clone(),
            posted: display::time_words(c.posted_at),
            received: display::time_words(c.received_at),
            labels: c
                .labels
                .iter()
                .map(|l| LabelRow {
                    label: label_words(&l.label),
                    matched: l.matched.clone(),
                    explanation: l.explanation.clone(),
                    clause: l.clause.clone(),
                })
                .collect(),
        }
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct EvidenceView {
    sha256: String,
    sha256_short: String,
    taken: String,
    taken_by: String,
    intact: bool,
    record: String,
}

fn evidence_view(state: &AppState, e: &Evidence) -> EvidenceView {
    let _ = state;
    EvidenceView {
        sha256: e.sha256.clone(),
        sha256_short: display::short_hash(&e.sha256).to_string(),
        taken: display::time_words_seconds(e.taken_at),
        taken_by: display::actor(&e.taken_by, |_| None),
        intact: e.intact(),
        record: serde_json::from_str::<serde_json::Value>(&e.record)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| e.record.clone()),
    }
}

// ----- the list ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "comments/list.html")]
struct ListPage {
    layout: Layout,
    c67: ClauseView,
    c82: ClauseView,
    rows: Vec<CommentRow>,
    labels: Vec<(String, String)>,
    label: String,
}
page!(ListPage);

#[derive(Default, Deserialize)]
struct ListQuery {
    label: Option<String>,
}

async fn list(State(state): State<AppState>, user: CurrentUser, Query(q): Query<ListQuery>) -> UiResult<Response> {
    let rows = uc::list(&state, &user, q.label.as_deref()).await?;
    Ok(render(&ListPage {
        layout: layout(&state, Some(&user), "Public comments", "/comments"),
        c67: clause_view("6.7"),
        c82: clause_view("8.2"),
        rows: rows.iter().map(CommentRow::from).collect(),
        labels: custodian_comments::LABELS.iter().map(|l| (l.to_string(), label_words(l))).collect(),
        label: q.label.unwrap_or_default(),
    }))
}

// ----- one comment's evidence pack -----------------------------------------------------------

#[derive(Template)]
#[template(path = "comments/show.html")]
struct ShowPage {
    layout: Layout,
    c82: ClauseView,
    c: CommentRow,
    url: String,
    post: String,
    source: String,
    pack_version: String,
    evidence: Option<EvidenceView>,
    may_act: bool,
    /// Corporate Communications' advice and actions (WP034 8.2): what, advice, when and who.
    actions: Vec<(String, String, String)>,
    action_choices: Vec<(String, String)>,
}
page!(ShowPage);

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let (c, e) = uc::view(&state, &user, id).await?;
    let actions = super::workflow::actions(&state, &user, id).await?;
    Ok(render(&ShowPage {
        actions: actions
            .iter()
            .map(|a| {
                let what = a
                    .action
                    .parse::<custodian_domain::comments::CommentAction>()
                    .map(|x| x.words().to_string())
                    .unwrap_or_else(|_| a.action.clone());
                (
                    what,
                    a.advice.clone(),
                    format!("{} by {}", display::time_words(a.acted_at), display::actor(&a.acted_by, |_| None)),
                )
            })
            .collect(),
        action_choices: custodian_domain::comments::CommentAction::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), a.words().to_string()))
            .collect(),
        layout: layout(&state, Some(&user), "Evidence pack: public comment", "/comments"),
        c82: clause_view("8.2"),
        url: c.url.clone(),
        post: c.post.clone(),
        source: c.source.clone(),
        pack_version: c.pack_version.clone(),
        c: CommentRow::from(&c),
        evidence: e.as_ref().map(|e| evidence_view(&state, e)),
        may_act: state.allows(&user, Action::CommentsAct, &Resource::System),
    }))
}

async fn keep_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> UiResult<Response> {
    uc::keep_evidence(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/comments/{id}?done=evidence")).into_response())
}

// ----- one author's evidence pack ------------------------------------------------------------

struct AuthorItem {
    c: CommentRow,
    url: String,
    evidence: Option<EvidenceView>,
}

#[derive(Template)]
#[template(path = "comments/author.html")]
struct AuthorPage {
    layout: Layout,
    c82: ClauseView,
    platform: String,
    author: String,
    author_name: String,
    items: Vec<AuthorItem>,
}
page!(AuthorPage);

async fn author(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((platform, author)): Path<(String, String)>,
) -> UiResult<Response> {
    let rows = uc::author_pack(&state, &user, &platform, &author).await?;
    let author_name = rows.last().map(|(c, _)| c.author_name.clone()).unwrap_or_default();
    Ok(render(&AuthorPage {
        layout: layout(&state, Some(&user), "Evidence pack: one author's comments", "/comments"),
        c82: clause_view("8.2"),
        platform: platform.clone(),
        author: author.clone(),
        author_name,
        items: rows
            .iter()
            .map(|(c, e)| AuthorItem {
                c: CommentRow::from(c),
                url: c.url.clone(),
                evidence: e.as_ref().map(|e| evidence_view(&state, e)),
            })
            .collect(),
    }))
}
