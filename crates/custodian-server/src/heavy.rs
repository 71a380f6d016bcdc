//! CPU-heavy use cases run off the async workers ([`AppState::offload`]): audit verification
//! (hashing every event). A request for one of these never stops the server answering others.
//! Register imports run there too, through [`crate::imports::import_offloaded`].

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use custodian_authz::{Action, Resource};

/// What audit verification found.
#[derive(Debug, Clone)]
pub struct Verification {
    pub events: u64,
    pub root: String,
    pub checkpoints_checked: usize,
    /// Checkpoints kept outside the database that were checked against the log.
    pub saved_checked: usize,
    /// The first problem found, naming the event; `None` when the log is intact.
    pub problem: Option<String>,
}

/// Recompute the audit tree and check every signed checkpoint, then each checkpoint kept outside
/// the database (`saved`: notes an auditor kept), on the blocking pool.
pub async fn audit_verify(
    state: &AppState,
    user: &CurrentUser,
    saved: Vec<custodian_store::SavedCheckpoint>,
) -> Result<Verification, AppError> {
    state.require(user, Action::AuditVerify, &Resource::System)?;
    let store = state.store().clone();
    let name = crate::auth::keys::key_name(store.origin());
    let key = state.audit_key().verifying_key();
    state
        .offload(async move {
            let r = store.audit_verify_against(&name, &key, &saved).await?;
            Ok(Verification {
                events: r.events,
                root: r.root,
                checkpoints_checked: r.checkpoints_checked,
                saved_checked: r.saved_checked,
                problem: r.problem,
            })
        })
        .await
}
