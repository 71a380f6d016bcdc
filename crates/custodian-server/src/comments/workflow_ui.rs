//! The pages of the comments' workflow (WP034 6.7, 6.8, 8.2): wellbeing cases for line
//! managers, Resolution Centre referrals with the counts per strand and month, the owning teams'
//! reply queues, Corporate Communications' advice and actions, and the out-of-hours rota. Every
//! form works without JavaScript.

use crate::routing::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_authz::{Action, Resource};
use custodian_domain::comments::{ReferralOutcome, WorkflowPack, label_words};
use custodian_store::comments::workflow::{ReplyItem, StrandCount};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::comments::workflow as uc;
use crate::state::AppState;
use crate::web::UiResult;
use crate::web::chart::Bars;
use crate::web::csrf::CsrfForm;
use crate::web::display;
use crate::web::{ClauseView, Layout, clause_view, layout, page, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/comments/wellbeing", get(wellbeing_list))
        .route("/comments/wellbeing/{id}", get(wellbeing_show))
        .route("/comments/wellbeing/{id}/close", post(wellbeing_close))
        .route("/comments/referrals", get(referrals))
        .route("/comments/referrals/{id}", get(referral_show))
        .route("/comments/referrals/{id}/decide", post(referral_decide))
        .route("/comments/{id}/actions", post(act))
        .route("/comments/replies", get(replies))
        .route("/comments/replies/{id}/sent", post(reply_sent))
        .route("/comments/rota", get(rota).post(rota_add))
}

fn due_words(t: time::OffsetDateTime, now: time::OffsetDateTime, open: bool) -> (String, bool) {
    (display::time_words(t), open && t < now)
}

// ----- wellbeing -----------------------------------------------------------------------------

struct CaseRow {
    id: Uuid,
    person: String,
    matched: String,
    text: String,
    account: String,
    opened: String,
    due: String,
    overdue: bool,
    open: bool,
    support: String,
    closed: String,
}

fn case_row(c: &custodian_store::comments::workflow::WellbeingCase, now: time::OffsetDateTime) -> CaseRow {
    let open = c.status == "open";
    let (due, overdue) = due_words(c.due_at, now, open);
    CaseRow {
        id: c.id,
        person: display::person(&c.person_name, &c.person_staff_number),
        matched: c.matched.clone(),
        text: c.body.clone(),
        account: format!("{} {}", c.platform, c.account_handle),
        opened: display::time_words(c.opened_at),
        due,
        overdue,
        open,
        support: c.support.clone().unwrap_or_default(),
        closed: c
            .closed_at
            .map(|t| {
                format!(
                    "{} by {}",
                    display::time_words(t),
                    display::actor(c.closed_by.as_deref().unwrap_or(""), |_| None)
                )
            })
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "comments/wellbeing.html")]
struct WellbeingPage {
    layout: Layout,
    c82: ClauseView,
    rows: Vec<CaseRow>,
}
page!(WellbeingPage);

async fn wellbeing_list(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let now = state.now();
    let rows = uc::wellbeing_list(&state, &user).await?;
    Ok(render(&WellbeingPage {
        layout: layout(&state, Some(&user), "Wellbeing: comments aimed at your team", "/comments/wellbeing"),
        c82: clause_view("8.2"),
        rows: rows.iter().map(|c| case_row(c, now)).collect(),
    }))
}

#[derive(Template)]
#[template(path = "comments/wellbeing_case.html")]
struct CasePage {
    layout: Layout,
    c82: ClauseView,
    c: CaseRow,
}
page!(CasePage);

async fn wellbeing_show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let c = uc::wellbeing_view(&state, &user, id).await?;
    Ok(render(&CasePage {
        layout: layout(&state, Some(&user), "Wellbeing case", "/comments/wellbeing"),
        c82: clause_view("8.2"),
        c: case_row(&c, state.now()),
    }))
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    support: String,
}

async fn wellbeing_close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> UiResult<Response> {
    uc::wellbeing_close(&state, &user, id, &f.support).await?;
    Ok(Redirect::to(&format!("/comments/wellbeing/{id}")).into_response())
}

// ----- referrals -----------------------------------------------------------------------------

struct ReferralRow {
    id: Uuid,
    text: String,
    account: String,
    strands: String,
    referred: String,
    outcome: String,
    decided: bool,
}

