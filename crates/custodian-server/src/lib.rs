//! Custodian's server: the use cases behind WP034, served as a JSON API under /api/v1 and as a
//! server-rendered web interface, over one [`custodian_store::Store`].

pub mod accounts;
pub mod api;
pub mod approvals;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod comments;
pub mod config;
pub mod data_protection;
pub mod declarations;
pub mod demo;
pub mod devices;
pub mod email;
pub mod error;
pub mod findings;
pub mod forms;
pub mod heavy;
pub mod home;
pub mod imports;
pub mod monitoring;
pub mod openapi;
pub mod ops;
pub mod overseas;
pub mod people;
pub mod policy;
pub mod posts;
pub mod routing;
pub mod screening;
pub mod social_accounts;
pub mod state;
pub mod usage;
pub mod vault;
pub mod web;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use custodian_authz::Authz;
use custodian_domain::validate::BreachList;
use custodian_store::{OpenOptions, Store};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Settings;
pub use state::AppState;

/// The Content-Security-Policy: no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// A built server, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

/// Open the store named by the settings (creating the SQLite file only when asked).
pub async fn open_store(settings: &Settings, create: bool) -> anyhow::Result<Store> {
    let store = Store::open(&settings.database_url, &OpenOptions { create_if_missing: create, max_connections: None })
        .await
        .with_context(|| format!("opening {}", custodian_store::redact(&settings.database_url)))?;
    Ok(store.with_origin(settings.audit_origin.clone()))
}

