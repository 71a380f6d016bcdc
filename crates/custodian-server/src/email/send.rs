//! Sending the outbox over SMTP (lettre, async on tokio).
//!
//! Each run claims due rows with a lease (`lease_for`), sends them one at a time, and marks each
//! row sent in its own write straight after the server's 250 reply: the only moment at which a
//! crash can make an e-mail go twice is between that reply and that write, and a resend carries
//! the same Message-ID (`<outbox row id@from domain>`) and Date, so a mail system or a reader can
//! recognise it. A failure leaves the row pending with a bounded backoff (30 s doubling to an
//! hour); a permanent refusal (5xx) marks it failed, with the server's answer kept.

use std::time::{Duration as StdDuration, SystemTime};

use anyhow::Context;
use custodian_store::email::OutboxRow;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use time::{OffsetDateTime, PrimitiveDateTime, Time};

use crate::config::{Settings, SmtpTls};
use crate::state::AppState;

/// Rows claimed at a time: a claim is a lease, so a small batch keeps a slow server from holding
/// many rows it has not reached yet.
const BATCH: i64 = 10;
/// People whose digests one run sends at most (the rest wait for the next tick).
const DIGEST_PEOPLE: i64 = 200;
/// Rows one run sends at most, so a backlog is spread over ticks instead of holding the job.
const MAX_PER_RUN: usize = 2_000;

/// How long a claimed row is this server's: five ticks, at least 15 s and at most 5 minutes.
/// The SMTP time-out is a third of it, so a send never outlives its lease.
pub fn lease_for(settings: &Settings) -> time::Duration {
    time::Duration::seconds((settings.job_tick_seconds.saturating_mul(5)).clamp(15, 300) as i64)
}

/// The wait before try `attempts + 1` after `attempts` failed: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i64) -> time::Duration {
    let exp = attempts.saturating_sub(1).clamp(0, 7) as u32;
    time::Duration::seconds((30i64 << exp).min(3600))
}

/// The latest digest time at or before `now`: `hour`:00 on London's clocks, today or yesterday.
/// Digest rows made before it are due; rows made after wait for the next one, so each person gets
/// at most one digest a day.
pub fn digest_cutoff(now: OffsetDateTime, hour: u8) -> OffsetDateTime {
    let at = |d: time::Date| {
        let local = PrimitiveDateTime::new(d, Time::from_hms(hour.min(23), 0, 0).unwrap_or(Time::MIDNIGHT));
        // The offset in force at that hour (the clocks change at 1am, so noon's is that day's).
        let noon = PrimitiveDateTime::new(d, Time::MIDNIGHT + time::Duration::hours(12)).assume_utc();
        local.assume_offset(crate::web::display::london(noon).offset())
    };
    let today = crate::web::display::london(now).date();
    let t = at(today);
    if t <= now { t } else { at(today.previous_day().unwrap_or(today)) }
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    /// E-mails the SMTP server accepted.
    pub emails: usize,
    /// Outbox rows they carried (a digest carries several).
    pub rows: usize,
    /// Rows left pending to try again later.
    pub retrying: usize,
    /// Rows refused for good.
    pub failed: usize,
}

