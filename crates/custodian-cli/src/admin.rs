//! Administration of the installation: `migrate`, `backup`, `restore`, `openapi` and `config`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_server::Settings;
use custodian_store::Actor;

use crate::Cli;
use crate::audit::report_binding;
use crate::common::{open, opened, settings};

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Print a commented example configuration.
    Example,
}

/// Apply the database migrations (and bind a new log to its signing key).
pub async fn migrate(cli: &Cli, create: &bool) -> anyhow::Result<ExitCode> {
    let s = settings(cli)?;
    let store = opened(custodian_server::open_store(&s, *create).await?);
    // A new log gets its signing key now, bound to it (a log that has a key, or signed
    // checkpoints, is left for the commands that sign to check).
    if store.audit_key().await?.is_none() && store.latest_checkpoint().await?.is_none() {
        let (_, b) = custodian_server::auth::keys::for_log(&store, &s.data_dir, &Actor::cli()).await?;
        report_binding(&store, &s, b).await?;
    }
    println!("migrations applied to {}", custodian_store::redact(&s.database_url));
    Ok(ExitCode::SUCCESS)
}

/// Write a consistent copy of the database to `out`, which must not exist: SQLite through
/// `VACUUM INTO`, PostgreSQL through `pg_dump --format=custom` (restore either with
/// `custodian restore`). The copy is created with mode 0600: it holds personal data.
pub async fn backup(cli: &Cli, out: &Path) -> anyhow::Result<ExitCode> {
    let s = settings(cli)?;
    if is_postgres(&s.database_url) {
        if out.exists() {
            anyhow::bail!("{} already exists: a backup never overwrites a file", out.display());
        }
        custodian_store::files::prepare_sqlite_file(out, true)
            .with_context(|| format!("cannot create {}", out.display()))?;
        let (url, password) = split_password(&s.database_url);
        let status = pg_tool("pg_dump", password.as_deref())
            .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
            .arg(out)
            .arg(format!("--dbname={url}"))
            .status();
        match status {
            Ok(st) if st.success() => {}
            other => {
                let _ = std::fs::remove_file(out);
                anyhow::bail!("pg_dump failed ({}); no backup was written", describe_status(other));
            }
        }
    } else {
        let (_, store) = open(cli).await?;
        store.backup_sqlite(out).await?;
    }
    println!("backup written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Restore a backup made by `custodian backup` into the configured database, which must be empty
/// (an SQLite file that does not exist yet, or a PostgreSQL database without tables), then apply
/// any newer migrations and check the audit log with the signing key in the data folder.
pub async fn restore(cli: &Cli, from: &Path) -> anyhow::Result<ExitCode> {
    let s = settings(cli)?;
    let url = &s.database_url;
    let bytes_head = {
        use std::io::Read;
        let mut head = [0u8; 16];
        let mut f = std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
        let n = f.read(&mut head).with_context(|| format!("cannot read {}", from.display()))?;
        head[..n].to_vec()
    };
    if !custodian_store::database_is_empty(url).await? {
        anyhow::bail!(
            "{} is not empty: a backup is restored into a new, empty database only",
            custodian_store::redact(url)
        );
    }
    if is_postgres(url) {
        if !bytes_head.starts_with(b"PGDMP") {
            anyhow::bail!("{} is not a pg_dump custom-format archive (from `custodian backup`)", from.display());
        }
        let (plain, password) = split_password(url);
        let status = pg_tool("pg_restore", password.as_deref())
            .args(["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"])
            .arg(format!("--dbname={plain}"))
            .arg(from)
            .status();
        if !matches!(status, Ok(st) if st.success()) {
            anyhow::bail!("pg_restore failed ({}); the transaction was rolled back", describe_status(status));
        }
    } else {
        if !bytes_head.starts_with(b"SQLite format 3\0") {
            anyhow::bail!("{} is not an SQLite database (from `custodian backup`)", from.display());
        }
        let (path, _) = custodian_store::sqlite_url(url)?;
        let path = std::path::PathBuf::from(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            custodian_store::files::create_private_dir(dir)?;
        }
        // Copied beside the target and renamed into place: a failed copy leaves no database.
        let tmp = path.with_extension("restoring");
        let _ = std::fs::remove_file(&tmp);
        custodian_store::files::prepare_sqlite_file(&tmp, true)?;
        if let Err(e) = std::fs::copy(from, &tmp).and_then(|_| std::fs::rename(&tmp, &path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(anyhow::anyhow!("cannot restore into {}: {e}", path.display()));
        }
    }
    println!("restored {} into {}", from.display(), custodian_store::redact(url));
    let store = opened(custodian_server::open_store(&s, false).await?);
    let Some(key) = custodian_server::auth::keys::load(&s.data_dir)? else {
        println!(
            "the audit signing key is not in {}: restore it from its own safe copy, then run `custodian audit verify`",
            s.data_dir.display()
        );
        return Ok(ExitCode::from(3));
    };
    let name = custodian_server::auth::keys::key_name(store.origin());
    let r = store.audit_verify(&name, &key.verifying_key()).await?;
    match &r.problem {
        Some(p) => {
            println!("AUDIT LOG ALTERED: {p}");
            Ok(ExitCode::from(3))
        }
        None => {
            println!(
                "audit log intact: {} events, root {}, {} signed checkpoints checked",
                r.events, r.root, r.checkpoints_checked
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A PostgreSQL client tool, with the password (if any) in `PGPASSWORD` rather than on its
/// command line, where every user of the machine could read it.
fn pg_tool(name: &str, password: Option<&str>) -> std::process::Command {
    let mut c = std::process::Command::new(name);
    if let Some(p) = password {
        c.env("PGPASSWORD", p);
    }
    c
}

fn describe_status(s: std::io::Result<std::process::ExitStatus>) -> String {
    match s {
        Ok(st) => st.to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "the PostgreSQL client tools are not installed (pg_dump, pg_restore)".into()
        }
        Err(e) => e.to_string(),
    }
}

/// A PostgreSQL URL without its password, and the password (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let (Some(s), Some(at)) = (url.find("://"), url.rfind('@')) else { return (url.to_string(), None) };
    if at < s {
        return (url.to_string(), None);
    }
    let creds = &url[s + 3..at];
    match creds.split_once(':') {
        Some((user, pw)) => (format!("{}{user}{}", &url[..s + 3], &url[at..]), Some(percent_decode(pw))),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Print the OpenAPI document.
pub fn openapi() -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&custodian_server::openapi::openapi())?);
    Ok(ExitCode::SUCCESS)
}

/// Run a configuration command.
pub fn config(cmd: &ConfigCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCmd::Example => {
            print!("{}", Settings::example());
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://app:s%40cret@db:5432/custodian"),
            ("postgres://app@db:5432/custodian".to_string(), Some("s@cret".to_string()))
        );
        assert_eq!(split_password("postgres://app@db/c"), ("postgres://app@db/c".to_string(), None));
        assert_eq!(split_password("postgres://db/c"), ("postgres://db/c".to_string(), None));
    }
}
