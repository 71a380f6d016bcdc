//! Device-list paging and bearer-token checks made cheap for load (see BENCHMARKS.md): keyset
//! paging agrees with page numbers, and a token's validity is never cached.

use serde_json::Value;

use crate::on_both;
use crate::support::*;

fn tags(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|d| d["asset_tag"].as_str().unwrap().to_string()).collect()
}

async fn keyset_paging_walks_the_same_devices_as_page_numbers(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    let ds = app.api(&app.token("A1006").await);
    let (_, first) = ds.get("/devices?per_page=3").await;
    let total = first["total"].as_i64().unwrap();
    let mut by_number = Vec::new();
    let mut page = 1;
    loop {
        let (s, p) = ds.get(&format!("/devices?per_page=3&page={page}")).await;
        assert_eq!(s, 200, "{p}");
        let t = tags(&p);
        if t.is_empty() {
            break;
        }
        by_number.extend(t);
        page += 1;
    }
    let mut by_cursor = Vec::new();
    let mut url = "/devices?per_page=3".to_string();
    loop {
        let (s, p) = ds.get(&url).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["total"], total);
        by_cursor.extend(tags(&p));
        match p["next_after"].as_str() {
            Some(after) => url = format!("/devices?per_page=3&after={after}"),
            None => break,
        }
    }
    assert_eq!(by_number.len() as i64, total);
    assert_eq!(by_cursor, by_number);
    let mut sorted = by_number.clone();
    sorted.sort();
    assert_eq!(sorted, by_number, "asset-tag order");
    // Filters apply to deep pages and cursors alike.
    let (_, laptops) = ds.get("/devices?type=laptop&per_page=2&page=2").await;
    assert!(laptops["items"].as_array().unwrap().iter().all(|d| d["type"] == "laptop"), "{laptops}");
    let (_, after) = ds.get(&format!("/devices?type=laptop&per_page=2&after={}", by_number[0])).await;
    assert!(after["items"].as_array().unwrap().iter().all(|d| d["type"] == "laptop"));
    // A page past the end is empty, not an error.
    let (s, past) = ds.get("/devices?per_page=50&page=1000").await;
    assert_eq!(s, 200);
    assert!(tags(&past).is_empty());
    app.stop().await;
}
on_both!(keyset_paging_walks_the_same_devices_as_page_numbers);

async fn the_unfiltered_count_follows_a_new_device_at_once(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    let ds = app.api(&app.token("A1006").await);
    let (_, before) = ds.get("/devices").await;
    let (s, p) = ds
        .post(
            "/devices",
            serde_json::json!({"asset_tag": "WP-LT-9999", "type": "laptop", "make": "Dell", "model": "Latitude 5440"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (_, after) = ds.get("/devices").await;
    assert_eq!(after["total"].as_i64().unwrap(), before["total"].as_i64().unwrap() + 1);
    app.stop().await;
}
on_both!(the_unfiltered_count_follows_a_new_device_at_once);

async fn a_token_revoked_or_a_leaver_recorded_elsewhere_is_refused_at_once(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    // Revoked by another process (written straight to the database, bypassing this server).
    let ds = app.api(&app.token("A1006").await);
    assert_eq!(ds.get("/devices").await.0, 200);
    assert_eq!(ds.get("/devices").await.0, 200, "served with the person cached");
    app.sql("UPDATE api_tokens SET revoked_at = expires_at").await;
    let (s, p) = ds.get("/devices").await;
    assert_eq!(s, 401, "{p}");
    // The holder becomes a leaver elsewhere: their token stops at once too.
    let other = app.api(&app.token("A1006").await);
    assert_eq!(other.get("/devices").await.0, 200);
    app.sql("UPDATE people SET status = 'leaver' WHERE staff_number = 'A1006'").await;
    assert_eq!(other.get("/devices").await.0, 401);
    app.stop().await;
}
on_both!(a_token_revoked_or_a_leaver_recorded_elsewhere_is_refused_at_once);