/// The SMTP connection settings and the sender's identity.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
    public_url: Option<String>,
    lease: time::Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// The mailer of `settings`, or `None` when `smtp_host` is unset (e-mail off: the outbox
    /// keeps filling). An error names the setting that is wrong.
    pub fn new(settings: &Settings) -> anyhow::Result<Option<Mailer>> {
        let Some(host) = settings.smtp_host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let from_text = settings.email_from.as_deref().context("email_from: set the From address for e-mail")?;
        let from: Mailbox = from_text.parse().map_err(|e| anyhow::anyhow!("email_from: {from_text:?}: {e}"))?;
        let domain = from.email.domain().to_string();
        let lease = lease_for(settings);
        let timeout = StdDuration::from_secs((lease.whole_seconds() / 3).clamp(5, 60) as u64);
        let builder = match settings.smtp_tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .with_context(|| format!("smtp_host: {host}"))?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).with_context(|| format!("smtp_host: {host}"))?
            }
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder.port(settings.smtp_port).timeout(Some(timeout));
        if let Some(user) = &settings.smtp_username {
            builder =
                builder.credentials(Credentials::new(user.clone(), settings.smtp_password.clone().unwrap_or_default()));
        }
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
            domain,
            public_url: settings.public_url.as_deref().map(|u| u.trim().trim_end_matches('/').to_string()),
            lease,
        }))
    }

    /// The e-mail's Message-ID for an outbox row: stable, so a resend is recognisable.
    pub fn message_id(&self, row: uuid::Uuid) -> String {
        format!("<{row}@{}>", self.domain)
    }

    fn link(&self, path: &str) -> String {
        match &self.public_url {
            Some(base) => format!("{base}{path}"),
            None => format!("{path} (in Custodian)"),
        }
    }

    fn footer(&self) -> String {
        format!(
            "You get this e-mail because Custodian notified you. Choose immediate e-mails or one summary a day \
             in your settings: {}\n",
            self.link("/account/email")
        )
    }

    fn item(&self, r: &OutboxRow) -> String {
        let mut s = format!("{}\n\nWhat to do: {}\n", r.body, custodian_domain::email::action(&r.kind));
        if let Some(l) = &r.link {
            s.push_str(&format!("Open: {}\n", self.link(l)));
        }
        s
    }

    /// The e-mail for one immediate row, or for one person's digest rows.
    pub fn compose(&self, rows: &[OutboxRow]) -> anyhow::Result<(String, Message)> {
        let first = rows.first().context("nothing to send")?;
        let to: Mailbox = first.to_address.parse().map_err(|e| anyhow::anyhow!("{}: {e}", first.to_address))?;
        let (subject, body) = if rows.len() == 1 && first.delivery == custodian_store::email::Delivery::Immediate {
            (
                format!("Custodian: {}", first.subject),
                format!("{}\n{}\n-- \n{}", first.subject, self.item(first), self.footer()),
            )
        } else {
            let mut body = format!(
                "Your Custodian notifications since the last summary ({}):\n\n",
                if rows.len() == 1 { "1 notification".to_string() } else { format!("{} notifications", rows.len()) }
            );
            for (i, r) in rows.iter().enumerate() {
                body.push_str(&format!("{}. {}\n{}\n", i + 1, r.subject, self.item(r)));
            }
            body.push_str(&format!("-- \n{}", self.footer()));
            (
                format!(
                    "Custodian: daily summary, {} notification{}",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" }
                ),
                body,
            )
        };
        let id = self.message_id(first.id);
        let created = OffsetDateTime::from_unix_timestamp_nanos(i128::from(first.created_us) * 1000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(id.clone()))
            .date(SystemTime::from(created))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .context("composing the e-mail")?;
        Ok((id, message))
    }
}

/// What to do with rows whose send failed: try again after the backoff, or give up on a
/// permanent refusal (5xx), keeping the reply.
async fn failed(state: &AppState, rows: &[OutboxRow], e: &anyhow::Error, permanent: bool, report: &mut SendReport) {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or(1);
    let retry = if permanent { None } else { Some(state.now() + backoff(attempts)) };
    // The error text is lettre's (the server's reply or the I/O error): never the password.
    let text = format!("{e:#}");
    if let Err(m) = state.store().email_mark_failed(&ids, &text, retry).await {
        tracing::warn!(error = %m, "could not record a failed e-mail (its lease will lapse and it will be tried again)");
    }
    if permanent {
        report.failed += ids.len();
        tracing::warn!(rows = ids.len(), error = %text, "the SMTP server refused an e-mail for good");
    } else {
        report.retrying += ids.len();
        tracing::info!(rows = ids.len(), error = %text, "e-mail not sent; it will be tried again");
    }
}

