//! The breached-password corpus (WP034 9.1; NIST SP 800-63B-4 3.1.1.2: refuse a password that
//! is in a list of values known to be compromised), kept as a compact sorted prefix index in a
//! file beside the database, never as SQL rows.
//!
//! Input: Have I Been Pwned's SHA-1 files, either `HEX40:COUNT` per line (the full download), or
//! the range format (`HEX35:COUNT` per line, in a file named by the 5-digit prefix, such as
//! `21BD1.txt`). Lines with a count of 0 (the range API's padding) are skipped.
//!
//! The index keeps the first 64 bits of each SHA-1, sorted and without duplicates: a false match
//! needs a 64-bit collision (about 5 in 10^13 per lookup with 10 million entries), which the
//! rule accepts since its refusal only asks for another password. Layout:
//!
//! ```text
//! "CVBRCP01" | count: u64 LE | bucket starts: 65537 x u64 LE (by the top 16 bits)
//!            | entries: count x 6 bytes (the low 48 bits, big-endian), sorted
//! ```
//!
//! A lookup reads two bucket starts and one bucket (about 150 entries at 10 million) with
//! positioned reads: nothing is held in memory between lookups.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha1::{Digest, Sha1};

pub const INDEX_FILE: &str = "vault-breach-corpus.bin";
const MAGIC: &[u8; 8] = b"CVBRCP01";
const BUCKETS: usize = 1 << 16;
const HEADER: u64 = 16 + (BUCKETS as u64 + 1) * 8;
const ENTRY: usize = 6;

/// The index file in a data folder.
pub fn index_path(data_dir: &Path) -> PathBuf {
    data_dir.join(INDEX_FILE)
}

/// The 64-bit key of a password: the first 8 bytes of its SHA-1, as HIBP lists them.
pub fn key_of_password(password: &str) -> u64 {
    let h = Sha1::digest(password.as_bytes());
    u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

/// The key of one line (None for a blank line or a padding line), or what is wrong with it.
pub fn parse_line(line: &str, range_prefix: Option<&str>) -> Result<Option<u64>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let (hash, count) = match line.split_once(':') {
        Some((h, c)) => (h.trim(), Some(c.trim())),
        None => (line, None),
    };
    if let Some(c) = count
        && c.parse::<u64>().map_err(|_| format!("the count {c:?} is not a whole number"))? == 0
    {
        return Ok(None);
    }
    let full: String = match (hash.len(), range_prefix) {
        (40, _) => hash.to_string(),
        (35, Some(p)) => format!("{p}{hash}"),
        (35, None) => {
            return Err(
                "a 35-digit suffix needs the range format's file name (the 5-digit prefix, e.g. 21BD1.txt)".into()
            );
        }
        (n, _) => {
            return Err(format!(
                "expected a SHA-1 in hexadecimal (40 digits, or 35 in the range format), found {n} characters"
            ));
        }
    };
    if !full.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the hash is not hexadecimal".into());
    }
    u64::from_str_radix(&full[..16], 16).map(Some).map_err(|e| e.to_string())
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub lines: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// Build the index at `dest` from the corpus `src`, through a temporary file renamed into place
/// (a reader sees the old index or the new one, never half of one). Errors name the line.
pub fn load(src: &Path, dest: &Path) -> anyhow::Result<LoadReport> {
    let range_prefix = src
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| s.len() == 5 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_uppercase);
    let f = std::fs::File::open(src).with_context(|| format!("reading {}", src.display()))?;
    let mut keys: Vec<u64> = Vec::with_capacity((f.metadata().map(|m| m.len()).unwrap_or(0) / 44) as usize + 16);
    let mut lines = 0u64;
    for (i, line) in std::io::BufReader::with_capacity(1 << 20, f).lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", src.display(), i + 1))?;
        lines += 1;
        match parse_line(&line, range_prefix.as_deref()) {
            Ok(Some(k)) => keys.push(k),
            Ok(None) => {}
            Err(e) => anyhow::bail!("{}: line {}: {e}", src.display(), i + 1),
        }
    }
    let entries = write_index(&mut keys, dest)?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(LoadReport { lines, entries, bytes })
}

