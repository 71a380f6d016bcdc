//! `custodian vault`: the credential vault from the command line (WP034 6.6, 9.1). Values go in
//! on standard input, never as arguments; a reveal prints the value and is audited with its
//! reason; `rotate-kek` re-keys everything and reveals still work; `status` lists each account's
//! credential; a loaded breach corpus refuses a breached password naming the rule and clause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;

use common::{Env, bin, stdout};

const PASSWORD: &str = "harbour-lantern-violet-2291";
const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Run `custodian` on the environment's database with `input` on standard input.
fn run_with_stdin(e: &Env, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(bin())
        .args(["--database-url", &e.url()])
        .args(args)
        .env("CUSTODIAN_DATA_DIR", &e.dir)
        .env_remove("CUSTODIAN_DATABASE_URL")
        .env_remove("CUSTODIAN_VAULT_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The SHA-1 of `text` in upper-case hex, as Have I Been Pwned lists it (by `sha1sum`).
fn sha1_upper(text: &str) -> String {
    let mut child = Command::new("sha1sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("sha1sum");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_ascii_uppercase()
}

/// The register with two accounts of Response Policing North (team manager A1016).
fn with_accounts() -> Env {
    let e = Env::with_register();
    let csv = "platform,handle,url,team,team_manager,kind,profile,authorised_users\n\
        x,WarksNorth,https://x.com/WarksNorth,Response Policing North,A1016,departmental,Emergencies: 999. Report crime on 101.,A1017\n\
        facebook,WarksNorthFB,,Response Policing North,A1016,departmental,Emergencies: 999. Report crime on 101.,A1017\n";
    let f = e.file("accounts.csv", csv);
    e.ok(&["accounts", "import", &f]);
    e
}

fn reveal_events(e: &Env) -> Vec<(String, Option<String>, serde_json::Value)> {
    let c = e.db();
    let mut q = c
        .prepare("SELECT actor, justification, detail FROM audit_events WHERE action = 'vault.credential.reveal' ORDER BY seq")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))
        .unwrap()
        .map(|r| {
            let (a, j, d) = r.unwrap();
            (a, j, serde_json::from_str(&d).unwrap())
        })
        .collect()
}

#[test]
fn put_reveal_rotate_and_status_from_the_command_line() {
    let e = with_accounts();
    // The password and the TOTP seed, one per line on standard input.
    let o = run_with_stdin(
        &e,
        &["vault", "put", "x", "WarksNorth", "--username", "warks_north"],
        &format!("{PASSWORD}\n{SEED}\n"),
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("stored username, password, totp_seed for x WarksNorth"), "{}", stdout(&o));
    assert!(!stdout(&o).contains(PASSWORD) && !stderr(&o).contains(PASSWORD));
    // Sealed in the database: neither value is there in clear.
    let db = std::fs::read(e.dir.join("c.db")).unwrap();
    let wal = std::fs::read(e.dir.join("c.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "the password is stored in clear");
        assert!(!bytes.windows(SEED.len()).any(|w| w == SEED.as_bytes()), "the seed is stored in clear");
    }

    // A reveal needs a reason, prints the value and writes the audit event.
    let o = e.run(&["vault", "reveal", "x", "WarksNorth", "--field", "password", "--reason", "  "]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("reason"), "{}", stderr(&o));
    assert!(reveal_events(&e).is_empty());
    let out = e.ok(&[
        "vault",
        "reveal",
        "x",
        "WarksNorth",
        "--field",
        "password",
        "--reason",
        "posting the Op Lantern appeal",
    ]);
    assert_eq!(out.trim_end(), PASSWORD);
    let events = reveal_events(&e);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "cli");
    assert_eq!(events[0].1.as_deref(), Some("posting the Op Lantern appeal"));
    assert_eq!(events[0].2["field"], "password");
    assert!(!serde_json::to_string(&events).unwrap().contains(PASSWORD));
    // The seed reveals with the current code.
    let o = e.run(&["vault", "reveal", "x", "WarksNorth", "--field", "totp_seed", "--reason", "second factor"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim_end(), SEED);
    assert!(stderr(&o).contains("current code"), "{}", stderr(&o));
    // An unknown account or field is named.
    let o = e.run(&["vault", "reveal", "x", "NoSuchAccount", "--field", "password", "--reason", "r"]);
    assert!(!o.status.success() && stderr(&o).contains("NoSuchAccount"), "{}", stderr(&o));
    let o = e.run(&["vault", "reveal", "x", "WarksNorth", "--field", "pin", "--reason", "r"]);
    assert!(!o.status.success() && stderr(&o).contains("--field"), "{}", stderr(&o));

    // Status: one account current, the other with nothing stored.
    let o = e.run(&["vault", "status"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.lines().any(|l| l == "x\tWarksNorth\tcurrent"), "{text}");
    assert!(text.lines().any(|l| l == "facebook\tWarksNorthFB\tnone stored"), "{text}");
    let jsonl = e.ok(&["vault", "status", "--format", "jsonl"]);
    let rows: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let north = rows.iter().find(|r| r["handle"] == "WarksNorth").unwrap();
    assert_eq!(north["status"], "current");
    assert_eq!(north["fields"], serde_json::json!(["username", "password", "totp_seed"]));

    // Re-key: every data key re-wrapped under a new key, which replaces the key file; reveals
    // still work and the old key file's key is gone.
    let key_file = e.dir.join("vault.key");
    let old_key = std::fs::read(&key_file).unwrap();
    let new_file = e.dir.join("next-vault.key");
    let out = e.ok(&["vault", "rotate-kek", "--new-key-file", new_file.to_str().unwrap()]);
    assert!(out.contains("re-wrapped 3 data keys"), "{out}");
    assert_ne!(std::fs::read(&key_file).unwrap(), old_key);
    let out = e.ok(&["vault", "reveal", "x", "WarksNorth", "--field", "password", "--reason", "after re-keying"]);
    assert_eq!(out.trim_end(), PASSWORD);
    let c = e.db();
    let rotations: i64 =
        c.query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'vault.key.rotate'", [], |r| r.get(0)).unwrap();
    assert_eq!(rotations, 1);
    // Rotating to a key file whose key the vault is already under is refused.
    let o = e.run(&["vault", "rotate-kek", "--new-key-file", key_file.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", stdout(&o));
}

#[test]
fn a_loaded_breach_corpus_refuses_a_breached_password_naming_the_rule_and_clause() {
    let e = with_accounts();
    let breached = "correct horse battery staple 1987";
    // Have I Been Pwned's format, HEX40:COUNT, with a padding line (count 0) and another hash.
    let corpus = format!(
        "{}:3861493\n{}:12\n0000000000000000000000000000000000000001:0\n",
        sha1_upper(breached),
        sha1_upper("some other breached passphrase")
    );
    let f = e.file("pwned.txt", corpus);
    let out = e.ok(&["vault", "load-breach-corpus", &f]);
    assert!(out.contains("loaded 2 breached-password hashes"), "{out}");
    let c = e.db();
    let loads: i64 = c
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'vault.breach_corpus.load'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(loads, 1);

    let o = run_with_stdin(&e, &["vault", "put", "x", "WarksNorth"], &format!("{breached}\n"));
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("vault.password.breached") && err.contains("WP034 9.1") && err.contains("password"), "{err}");
    assert!(!err.contains(breached), "the refusal never repeats the value: {err}");
    let stored: i64 = c.query_row("SELECT COUNT(*) FROM vault_secrets", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0, "nothing half-written");
    // Too short is refused by its own rule; a good one is stored.
    let o = run_with_stdin(&e, &["vault", "put", "x", "WarksNorth"], "short\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("vault.password.length"), "{}", stderr(&o));
    let o = run_with_stdin(&e, &["vault", "put", "x", "WarksNorth"], "not in any corpus, long enough\n");
    assert!(o.status.success(), "{}", stderr(&o));
    // The same password on another account is refused as reused (9.1).
    let o = run_with_stdin(&e, &["vault", "put", "facebook", "WarksNorthFB"], "not in any corpus, long enough\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("vault.password.reused"), "{}", stderr(&o));
}
