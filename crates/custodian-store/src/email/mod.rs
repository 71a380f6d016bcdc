//! The e-mail outbox: every notification (written by `approvals::notify`, the one function that
//! writes them) also writes the e-mail it owes here, in the same transaction as the notification
//! and the change's audit event. The server's sender claims due rows with a lease, sends them
//! over SMTP and marks each sent as soon as the server has answered 250 (see docs/email.md).
//! Each person chooses immediate e-mails or a daily digest ([`Delivery`]); there is no "off".

pub use custodian_domain::email::Delivery;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::backend::micros;
use crate::{Result, Store, Write};

/// One e-mail owed, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OutboxRow {
    /// Also the e-mail's Message-ID (`<id@domain>`) when it goes on its own.
    pub id: Uuid,
    pub notification_id: Uuid,
    pub person_id: Uuid,
    pub to_address: String,
    #[sqlx(try_from = "String")]
    pub delivery: Delivery,
    /// The notification's kind (`approval.to_decide`...).
    pub kind: String,
    /// The notification's title and body.
    pub subject: String,
    pub body: String,
    /// Where in Custodian to act (a path; the sender puts `public_url` before it).
    pub link: Option<String>,
    /// `pending`, `sent` or `failed` (refused for good by the SMTP server).
    pub status: String,
    pub created_us: i64,
    pub next_attempt_us: i64,
    pub attempts: i64,
    pub lease_holder: Option<String>,
    pub lease_until_us: Option<i64>,
    pub last_error: Option<String>,
    pub sent_us: Option<i64>,
    /// The Message-ID of the e-mail it went in.
    pub message_id: Option<String>,
}

/// Whether notifications write their e-mail to the outbox: always, except in the write-path
/// benchmark (`tests/it/email.rs::bench_write_path_and_send_throughput`), which turns it off to
/// time the same decisions without the outbox insert. Nothing else may change it.
static OUTBOX_ON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// For the write-path benchmark only (see [`OUTBOX_ON`]).
#[doc(hidden)]
pub fn benchmark_outbox(on: bool) {
    OUTBOX_ON.store(on, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn outbox_on() -> bool {
    OUTBOX_ON.load(std::sync::atomic::Ordering::Relaxed)
}

impl Store {
    /// How `person` chose to be e-mailed (immediate when they never chose).
    pub async fn email_preference(&self, person: Uuid) -> Result<Delivery> {
        on_read!(self, email::preference(person))
    }

    /// Set how `person` is e-mailed, audited (`email.preference`); false if it was so already.
    pub async fn email_set_preference(&self, person: Uuid, delivery: Delivery, w: Write<'_>) -> Result<bool> {
        on_write!(self, email::set_preference(person, delivery, w))
    }

    /// Lease up to `limit` immediate e-mails due at `now` to `holder` for `lease`: nobody else
    /// gets them until it ends (or they are marked).
    pub async fn email_claim_immediate(
        &self,
        holder: &str,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let (now_us, until_us) = (micros(now), micros(now + lease));
        on_write!(self, email::claim_immediate(holder, now_us, until_us, limit))
    }

    /// People who have digest e-mails made before `cutoff` that are due at `now`.
    pub async fn email_digest_people(
        &self,
        cutoff: OffsetDateTime,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<Uuid>> {
        let (cutoff_us, now_us) = (micros(cutoff), micros(now));
        on_read!(self, email::digest_people(cutoff_us, now_us, limit))
    }

    /// Lease all of `person`'s digest e-mails made before `cutoff` and due at `now`.
    pub async fn email_claim_digest(
        &self,
        person: Uuid,
        holder: &str,
        cutoff: OffsetDateTime,
        now: OffsetDateTime,
        lease: time::Duration,
    ) -> Result<Vec<OutboxRow>> {
        let (cutoff_us, now_us, until_us) = (micros(cutoff), micros(now), micros(now + lease));
        on_write!(self, email::claim_digest(person, holder, cutoff_us, now_us, until_us))
    }

    /// Mark rows sent in the e-mail `message_id`.
    pub async fn email_mark_sent(&self, ids: &[Uuid], message_id: &str, now: OffsetDateTime) -> Result<()> {
        let now_us = micros(now);
        on_write!(self, email::mark_sent(ids, message_id, now_us))
    }

    /// Record a failed send: retry from `retry_at`, or never (`None`).
    pub async fn email_mark_failed(&self, ids: &[Uuid], error: &str, retry_at: Option<OffsetDateTime>) -> Result<()> {
        let retry = retry_at.map(micros);
        on_write!(self, email::mark_failed(ids, error, retry))
    }

    /// The outbox, newest first.
    pub async fn email_outbox(&self, limit: i64) -> Result<Vec<OutboxRow>> {
        on_read!(self, email::outbox(limit))
    }
}
