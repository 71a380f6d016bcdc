//! Typed settings: defaults, then a TOML file, then `CUSTODIAN_` environment variables.
//! No global state: the server receives its `Settings` by value.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Everything the server needs to start. `Debug` never prints the database URL's password.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite:PATH` (embedded default) or `postgres://...`.
    pub database_url: String,
    /// Where the SQLite file, the audit signing key and backups live.
    pub data_dir: PathBuf,
    /// Set the `Secure` flag on cookies (on whenever served over TLS).
    pub secure_cookies: bool,
    /// Minutes of inactivity before a session ends.
    pub session_idle_minutes: i64,
    /// Hours after sign-in when a session ends regardless of activity.
    pub session_absolute_hours: i64,
    /// Optional breach list: one known-compromised password per line (NIST SP 800-63B).
    pub breached_passwords: Option<PathBuf>,
    /// Failed sign-ins allowed per account across every client address, and per client address
    /// across every account, in the throttle window. One account from one address is slowed
    /// well before (see `auth::Throttle`), so nobody can lock another person out with a few
    /// wrong passwords.
    pub max_failures_per_account: u32,
    pub max_failures_per_address: u32,
    pub throttle_window_minutes: i64,
    /// Name on signed audit checkpoints.
    pub audit_origin: String,
    /// Sign a checkpoint automatically after this many new audit events (0 = only on demand).
    pub checkpoint_every: u64,
    /// Also sign a checkpoint every this many minutes while the log has grown (0 = only after
    /// `checkpoint_every` events), and publish it to the sinks below.
    pub checkpoint_interval_minutes: u64,
    /// Write each signed checkpoint to this folder as `checkpoint-<size>.note` (never
    /// overwriting a file): a share the database's administrators cannot rewrite.
    pub checkpoint_dir: Option<PathBuf>,
    /// POST each signed checkpoint (the note as text/plain) to this URL.
    pub checkpoint_webhook_url: Option<String>,
    /// Log as JSON lines instead of human text.
    pub log_json: bool,
    /// Social media posts go to this folder as signed JSON files (default: `data_dir/outbox`).
    pub publisher_outbox: Option<PathBuf>,
    /// Or are POSTed to this URL, signed with `publisher_webhook_secret` (HMAC-SHA256 of the
    /// body, hex, in the `X-Custodian-Signature: sha256=...` header).
    pub publisher_webhook_url: Option<String>,
    pub publisher_webhook_secret: Option<String>,
    /// Seconds between runs of the loop that publishes due posts.
    pub publish_every_seconds: u64,
    /// Seconds per tick of the background sweeps and the checkpoint job (60; shorter only to
    /// test). With several servers on one database, each job runs on one of them per tick.
    pub job_tick_seconds: u64,
    /// The address users reach Custodian at, e.g. `https://custodian.example.police.uk/`. When
    /// it is https, every response carries Strict-Transport-Security and every cookie `Secure`.
    pub public_url: Option<String>,
    /// Custodian runs behind a reverse proxy that terminates TLS: trust its
    /// `X-Forwarded-Proto: https` (never trusted otherwise, since a client could send it).
    pub trust_proxy: bool,
    /// Seconds a request may take before the server gives up on it and answers 503 (usage file
    /// uploads have no limit, register imports ten times this).
    pub request_timeout_seconds: u64,
    /// The SMTP server notifications are e-mailed through (see docs/email.md). Unset: nothing is
    /// sent, but every notification's e-mail still waits in the outbox, and goes once it is set.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (upgrade a plain connection; refused if the server cannot), `tls` (TLS from
    /// the start, usually port 465) or `none` (plain text: only for a relay on this machine).
    pub smtp_tls: SmtpTls,
    /// Sign-in for the SMTP server, if it needs one. The password is never logged.
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// The From address of every e-mail (`Custodian <custodian@force.example>`); its domain is
    /// also the right half of each Message-ID. Needed when `smtp_host` is set.
    pub email_from: Option<String>,
    /// The hour (0-23, Europe/London) at which daily digests go out.
    pub email_digest_hour: u8,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    #[default]
    Starttls,
    Tls,
    None,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "starttls" => Ok(SmtpTls::Starttls),
            "tls" => Ok(SmtpTls::Tls),
            "none" => Ok(SmtpTls::None),
            _ => Err(format!("{s:?} is not starttls, tls or none")),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite:data/custodian.db".into(),
            data_dir: PathBuf::from("data"),
            secure_cookies: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            breached_passwords: None,
            max_failures_per_account: 100,
            max_failures_per_address: 20,
            throttle_window_minutes: 15,
            audit_origin: "custodian.warwickshire.police.example/audit".into(),
            checkpoint_every: 1000,
            checkpoint_interval_minutes: 60,
            checkpoint_dir: None,
            checkpoint_webhook_url: None,
            log_json: false,
            publisher_outbox: None,
            publisher_webhook_url: None,
            publisher_webhook_secret: None,
            publish_every_seconds: 30,
            job_tick_seconds: 60,
            public_url: None,
            trust_proxy: false,
            request_timeout_seconds: 30,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            email_from: None,
            email_digest_hour: 8,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database_url", &custodian_store::redact(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field("trust_proxy", &self.trust_proxy)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Parse(PathBuf, String),
    #[error("environment variable {0}: {1}")]
    Env(String, String),
}

