//! Social media posts (WP034 6.3-6.8), shared by the JSON API and the web interface: every save
//! is screened with the policy pack and the findings kept with the pack's version; a post goes
//! to the SIO when it gives investigation details (6.3e), to Corporate Communications where the
//! account or the screening requires it (6.4), then out through a publisher adapter; a major
//! incident holds every departmental post (6.8).
//!
//! Publishing: [`Publisher`] adapters send a signed JSON document. The file outbox writes it to
//! a folder; the webhook POSTs it with the header `X-Custodian-Signature: sha256=<hex>`, the
//! HMAC-SHA256 of the exact body under the configured secret (and `X-Custodian-Post: <id>`).

pub mod api;
pub mod ui;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use custodian_authz::{Action, Resource};
use custodian_domain::posts::{Approval, Attachment, Gate, Platform, PostState};
use custodian_screening::{Screening, Severity};
use custodian_store::Actor;
use custodian_store::approvals::ApprovalRequest;
use custodian_store::posts::{
    Account, Incident, InvestigationSio, Post, PostFilter, PostInput, PostStep, PublishOutcome, Screened,
};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::config::Settings;
use crate::error::AppError;
use crate::state::AppState;

/// What the route needs from a screening: blocks, warnings, investigation details (SIO) and
/// findings the pack sends to Corporate Communications.
pub fn gate(s: &Screening) -> Gate {
    let count = |sev: Severity| s.findings.iter().filter(|f| f.severity == sev).count() as u32;
    let investigation = s.findings.iter().any(|f| f.category.as_str().starts_with("investigation."));
    let comms =
        s.findings.iter().any(|f| f.severity == Severity::Medium && !f.category.as_str().starts_with("investigation."));
    Gate { blocks: count(Severity::High), warnings: count(Severity::Low), investigation, comms }
}

/// Screen a text with the pack in force (see [`crate::screening`]); returns the screening and
/// the version of the pack that made it.
///
/// Drafts over [`MAX_DRAFT_BYTES`] are refused (413) before any screening, and the screening runs
/// on the blocking pool ([`AppState::offload_sync`]) so a long draft never holds up other requests.
pub async fn screen(state: &AppState, text: &str) -> Result<(Screening, String), AppError> {
    check_draft_size(text)?;
    let p = state.screener().current();
    let text = text.to_string();
    state.offload_sync(move || (p.engine.screen(&text), p.version().to_string())).await
}

/// The longest draft Custodian screens or saves: 100 KB, more than any platform accepts in one
/// post (X 25,000 characters for subscribers, Facebook 63,206, LinkedIn 3,000).
pub const MAX_DRAFT_BYTES: usize = 100 * 1024;

/// Refuse a draft longer than [`MAX_DRAFT_BYTES`] with a 413 that says what the limit is.
pub fn check_draft_size(text: &str) -> Result<(), AppError> {
    if text.len() > MAX_DRAFT_BYTES {
        return Err(AppError::TooLarge(format!(
            "The draft is {} KB; Custodian screens drafts of at most {} KB, more than any platform \
             accepts in one post. Shorten it.",
            text.len().div_ceil(1024),
            MAX_DRAFT_BYTES / 1024
        )));
    }
    Ok(())
}

async fn screened(state: &AppState, text: &str) -> Result<Screened, AppError> {
    let (s, pack_version) = screen(state, text).await?;
    Ok(Screened {
        pack_version,
        verdict: s.verdict.as_str().to_string(),
        findings: serde_json::to_value(&s.findings).map_err(|e| AppError::Internal(e.into()))?,
        gate: gate(&s),
    })
}

/// What an author gives to save a post.
#[derive(Debug, Clone)]
pub struct PostDraft {
    pub account_id: Uuid,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub scheduled_for: Option<OffsetDateTime>,
}

/// Need to know: an unsubmitted draft is seen by whoever wrote or edited it and by Corporate
/// Communications only; a submitted post also by its account's team and the approvers.
fn can_see(state: &AppState, user: &CurrentUser, p: &Post) -> bool {
    if p.author_id == user.id() || p.editors.iter().any(|e| e.person_id == user.id()) {
        return true;
    }
    if p.state == PostState::Draft {
        return state.allows(user, Action::PostsViewDrafts, &Resource::System);
    }
    p.account.owning_team == user.person.business_area || state.allows(user, Action::PostsViewAll, &Resource::System)
}

