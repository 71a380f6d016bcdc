//! The store's integration tests, in one binary: each runs on a fresh SQLite database and, when
//! `CUSTODIAN_TEST_DATABASE_URL` names a PostgreSQL server, on a fresh PostgreSQL database
//! (see `on_both!`). They cover the areas whose logic lives in SQL (approval chain steps, app
//! grants, usage day totals), rows read back on both backends, and the migrations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod approvals;
mod audit_subtrees;
mod audit_tamper;
mod data_protection;
mod declarations;
mod distributed_sql;
mod grants;
mod leases;
mod migrations;
mod oidc_link;
mod out_of_hours;
mod policy;
mod retry;
mod rows;
mod social_accounts;
mod usage_totals;