impl Settings {
    /// Whether every request reaches Custodian over TLS, whatever its headers say: cookies are
    /// marked `Secure` and responses carry Strict-Transport-Security.
    pub fn always_https(&self) -> bool {
        self.secure_cookies
            || self.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }

    /// Defaults, overlaid by the TOML file (if given), overlaid by `CUSTODIAN_*` variables.
    pub fn load(
        file: Option<&std::path::Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut s = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::Read(p.to_path_buf(), e))?;
                toml::from_str::<Settings>(&text).map_err(|e| ConfigError::Parse(p.to_path_buf(), e.to_string()))?
            }
            None => Settings::default(),
        };
        for (k, v) in env {
            let Some(name) = k.strip_prefix("CUSTODIAN_") else { continue };
            let err = |m: &str| ConfigError::Env(k.clone(), m.to_string());
            match name {
                "BIND" => s.bind = v,
                "DATABASE_URL" => s.database_url = v,
                "DATA_DIR" => s.data_dir = PathBuf::from(v),
                "SECURE_COOKIES" => s.secure_cookies = v.parse().map_err(|_| err("expected true or false"))?,
                "SESSION_IDLE_MINUTES" => {
                    s.session_idle_minutes = v.parse().map_err(|_| err("expected a whole number"))?
                }
                "SESSION_ABSOLUTE_HOURS" => {
                    s.session_absolute_hours = v.parse().map_err(|_| err("expected a whole number"))?
                }
                "BREACHED_PASSWORDS" => s.breached_passwords = Some(PathBuf::from(v)),
                "AUDIT_ORIGIN" => s.audit_origin = v,
                "CHECKPOINT_EVERY" => s.checkpoint_every = v.parse().map_err(|_| err("expected a whole number"))?,
                "CHECKPOINT_INTERVAL_MINUTES" => {
                    s.checkpoint_interval_minutes = v.parse().map_err(|_| err("expected a whole number"))?
                }
                "CHECKPOINT_DIR" => s.checkpoint_dir = Some(PathBuf::from(v)),
                "CHECKPOINT_WEBHOOK_URL" => s.checkpoint_webhook_url = Some(v),
                "LOG_JSON" => s.log_json = v.parse().map_err(|_| err("expected true or false"))?,
                "PUBLISHER_OUTBOX" => s.publisher_outbox = Some(PathBuf::from(v)),
                "PUBLISHER_WEBHOOK_URL" => s.publisher_webhook_url = Some(v),
                "PUBLISHER_WEBHOOK_SECRET" => s.publisher_webhook_secret = Some(v),
                "PUBLISH_EVERY_SECONDS" => {
                    s.publish_every_seconds = v.parse().map_err(|_| err("expected a whole number"))?
                }
                "JOB_TICK_SECONDS" => match v.parse() {
                    Ok(n) if n > 0 => s.job_tick_seconds = n,
                    _ => return Err(err("expected a whole number of seconds above 0")),
                },
                "PUBLIC_URL" => s.public_url = Some(v),
                "TRUST_PROXY" => s.trust_proxy = v.parse().map_err(|_| err("expected true or false"))?,
                "REQUEST_TIMEOUT_SECONDS" => {
                    s.request_timeout_seconds = v.parse().map_err(|_| err("expected a whole number"))?
                }
                "SMTP_HOST" => s.smtp_host = Some(v),
                "SMTP_PORT" => s.smtp_port = v.parse().map_err(|_| err("expected a port number (1-65535)"))?,
                "SMTP_TLS" => s.smtp_tls = v.parse().map_err(|m: String| err(&m))?,
                "SMTP_USERNAME" => s.smtp_username = Some(v),
                "SMTP_PASSWORD" => s.smtp_password = Some(v),
                "EMAIL_FROM" => s.email_from = Some(v),
                "EMAIL_DIGEST_HOUR" => match v.parse() {
                    Ok(h) if h < 24 => s.email_digest_hour = h,
                    _ => return Err(err("expected an hour from 0 to 23")),
                },
                _ => {}
            }
        }
        if s.email_digest_hour > 23 {
            return Err(ConfigError::Env(
                "email_digest_hour".into(),
                format!("{} is not an hour from 0 to 23", s.email_digest_hour),
            ));
        }
        Ok(s)
    }

    /// A commented example configuration file (`custodian config example`).
    pub fn example() -> String {
        let d = Settings::default();
        format!(
            "# Custodian configuration. Every setting may also be given as an environment variable\n\
             # named CUSTODIAN_<SETTING IN CAPITALS>, which wins over this file.\n\n\
             # Address to listen on.\nbind = {:?}\n\n\
             # sqlite:PATH for the embedded database, or postgres://user@host/db for PostgreSQL.\ndatabase_url = {:?}\n\n\
             # Folder for the SQLite file, the audit signing key and backups.\ndata_dir = {:?}\n\n\
             # Mark cookies Secure (set true whenever Custodian is served over TLS).\nsecure_cookies = {}\n\n\
             # Session time-outs.\nsession_idle_minutes = {}\nsession_absolute_hours = {}\n\n\
             # Optional list of breached passwords, one per line (NIST SP 800-63B).\n# breached_passwords = \"/etc/custodian/breached.txt\"\n\n\
             # Sign-in throttling.\nmax_failures_per_account = {}\nmax_failures_per_address = {}\nthrottle_window_minutes = {}\n\n\
             # Origin line of signed audit checkpoints, and how often to sign one automatically.\naudit_origin = {:?}\ncheckpoint_every = {}\n\n\
             # Also sign one every this many minutes while the log has grown (0 = off), and send\n\
             # each signed checkpoint outside the database: to a folder (a file per checkpoint,\n\
             # never overwritten) and/or a webhook (POSTed as text/plain).\n\
             checkpoint_interval_minutes = {}\n\
             # checkpoint_dir = \"/mnt/audit-checkpoints\"\n\
             # checkpoint_webhook_url = \"https://witness.example/custodian\"\n\n\
             # Log JSON lines instead of text.\nlog_json = {}\n\n\
             # Social media publishing: a folder of signed JSON files (default data_dir/outbox), or a\n\
             # webhook signed with HMAC-SHA256 (header X-Custodian-Signature: sha256=<hex>).\n\
             # publisher_outbox = \"/var/lib/custodian/outbox\"\n\
             # publisher_webhook_url = \"https://publisher.example/hook\"\n\
             # publisher_webhook_secret = \"...\"\npublish_every_seconds = {}\n\n\
             # Seconds per tick of the background sweeps and checkpoints; with several servers on\n\
             # one database each job runs on one of them per tick.\njob_tick_seconds = {}\n\n\
             # The address users reach Custodian at; when it is https, responses carry\n\
             # Strict-Transport-Security and cookies are Secure.\n\
             # public_url = \"https://custodian.example.police.uk/\"\n\n\
             # Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto header.\n\
             trust_proxy = {}\n\n\
             # Seconds before a request is abandoned with 503 (usage uploads have no limit,\n\
             # register imports ten times this).\nrequest_timeout_seconds = {}\n\n\
             # E-mail notifications through SMTP (docs/email.md). Without smtp_host nothing is sent,\n\
             # but every notification's e-mail still waits in the outbox and goes once it is set.\n\
             # smtp_tls: starttls, tls (implicit TLS, usually port 465) or none (a relay on this\n\
             # machine only). The password is never logged; prefer CUSTODIAN_SMTP_PASSWORD.\n\
             # smtp_host = \"smtp.force.example\"\nsmtp_port = {}\nsmtp_tls = {:?}\n\
             # smtp_username = \"custodian\"\n\
             # smtp_password = \"...\"\n\
             # email_from = \"Custodian <custodian@force.example>\"\n\
             # Hour (0-23, Europe/London) at which daily digests are sent.\nemail_digest_hour = {}\n",
            d.bind,
            d.database_url,
            d.data_dir.display().to_string(),
            d.secure_cookies,
            d.session_idle_minutes,
            d.session_absolute_hours,
            d.max_failures_per_account,
            d.max_failures_per_address,
            d.throttle_window_minutes,
            d.audit_origin,
            d.checkpoint_every,
            d.checkpoint_interval_minutes,
            d.log_json,
            d.publish_every_seconds,
            d.job_tick_seconds,
            d.trust_proxy,
            d.request_timeout_seconds,
            d.smtp_port,
            "starttls",
            d.email_digest_hour
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_back_to_the_defaults() {
        let s: Settings = toml::from_str(&Settings::example()).unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn environment_overrides_the_file_and_bad_values_name_the_variable() {
        let s = Settings::load(None, [("CUSTODIAN_BIND".to_string(), "0.0.0.0:9".to_string())]).unwrap();
        assert_eq!(s.bind, "0.0.0.0:9");
        let e = Settings::load(None, [("CUSTODIAN_SECURE_COOKIES".to_string(), "maybe".to_string())]).unwrap_err();
        assert!(e.to_string().contains("CUSTODIAN_SECURE_COOKIES"));
    }

    #[test]
    fn smtp_settings_parse_and_the_password_is_never_in_debug_output() {
        let env = [
            ("CUSTODIAN_SMTP_HOST", "127.0.0.1"),
            ("CUSTODIAN_SMTP_PORT", "2525"),
            ("CUSTODIAN_SMTP_TLS", "none"),
            ("CUSTODIAN_SMTP_PASSWORD", "hunter2-smtp"),
            ("CUSTODIAN_EMAIL_DIGEST_HOUR", "7"),
        ];
        let s = Settings::load(None, env.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
        assert_eq!((s.smtp_port, s.smtp_tls, s.email_digest_hour), (2525, SmtpTls::None, 7));
        assert!(!format!("{s:?}").contains("hunter2-smtp"));
        let e = Settings::load(None, [("CUSTODIAN_SMTP_TLS".to_string(), "ssl".to_string())]).unwrap_err();
        assert!(e.to_string().contains("CUSTODIAN_SMTP_TLS"), "{e}");
        let e = Settings::load(None, [("CUSTODIAN_EMAIL_DIGEST_HOUR".to_string(), "24".to_string())]).unwrap_err();
        assert!(e.to_string().contains("CUSTODIAN_EMAIL_DIGEST_HOUR"), "{e}");
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let s = Settings { database_url: "postgres://u:secret@h/db".into(), ..Settings::default() };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
