//! The monitoring SQL, written once and compiled for each backend (see `backend.rs`): `DB` and the
//! helpers come from the backend module this file is mounted in.
//!
//! Lawful business monitoring (WP034 3.3, 5.1-5.5): every write opens one transaction that
//! carries the change and its audit event.

use super::{Conn, DB, Tx, begin_write};
use super::{approvals, audit::Record, dashboard, devices};
use crate::monitoring::*;
#[allow(unused_imports)]
use crate::*;
use custodian_domain::devices::DeviceStatus;
use custodian_domain::monitoring as domain;
use custodian_domain::people::Role;
use serde_json::{Value, json};
use sqlx::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

const ROUND_SELECT: &str = "SELECT id, name, status, commitment, deferral_days, beacon, secret, seed, population_hash, \
    created_at, created_by, drawn_at, drawn_by FROM monitoring_rounds";

/// Who is eligible (WP034 5.4): active, in an area of the round, holding an allocated device.
const ELIGIBLE: &str =
    "p.status = 'active' AND EXISTS (SELECT 1 FROM devices d WHERE d.holder_id = p.id AND d.status = 'allocated')";

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

async fn round_areas(conn: &mut Conn, round: Uuid) -> Result<Vec<RoundArea>> {
    let mut areas: Vec<RoundArea> = sqlx::query_as(
        "SELECT a.business_area, a.sample_size, \
         (SELECT COUNT(*) FROM monitoring_population p WHERE p.round_id = a.round_id AND p.business_area = a.business_area) AS population, \
         (SELECT COUNT(*) FROM monitoring_population p WHERE p.round_id = a.round_id AND p.business_area = a.business_area \
             AND p.excluded_at IS NOT NULL) AS excluded \
         FROM monitoring_round_areas a WHERE a.round_id = $1",
    )
    .bind(round)
    .fetch_all(&mut *conn)
    .await?;
    // Byte order, as the draw sorts, whatever the database's collation.
    areas.sort_by(|a, b| a.business_area.cmp(&b.business_area));
    Ok(areas)
}

/// A round read from its row, with its areas.
async fn with_areas(conn: &mut Conn, mut r: Round) -> Result<Round> {
    r.areas = round_areas(conn, r.id).await?;
    Ok(r)
}

async fn tx_round(tx: &mut Tx<'_>, id: Uuid) -> Result<Round> {
    let sql = format!("{ROUND_SELECT} WHERE id = $1");
    let row: Option<Round> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut **tx).await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("monitoring round {id}")))?;
    with_areas(tx, row).await
}

pub async fn rounds(pool: &Pool<DB>) -> Result<Vec<Round>> {
    let sql = format!("{ROUND_SELECT} ORDER BY created_at DESC, id DESC");
    let rows: Vec<Round> = sqlx::query_as(&sql).fetch_all(pool).await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(with_areas(&mut conn, r).await?);
    }
    Ok(out)
}

pub async fn round_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<Round>> {
    let sql = format!("{ROUND_SELECT} WHERE id = $1");
    match sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? {
        Some(r) => Ok(Some(with_areas(&mut *pool.acquire().await?, r).await?)),
        None => Ok(None),
    }
}

/// The population the draw uses: the frozen members not excluded, with their person ids.
async fn members(conn: &mut Conn, round: Uuid) -> Result<Vec<(domain::Member, Uuid)>> {
    let rows: Vec<(String, String, Uuid)> = sqlx::query_as(
        "SELECT business_area, staff_number, person_id FROM monitoring_population WHERE round_id = $1 AND excluded_at IS NULL",
    )
    .bind(round)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(area, sn, person)| (domain::Member::new(area, sn), person)).collect())
}

fn sizes(round: &Round) -> std::collections::BTreeMap<String, u32> {
    round.areas.iter().map(|a| (a.business_area.clone(), a.sample_size)).collect()
}

fn round_subject(id: Uuid) -> String {
    format!("monitoring_round:{id}")
}

fn case_subject(id: Uuid) -> String {
    format!("monitoring_case:{id}")
}

