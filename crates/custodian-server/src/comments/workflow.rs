//! The routing and workflow of public comments after triage (WP034 6.7, 6.8, 8.2): the use
//! cases behind the wellbeing, referral, reply-queue and rota pages. Routing itself happens at
//! intake, in the store (`custodian_store::comments::workflow`).
//!
//! * Wellbeing cases: a person sees the cases of the people they line-manage; each case is
//!   checked with `comments.wellbeing.manage` on the affected person (their line manager only).
//! * Referrals: the Resolution Centre (and Corporate Communications, read-only) see referrals
//!   and their evidence; only the Resolution Centre record the outcome. Viewing a referral's
//!   evidence pack is an audited read.
//! * Reply queues: a person sees and marks sent the replies of the accounts they manage or are
//!   authorised to use; Corporate Communications every account's.
//! * The rota: Corporate Communications.

use custodian_authz::{Action, Resource};
use custodian_domain::comments::{CommentAction, ReferralOutcome};
use custodian_store::AuditEntry;
use custodian_store::comments::workflow::{
    ActionRecord, NewShift, Referral, ReplyFilter, ReplyItem, RotaShift, StrandCount, WellbeingCase,
};
use custodian_store::comments::{Comment, Evidence};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The longest free text taken (support, advice, notes, replies, handovers), in characters.
pub const MAX_NOTE_CHARS: usize = 4_000;

fn note(field: &str, text: &str, required: bool) -> Result<String, AppError> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(AppError::invalid(field, "is required"));
    }
    let n = t.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(AppError::invalid(field, format!("is {n} characters long; at most {MAX_NOTE_CHARS} are taken")));
    }
    Ok(t.to_string())
}

async fn person_resource(state: &AppState, person: Uuid) -> Result<Resource, AppError> {
    let p = state.store().person(person).await?.ok_or_else(|| AppError::NotFound(format!("No person {person}.")))?;
    Ok(crate::people::person_resource(&p))
}

// ----- wellbeing (8.2) -----------------------------------------------------------------------

/// The wellbeing cases of the people `user` line-manages.
pub async fn wellbeing_list(state: &AppState, user: &CurrentUser) -> Result<Vec<WellbeingCase>, AppError> {
    state.require(user, Action::CommentsWellbeingList, &Resource::System)?;
    let mut out = Vec::new();
    for c in state.store().wellbeing_cases(user.id()).await? {
        if state.allows(user, Action::CommentsWellbeingManage, &person_resource(state, c.person_id).await?) {
            out.push(c);
        }
    }
    Ok(out)
}

