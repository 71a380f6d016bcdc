// Overseas-use requests on the approval chain (WP034 4.2), streaming exception lists (4.6) and the
// usage import history (4.1), written once for both backends (included after approvals_ops.rs and
// usage_ops.rs, whose helpers they use). Names here start with `overseas` or `streaming_` or
// `usage_import`. See overseas_api.rs for the design.

const OVERSEAS_SELECT: &str = "SELECT w.id, w.person_id, p.name AS person_name, p.staff_number, w.line_manager_id, \
    lm.name AS line_manager_name, w.devices, w.countries, w.from_date, w.to_date, w.purpose, w.status, w.approval_ref, \
    w.created_at, w.decided_at FROM overseas_windows w JOIN people p ON p.id = w.person_id \
    LEFT JOIN people lm ON lm.id = w.line_manager_id";

async fn overseas_from_row(conn: &mut Conn, r: &DbRow) -> Result<crate::overseas_api::OverseasItem> {
    let devices: String = r.try_get("devices").map_err(db_err)?;
    let countries: String = r.try_get("countries").map_err(db_err)?;
    let from: String = r.try_get("from_date").map_err(db_err)?;
    let to: String = r.try_get("to_date").map_err(db_err)?;
    let devices: Vec<Uuid> = devices
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Uuid::parse_str(s).map_err(|_| bad("devices", s)))
        .collect::<Result<_>>()?;
    let mut device_tags = Vec::with_capacity(devices.len());
    for d in &devices {
        let tag: Option<String> = sqlx::query_scalar("SELECT asset_tag FROM devices WHERE id = $1")
            .bind(d)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
        device_tags.push(tag.unwrap_or_else(|| d.to_string()));
    }
    Ok(crate::overseas_api::OverseasItem {
        id: r.try_get("id").map_err(db_err)?,
        person_id: r.try_get("person_id").map_err(db_err)?,
        person_name: r.try_get("person_name").map_err(db_err)?,
        staff_number: r.try_get("staff_number").map_err(db_err)?,
        line_manager_id: r.try_get("line_manager_id").map_err(db_err)?,
        line_manager_name: r.try_get("line_manager_name").map_err(db_err)?,
        devices,
        device_tags,
        countries: countries.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        from: parse_date("from_date", &from)?,
        to: parse_date("to_date", &to)?,
        purpose: r.try_get("purpose").map_err(db_err)?,
        status: r.try_get("status").map_err(db_err)?,
        approval_ref: r.try_get("approval_ref").map_err(db_err)?,
        created_at: r.try_get("created_at").map_err(db_err)?,
        decided_at: r.try_get("decided_at").map_err(db_err)?,
    })
}

/// Request overseas use: the window, its audit event and its approval request, in one transaction.
pub async fn overseas_request(
    pool: &Pool<DB>,
    r: &crate::overseas_api::NewOverseasRequest,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(Uuid, Uuid)> {
    use custodian_domain::approvals::{ChainSpec, Decider, Order, StepSpec};
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let line_manager: Option<Option<Uuid>> = sqlx::query_scalar("SELECT line_manager_id FROM people WHERE id = $1 AND status = 'active'")
        .bind(r.person)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    let line_manager = match line_manager {
        None => return Err(StoreError::NotFound(format!("active person {}", r.person))),
        Some(None) => {
            return Err(StoreError::Invalid(
                "line_manager: you have no line manager on record; WP034 4.2 needs line management approval".into(),
            ))
        }
        Some(Some(m)) => m,
    };
    let held: Vec<Uuid> = sqlx::query_scalar("SELECT device_id FROM allocations WHERE person_id = $1 AND ended_at IS NULL")
        .bind(r.person)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    if let Some(d) = r.devices.iter().find(|d| !held.contains(d)) {
        return Err(StoreError::Invalid(format!("devices: device {d} is not allocated to you")));
    }
    let id = Uuid::now_v7();
    let devices = r.devices.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
    let countries = r.countries.join(",");
    sqlx::query(
        "INSERT INTO overseas_windows (id, person_id, devices, countries, from_date, to_date, purpose, status, approval_ref, \
         created_at, created_by, line_manager_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', '', $8, $9, $10)",
    )
    .bind(id)
    .bind(r.person)
    .bind(&devices)
    .bind(&countries)
    .bind(r.from.to_string())
    .bind(r.to.to_string())
    .bind(r.purpose.trim())
    .bind(now)
    .bind(&actor.label)
    .bind(line_manager)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let subject = format!("overseas:{id}");
    audit(&mut tx, actor, now, AuditEntry::new("usage.overseas.request", subject.clone()).clause("4.2")
        .justification(r.purpose.trim())
        .after(json!({"person": r.person, "devices": devices, "countries": countries, "from": r.from.to_string(),
            "to": r.to.to_string(), "line_manager": line_manager}))).await?;
    let spec = ChainSpec::new(
        Order::AllOf,
        vec![
            StepSpec::new("line_manager", "4.2", Decider::Person(line_manager)),
            StepSpec::new("digital_services", "4.2", Decider::Role(Role::DigitalServices)),
            StepSpec::new("vetting", "4.2", Decider::Role(Role::Vetting)),
        ],
    );
    let approval = approval_open(
        &mut tx,
        &NewApproval {
            kind: crate::overseas_api::OVERSEAS_KIND.into(),
            subject,
            title: format!("Overseas use: {} from {} to {}", r.countries.join(", "), r.from, r.to),
            link: format!("/overseas/{id}"),
            requester: r.person,
            spec,
        },
        actor,
        now,
    )
    .await?;
    sqlx::query("UPDATE overseas_windows SET approval_ref = $1 WHERE id = $2")
        .bind(approval.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok((id, approval))
}

fn overseas_window_id(subject: &str) -> Result<Uuid> {
    subject
        .strip_prefix("overseas:")
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| bad("overseas subject", subject))
}

/// Put the window in line with its approval request, with the audit event (WP034 4.2), in the
/// deciding (or withdrawing) transaction. Nothing happens while the request is pending.
async fn overseas_follow(tx: &mut Tx<'_>, r: &ApprovalRequest, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    let status = crate::overseas_api::window_status(r.status);
    if status == "requested" {
        return Ok(());
    }
    let id = overseas_window_id(&r.subject)?;
    let res = sqlx::query("UPDATE overseas_windows SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'requested'")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!("overseas window {id} is no longer waiting for approval")));
    }
    let action = match r.status {
        RequestStatus::Approved => "usage.overseas.approve",
        RequestStatus::Rejected => "usage.overseas.reject",
        _ => "usage.overseas.withdraw",
    };
    audit(tx, actor, now, AuditEntry::new(action, format!("overseas:{id}")).clause("4.2")
        .before(json!({"status": "requested"}))
        .after(json!({"status": status, "approval": r.id}))).await?;
    Ok(())
}

