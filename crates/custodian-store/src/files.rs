//! Custodian's own files (the SQLite database and its WAL, the audit signing key, the post
//! outbox, the demo sign-ins) hold personal data or secrets: they are readable by the account
//! that runs Custodian only (files 0600, folders 0700), whatever the process's umask.
//!
//! The database file is created here, empty and private, before SQLite first opens it; SQLite
//! gives its WAL and shared-memory files the database file's mode. An existing database is
//! never opened or closed here (closing any descriptor of a file drops every POSIX lock the
//! process holds on it, SQLite's included): only its mode is set, by path.

use std::io;
use std::path::Path;

/// Mode of Custodian's folders.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of Custodian's files.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Create `dir` (and any missing parents) readable by this account only; an existing folder
/// keeps its mode.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(PRIVATE_DIR_MODE);
    }
    b.create(dir)
}

/// Make Custodian's data folder private: create it if missing, and set 0700 on it.
pub fn private_data_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    set_mode(dir, PRIVATE_DIR_MODE)
}

/// Set a path's mode without opening it (no-op elsewhere than Unix).
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Before SQLite opens `path`: create the database file empty with mode 0600 when it does not
/// exist (and `create` is set), else set 0600 on the file and on its WAL, shared-memory and
/// journal files, by path only.
pub fn prepare_sqlite_file(path: &Path, create: bool) -> io::Result<()> {
    if !path.exists() {
        if !create {
            return Ok(());
        }
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(PRIVATE_FILE_MODE);
        }
        match o.open(path) {
            // A new, empty file nobody else has opened: closing it drops no lock.
            Ok(f) => drop(f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    set_mode(path, PRIVATE_FILE_MODE)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let companion = std::path::PathBuf::from(name);
        if companion.exists() {
            set_mode(&companion, PRIVATE_FILE_MODE)?;
        }
    }
    Ok(())
}

/// Write `bytes` to `path` readable by this account only (created 0600, and set 0600 if it
/// existed), through a temporary file renamed into place so a reader never sees half of it.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(PRIVATE_FILE_MODE);
    }
    let result = (|| {
        let mut f = o.open(&tmp)?;
        set_mode(&tmp, PRIVATE_FILE_MODE)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_whatever_existed_before() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data/inner");
        private_data_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_data_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700, "an existing data folder is made private");

        let db = data.join("custodian.db");
        prepare_sqlite_file(&db, false).unwrap();
        assert!(!db.exists(), "nothing is created unless asked");
        prepare_sqlite_file(&db, true).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
        let wal = data.join("custodian.db-wal");
        std::fs::write(&wal, b"x").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_sqlite_file(&db, true).unwrap();
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600), "an existing database and WAL are made private");

        let secret = data.join("demo-sign-ins.json");
        std::fs::write(&secret, b"old").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&secret, b"{}").unwrap();
        assert_eq!(mode(&secret), 0o600);
        assert_eq!(std::fs::read(&secret).unwrap(), b"{}");
    }
}
