//! The vault's key-encryption key (KEK): outside the database, beside the audit signing key.
//!
//! Where it comes from, in order: the environment variable `CUSTODIAN_VAULT_KEY` (64 hexadecimal
//! digits), else the file `vault.key` in the data folder, which must be readable by Custodian's
//! account only (mode 0600: a looser mode is refused, not repaired). A vault with nothing sealed
//! yet gets a new key file on first use (as a new audit log gets its signing key); a vault that
//! has sealed values never gets a new key: the key must be the one it was sealed under, by id.
//!
//! Rotation (`custodian vault rotate-kek`) is crash-safe by the order of its steps:
//! 1. the new key is written to `vault.key.next` (0600, synced) in the data folder;
//! 2. one database transaction re-wraps every data key and records the new key's id;
//! 3. `vault.key.next` is renamed over `vault.key` (atomic), and the folder synced.
//!
//! A crash before 2 commits leaves the database under the old key and a stale `.next`, which the
//! next load removes; a crash after 2 and before 3 leaves the database under the new key, which
//! the next load finds in `.next` and moves into place. At no point is the only copy of the key
//! the database needs anywhere but in a synced file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use custodian_domain::vault::Kek;
use custodian_store::Store;

pub const KEY_FILE: &str = "vault.key";
pub const NEXT_KEY_FILE: &str = "vault.key.next";
pub const KEY_ENV: &str = "CUSTODIAN_VAULT_KEY";

/// Read a key file, refusing one that others may read.
pub fn read_key_file(path: &Path) -> anyhow::Result<Option<Kek>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "the vault key file {} has mode {mode:04o}: it must be readable by Custodian's account only; run \
                 `chmod 600 {}` (WP034 6.6)",
                path.display(),
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?);
    Kek::from_hex(&text).map(Some).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Write a key file (0600, synced, through a temporary file renamed into place), and sync the
/// folder so the rename survives a crash.
pub fn write_key_file(path: &Path, kek: &Kek) -> anyhow::Result<()> {
    let mut text = kek.to_hex();
    text.push('\n');
    custodian_store::files::write_private(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    sync_dir(path);
    Ok(())
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

fn key_path(dir: &Path) -> PathBuf {
    std::path::absolute(dir.join(KEY_FILE)).unwrap_or_else(|_| dir.join(KEY_FILE))
}

/// The vault's key for `store` from the data folder `dir` (or `CUSTODIAN_VAULT_KEY`), finishing or
/// discarding an interrupted rotation, and creating the key file when the vault has nothing
/// sealed yet. Errors name the key the vault expects and where the key was looked for.
pub async fn for_vault(store: &Store, dir: &Path) -> anyhow::Result<Kek> {
    let env = std::env::var(KEY_ENV).ok().filter(|v| !v.trim().is_empty());
    for_vault_from(store, dir, env.as_deref()).await
}

/// [`for_vault`] with the environment variable's value given.
pub async fn for_vault_from(store: &Store, dir: &Path, env: Option<&str>) -> anyhow::Result<Kek> {
    let bound = store.vault_key_id().await?;
    if let Some(text) = env {
        let kek = Kek::from_hex(text).map_err(|e| anyhow::anyhow!("{KEY_ENV}: {e}"))?;
        return match bound {
            Some(b) if b != kek.id() => anyhow::bail!(
                "the vault is sealed under key {b}, but {KEY_ENV} holds key {}: set it to the vault's key",
                kek.id()
            ),
            _ => Ok(kek),
        };
    }
    let path = key_path(dir);
    let next = dir.join(NEXT_KEY_FILE);
    if let Some(n) = read_key_file(&next)? {
        if bound.as_deref() == Some(n.id()) {
            // A rotation committed and stopped before its last step: finish it.
            std::fs::rename(&next, &path)
                .with_context(|| format!("moving {} to {}", next.display(), path.display()))?;
            sync_dir(&path);
            tracing::info!(key = n.id(), "finished an interrupted vault key rotation");
        } else {
            // A rotation that never committed: the database is still under the old key.
            std::fs::remove_file(&next).with_context(|| format!("removing {}", next.display()))?;
            tracing::info!(key = n.id(), "discarded the new key of a vault key rotation that did not commit");
        }
    }
    match (read_key_file(&path)?, bound) {
        (Some(k), Some(b)) if k.id() != b => anyhow::bail!(
            "the vault is sealed under key {b}, but {} holds key {}: refusing to use another key; run with the data \
             folder that holds the vault's key (or set {KEY_ENV})",
            path.display(),
            k.id()
        ),
        (Some(k), _) => Ok(k),
        (None, Some(b)) => anyhow::bail!(
            "the vault is sealed under key {b}, and there is no key at {} (nor in {KEY_ENV}): refusing to create a \
             new key for a vault that has one; restore the key file from its own safe copy",
            path.display()
        ),
        (None, None) => {
            custodian_store::files::create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
            let k = Kek::generate();
            write_key_file(&path, &k)?;
            tracing::info!(key = k.id(), path = %path.display(), "created the vault's key-encryption key");
            Ok(k)
        }
    }
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub old: String,
    pub new: String,
    pub rewrapped: u64,
}

/// Rotate the vault's key to the key in `new_key_file` (created, 0600, when it does not exist),
/// in the crash-safe order of the module documentation. Refused when the key comes from
/// `CUSTODIAN_VAULT_KEY` (the variable is the operator's to change).
pub async fn rotate(
    store: &Store,
    dir: &Path,
    new_key_file: &Path,
    actor: &custodian_store::Actor,
    now: time::OffsetDateTime,
) -> anyhow::Result<Rotated> {
    if std::env::var(KEY_ENV).is_ok_and(|v| !v.trim().is_empty()) {
        anyhow::bail!(
            "the vault's key comes from {KEY_ENV}: unset it and put the current key in {} before rotating",
            dir.join(KEY_FILE).display()
        );
    }
    let old = for_vault_from(store, dir, None).await?;
    let new = match read_key_file(new_key_file)? {
        Some(k) => k,
        None => {
            let k = Kek::generate();
            write_key_file(new_key_file, &k)?;
            k
        }
    };
    if new.id() == old.id() {
        anyhow::bail!("{} holds the vault's current key {}: give a new key", new_key_file.display(), old.id());
    }
    // 1. The new key, synced, where a later load looks for it.
    let next = dir.join(NEXT_KEY_FILE);
    write_key_file(&next, &new)?;
    // 2. One transaction re-wraps every data key. On an error `.next` stays: whether the commit
    //    happened or not, the next load compares ids and finishes or discards the rotation.
    let rewrapped = store.vault_rotate_kek(&old, &new, actor.at(now)).await?;
    // 3. The new key becomes the key.
    let path = dir.join(KEY_FILE);
    std::fs::rename(&next, &path).with_context(|| format!("moving {} to {}", next.display(), path.display()))?;
    sync_dir(&path);
    Ok(Rotated { old: old.id().to_string(), new: new.id().to_string(), rewrapped })
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn key_files_must_be_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(KEY_FILE);
        assert!(read_key_file(&p).unwrap().is_none());
        let k = Kek::generate();
        write_key_file(&p, &k).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read_key_file(&p).unwrap().unwrap().id(), k.id());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_key_file(&p).unwrap_err().to_string();
        assert!(e.contains("0644") && e.contains("chmod 600"), "{e}");
        assert!(!e.contains(k.to_hex().as_str()));
    }
}