fn referral_row(r: &custodian_store::comments::workflow::Referral) -> ReferralRow {
    let outcome = match r.outcome.as_deref().and_then(|o| o.parse::<ReferralOutcome>().ok()) {
        Some(ReferralOutcome::CrimeRecorded) => {
            format!("Crime recorded: {}", r.crime_reference.clone().unwrap_or_default())
        }
        Some(o) => o.words().to_string(),
        None => "Waiting for the Resolution Centre".into(),
    };
    ReferralRow {
        id: r.id,
        text: r.body.clone(),
        account: format!("{} {}", r.platform, r.account_handle),
        strands: r.strands.iter().map(|s| label_words(s)).collect::<Vec<_>>().join(", "),
        referred: display::time_words(r.referred_at),
        outcome,
        decided: r.outcome.is_some(),
    }
}

/// The counts per strand per month as one chart: a bar per month and strand.
fn strand_chart(counts: &[StrandCount]) -> String {
    let data: Vec<(String, i64)> =
        counts.iter().map(|c| (format!("{} {}", c.month, label_words(&c.label)), c.count)).collect();
    Bars {
        title: "Referrals per strand per month",
        label_heading: "Month and strand",
        value_heading: "Referrals",
        empty: "No comments have been referred yet.",
    }
    .render(&data)
}

#[derive(Template)]
#[template(path = "comments/referrals.html")]
struct ReferralsPage {
    layout: Layout,
    c82: ClauseView,
    rows: Vec<ReferralRow>,
    chart: String,
}
page!(ReferralsPage);

async fn referrals(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let (rows, counts) = uc::referrals(&state, &user).await?;
    Ok(render(&ReferralsPage {
        layout: layout(&state, Some(&user), "Resolution Centre referrals", "/comments/referrals"),
        c82: clause_view("8.2"),
        rows: rows.iter().map(referral_row).collect(),
        chart: strand_chart(&counts),
    }))
}

#[derive(Template)]
#[template(path = "comments/referral.html")]
struct ReferralPage {
    layout: Layout,
    c82: ClauseView,
    r: ReferralRow,
    author: String,
    url: String,
    posted: String,
    labels: Vec<(String, String, String)>,
    sha256: String,
    record: String,
    intact: bool,
    note: String,
    decided_by: String,
    may_decide: bool,
    outcomes: Vec<(String, String)>,
}
page!(ReferralPage);

async fn referral_show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<Uuid>) -> UiResult<Response> {
    let (r, c, e) = uc::referral(&state, &user, id).await?;
    Ok(render(&ReferralPage {
        layout: layout(&state, Some(&user), "Referral: public comment", "/comments/referrals"),
        c82: clause_view("8.2"),
        author: format!("{} ({})", c.author_name, c.author),
        url: c.url.clone(),
        posted: display::time_words(c.posted_at),
        labels: c.labels.iter().map(|l| (label_words(&l.label), l.matched.clone(), l.explanation.clone())).collect(),
        sha256: e.sha256.clone(),
        record: serde_json::from_str::<serde_json::Value>(&e.record)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| e.record.clone()),
        intact: e.intact(),
        note: r.note.clone().unwrap_or_default(),
        decided_by: r
            .decided_at
            .map(|t| {
                format!(
                    "{} by {}",
                    display::time_words(t),
                    display::actor(r.decided_by.as_deref().unwrap_or(""), |_| None)
                )
            })
            .unwrap_or_default(),
        may_decide: state.allows(&user, Action::CommentsReferralsDecide, &Resource::System),
        outcomes: ReferralOutcome::ALL.iter().map(|o| (o.as_str().to_string(), o.words().to_string())).collect(),
        r: referral_row(&r),
    }))
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    crime_reference: String,
    #[serde(default)]
    note: String,
}

async fn referral_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DecideForm>,
) -> UiResult<Response> {
    let reference =
        if f.outcome == ReferralOutcome::CrimeRecorded.as_str() { Some(f.crime_reference.as_str()) } else { None };
    uc::referral_decide(&state, &user, id, &f.outcome, reference, &f.note).await?;
    Ok(Redirect::to(&format!("/comments/referrals/{id}")).into_response())
}

// ----- Corporate Communications' actions -----------------------------------------------------

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    advice: String,
}

async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ActForm>,
) -> UiResult<Response> {
    uc::act(&state, &user, id, &f.action, &f.advice).await?;
    Ok(Redirect::to(&format!("/comments/{id}")).into_response())
}

// ----- reply queues --------------------------------------------------------------------------

