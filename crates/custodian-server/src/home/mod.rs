//! The home page: what needs the signed-in person's attention, and the register at a glance.

pub mod ui;