/// Create a round and freeze its population (WP034 5.4).
pub async fn create_round(pool: &Pool<DB>, r: &NewRound, Write { actor, now }: Write<'_>) -> Result<Round> {
    let name = r.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("name: give the round a name".into()));
    }
    if r.sample_size == 0 {
        return Err(StoreError::Invalid("sample_size: select at least one person per area".into()));
    }
    let commitment = domain::parse_commitment(&r.commitment).map_err(invalid)?;
    let mut tx = begin_write(pool).await?;
    let mut areas: Vec<String> = Vec::new();
    if r.areas.is_empty() {
        let sql = format!(
            "SELECT DISTINCT ba.name FROM people p JOIN business_areas ba ON ba.id = p.business_area_id WHERE {ELIGIBLE}"
        );
        areas = sqlx::query_scalar(&sql).fetch_all(&mut *tx).await?;
    } else {
        for a in &r.areas {
            let a = a.trim();
            let found: Option<String> = sqlx::query_scalar("SELECT name FROM business_areas WHERE name = $1")
                .bind(a)
                .fetch_optional(&mut *tx)
                .await?;
            match found {
                Some(n) if !areas.contains(&n) => areas.push(n),
                Some(_) => {}
                None => return Err(StoreError::Invalid(format!("areas: there is no business area named {a:?}"))),
            }
        }
    }
    areas.sort();
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO monitoring_rounds (id, name, status, commitment, deferral_days, created_at, created_by) \
         VALUES ($1, $2, 'open', $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(name)
    .bind(&commitment)
    .bind(i64::from(r.rules.deferral_days))
    .bind(now)
    .bind(&actor.label)
    .execute(&mut *tx)
    .await?;
    for a in &areas {
        sqlx::query("INSERT INTO monitoring_round_areas (round_id, business_area, sample_size) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(a)
            .bind(i64::from(r.sample_size))
            .execute(&mut *tx)
            .await?;
    }
    let freeze = format!(
        "INSERT INTO monitoring_population (round_id, person_id, staff_number, business_area) \
         SELECT ra.round_id, p.id, p.staff_number, ba.name FROM people p \
         JOIN business_areas ba ON ba.id = p.business_area_id \
         JOIN monitoring_round_areas ra ON ra.round_id = $1 AND ra.business_area = ba.name \
         WHERE {ELIGIBLE}"
    );
    sqlx::query(&freeze).bind(id).execute(&mut *tx).await?;
    let round = tx_round(&mut tx, id).await?;
    let members: Vec<domain::Member> = members(&mut tx, id).await?.into_iter().map(|(m, _)| m).collect();
    if members.is_empty() {
        return Err(StoreError::Invalid("areas: nobody in scope holds an allocated force device".into()));
    }
    domain::check_inputs(&members, &sizes(&round), "-", "-").map_err(invalid)?;
    let population_hash = domain::population_hash(&members);
    AuditEntry::new("monitoring.round.create", round_subject(id))
        .clause("5.4")
        .after(json!({
            "name": name, "sample_sizes": sizes(&round), "commitment": commitment,
            "population": members.len(), "population_hash": population_hash, "deferral_days": r.rules.deferral_days,
        }))
        .record(&mut tx, actor, now)
        .await?;
    tx.commit().await?;
    Ok(round)
}

/// Record an exclusion with its reason, before the draw only (WP034 5.4).
pub async fn exclude(
    pool: &Pool<DB>,
    round: Uuid,
    staff_number: &str,
    reason: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Round> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("reason: record why the person is excluded".into()));
    }
    let sn = staff_number.trim().to_ascii_uppercase();
    let mut tx = begin_write(pool).await?;
    let before = tx_round(&mut tx, round).await?;
    if before.status != RoundStatus::Open {
        return Err(StoreError::Conflict("the round has been drawn: exclusions are recorded before the draw".into()));
    }
    let (area, excluded): (String, Option<OffsetDateTime>) = sqlx::query_as(
        "SELECT business_area, excluded_at FROM monitoring_population WHERE round_id = $1 AND staff_number = $2",
    )
    .bind(round)
    .bind(&sn)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("staff_number: {sn} is not in the round's population")))?;
    if excluded.is_some() {
        return Err(StoreError::Conflict(format!("{sn} is already excluded from the round")));
    }
    sqlx::query("UPDATE monitoring_population SET excluded_reason = $1, excluded_at = $2, excluded_by = $3 WHERE round_id = $4 AND staff_number = $5")
        .bind(reason)
        .bind(now)
        .bind(&actor.label)
        .bind(round)
        .bind(&sn)
        .execute(&mut *tx)
        .await?;
    let members: Vec<domain::Member> = members(&mut tx, round).await?.into_iter().map(|(m, _)| m).collect();
    AuditEntry::new("monitoring.round.exclude", round_subject(round))
        .clause("5.4")
        .justification(reason)
        .detail(json!({
            "staff_number": sn, "business_area": area, "population": members.len(),
            "population_hash": domain::population_hash(&members),
        }))
        .record(&mut tx, actor, now)
        .await?;
    let after = tx_round(&mut tx, round).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn exclusions(pool: &Pool<DB>, round: Uuid) -> Result<Vec<Exclusion>> {
    // A member excluded before reasons and authors were required reads as empty ones.
    Ok(sqlx::query_as(
        "SELECT staff_number, business_area, COALESCE(excluded_reason, '') AS reason, excluded_at AS \"at\", \
         COALESCE(excluded_by, '') AS \"by\" FROM monitoring_population \
         WHERE round_id = $1 AND excluded_at IS NOT NULL ORDER BY excluded_at, staff_number",
    )
    .bind(round)
    .fetch_all(pool)
    .await?)
}

