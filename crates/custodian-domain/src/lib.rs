//! Custodian's domain: the rules of WP034 (Mobile Devices and Social Media Policy) as pure
//! functions and types. Nothing here does I/O or reads the clock; time is passed in.

pub mod approvals;
pub mod apps;
pub mod audit;
pub mod comments;
pub mod countries;
pub mod data_protection;
pub mod declarations;
pub mod devices;
pub mod email;
pub mod findings;
pub mod imports;
pub mod monitoring;
pub mod numbers;
pub mod people;
pub mod policy;
pub mod posts;
pub mod social_accounts;
mod str_enum;
pub mod usage;
pub mod validate;
pub mod vault;

pub use str_enum::UnknownValue;

/// A field-level validation failure, naming the field so users can fix their input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The name of the offending field (a CSV column or JSON member).
    pub field: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
