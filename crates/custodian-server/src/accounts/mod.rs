//! Accounts: signing in and out, and a person's own account and password (WP034 9.1). The
//! credentials themselves (sessions, tokens, throttling, keys) are in [`crate::auth`].

pub mod ui;
