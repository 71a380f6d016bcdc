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
    /// The credential vault's reveal limit (WP034 6.6): one person may reveal at most
    /// `vault_reveal_limit` values in any `vault_reveal_window_minutes`; beyond it a reveal is
    /// refused (429 with Retry-After), recorded and audited, and nothing is shown.
    pub vault_reveal_limit: u32,
    pub vault_reveal_window_minutes: u32,
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
    /// Local passwords (WP034 9.1). `true`: people sign in with a password; with `[oidc]` set,
    /// only the `break_glass_accounts` do. `false`: no password sign-in at all (needs `[oidc]`).
    pub password_sign_in: bool,
    /// With `[oidc]` set, the accounts (e-mail addresses) that may still sign in with a
    /// password when the identity provider is unavailable: named administrators, kept few.
    pub break_glass_accounts: Vec<String>,
    /// OpenID Connect sign-in with the force's identity provider (Microsoft Entra ID).
    pub oidc: Option<OidcSettings>,
    /// Witnesses asked to cosign each checkpoint this log signs (C2SP tlog-witness): another
    /// Custodian (its `[witness]`) or any witness speaking the protocol.
    pub audit_witnesses: Vec<AuditWitness>,
    /// This server as a witness for other logs (another force's Custodian, say).
    pub witness: Option<WitnessSettings>,
    /// The sources that may deliver public comments to `POST /api/v1/comments` (WP034 6.7,
    /// 8.2): source name to its HMAC-SHA256 secret (`[comment_sources]`, or
    /// CUSTODIAN_COMMENT_SOURCES="orlo=secret,hootsuite=secret"). Never logged.
    pub comment_sources: std::collections::BTreeMap<String, String>,
}

/// `[[audit_witnesses]]`: a witness this log asks to cosign its checkpoints.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditWitness {
    /// The witness's submission prefix: `add-checkpoint` is POSTed to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's cosigning key, `<name>+<key id>+<base64(0x04 || key)>`.
    pub verifier_key: String,
}

/// `[witness]`: this server cosigns the checkpoints of the logs listed, once a consistency proof
/// shows each extends the last one it cosigned (`POST /witness/add-checkpoint`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WitnessSettings {
    /// The witness's name on its cosignatures, e.g. `witness.custodian.example.police.uk`.
    pub name: String,
    /// The logs it witnesses.
    #[serde(default)]
    pub logs: Vec<WitnessedLog>,
}

/// A log a witness cosigns: its origin line and its checkpoint verifier key (`custodian audit key`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WitnessedLog {
    pub origin: String,
    pub verifier_key: String,
}

/// `[oidc]`: sign-in with the force's identity provider (see docs/oidc.md).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The provider's issuer, e.g. `https://login.microsoftonline.com/<tenant id>/v2.0`;
    /// discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer_url: String,
    /// The application (client) id registered with the provider.
    pub client_id: String,
    /// The client secret (better given as CUSTODIAN_OIDC_CLIENT_SECRET than in the file).
    pub client_secret: String,
    /// Custodian's callback as registered with the provider: `<public address>/oidc/callback`.
    pub redirect_url: String,
    /// Where the provider sends the browser after signing out (registered with the provider
    /// as a front-channel / post-logout redirect URI), e.g. `<public address>/sign-in`.
    #[serde(default)]
    pub post_logout_redirect_url: Option<String>,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that identifies a person for good: `oid` (Entra ID's object id) or `sub`.
    #[serde(default = "default_user_id_claim")]
    pub user_id_claim: String,
    /// The claim the roles come from: `groups` (group object ids) or `roles` (app roles).
    #[serde(default = "default_role_claim")]
    pub role_claim: String,
    /// Claim value -> Custodian roles. The roles named here are the directory's to give: at each
    /// sign-in a person holds exactly those of them their token grants; other roles are left as
    /// they are. Empty: the directory sets no roles.
    #[serde(default)]
    pub role_mapping: std::collections::BTreeMap<String, Vec<custodian_domain::people::Role>>,
    /// The name on the sign-in button.
    #[serde(default = "default_provider_name")]
    pub provider_name: String,
    /// Sign-ins one client address may start in ten minutes (each keeps a row until it is used
    /// or expires). Generous, because a police station's officers share one address at the
    /// start of a shift; its purpose is that nobody can fill the table.
    #[serde(default = "default_starts_per_address")]
    pub starts_per_address: usize,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}
