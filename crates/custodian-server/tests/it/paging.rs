//! Device-list paging and bearer-token checks made cheap for load (see BENCHMARKS.md): keyset
//! paging agrees with page numbers, and a token's validity is never cached.

use serde_json::Value;

use crate::on_both;
use crate::support::*;

fn tags(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|d| d["asset_tag"].as_str().unwrap().to_string()).collect()
}

async fn keyset_paging_walks_the_same_devices_as_page_numbers(b: Backend) {
    let app = spawn_seeded(b).await;
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
    let past = ds.get_ok("/devices?per_page=50&page=1000").await;
    assert!(tags(&past).is_empty());
    app.stop().await;
}
on_both!(keyset_paging_walks_the_same_devices_as_page_numbers);

async fn the_unfiltered_count_follows_a_new_device_at_once(b: Backend) {
    let app = spawn_seeded(b).await;
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
    let app = spawn_seeded(b).await;
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

/// The in-memory search index (custodian-store `search.rs`) answers exactly what the database's
/// LIKE search answers: a leading `%` sends the same substring search through SQL instead.
async fn the_search_index_agrees_with_the_database(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    for (q, filters) in [
        ("latitude", ""),
        ("wp-lt", "&type=laptop"),
        ("WP-", "&status=allocated"),
        ("a100", ""),
        ("dell", "&status=in_stock"),
        ("+44", ""),
        ("x", ""),
        ("no such device", ""),
    ] {
        let enc = |s: &str| s.replace('+', "%2B").replace(' ', "%20");
        let (s, index) = ds.get(&format!("/devices?per_page=7&q={}{filters}", enc(q))).await;
        assert_eq!(s, 200, "{index}");
        let (s, sql) = ds.get(&format!("/devices?per_page=7&q=%25{}{filters}", enc(q))).await;
        assert_eq!(s, 200, "{sql}");
        assert_eq!(index["total"], sql["total"], "{q}{filters}");
        assert_eq!(tags(&index), tags(&sql), "{q}{filters}");
        // Page 2 and the cursor agree too.
        let (_, p2) = ds.get(&format!("/devices?per_page=7&page=2&q={}{filters}", enc(q))).await;
        let (_, p2_sql) = ds.get(&format!("/devices?per_page=7&page=2&q=%25{}{filters}", enc(q))).await;
        assert_eq!(tags(&p2), tags(&p2_sql), "{q}{filters} page 2");
        if let Some(after) = index["next_after"].as_str() {
            let (_, c) = ds.get(&format!("/devices?per_page=7&after={after}&q={}{filters}", enc(q))).await;
            assert_eq!(tags(&c), tags(&p2), "{q}{filters} cursor");
        }
    }
    app.stop().await;
}
on_both!(the_search_index_agrees_with_the_database);

/// A write made by another process (here a second store on the same database, as the CLI would
/// be) shows in this server's next search: the index reloads when the revision moves.
async fn search_follows_changes_made_by_another_process(b: Backend) {
    let app = spawn_seeded(b).await;
    let ds = app.api(&app.token("A1006").await);
    let (_, before) = ds.get("/devices?q=zebra").await;
    assert_eq!(before["total"], 0, "{before}");
    let other = custodian_store::Store::open(&app.db_url, &Default::default()).await.unwrap();
    let csv = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n\
               WP-LT-0001,laptop,Zebra,ET45,9YBQB0Z,,,Windows 11 Enterprise,allocated,A1001\n";
    crate::support::cli_import_devices(&other, csv).await;
    let (_, after) = ds.get("/devices?q=zebra").await;
    assert_eq!(tags(&after), vec!["WP-LT-0001".to_string()], "{after}");
    // A holder's new name is searchable at once, and the old one no longer is.
    let (_, by_old) = ds.get("/devices?q=helen%20marsh").await;
    assert!(tags(&by_old).contains(&"WP-LT-0001".to_string()), "{by_old}");
    let people = "staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n\
                  A1001,Helen Quarrendon,helen.marsh@warwickshire.police.example,officer,Response Policing North,,head_of_department,active,0121 496 0101\n";
    crate::support::cli_import_people(&other, people).await;
    let (_, by_new) = ds.get("/devices?q=quarrendon").await;
    assert!(tags(&by_new).contains(&"WP-LT-0001".to_string()), "{by_new}");
    let (_, by_old) = ds.get("/devices?q=helen%20marsh").await;
    assert_eq!(by_old["total"], 0, "{by_old}");
    app.stop().await;
}
on_both!(search_follows_changes_made_by_another_process);
