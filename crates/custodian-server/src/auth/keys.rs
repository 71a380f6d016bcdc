//! The audit log's Ed25519 signing key: kept in the data folder, outside the database, so that
//! someone who can rewrite the database cannot also forge checkpoints.
//!
//! The log is bound to its key: the database stores the key's public half with the log (table
//! `audit_log_key`, written once with an `audit.key.bind` event). [`for_log`] gives the key for a
//! log: the key file in the data folder must be the bound key; a log that has a key never gets a
//! new one, whichever folder a command runs from; a new log gets a new key; a log created before
//! keys were stored with it adopts the key in the data folder if that key verifies the log's latest
//! signed checkpoint. The store refuses to sign a checkpoint with any key but the bound one.

use std::path::Path;

use anyhow::Context;
use custodian_store::{Actor, KeyBinding, Store, describe_key, note_signers};
use ed25519_dalek::SigningKey;

pub const KEY_FILE: &str = "audit-signing.key";

/// What to do to reach the log's key from another folder.
const USE_THE_RIGHT_FOLDER: &str = "run with the data folder that holds the log's key (`data_dir` in the configuration, or \
     CUSTODIAN_DATA_DIR)";

/// The signing key of the audit log in `store`, from the data folder `dir`, binding it to the log
/// when the log has no key yet (see the module documentation). `actor` is recorded on the
/// `audit.key.bind` event of a new binding. Errors name the key the log expects and the path
/// looked at.
pub async fn for_log(store: &Store, dir: &Path, actor: &Actor) -> anyhow::Result<(SigningKey, KeyBinding)> {
    // Named in full in messages: the folder a command ran from is part of what went wrong.
    let path = std::path::absolute(dir.join(KEY_FILE)).unwrap_or_else(|_| dir.join(KEY_FILE));
    let name = key_name(store.origin());
    let file = read_key(&path)?;
    if let Some(bound) = store.audit_key().await? {
        return match file {
            Some(k) if k.verifying_key() == bound.public_key => Ok((k, KeyBinding::AlreadyBound)),
            Some(k) => anyhow::bail!(
                "the audit log is bound to key {}, but {} holds key {}: refusing to sign the log's checkpoints with \
                 another key; {USE_THE_RIGHT_FOLDER}",
                describe_key(&bound.public_key),
                path.display(),
                describe_key(&k.verifying_key())
            ),
            None => anyhow::bail!(
                "the audit log is bound to key {}, and there is no key at {}: refusing to create a new key for a \
                 log that has one; {USE_THE_RIGHT_FOLDER}",
                describe_key(&bound.public_key),
                path.display()
            ),
        };
    }
    let (key, created) = match file {
        Some(k) => (k, false),
        None => {
            if let Some((size, note)) = store.latest_checkpoint().await? {
                anyhow::bail!(
                    "the audit log has signed checkpoints (the latest at size {size}, signed by {}) but no key stored \
                     with it, and there is no key at {}: refusing to create a new key for it; run with the data \
                     folder that holds the key that signed it",
                    note_signers(&note),
                    path.display()
                );
            }
            match create_key(dir, &path)? {
                Some(k) => (k, true),
                // Another process created the file meanwhile: use it.
                None => (read_key(&path)?.with_context(|| format!("reading {}", path.display()))?, false),
            }
        }
    };
    match store.bind_audit_key(&name, &key.verifying_key(), actor.at(time::OffsetDateTime::now_utc())).await {
        Ok(b) => {
            match b {
                KeyBinding::Created => tracing::info!(
                    key = %describe_key(&key.verifying_key()),
                    path = %path.display(),
                    "the audit log is bound to its signing key"
                ),
                KeyBinding::Adopted { checkpoint_size } => tracing::info!(
                    key = %describe_key(&key.verifying_key()),
                    path = %path.display(),
                    checkpoint_size,
                    "the audit log had no stored key: it adopts the key that signed its latest checkpoint"
                ),
                KeyBinding::AlreadyBound => {}
            }
            Ok((key, b))
        }
        Err(e) => {
            if created {
                // The key was made for this log a moment ago and is not its key: leave nothing behind.
                let _ = std::fs::remove_file(&path);
            }
            Err(anyhow::anyhow!("{e} (the key looked at: {})", path.display()))
        }
    }
}

/// The key in the data folder `dir`, if there is one (never creates one). Only for checking:
/// signing goes through [`for_log`].
pub fn load(dir: &Path) -> anyhow::Result<Option<SigningKey>> {
    read_key(&dir.join(KEY_FILE))
}

/// The Ed25519 key in the file `name` in the data folder `dir`, created (mode 0600) when there
/// is none: for keys that are not bound to the log, such as a witness's cosigning key.
pub fn read_or_create(dir: &Path, name: &str) -> anyhow::Result<SigningKey> {
    let path = dir.join(name);
    for _ in 0..2 {
        if let Some(k) = read_key(&path)? {
            return Ok(k);
        }
        if let Some(k) = create_key(dir, &path)? {
            return Ok(k);
        }
    }
    anyhow::bail!("{} could not be read or created", path.display())
}

/// The key in the file at `path`, or None when there is no file.
fn read_key(path: &Path) -> anyhow::Result<Option<SigningKey>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("{} must hold 32 bytes", path.display()))?;
    Ok(Some(SigningKey::from_bytes(&arr)))
}

/// Create a new key file (mode 0600). None when the file appeared meanwhile.
fn create_key(dir: &Path, path: &Path) -> anyhow::Result<Option<SigningKey>> {
    let dir = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    match write_private(path, &hex::encode(key.to_bytes())) {
        Ok(()) => Ok(Some(key)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// The key name used on checkpoints and in `audit verify`.
pub fn key_name(origin: &str) -> String {
    origin.to_string()
}
