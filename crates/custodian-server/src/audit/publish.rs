//! Checkpoints leave the building: each signed checkpoint is written outside the database, to a
//! folder (a file per checkpoint, never overwritten: point it at a write-once share) and/or
//! POSTed to a webhook, so that someone who can rewrite the database, and re-sign on the same
//! server, still cannot change what was published. `custodian audit verify --against FILE...`
//! then proves the current log extends every published checkpoint.
//!
//! Publication runs on the checkpoint task after the signing transaction has committed, never
//! inside a write, so it adds nothing to the time a change takes; a sink that fails is tried
//! again on the next tick with the latest checkpoint. What each sink accepted is recorded in the
//! database, so a checkpoint goes to a sink once whichever server runs the tick (at least once: a
//! server that dies between the sink's answer and the record sends it again; the folder sink
//! then finds the same file, and the webhook receiver sees `X-Custodian-Checkpoint-Size` again).

use std::path::{Path, PathBuf};

use anyhow::Context;
use custodian_store::SignedCheckpoint;

use crate::state::AppState;

/// The sinks of the settings (`checkpoint_dir`, `checkpoint_webhook_url`). How far each got is
/// kept in the database (`audit_publications`), not here: every server on the database, and a
/// server after a restart, then knows what a sink has already accepted and does not send it again.
pub struct Publisher {
    dir: Option<PathBuf>,
    webhook: Option<String>,
    client: reqwest::Client,
    /// Whether witnesses are configured (`audit_witnesses`).
    witnesses: bool,
}

/// The file a checkpoint of `size` events is written to in the folder sink.
pub fn note_file(dir: &Path, size: u64) -> PathBuf {
    dir.join(format!("checkpoint-{size:012}.note"))
}

/// The folder sink's name in `audit_publications`.
pub fn dir_sink(dir: &Path) -> String {
    format!("dir:{}", dir.display())
}

/// The webhook sink's name in `audit_publications`: a digest of the URL, which may carry a token.
pub fn webhook_sink(url: &str) -> String {
    format!("webhook:{}", &crate::auth::sha256_hex(url)[..16])
}

impl Publisher {
    pub fn new(settings: &crate::Settings) -> Self {
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Self {
            dir: settings.checkpoint_dir.clone(),
            webhook: settings.checkpoint_webhook_url.clone().filter(|u| !u.trim().is_empty()),
            client,
            witnesses: !settings.audit_witnesses.is_empty(),
        }
    }

    /// Whether any sink is configured.
    pub fn has_sinks(&self) -> bool {
        self.dir.is_some() || self.webhook.is_some() || self.witnesses
    }

    /// Sign a checkpoint if the log has grown since the latest, then send the latest checkpoint to
    /// every sink that has not had it. Returns the checkpoint when one was signed, and the first
    /// sink error (the others are still tried).
    pub async fn checkpoint_and_publish(&mut self, state: &AppState) -> anyhow::Result<Option<SignedCheckpoint>> {
        let signed = checkpoint_signed(state).await?;
        self.publish_latest(state).await?;
        Ok(signed.filter(|c| c.new))
    }

