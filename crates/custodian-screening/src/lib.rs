//! Pre-publication screening of social media drafts against WP034 section 6: protective
//! markings and personal data (6.3b), investigation details that need the SIO's approval
//! (6.3e), covert tactics (6.3d), prejudicing justice (6.3a), copyright (6.3c), abusive (6.3f)
//! and disreputable (6.3g) content, and unapproved channels (6.5).
//!
//! Every pattern, word list, allowlist and threshold lives in the policy pack
//! (`policy-pack/screening.toml`); the code supplies normalisation, UK-aware validators and
//! the verdict. Offsets in findings are UTF-8 byte offsets into the text exactly as given.
//!
//! ```
//! use custodian_screening::{Engine, Verdict};
//! let engine = Engine::builtin().unwrap();
//! let s = engine.screen("Call 0800 555 111 to report anonymously to Crimestoppers.");
//! assert_eq!(s.verdict, Verdict::Clear);
//! ```

pub mod cli;
mod engine;
pub mod model;
mod names;
mod normalise;
pub mod pack;
pub mod personal;
pub mod review;
mod validate;

pub use engine::{Approver, Category, Engine, Finding, GateCache, Screening, Severity, Verdict, sha256_hex};
pub use pack::{ModelRef, Pack, PackError};