async fn visible(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Post, AppError> {
    state.require(user, Action::PostsView, &Resource::System)?;
    let p = state.store().posts_get(id).await?.ok_or_else(|| AppError::NotFound(format!("No post with id {id}.")))?;
    if !can_see(state, user, &p) {
        return Err(AppError::Forbidden(
            "Only its writers and Corporate Communications see an unsubmitted draft; a submitted post is seen by its account's team and the approvers.".into(),
        ));
    }
    Ok(p)
}

pub async fn accounts(state: &AppState, user: &CurrentUser) -> Result<Vec<Account>, AppError> {
    state.require(user, Action::PostsView, &Resource::System)?;
    Ok(state.store().posts_accounts().await?)
}

/// What Corporate Communications give to set up an account themselves.
#[derive(Debug, Clone, Default)]
pub struct SetUpForm {
    pub platform: String,
    pub handle: String,
    pub owning_team: String,
    /// The team manager's staff number (required: every account has one, WP034 6.7).
    pub team_manager: String,
    pub comms_approval: bool,
    pub corporate: bool,
    pub url: String,
    pub profile: String,
}

/// Corporate Communications set up an account in the register themselves (WP034 6.6: they
/// approve and set up every departmental account), active at once, with its team manager.
pub async fn create_account(state: &AppState, user: &CurrentUser, f: &SetUpForm) -> Result<Account, AppError> {
    state.require(user, Action::PostsAccounts, &Resource::System)?;
    let platform = parse_platform(&f.platform)?;
    let sn = f.team_manager.trim();
    if sn.is_empty() {
        return Err(AppError::invalid(
            "team_manager",
            "Give the staff number of the team manager who answers for the account (WP034 6.7)",
        ));
    }
    let tm = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("team_manager", format!("No person with staff number {sn}")))?;
    let s = custodian_store::social_accounts::SetUp {
        platform,
        handle: f.handle.clone(),
        owning_team: f.owning_team.clone(),
        team_manager: tm.id,
        comms_approval: f.comms_approval,
        corporate: f.corporate,
        url: f.url.clone(),
        profile: f.profile.clone(),
    };
    let id = state.store().social_set_up(&s, user.actor.at(state.now())).await?;
    state
        .store()
        .posts_account(id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the account {id} just set up is not there")))
}

pub fn parse_platform(s: &str) -> Result<Platform, AppError> {
    Platform::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        AppError::invalid("platform", format!("{s:?} is not one of {}", all.join(", ")))
    })
}

/// Which SIO leads which operation (WP034 6.3e): investigation detail itself, read only by
/// those the policy names (`posts.investigations.view`).
pub async fn sios(state: &AppState, user: &CurrentUser) -> Result<Vec<InvestigationSio>, AppError> {
    state.require(user, Action::PostsInvestigationsView, &Resource::System)?;
    Ok(state.store().posts_sios().await?)
}

/// Record the SIO of an operation or reference (WP034 6.3e).
pub async fn set_sio(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    label: &str,
    sio_staff_number: &str,
) -> Result<InvestigationSio, AppError> {
    state.require(user, Action::PostsInvestigations, &Resource::System)?;
    Ok(state.store().posts_set_sio(kind, label, sio_staff_number, user.actor.at(state.now())).await?)
}

/// The posts the user may see: all for the approvers, else their own and their team's.
pub async fn list(state: &AppState, user: &CurrentUser, st: Option<PostState>) -> Result<Vec<Post>, AppError> {
    state.require(user, Action::PostsView, &Resource::System)?;
    let all = state.allows(user, Action::PostsViewAll, &Resource::System);
    let drafts = state.allows(user, Action::PostsViewDrafts, &Resource::System);
    let filter = PostFilter {
        visible_to: (!all).then(|| (user.id(), user.person.business_area.clone())),
        drafts_only_of: (all && !drafts).then(|| user.id()),
        state: st,
    };
    let mut posts = state.store().posts_list(&filter).await?;
    posts.retain(|p| can_see(state, user, p));
    Ok(posts)
}

pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<(Post, Vec<PostStep>), AppError> {
    let p = visible(state, user, id).await?;
    let steps = state.store().posts_steps(id).await?;
    Ok((p, steps))
}