/// The `overseas_use` arm of `approval_effects`.
async fn overseas_effect(tx: &mut Tx<'_>, d: &Decided, actor: &Actor, now: OffsetDateTime) -> Result<()> {
    overseas_follow(tx, &d.request, actor, now).await
}

pub async fn overseas_list(pool: &Pool<DB>, f: &crate::overseas_api::OverseasFilter) -> Result<Vec<crate::overseas_api::OverseasItem>> {
    let sql = format!(
        "{OVERSEAS_SELECT} WHERE ($1 IS NULL OR w.person_id = $1) AND ($2 IS NULL OR w.line_manager_id = $2) \
         AND ($3 IS NULL OR w.status = $3) ORDER BY w.created_at DESC, w.id DESC"
    );
    let rows = sqlx::query(&sql).bind(f.person).bind(f.line_manager).bind(f.status.as_deref()).fetch_all(pool).await.map_err(db_err)?;
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(overseas_from_row(&mut conn, r).await?);
    }
    Ok(out)
}

pub async fn overseas_item(pool: &Pool<DB>, id: Uuid) -> Result<Option<crate::overseas_api::OverseasItem>> {
    let sql = format!("{OVERSEAS_SELECT} WHERE w.id = $1");
    let mut conn = pool.acquire().await.map_err(db_err)?;
    match sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await.map_err(db_err)? {
        Some(r) => Ok(Some(overseas_from_row(&mut conn, &r).await?)),
        None => Ok(None),
    }
}

pub async fn streaming_exceptions_list(pool: &Pool<DB>) -> Result<Vec<crate::overseas_api::StreamingExceptionItem>> {
    let rows = sqlx::query(
        "SELECT e.id, e.person_id, p.name AS person_name, p.staff_number, p.line_manager_id, e.reason, e.approver_id, \
         a.name AS approver_name, e.from_us, e.expires_us, e.created_at FROM streaming_exceptions e \
         JOIN people p ON p.id = e.person_id JOIN people a ON a.id = e.approver_id ORDER BY e.created_at DESC, e.id DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(crate::overseas_api::StreamingExceptionItem {
                id: r.try_get("id").map_err(db_err)?,
                person_id: r.try_get("person_id").map_err(db_err)?,
                person_name: r.try_get("person_name").map_err(db_err)?,
                staff_number: r.try_get("staff_number").map_err(db_err)?,
                line_manager_id: r.try_get("line_manager_id").map_err(db_err)?,
                reason: r.try_get("reason").map_err(db_err)?,
                approver_id: r.try_get("approver_id").map_err(db_err)?,
                approver_name: r.try_get("approver_name").map_err(db_err)?,
                from_us: r.try_get("from_us").map_err(db_err)?,
                expires_us: r.try_get("expires_us").map_err(db_err)?,
                created_at: r.try_get("created_at").map_err(db_err)?,
            })
        })
        .collect()
}

pub async fn usage_import_runs(pool: &Pool<DB>, limit: i64) -> Result<Vec<crate::overseas_api::UsageImportRun>> {
    let rows = sqlx::query(
        "SELECT at_us, actor, subject, detail FROM audit_events WHERE action = 'usage.import' ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let at: i64 = r.try_get("at_us").map_err(db_err)?;
            let subject: String = r.try_get("subject").map_err(db_err)?;
            let detail: String = r.try_get("detail").map_err(db_err)?;
            Ok(crate::overseas_api::UsageImportRun {
                run: subject.strip_prefix("usage_import:").unwrap_or(&subject).to_string(),
                at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                actor: r.try_get("actor").map_err(db_err)?,
                detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
            })
        })
        .collect()
}
