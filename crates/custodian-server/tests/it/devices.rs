//! The device register through the API: imports, allocation, receipt, loss, history (WP034 1.2,
//! 4.1, 4.7), and the guarantees on bad input.

use serde_json::json;

use crate::on_both;
use crate::support::{Backend, spawn_seeded};

async fn reimporting_the_register_changes_nothing(b: Backend) {
    let app = spawn_seeded(b).await;
    let before = app.store().counts(None).await.unwrap().audit_events;
    let api = app.api(&app.token("A1006").await);
    let (s, body) = api.post_raw("/imports/people", "text/csv", crate::support::PEOPLE).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        (body["created"].as_u64(), body["updated"].as_u64(), body["unchanged"].as_u64()),
        (Some(0), Some(0), Some(20))
    );
    let (s, body) = api.post_raw("/imports/devices", "text/csv", crate::support::DEVICES).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["created"], 0);
    assert_eq!(body["updated"], 0);
    // Only the token issue is new in the log: the re-imports wrote nothing.
    assert_eq!(app.store().counts(None).await.unwrap().audit_events, before + 1);
    app.stop().await;
}
on_both!(reimporting_the_register_changes_nothing);

async fn a_file_with_a_bad_row_writes_nothing_and_names_its_line_and_field(b: Backend) {
    let app = spawn_seeded(b).await;
    let api = app.api(&app.token("A1006").await);
    let csv = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n\
               NEW-001,phone,Samsung,A54,S1,,,Android,in_stock,\n\
               NEW-002,phone,Samsung,A54,S2,123456789012345,,Android,in_stock,\n";
    let (s, body) = api.post_raw("/imports/devices", "text/csv", csv).await;
    assert_eq!(s, 422, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["line"] == 3 && e["field"] == "imei"), "{body}");
    assert!(app.store().device_by_asset_tag("NEW-001").await.unwrap().is_none(), "nothing may be half-written");
    let (s, body) = api.post_raw("/imports/devices?skip_invalid=true", "text/csv", csv).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["created"], 1);
    assert!(body["skipped"].as_array().unwrap().iter().any(|e| e["line"] == 3));
    app.stop().await;
}
on_both!(a_file_with_a_bad_row_writes_nothing_and_names_its_line_and_field);

async fn an_unknown_line_manager_rejects_the_people_file(b: Backend) {
    let app = spawn_seeded(b).await;
    let api = app.api(&app.token("A1005").await);
    let csv = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
               B2001,Sam Hill,sam.hill@warwickshire.police.example,officer,Response Policing North,ZZ999,,active,\n";
    let (s, body) = api.post_raw("/imports/people", "text/csv", csv).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["line"], 2);
    assert_eq!(body["errors"][0]["field"], "line_manager");
    assert!(app.store().person_by_staff_number("B2001").await.unwrap().is_none());
    app.stop().await;
}
on_both!(an_unknown_line_manager_rejects_the_people_file);

async fn a_device_is_allocated_confirmed_and_reported_lost_with_its_history(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (s, dev) = ds.post("/devices", json!({"asset_tag": "wp-ph-9001", "type": "phone", "make": "Samsung", "model": "Galaxy A55", "imei": "490154203237518", "phone_number": "0121 496 0123"})).await;
    assert_eq!(s, 201, "{dev}");
    assert_eq!(dev["asset_tag"], "WP-PH-9001");
    assert_eq!(dev["phone_number"], "+441214960123");
    assert_eq!(dev["status"], "in_stock");
    let id = dev["id"].as_str().unwrap().to_string();

    let (s, d) = ds
        .post(&format!("/devices/{id}/allocate"), json!({"staff_number": "A1018", "reason": "New starter kit"}))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["holder"], "A1018");
    assert_eq!(d["receipt_confirmed_at"], serde_json::Value::Null);

    // WP034 4.1: one named person at a time.
    let (s, p) = ds.post(&format!("/devices/{id}/allocate"), json!({"staff_number": "A1017", "reason": "Swap"})).await;
    assert_eq!(s, 409, "{p}");

    let holder = app.api(&app.token("A1018").await);
    let (s, d) = holder.post(&format!("/devices/{id}/confirm-receipt"), json!({})).await;
    assert_eq!(s, 200, "{d}");
    assert!(d["receipt_confirmed_at"].is_string());
    let (s, _) = holder.post(&format!("/devices/{id}/confirm-receipt"), json!({})).await;
    assert_eq!(s, 409, "receipt is confirmed once");

    let (s, d) = holder
        .post(
            &format!("/devices/{id}/report-loss"),
            json!({"stolen": true, "circumstances": "Taken from car, Leamington"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "stolen");
    assert_eq!(d["holder"], serde_json::Value::Null);

    let f = ds.get_ok("/findings?rule=devices.lost_or_stolen").await;
    assert_eq!(f["total"], 1, "Digital Services are alerted: {f}");
    assert_eq!(f["items"][0]["clause"], "4.7");

    let h = ds.get_ok(&format!("/devices/{id}/history")).await;
    let events: Vec<&str> = h.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["stolen", "receipt_confirmed", "allocated", "registered"]);
    app.stop().await;
}
on_both!(a_device_is_allocated_confirmed_and_reported_lost_with_its_history);

