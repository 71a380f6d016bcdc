//! The audit log's Ed25519 signing key: kept in the data folder, outside the database, so that
//! someone who can rewrite the database cannot also forge checkpoints.

use std::path::Path;

use anyhow::Context;
use ed25519_dalek::SigningKey;

pub const KEY_FILE: &str = "audit-signing.key";

/// Load the key from `dir`, or create one (mode 0600) on first start.
pub fn load_or_create(dir: &Path) -> anyhow::Result<SigningKey> {
    let path = dir.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("{} must hold 32 bytes", path.display()))?;
        return Ok(SigningKey::from_bytes(&arr));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    write_private(&path, &hex::encode(key.to_bytes()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("creating {}", path.display()))
}

/// The key name used on checkpoints and in `audit verify`.
pub fn key_name(origin: &str) -> String {
    origin.to_string()
}
