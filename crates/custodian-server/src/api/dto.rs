//! The JSON shapes every API area shares (paging, import summaries); each area's own shapes live
//! in its `api.rs`. All are kept apart from storage records so the contract is stable and
//! described in the OpenAPI document.

use custodian_store as s;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Paging query: `page` from 1, `per_page` up to 500 (default 50).
#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    /// The page (from 1) and page size (1 to 500). A page past the last answers no items; one
    /// so far that its offset would not fit a 64-bit integer is read as the farthest that does.
    pub fn resolve(&self) -> (i64, i64) {
        let per_page = self.per_page.unwrap_or(50).clamp(1, 500);
        (self.page.unwrap_or(1).clamp(1, i64::MAX / per_page), per_page)
    }
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub total: i64,
            pub page: i64,
            pub per_page: i64,
        }
    };
}
pub(crate) use page_type;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings_opened: usize,
    /// Findings this import closed because it shows their device healthy again (MDM exports).
    pub findings_closed: usize,
    pub unmatched: Vec<crate::error::FieldProblem>,
    /// What was accepted with a change or a caveat (a dropped phone number, one page of a longer
    /// export imported with `allow_partial`).
    pub warnings: Vec<crate::error::FieldProblem>,
}

impl From<s::ImportSummary> for ImportOut {
    fn from(s: s::ImportSummary) -> Self {
        Self {
            rows: s.rows,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            findings_opened: s.findings_opened,
            findings_closed: s.findings_closed,
            unmatched: s.unmatched.into_iter().map(crate::error::FieldProblem::from).collect(),
            warnings: s.warnings.into_iter().map(crate::error::FieldProblem::from).collect(),
        }
    }
}
