//! Errors at the storage boundary.

use std::path::PathBuf;

/// Errors at the storage boundary. Constraint violations become `Conflict` or `Invalid` so the
/// server can answer 409/422 rather than 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// Input refused, naming where: the field (a column, a form field or a JSON pointer) and the
    /// line of an uploaded file, where known; shown as `line N: field: message` (see
    /// [`invalid_text`]), so the server need not split the words to find them.
    #[error("{}", invalid_text(*.line, .field.as_deref(), .message))]
    InvalidField { field: Option<String>, line: Option<u64>, message: String },
    #[error(
        "refusing to create a new database at {0}: it does not exist (run with --demo, or `custodian migrate --create`)"
    )]
    MissingDatabase(PathBuf),
    #[error("unsupported database URL {0:?}: use sqlite:PATH or postgres://...")]
    BadUrl(String),
    #[error("audit log: {0}")]
    Audit(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A failure that is not the caller's fault (the bulk writer's own connection, the import lock
    /// file, a worker thread, a stored row that does not parse): the server answers 500.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The words of [`StoreError::InvalidField`]: `line N: field: message`, each part where known.
pub fn invalid_text(line: Option<u64>, field: Option<&str>, message: &str) -> String {
    let mut text = String::new();
    if let Some(l) = line {
        text.push_str(&format!("line {l}: "));
    }
    if let Some(f) = field {
        text.push_str(f);
        text.push_str(": ");
    }
    text.push_str(message);
    text
}

impl StoreError {
    /// Input refused for `field`.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidField { field: Some(field.to_string()), line: None, message: message.into() }
    }

    /// Input refused on `line` of an uploaded file, for `field` where known.
    pub(crate) fn invalid_line(line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.map(str::to_string), line: Some(line), message: message.into() }
    }

    /// Map named constraint violations to user-facing conflicts.
    pub(crate) fn from_sqlx(e: sqlx::Error) -> Self {
        // A stored value that does not read as its record's type (an unknown status, JSON that
        // does not parse): a corrupt row, not the caller's fault.
        if let sqlx::Error::ColumnDecode { index, source } = &e {
            return Self::Internal(format!("the stored {index} does not parse: {source}"));
        }
        if let sqlx::Error::Database(db) = &e {
            let msg = db.message().to_string();
            if db.is_unique_violation() {
                let what = if msg.contains("allocations") || msg.contains("one_current_holder") {
                    "the device already has a holder (WP034 4.1: one named person at a time)".to_string()
                } else {
                    format!("a record with the same unique value already exists ({msg})")
                };
                return Self::Conflict(what);
            }
            if db.is_foreign_key_violation() {
                return Self::Invalid(format!("refers to a record that does not exist ({msg})"));
            }
            if db.is_check_violation() {
                return Self::Invalid(format!("violates a rule of the register ({msg})"));
            }
        }
        Self::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Every database error goes through the constraint mapping, so `?` on a query answers a
/// unique, foreign key or check violation with `Conflict` or `Invalid` (409/422), not 500.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::from_sqlx(e)
    }
}

/// Parse a JSON column of a stored row; a value that does not parse is a corrupt row (`Internal`),
/// never silently read as null.
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("the stored {column} does not parse: {e}")))
}
