//! WP034 itself: its clauses by id on the API, the policy page, and the policy as a document with
//! versions (WP034 10, 11): which version is in force and whether its review is overdue, drafting
//! the next version, what a draft changes clause by clause and everything that cites a changed
//! clause, consultation on the approval chain (10.2) and adoption.

pub mod api;
pub mod ui;

use custodian_authz::{Action, Resource};
use custodian_domain::people::Role;
use custodian_domain::policy::changes::{
    BUILTIN_PACKS, Citation, CitationKind, ClauseChange, ClauseText, compare, flagged, pack_citations, rule_citations,
};
use custodian_domain::policy::{Item, review_status, wp034};
use custodian_store::policy::{Adoption, ClauseEdit, PolicyClause, PolicyVersion};
use time::Date;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The policy's reference.
pub const REFERENCE: &str = "WP034";

/// Which version is in force, its owner and its review date.
#[derive(Debug, Clone)]
pub struct Status {
    pub reference: String,
    pub version: i64,
    pub title: String,
    /// The business area that owns the policy, as the cover names it.
    pub owner: String,
    pub next_review: Date,
    /// "review overdue since 16 March 2026" or "next review due ...".
    pub line: String,
    pub overdue: bool,
    /// Whether a text has been imported (otherwise the compiled-in pack's cover is used).
    pub recorded: bool,
}

/// The version in force: the adopted version recorded here, or the compiled-in WP034.
pub async fn status(state: &AppState) -> Result<Status, AppError> {
    let today = state.now().date();
    if let Some(v) = state.store().policy_in_force(REFERENCE).await? {
        let next = v.next_review_date().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("stored review date {:?} is not a date", v.next_review_on))
        })?;
        return Ok(Status {
            reference: v.reference,
            version: v.version,
            title: v.title,
            owner: v.owner,
            next_review: next,
            line: review_status(next, today),
            overdue: today >= next,
            recorded: true,
        });
    }
    let p = wp034();
    Ok(Status {
        reference: p.reference.clone(),
        version: i64::from(p.version),
        title: p.title.clone(),
        owner: p.business_area.clone(),
        next_review: p.next_review_date,
        line: review_status(p.next_review_date, today),
        overdue: p.review_due(today),
        recorded: false,
    })
}

/// The role of the business area that owns the policy ("CORPORATE COMMUNICATIONS" is
/// Corporate Communications), if one matches.
pub fn owner_role(owner: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.label().eq_ignore_ascii_case(owner.trim()))
}

/// Whether the user belongs to the business area that owns the policy (by role).
pub fn is_owner(user: &CurrentUser, status: &Status) -> bool {
    owner_role(&status.owner).is_some_and(|r| user.person.roles.contains(&r))
}

/// Every rule, permission and pack entry that cites a clause: the findings catalogue, the Cedar
/// policies' `@clause`, and the screening pack in force and the comment-triage pack.
pub async fn citations(state: &AppState) -> Result<Vec<Citation>, AppError> {
    let mut all = rule_citations();
    for (id, clause, text) in state.authz().policy_texts() {
        let title = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("//"))
            .map(str::trim)
            .find(|l| l.starts_with("WP034"))
            .unwrap_or("")
            .chars()
            .take(140)
            .collect();
        all.push(Citation { kind: CitationKind::Permission, id, clause, title });
    }
    let stored_screening = state.store().screening_pack_current().await?;
    for (name, src) in BUILTIN_PACKS {
        match (&stored_screening, *name) {
            (Some(v), "screening") => all.extend(pack_citations(name, &v.body)),
            _ => all.extend(pack_citations(name, src)),
        }
    }
    Ok(all)
}

/// A clause row's whole text: its lead text and its items, one per line.
pub fn clause_text(c: &PolicyClause) -> String {
    let items: Vec<Item> = serde_json::from_str(&c.items).unwrap_or_default();
    let mut text = c.text.clone();
    for i in items {
        text.push('\n');
        text.push_str(&i.id);
        text.push_str(". ");
        text.push_str(&i.text);
    }
    text
}