/// Save a post (new when `id` is `None`): screened with the current pack; a new version of a
/// submitted or approved post restarts approval. Only the author or Corporate Communications
/// change a post.
pub async fn save(state: &AppState, user: &CurrentUser, id: Option<Uuid>, d: &PostDraft) -> Result<Post, AppError> {
    state.require(user, Action::PostsDraft, &Resource::System)?;
    if let Some(id) = id {
        let p = visible(state, user, id).await?;
        if p.author_id != user.id() && !state.allows(user, Action::PostsOverride, &Resource::System) {
            return Err(AppError::Forbidden(
                "Only the author or Corporate Communications can change this post.".into(),
            ));
        }
    }
    check_draft_size(&d.body)?;
    if let Some(t) = d.scheduled_for {
        crate::forms::check_moment("scheduled_for", t, state.now())?;
    }
    if d.body.len() > 10_000 {
        return Err(AppError::invalid("body", "a post is at most 10,000 bytes"));
    }
    custodian_domain::posts::check_attachments(&d.attachments).map_err(|e| AppError::invalid(&e.field, e.message))?;
    let input = PostInput {
        account_id: d.account_id,
        body: d.body.clone(),
        attachments: d.attachments.clone(),
        scheduled_for: d.scheduled_for,
        screened: screened(state, &d.body).await?,
    };
    Ok(state.store().posts_save(id, &input, user.id(), user.actor.at(state.now())).await?)
}

/// Submit a draft: blocks fixed, warnings fixed or overridden; routed by content.
pub async fn submit(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Post, AppError> {
    state.require(user, Action::PostsDraft, &Resource::System)?;
    let p = visible(state, user, id).await?;
    if p.author_id != user.id() && !state.allows(user, Action::PostsOverride, &Resource::System) {
        return Err(AppError::Forbidden("Only the author or Corporate Communications can submit this post.".into()));
    }
    Ok(state.store().posts_submit(id, user.actor.at(state.now())).await?)
}

/// Corporate Communications override a post's warnings with a reason (never a block).
pub async fn override_warnings(state: &AppState, user: &CurrentUser, id: Uuid, reason: &str) -> Result<Post, AppError> {
    state.require(user, Action::PostsOverride, &Resource::System)?;
    visible(state, user, id).await?;
    Ok(state.store().posts_override(id, reason, user.actor.at(state.now())).await?)
}

fn approval_action(kind: Approval) -> Action {
    match kind {
        Approval::Sio => Action::PostsApproveSio,
        Approval::Comms => Action::PostsApproveComms,
    }
}

/// Approve a post as the SIO (6.3e) or for Corporate Communications (6.4) on its approval
/// chain. Never one's own: the chain refuses the author.
pub async fn approve(state: &AppState, user: &CurrentUser, id: Uuid, kind: Approval) -> Result<Post, AppError> {
    state.require(user, approval_action(kind), &Resource::System)?;
    visible(state, user, id).await?;
    Ok(state.store().posts_approve(id, kind, user.actor.at(state.now())).await?)
}

/// Send a post back to its author with a reason: the step waiting is rejected on the chain.
pub async fn send_back(state: &AppState, user: &CurrentUser, id: Uuid, reason: &str) -> Result<Post, AppError> {
    let p = visible(state, user, id).await?;
    let kind = if p.state == PostState::PendingSio { Approval::Sio } else { Approval::Comms };
    state.require(user, approval_action(kind), &Resource::System)?;
    Ok(state.store().posts_return(id, reason, user.actor.at(state.now())).await?)
}

/// What an approver does with a post waiting for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// Approve the step named by `as` (sio or comms).
    Approve,
    /// Send it back to the author with a reason.
    Return,
}

/// The one use case behind the API's and the pages' approve and return: `as_` names the
/// approval (sio or comms), `reason` why the post goes back.
pub async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    kind: DecisionKind,
    as_: Option<&str>,
    reason: Option<&str>,
) -> Result<Post, AppError> {
    match kind {
        DecisionKind::Approve => {
            let a = Approval::parse(as_.unwrap_or_default().trim())
                .ok_or_else(|| AppError::invalid("as", "approve as sio or comms"))?;
            approve(state, user, id, a).await
        }
        DecisionKind::Return => send_back(state, user, id, reason.unwrap_or_default()).await,
    }
}

