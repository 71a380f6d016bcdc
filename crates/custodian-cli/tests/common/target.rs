//! A database the command-line tests run on, on SQLite and, when CUSTODIAN_TEST_DATABASE_URL is
//! set, on a fresh PostgreSQL database made for the test.

use std::process::{Command, Output};

use serde_json::Value;

use super::{Env, bin, stdout};

/// A database the commands run on: the SQLite file of `env`, or a PostgreSQL database made for
/// the test (dropped at the end).
pub struct Target {
    pub env: Env,
    pub url: String,
    /// PostgreSQL: the server's admin URL and the database's name.
    pub pg: Option<(String, String)>,
}

impl Target {
    pub fn sqlite() -> Self {
        let env = Env::new();
        let url = env.url();
        Target { env, url, pg: None }
    }

    /// `prefix` starts the database's name.
    pub fn postgres(prefix: &str) -> Option<Self> {
        let admin = match std::env::var("CUSTODIAN_TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true needs CUSTODIAN_TEST_DATABASE_URL");
                eprintln!("skipping the PostgreSQL half: CUSTODIAN_TEST_DATABASE_URL is not set");
                return None;
            }
        };
        let name = format!("{prefix}{}", uuid::Uuid::now_v7().simple());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
        Some(Target { env: Env::new(), url: format!("{base}/{name}"), pg: Some((admin, name)) })
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(["--database-url", &self.url])
            .args(args)
            .env("CUSTODIAN_DATA_DIR", &self.env.dir)
            .env_remove("CUSTODIAN_DATABASE_URL")
            .output()
            .unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        stdout(&o)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    pub fn sql(&self, statement: &str) {
        match &self.pg {
            None => {
                self.env.db().execute_batch(statement).unwrap();
            }
            Some(_) => psql(&self.url, statement),
        }
    }

    /// The one integer `query` answers.
    pub fn count(&self, query: &str) -> i64 {
        self.texts(query)[0].parse().unwrap()
    }

    /// The first column of each row `query` answers, as text.
    pub fn texts(&self, query: &str) -> Vec<String> {
        match &self.pg {
            None => {
                let db = self.env.db();
                let mut st = db.prepare(query).unwrap();
                st.query_map([], |r| {
                    let v: rusqlite::types::Value = r.get(0)?;
                    Ok(match v {
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        other => format!("{other:?}"),
                    })
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
            Some(_) => {
                let o =
                    Command::new("psql").args([&self.url, "-v", "ON_ERROR_STOP=1", "-qtAc", query]).output().unwrap();
                assert!(o.status.success(), "{query}: {}", String::from_utf8_lossy(&o.stderr));
                stdout(&o).lines().map(str::to_string).collect()
            }
        }
    }

    /// A UUID as a literal of this backend.
    pub fn uuid(&self, u: uuid::Uuid) -> String {
        match &self.pg {
            None => format!("X'{}'", u.simple()),
            Some(_) => format!("'{u}'::uuid"),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            let _ = Command::new("psql")
                .args([admin, "-qc", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                .output();
        }
    }
}

pub fn psql(url: &str, sql: &str) {
    let o = Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql]).output().unwrap();
    assert!(o.status.success(), "{sql}: {}", String::from_utf8_lossy(&o.stderr));
}
