//! Custodian's server: the use cases behind WP034, served as a JSON API under /api/v1 and as a
//! server-rendered web interface, over one [`custodian_store::Store`].

pub mod api;
pub mod approvals;
pub mod apps;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod forms;
pub mod keys;
pub mod monitoring;
pub mod ops;
pub mod overseas;
pub mod posts;
pub mod routing;
pub mod screening;
pub mod state;
pub mod ui;
pub mod usage;
pub mod usecases;

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
        let key = keys::load_or_create(&settings.data_dir)?;
        let listener = TcpListener::bind(&settings.bind).await.with_context(|| format!("binding {}", settings.bind))?;
        let state = AppState::new(store, authz, settings, breached, key)?;
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
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        checkpointer.abort();
        sweeper.abort();
        publisher.abort();
        if let Err(e) = ops::checkpoint_now(&state).await {
            tracing::warn!(error = %e, "final audit checkpoint failed");
        }
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

/// Every (method, path) that [`router`] routes (but for the static files under /static), as
/// registered: the pages, the API under [`API_PREFIX`] and the operations endpoints.
pub fn route_table() -> Vec<routing::RouteEntry> {
    let mut table = ui::routes().prefixed("");
    table.extend(api::routes().prefixed(API_PREFIX));
    table.extend(ops::routes().prefixed(""));
    table
}

/// All routes with their security headers.
pub fn router(state: AppState) -> Router {
    let static_dir = tower_http::services::ServeDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/static"));
    Router::new()
        .merge(ui::routes().into_router().layer(middleware::from_fn_with_state(state.clone(), ui::with_incident)))
        .nest(API_PREFIX, api::routes().into_router())
        .merge(ops::routes().into_router())
        .nest_service("/static", static_dir)
        .layer(middleware::from_fn_with_state(state.clone(), count_requests))
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
        .layer(tower_http::limit::RequestBodyLimitLayer::new(overseas::USAGE_UPLOAD_LIMIT))
        .layer(middleware::from_fn(explain_too_large))
        .with_state(state)
}

/// The largest request body the server reads, but for usage files.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The body limit answers with a bare 413; say what the limit is and what to do instead, as a
/// problem document on the API and as a page on the web interface.
async fn explain_too_large(req: Request<axum::body::Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let usage = req.uri().path().contains("/usage/imports/");
    let res = next.run(req).await;
    if res.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE
        || res.headers().get(axum::http::header::CONTENT_TYPE).is_some_and(|c| c != "text/plain; charset=utf-8")
    {
        return res;
    }
    let limit =
        if usage { format!("{} GB", overseas::USAGE_UPLOAD_LIMIT >> 30) } else { format!("{} MB", BODY_LIMIT >> 20) };
    let e = error::AppError::TooLarge(format!(
        "The upload is larger than the {limit} the web service accepts here. Import a usage file of \
         any size on the server with `custodian usage import carrier|web FILE.csv`, or split it: \
         imports skip records already stored."
    ));
    use axum::response::IntoResponse;
    if api { error::ApiError(e).into_response() } else { error::UiError(e).into_response() }
}
