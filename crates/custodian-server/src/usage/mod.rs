//! Usage compliance in the server (WP034 4.1, 4.6, 4.10): the use cases behind the "Streaming
//! exceptions" and "Usage imports" pages and their API, and what a line manager reviewing a usage
//! finding sees beside the evidence. The findings themselves use the shared findings pages, API,
//! Cedar policies and review workflow; usage findings differ only in their evidence.
//!
//! * Streaming exceptions are recorded by the person's line manager as approver: WP034 4.6 allows
//!   streaming "for a specific policing purpose", a judgement about the person's duties that
//!   belongs to whoever directs them and judges their use case by case (4.10, 4.11).
//! * Digital Services import carrier and web gateway files through the same streaming import as
//!   the CLI, and see every run from its `usage.import` audit event.

pub mod api;
pub mod ui;

use std::sync::Arc;

use custodian_authz::{Action, Resource};
use custodian_domain::usage::{Feed, UsagePack};
use custodian_store::overseas::StreamingExceptionItem;
use custodian_store::usage::{UsageImport, UsageImportRun};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::overseas::parse_day;
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

fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// Record a streaming exception for a person (by staff number) until the end of `until`, with
/// the user as approver; only the person's line manager may (WP034 4.6, policy
/// `usage.streaming-exception-line-manager`).
pub async fn record_streaming_exception(
    state: &AppState,
    user: &CurrentUser,
    staff_number: &str,
    reason: &str,
    until: &str,
) -> Result<Uuid, AppError> {
    let sn = staff_number.trim();
    if sn.is_empty() {
        return Err(AppError::invalid("staff_number", "Enter the staff number of the person"));
    }
    let p = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("staff_number", format!("No person has staff number {sn}")))?;
    let resource =
        Resource::Person { id: p.id, line_manager: p.line_manager_id, business_area: Some(p.business_area.clone()) };
    if !state.allows(user, Action::StreamingExceptionsRecord, &resource) {
        return Err(AppError::Forbidden(
            "Only the person's line manager records a streaming exception for them (WP034 4.6).".into(),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "Name the specific policing purpose"));
    }
    let until = parse_day("until", until)?;
    let now = state.now();
    crate::forms::check_date("until", until, now.date())?;
    if until < now.date() {
        return Err(AppError::invalid("until", "The last day covered cannot be in the past"));
    }
    // Up to the end of that day in London (an hour early in summer is on the safe side).
    let expires = until.next_day().unwrap_or(until).midnight().assume_utc();
    Ok(state
        .store()
        .record_streaming_exception(p.id, reason, user.id(), micros(now), micros(expires), user.actor.at(now))
        .await?)
}

/// Streaming exceptions the user may see: every one for Digital Services; otherwise those about
/// them, those they approved, and those about the people they manage.
pub async fn streaming_exceptions(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<StreamingExceptionItem>, AppError> {
    let all = state.store().streaming_exceptions().await?;
    if state.allows(user, Action::StreamingExceptionsViewAll, &Resource::System) {
        return Ok(all);
    }
    let me = user.id();
    Ok(all.into_iter().filter(|e| e.person_id == me || e.approver_id == me || e.line_manager_id == Some(me)).collect())
}

/// Import a carrier or web gateway file through the streaming import the CLI uses (WP034 4.1);
/// bad rows are listed, good rows stored, and the run audited with the file's SHA-256. `profile`
/// names another supplier's layout from the usage pack (column names and date format); empty or
/// absent means the standard layout.
pub async fn import_usage(
    state: &AppState,
    user: &CurrentUser,
    feed: &str,
    profile: Option<&str>,
    body: Spooled,
) -> Result<UsageImport, AppError> {
    state.require(user, Action::UsageImport, &Resource::System)?;
    let feed = Feed::parse(feed)
        .ok_or_else(|| AppError::NotFound(format!("No usage feed called {feed}: use carrier or web.")))?;
    let pack = UsagePack::shipped();
    let profile =
        match profile.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(name) => Some(pack.profile(name).filter(|p| p.feed == feed).cloned().ok_or_else(|| {
                AppError::invalid("profile", format!("No {} file layout called {name}", feed.as_str()))
            })?),
        };
    if body.len == 0 {
        return Err(AppError::invalid("file", "Choose a CSV file to upload"));
    }
    // The import runs to its end on a task of its own: a client that goes away mid-import drops
    // this request, and must not leave stored records without their findings and the run's audit
    // event.
    let (store, actor, now, pack) = (state.store().clone(), user.actor.clone(), state.now(), Arc::new(pack.clone()));
    let run = tokio::spawn(async move {
        store.import_usage(feed, body.reader, profile, pack, actor.at(now), Arc::new(|_| {})).await
    });
    Ok(run.await.map_err(|e| AppError::Internal(anyhow::anyhow!("the usage import stopped: {e}")))??)
}

