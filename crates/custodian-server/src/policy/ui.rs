//! The policy page: WP034 by section, with every clause's words.

use crate::routing::{Routes, get};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use custodian_authz::{Action, Resource};

use crate::auth::CurrentUser;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};
pub fn routes() -> Routes {
    Routes::new().route("/policy", get(policy))
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
    pub(crate) sections: Vec<SectionView>,
}
page!(PolicyPage);

pub async fn policy(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    state.require(&user, Action::PolicyRead, &Resource::System)?;
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
        review_date: p.next_review_date.to_string(),
        review_due: p.review_due(state.now().date()),
        sections,
    }))
}