/// A post's request on the approval chain and the steps the user may decide now, if the post
/// has one.
pub async fn chain(
    state: &AppState,
    user: &CurrentUser,
    p: &Post,
) -> Result<Option<(ApprovalRequest, Vec<String>)>, AppError> {
    let Some(aid) = p.approval_id else { return Ok(None) };
    let Some(r) = state.store().approval(aid).await? else { return Ok(None) };
    let who = crate::approvals::deciding(state, user).await?;
    let keys = r.to_domain().decidable_by(&who);
    Ok(Some((r, keys)))
}

pub async fn active_incident(state: &AppState) -> Result<Option<Incident>, AppError> {
    Ok(state.store().posts_active_incident().await?)
}

pub async fn incidents(state: &AppState, user: &CurrentUser) -> Result<Vec<Incident>, AppError> {
    state.require(user, Action::PostsView, &Resource::System)?;
    Ok(state.store().posts_incidents().await?)
}

/// Declare a major incident (WP034 6.8): departmental posts are held at once.
pub async fn declare(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    reason: &str,
    guidance: &str,
) -> Result<(Incident, usize), AppError> {
    state.require(user, Action::PostsIncident, &Resource::System)?;
    Ok(state.store().posts_declare_incident(name, reason, guidance, user.actor.at(state.now())).await?)
}

/// End the major incident, with a reason: held posts need approving again.
pub async fn end_incident(state: &AppState, user: &CurrentUser, reason: &str) -> Result<(Incident, usize), AppError> {
    state.require(user, Action::PostsIncident, &Resource::System)?;
    Ok(state.store().posts_end_incident(reason, user.actor.at(state.now())).await?)
}

// ---- publishing -----------------------------------------------------------------------------

/// A boxed future, so adapters can sit behind `dyn Publisher`.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>>;

/// Sends an approved post to the platform (or to the tool that posts to it). Returns a
/// reference recorded with the publication, or why it failed.
pub trait Publisher: Send + Sync {
    fn send<'a>(&'a self, post_id: Uuid, body: &'a [u8]) -> SendFuture<'a>;
}

