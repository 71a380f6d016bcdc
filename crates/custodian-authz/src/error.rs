//! Why the policies could not be loaded.

use std::path::PathBuf;

/// Why the policies could not be loaded. Each message names the file and, where there is one,
/// the policy, so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    /// A file could not be read (only from [`Authz::from_dir`]).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The schema does not parse, or does not declare exactly the actions Custodian asks about.
    #[error("schema: {0}")]
    Schema(String),
    /// A policy file does not parse.
    #[error("{file}: {message}")]
    Parse {
        /// The policy file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A policy breaks the conventions: a missing or repeated `@id`, a missing or unknown
    /// `@clause`, or no `// WP034 x.y:` comment matching its clause.
    #[error("{file}: policy {policy}: {message}")]
    Convention {
        /// The policy file.
        file: String,
        /// The policy's `@id`, or its position in the file if it has none.
        policy: String,
        /// What is wrong.
        message: String,
    },
    /// The policies do not validate against the schema in strict mode.
    #[error("the policies do not validate against the schema: {0}")]
    Validation(String),
    /// There are no policy files.
    #[error("no policy files (*.cedar) found in {}", .0.display())]
    NoPolicies(PathBuf),
}
