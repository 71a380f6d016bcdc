//! The screening pack in force (WP034 6.3, 6.5) and how Corporate Communications change it.
//!
//! Every departmental post is screened by the engine compiled from the pack in force. The pack
//! compiled into the build applies until a version is put into effect here; from then on the
//! newest stored version applies, on every server sharing the database (each checks for a newer
//! version every minute and at start).
//!
//! A change goes through two steps. **Check**: the proposed pack must parse, every rule must
//! compile, and every saved example in it must produce exactly the categories it expects; the
//! reviewer then sees what changes against the pack in force (rules added, removed and changed,
//! every saved or corpus draft screened differently, precision and recall per category on the
//! labelled corpus). **Put into effect**: the same checks again, a new version string and a
//! reason; the version is stored with its full text, author and reason, with its audit event in
//! the same transaction, and the engine is swapped.

pub mod api;
pub mod ui;

use std::sync::Arc;

use custodian_authz::{Action, Resource};
use custodian_screening::review::{self, ChangeReport};
use custodian_screening::{Pack, PackError};
use custodian_store::screening::{NewPackVersion, PackVersion};
use custodian_store::{Actor, Store};
use time::OffsetDateTime;

use crate::auth::{CurrentUser, sha256_hex};
use crate::error::{AppError, FieldProblem};
use crate::state::AppState;
pub use crate::state::screener::{ActivePack, Screener, compile};

fn pack_problem(e: PackError) -> AppError {
    let message = match &e {
        PackError::Example { index, .. } => format!("saved example {}: {e}", index + 1),
        _ => e.to_string(),
    };
    AppError::Invalid {
        detail: format!("the screening pack cannot be used: {message}"),
        errors: vec![FieldProblem { field: Some("body".into()), line: None, message }],
    }
}

/// Compile a proposed pack. A pack put into effect must name the model this build ships: the
/// shipped model standing in for another (see [`log_warnings`]) is only for versions stored
/// before a retrain, never for a new one, whose saved examples must pass with the model that
/// will score.
fn compile_new(body: &str) -> Result<(Pack, custodian_screening::Engine), AppError> {
    let (pack, engine) = compile(body).map_err(pack_problem)?;
    if let Some(w) = engine.warnings().first() {
        // The shipped pins of both models (covert 6.3d, names 6.3b): the warning names the file.
        let mut message = format!(
            "{w}. Name the shipped models: in [model] version = \"{}\" and sha256 = \"{}\"",
            engine.model_version().map(|(v, _)| v).unwrap_or_default(),
            sha256_hex(Pack::builtin_model_text()),
        );
        if let Some((version, _)) = engine.name_model_version() {
            message.push_str(&format!(
                "; in [name_model] version = \"{version}\" and sha256 = \"{}\"",
                sha256_hex(Pack::builtin_name_model_text()),
            ));
        }
        return Err(AppError::Invalid {
            detail: format!("the screening pack cannot be used: {message}"),
            errors: vec![FieldProblem { field: Some("body".into()), line: None, message }],
        });
    }
    Ok((pack, engine))
}

/// A stored pack pinned to a model this build no longer ships is screened with the shipped
/// model (WP034 6.3 screening never stops for a retrain): say so loudly, at start and whenever
/// it is installed. The pack page shows the same warnings.
pub fn log_warnings(version: &str, engine: &custodian_screening::Engine) {
    for w in engine.warnings() {
        tracing::warn!(version = %version, warning = %w, "screening pack in force with the shipped model");
    }
}

/// Say which pack is now in force, with the room its rules' gate was given (sized from the
/// pack's patterns) and how often that cache has been cleared so far: a pack that outgrows its
/// room screens several times slower, and `custodian_screening_gate_cache_clears_total` in
/// `/metrics` keeps counting its clears.
pub fn log_in_force(version: &str, seq: i64, engine: &custodian_screening::Engine) {
    match engine.gate_cache() {
        Some(g) => tracing::info!(
            version = %version,
            seq,
            gate_nfa_states = g.nfa_states,
            gate_cache_mib = g.capacity_bytes >> 20,
            gate_cache_clears = g.clears,
            "screening pack in force"
        ),
        None => tracing::info!(version = %version, seq, "screening pack in force (its rules have no gate)"),
    }
}

