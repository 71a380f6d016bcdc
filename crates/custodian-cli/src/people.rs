//! `custodian user`: people's accounts: add a person with a sign-in, set passwords, grant roles,
//! issue, list and revoke API tokens.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use custodian_domain::people::Role;
use custodian_server::{Application, Settings, imports};
use custodian_store::{Actor, Store};

use crate::Cli;
use crate::common::{by_staff, open, report_app_error};

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a person with a sign-in (reads the password from standard input).
    Add {
        #[arg(long)]
        staff_number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "staff")]
        kind: String,
        #[arg(long)]
        business_area: String,
        /// Roles to grant (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Set a person's password (read from standard input, or prompted on a terminal).
    SetPassword { staff_number: String },
    /// Grant a role.
    GrantRole { staff_number: String, role: String },
    /// Issue an API token; the secret is printed once.
    Token {
        staff_number: String,
        #[arg(long)]
        name: String,
        /// read, write or an action name (repeatable).
        #[arg(long = "scope", default_value = "read")]
        scopes: Vec<String>,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List API tokens (never their secrets).
    Tokens,
    /// Revoke an API token at once.
    RevokeToken { id: uuid::Uuid },
}

/// Run a user command.
pub async fn run(cli: &Cli, cmd: &UserCmd) -> anyhow::Result<ExitCode> {
    let (s, store) = open(cli).await?;
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        UserCmd::Add { staff_number, name, email, kind, business_area, roles } => {
            for r in roles {
                Role::parse(r).with_context(|| format!("unknown role {r}"))?;
            }
            let csv = format!(
                "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n{},{},{},{},{},,{},active,\n",
                csv_field(staff_number),
                csv_field(name),
                csv_field(email),
                csv_field(kind),
                csv_field(business_area),
                csv_field(&roles.join(";"))
            );
            if let Err(e) = imports::import_people(&store, &Actor::cli(), now, csv.as_bytes(), false).await {
                return report_app_error(e, false);
            }
            let p = by_staff(&store, staff_number).await?;
            set_password(&s, &store, &p).await?;
            println!("added {} ({})", p.name, p.staff_number);
        }
        UserCmd::SetPassword { staff_number } => {
            let p = by_staff(&store, staff_number).await?;
            set_password(&s, &store, &p).await?;
            println!("password set for {}", p.staff_number);
        }
        UserCmd::GrantRole { staff_number, role } => {
            let p = by_staff(&store, staff_number).await?;
            let r = Role::parse(role).with_context(|| format!("unknown role {role}"))?;
            store.grant_role(p.id, r, Actor::cli().at(now)).await?;
            println!("granted {} to {}", r.as_str(), p.staff_number);
        }
        UserCmd::Token { staff_number, name, scopes, days } => {
            let p = by_staff(&store, staff_number).await?;
            let app = Application::build(Settings { bind: "127.0.0.1:0".into(), ..s.clone() }, store.clone()).await?;
            let (id, secret) = custodian_server::auth::issue_token(app.state(), &p, name, scopes, *days, &Actor::cli())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("token {id} for {} (shown once; store it safely):\n{secret}", p.staff_number);
        }
        UserCmd::Tokens => {
            for t in store.tokens().await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at <= now {
                    "expired"
                } else {
                    "active"
                };
                println!(
                    "{}  {:<8} {:<24} scopes={} expires={}",
                    t.id,
                    state,
                    t.name,
                    t.scopes.join(","),
                    t.expires_at.date()
                );
            }
        }
        UserCmd::RevokeToken { id } => {
            store.revoke_token(*id, Actor::cli().at(now)).await?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        Ok(rpassword::prompt_password(prompt)?)
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn set_password(s: &Settings, store: &Store, p: &custodian_store::Person) -> anyhow::Result<()> {
    let pw = read_password(&format!("New password for {}: ", p.email))?;
    let breached = match &s.breached_passwords {
        Some(path) => custodian_domain::validate::BreachList::from_lines(
            std::fs::read_to_string(path).with_context(|| format!("reading breach list {}", path.display()))?.lines(),
        ),
        None => custodian_domain::validate::BreachList::empty(),
    };
    let context = [p.email.split('@').next().unwrap_or(""), p.name.as_str(), p.staff_number.as_str(), "custodian"];
    custodian_domain::validate::check_password(&Default::default(), &pw, &context, &breached)
        .map_err(|m| anyhow::anyhow!("password: {m}"))?;
    let hash = custodian_server::auth::Passwords::new()?.hash(&pw).await?;
    store.set_password_hash(p.id, &hash, Actor::cli().at(time::OffsetDateTime::now_utc())).await?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