/// A version, what it changes from the version it was drafted from, and what those changes flag.
pub struct VersionView {
    pub version: PolicyVersion,
    pub clauses: Vec<PolicyClause>,
    pub history: Vec<custodian_store::policy::PolicyHistoryRow>,
    pub based_on: Option<PolicyVersion>,
    pub changes: Vec<ClauseChange>,
    pub flagged: Vec<Citation>,
}

/// One version with its changes (policy.read: the policy and its versions are everyone's).
pub async fn version(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<VersionView, AppError> {
    state.require(user, Action::PolicyRead, &Resource::System)?;
    let store = state.store();
    let version =
        store.policy_version(id).await?.ok_or_else(|| AppError::NotFound(format!("No policy version {id}.")))?;
    let clauses = store.policy_clauses(id).await?;
    let history = store.policy_history(id).await?;
    let based_on = match version.based_on_id {
        Some(b) => store.policy_version(b).await?,
        None => None,
    };
    let (changes, flagged_citations) = match &based_on {
        Some(b) => {
            let old: Vec<ClauseText> = store
                .policy_clauses(b.id)
                .await?
                .iter()
                .map(|c| ClauseText { id: c.clause_id.clone(), text: clause_text(c) })
                .collect();
            let new: Vec<ClauseText> =
                clauses.iter().map(|c| ClauseText { id: c.clause_id.clone(), text: clause_text(c) }).collect();
            let changes = compare(&old, &new);
            let all = citations(state).await?;
            let flagged_citations = flagged(&all, &changes).into_iter().cloned().collect();
            (changes, flagged_citations)
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(VersionView { version, clauses, history, based_on, changes, flagged: flagged_citations })
}

/// Draft the next version from the one in force.
pub async fn draft(state: &AppState, user: &CurrentUser) -> Result<PolicyVersion, AppError> {
    state.require(user, Action::PolicyManage, &Resource::System)?;
    Ok(state.store().policy_draft(REFERENCE, user.actor.at(state.now())).await?)
}

/// A clause's new words as a form gives them: its lead text and its items, one "a. ..." a line.
pub fn clause_edit(clause: &str, text: &str, items: &str, remove: bool) -> Result<ClauseEdit, AppError> {
    let clause_id = clause.trim().to_owned();
    let valid_id = matches!(clause_id.split_once('.'), Some((a, b)) if !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit())
        && { let n = b.split('-').next().unwrap_or(""); !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) && n != "0" });
    if !valid_id {
        return Err(AppError::invalid("clause", "Give the clause number, such as 9.1"));
    }
    if remove {
        return Ok(ClauseEdit { clause_id, text: None, items: "[]".into() });
    }
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(AppError::invalid("text", "Give the clause's words (or choose to remove the clause)"));
    }
    let mut parsed: Vec<Item> = Vec::new();
    for (n, line) in items.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let expected = char::from(b'a' + u8::try_from(n).unwrap_or(25).min(25));
        let words = line.strip_prefix(&format!("{expected}. ")).map(str::trim).filter(|w| !w.is_empty());
        let Some(words) = words else {
            return Err(AppError::invalid(
                "items",
                format!("Item {} must start \"{expected}. \" followed by its words", n + 1),
            ));
        };
        parsed.push(Item { id: expected.to_string(), text: words.to_owned() });
    }
    let items = serde_json::to_string(&parsed).map_err(|e| AppError::Internal(e.into()))?;
    Ok(ClauseEdit { clause_id, text: Some(text), items })
}

/// Change, add or remove one clause of a draft.
pub async fn edit_clause(state: &AppState, user: &CurrentUser, id: Uuid, edit: &ClauseEdit) -> Result<(), AppError> {
    state.require(user, Action::PolicyManage, &Resource::System)?;
    Ok(state.store().policy_edit_clause(id, edit, user.actor.at(state.now())).await?)
}