impl Application {
    /// Build the application on an opened store. Binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings, store: Store) -> anyhow::Result<Self> {
        let authz = Authz::load().context("loading the permission policies")?;
        let breached = match &settings.breached_passwords {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("reading breach list {}", p.display()))?;
                BreachList::from_lines(text.lines())
            }
            None => BreachList::empty(),
        };
        // The data folder holds the database, the signing key and the outbox: this account only.
        custodian_store::files::private_data_dir(&settings.data_dir)
            .with_context(|| format!("making {} private", settings.data_dir.display()))?;
        let (key, _) = auth::keys::for_log(&store, &settings.data_dir, &custodian_store::Actor::system()).await?;
        let listener = TcpListener::bind(&settings.bind).await.with_context(|| format!("binding {}", settings.bind))?;
        let state = AppState::new(store, authz, settings, breached, key)?;
        // The vault's key: a vault that cannot open its key still lets the rest of Custodian run.
        match vault::keys::for_vault(state.store(), &state.settings().data_dir).await {
            Ok(k) => {
                tracing::info!(key = k.id(), "the credential vault's key is loaded");
                state.set_vault_key(Ok(k));
            }
            Err(e) => {
                tracing::warn!(error = %e, "the credential vault is unavailable");
                state.set_vault_key(Err(e.to_string()));
            }
        }
        screening::refresh(&state).await.context("loading the screening pack in force")?;
        // The first device search should not pay for loading the search index.
        let started = std::time::Instant::now();
        let devices = state.store().warm_device_search().await.context("loading the device search index")?;
        tracing::info!(devices, took = ?started.elapsed(), "device search index loaded");
        let router = router(state.clone());
        Ok(Self { listener, router, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` completes, then finish in-flight requests, sign a final audit
    /// checkpoint and close the database.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let checkpointer = tokio::spawn(ops::checkpoint_loop(state.clone()));
        let sweeper = tokio::spawn(ops::sweep_loop(state.clone()));
        let publisher = tokio::spawn(posts::publish_loop(state.clone()));
        let mailer = tokio::spawn(ops::email_loop(state.clone()));
        let retention = tokio::spawn(ops::retention_loop(state.clone()));
        let reminders = tokio::spawn(ops::policy_reminders_loop(state.clone()));
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        checkpointer.abort();
        sweeper.abort();
        publisher.abort();
        mailer.abort();
        retention.abort();
        reminders.abort();
        ops::checkpoint_at_shutdown(&state).await;
        state.store().close().await;
        Ok(())
    }
}

async fn count_requests(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    let m = state.metrics();
    m.requests.fetch_add(1, Ordering::Relaxed);
    if res.status().is_client_error() {
        m.errors_4xx.fetch_add(1, Ordering::Relaxed);
    } else if res.status().is_server_error() {
        m.errors_5xx.fetch_add(1, Ordering::Relaxed);
    }
    res
}

/// Where the JSON API is mounted.
pub const API_PREFIX: &str = "/api/v1";

/// Every page, area by area. The areas' routes are put together here, above every area, so
/// that no module an area imports (`web`, `api`, `routing`) names the areas in turn.
pub fn page_routes() -> routing::Routes {
    routing::Routes::new()
        .merge(home::ui::routes())
        .merge(accounts::ui::routes())
        .merge(email::ui::routes())
        .merge(devices::ui::routes())
        .merge(people::ui::routes())
        .merge(imports::ui::routes())
        .merge(findings::ui::routes())
        .merge(audit::ui::routes())
        .merge(policy::ui::routes())
        .merge(declarations::ui::routes())
        .merge(monitoring::ui::routes())
        .merge(screening::ui::routes())
        .merge(approvals::ui::routes())
        .merge(posts::ui::routes())
        .merge(overseas::ui::routes())
        .merge(data_protection::ui::routes())
        .merge(usage::ui::routes())
        .merge(apps::ui::routes())
        .merge(vault::ui::routes())
        .merge(social_accounts::ui::routes())
        .merge(comments::ui::routes())
        .layer(middleware::map_response(web::redirect_unauthenticated))
}

/// The JSON API, area by area (mounted under [`API_PREFIX`]), with its OpenAPI document.
pub fn api_routes() -> routing::Routes {
    routing::Routes::new()
        .route("/openapi.json", routing::get(openapi::openapi_json))
        .merge(people::api::routes())
        .merge(devices::api::routes())
        .merge(imports::api::routes())
        .merge(findings::api::routes())
        .merge(audit::api::routes())
        .merge(policy::api::routes())
        .merge(declarations::api::routes())
        .merge(monitoring::api::routes())
        .merge(screening::api::routes())
        .merge(approvals::api::routes())
        .merge(posts::api::routes())
        .merge(overseas::api::routes())
        .merge(data_protection::api::routes())
        .merge(usage::api::routes())
        .merge(apps::api::routes())
        .merge(vault::api::routes())
        .merge(social_accounts::api::routes())
        .merge(comments::api::routes())
        .layer(middleware::map_response(api::problem_for_rejections))
}

/// Every (method, path) that [`router`] routes (but for the static files under /static), as
/// registered: the pages, the API under [`API_PREFIX`] and the operations endpoints.
pub fn route_table() -> Vec<routing::RouteEntry> {
    let mut table = page_routes().prefixed("");
    table.extend(api_routes().prefixed(API_PREFIX));
    table.extend(ops::routes().prefixed(""));
    table.extend(audit::witness::routes().prefixed(""));
    table
}

/// All routes with their security headers.
pub fn router(state: AppState) -> Router {
    let static_dir = tower_http::services::ServeDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/static"));
    Router::new()
        .merge(
            page_routes()
                .into_router()
                .layer(middleware::from_fn_with_state(state.clone(), web::with_incident))
                .layer(middleware::from_fn_with_state(state.clone(), web::form_errors::keep_forms_on_page))
                .layer(middleware::from_fn_with_state(state.clone(), web::nav::with_nav_facts)),
        )
        .nest(API_PREFIX, api_routes().into_router())
        .merge(ops::routes().into_router())
        .merge(audit::witness::routes().into_router())
        .nest_service("/static", static_dir)
        .fallback(web::error::not_found)
        .layer(middleware::from_fn(refuse_control_characters_in_query))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn_with_state(state.clone(), count_requests))
        .layer(middleware::from_fn(cache_policy))
        .layer(middleware::from_fn_with_state(state.clone(), transport_security))
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        // Every extractor (forms, JSON, uploads) reads at most BODY_LIMIT; the usage import routes
        // raise theirs and stream to a temporary file. The outer limit caps every body.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(usage::USAGE_UPLOAD_LIMIT))
        .layer(middleware::from_fn(explain_too_large))
        .with_state(state)
}

/// The largest request body the server reads, but for usage files.
pub(crate) const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The body limit answers with a bare 413; say what the limit is and what to do instead, as a
/// problem document on the API and as a page on the web interface. A body whose declared length
/// is over the limit is refused at once, before any of it is read (the extractors' limit would
/// read 64 MB first).
async fn explain_too_large(req: Request<axum::body::Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let usage = req.uri().path().contains("/usage/imports/");
    let limit = if usage { usage::USAGE_UPLOAD_LIMIT } else { BODY_LIMIT };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(api, usage);
    }
    let res = next.run(req).await;
    if res.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE
        || res.headers().get(axum::http::header::CONTENT_TYPE).is_some_and(|c| c != "text/plain; charset=utf-8")
    {
        return res;
    }
    too_large(api, usage)
}

fn too_large(api: bool, usage: bool) -> Response {
    let limit =
        if usage { format!("{} GB", usage::USAGE_UPLOAD_LIMIT >> 30) } else { format!("{} MB", BODY_LIMIT >> 20) };
    let e = error::AppError::TooLarge(format!(
        "The upload is larger than the {limit} the web service accepts here. Import a usage file of \
         any size on the server with `custodian usage import carrier|web FILE.csv`, or split it: \
         imports skip records already stored."
    ));
    use axum::response::IntoResponse;
    if api { error::ApiError(e).into_response() } else { crate::web::UiError(e).into_response() }
}

/// How long a request may take, by route: usage file uploads (up to 2 GB, streamed) have no
/// limit, register imports (up to 64 MB) ten times the setting, everything else the setting.
fn time_limit(method: &axum::http::Method, path: &str, ordinary: std::time::Duration) -> Option<std::time::Duration> {
    if method != axum::http::Method::POST {
        return Some(ordinary);
    }
    if path.contains("/usage/imports") {
        None
    } else if path.starts_with("/imports/") || path.starts_with("/api/v1/imports/") {
        Some(ordinary.saturating_mul(10))
    } else {
        Some(ordinary)
    }
}

/// Give up on a request that takes longer than its time limit with a 503 that says so (a
/// problem document on the API, a page on the web interface). Heavy work runs on the blocking
/// pool ([`AppState::offload`]) and finishes there, so nothing is left half-written.
async fn deadline(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let ordinary = std::time::Duration::from_secs(state.settings().request_timeout_seconds.max(1));
    let api = req.uri().path().starts_with("/api/");
    let Some(limit) = time_limit(req.method(), req.uri().path(), ordinary) else {
        return next.run(req).await;
    };
    within(limit, api, next.run(req)).await
}

/// [`deadline`]'s rule, for any response future.
async fn within(limit: std::time::Duration, api: bool, fut: impl std::future::Future<Output = Response>) -> Response {
    match tokio::time::timeout(limit, fut).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(?limit, "request abandoned at its time limit");
            let e = error::AppError::Unavailable(format!(
                "The server did not finish this request within {} seconds and has stopped waiting for it. \
                 Try again in a minute; if it keeps happening, ask for a smaller piece of work.",
                limit.as_secs()
            ));
            use axum::response::IntoResponse;
            let mut res = if api { error::ApiError(e).into_response() } else { crate::web::UiError(e).into_response() };
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("60"));
            res
        }
    }
}

/// Query strings are free text too (searches, purposes, filters): a parameter holding a
/// control character other than tab and line breaks is a 422 naming it, before any handler.
async fn refuse_control_characters_in_query(req: Request<axum::body::Body>, next: Next) -> Response {
    if let Some(q) = req.uri().query() {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default();
        for (k, v) in pairs {
            if let Some(c) = forms::forbidden_character(&v).or_else(|| forms::forbidden_character(&k)) {
                let field = if forms::forbidden_character(&k).is_some() { "query".to_string() } else { k };
                let e = forms::forbidden_character_error(&field, c);
                use axum::response::IntoResponse;
                return if req.uri().path().starts_with("/api/") {
                    error::ApiError(e).into_response()
                } else {
                    crate::web::UiError(e).into_response()
                };
            }
        }
    }
    next.run(req).await
}

/// Personal data must not stay in browser or proxy caches: every page and API response is
/// `Cache-Control: no-store` unless its handler chose otherwise. Static assets (styles, scripts,
/// fonts, images) hold nothing personal and are cached for an hour.
async fn cache_policy(req: Request<axum::body::Body>, next: Next) -> Response {
    let asset = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let ok = res.status().is_success();
    let h = res.headers_mut();
    if asset && ok {
        h.insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    } else if asset || !h.contains_key(axum::http::header::CACHE_CONTROL) {
        h.insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The HSTS policy sent over TLS: a year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Over TLS (the settings say every request is, or a trusted proxy says this one was), send
/// Strict-Transport-Security and mark every cookie `Secure`. `X-Forwarded-Proto` counts only
/// when `trust_proxy` is set: otherwise any client could claim it.
async fn transport_security(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let settings = state.settings();
    let https = settings.always_https()
        || (settings.trust_proxy
            && req
                .headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")));
    let mut res = next.run(req).await;
    if https {
        let h = res.headers_mut();
        h.insert(HeaderName::from_static("strict-transport-security"), HeaderValue::from_static(HSTS));
        let cookies: Vec<HeaderValue> = h.get_all(axum::http::header::SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(axum::http::header::SET_COOKIE);
            for c in cookies {
                let secure = c
                    .to_str()
                    .map(|t| t.split(';').skip(1).any(|a| a.trim().eq_ignore_ascii_case("secure")))
                    .unwrap_or(true);
                let c = if secure {
                    c
                } else {
                    let mut bytes = c.as_bytes().to_vec();
                    bytes.extend_from_slice(b"; Secure");
                    HeaderValue::from_bytes(&bytes).unwrap_or(c)
                };
                h.append(axum::http::header::SET_COOKIE, c);
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_request_past_its_time_limit_is_answered_503_with_a_problem_document() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Response::new(axum::body::Body::empty())
        };
        let started = std::time::Instant::now();
        let res = within(Duration::from_millis(50), true, slow).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(res.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let fast = async { Response::new(axum::body::Body::from("ok")) };
        assert_eq!(within(Duration::from_millis(50), true, fast).await.status(), 200);
    }

    #[test]
    fn usage_uploads_have_no_time_limit_and_register_imports_a_longer_one() {
        let d = Duration::from_secs(30);
        let post = axum::http::Method::POST;
        assert_eq!(time_limit(&post, "/api/v1/usage/imports/carrier", d), None);
        assert_eq!(time_limit(&post, "/usage/imports/web", d), None);
        assert_eq!(time_limit(&post, "/api/v1/imports/people", d), Some(d * 10));
        assert_eq!(time_limit(&post, "/imports/devices", d), Some(d * 10));
        assert_eq!(time_limit(&post, "/api/v1/posts/screen", d), Some(d));
        assert_eq!(time_limit(&axum::http::Method::GET, "/api/v1/usage/imports", d), Some(d));
    }
}