/// A wellbeing case, when `user` is the affected person's line manager (WP034 8.2).
async fn managed_case(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<WellbeingCase, AppError> {
    let c = state
        .store()
        .wellbeing_case(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No wellbeing case {id}.")))?;
    state.require(user, Action::CommentsWellbeingManage, &person_resource(state, c.person_id).await?)?;
    Ok(c)
}

/// One wellbeing case, for the affected person's line manager (an audited read).
pub async fn wellbeing_view(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<WellbeingCase, AppError> {
    let c = managed_case(state, user, id).await?;
    state
        .log_view(user, AuditEntry::new("comment.wellbeing_viewed", format!("comment_wellbeing:{id}")).clause("8.2"))
        .await?;
    Ok(c)
}

/// Record the support given and close the case.
pub async fn wellbeing_close(state: &AppState, user: &CurrentUser, id: Uuid, support: &str) -> Result<(), AppError> {
    managed_case(state, user, id).await?;
    let support = note("support", support, true)?;
    state.store().wellbeing_close(id, &support, user.actor.at(state.now())).await?;
    Ok(())
}

// ----- Resolution Centre referrals (8.2) -----------------------------------------------------

pub async fn referrals(state: &AppState, user: &CurrentUser) -> Result<(Vec<Referral>, Vec<StrandCount>), AppError> {
    state.require(user, Action::CommentsReferralsView, &Resource::System)?;
    Ok((state.store().referrals().await?, state.store().referral_counts().await?))
}

/// One referral with its comment and evidence (an audited read).
pub async fn referral(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(Referral, Comment, Evidence), AppError> {
    state.require(user, Action::CommentsReferralsView, &Resource::System)?;
    let r = state.store().referral(id).await?.ok_or_else(|| AppError::NotFound(format!("No referral {id}.")))?;
    state
        .log_view(user, AuditEntry::new("comment.referral_viewed", format!("comment_referral:{id}")).clause("8.2"))
        .await?;
    Ok(r)
}

/// Record the outcome: a crime recorded needs its crime reference.
pub async fn referral_decide(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    outcome: &str,
    crime_reference: Option<&str>,
    note_text: &str,
) -> Result<(), AppError> {
    state.require(user, Action::CommentsReferralsDecide, &Resource::System)?;
    let outcome: ReferralOutcome = outcome.trim().parse().map_err(|_| {
        AppError::invalid(
            "outcome",
            "choose crime recorded, no crime or advice given (crime_recorded, no_crime, advice)",
        )
    })?;
    let reference = crime_reference.map(str::trim).filter(|r| !r.is_empty());
    let reference = match (outcome, reference) {
        (ReferralOutcome::CrimeRecorded, None) => {
            return Err(AppError::invalid("crime_reference", "is required when a crime is recorded"));
        }
        (ReferralOutcome::CrimeRecorded, Some(r)) if r.chars().count() > 64 => {
            return Err(AppError::invalid("crime_reference", "is at most 64 characters"));
        }
        (ReferralOutcome::CrimeRecorded, Some(r)) => Some(r.to_string()),
        (_, Some(_)) => {
            return Err(AppError::invalid("crime_reference", "is only for a recorded crime"));
        }
        (_, None) => None,
    };
    let n = note("note", note_text, false)?;
    state.store().referral_decide(id, outcome, reference.as_deref(), &n, user.actor.at(state.now())).await?;
    Ok(())
}

// ----- Corporate Communications' advice and actions (8.2) ------------------------------------

/// Record advice and the action taken, after the evidence (kept now if it was not).
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    comment: Uuid,
    action: &str,
    advice: &str,
) -> Result<ActionRecord, AppError> {
    state.require(user, Action::CommentsAct, &Resource::System)?;
    let action: CommentAction = action
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("action", "choose none, hide, delete, reply or report_platform"))?;
    let advice = note("advice", advice, true)?;
    Ok(state.store().comment_act(comment, action, &advice, user.actor.at(state.now())).await?)
}

pub async fn actions(state: &AppState, user: &CurrentUser, comment: Uuid) -> Result<Vec<ActionRecord>, AppError> {
    state.require(user, Action::CommentsViewAll, &Resource::System)?;
    Ok(state.store().comment_actions(comment).await?)
}

// ----- reply queues (6.7) --------------------------------------------------------------------

fn sees_every_queue(state: &AppState, user: &CurrentUser) -> bool {
    state.allows(user, Action::CommentsViewAll, &Resource::System)
}

/// The replies of the accounts `user` works (every account for Corporate Communications).
pub async fn replies(state: &AppState, user: &CurrentUser, waiting: bool) -> Result<Vec<ReplyItem>, AppError> {
    state.require(user, Action::CommentsReplies, &Resource::System)?;
    let person = if sees_every_queue(state, user) { None } else { Some(user.id()) };
    Ok(state.store().replies(&ReplyFilter { person, waiting }).await?)
}

/// Mark a reply sent, with the text sent.
pub async fn reply_sent(state: &AppState, user: &CurrentUser, id: Uuid, text: &str) -> Result<(), AppError> {
    state.require(user, Action::CommentsReplies, &Resource::System)?;
    let r = state.store().reply(id).await?.ok_or_else(|| AppError::NotFound(format!("No reply {id}.")))?;
    if !sees_every_queue(state, user) && !state.store().works_account(user.id(), r.account_id).await? {
        return Err(AppError::Forbidden(format!(
            "Only the team that runs {} {} (its team manager and authorised users) or Corporate Communications may mark its replies sent (WP034 6.7).",
            r.platform, r.account_handle
        )));
    }
    let text = note("reply", text, true)?;
    state.store().reply_mark_sent(id, &text, user.actor.at(state.now())).await?;
    Ok(())
}

// ----- the out-of-hours rota (6.8) -----------------------------------------------------------

pub async fn rota(state: &AppState, user: &CurrentUser) -> Result<(Option<RotaShift>, Vec<RotaShift>), AppError> {
    state.require(user, Action::CommentsRota, &Resource::System)?;
    let now = state.now();
    Ok((state.store().on_call(now).await?, state.store().rota(now).await?))
}

/// Parse a local date and time ("2026-12-04T18:00", from a datetime-local field, Europe/London).
pub fn parse_local(field: &str, s: &str) -> Result<OffsetDateTime, AppError> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_space = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let naive = time::PrimitiveDateTime::parse(s, &fmt)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &fmt_space))
        .map_err(|_| AppError::invalid(field, format!("{s:?} is not a date and time (2026-12-04T18:00)")))?;
    // Europe/London: GMT, or BST when the UTC reading an hour earlier is in summer time.
    let as_utc = naive.assume_utc();
    let bst = custodian_domain::usage::days::in_bst((as_utc - time::Duration::hours(1)).unix_timestamp() * 1_000_000);
    Ok(if bst { as_utc - time::Duration::hours(1) } else { as_utc })
}

pub async fn rota_add(
    state: &AppState,
    user: &CurrentUser,
    staff_number: &str,
    starts: &str,
    ends: &str,
    handover: &str,
) -> Result<Uuid, AppError> {
    state.require(user, Action::CommentsRota, &Resource::System)?;
    let sn = staff_number.trim();
    if sn.is_empty() {
        return Err(AppError::invalid("person", "is required (a staff number)"));
    }
    let person = state
        .store()
        .person_by_staff_number(sn)
        .await?
        .ok_or_else(|| AppError::invalid("person", format!("{sn} is not a staff number in the register")))?;
    let starts_at = parse_local("starts_at", starts)?;
    let ends_at = parse_local("ends_at", ends)?;
    if ends_at <= starts_at {
        return Err(AppError::invalid("ends_at", "must be after the start"));
    }
    if ends_at - starts_at > time::Duration::days(14) {
        return Err(AppError::invalid("ends_at", "a shift is at most 14 days long"));
    }
    let handover = note("handover", handover, false)?;
    Ok(state
        .store()
        .rota_add(&NewShift { person: person.id, starts_at, ends_at, handover }, user.actor.at(state.now()))
        .await?)
}
