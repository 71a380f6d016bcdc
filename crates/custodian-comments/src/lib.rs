//! Triage of public comments on the force's social media channels (WP034 6.7 and 8.2).
//!
//! A comment gets labels (`question`, `emergency`, `crime_report`, `complaint`,
//! `abuse_staff`, the five monitored hate strands, `threat`, `doxxing`, `spam`), each with the
//! span that gave it and an explanation, and the routes WP034 sets for them: the affected
//! person's line manager for wellbeing support (8.2), Corporate Communications (8.2), a
//! Resolution Centre referral for hate crime and malicious communications (8.2), and the
//! owning team's reply queue with a service level (6.7). Every term, pattern and route lives
//! in the pack (`policy-pack/comments.toml`); the code supplies normalisation of obfuscated
//! spellings and the matching. Pure: no I/O.
//!
//! ```
//! use custodian_comments::Engine;
//! let engine = Engine::builtin().unwrap();
//! let t = engine.triage("What time does the front counter at Leamington open?");
//! assert!(t.has("question"));
//! ```

pub mod cli;
mod engine;
pub mod model;
mod normalise;
pub mod pack;
pub mod staff;

pub use engine::{Combine, Engine, LabelMatch, RouteTaken, Triage, sha256_hex};
pub use pack::{COMBINE, LABELS, ModelRef, Pack, PackError, ServiceLevel, StaffRules};
pub use staff::{StaffIndex, StaffMember, StaffNamed};