/// The stored selection: `{"selected": {area: [staff]}, "reserve": {area: [staff]}}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct DrawResult {
    selected: std::collections::BTreeMap<String, Vec<String>>,
    reserve: std::collections::BTreeMap<String, Vec<String>>,
}

async fn draw_result(conn: &mut Conn, round: Uuid) -> Result<DrawResult> {
    let text: Option<String> = sqlx::query_scalar("SELECT draw_result FROM monitoring_rounds WHERE id = $1")
        .bind(round)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let text = text.ok_or_else(|| StoreError::Conflict("the round has not been drawn yet".into()))?;
    crate::error::stored_json(&format!("draw of round {round}"), &text)
}

#[allow(clippy::too_many_arguments)]
async fn open_case(
    tx: &mut Tx<'_>,
    round: Uuid,
    person: Uuid,
    staff_number: &str,
    area: &str,
    rank: usize,
    how: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO monitoring_cases (id, round_id, person_id, staff_number, business_area, draw_rank, stage, deferred, devices, \
         failure_referred, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'selected', 0, '[]', 0, $7, $7)",
    )
    .bind(id)
    .bind(round)
    .bind(person)
    .bind(staff_number)
    .bind(area)
    .bind(rank as i64)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let detail =
        json!({"round": round, "staff_number": staff_number, "business_area": area, "draw_rank": rank, "how": how});
    let seq = AuditEntry::new("monitoring.case.open", case_subject(id))
        .clause("5.4")
        .detail(detail.clone())
        .record(tx, actor, now)
        .await?;
    record_step(tx, id, now, actor, how, "5.4", &detail, seq).await?;
    let round_name: String =
        sqlx::query_scalar("SELECT name FROM monitoring_rounds WHERE id = $1").bind(round).fetch_one(&mut **tx).await?;
    // WP034 5.4: the person selected is told, in the draw's transaction, so nobody is selected
    // without knowing it.
    approvals::notify(
        tx,
        person,
        NOTIFY_SELECTED,
        "You have been selected for a device check",
        &format!(
            "You were selected at random in the monitoring round \"{round_name}\" (WP034 5.4). Professional \
             Standards will propose a time for you to hand over your force devices. Open your case to see \
             what to do, by when, and how to ask for another date."
        ),
        Some(&format!("/monitoring/cases/{id}")),
        Some(&case_subject(id)),
        now,
    )
    .await?;
    Ok(id)
}

/// Tell the case's person what a step asks of them (WP034 5.4), in the step's transaction.
async fn notify_person(tx: &mut Tx<'_>, c: &MonitoringCase, step: &domain::Step, now: OffsetDateTime) -> Result<()> {
    let (kind, title, body) = match step {
        domain::Step::ProposeSlot { .. } => (
            NOTIFY_SLOT,
            "A time has been proposed to hand over your devices",
            "Professional Standards has proposed a time for you to hand over your force devices (WP034 5.4). \
             Open your case to accept it or ask for another date.",
        ),
        domain::Step::Mandate { .. } => (
            NOTIFY_NOTICE,
            "Notice: hand over your force devices",
            "You must hand over every force device you hold, with full access and password protection removed, \
             by the deadline on your case (WP034 5.4). Open your case to see the deadline and who to contact.",
        ),
        _ => return Ok(()),
    };
    let link = format!("/monitoring/cases/{}", c.id);
    approvals::notify(tx, c.person_id, kind, title, body, Some(&link), Some(&case_subject(c.id)), now).await
}