/// Sort, deduplicate and write `keys` as an index at `dest`. Returns the entries written.
pub fn write_index(keys: &mut Vec<u64>, dest: &Path) -> anyhow::Result<u64> {
    keys.sort_unstable();
    keys.dedup();
    let mut starts = vec![0u64; BUCKETS + 1];
    for k in keys.iter() {
        starts[(k >> 48) as usize + 1] += 1;
    }
    for i in 1..=BUCKETS {
        starts[i] += starts[i - 1];
    }
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{INDEX_FILE}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let file = o.open(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(MAGIC)?;
        w.write_all(&(keys.len() as u64).to_le_bytes())?;
        for s in &starts {
            w.write_all(&s.to_le_bytes())?;
        }
        for k in keys.iter() {
            w.write_all(&k.to_be_bytes()[2..])?;
        }
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, dest)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", dest.display()));
    }
    Ok(keys.len() as u64)
}

/// An opened index.
pub struct BreachIndex {
    file: std::fs::File,
    pub entries: u64,
}

impl BreachIndex {
    /// The index at `path`, or None when no corpus was loaded.
    pub fn open(path: &Path) -> anyhow::Result<Option<Self>> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut head = [0u8; 16];
        read_at(&file, &mut head, 0).with_context(|| format!("reading {}", path.display()))?;
        if &head[..8] != MAGIC {
            anyhow::bail!(
                "{} is not a breach corpus index (load one with `custodian vault load-breach-corpus`)",
                path.display()
            );
        }
        let entries = u64::from_le_bytes(head[8..16].try_into().unwrap_or_default());
        let len = file.metadata()?.len();
        if len != HEADER + entries * ENTRY as u64 {
            anyhow::bail!("{} is truncated or damaged: load the corpus again", path.display());
        }
        Ok(Some(Self { file, entries }))
    }

    /// Whether the corpus holds a password with this key.
    pub fn contains_key(&self, key: u64) -> anyhow::Result<bool> {
        let b = key >> 48;
        let mut se = [0u8; 16];
        read_at(&self.file, &mut se, 16 + b * 8)?;
        let start = u64::from_le_bytes(se[..8].try_into().unwrap_or_default());
        let end = u64::from_le_bytes(se[8..].try_into().unwrap_or_default());
        if end <= start {
            return Ok(false);
        }
        if end > self.entries {
            anyhow::bail!("the breach corpus index is damaged: load the corpus again");
        }
        let mut bucket = vec![0u8; ((end - start) as usize) * ENTRY];
        read_at(&self.file, &mut bucket, HEADER + start * ENTRY as u64)?;
        let want = key.to_be_bytes();
        let want = &want[2..];
        let (mut lo, mut hi) = (0usize, (end - start) as usize);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let e = &bucket[mid * ENTRY..(mid + 1) * ENTRY];
            match e.cmp(want) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(true),
            }
        }
        Ok(false)
    }

    /// Whether the corpus holds this password.
    pub fn contains(&self, password: &str) -> anyhow::Result<bool> {
        self.contains_key(key_of_password(password))
    }
}

#[cfg(unix)]
fn read_at(f: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    f.read_exact_at(buf, offset)
}

#[cfg(not(unix))]
fn read_at(f: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = f.try_clone()?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sha1_hex(p: &str) -> String {
        hex::encode_upper(Sha1::digest(p.as_bytes()))
    }

    #[test]
    fn both_formats_load_and_lookups_find_exactly_what_was_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("pwned.txt");
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!("{}:{}\n", sha1_hex(&format!("breached password {i}")), i + 1));
        }
        text.push_str(&format!("{}:0\n", sha1_hex("padding only")));
        std::fs::write(&full, &text).unwrap();
        let dest = dir.path().join(INDEX_FILE);
        let r = load(&full, &dest).unwrap();
        assert_eq!((r.lines, r.entries), (2001, 2000));
        let idx = BreachIndex::open(&dest).unwrap().unwrap();
        for i in 0..2000 {
            assert!(idx.contains(&format!("breached password {i}")).unwrap(), "{i}");
        }
        assert!(!idx.contains("padding only").unwrap());
        assert!(!idx.contains("a password nobody breached 8c1f").unwrap());

        // The range format: the prefix comes from the file name.
        let h = sha1_hex("password1234567");
        let range = dir.path().join(format!("{}.txt", &h[..5]));
        std::fs::write(&range, format!("{}:12\r\n", &h[5..])).unwrap();
        load(&range, &dest).unwrap();
        let idx = BreachIndex::open(&dest).unwrap().unwrap();
        assert!(idx.contains("password1234567").unwrap());

        // Bad lines are named.
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, format!("{}:1\nnot a hash:3\n", sha1_hex("x"))).unwrap();
        let e = load(&bad, &dest).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        // The failed load left the previous index in place.
        assert!(BreachIndex::open(&dest).unwrap().unwrap().contains("password1234567").unwrap());
        assert!(BreachIndex::open(&dir.path().join("none.bin")).unwrap().is_none());
    }
}
