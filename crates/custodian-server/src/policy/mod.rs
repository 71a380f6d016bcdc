//! WP034 itself: its clauses by id on the API, and the policy page.

pub mod api;
pub mod ui;
