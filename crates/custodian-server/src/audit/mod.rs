//! The audit log (WP034 9.1): reading it, newest first, and verifying its tree and signed
//! checkpoints; publishing its checkpoints outside the database.

pub mod api;
pub mod publish;
pub mod ui;
pub mod witness;
