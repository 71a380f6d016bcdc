//! Custodian's permissions as policy code.
//!
//! Who may do what in Custodian is written as [Cedar](https://www.cedarpolicy.com) policies in
//! the repository's `policies/` directory, one file per area (`everyone.cedar`,
//! `people.cedar`, `devices.cedar`, `findings.cedar`, `monitoring.cedar`, `audit.cedar`,
//! `admin.cedar`, `approvals.cedar`, `apps.cedar`, `posts.cedar`, `usage.cedar`), checked
//! against `policies/custodian.cedarschema`. The rules are:
//!
//! * **default deny**: an action is allowed only when some policy permits it;
//! * **forbid beats permit**: a matching `forbid` denies whatever permits also match;
//! * **validated at start-up**: [`Authz::load`] parses the policies and validates them against
//!   the schema in strict mode, and refuses to start on any error;
//! * **every rule cites WP034**: each policy carries an `@id("...")`, an `@clause("x.y")` naming
//!   the clause of WP034 (the force's Mobile Devices and Social Media Policy) it comes from, and
//!   a `// WP034 x.y: why` comment right above it. The loader refuses a policy that lacks any of
//!   them, or whose clause is not a clause of WP034, so a [`Decision`] can always say which
//!   policies decided it and why.
//!
//! The policies are compiled into the binary ([`Authz::load`]); operators who edit them can
//! load a directory instead ([`Authz::from_dir`]).
//!
//! Decisions are cheap: [`Authz::decide`] builds the few request entities it needs (the
//! principal with its roles as parents, the resource, and the people the resource refers to)
//! and evaluates the policy set in a few microseconds. It never panics: an action asked about
//! the wrong kind of resource is simply denied.
//!
//! ```
//! use custodian_authz::{Action, Authz, Principal, Resource, Role};
//! use uuid::Uuid;
//!
//! let authz = Authz::load()?;
//! let ds = Principal { id: Uuid::from_u128(1), roles: vec![Role::DigitalServices], business_area: None };
//! let device = Resource::Device { id: Uuid::from_u128(2), holder: None, holder_line_manager: None };
//! let decision = authz.decide(&ds, Action::DevicesAllocate, &device);
//! assert!(decision.allowed);
//! assert_eq!(decision.clauses, vec!["4.1".to_string()]);
//! # Ok::<(), custodian_authz::AuthzError>(())
//! ```

/// The Cedar version the policies are written for, for callers of [`Authz::schema`] and
/// [`Authz::policy_set`].
pub use cedar_policy;
pub use custodian_domain::people::Role;

/// The Cedar namespace of the schema and the policies.
pub const NAMESPACE: &str = "Custodian";

/// The schema's file name, in the repository's `policies/` directory and in a directory given to
/// [`Authz::from_dir`].
pub const SCHEMA_FILE: &str = "custodian.cedarschema";

mod actions;
mod cedar;
mod decision;
mod error;
mod sources;
#[cfg(test)]
mod tests;

pub use actions::{Action, ResourceKind};
pub use cedar::Authz;
pub use decision::{Decision, Principal, Resource};
pub use error::AuthzError;