    /// Send the latest stored checkpoint to every sink that has not accepted it yet (as the
    /// database records), and record each acceptance.
    pub async fn publish_latest(&mut self, state: &AppState) -> anyhow::Result<()> {
        if !self.has_sinks() {
            return Ok(());
        }
        let store = state.store();
        let Some((size, note)) = store.latest_checkpoint().await? else { return Ok(()) };
        let mut first_error = None;
        // Witnesses first, so that the note the other sinks get carries their cosignatures.
        for w in &state.settings().audit_witnesses {
            if let Err(e) = self.ask_witness(state, w, size, &note).await {
                first_error = first_error.or(Some(e));
            }
        }
        let note = format!("{note}{}", store.cosignatures(size).await?.concat());
        if let Some(dir) = &self.dir {
            let sink = dir_sink(dir);
            if size > store.published_size(&sink).await? {
                match write_note(dir, size, &note).await {
                    Ok(()) => store.mark_published(&sink, size, state.now()).await?,
                    Err(e) => first_error = first_error.or(Some(e)),
                }
            }
        }
        if let Some(url) = &self.webhook {
            let sink = webhook_sink(url);
            if size > store.published_size(&sink).await? {
                match post_note(&self.client, url, size, &note).await {
                    Ok(()) => store.mark_published(&sink, size, state.now()).await?,
                    Err(e) => first_error = first_error.or(Some(e)),
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Publisher {
    /// Ask witness `w` to cosign the checkpoint of `size` (C2SP tlog-witness), unless the database
    /// records that it has: with a consistency proof from the size it last cosigned; a 409 names
    /// the size the witness holds, and the request is made once more from there. The cosignature
    /// is checked against the witness's key before it is kept.
    async fn ask_witness(
        &self,
        state: &AppState,
        w: &crate::config::AuditWitness,
        size: u64,
        note: &str,
    ) -> anyhow::Result<()> {
        use custodian_domain::audit::{AddCheckpoint, note_body, parse_cosigner_key, verify_cosignature};
        let (name, key) = parse_cosigner_key(&w.verifier_key).map_err(|e| {
            anyhow::anyhow!("audit_witnesses: the verifier key of {} is not a cosigning key: {e}", w.url)
        })?;
        let store = state.store();
        let sink = format!("witness:{name}");
        let mut old = store.published_size(&sink).await?;
        if old >= size {
            return Ok(());
        }
        let body = note_body(note)?;
        let url = format!("{}/add-checkpoint", w.url.trim_end_matches('/'));
        for _ in 0..2 {
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                let p = store.audit_consistency(old, Some(size)).await?;
                p.proof
                    .iter()
                    .map(|h| hex::decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| anyhow::anyhow!("the consistency proof from {old} to {size} is not hex hashes"))?
            };
            let request = AddCheckpoint { old_size: old, proof, note: note.to_string() };
            let r = self
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(request.to_body())
                .send()
                .await
                .with_context(|| format!("asking the witness {name} to cosign the checkpoint at size {size}"))?;
            let status = r.status();
            let answer = r.text().await.unwrap_or_default();
            if status == reqwest::StatusCode::CONFLICT {
                let theirs: u64 = answer.trim().parse().map_err(|_| {
                    anyhow::anyhow!("the witness {name} answered 409 without a size: {:?}", answer.trim())
                })?;
                if theirs > size {
                    anyhow::bail!(
                        "the witness {name} has cosigned a checkpoint of {theirs} events but this log holds {size}: \
                         events were removed, or the witness was shown another history"
                    );
                }
                if theirs == old {
                    anyhow::bail!(
                        "the witness {name} refused the checkpoint at size {size} (another root at {theirs})"
                    );
                }
                old = theirs;
                continue;
            }
            if !status.is_success() {
                anyhow::bail!(
                    "the witness {name} answered {status} for the checkpoint at size {size}: {}",
                    answer.trim()
                );
            }
            let line = answer
                .lines()
                .find(|l| verify_cosignature(body, l, &name, &key).is_ok())
                .ok_or_else(|| anyhow::anyhow!("the witness {name} sent no cosignature that verifies with its key"))?;
            store.add_cosignature(size, &name, &format!("{line}\n"), state.now()).await?;
            store.mark_published(&sink, size, state.now()).await?;
            return Ok(());
        }
        anyhow::bail!("the witness {name} did not cosign the checkpoint at size {size}")
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

/// Sign a checkpoint (recorded as an `audit.checkpoint` event) unless the log is empty or has not
/// grown since the latest one; the latest checkpoint otherwise (`new` false).
pub async fn checkpoint_signed(state: &AppState) -> anyhow::Result<Option<SignedCheckpoint>> {
    let store = state.store();
    if store.audit_size().await? == 0 {
        return Ok(None);
    }
    let name = crate::auth::keys::key_name(store.origin());
    Ok(Some(store.audit_checkpoint(&name, state.audit_key(), state.now()).await?))
}