/// Send a draft to consultation (WP034 10.2).
pub async fn consult(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<PolicyVersion, AppError> {
    state.require(user, Action::PolicyManage, &Resource::System)?;
    Ok(state.store().policy_consult(id, user.id(), user.actor.at(state.now())).await?)
}

/// Adopt a consulted version.
pub async fn adopt(state: &AppState, user: &CurrentUser, id: Uuid, a: &Adoption) -> Result<PolicyVersion, AppError> {
    state.require(user, Action::PolicyManage, &Resource::System)?;
    if a.approval_body.trim().is_empty() {
        return Err(AppError::invalid("approval_body", "Give the body that approved this version"));
    }
    if a.next_review_on <= a.adopted_on {
        return Err(AppError::invalid("next_review_on", "The next review date must be after the adoption date"));
    }
    if a.amendment.trim().is_empty() {
        return Err(AppError::invalid("amendment", "Say what the version changes and why, for the document history"));
    }
    // Adopting starts the acknowledgement campaign for the clauses this version changed
    // (WP034 2.3), in the same transaction.
    let view = version(state, user, id).await?;
    let mut a = a.clone();
    if let Some(c) = &mut a.campaign {
        c.version_id = id;
        c.clauses = view.changes.iter().map(|ch| ch.id.clone()).collect();
        if c.title.is_empty() {
            c.title = format!("{} version {}", view.version.reference, view.version.version);
        }
    }
    Ok(state.store().policy_adopt(id, &a, user.actor.at(state.now())).await?)
}

// ----- Acknowledgement campaigns and training (WP034 2.3, 2.4) ----------------------------------

/// A campaign as the start form gives it, before checking.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    /// Empty for "WP034 version N".
    pub title: String,
    /// Clause numbers separated by commas or spaces; empty for every clause of the version.
    pub clauses: String,
    /// Business area ids (the form's checkboxes); none for every area.
    pub areas: Vec<String>,
    /// Roles (`corporate_comms`, ...); none for every role.
    pub roles: Vec<String>,
    /// The date people acknowledge by, or the date field's problem.
    pub due_on: Option<time::Date>,
}

