//! The OpenAPI 3.1 document of the JSON API, assembled from every area's annotated handlers and
//! completed by [`crate::api::contract`]. It lives apart from [`crate::api`] because it names
//! every area, while the areas import `api`'s extractors and DTOs: kept together, the two formed
//! an import circle.

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
    paths(crate::people::api::me,
          crate::people::api::list_people,
          crate::people::api::get_person,
          crate::people::api::personal_numbers,
          crate::devices::api::list_devices,
          crate::devices::api::create_device,
          crate::devices::api::get_device,
          crate::devices::api::device_history,
          crate::devices::api::allocate,
          crate::devices::api::transition,
          crate::devices::api::correct_allocation,
          crate::devices::api::confirm_receipt,
          crate::devices::api::report_loss,
          crate::imports::api::import_people,
          crate::imports::api::import_devices,
          crate::imports::api::import_intune,
          crate::imports::api::import_amapi,
          crate::findings::api::list_findings,
          crate::findings::api::get_finding,
          crate::findings::api::review_finding,
          crate::audit::api::audit_events,
          crate::audit::api::audit_verify, crate::audit::api::audit_verify_against,
          crate::audit::api::audit_key,
          crate::audit::api::audit_consistency,
          crate::audit::api::audit_inclusion,
          crate::policy::api::policy_clause, crate::policy::api::policy_status),
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

/// The document as the annotations generate it.
pub fn generated() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
        .merge_from(crate::monitoring::api::MonitoringApi::openapi())
        .merge_from(crate::screening::api::ScreeningApi::openapi())
        .merge_from(crate::approvals::api::ApprovalsApi::openapi())
        .merge_from(crate::posts::api::PostsApi::openapi())
        .merge_from(crate::overseas::api::OverseasApi::openapi())
        .merge_from(crate::data_protection::api::DataProtectionApi::openapi())
        .merge_from(crate::usage::api::UsageApi::openapi())
        .merge_from(crate::apps::api::AppsApi::openapi())
        .merge_from(crate::vault::api::VaultApi::openapi())
        .merge_from(crate::social_accounts::api::SocialAccountsApi::openapi())
        .merge_from(crate::comments::api::CommentsApi::openapi())
        .merge_from(crate::comments::workflow_api::CommentsWorkflowApi::openapi())
        .merge_from(crate::declarations::api::DeclarationsApi::openapi())
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi())
}