#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &mut Tx<'_>,
    case: Uuid,
    now: OffsetDateTime,
    actor: &Actor,
    step: &str,
    clause: &str,
    detail: &Value,
    seq: i64,
) -> Result<()> {
    let signed_by: Option<String> = match actor.person_id {
        Some(p) => sqlx::query_as::<_, (String, String)>("SELECT name, staff_number FROM people WHERE id = $1")
            .bind(p)
            .fetch_optional(&mut **tx)
            .await?
            .map(|(name, sn)| format!("{name} ({sn})")),
        None => None,
    };
    sqlx::query(
        "INSERT INTO monitoring_case_steps (id, case_id, at, actor, signed_by, step, clause, detail, audit_seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::now_v7())
    .bind(case)
    .bind(now)
    .bind(&actor.label)
    .bind(signed_by)
    .bind(step)
    .bind(clause)
    .bind(detail.to_string())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The draw (WP034 5.4): refuse a secret that does not open the commitment, run the published
/// algorithm, record its inputs and outputs, and open a case for each person selected.
pub async fn draw(
    pool: &Pool<DB>,
    round: Uuid,
    beacon: &str,
    secret: &str,
    Write { actor, now }: Write<'_>,
) -> Result<Round> {
    let mut tx = begin_write(pool).await?;
    let before = tx_round(&mut tx, round).await?;
    if before.status != RoundStatus::Open {
        return Err(StoreError::Conflict("the round has already been drawn; a draw is final".into()));
    }
    let members = members(&mut tx, round).await?;
    let people: std::collections::HashMap<&str, Uuid> =
        members.iter().map(|(m, id)| (m.staff_number.as_str(), *id)).collect();
    let population: Vec<domain::Member> = members.iter().map(|(m, _)| m.clone()).collect();
    let bundle =
        domain::Bundle::build(&population, sizes(&before), &before.commitment, beacon, secret).map_err(invalid)?;
    let result = DrawResult { selected: bundle.selected.clone(), reserve: bundle.reserve.clone() };
    let result_text = serde_json::to_string(&result).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "UPDATE monitoring_rounds SET status = 'drawn', beacon = $1, secret = $2, seed = $3, population_hash = $4, draw_result = $5, \
         drawn_at = $6, drawn_by = $7 WHERE id = $8",
    )
    .bind(beacon)
    .bind(secret)
    .bind(&bundle.seed)
    .bind(&bundle.population_hash)
    .bind(&result_text)
    .bind(now)
    .bind(&actor.label)
    .bind(round)
    .execute(&mut *tx)
    .await?;
    AuditEntry::new("monitoring.round.draw", round_subject(round))
        .clause("5.4")
        .detail(json!({
            "beacon": beacon, "secret": secret, "seed": bundle.seed, "population": population.len(),
            "population_hash": bundle.population_hash, "selected": bundle.selected,
        }))
        .record(&mut tx, actor, now)
        .await?;
    for (area, chosen) in &bundle.selected {
        for (rank, sn) in chosen.iter().enumerate() {
            let person = *people
                .get(sn.as_str())
                .ok_or_else(|| StoreError::Invalid(format!("{sn} is not in the population")))?;
            open_case(&mut tx, round, person, sn, area, rank, "selected", actor, now).await?;
        }
    }
    let after = tx_round(&mut tx, round).await?;
    tx.commit().await?;
    Ok(after)
}

/// The verification bundle as stored (WP034 5.4).
pub async fn bundle(pool: &Pool<DB>, round: Uuid) -> Result<domain::Bundle> {
    let mut conn = pool.acquire().await?;
    let r = round_by_id(pool, round).await?.ok_or_else(|| StoreError::NotFound(format!("monitoring round {round}")))?;
    let result = draw_result(&mut conn, round).await?;
    let mut population: Vec<domain::Member> = members(&mut conn, round).await?.into_iter().map(|(m, _)| m).collect();
    domain::sort_canonical(&mut population);
    Ok(domain::Bundle {
        population,
        population_hash: r.population_hash.clone().unwrap_or_default(),
        commitment: r.commitment.clone(),
        beacon: r.beacon.clone().unwrap_or_default(),
        secret: r.secret.clone().unwrap_or_default(),
        seed: r.seed.clone().unwrap_or_default(),
        sample_sizes: sizes(&r),
        selected: result.selected,
        reserve: result.reserve,
    })
}

// ---- cases --------------------------------------------------------------------------------

const CASE_SELECT: &str = "SELECT c.id, c.round_id, r.name AS round_name, r.deferral_days, c.person_id, c.staff_number, \
    p.name AS person_name, c.business_area, c.draw_rank, c.stage, c.slot, c.first_slot, c.deferred, c.dmi_id, c.deadline, \
    c.devices, c.handed_over_at, c.failure_referred, c.created_at, c.updated_at, dm.staff_number AS dmi_staff, dm.name AS dmi_name \
    FROM monitoring_cases c JOIN monitoring_rounds r ON r.id = c.round_id JOIN people p ON p.id = c.person_id \
    LEFT JOIN people dm ON dm.id = c.dmi_id";

/// A case read from its row, with its devices' asset tags (a device's id where it is no longer in
/// the register) and its referrals.
async fn with_tags_and_referrals(conn: &mut Conn, mut c: MonitoringCase) -> Result<MonitoringCase> {
    let mut device_tags = Vec::with_capacity(c.state.devices.len());
    for d in &c.state.devices {
        let tag: Option<String> = sqlx::query_scalar("SELECT asset_tag FROM devices WHERE id = $1")
            .bind(d)
            .fetch_optional(&mut *conn)
            .await?;
        device_tags.push(tag.unwrap_or_else(|| d.to_string()));
    }
    c.device_tags = device_tags;
    c.referrals = sqlx::query_as(
        "SELECT id, case_id, kind, clause, summary, opened_at, opened_by FROM monitoring_referrals WHERE case_id = $1 ORDER BY opened_at",
    )
    .bind(c.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(c)
}

async fn tx_case(tx: &mut Tx<'_>, id: Uuid) -> Result<MonitoringCase> {
    let sql = format!("{CASE_SELECT} WHERE c.id = $1");
    let row: Option<MonitoringCase> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut **tx).await?;
    let row = row.ok_or_else(|| StoreError::NotFound(format!("monitoring case {id}")))?;
    with_tags_and_referrals(tx, row).await
}

pub async fn case_by_id(pool: &Pool<DB>, id: Uuid) -> Result<Option<MonitoringCase>> {
    let sql = format!("{CASE_SELECT} WHERE c.id = $1");
    match sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? {
        Some(r) => Ok(Some(with_tags_and_referrals(&mut *pool.acquire().await?, r).await?)),
        None => Ok(None),
    }
}

pub async fn cases(pool: &Pool<DB>, f: &CaseFilter) -> Result<Vec<MonitoringCase>> {
    let sql = format!(
        "{CASE_SELECT} WHERE ($1 IS NULL OR c.round_id = $1) AND ($2 IS NULL OR c.stage = $2) \
         AND ($3 IS NULL OR c.dmi_id = $3 OR c.person_id = $3) ORDER BY c.created_at DESC, c.business_area, c.draw_rank"
    );
    let rows: Vec<MonitoringCase> = sqlx::query_as(&sql)
        .bind(f.round_id)
        .bind(f.stage.map(|s| s.as_str()))
        .bind(f.dmi_or_person)
        .fetch_all(pool)
        .await?;
    let mut conn = pool.acquire().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(with_tags_and_referrals(&mut conn, r).await?);
    }
    Ok(out)
}

