//! The acknowledgement campaigns' SQL (WP034 2.3), written once and compiled for each backend
//! (see `backend.rs`). Enrolment is set-based (one INSERT ... SELECT from people), and the
//! completion chart is one GROUP BY over the enrolment rows.

use super::{DB, Tx, begin_write, uuid_literal};
use super::{approvals, audit::Record};
#[allow(unused_imports)]
use crate::*;
use serde_json::json;
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::policy::{AreaCompletion, Campaign, NewCampaign, OverdueAcknowledgement};

const CAMPAIGN_COLUMNS: &str = "id, version_id, title, clauses, due_on, status, kind, created_by, created_at";

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Enrol every active person in scope who is not enrolled yet, in one statement; returns how
/// many were enrolled. `only` narrows to one campaign. A campaign's scope is every active
/// person, narrowed to its business areas if it has any and to the holders of its roles if it
/// has any.
async fn enrol(tx: &mut Tx<'_>, only: Option<Uuid>, now: OffsetDateTime) -> Result<u64> {
    let campaign_filter = match only {
        Some(id) => format!("c.id = {}", uuid_literal(&id)),
        None => "c.status = 'open'".to_owned(),
    };
    let sql = format!(
        "INSERT INTO policy_acknowledgements (campaign_id, person_id, business_area_id, enrolled_at) \
         SELECT c.id, p.id, p.business_area_id, $1 FROM policy_campaigns c JOIN people p ON p.status = 'active' \
         WHERE {campaign_filter} \
         AND (NOT EXISTS (SELECT 1 FROM policy_campaign_areas ca WHERE ca.campaign_id = c.id) \
              OR EXISTS (SELECT 1 FROM policy_campaign_areas ca WHERE ca.campaign_id = c.id AND ca.business_area_id = p.business_area_id)) \
         AND (NOT EXISTS (SELECT 1 FROM policy_campaign_roles cr WHERE cr.campaign_id = c.id) \
              OR EXISTS (SELECT 1 FROM policy_campaign_roles cr JOIN person_roles r ON r.role = cr.role \
                         WHERE cr.campaign_id = c.id AND r.person_id = p.id)) \
         AND NOT EXISTS (SELECT 1 FROM policy_acknowledgements a WHERE a.campaign_id = c.id AND a.person_id = p.id)"
    );
    Ok(sqlx::query(&sql).bind(now).execute(&mut **tx).await?.rows_affected())
}

