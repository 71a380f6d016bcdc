//! The migrations embedded in the binary, one list per backend, read from
//! `migrations/{sqlite,postgres}/` by `build.rs`.
//!
//! Each becomes the [`Migration`] sqlx's own folder reader (and `sqlx::migrate!`) would make of
//! the same file: same version, description, type, `-- no-transaction` flag and SHA-384
//! checksum, so databases migrated by earlier builds are recognised as up to date.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

/// `(version, file name after "<version>_", contents)` of every migration file, by version.
type Files = &'static [(i64, &'static str, &'static str)];

const SQLITE: Files = include!(concat!(env!("OUT_DIR"), "/migrations_sqlite.rs"));
const POSTGRES: Files = include!(concat!(env!("OUT_DIR"), "/migrations_postgres.rs"));

#[derive(Debug)]
struct Embedded(Files);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(self.0.iter().map(|&(version, name, sql)| migration(version, name, sql)).collect()) })
    }
}

/// The rules of sqlx's folder reader (`sqlx_core::migrate::resolve_blocking`) for one file.
fn migration(version: i64, name: &'static str, sql: &'static str) -> Migration {
    let kind = MigrationType::from_filename(name);
    let description = name.trim_end_matches(kind.suffix()).replace('_', " ");
    Migration::new(version, Cow::Owned(description), kind, Cow::Borrowed(sql), sql.starts_with("-- no-transaction"))
}

/// The embedded SQLite migrations.
pub async fn sqlite() -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(SQLITE)).await
}

/// The embedded PostgreSQL migrations.
pub async fn postgres() -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(POSTGRES)).await
}
