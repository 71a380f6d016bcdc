//! The audit log (WP034 9.1): reading it, newest first, and verifying its tree and signed
//! checkpoints.

pub mod api;
pub mod ui;
