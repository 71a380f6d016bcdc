//! Checkpoints leave the building: each signed checkpoint is written outside the database, to a
//! folder (a file per checkpoint, never overwritten: point it at a write-once share) and/or
//! POSTed to a webhook, so that someone who can rewrite the database, and re-sign on the same
//! server, still cannot change what was published. `custodian audit verify --against FILE...`
//! then proves the current log extends every published checkpoint.
//!
//! Publication runs on the checkpoint task after the signing transaction has committed, never
//! inside a write, so it adds nothing to the time a change takes; a sink that fails is tried
//! again on the next tick with the latest checkpoint.

use std::path::{Path, PathBuf};

use anyhow::Context;
use custodian_store::SignedCheckpoint;

use crate::state::AppState;

/// The sinks of the settings (`checkpoint_dir`, `checkpoint_webhook_url`) and how far each got.
pub struct Publisher {
    dir: Option<PathBuf>,
    webhook: Option<String>,
    client: reqwest::Client,
    /// The size of the latest checkpoint each sink accepted.
    dir_done: u64,
    webhook_done: u64,
}

/// The file a checkpoint of `size` events is written to in the folder sink.
pub fn note_file(dir: &Path, size: u64) -> PathBuf {
    dir.join(format!("checkpoint-{size:012}.note"))
}

impl Publisher {
    pub fn new(settings: &crate::Settings) -> Self {
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Self {
            dir: settings.checkpoint_dir.clone(),
            webhook: settings.checkpoint_webhook_url.clone().filter(|u| !u.trim().is_empty()),
            client,
            dir_done: 0,
            webhook_done: 0,
        }
    }

    /// Whether any sink is configured.
    pub fn has_sinks(&self) -> bool {
        self.dir.is_some() || self.webhook.is_some()
    }

    /// Sign a checkpoint if the log has grown since the latest, then send the latest checkpoint to
    /// every sink that has not had it. Returns the checkpoint when one was signed, and the first
    /// sink error (the others are still tried).
    pub async fn checkpoint_and_publish(&mut self, state: &AppState) -> anyhow::Result<Option<SignedCheckpoint>> {
        let signed = crate::ops::checkpoint_signed(state).await?;
        self.publish_latest(state).await?;
        Ok(signed.filter(|c| c.new))
    }

    /// Send the latest stored checkpoint to every sink that has not accepted it yet.
    pub async fn publish_latest(&mut self, state: &AppState) -> anyhow::Result<()> {
        if !self.has_sinks() {
            return Ok(());
        }
        let Some((size, note)) = state.store().latest_checkpoint().await? else { return Ok(()) };
        let mut first_error = None;
        if let Some(dir) = &self.dir
            && size > self.dir_done
        {
            match write_note(dir, size, &note).await {
                Ok(()) => self.dir_done = size,
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        if let Some(url) = &self.webhook
            && size > self.webhook_done
        {
            match post_note(&self.client, url, size, &note).await {
                Ok(()) => self.webhook_done = size,
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Write the note as `checkpoint-<size>.note` in `dir`, created new (never replacing a file). A
/// file already there with the same note is fine; with another note it is refused and named.
async fn write_note(dir: &Path, size: u64, note: &str) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt;
    tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
    let path = note_file(dir, size);
    match tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await {
        Ok(mut f) => {
            f.write_all(note.as_bytes()).await.with_context(|| format!("writing {}", path.display()))?;
            f.sync_all().await.with_context(|| format!("writing {}", path.display()))?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let there =
                tokio::fs::read_to_string(&path).await.with_context(|| format!("reading {}", path.display()))?;
            if there == note {
                Ok(())
            } else {
                anyhow::bail!(
                    "{} already holds a different checkpoint for size {size}: not overwritten (run `custodian audit verify --against {}`)",
                    path.display(),
                    path.display()
                )
            }
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating {}", path.display()))),
    }
}

/// POST the note (text/plain) to `url`, with its size in `X-Custodian-Checkpoint-Size`; any
/// answer but 2xx is an error naming the status.
async fn post_note(client: &reqwest::Client, url: &str, size: u64, note: &str) -> anyhow::Result<()> {
    let r = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header("X-Custodian-Checkpoint-Size", size.to_string())
        .body(note.to_string())
        .send()
        .await
        .with_context(|| format!("posting the checkpoint at size {size} to the checkpoint webhook"))?;
    if !r.status().is_success() {
        anyhow::bail!("the checkpoint webhook answered {} for the checkpoint at size {size}", r.status());
    }
    Ok(())
}
