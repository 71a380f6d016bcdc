//! Route registration that remembers what it registered. Axum's `Router` cannot list its routes,
//! so every module registers through [`Routes`] and the method constructors here ([`get`],
//! [`post`], [`put`]); each `(method, path)` is recorded as it is added, and
//! [`crate::route_table`] lists them all, so the permission matrix test can require a rule for
//! every route the server answers.

use std::convert::Infallible;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use tower::{Layer, Service};

use crate::state::AppState;

/// One registered route: an HTTP method and the full path pattern (e.g. `/api/v1/devices/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: String,
}

/// A service a [`RouteLayer`] may wrap a route in: what axum's `layer` asks of it.
pub trait RouteService:
    Service<Request, Response: IntoResponse + 'static, Error: Into<Infallible> + 'static, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> RouteService for S where
    S: Service<Request, Response: IntoResponse + 'static, Error: Into<Infallible> + 'static, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// A layer that [`Methods::layer`] and [`Routes::layer`] accept: axum's bounds on `layer`,
/// written once.
pub trait RouteLayer: Layer<Route, Service: RouteService> + Clone + Send + Sync + 'static {}

impl<L> RouteLayer for L where L: Layer<Route, Service: RouteService> + Clone + Send + Sync + 'static {}

/// A method router with the methods it answers.
pub struct Methods {
    inner: MethodRouter<AppState>,
    methods: Vec<&'static str>,
}

macro_rules! method {
    ($free:ident, $verb:literal) => {
        /// Route this method to `handler`.
        pub fn $free<H, T>(handler: H) -> Methods
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Methods { inner: axum::routing::$free(handler), methods: vec![$verb] }
        }

        impl Methods {
            /// Also route this method to `handler`.
            pub fn $free<H, T>(mut self, handler: H) -> Methods
            where
                H: Handler<T, AppState>,
                T: 'static,
            {
                self.methods.push($verb);
                Methods { inner: self.inner.$free(handler), methods: self.methods }
            }
        }
    };
}
method!(get, "GET");
method!(post, "POST");
method!(put, "PUT");
method!(delete, "DELETE");
method!(patch, "PATCH");

impl Methods {
    /// Wrap these methods' handlers in a layer (e.g. a body limit for one upload route).
    pub fn layer<L: RouteLayer>(self, layer: L) -> Methods {
        Methods { inner: self.inner.layer(layer), methods: self.methods }
    }
}

/// A router and the table of what it routes.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteEntry>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a path and its methods.
    pub fn route(mut self, path: &str, methods: Methods) -> Self {
        self.table.extend(methods.methods.iter().map(|m| RouteEntry { method: m, path: path.to_string() }));
        Self { router: self.router.route(path, methods.inner), table: self.table }
    }

    /// Add another module's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.table.extend(other.table);
        Self { router: self.router.merge(other.router), table: self.table }
    }

    /// Wrap every route added so far in a layer.
    pub fn layer<L: RouteLayer>(self, layer: L) -> Self {
        Self { router: self.router.layer(layer), table: self.table }
    }

    /// The routes, with every path under `prefix` (as `Router::nest` would put them).
    pub fn prefixed(self, prefix: &str) -> Vec<RouteEntry> {
        self.table.into_iter().map(|e| RouteEntry { method: e.method, path: format!("{prefix}{}", e.path) }).collect()
    }

    pub fn table(&self) -> &[RouteEntry] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
