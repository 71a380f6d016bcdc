//! The credential vault's pages (WP034 6.6, 9.1): `/vault` (every account's credential status),
//! `/accounts/{id}/credentials` (what is stored, the form to store or replace it, the reveal
//! form) and the reveal's answer, which shows the value once (hidden again after 30 seconds
//! where scripts run). Form fields that carry secrets are named `secret_*`, so a refused form
//! never keeps their values to show again.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use custodian_domain::vault::Field;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
use crate::vault::{self as uc, AccountStatus, CredentialStatus};
use crate::web::UiResult;
use crate::web::csrf::CsrfForm;
use crate::web::display::time_words;
use crate::web::error::problems;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/vault", get(index))
        .route("/accounts/{id}/credentials", get(account).post(store))
        .route("/accounts/{id}/credentials/reveal", post(reveal))
}

fn status_class(s: CredentialStatus) -> &'static str {
    match s {
        CredentialStatus::None => "govuk-tag--grey",
        CredentialStatus::Current => "govuk-tag--green",
        CredentialStatus::Due => "govuk-tag--red",
    }
}

struct Row {
    id: Uuid,
    account: String,
    team: String,
    manager: String,
    fields: String,
    status: String,
    status_class: String,
    reasons: Vec<String>,
}

impl From<&AccountStatus> for Row {
    fn from(s: &AccountStatus) -> Self {
        let a = &s.account;
        Self {
            id: a.id,
            account: format!("{} · {}", a.platform, a.handle),
            team: a.owning_team.clone(),
            manager: a.team_manager_name.clone().unwrap_or_else(|| "—".into()),
            fields: if a.stored.is_empty() {
                "—".into()
            } else {
                a.stored.iter().map(|f| f.field.label()).collect::<Vec<_>>().join(", ")
            },
            status: s.status.label().into(),
            status_class: status_class(s.status).into(),
            reasons: s.reasons.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "vault/index.html")]
struct IndexPage {
    layout: Layout,
    c66: ClauseView,
    c91: ClauseView,
    rows: Vec<Row>,
    due: usize,
}
page!(IndexPage);

async fn index(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let list = uc::list(&state, &user).await?;
    let rows: Vec<Row> = list.iter().map(Row::from).collect();
    let due = list.iter().filter(|s| s.status == CredentialStatus::Due).count();
    Ok(render(&IndexPage {
        layout: layout(&state, Some(&user), "Credential vault", "/vault"),
        c66: clause_view("6.6"),
        c91: clause_view("9.1"),
        rows,
        due,
    }))
}

struct FieldRow {
    name: String,
    label: String,
    stored: String,
}

#[derive(Template)]
#[template(path = "vault/account.html")]
struct AccountPage {
    layout: Layout,
    c66: ClauseView,
    c67: ClauseView,
    c91: ClauseView,
    row: Row,
    fields: Vec<FieldRow>,
    stored: Vec<FieldRow>,
    may_store: bool,
    may_reveal: bool,
    breach_corpus: Option<u64>,
    reason: String,
    errors: Vec<FieldProblem>,
}
page!(AccountPage);

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    reason: &str,
    errors: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let s = uc::view(state, user, id).await?;
    let (may_store, may_reveal) = uc::may(state, user, &s.account);
    let fields: Vec<FieldRow> = Field::ALL
        .iter()
        .map(|f| FieldRow {
            name: f.as_str().into(),
            label: f.label().into(),
            stored: match s.account.stored.iter().find(|x| x.field == *f) {
                Some(x) => format!("Stored {} by {}", time_words(x.set_at), x.set_by),
                None => "Not stored".into(),
            },
        })
        .collect();
    let stored = fields.iter().filter(|f| f.stored != "Not stored").map(f_clone).collect();
    let breach_corpus = uc::breach::BreachIndex::open(&uc::breach::index_path(&state.settings().data_dir))
        .ok()
        .flatten()
        .map(|i| i.entries);
    let bad = !errors.is_empty();
    let mut res = render(&AccountPage {
        layout: layout(state, Some(user), "Log-in details", "/vault"),
        c66: clause_view("6.6"),
        c67: clause_view("6.7"),
        c91: clause_view("9.1"),
        row: Row::from(&s),
        fields,
        stored,
        may_store,
        may_reveal,
        breach_corpus,
        reason: reason.into(),
        errors,
    });
    if bad {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn f_clone(f: &FieldRow) -> FieldRow {
    FieldRow { name: f.name.clone(), label: f.label.clone(), stored: f.stored.clone() }
}

async fn account(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    Ok(account_page(&state, &user, id, "", vec![]).await?)
}

/// The store form: every secret field is named `secret_<field>`.
#[derive(serde::Deserialize, Default)]
struct StoreForm {
    secret_username: Option<String>,
    secret_password: Option<String>,
    secret_recovery_email: Option<String>,
    secret_recovery_phone: Option<String>,
    secret_recovery_codes: Option<String>,
    secret_totp_seed: Option<String>,
}

/// A refusal names the form's field (`secret_password`), not the API's (`password`).
fn on_form(e: AppError) -> AppError {
    match e {
        AppError::Invalid { detail, errors } => AppError::Invalid {
            detail,
            errors: errors
                .into_iter()
                .map(|mut p| {
                    if let Some(f) = &p.field
                        && f.parse::<Field>().is_ok()
                    {
                        p.field = Some(format!("secret_{f}"));
                    }
                    p
                })
                .collect(),
        },
        other => other,
    }
}

async fn store(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<StoreForm>,
) -> UiResult<Response> {
    let mut input = uc::CredentialInput::default();
    input.set(Field::Username, f.secret_username);
    input.set(Field::Password, f.secret_password);
    input.set(Field::RecoveryEmail, f.secret_recovery_email);
    input.set(Field::RecoveryPhone, f.secret_recovery_phone);
    input.set(Field::RecoveryCodes, f.secret_recovery_codes);
    input.set(Field::TotpSeed, f.secret_totp_seed);
    let done = uc::put(&state, &user, id, &input).await.map(|_| format!("/accounts/{id}/credentials")).map_err(on_form);
    crate::web::form_errors::redirect_or_again(done, |errors| account_page(&state, &user, id, "", errors)).await
}

#[derive(serde::Deserialize)]
struct RevealForm {
    field: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "vault/revealed.html")]
struct RevealedPage {
    layout: Layout,
    c66: ClauseView,
    id: Uuid,
    account: String,
    label: String,
    value: String,
    totp: Option<(String, u64)>,
}
page!(RevealedPage);

impl Drop for RevealedPage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<RevealForm>,
) -> UiResult<Response> {
    let field = match f.field.parse::<Field>() {
        Ok(field) => field,
        Err(e) => {
            let errors = vec![FieldProblem { field: Some("field".into()), line: None, message: e.to_string() }];
            return Ok(crate::web::form_errors::refused(
                account_page(&state, &user, id, &f.reason, errors.clone()).await?,
                errors,
            ));
        }
    };
    match uc::reveal(&state, &user, id, field, &f.reason).await {
        Ok(r) => {
            let s = uc::view(&state, &user, id).await?;
            let page = RevealedPage {
                layout: layout(&state, Some(&user), "Log-in details", "/vault"),
                c66: clause_view("6.6"),
                id,
                account: format!("{} · {}", s.account.platform, s.account.handle),
                label: field.label().into(),
                value: r.value.expose_secret().to_string(),
                totp: r.totp,
            };
            Ok(render(&page))
        }
        Err(AppError::RateLimited { detail, retry_after_seconds }) => {
            // Over the reveal limit: the account's page again, saying so and when to try again
            // (a browser is sent back to it with the message in the error summary).
            let errors = vec![FieldProblem { field: None, line: None, message: detail }];
            let mut res = account_page(&state, &user, id, &f.reason, errors.clone()).await?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_seconds.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            Ok(crate::web::form_errors::refused(res, errors))
        }
        Err(e) => {
            let errors = problems(e)?;
            Ok(crate::web::form_errors::refused(
                account_page(&state, &user, id, &f.reason, errors.clone()).await?,
                errors,
            ))
        }
    }
}
