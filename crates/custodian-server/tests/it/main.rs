//! Integration tests through the real server on port 0, with a fresh database per test, on
//! SQLite always and on PostgreSQL when CUSTODIAN_TEST_DATABASE_URL is set (CI sets it and
//! requires it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod allocation_history;
mod approvals;
mod apps;
mod audit;
mod audit_outside;
mod axe;
mod browser;
mod comments;
mod comments_workflow;
mod data_protection;
mod declarations;
mod devices;
mod email;
mod findings;
mod forms_ux;
mod hardening;
mod human_inputs;
mod imports_security;
mod intune_onboarding;
mod mdm;
mod monitoring;
mod monitoring_notice;
mod oidc;
mod openapi;
mod overseas;
mod paging;
mod permissions;
mod policy_browser;
mod policy_campaigns;
mod policy_versions;
mod posts;
mod profile_check;
mod reflow;
mod register_bulk;
mod scale_out;
mod screening_pack;
mod screens;
mod security;
mod smtp;
mod social_accounts;
mod support;
mod ui;
mod usage;
mod usage_input;
mod vault;

/// Generate one test per backend from an async fn taking a `support::Backend`.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name($crate::support::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(b) = $crate::support::Backend::postgres() {
                    super::$name(b).await;
                }
            }
        }
    };
}