/// Largest usage file the web service and API take (bulk files of any size: `custodian usage
/// import` on the server).
pub const USAGE_UPLOAD_LIMIT: usize = 2 * 1024 * 1024 * 1024;

/// An upload received whole into an anonymous temporary file: memory does not grow with the
/// file, and nothing is imported unless all of it arrived (a client that goes away mid-upload
/// drops the file with the request).
pub struct Spooled {
    pub len: u64,
    pub reader: Box<dyn std::io::Read + Send>,
}

/// Receives an upload chunk by chunk into a [`Spooled`] file.
pub struct Spool {
    file: tokio::fs::File,
    len: u64,
}

impl Spool {
    pub fn new() -> Result<Self, AppError> {
        let file = tempfile::tempfile()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("creating the upload's temporary file: {e}")))?;
        Ok(Spool { file: tokio::fs::File::from_std(file), len: 0 })
    }

    /// Add a chunk; an upload past [`USAGE_UPLOAD_LIMIT`] is refused.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        use tokio::io::AsyncWriteExt;
        self.len += chunk.len() as u64;
        if self.len > USAGE_UPLOAD_LIMIT as u64 {
            return Err(AppError::TooLarge(format!(
                "The file is larger than the {} GB a usage upload may be: import it on the server with \
                 `custodian usage import`, or split it (imports skip records already stored).",
                USAGE_UPLOAD_LIMIT >> 30
            )));
        }
        self.file.write_all(chunk).await.map_err(|e| AppError::Internal(anyhow::anyhow!("writing the upload: {e}")))
    }

    pub async fn finish(mut self) -> Result<Spooled, AppError> {
        use std::io::Seek;
        use tokio::io::AsyncWriteExt;
        let fail = |e: std::io::Error| AppError::Internal(anyhow::anyhow!("reading back the upload: {e}"));
        self.file.flush().await.map_err(fail)?;
        let mut f = self.file.into_std().await;
        f.seek(std::io::SeekFrom::Start(0)).map_err(fail)?;
        Ok(Spooled { len: self.len, reader: Box::new(std::io::BufReader::with_capacity(1 << 20, f)) })
    }
}

/// The names of the other suppliers' layouts for `feed` in the usage pack.
pub fn import_profiles(feed: Feed) -> Vec<String> {
    UsagePack::shipped().profiles.iter().filter(|p| p.feed == feed).map(|p| p.name.clone()).collect()
}

/// The last usage import runs, newest first.
pub async fn import_runs(state: &AppState, user: &CurrentUser) -> Result<Vec<UsageImportRun>, AppError> {
    state.require(user, Action::UsageImport, &Resource::System)?;
    Ok(state.store().usage_import_runs(100).await?)
}

/// How many months the out-of-hours trend covers, this one included.
pub const OUT_OF_HOURS_MONTHS: u8 = 12;

/// The out-of-hours share per team of the Head of Department's business area and month, over the
/// last [`OUT_OF_HOURS_MONTHS`] London months (WP034 4.11): aggregates only, teams of at least the
/// pack's `min_team` people.
pub async fn out_of_hours(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(Vec<custodian_store::usage::TeamOutOfHours>, Vec<time::Date>), AppError> {
    state.require(user, Action::UsageOutOfHoursView, &Resource::System)?;
    let hours = UsagePack::shipped().out_of_hours.compile().map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let now_us = (state.now().unix_timestamp_nanos() / 1000) as i64;
    let this_month = custodian_domain::usage::london_month(now_us);
    let mut months = vec![this_month];
    for _ in 1..OUT_OF_HOURS_MONTHS {
        let last = months[months.len() - 1];
        let prev = last.previous_day().unwrap_or(last);
        months.push(prev.replace_day(1).unwrap_or(prev));
    }
    months.reverse();
    let from = custodian_domain::usage::london_midnight_us(months[0]);
    let teams = state.store().usage_out_of_hours(&hours, Some(user.person.business_area_id), from, now_us + 1).await?;
    Ok((teams, months))
}