async fn refused_transitions_are_conflicts_and_change_nothing(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let retired = app.device("WP-LT-0008").await;
    let (s, p) =
        ds.post(&format!("/devices/{}/transition", retired.id), json!({"status": "in_stock", "reason": "found"})).await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("retired"));
    let (s, p) =
        ds.post(&format!("/devices/{}/transition", retired.id), json!({"status": "sideways", "reason": "x"})).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "status");
    assert_eq!(app.device("WP-LT-0008").await.status, custodian_domain::devices::DeviceStatus::Retired);
    app.stop().await;
}
on_both!(refused_transitions_are_conflicts_and_change_nothing);

async fn the_database_itself_refuses_a_second_current_holder(b: Backend) {
    let app = spawn_seeded(b).await;
    let new_id = if app.db_url.starts_with("sqlite:") { "randomblob(16)" } else { "gen_random_uuid()" };
    let err = app
        .try_sql(&format!(
            "INSERT INTO allocations (id, device_id, person_id, allocated_at, allocated_by, reason) \
             SELECT {new_id}, device_id, person_id, allocated_at, 'attacker', 'bypassing the application' FROM allocations WHERE ended_at IS NULL LIMIT 1"
        ))
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("unique") || err.contains("duplicate"), "{err}");
    // And a device cannot be allocated without a holder, or have one while in stock.
    let err = app.try_sql("UPDATE devices SET holder_id = NULL WHERE status = 'allocated'").await.unwrap_err();
    assert!(err.to_lowercase().contains("check") || err.to_lowercase().contains("constraint"), "{err}");
    app.stop().await;
}
on_both!(the_database_itself_refuses_a_second_current_holder);

async fn an_intune_export_raises_a_finding_when_someone_else_signs_in(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (s, r) = ds.post_raw("/imports/intune", "application/json", crate::support::INTUNE).await;
    assert_eq!(s, 200, "{r}");
    assert!(r["findings_opened"].as_u64().unwrap() >= 1, "{r}");
    let (_, f) = ds.get("/findings?rule=devices.user_mismatch").await;
    let item = &f["items"][0];
    assert_eq!(item["clause"], "4.1");
    assert!(item["clause_text"].as_str().unwrap().contains("own login credentials"));
    assert!(!item["records"].as_array().unwrap().is_empty());
    // Re-importing the same export opens nothing new.
    let (_, r2) = ds.post_raw("/imports/intune", "application/json", crate::support::INTUNE).await;
    assert_eq!(r2["findings_opened"], 0);
    // Unknown devices are reported with their position, not dropped.
    let unknown = r#"[{"id": "zzz", "deviceName": "Ghost", "serialNumber": "NOPE-1"}]"#;
    let (s, r3) = ds.post_raw("/imports/intune", "application/json", unknown).await;
    assert_eq!(s, 200);
    assert_eq!(r3["unmatched"][0]["line"], 1);
    app.stop().await;
}
on_both!(an_intune_export_raises_a_finding_when_someone_else_signs_in);

async fn device_lists_filter_search_and_page(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (_, all) = ds.get("/devices?per_page=5").await;
    let total = all["total"].as_i64().unwrap();
    assert!(total >= 20);
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
    let (_, p2) = ds.get("/devices?per_page=5&page=2").await;
    assert_ne!(all["items"][0]["asset_tag"], p2["items"][0]["asset_tag"]);
    let (_, laptops) = ds.get("/devices?type=laptop").await;
    assert!(laptops["items"].as_array().unwrap().iter().all(|d| d["type"] == "laptop"));
    let (_, search) = ds.get("/devices?q=marsh").await;
    assert!(search["items"].as_array().unwrap().iter().all(|d| d["holder"] == "A1001"));
    let (s, bad) = ds.get("/devices?status=misplaced").await;
    assert_eq!(s, 422);
    assert_eq!(bad["errors"][0]["field"], "status");
    app.stop().await;
}
on_both!(device_lists_filter_search_and_page);
