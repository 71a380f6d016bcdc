//! Screening pack versions in the store (WP034 6.3, 6.5): the history of the pack Corporate
//! Communications edit, each version with its full text, author and reason. The store keeps
//! versions; checking a pack (its rules compile, its saved examples pass) is the screening
//! crate's job and happens before [`Store::screening_pack_activate`] is called.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, Write};

/// One version of the screening pack that was in force.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PackVersion {
    pub id: Uuid,
    /// 1 for the first version put into effect, then 2, 3...
    pub seq: i64,
    pub version: String,
    pub body: String,
    pub sha256: String,
    pub rules: i64,
    pub examples: i64,
    pub reason: String,
    pub author: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A checked pack about to be put into effect.
#[derive(Debug, Clone)]
pub struct NewPackVersion<'a> {
    pub version: &'a str,
    pub body: &'a str,
    pub sha256: &'a str,
    pub rules: i64,
    pub examples: i64,
    pub reason: &'a str,
}

impl Store {
    /// Put a checked pack into effect as the newest version (refused if its version string was
    /// used before), with its audit event.
    pub async fn screening_pack_activate(&self, p: &NewPackVersion<'_>, w: Write<'_>) -> Result<PackVersion> {
        on_write!(self, screening::activate(p, w))
    }
    /// The pack in force, or `None` while the compiled-in pack applies.
    pub async fn screening_pack_current(&self) -> Result<Option<PackVersion>> {
        on_read!(self, screening::current())
    }
    /// Every version put into effect, newest first.
    pub async fn screening_pack_history(&self) -> Result<Vec<PackVersion>> {
        on_read!(self, screening::history())
    }
    /// One version by its version string.
    pub async fn screening_pack(&self, version: &str) -> Result<Option<PackVersion>> {
        on_read!(self, screening::pack(version))
    }
}