fn default_user_id_claim() -> String {
    "oid".into()
}
fn default_role_claim() -> String {
    "groups".into()
}
fn default_starts_per_address() -> usize {
    300
}
fn default_provider_name() -> String {
    "Microsoft Entra ID".into()
}

impl OidcSettings {
    /// Refuse a configuration that cannot work, naming the key.
    pub fn check(&self) -> Result<(), String> {
        for (key, v) in [("issuer_url", &self.issuer_url), ("redirect_url", &self.redirect_url)] {
            let ok = v.starts_with("https://") || v.starts_with("http://");
            if !ok || reqwest::Url::parse(v).is_err() {
                return Err(format!("{key}: {v:?} is not an http(s) URL"));
            }
        }
        if let Some(v) = &self.post_logout_redirect_url
            && reqwest::Url::parse(v).is_err()
        {
            return Err(format!("post_logout_redirect_url: {v:?} is not a URL"));
        }
        if self.client_id.trim().is_empty() {
            return Err("client_id: is empty".into());
        }
        if self.client_secret.is_empty() {
            return Err("client_secret: is empty (set CUSTODIAN_OIDC_CLIENT_SECRET)".into());
        }
        if !matches!(self.user_id_claim.as_str(), "oid" | "sub") {
            return Err(format!("user_id_claim: {:?} is neither oid nor sub", self.user_id_claim));
        }
        if !matches!(self.role_claim.as_str(), "groups" | "roles") {
            return Err(format!("role_claim: {:?} is neither groups nor roles", self.role_claim));
        }
        Ok(())
    }
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
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
            vault_reveal_limit: 30,
            vault_reveal_window_minutes: 10,
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
            password_sign_in: true,
            break_glass_accounts: Vec::new(),
            oidc: None,
            audit_witnesses: Vec::new(),
            witness: None,
            comment_sources: std::collections::BTreeMap::new(),
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
            .field("password_sign_in", &self.password_sign_in)
            .field("oidc", &self.oidc)
            .field("audit_witnesses", &self.audit_witnesses)
            .field("witness", &self.witness)
            .field("comment_sources", &self.comment_sources.keys().collect::<Vec<_>>())
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
    #[error("configuration: {0}")]
    Check(String),
}

impl Settings {
    /// Whether every request reaches Custodian over TLS, whatever its headers say: cookies are
    /// marked `Secure` and responses carry Strict-Transport-Security.
    pub fn always_https(&self) -> bool {
        self.secure_cookies
            || self.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }

    /// Whether this account may sign in with a password (WP034 9.1): every account when there is
    /// no identity provider, only the break-glass accounts when there is; none when switched off.
    pub fn password_allowed(&self, email: &str) -> bool {
        if !self.password_sign_in {
            return false;
        }
        if self.oidc.is_none() {
            return true;
        }
        let email = email.trim();
        self.break_glass_accounts.iter().any(|a| a.trim().eq_ignore_ascii_case(email))
    }