/// Install the newest stored version if it is newer than the one in force. Called at start and
/// every minute, so every server sharing the database converges on the same pack.
pub async fn refresh(state: &AppState) -> anyhow::Result<()> {
    let Some(v) = state.store().screening_pack_current().await? else { return Ok(()) };
    if state.screener().current().seq >= Some(v.seq) {
        return Ok(());
    }
    match compile(&v.body) {
        Ok((pack, engine)) => {
            log_in_force(&v.version, v.seq, &engine);
            log_warnings(&v.version, &engine);
            state.screener().install(ActivePack { pack, engine, sha256: v.sha256, seq: Some(v.seq) });
        }
        // A stored version that this build cannot compile keeps the pack in force, loudly.
        Err(e) => tracing::error!(version = %v.version, error = %e, "stored screening pack does not compile"),
    }
    Ok(())
}

/// The pack in force and every stored version, newest first.
pub async fn overview(state: &AppState, user: &CurrentUser) -> Result<(Arc<ActivePack>, Vec<PackVersion>), AppError> {
    state.require(user, Action::ScreeningPackView, &Resource::System)?;
    Ok((state.screener().current(), state.store().screening_pack_history().await?))
}

/// One stored version, whole.
pub async fn version(state: &AppState, user: &CurrentUser, version: &str) -> Result<PackVersion, AppError> {
    state.require(user, Action::ScreeningPackView, &Resource::System)?;
    state
        .store()
        .screening_pack(version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no screening pack version {version:?} has been in force")))
}

/// Check a proposed pack against the one in force without changing anything.
pub async fn check(state: &AppState, user: &CurrentUser, body: &str) -> Result<ChangeReport, AppError> {
    state.require(user, Action::ScreeningPackManage, &Resource::System)?;
    let current = state.screener().current();
    let body = body.to_string();
    state.offload_sync(move || compare_with(&current, &body)).await?
}

/// Put a proposed pack into effect: it must pass the same checks as [`check`], carry a version
/// never used before, and come with a reason.
pub async fn activate(state: &AppState, user: &CurrentUser, body: &str, reason: &str) -> Result<PackVersion, AppError> {
    state.require(user, Action::ScreeningPackManage, &Resource::System)?;
    let current = state.screener().current();
    let (store, body, reason, actor, now) =
        (state.store().clone(), body.to_string(), reason.to_string(), user.actor.clone(), state.now());
    // Compiling the pack and running its examples is CPU-heavy: off the async workers.
    let (stored, active) =
        state.offload(async move { put_into_effect(&store, &current, &body, &reason, &actor, now).await }).await?;
    log_in_force(active.version(), stored.seq, &active.engine);
    state.screener().install(active);
    Ok(stored)
}

/// The pack in force in this database: the newest stored version, or the built-in pack.
pub async fn in_force(store: &Store) -> anyhow::Result<ActivePack> {
    match store.screening_pack_current().await? {
        Some(v) => {
            let (pack, engine) =
                compile(&v.body).map_err(|e| anyhow::anyhow!("stored screening pack {}: {e}", v.version))?;
            log_warnings(&v.version, &engine);
            Ok(ActivePack { pack, engine, sha256: v.sha256, seq: Some(v.seq) })
        }
        None => {
            let text = Pack::builtin_text();
            let (pack, engine) = compile(text).map_err(|e| anyhow::anyhow!("the built-in screening pack: {e}"))?;
            Ok(ActivePack { pack, engine, sha256: sha256_hex(text), seq: None })
        }
    }
}

/// Compare a proposed pack with `current` (the checks of [`check`], without authorisation: the
/// command line's operator has the database itself).
pub fn compare_with(current: &ActivePack, body: &str) -> Result<ChangeReport, AppError> {
    let (pack, engine) = compile_new(body)?;
    Ok(review::compare(&current.pack, &current.engine, &pack, &engine))
}

/// Store a proposed pack as the newest version after checking it against `current`; returns the
/// stored version and the compiled pack to install.
pub async fn put_into_effect(
    store: &Store,
    current: &ActivePack,
    body: &str,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(PackVersion, ActivePack), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "Say why the pack is changing"));
    }
    let (pack, engine) = compile_new(body)?;
    if pack.version == current.pack.version {
        return Err(AppError::invalid(
            "body",
            format!(
                "the pack's version is still {:?}, the version in force; give the changed pack a new version",
                pack.version
            ),
        ));
    }
    let sha256 = sha256_hex(body);
    let stored = store
        .screening_pack_activate(
            &NewPackVersion {
                version: &pack.version,
                body,
                sha256: &sha256,
                rules: pack.rules.len() as i64,
                examples: pack.examples.len() as i64,
                reason,
            },
            actor.at(now),
        )
        .await?;
    let seq = Some(stored.seq);
    Ok((stored, ActivePack { pack, engine, sha256, seq }))
}