pub async fn open_case_of(pool: &Pool<DB>, person: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM monitoring_cases WHERE person_id = $1 AND stage NOT IN ('returned', 'withdrawn') \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(pool)
    .await?)
}

pub async fn case_steps(pool: &Pool<DB>, id: Uuid) -> Result<Vec<CaseStepRecord>> {
    Ok(sqlx::query_as("SELECT id, at, actor, signed_by, step, clause, detail, audit_seq FROM monitoring_case_steps WHERE case_id = $1 ORDER BY audit_seq")
        .bind(id)
        .fetch_all(pool)
        .await?)
}

async fn has_role(tx: &mut Tx<'_>, person: Uuid, role: Role) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person_roles WHERE person_id = $1 AND role = $2")
        .bind(person)
        .bind(role.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

fn state_json(s: &domain::CaseState) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// A device goes back to the person it was taken from (WP034 5.4: returned when the download has
/// been completed and examined), through the register's own transition rules.
async fn give_back(
    tx: &mut Tx<'_>,
    device: Uuid,
    person: Uuid,
    reason: &str,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<()> {
    let before = devices::tx_device(tx, device).await?;
    custodian_domain::devices::check_transition(before.status, DeviceStatus::Allocated, true)
        .map_err(|e| StoreError::Conflict(format!("{}: {e}", before.asset_tag)))?;
    devices::allocate_tx(tx, &before, person, reason, "5.4", actor, now).await?;
    Ok(())
}

/// Take one step on a case (WP034 5.4, 5.5).
pub async fn step(
    pool: &Pool<DB>,
    case: Uuid,
    step: &domain::Step,
    Write { actor, now }: Write<'_>,
) -> Result<MonitoringCase> {
    let mut tx = begin_write(pool).await?;
    let c = tx_case(&mut tx, case).await?;
    let mut step = step.clone();
    match &mut step {
        domain::Step::Mandate { devices, .. } => {
            // The notice covers every force device the person holds now.
            *devices = sqlx::query_scalar(
                "SELECT id FROM devices WHERE holder_id = $1 AND status = 'allocated' ORDER BY asset_tag",
            )
            .bind(c.person_id)
            .fetch_all(&mut *tx)
            .await?;
        }
        domain::Step::AssignDmi { dmi } | domain::Step::HandOver { received_by: dmi, .. } => {
            if *dmi == c.person_id {
                return Err(StoreError::Conflict("a person cannot examine their own devices".into()));
            }
            if !has_role(&mut tx, *dmi, Role::Dmi).await? {
                return Err(StoreError::Invalid(
                    "dmi: the person is not a Digital Media Investigator (WP034 5.4)".into(),
                ));
            }
        }
        _ => {}
    }
    let t = domain::apply(&c.state, &step, &c.rules, now).map_err(|e| match e {
        domain::CaseError::WrongStage { .. } => StoreError::Conflict(e.to_string()),
        domain::CaseError::Invalid { .. } => StoreError::Invalid(e.to_string()),
    })?;
    let justification = match &step {
        domain::Step::Defer { reason, .. } | domain::Step::Refuse { reason } | domain::Step::Withdraw { reason } => {
            Some(reason.trim().to_string())
        }
        domain::Step::Examine { concerns: Some(s) } => Some(s.trim().to_string()),
        _ => None,
    };
    let detail = serde_json::to_value(&step).unwrap_or(Value::Null);
    let mut entry = AuditEntry::new(&format!("monitoring.case.{}", step.name()), case_subject(case))
        .clause(step.clause())
        .before(state_json(&c.state))
        .after(state_json(&t.state))
        .detail(detail.clone());
    if let Some(j) = &justification {
        entry = entry.justification(j.clone());
    }
    let seq = entry.record(&mut tx, actor, now).await?;
    record_step(&mut tx, case, now, actor, step.name(), step.clause(), &detail, seq).await?;
    notify_person(&mut tx, &c, &step, now).await?;
    let s = &t.state;
    let devices_json = serde_json::to_string(&s.devices).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "UPDATE monitoring_cases SET stage = $1, slot = $2, first_slot = $3, deferred = $4, dmi_id = $5, deadline = $6, devices = $7, \
         handed_over_at = $8, failure_referred = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(s.stage.as_str())
    .bind(s.slot)
    .bind(s.first_slot)
    .bind(i64::from(s.deferred))
    .bind(s.dmi)
    .bind(s.deadline)
    .bind(devices_json)
    .bind(s.handed_over_at)
    .bind(i64::from(s.failure_referred))
    .bind(now)
    .bind(case)
    .execute(&mut *tx)
    .await?;
    for e in &t.effects {
        match e {
            domain::Effect::DevicesToExamination(ids) => {
                let reason = format!(
                    "Handed over for download under lawful business monitoring ({}, case {case})",
                    c.round_name
                );
                for d in ids {
                    let dev = devices::tx_device(&mut tx, *d).await?;
                    if dev.holder_id != Some(c.person_id) {
                        return Err(StoreError::Conflict(format!(
                            "{} is no longer allocated to {}; issue a new notice",
                            dev.asset_tag, c.staff_number
                        )));
                    }
                    devices::tx_transition(&mut tx, *d, DeviceStatus::InExamination, &reason, actor, now, "transition")
                        .await?;
                }
            }
            domain::Effect::DevicesReturned(ids) => {
                let reason = format!("Returned after download and examination ({}, case {case})", c.round_name);
                for d in ids {
                    give_back(&mut tx, *d, c.person_id, &reason, actor, now).await?;
                }
            }
            domain::Effect::OpenReferral { kind, summary } => {
                let id = Uuid::now_v7();
                sqlx::query("INSERT INTO monitoring_referrals (id, case_id, kind, clause, summary, opened_at, opened_by) VALUES ($1, $2, $3, '5.5', $4, $5, $6)")
                    .bind(id)
                    .bind(case)
                    .bind(kind.as_str())
                    .bind(summary)
                    .bind(now)
                    .bind(&actor.label)
                    .execute(&mut *tx)
                    .await?;
                AuditEntry::new("monitoring.referral.open", case_subject(case))
                        .clause("5.5")
                        .detail(json!({"referral": id, "kind": kind.as_str(), "summary": summary, "staff_number": c.staff_number})).record(&mut tx, actor, now)
                .await?;
            }
            domain::Effect::CallNextReserve => {
                let result = draw_result(&mut tx, c.round_id).await?;
                let taken: Vec<String> = sqlx::query_scalar(
                    "SELECT staff_number FROM monitoring_cases WHERE round_id = $1 AND business_area = $2",
                )
                .bind(c.round_id)
                .bind(&c.business_area)
                .fetch_all(&mut *tx)
                .await?;
                let k = result.selected.get(&c.business_area).map_or(0, Vec::len);
                let reserve = result.reserve.get(&c.business_area).cloned().unwrap_or_default();
                let next = reserve.iter().enumerate().find(|(_, sn)| !taken.contains(sn));
                if let Some((i, sn)) = next {
                    let person: Uuid = sqlx::query_scalar(
                        "SELECT person_id FROM monitoring_population WHERE round_id = $1 AND staff_number = $2",
                    )
                    .bind(c.round_id)
                    .bind(sn)
                    .fetch_one(&mut *tx)
                    .await?;
                    open_case(
                        &mut tx,
                        c.round_id,
                        person,
                        sn,
                        &c.business_area,
                        k + i,
                        "called_from_reserve",
                        actor,
                        now,
                    )
                    .await?;
                } else {
                    AuditEntry::new("monitoring.round.reserve_exhausted", round_subject(c.round_id))
                        .clause("5.4")
                        .detail(json!({"business_area": c.business_area}))
                        .record(&mut tx, actor, now)
                        .await?;
                }
            }
        }
    }
    let after = tx_case(&mut tx, case).await?;
    tx.commit().await?;
    Ok(after)
}

/// Open failure-to-provide referrals for mandated cases past their deadline (WP034 5.5).
pub async fn sweep(pool: &Pool<DB>, Write { actor, now }: Write<'_>) -> Result<usize> {
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM monitoring_cases WHERE stage = 'mandated' AND failure_referred = 0")
            .fetch_all(pool)
            .await?;
    let mut opened = 0;
    for id in ids {
        let Some(c) = case_by_id(pool, id).await? else { continue };
        if domain::overdue(&c.state, now) {
            step(pool, id, &domain::Step::FailureToProvide, actor.at(now)).await?;
            opened += 1;
        }
    }
    Ok(opened)
}

pub async fn counts(pool: &Pool<DB>, now: OffsetDateTime) -> Result<MonitoringCounts> {
    let stages = dashboard::grouped(pool, "SELECT stage, COUNT(*) FROM monitoring_cases GROUP BY stage").await?;
    let by_stage = domain::Stage::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), stages.iter().find(|(n, _)| n == s.as_str()).map_or(0, |(_, c)| *c)))
        .collect();
    let referrals =
        dashboard::grouped(pool, "SELECT kind, COUNT(*) FROM monitoring_referrals GROUP BY kind ORDER BY kind").await?;
    let deadlines: Vec<Option<OffsetDateTime>> =
        sqlx::query_scalar("SELECT deadline FROM monitoring_cases WHERE stage = 'mandated' AND failure_referred = 0")
            .fetch_all(pool)
            .await?;
    let overdue = deadlines.iter().filter(|d| d.is_some_and(|d| now > d)).count() as i64;
    Ok(MonitoringCounts { by_stage, overdue, referrals })
}
