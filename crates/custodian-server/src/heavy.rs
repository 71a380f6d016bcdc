//! CPU-heavy use cases run off the async workers ([`AppState::offload`]): register imports
//! (parsing a file of up to 64 MB, then writing it), and audit verification (hashing every
//! event). A request for one of these never stops the server answering others.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::imports::{self as uc, ImportOutcome};
use crate::state::AppState;
use custodian_authz::{Action, Resource};

/// Which register import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterImport {
    People,
    Devices,
    /// A Microsoft Intune export; `allow_partial` imports one page of a longer export, and
    /// `register_new` registers the devices the register does not know.
    Intune {
        allow_partial: bool,
        register_new: bool,
    },
    /// An Android Management API export; `allow_partial` as for Intune.
    Amapi {
        allow_partial: bool,
    },
}

/// Run a register import on the blocking pool. The caller has checked the user's permission; a
/// people import carries the user's rights over roles ([`uc::people_authority`]), and
/// `ignore_roles` applies to it alone.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    kind: RegisterImport,
    bytes: impl AsRef<[u8]> + Send + 'static,
    skip_invalid: bool,
    ignore_roles: bool,
) -> Result<ImportOutcome, AppError> {
    let (store, actor, now) = (state.store().clone(), user.actor.clone(), state.now());
    let authority = match kind {
        RegisterImport::People => Some(uc::people_authority(state, user, ignore_roles)?),
        _ => None,
    };
    state
        .offload(async move {
            let bytes = bytes.as_ref();
            match (kind, authority) {
                (RegisterImport::People, Some(authority)) => {
                    uc::import_people_with_progress(
                        &store,
                        &authority,
                        &actor,
                        now,
                        bytes,
                        skip_invalid,
                        &custodian_store::no_progress,
                        &|_| {},
                    )
                    .await
                }
                (RegisterImport::People, None) => Err(AppError::Forbidden("No rights over the people import".into())),
                (RegisterImport::Devices, _) => uc::import_devices(&store, &actor, now, bytes, skip_invalid).await,
                (RegisterImport::Intune { allow_partial, register_new }, _) => {
                    let options = uc::IntuneOptions { skip_invalid, allow_partial, register_new };
                    uc::import_intune(&store, &actor, now, bytes, options).await
                }
                (RegisterImport::Amapi { allow_partial }, _) => {
                    uc::import_amapi_with_progress(
                        &store,
                        &actor,
                        now,
                        bytes,
                        skip_invalid,
                        allow_partial,
                        &custodian_store::no_progress,
                        &|_| {},
                    )
                    .await
                }
            }
        })
        .await
}

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
