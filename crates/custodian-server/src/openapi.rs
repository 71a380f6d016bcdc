//! The OpenAPI 3.1 document of the JSON API: what [`ApiDoc`] says of the whole API, and the
//! operations of every annotated handler [`crate::api_routes`] routes (each area's route table
//! adds its handlers' operations and schemas as it routes them), completed by
//! [`crate::api::contract`]. It lives apart from [`crate::api`] because it names the areas'
//! types, while the areas import `api`'s extractors and DTOs: kept together, the two formed an
//! import circle.

use utoipa::OpenApi;

use crate::api::contract;
use crate::api::dto::ImportOut;
use crate::audit::api::{
    AuditEventOut, AuditKeyOut, AuditPage, ConsistencyOut, InclusionOut, VerifyAgainstIn, VerifyOut,
};
use crate::devices::api::{
    AllocateIn, DeviceEventOut, DeviceIn, DeviceOut, DevicePage, MdmStateOut, ReportLossIn, TransitionIn,
};
use crate::error::Problem;
use crate::findings::api::{FindingOut, FindingPage, ReviewIn};
use crate::imports::api::ImportResult;
use crate::people::api::{PersonOut, PersonPage};
use crate::policy::api::{ClauseOut, PolicyStatusOut};

#[derive(OpenApi)]
#[openapi(
    info(title = "Custodian API", description = "Custodian runs Warwickshire Police's Mobile Devices and Social Media Policy (WP034). Every operation names the clause it enforces.", version = "1"),
    components(schemas(Problem, PersonOut, DeviceOut, MdmStateOut, DeviceEventOut, FindingOut, AuditEventOut, PersonPage, DevicePage, FindingPage, AuditPage,
                        AllocateIn, TransitionIn, ReportLossIn, ReviewIn, DeviceIn, ImportOut, ImportResult, VerifyOut, VerifyAgainstIn, AuditKeyOut, ConsistencyOut, InclusionOut, ClauseOut, PolicyStatusOut)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    }
}

/// The OpenAPI document (3.1), completed by [`contract::complete`].
pub fn openapi() -> serde_json::Value {
    let mut doc = serde_json::to_value(generated()).unwrap_or_default();
    contract::complete(&mut doc);
    doc
}

/// The document as the annotations generate it: the operations are those of the routes the API
/// answers, so the two cannot drift apart.
pub fn generated() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi().merge_from(crate::api_routes().into_openapi())
}

/// `GET /api/v1/openapi.json`: the document is the same for the life of the process, so it is
/// built and serialised once (building it builds every area's route table) and each request gets
/// the stored bytes.
pub(crate) async fn openapi_json() -> impl axum::response::IntoResponse {
    static DOC: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    let body = DOC.get_or_init(|| serde_json::to_vec(&openapi()).unwrap_or_default().into());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body.clone())
}