    /// Refuse settings that cannot work together, naming the setting.
    pub fn check(&self) -> Result<(), String> {
        if self.vault_reveal_limit == 0 || self.vault_reveal_window_minutes == 0 {
            return Err(
                "vault_reveal_limit, vault_reveal_window_minutes: each must be at least 1 (no setting turns the limit off)"
                    .into(),
            );
        }
        match &self.oidc {
            Some(o) => o.check().map_err(|e| format!("oidc.{e}")),
            None if !self.password_sign_in => {
                Err("password_sign_in: false needs [oidc], or nobody could sign in".into())
            }
            None => Ok(()),
        }
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
                "VAULT_REVEAL_LIMIT" => s.vault_reveal_limit = v.parse().map_err(|_| err("expected a whole number"))?,
                "VAULT_REVEAL_WINDOW_MINUTES" => {
                    s.vault_reveal_window_minutes = v.parse().map_err(|_| err("expected a whole number"))?
                }
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
                "COMMENT_SOURCES" => {
                    let mut m = std::collections::BTreeMap::new();
                    for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        match pair.split_once('=') {
                            Some((name, secret)) if !name.trim().is_empty() && !secret.trim().is_empty() => {
                                m.insert(name.trim().to_string(), secret.trim().to_string());
                            }
                            _ => return Err(err("expected name=secret pairs separated by commas")),
                        }
                    }
                    s.comment_sources = m;
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
                "PASSWORD_SIGN_IN" => s.password_sign_in = v.parse().map_err(|_| err("expected true or false"))?,
                "BREAK_GLASS_ACCOUNTS" => {
                    s.break_glass_accounts =
                        v.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect()
                }
                "OIDC_ISSUER_URL"
                | "OIDC_CLIENT_ID"
                | "OIDC_CLIENT_SECRET"
                | "OIDC_REDIRECT_URL"
                | "OIDC_POST_LOGOUT_REDIRECT_URL" => {
                    let o = s.oidc.get_or_insert_with(|| OidcSettings {
                        issuer_url: String::new(),
                        client_id: String::new(),
                        client_secret: String::new(),
                        redirect_url: String::new(),
                        post_logout_redirect_url: None,
                        scopes: default_scopes(),
                        user_id_claim: default_user_id_claim(),
                        role_claim: default_role_claim(),
                        role_mapping: Default::default(),
                        provider_name: default_provider_name(),
                        starts_per_address: default_starts_per_address(),
                    });
                    match name {
                        "OIDC_ISSUER_URL" => o.issuer_url = v,
                        "OIDC_CLIENT_ID" => o.client_id = v,
                        "OIDC_CLIENT_SECRET" => o.client_secret = v,
                        "OIDC_REDIRECT_URL" => o.redirect_url = v,
                        _ => o.post_logout_redirect_url = Some(v),
                    }
                }
                _ => {}
            }
        }
        if s.email_digest_hour > 23 {
            return Err(ConfigError::Env(
                "email_digest_hour".into(),
                format!("{} is not an hour from 0 to 23", s.email_digest_hour),
            ));
        }
        s.check().map_err(ConfigError::Check)?;
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
             # Credential vault (WP034 6.6): values one person may reveal per window of minutes.\n\
             vault_reveal_limit = {}\nvault_reveal_window_minutes = {}\n\n\
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
             # Hour (0-23, Europe/London) at which daily digests are sent.\nemail_digest_hour = {}\n\n\
             # Local passwords (WP034 9.1). true: people sign in with a password; with [oidc] below,\n\
             # only the break-glass accounts do. false: no password sign-in at all (needs [oidc]).\n\
             password_sign_in = {}\n\
             # With [oidc]: the accounts (e-mail addresses) that may still use a password when the\n\
             # identity provider is unavailable. Keep them few and named.\n\
             break_glass_accounts = []\n\n\
             # OpenID Connect sign-in with the force's identity provider (Microsoft Entra ID; see\n\
             # docs/oidc.md). Give the secret as CUSTODIAN_OIDC_CLIENT_SECRET rather than here.\n\
             # [oidc]\n\
             # issuer_url = \"https://login.microsoftonline.com/<tenant id>/v2.0\"\n\
             # client_id = \"<application (client) id>\"\n\
             # client_secret = \"...\"\n\
             # redirect_url = \"https://custodian.example.police.uk/oidc/callback\"\n\
             # post_logout_redirect_url = \"https://custodian.example.police.uk/sign-in\"\n\
             # scopes = [\"openid\", \"email\", \"profile\"]\n\
             # The claim that identifies a person for good: oid (Entra ID object id) or sub.\n\
             # user_id_claim = \"oid\"\n\
             # Roles come from the token's groups (group object ids) or roles (app roles) claim.\n\
             # role_claim = \"groups\"\n\
             # provider_name = \"Microsoft Entra ID\"\n\
             # Sign-ins one client address may start in ten minutes.\n\
             # starts_per_address = 300\n\
             # Claim value -> Custodian roles. The roles named here are the directory's to give: at\n\
             # each sign-in a person holds exactly those their token grants (changes are audited).\n\
             # [oidc.role_mapping]\n\
             # \"<group object id of PSD>\" = [\"psd\"]\n\
             # \"<group object id of Digital Services>\" = [\"digital_services\"]\n",
            d.bind,
            d.database_url,
            d.data_dir.display().to_string(),
            d.secure_cookies,
            d.session_idle_minutes,
            d.session_absolute_hours,
            d.max_failures_per_account,
            d.max_failures_per_address,
            d.throttle_window_minutes,
            d.vault_reveal_limit,
            d.vault_reveal_window_minutes,
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
            d.email_digest_hour,
            d.password_sign_in
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
    fn the_example_with_its_oidc_section_uncommented_parses_and_checks() {
        // Everything from `# [oidc]` on that is a key, a table or a mapping line, uncommented.
        let example = Settings::example();
        let (head, tail) = example.split_at(example.find("# [oidc]").expect("an [oidc] section"));
        let tail: Vec<String> = tail
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(t)
                    if t.starts_with('[')
                        || t.starts_with('"')
                        || t.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) =>
                {
                    t.to_string()
                }
                _ => l.to_string(),
            })
            .collect();
        let text = format!("{head}{}", tail.join("\n"));
        let s: Settings = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let o = s.oidc.as_ref().expect("the [oidc] section");
        assert_eq!(o.user_id_claim, "oid");
        assert_eq!(o.role_mapping.len(), 2);
        assert_eq!(o.role_mapping["<group object id of PSD>"], vec![custodian_domain::people::Role::Psd]);
        assert!(s.check().is_ok());
    }

    #[test]
    fn passwords_are_break_glass_only_with_a_provider_and_bad_oidc_keys_are_named() {
        let mut s = Settings::default();
        assert!(s.password_allowed("anyone@example.police.uk"));
        s.password_sign_in = false;
        assert!(s.check().unwrap_err().contains("password_sign_in"));
        let e = Settings::load(None, [("CUSTODIAN_PASSWORD_SIGN_IN".to_string(), "false".to_string())]).unwrap_err();
        assert!(e.to_string().contains("password_sign_in"), "{e}");
        let env = [
            ("CUSTODIAN_OIDC_ISSUER_URL", "https://login.microsoftonline.com/t/v2.0"),
            ("CUSTODIAN_OIDC_CLIENT_ID", "c"),
            ("CUSTODIAN_OIDC_CLIENT_SECRET", "s"),
            ("CUSTODIAN_OIDC_REDIRECT_URL", "https://custodian.example/oidc/callback"),
            ("CUSTODIAN_BREAK_GLASS_ACCOUNTS", "Admin.One@example.police.uk, admin.two@example.police.uk"),
        ];
        let s = Settings::load(None, env.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
        assert!(s.password_allowed("admin.one@example.police.uk"));
        assert!(s.password_allowed("ADMIN.TWO@example.police.uk"));
        assert!(!s.password_allowed("someone.else@example.police.uk"));
        assert!(!format!("{s:?}").contains("\"s\""), "the client secret is not printed");
        let mut bad = s.clone();
        bad.oidc.as_mut().unwrap().role_claim = "wids".into();
        assert!(bad.check().unwrap_err().contains("oidc.role_claim"));
        let mut bad = s;
        bad.oidc.as_mut().unwrap().issuer_url = "login.microsoftonline.com".into();
        assert!(bad.check().unwrap_err().contains("oidc.issuer_url"));
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let s = Settings { database_url: "postgres://u:secret@h/db".into(), ..Settings::default() };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