/// Send one e-mail for `rows`; true if the server answered 250 (and the rows are marked).
async fn send_one(state: &AppState, mailer: &Mailer, rows: &[OutboxRow], report: &mut SendReport) -> Outcome {
    let (id, message) = match mailer.compose(rows) {
        Ok(m) => m,
        Err(e) => {
            failed(state, rows, &e, true, report).await;
            return Outcome::Refused;
        }
    };
    match mailer.transport.send(message).await {
        Ok(_) => {
            // Straight after the 250: the window in which a crash resends this e-mail.
            let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
            if let Err(e) = state.store().email_mark_sent(&ids, &id, state.now()).await {
                tracing::warn!(error = %e, message_id = %id, "e-mail sent but not marked; it may be sent again with the same Message-ID");
            }
            report.emails += 1;
            report.rows += rows.len();
            Outcome::Sent
        }
        Err(e) => {
            let permanent = e.is_permanent();
            let e = anyhow::Error::new(e);
            failed(state, rows, &e, permanent, report).await;
            if permanent { Outcome::Refused } else { Outcome::Unreachable }
        }
    }
}

#[derive(PartialEq, Eq)]
enum Outcome {
    Sent,
    Refused,
    /// A time-out, a refused connection or a 4xx: try again later, and stop this run.
    Unreachable,
}

/// Send what is due at `now`: immediate rows one e-mail each, then, for each person with digest
/// rows made before the latest digest time, one e-mail with all of them. Stops at the first
/// temporary failure (the rest of that batch is retried later), so an outage costs one attempt a
/// tick, not one per row.
pub async fn send_due(state: &AppState, mailer: &Mailer, now: OffsetDateTime) -> anyhow::Result<SendReport> {
    let store = state.store();
    let mut report = SendReport::default();
    'immediate: while report.rows < MAX_PER_RUN {
        let rows = store.email_claim_immediate(state.holder(), now, mailer.lease, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for (i, row) in rows.iter().enumerate() {
            if send_one(state, mailer, std::slice::from_ref(row), &mut report).await == Outcome::Unreachable {
                // Give the rest of the batch back at once, due after the same backoff.
                let rest = &rows[i + 1..];
                if !rest.is_empty() {
                    let e = anyhow::anyhow!("not tried: the SMTP server was unreachable");
                    failed(state, rest, &e, false, &mut report).await;
                }
                return Ok(report);
            }
        }
        if (rows.len() as i64) < BATCH {
            break 'immediate;
        }
    }
    let cutoff = digest_cutoff(now, state.settings().email_digest_hour);
    for person in store.email_digest_people(cutoff, now, DIGEST_PEOPLE).await? {
        let rows = store.email_claim_digest(person, state.holder(), cutoff, now, mailer.lease).await?;
        if rows.is_empty() {
            continue;
        }
        if send_one(state, mailer, &rows, &mut report).await == Outcome::Unreachable {
            break;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let s: Vec<i64> = (1..=10).map(|a| backoff(a).whole_seconds()).collect();
        assert_eq!(s, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }

    #[test]
    fn the_digest_hour_is_on_london_clocks() {
        // Winter: London is UTC.
        assert_eq!(digest_cutoff(datetime!(2026-12-03 09:00 UTC), 8), datetime!(2026-12-03 08:00 UTC));
        assert_eq!(digest_cutoff(datetime!(2026-12-03 07:59 UTC), 8), datetime!(2026-12-02 08:00 UTC));
        // Summer: 8am BST is 7am UTC.
        assert_eq!(digest_cutoff(datetime!(2026-06-10 07:30 UTC), 8), datetime!(2026-06-10 07:00 UTC));
        assert_eq!(digest_cutoff(datetime!(2026-06-10 06:59 UTC), 8), datetime!(2026-06-09 07:00 UTC));
    }
}