/// Start a campaign and enrol everyone in its scope.
pub async fn create(pool: &Pool<DB>, c: &NewCampaign, Write { actor, now }: Write<'_>) -> Result<(Campaign, u64)> {
    let mut tx = begin_write(pool).await?;
    let out = create_tx(&mut tx, c, actor, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`create`] inside the caller's transaction (adopting a version starts its campaign).
pub async fn create_tx(
    tx: &mut Tx<'_>,
    c: &NewCampaign,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(Campaign, u64)> {
    let version: Option<(String, i64, String)> =
        sqlx::query_as("SELECT reference, version, status FROM policy_versions WHERE id = $1")
            .bind(c.version_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((reference, number, status)) = version else {
        return Err(StoreError::Invalid(format!("version: no policy version {}", c.version_id)));
    };
    if status != "adopted" {
        return Err(StoreError::Conflict(format!(
            "{reference} version {number} is {status}; people acknowledge the version in force"
        )));
    }
    let id = Uuid::now_v7();
    let clauses = serde_json::to_string(&c.clauses).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO policy_campaigns (id, version_id, title, clauses, due_on, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
    )
    .bind(id)
    .bind(c.version_id)
    .bind(&c.title)
    .bind(&clauses)
    .bind(iso(c.due_on))
    .bind(&actor.label)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for area in &c.areas {
        sqlx::query("INSERT INTO policy_campaign_areas (campaign_id, business_area_id) VALUES ($1, $2)")
            .bind(id)
            .bind(area)
            .execute(&mut **tx)
            .await?;
    }
    for role in &c.roles {
        sqlx::query("INSERT INTO policy_campaign_roles (campaign_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    let enrolled = enrol(tx, Some(id), now).await?;
    AuditEntry::new("policy.campaign.create", format!("policy_campaign:{id}"))
        .clause("2.3")
        .detail(json!({
            "reference": reference,
            "version": number,
            "clauses": c.clauses,
            "areas": c.areas,
            "roles": c.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "due_on": iso(c.due_on),
            "enrolled": enrolled,
        }))
        .record(tx, actor, now)
        .await?;
    let out = sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM policy_campaigns WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok((out, enrolled))
}

/// Enrol the people who joined (or moved into scope) since each open campaign began.
pub async fn enrol_new_starters(pool: &Pool<DB>, Write { actor, now }: Write<'_>) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let n = enrol(&mut tx, None, now).await?;
    if n > 0 {
        AuditEntry::new("policy.campaign.enrol", "policy_campaigns")
            .clause("2.3")
            .detail(json!({"enrolled": n}))
            .record(&mut tx, actor, now)
            .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// A person acknowledges a campaign's clauses; a second time changes nothing.
pub async fn acknowledge(
    pool: &Pool<DB>,
    campaign: Uuid,
    person: Uuid,
    Write { actor, now }: Write<'_>,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "UPDATE policy_acknowledgements SET acknowledged_at = $1 \
         WHERE campaign_id = $2 AND person_id = $3 AND acknowledged_at IS NULL \
         AND campaign_id IN (SELECT id FROM policy_campaigns WHERE kind = 'acknowledgement')",
    )
    .bind(now)
    .bind(campaign)
    .bind(person)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        let enrolled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM policy_acknowledgements a JOIN policy_campaigns c ON c.id = a.campaign_id \
             WHERE a.campaign_id = $1 AND a.person_id = $2 AND c.kind = 'acknowledgement'",
        )
        .bind(campaign)
        .bind(person)
        .fetch_one(&mut *tx)
        .await?;
        return if enrolled > 0 {
            Ok(false)
        } else {
            Err(StoreError::NotFound("you are not asked to acknowledge this campaign".into()))
        };
    }
    AuditEntry::new("policy.acknowledge", format!("policy_campaign:{campaign}"))
        .clause("2.3")
        .detail(json!({"person": person}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Completion per business area: one GROUP BY over the campaign's rows in the completion
/// index (campaign, area, acknowledged_at), which it reads alone, then the few areas' names
/// (names are unique, so grouping by the area is grouping by its name).
pub async fn completion(pool: &Pool<DB>, campaign: Uuid) -> Result<Vec<AreaCompletion>> {
    Ok(sqlx::query_as(
        "SELECT b.name AS business_area, x.enrolled, x.acknowledged FROM \
         (SELECT business_area_id, COUNT(*) AS enrolled, COUNT(acknowledged_at) AS acknowledged \
          FROM policy_acknowledgements WHERE campaign_id = $1 GROUP BY business_area_id) x \
         JOIN business_areas b ON b.id = x.business_area_id ORDER BY b.name",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await?)
}

/// The people a line manager manages who have not acknowledged an open campaign past its date.
pub async fn overdue_for_manager(
    pool: &Pool<DB>,
    manager: Uuid,
    today: time::Date,
) -> Result<Vec<OverdueAcknowledgement>> {
    Ok(sqlx::query_as(
        "SELECT c.id AS campaign_id, c.title, c.due_on, p.id AS person_id, p.name, p.staff_number \
         FROM policy_acknowledgements a JOIN policy_campaigns c ON c.id = a.campaign_id \
         JOIN people p ON p.id = a.person_id \
         WHERE p.line_manager_id = $1 AND p.status = 'active' AND c.status = 'open' AND a.acknowledged_at IS NULL \
         AND c.due_on < $2 ORDER BY c.due_on, p.name",
    )
    .bind(manager)
    .bind(iso(today))
    .fetch_all(pool)
    .await?)
}

/// A person's campaigns, newest first, with whether and when they acknowledged.
pub async fn of_person(pool: &Pool<DB>, person: Uuid) -> Result<Vec<crate::policy::PersonAcknowledgement>> {
    Ok(sqlx::query_as(
        "SELECT c.id AS campaign_id, c.title, c.clauses, c.due_on, a.acknowledged_at \
         FROM policy_acknowledgements a JOIN policy_campaigns c ON c.id = a.campaign_id \
         WHERE a.person_id = $1 ORDER BY c.created_at DESC",
    )
    .bind(person)
    .fetch_all(pool)
    .await?)
}

/// One campaign.
pub async fn campaign(pool: &Pool<DB>, id: Uuid) -> Result<Option<Campaign>> {
    Ok(sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM policy_campaigns WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// Every campaign, newest first.
pub async fn campaigns(pool: &Pool<DB>) -> Result<Vec<Campaign>> {
    Ok(sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM policy_campaigns ORDER BY created_at DESC"))
        .fetch_all(pool)
        .await?)
}

/// Remind, through the notifications (and their e-mail), up to `limit` people who have not yet
/// acknowledged an open campaign and were not reminded since `not_since`; returns how many.
pub async fn remind(
    pool: &Pool<DB>,
    campaign: Uuid,
    not_since: OffsetDateTime,
    limit: i64,
    Write { actor, now }: Write<'_>,
) -> Result<usize> {
    Ok(remind_batch(pool, campaign, not_since, limit, actor.at(now)).await?.1)
}

/// [`remind`], returning also how many people it selected. Each person is claimed by a
/// conditional update of their `reminded_at` before their notification is written, in the same
/// transaction: two servers (or a server and the command) reminding at once never remind anyone
/// twice in an interval; the later one's update finds the row already claimed (PostgreSQL waits
/// for the first transaction's row lock, SQLite has one writer) and sends nothing.
pub async fn remind_batch(
    pool: &Pool<DB>,
    campaign: Uuid,
    not_since: OffsetDateTime,
    limit: i64,
    Write { actor, now }: Write<'_>,
) -> Result<(usize, usize)> {
    let mut tx = begin_write(pool).await?;
    let c: Campaign = sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM policy_campaigns WHERE id = $1"))
        .bind(campaign)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no campaign {campaign}")))?;
    let people: Vec<Uuid> = if c.status == "open" {
        sqlx::query_scalar(
            "SELECT a.person_id FROM policy_acknowledgements a JOIN people p ON p.id = a.person_id \
             WHERE a.campaign_id = $1 AND a.acknowledged_at IS NULL AND p.status = 'active' \
             AND (a.reminded_at IS NULL OR a.reminded_at < $2) ORDER BY a.person_id LIMIT $3",
        )
        .bind(campaign)
        .bind(not_since)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?
    } else {
        Vec::new()
    };
    let declaration = c.kind == "declaration";
    let link = format!("/policy/campaigns/{campaign}");
    let subject = format!("policy_campaign:{campaign}");
    let (title, body) = if declaration {
        (
            format!("Please make your declaration: {}", c.title),
            format!(
                "WP034 7.3: declare any online association in a Notifiable Associations category, or that you have nothing to declare, by {}.",
                c.due_on
            ),
        )
    } else {
        (
            format!("Please read and acknowledge: {}", c.title),
            format!("WP034 2.3: read the changed clauses and acknowledge them by {}.", c.due_on),
        )
    };
    let mut reminded = 0;
    for p in &people {
        let claimed = sqlx::query(
            "UPDATE policy_acknowledgements SET reminded_at = $1 WHERE campaign_id = $2 AND person_id = $3 \
             AND acknowledged_at IS NULL AND (reminded_at IS NULL OR reminded_at < $4)",
        )
        .bind(now)
        .bind(campaign)
        .bind(p)
        .bind(not_since)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            continue;
        }
        approvals::notify(&mut tx, *p, "policy_acknowledgement", &title, &body, Some(&link), Some(&subject), now)
            .await?;
        reminded += 1;
    }
    if reminded > 0 {
        AuditEntry::new("policy.campaign.remind", subject)
            .clause("2.3")
            .detail(json!({"reminded": reminded, "not_since": not_since.unix_timestamp()}))
            .record(&mut tx, actor, now)
            .await?;
    }
    tx.commit().await?;
    Ok((people.len(), reminded))
}

/// A campaign's scope: its business areas' names and its roles.
pub async fn scope(pool: &Pool<DB>, campaign: Uuid) -> Result<(Vec<String>, Vec<String>)> {
    let areas = sqlx::query_scalar(
        "SELECT b.name FROM policy_campaign_areas ca JOIN business_areas b ON b.id = ca.business_area_id \
         WHERE ca.campaign_id = $1 ORDER BY b.name",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    let roles = sqlx::query_scalar("SELECT role FROM policy_campaign_roles WHERE campaign_id = $1 ORDER BY role")
        .bind(campaign)
        .fetch_all(pool)
        .await?;
    Ok((areas, roles))
}

/// Record training attendance (WP034 2.4): each (date, topic) is one session, created once;
/// each attendee is added once. A staff number nobody has refuses the whole import, naming its
/// line. Returns the sessions touched and the attendances added.
pub async fn training_import(
    pool: &Pool<DB>,
    rows: &[custodian_domain::policy::training::Attendance],
    Write { actor, now }: Write<'_>,
) -> Result<(usize, u64)> {
    let mut tx = begin_write(pool).await?;
    let mut sessions: Vec<(time::Date, String, Uuid)> = Vec::new();
    let mut added = 0;
    for r in rows {
        let person: Option<Uuid> = sqlx::query_scalar("SELECT id FROM people WHERE staff_number = $1")
            .bind(&r.staff_number)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(person) = person else {
            return Err(StoreError::Invalid(format!("line {}: no person has staff number {}", r.line, r.staff_number)));
        };
        let session = match sessions.iter().find(|(d, t, _)| *d == r.held_on && *t == r.topic) {
            Some((_, _, id)) => *id,
            None => {
                let existing: Option<Uuid> =
                    sqlx::query_scalar("SELECT id FROM training_sessions WHERE held_on = $1 AND topic = $2")
                        .bind(iso(r.held_on))
                        .bind(&r.topic)
                        .fetch_optional(&mut *tx)
                        .await?;
                let id = match existing {
                    Some(id) => id,
                    None => {
                        let id = Uuid::now_v7();
                        sqlx::query(
                            "INSERT INTO training_sessions (id, held_on, topic, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(iso(r.held_on))
                        .bind(&r.topic)
                        .bind(&actor.label)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                };
                sessions.push((r.held_on, r.topic.clone(), id));
                id
            }
        };
        added += sqlx::query(
            "INSERT INTO training_attendance (session_id, person_id) VALUES ($1, $2) \
             ON CONFLICT (session_id, person_id) DO NOTHING",
        )
        .bind(session)
        .bind(person)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    AuditEntry::new("policy.training.import", "training_sessions")
        .clause("2.4")
        .detail(json!({"rows": rows.len(), "sessions": sessions.len(), "added": added}))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok((sessions.len(), added))
}

/// The training sessions a person attended, newest first.
pub async fn training_of(pool: &Pool<DB>, person: Uuid) -> Result<Vec<crate::policy::TrainingRecord>> {
    Ok(sqlx::query_as(
        "SELECT s.held_on, s.topic FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id \
         WHERE a.person_id = $1 ORDER BY s.held_on DESC, s.topic",
    )
    .bind(person)
    .fetch_all(pool)
    .await?)
}