/// The document a publisher sends: the post as approved, with its approvals.
pub fn document(p: &Post, now: OffsetDateTime) -> Vec<u8> {
    let ts = |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let doc = json!({
        "post_id": p.id,
        "version": p.version,
        "account": {"platform": p.account.platform.as_str(), "handle": p.account.handle},
        "text": p.body,
        "attachments": p.attachments,
        "scheduled_for": p.scheduled_for.map(ts),
        "screening": {"pack_version": p.pack_version, "verdict": p.verdict},
        "approved_by": {"sio": p.sio_approved_by, "corporate_communications": p.comms_approved_by},
        "sent_at": ts(now),
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// HMAC-SHA256 of `body` under `secret`, hex.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Writes each post to a folder as `<post id>.json` (and `<post id>.json.sig` when a secret is
/// configured), for a publishing tool to pick up.
pub struct Outbox {
    pub dir: PathBuf,
    pub secret: Option<String>,
}

impl Publisher for Outbox {
    fn send<'a>(&'a self, post_id: Uuid, body: &'a [u8]) -> SendFuture<'a> {
        Box::pin(async move {
            // Posts not yet published are for the publishing tool only: folder 0700, files 0600.
            let name = format!("{post_id}.json");
            let sig = self.secret.as_ref().map(|secret| format!("sha256={}\n", signature(secret.as_bytes(), body)));
            let (dir, body) = (self.dir.clone(), body.to_vec());
            let written = tokio::task::spawn_blocking(move || -> Result<(), String> {
                use custodian_store::files;
                files::create_private_dir(&dir).map_err(|e| format!("outbox {}: {e}", dir.display()))?;
                if let Some(sig) = sig {
                    let p = dir.join(format!("{name}.sig"));
                    files::write_private(&p, sig.as_bytes()).map_err(|e| format!("outbox {}: {e}", p.display()))?;
                }
                // The post itself last, whole (written aside and renamed into place).
                let p = dir.join(&name);
                files::write_private(&p, &body).map_err(|e| format!("outbox {}: {e}", p.display()))
            })
            .await;
            written.map_err(|e| format!("outbox: {e}"))??;
            Ok(format!("outbox:{post_id}.json"))
        })
    }
}

/// POSTs each post as JSON to a URL, signed: `X-Custodian-Signature: sha256=<hex HMAC-SHA256
/// of the body>`. Any 2xx answer is success; the reference is the status and the `Location`
/// or `X-Request-Id` the receiver returns, if any.
pub struct Webhook {
    pub url: String,
    pub secret: String,
    pub client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: String, secret: String) -> Self {
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Self { url, secret, client }
    }
}

impl Publisher for Webhook {
    fn send<'a>(&'a self, post_id: Uuid, body: &'a [u8]) -> SendFuture<'a> {
        Box::pin(async move {
            let res = self
                .client
                .post(&self.url)
                .header("content-type", "application/json")
                .header("x-custodian-signature", format!("sha256={}", signature(self.secret.as_bytes(), body)))
                .header("x-custodian-post", post_id.to_string())
                .body(body.to_vec())
                .send()
                .await
                .map_err(|e| format!("webhook: {e}"))?;
            let status = res.status();
            if !status.is_success() {
                return Err(format!("webhook answered {status}"));
            }
            let id = ["location", "x-request-id"]
                .iter()
                .find_map(|h| res.headers().get(*h).and_then(|v| v.to_str().ok()).map(str::to_string));
            Ok(match id {
                Some(id) => format!("webhook:{} {id}", status.as_u16()),
                None => format!("webhook:{}", status.as_u16()),
            })
        })
    }
}

/// The publisher the settings name: the webhook when a URL is set (it needs a secret), else the
/// file outbox.
pub fn publisher(s: &Settings) -> Result<Box<dyn Publisher>, String> {
    match (&s.publisher_webhook_url, &s.publisher_webhook_secret) {
        (Some(url), Some(secret)) if !secret.is_empty() => Ok(Box::new(Webhook::new(url.clone(), secret.clone()))),
        (Some(_), _) => {
            Err("publisher_webhook_url is set without publisher_webhook_secret: refusing to send unsigned posts".into())
        }
        (None, _) => Ok(Box::new(Outbox {
            dir: s.publisher_outbox.clone().unwrap_or_else(|| s.data_dir.join("outbox")),
            secret: s.publisher_webhook_secret.clone(),
        })),
    }
}

/// Publish every due scheduled post through `publisher`. Returns (published, skipped, failed).
pub async fn publish_due(state: &AppState, publisher: &dyn Publisher) -> Result<(usize, usize, usize), AppError> {
    let now = state.now();
    let mut counts = (0, 0, 0);
    for id in state.store().posts_due(now).await? {
        let outcome = state
            .store()
            .posts_publish(id, Actor::system().at(now), |p| async move {
                let body = document(&p, now);
                publisher.send(p.id, &body).await
            })
            .await?;
        match outcome {
            PublishOutcome::Published(_) => counts.0 += 1,
            PublishOutcome::Skipped(_) => counts.1 += 1,
            PublishOutcome::Failed(e) => {
                tracing::warn!(post = %id, error = %e, "publishing a post failed");
                counts.2 += 1
            }
        }
    }
    Ok(counts)
}

/// Every `publish_every_seconds`, publish the scheduled posts that are due (WP034 6.4), unless
/// a major incident pauses their account (6.8).
pub async fn publish_loop(state: AppState) {
    let every = state.settings().publish_every_seconds;
    if every == 0 {
        return;
    }
    let publisher = match publisher(state.settings()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "social media publishing is off");
            return;
        }
    };
    // Each tick publishes on one server only (the lease row of `posts.publish`); a second
    // server that raced it would find the posts published already, but need not try.
    let mut last_tick = None;
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(every)).await;
        let tick = crate::ops::tick_of(state.now(), every);
        if last_tick == Some(tick) {
            continue;
        }
        last_tick = Some(tick);
        crate::ops::run_once(&state, crate::ops::Job::Publish, tick, || async {
            match publish_due(&state, publisher.as_ref()).await {
                Ok((0, _, 0)) => {}
                Ok((n, _, failed)) => tracing::info!(published = n, failed, "published due posts"),
                Err(e) => tracing::warn!(error = %e, "publishing due posts failed"),
            }
        })
        .await;
    }
}
