//! The server and the command line on one database, as separate processes: a usage import never
//! costs the database its locks (so another process never deletes the log of a database in use),
//! `audit verify` agrees with itself while others write, the audit log is bound to its signing key
//! whichever folder a command runs from, and a soak of the real `custodian` binary serving while a
//! loop of commands reads, writes and imports keeps every acknowledged write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod email_crash;
mod keys;
mod locks;
mod soak;

/// Run `fn $name(db: Db)` as two tests, `$name::on_sqlite` and `$name::on_postgres` (which
/// skips without PostgreSQL, outside CI).
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn on_sqlite() {
                super::$name($crate::Db::sqlite());
            }

            #[test]
            fn on_postgres() {
                if let Some(db) = $crate::Db::postgres() {
                    super::$name(db);
                }
            }
        }
    };
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_custodian")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("custodian-{tag}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command succeeded; its standard output.
#[track_caller]
pub fn must(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}\n{}\n{}", o.status.code(), stdout(&o), stderr(&o));
    stdout(&o)
}

/// The command succeeded and printed JSON.
#[track_caller]
pub fn json(o: Output) -> serde_json::Value {
    let out = must(o);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// RFC 3339 an hour from now: after the register import allocated the devices.
pub fn soon() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// A carrier bill of `n` calls from WP-MB-0007 (held by A1018 in the fixtures), record ids
/// `{tag}-0`.., every tenth to a premium-rate number.
pub fn carrier_csv(tag: &str, n: usize) -> String {
    let t = soon();
    let mut s = String::from(
        "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n",
    );
    for i in 0..n {
        let party = if i % 10 == 0 { "09061234567" } else { "01214960999" };
        s.push_str(&format!("{tag}-{i},+441214960506,call,out,{t},60,{party},,GB,false,\n"));
    }
    s
}

/// The fingerprint Custodian names a public key by: `SHA256:` and the first 16 bytes of the
/// SHA-256 of the key, in hex (computed here from its definition).
pub fn fingerprint_of_key_file(path: &Path) -> String {
    use sha2::Digest;
    let text = std::fs::read_to_string(path).unwrap();
    let bytes: [u8; 32] = hex::decode(text.trim()).unwrap().try_into().unwrap();
    let public = ed25519_dalek::SigningKey::from_bytes(&bytes).verifying_key();
    format!("SHA256:{}", hex::encode(&sha2::Sha256::digest(public.as_bytes())[..16]))
}

/// A database for one test: an SQLite file in a folder of its own, or a fresh PostgreSQL database
/// (dropped at the end). The folder is the data folder of the commands run with [`Db::cli`].
pub struct Db {
    pub url: String,
    pub dir: PathBuf,
    pg: Option<(String, String)>,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = temp_dir("integrity");
        Db { url: format!("sqlite:{}", dir.join("c.db").display()), dir, pg: None }
    }

    /// A fresh database on the PostgreSQL of CUSTODIAN_TEST_DATABASE_URL; None (skipped) when
    /// that is not set, except in CI, where its absence is a failure.
    pub fn postgres() -> Option<Db> {
        let admin = match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI=true but CUSTODIAN_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
                );
                eprintln!("skipping PostgreSQL: CUSTODIAN_TEST_DATABASE_URL is not set");
                return None;
            }
        };
        let name = format!("custodian_i_{}", uuid::Uuid::now_v7().simple());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
        Some(Db { url: format!("{base}/{name}"), dir: temp_dir("integrity-pg"), pg: Some((admin, name)) })
    }

    pub fn is_sqlite(&self) -> bool {
        self.pg.is_none()
    }

    /// Run `custodian` on this database with this folder as its data folder.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.command(args).env("CUSTODIAN_DATA_DIR", &self.dir).current_dir(&self.dir).output().unwrap()
    }

    /// Run `custodian` on this database from the folder `cwd`, with the default data folder
    /// (`data`, under `cwd`): a command run from somewhere else.
    pub fn cli_from(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(args).env_remove("CUSTODIAN_DATA_DIR").current_dir(cwd).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(["--database-url", &self.url])
            .args(args)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .env_remove("CUSTODIAN_CONFIG")
            .env("CUSTODIAN_LOG", "warn");
        c
    }

    /// Raw SQL, as an operator with database access would run it.
    pub fn sql(&self, statement: &str) {
        match &self.pg {
            None => {
                let c = rusqlite::Connection::open(self.dir.join("c.db")).unwrap();
                c.execute_batch(statement).unwrap();
            }
            Some(_) => psql(&self.url, statement),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            let _ = Command::new("psql")
                .args(["-X", "-q", admin, "-c", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[track_caller]
fn psql(url: &str, statement: &str) {
    let o = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", statement])
        .output()
        .expect("psql (PostgreSQL's client) runs the PostgreSQL half of these tests");
    assert!(o.status.success(), "psql: {}", stderr(&o));
}
