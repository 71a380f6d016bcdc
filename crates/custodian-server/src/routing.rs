//! Route registration that remembers what it registered. Axum's `Router` cannot list its routes,
//! so every module registers through [`Routes`]: pages with the method constructors here ([`get`],
//! [`post`], [`put`]), API operations with `routes!(handler)`, which reads the path and method
//! from the handler's `#[utoipa::path]` (written there once) and adds the operation to the
//! OpenAPI document. Each `(method, path)` is recorded as it is added, and
//! [`crate::route_table`] lists them all, so the permission matrix test can require a rule for
//! every route the server answers.

use std::convert::Infallible;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use tower::{Layer, Service};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::PathItem;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

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

/// A router, the OpenAPI operations of what it routes, and the table of what it routes.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    table: Vec<RouteEntry>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::documented(OpenApi::default())
    }
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// No routes yet, and a document to add the operations to (an area's schemas).
    pub fn documented(doc: OpenApi) -> Self {
        Self { router: OpenApiRouter::with_openapi(doc), table: Vec::new() }
    }

    /// Add a path and its methods (a page, or an API route the OpenAPI document leaves out).
    pub fn route(mut self, path: &str, methods: Methods) -> Self {
        self.table.extend(methods.methods.iter().map(|m| RouteEntry { method: m, path: path.to_string() }));
        Self { router: self.router.route(path, methods.inner), table: self.table }
    }

    /// Add annotated API handlers of one path, `routes!(list_devices, create_device)`: the path
    /// and methods are their `#[utoipa::path]`'s, and their operations join the document.
    pub fn routes(mut self, operations: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &operations.1.paths {
            self.table.extend(methods_of(item).map(|method| RouteEntry { method, path: path.clone() }));
        }
        Self { router: self.router.routes(operations), table: self.table }
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
        self.router.into()
    }

    /// The OpenAPI document of the operations added with [`Routes::routes`].
    pub fn into_openapi(self) -> OpenApi {
        self.router.into_openapi()
    }
}

/// The methods a path item has operations for.
fn methods_of(item: &PathItem) -> impl Iterator<Item = &'static str> + '_ {
    [
        ("GET", &item.get),
        ("PUT", &item.put),
        ("POST", &item.post),
        ("DELETE", &item.delete),
        ("OPTIONS", &item.options),
        ("HEAD", &item.head),
        ("PATCH", &item.patch),
        ("TRACE", &item.trace),
    ]
    .into_iter()
    .filter(|(_, op)| op.is_some())
    .map(|(method, _)| method)
}
