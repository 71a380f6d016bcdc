//! Dashboard counts.

use serde::Serialize;
use uuid::Uuid;

use crate::{Result, Store};

impl Store {
    pub async fn counts(&self, holder: Option<Uuid>) -> Result<Counts> {
        on_read!(self, dashboard::counts(holder))
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub devices_by_status: Vec<(String, i64)>,
    pub devices_by_type: Vec<(String, i64)>,
    pub findings_by_status: Vec<(String, i64)>,
    pub findings_open_by_rule: Vec<(String, i64)>,
    pub people_active: i64,
    pub awaiting_receipt: i64,
    pub audit_events: i64,
}