/// Start an acknowledgement campaign on the version in force (WP034 2.3) for every active
/// person, or those of the chosen business areas, or the holders of the chosen roles (both
/// chosen: a person must match both). Every problem with the form is named at once; the store
/// enrols everyone in scope and writes the audit event in one transaction.
pub async fn start_campaign(
    state: &AppState,
    user: &CurrentUser,
    input: &CampaignInput,
) -> Result<(custodian_store::policy::Campaign, u64), AppError> {
    state.require(user, Action::PolicyCampaignsStart, &Resource::System)?;
    let store = state.store();
    // The form's own problems first (they need no version), so an empty form is named field by
    // field whatever is in force.
    let Some(due_on) = input.due_on else {
        return Err(AppError::invalid("due_on", "Enter the date people acknowledge by"));
    };
    let mut errors: Vec<crate::error::FieldProblem> = Vec::new();
    let mut problem = |field: &str, message: String| {
        errors.push(crate::error::FieldProblem { field: Some(field.into()), line: None, message })
    };
    let title = input.title.trim();
    if title.chars().count() > 200 {
        problem("title", "Give a title of up to 200 characters".into());
    }
    let Some(v) = store.policy_in_force(REFERENCE).await? else {
        return Err(AppError::Conflict(format!(
            "No version of {REFERENCE} is recorded as in force: import the policy first (custodian policy import)."
        )));
    };
    let known: Vec<String> = store.policy_clauses(v.id).await?.into_iter().map(|c| c.clause_id).collect();
    let wanted: Vec<String> = input
        .clauses
        .split([',', ' ', ';', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let unknown: Vec<&str> = wanted.iter().filter(|c| !known.contains(c)).map(String::as_str).collect();
    if !unknown.is_empty() {
        problem(
            "clauses",
            format!(
                "{} {} not a clause of {} version {}: give clause numbers such as 6.3, 7.2",
                unknown.join(", "),
                if unknown.len() == 1 { "is" } else { "are" },
                v.reference,
                v.version
            ),
        );
    }
    let mut clauses: Vec<String> = Vec::new();
    for c in if wanted.is_empty() { &known } else { &wanted } {
        if !clauses.contains(c) {
            clauses.push(c.clone());
        }
    }
    let all_areas = store.business_areas().await?;
    let mut areas = Vec::new();
    for a in &input.areas {
        match all_areas.iter().find(|b| b.id.to_string() == a.trim()) {
            Some(b) if !areas.contains(&b.id) => areas.push(b.id),
            Some(_) => {}
            None => problem("areas", "Choose business areas from the list".into()),
        }
    }
    let mut roles = Vec::new();
    for r in &input.roles {
        match Role::parse(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => problem("roles", "Choose roles from the list".into()),
        }
    }
    if due_on <= state.now().date() {
        problem("due_on", "The date must be in the future".into());
    } else if due_on > state.now().date() + time::Duration::days(366) {
        problem("due_on", "The date must be within a year".into());
    }
    if !errors.is_empty() {
        let detail = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
        return Err(AppError::Invalid { detail, errors });
    }
    let c = custodian_store::policy::NewCampaign {
        version_id: v.id,
        title: if title.is_empty() { format!("{} version {}", v.reference, v.version) } else { title.to_owned() },
        clauses,
        areas,
        roles,
        due_on,
    };
    Ok(store.policy_campaign_create(&c, user.actor.at(state.now())).await?)
}

/// What a training attendance upload did: the sessions it touched and the attendances added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingImported {
    pub lines: usize,
    pub sessions: usize,
    pub added: u64,
}

/// Record training attendance (WP034 2.4) from a CSV `date,topic,staff_number`, as
/// `custodian policy training-import` does: any wrong line refuses the whole file, every wrong
/// line named by its number; a staff number nobody has is named by its line too.
pub async fn import_training(state: &AppState, user: &CurrentUser, bytes: &[u8]) -> Result<TrainingImported, AppError> {
    state.require(user, Action::PolicyTrainingRecord, &Resource::System)?;
    let rows = custodian_domain::policy::training::parse_attendance_csv(bytes).map_err(|bad| {
        let errors: Vec<crate::error::FieldProblem> = bad
            .iter()
            .map(|b| crate::error::FieldProblem {
                field: Some("file".into()),
                line: Some(b.line as u64),
                message: b.message.clone(),
            })
            .collect();
        AppError::Invalid {
            detail: format!("{} line(s) could not be read; nothing was imported", errors.len()),
            errors,
        }
    })?;
    match state.store().training_import(&rows, user.actor.at(state.now())).await {
        Ok((sessions, added)) => Ok(TrainingImported { lines: rows.len(), sessions, added }),
        Err(custodian_store::StoreError::Invalid(m)) => {
            // "line 3: no person has staff number X"
            let (line, message) = match m.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
                Some((n, rest)) => (n.parse().ok(), rest.to_owned()),
                None => (None, m.clone()),
            };
            Err(AppError::Invalid {
                detail: format!("{m}; nothing was imported"),
                errors: vec![crate::error::FieldProblem { field: Some("file".into()), line, message }],
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// How often the reminder job runs: hourly ticks.
pub const REMINDER_PERIOD: u64 = 3600;
/// A person who has not acknowledged an open campaign is reminded once a week (as
/// `custodian policy remind` does).
pub const REMINDER_INTERVAL: time::Duration = time::Duration::days(7);
/// People reminded per transaction.
pub const REMINDER_BATCH: i64 = 500;

/// Remind everyone who has not acknowledged an open campaign (or made an open re-declaration)
/// and was not reminded in the last [`REMINDER_INTERVAL`], by notification and e-mail; each
/// batch audited (`policy.campaign.remind`). The database decides who is due, so servers on one
/// database running this at once remind each person once.
pub async fn remind_due(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    Ok(state
        .store()
        .policy_campaigns_remind_due(now - REMINDER_INTERVAL, REMINDER_BATCH, custodian_store::Actor::system().at(now))
        .await?)
}
