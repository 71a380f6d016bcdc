//! The "Data protection" page (WP034 3.4, 5.5): the retention schedule with each record type's
//! count, oldest record and how many are due (Data Protection Officer, Digital Services), legal
//! holds (Professional Standards place and release them; the DPO sees them), and the subject
//! access export (DPO). Every form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::data_protection::export::Form;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::data_protection as uc;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::error::problems;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/data-protection", get(overview))
        .route("/data-protection/holds", post(place))
        .route("/data-protection/holds/{id}/release", post(release))
        .route("/data-protection/export", post(export))
}

struct StatusRow {
    title: String,
    action: String,
    keep: String,
    clause: String,
    count: i64,
    oldest: String,
    due: i64,
    held: i64,
}

struct HoldRow {
    id: Uuid,
    subject: String,
    reason: String,
    review_on: String,
    placed: String,
    released: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "data_protection/overview.html")]
struct OverviewPage {
    layout: Layout,
    c34: ClauseView,
    c55: ClauseView,
    errors: Vec<FieldProblem>,
    sees_status: bool,
    sees_holds: bool,
    manages_holds: bool,
    exports: bool,
    schedule_status: String,
    rows: Vec<StatusRow>,
    holds: Vec<HoldRow>,
    form: uc::HoldForm,
}
page!(OverviewPage);

fn day(t: Option<time::OffsetDateTime>) -> String {
    t.map(|t| t.date().to_string()).unwrap_or_else(|| "—".into())
}

async fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    form: uc::HoldForm,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let sees_status = state.allows(user, Action::RetentionView, &Resource::System);
    let sees_holds = state.allows(user, Action::HoldsView, &Resource::System);
    let exports = state.allows(user, Action::SubjectAccessExport, &Resource::System);
    if !sees_status && !sees_holds && !exports {
        state.require(user, Action::RetentionView, &Resource::System)?;
    }
    let rows = if sees_status {
        uc::status(state, user)
            .await?
            .into_iter()
            .map(|s| StatusRow {
                title: s.title,
                action: s.action.to_string(),
                keep: s.keep,
                clause: s.clause,
                count: s.numbers.count,
                oldest: day(s.numbers.oldest),
                due: s.numbers.due,
                held: s.numbers.held,
            })
            .collect()
    } else {
        vec![]
    };
    let holds = if sees_holds {
        uc::holds(state, user, true)
            .await?
            .into_iter()
            .map(|h| HoldRow {
                id: h.id,
                subject: match (&h.staff_number, &h.person_name) {
                    (Some(sn), Some(n)) => format!("{n} ({sn})"),
                    _ => h.subject.clone(),
                },
                reason: h.reason,
                review_on: h.review_on.to_string(),
                placed: format!("{} by {}", h.created_at.date(), h.created_by),
                released: h
                    .released_at
                    .map(|t| format!("{} by {}", t.date(), h.released_by.unwrap_or_default()))
                    .unwrap_or_default(),
                open: h.released_at.is_none(),
            })
            .collect()
    } else {
        vec![]
    };
    let bad = !errors.is_empty();
    let mut res = render(&OverviewPage {
        layout: layout(state, Some(user), "Data protection", "/data-protection"),
        c34: clause_view("3.4"),
        c55: clause_view("5.5"),
        errors,
        sees_status,
        sees_holds,
        manages_holds: state.allows(user, Action::HoldsManage, &Resource::System),
        exports,
        schedule_status: uc::schedule().status.clone(),
        rows,
        holds,
        form,
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn overview(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    Ok(overview_page(&state, &user, uc::HoldForm::default(), vec![]).await?)
}

async fn place(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<uc::HoldForm>,
) -> UiResult<Response> {
    let done = uc::place_hold(&state, &user, &f).await.map(|_| "/data-protection".to_owned());
    crate::web::form_errors::redirect_or_again(done, |errors| overview_page(&state, &user, f, errors)).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReleaseForm {
    #[serde(default)]
    reason: String,
}

async fn release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ReleaseForm>,
) -> UiResult<Response> {
    let done = uc::release_hold(&state, &user, id, &f.reason).await.map(|()| "/data-protection".to_owned());
    crate::web::form_errors::redirect_or_again(done, |errors| {
        overview_page(&state, &user, uc::HoldForm::default(), errors)
    })
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ExportForm {
    #[serde(default)]
    pub staff_number: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub form: String,
}

async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ExportForm>,
) -> UiResult<Response> {
    let form = if f.form == "json" { Form::Json } else { Form::Html };
    match uc::begin_export(&state, &user, custodian_domain::people::staff_number_in(&f.staff_number), &f.reason, form)
        .await
    {
        Ok(p) => Ok(download_export(&state, p, form).await?),
        Err(e) => {
            let errors = problems(e)?;
            Ok(crate::web::form_errors::refused(
                overview_page(&state, &user, uc::HoldForm::default(), errors.clone()).await?,
                errors,
            ))
        }
    }
}

/// The export as a download: written in full to a temporary file first (its database snapshot
/// ends there), then the file is sent with its `Content-Length`. A failure while exporting
/// answers an error, never part of a file with 200.
pub(crate) async fn download_export(
    state: &AppState,
    p: custodian_store::Person,
    form: Form,
) -> Result<Response, AppError> {
    let spool = uc::spool_export(state.store(), p.id, &p.staff_number, form, state.now()).await.map_err(|e| {
        tracing::warn!(error = %format!("{e:#}"), "subject access export failed");
        AppError::Internal(e)
    })?;
    let len = spool.len;
    // Read in chunks off the async threads; the file closes (and is freed) when the stream ends
    // or the client goes away.
    let stream = futures_util::stream::unfold(Some(spool.file), |file| async move {
        let file = file?;
        let read = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut file = file;
            let mut buf = vec![0u8; uc::EXPORT_CHUNK];
            let n = file.read(&mut buf);
            (file, buf, n)
        })
        .await;
        match read {
            Ok((_, _, Ok(0))) => None,
            Ok((file, mut buf, Ok(n))) => {
                buf.truncate(n);
                Some((Ok(buf), Some(file)))
            }
            Ok((_, _, Err(e))) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    });
    let (ct, ext) = match form {
        Form::Json => ("application/json", "json"),
        Form::Html => ("text/html; charset=utf-8", "html"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"subject-access-{}.{ext}\"", p.staff_number)),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
