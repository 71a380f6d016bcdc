//! The screening pack in force (WP034 6.3, 6.5), shared by every request and swapped whole when a
//! new version takes effect. It is part of the application state, so it lives here rather than in
//! the screening area (which changes it and imports the state: kept there, the state and every
//! area formed an import circle through it).

use std::sync::{Arc, RwLock};

use custodian_screening::{Engine, Pack, PackError};

use crate::auth::identity::sha256_hex;

/// A compiled pack with what identifies it.
pub struct ActivePack {
    pub pack: Pack,
    pub engine: Engine,
    pub sha256: String,
    /// The stored version's position in the history; `None` for the pack compiled into the build.
    pub seq: Option<i64>,
}

impl ActivePack {
    pub fn version(&self) -> &str {
        &self.pack.version
    }
}

/// The pack in force, shared by every request; swapped whole when a new version takes effect.
#[derive(Clone)]
pub struct Screener(Arc<RwLock<Arc<ActivePack>>>);

impl Screener {
    /// The pack compiled into this build.
    pub fn builtin() -> anyhow::Result<Self> {
        let text = Pack::builtin_text();
        let (pack, engine) = compile(text).map_err(|e| anyhow::anyhow!("the built-in screening pack: {e}"))?;
        Ok(Self(Arc::new(RwLock::new(Arc::new(ActivePack { pack, engine, sha256: sha256_hex(text), seq: None })))))
    }

    /// The pack in force now. Hold the `Arc` for a whole screening so one draft is screened by
    /// one version.
    pub fn current(&self) -> Arc<ActivePack> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn install(&self, p: ActivePack) {
        let mut g = match self.0.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Never go back to an older stored version (two servers, or a reload racing a change).
        if p.seq >= g.seq {
            *g = Arc::new(p);
        }
    }
}

pub fn compile(text: &str) -> Result<(Pack, Engine), PackError> {
    let pack = Pack::from_toml(text)?;
    let engine = Engine::from_pack(&pack)?;
    Ok((pack, engine))
}
