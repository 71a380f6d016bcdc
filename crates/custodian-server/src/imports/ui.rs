//! The imports page: uploading the people and device registers and Intune exports.

use crate::routing::{Routes, get, post};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_authz::{Action, Resource};

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::{Layout, layout, page, render};
pub fn routes() -> Routes {
    Routes::new().route("/imports", get(imports_page)).route("/imports/{kind}", post(import_upload))
}

// ----- Imports -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "imports/imports.html")]
pub(crate) struct ImportsPage {
    pub(crate) layout: Layout,
    pub(crate) result: Option<ImportResultView>,
    pub(crate) errors: Vec<FieldProblem>,
    pub(crate) error_detail: String,
    pub(crate) can_people: bool,
    pub(crate) can_devices: bool,
    pub(crate) can_change_roles: bool,
}
page!(ImportsPage);

pub(crate) struct ImportResultView {
    pub(crate) kind: String,
    /// The counts the page shows (its row lists are in `notes`).
    pub(crate) summary: custodian_store::ImportSummary,
    pub(crate) notes: Vec<FieldProblem>,
}

pub(crate) fn imports_layout(
    state: &AppState,
    user: &CurrentUser,
    result: Option<ImportResultView>,
    errors: Vec<FieldProblem>,
    error_detail: String,
) -> ImportsPage {
    ImportsPage {
        layout: layout(state, Some(user), "Imports", "/imports"),
        result,
        errors,
        error_detail,
        can_people: state.allows(user, Action::PeopleImport, &Resource::System),
        can_devices: state.allows(user, Action::DevicesImport, &Resource::System),
        can_change_roles: state.allows(user, Action::UsersManage, &Resource::System),
    }
}

pub async fn imports_page(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    if !(state.allows(&user, Action::PeopleImport, &Resource::System)
        || state.allows(&user, Action::DevicesImport, &Resource::System))
    {
        return Err(AppError::Forbidden("You do not have permission to import records.".into()).into());
    }
    Ok(render(&imports_layout(&state, &user, None, vec![], String::new())))
}

pub async fn import_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    mut mp: Multipart,
) -> UiResult<Response> {
    let mut csrf = None;
    let mut file: Option<Vec<u8>> = None;
    let mut skip_invalid = false;
    let mut ignore_roles = false;
    let mut allow_partial = false;
    let mut register_new = false;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::invalid("file", e.body_text()))? {
        match field.name() {
            Some("csrf_token") => {
                csrf = Some(field.text().await.map_err(|e| AppError::invalid("csrf_token", e.body_text()))?)
            }
            Some("skip_invalid") => skip_invalid = true,
            Some("ignore_roles") => ignore_roles = true,
            Some("allow_partial") => allow_partial = true,
            Some("register_new") => register_new = true,
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| AppError::invalid("file", e.body_text()))?.to_vec())
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let action = if kind == "people" { Action::PeopleImport } else { Action::DevicesImport };
    state.require(&user, action, &Resource::System)?;
    let bytes = file.filter(|f| !f.is_empty()).ok_or_else(|| AppError::invalid("file", "Choose a file to upload"))?;
    let which = match kind.as_str() {
        "people" => super::RegisterImport::People,
        "devices" => super::RegisterImport::Devices,
        "intune" => super::RegisterImport::Intune { allow_partial, register_new },
        "amapi" => super::RegisterImport::Amapi { allow_partial },
        _ => return Err(AppError::NotFound(format!("No import called {kind}")).into()),
    };
    let r = super::import_offloaded(&state, &user, which, bytes, skip_invalid, ignore_roles).await;
    match r {
        Ok(o) => {
            let mut notes: Vec<FieldProblem> = o
                .skipped
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field,
                    line: Some(e.line),
                    message: format!("skipped: {}", e.message),
                })
                .collect();
            notes.extend(o.summary.warnings.iter().map(|e| FieldProblem {
                field: e.field.clone(),
                line: Some(e.line),
                message: format!("warning: {}", e.message),
            }));
            notes.extend(o.summary.unmatched.iter().chain(&o.summary.ignored).map(|e| FieldProblem {
                field: e.field.clone(),
                line: Some(e.line),
                message: e.message.clone(),
            }));
            if let Some(r) = &o.reattribution {
                notes.push(FieldProblem {
                    field: Some(if kind == "intune" { "enrolledDateTime" } else { "allocated_from" }.into()),
                    line: None,
                    message: format!(
                        "usage attributed again by the allocation history (WP034 4.1): {} records re-attributed, {} findings closed as attributed after the register was corrected, {} opened.",
                        r.records_reattributed, r.findings_closed, r.findings_opened
                    ),
                });
            }
            let view = ImportResultView { kind, summary: o.summary, notes };
            Ok(render(&imports_layout(&state, &user, Some(view), vec![], String::new())))
        }
        Err(AppError::Invalid { detail, errors }) => {
            let mut res = render(&imports_layout(&state, &user, None, errors, detail));
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
