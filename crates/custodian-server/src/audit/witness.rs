//! This server as a witness of other logs (C2SP tlog-witness, WP034 3.3): `POST
//! /witness/add-checkpoint` takes a checkpoint of a log listed under `[witness]`, with a
//! consistency proof from the last checkpoint it cosigned for that log, and answers with its
//! cosignature only when the checkpoint is signed by the log's key and extends what it saw. A
//! log that showed this witness one history cannot later show anyone another without the
//! witness's cosignatures giving it away.
//!
//! No session: the request is authenticated by the log's signature on the checkpoint, as the
//! protocol says. The witness's key is kept in the data folder (`witness-cosigning.key`, mode
//! 0600), outside the database; its verifier key is printed by `custodian audit witness-key`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custodian_domain::audit::{
    AddCheckpoint, Checkpoint, cosign, cosigner_key_text, note_body, parse_verifier_key, verify_consistency,
};
use ed25519_dalek::SigningKey;

use crate::routing::{Routes, post};
use crate::state::AppState;

/// The witness's key file in the data folder.
pub const KEY_FILE: &str = "witness-cosigning.key";

pub fn routes() -> Routes {
    Routes::new().route("/witness/add-checkpoint", post(add_checkpoint))
}

/// The witness's cosigning key, created on first use.
pub fn key(state: &AppState) -> anyhow::Result<SigningKey> {
    crate::auth::keys::read_or_create(&state.settings().data_dir, KEY_FILE)
}

/// The witness's verifier key text (`<name>+<key id>+<base64(0x04 || key)>`), for the logs that
/// ask it to cosign.
pub fn verifier_key(state: &AppState) -> anyhow::Result<Option<String>> {
    let Some(w) = &state.settings().witness else { return Ok(None) };
    Ok(Some(cosigner_key_text(&w.name, &key(state)?.verifying_key())))
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.into()).into_response()
}

/// 409 with the size of the latest checkpoint cosigned, as the protocol asks.
fn conflict(size: u64) -> Response {
    (StatusCode::CONFLICT, [(header::CONTENT_TYPE, "text/x.tlog.size")], format!("{size}\n")).into_response()
}

/// The largest request accepted: 63 proof lines and a note with a few signatures fit well within.
const MAX_BODY: usize = 64 * 1024;

async fn add_checkpoint(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(w) = state.settings().witness.clone() else {
        return text(StatusCode::NOT_FOUND, "this server is not a witness\n");
    };
    if body.len() > MAX_BODY {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "the request is larger than a checkpoint needs\n");
    }
    let Ok(body) = std::str::from_utf8(&body) else {
        return text(StatusCode::BAD_REQUEST, "the request is not UTF-8\n");
    };
    let req = match AddCheckpoint::parse(body) {
        Ok(r) => r,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let (signed, cp) = match note_body(&req.note).and_then(|b| Checkpoint::parse_body(b).map(|cp| (b, cp))) {
        Ok(x) => x,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let Some(log) = w.logs.iter().find(|l| l.origin == cp.origin) else {
        return text(StatusCode::NOT_FOUND, format!("this witness does not witness the log {:?}\n", cp.origin));
    };
    let (key_name, log_key) = match parse_verifier_key(&log.verifier_key) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(origin = %cp.origin, error = %e, "the witness's key for this log is not a verifier key");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "the witness is misconfigured for this log\n");
        }
    };
    if Checkpoint::open(&req.note, &key_name, &log_key).is_err() {
        return text(StatusCode::FORBIDDEN, "the checkpoint is not signed by the log's key\n");
    }
    if req.old_size > cp.size {
        return text(StatusCode::BAD_REQUEST, "the old size is larger than the checkpoint's\n");
    }
    let store = state.store();
    let (latest, latest_root) = match store.witness_state(&cp.origin).await {
        Ok(s) => s.unwrap_or((0, [0; 32])),
        Err(e) => {
            tracing::error!(error = %e, "reading the witness's state failed");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "the witness could not read its state\n");
        }
    };
    if req.old_size != latest {
        return conflict(latest);
    }
    if req.old_size == cp.size {
        if latest_root != cp.root {
            // The same size with another root: the log showed two histories.
            tracing::warn!(origin = %cp.origin, size = cp.size, "a checkpoint with another root at the size already cosigned");
            return conflict(latest);
        }
    } else {
        if req.old_size > 0 && !verify_consistency(req.old_size, cp.size, &latest_root, &cp.root, &req.proof) {
            tracing::warn!(origin = %cp.origin, old = req.old_size, size = cp.size, "a checkpoint that does not extend the last one cosigned");
            return text(StatusCode::UNPROCESSABLE_ENTITY, "the consistency proof does not verify\n");
        }
        let actor = custodian_store::Actor { person_id: None, label: format!("witness:{}", cp.origin) };
        match store.witness_advance(&cp.origin, req.old_size, cp.size, &cp.root, actor.at(state.now())).await {
            Ok(true) => {}
            Ok(false) => {
                let now_at = store.witness_state(&cp.origin).await.ok().flatten().map_or(0, |(s, _)| s);
                return conflict(now_at);
            }
            Err(e) => {
                tracing::error!(error = %e, "recording the cosigned checkpoint failed");
                return text(StatusCode::INTERNAL_SERVER_ERROR, "the witness could not record the checkpoint\n");
            }
        }
    }
    let key = match key(&state) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "the witness's key could not be read");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "the witness's key is unavailable\n");
        }
    };
    let timestamp = state.now().unix_timestamp().max(0) as u64;
    text(StatusCode::OK, cosign(signed, &w.name, &key, timestamp))
}