struct ReplyRow {
    id: Uuid,
    text: String,
    author: String,
    account: String,
    team: String,
    label: String,
    due: String,
    overdue: bool,
    waiting: bool,
    suggestions: Vec<String>,
    sent: String,
    reply: String,
}

fn reply_row(r: &ReplyItem, now: time::OffsetDateTime) -> ReplyRow {
    let waiting = r.status == "waiting";
    ReplyRow {
        id: r.id,
        text: r.body.clone(),
        author: r.author_name.clone(),
        account: format!("{} {}", r.platform, r.account_handle),
        team: r.owning_team.clone(),
        label: label_words(&r.label),
        due: display::time_words(r.due_at),
        overdue: r.overdue(now),
        waiting,
        suggestions: r.suggestions(),
        sent: r
            .sent_at
            .map(|t| {
                format!(
                    "{} by {}",
                    display::time_words(t),
                    display::actor(r.sent_by.as_deref().unwrap_or(""), |_| None)
                )
            })
            .unwrap_or_default(),
        reply: r.reply.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "comments/replies.html")]
struct RepliesPage {
    layout: Layout,
    c67: ClauseView,
    /// Overdue, waiting and sent: (table id, heading, rows).
    queues: Vec<(&'static str, &'static str, Vec<ReplyRow>)>,
    every_account: bool,
}
page!(RepliesPage);

async fn replies(State(state): State<AppState>, user: CurrentUser) -> UiResult<Response> {
    let now = state.now();
    let rows = uc::replies(&state, &user, false).await?;
    let (mut overdue, mut waiting, mut sent) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let row = reply_row(r, now);
        if row.overdue {
            overdue.push(row);
        } else if row.waiting {
            waiting.push(row);
        } else {
            sent.push(row);
        }
    }
    Ok(render(&RepliesPage {
        layout: layout(&state, Some(&user), "Replies to public comments", "/comments/replies"),
        c67: clause_view("6.7"),
        queues: vec![
            ("overdue", "Overdue", overdue),
            ("waiting", "Waiting for a reply", waiting),
            ("sent", "Sent", sent),
        ],
        every_account: state.allows(&user, Action::CommentsViewAll, &Resource::System),
    }))
}

#[derive(Deserialize)]
struct SentForm {
    #[serde(default)]
    reply: String,
}

async fn reply_sent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<SentForm>,
) -> UiResult<Response> {
    uc::reply_sent(&state, &user, id, &f.reply).await?;
    Ok(Redirect::to("/comments/replies").into_response())
}

// ----- the out-of-hours rota -----------------------------------------------------------------

struct ShiftRow {
    person: String,
    from: String,
    to: String,
    handover: String,
}

#[derive(Template)]
#[template(path = "comments/rota.html")]
struct RotaPage {
    layout: Layout,
    c68: ClauseView,
    on_call: Option<ShiftRow>,
    in_hours: bool,
    office_hours: String,
    shifts: Vec<ShiftRow>,
}
page!(RotaPage);

fn shift_row(s: &custodian_store::comments::workflow::RotaShift) -> ShiftRow {
    ShiftRow {
        person: display::person(&s.person_name, &s.staff_number),
        from: display::time_words(s.starts_at),
        to: display::time_words(s.ends_at),
        handover: s.handover.clone(),
    }
}

#[derive(Default, Deserialize)]
struct RotaQuery {}

async fn rota(State(state): State<AppState>, user: CurrentUser, Query(_q): Query<RotaQuery>) -> UiResult<Response> {
    let (on_call, shifts) = uc::rota(&state, &user).await?;
    let pack = WorkflowPack::builtin();
    Ok(render(&RotaPage {
        layout: layout(&state, Some(&user), "Out-of-hours rota", "/comments/rota"),
        c68: clause_view("6.8"),
        on_call: on_call.as_ref().map(shift_row),
        in_hours: pack.in_office_hours(state.now()),
        office_hours: pack.office_hours_words(),
        shifts: shifts.iter().map(shift_row).collect(),
    }))
}

#[derive(Deserialize)]
struct ShiftForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    handover: String,
}

async fn rota_add(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(f): CsrfForm<ShiftForm>,
) -> UiResult<Response> {
    uc::rota_add(&state, &user, &f.person, &f.starts_at, &f.ends_at, &f.handover).await?;
    Ok(Redirect::to("/comments/rota").into_response())
}
