//! Usage compliance in the server (WP034 4.10): what a line manager reviewing a usage finding sees
//! beside the evidence. The findings themselves use the shared findings pages, API, Cedar policies
//! and review workflow; usage findings differ only in their evidence.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

/// The "frequency over the last 90 days" line of a usage finding (WP034 4.10b).
pub async fn frequency_row(state: &AppState, person: Uuid, rule: &str) -> Result<(String, String), AppError> {
    let (findings, records) = state.store().usage_frequency(person, rule, OffsetDateTime::now_utc()).await?;
    let f = if findings == 1 { "finding" } else { "findings" };
    let r = if records == 1 { "record" } else { "records" };
    Ok((
        "Frequency over the last 90 days (4.10b)".into(),
        format!("{findings} {f} of this rule, {records} {r}, including this one"),
    ))
}
