//! Usage findings keyed and routed right, on both databases: `usage.cellular_data` per device and
//! day (WP034 4.5) whatever the order of the records, a number written nationally never an
//! overseas call, and `usage.unrecognised_number` (4.2) for Digital Services, not the line manager.

use std::sync::Arc;

use custodian_domain::usage::{Feed, UsagePack};
use custodian_store::Actor;

use crate::on_both;
use crate::support::{Backend, TestApp, spawn};

const HEADER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";

async fn import(app: &TestApp, body: String) -> custodian_store::usage::UsageImport {
    app.store()
        .import_usage(
            Feed::Carrier,
            Box::new(std::io::Cursor::new(format!("{HEADER}{body}").into_bytes())),
            None,
            Arc::new(UsagePack::shipped().clone()),
            Actor::system().at(time::OffsetDateTime::now_utc()),
            Arc::new(|_| {}),
        )
        .await
        .unwrap()
}

fn at(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days) + time::Duration::minutes(5))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A second phone for A1018 (who holds WP-MB-0007, +44 121 496 0506): WP-MB-0099, +44 121 496 0599.
async fn second_phone_for_a1018(app: &TestApp) {
    let csv = "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n\
               WP-MB-0099,phone,Apple,iPhone 14,,,0121 496 0599,iOS 17.5,allocated,A1018\n";
    custodian_server::imports::import_devices(
        app.store(),
        &Actor::system(),
        time::OffsetDateTime::now_utc(),
        csv.as_bytes(),
        false,
    )
    .await
    .unwrap();
}

async fn one_person_two_devices_over_the_data_limit_on_one_day_is_two_findings(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    second_phone_for_a1018(&app).await;
    let mib = 1i64 << 20;
    let (d1, d2) = (at(0), at(1));
    // Day 1: WP-MB-0007's records first; day 2: WP-MB-0099's first. Each device is over 1 GiB on
    // each day, with its own total.
    let r = import(
        &app,
        format!(
            "a1,+441214960506,data,,{d1},,,{},GB,false,\n\
             a2,+441214960506,data,,{d1},,,{},GB,false,\n\
             b1,+441214960599,data,,{d1},,,{},GB,false,\n\
             b2,+441214960599,data,,{d2},,,{},GB,false,\n\
             a3,+441214960506,data,,{d2},,,{},GB,false,\n",
            600 * mib,
            500 * mib,
            1200 * mib,
            1300 * mib,
            1150 * mib
        ),
    )
    .await;
    assert_eq!((r.imported, r.findings_opened), (5, 4), "{r:?}");
    let jack = app.person("A1018").await;
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let mut got: Vec<(String, i64, Vec<String>)> = Vec::new();
    for f in all.iter().filter(|f| f.rule == "usage.cellular_data") {
        let f = app.store().finding(f.id).await.unwrap().unwrap();
        assert_eq!(f.person_id, Some(jack.id));
        let mut recs = f.records.clone();
        recs.sort();
        got.push((f.device_asset_tag.clone().unwrap_or_default(), f.evidence["total_bytes"].as_i64().unwrap(), recs));
    }
    got.sort();
    assert_eq!(
        got,
        [
            ("WP-MB-0007".to_string(), 1100 * mib, vec!["a1".to_string(), "a2".to_string()]),
            ("WP-MB-0007".to_string(), 1150 * mib, vec!["a3".to_string()]),
            ("WP-MB-0099".to_string(), 1200 * mib, vec!["b1".to_string()]),
            ("WP-MB-0099".to_string(), 1300 * mib, vec!["b2".to_string()]),
        ]
    );

    // A later file adding to one device's day updates that device's finding only.
    let more = import(&app, format!("a4,+441214960506,data,,{d1},,,{},GB,false,\n", 10 * mib)).await;
    assert_eq!((more.findings_opened, more.findings_updated), (0, 1), "{more:?}");
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    assert_eq!(all.iter().filter(|f| f.rule == "usage.cellular_data").count(), 4);
    app.stop().await;
}
on_both!(one_person_two_devices_over_the_data_limit_on_one_day_is_two_findings);

async fn unrecognised_numbers_go_to_digital_services_and_national_numbers_are_never_overseas(b: Backend) {
    let app = spawn(b).await;
    app.seed().await;
    let t = at(0);
    let r = import(
        &app,
        format!(
            "n1,+441214960506,call,out,{t},60,01632 960123,,GB,false,\n\
             n2,+441214960506,sms,out,{t},,07700 900123,,GB,false,\n\
             n3,+441214960506,call,out,{t},60,07797 123456,,GB,false,\n\
             u1,+441214960506,call,out,{t},60,0400 123 4567,,GB,false,\n\
             u2,+441214960506,call,out,{t},60,+1 202,,GB,false,\n\
             i1,+441214960506,call,out,{t},60,+1 202 555 0100,,GB,false,\n"
        ),
    )
    .await;
    assert!(r.rejected.is_empty(), "{r:?}");
    let all = app.store().findings(&Default::default(), 1, 50).await.unwrap().items;
    let international: Vec<_> = all.iter().filter(|f| f.rule == "usage.international").collect();
    assert_eq!(international.len(), 1);
    assert_eq!(international[0].records, ["i1"], "only the number written internationally");
    let unrecognised: Vec<_> = all.iter().filter(|f| f.rule == "usage.unrecognised_number").collect();
    assert_eq!(unrecognised.len(), 1);
    let u = unrecognised[0];
    let mut recs = u.records.clone();
    recs.sort();
    assert_eq!(recs, ["u1", "u2"]);
    assert_eq!((u.clause.as_str(), u.severity.as_str()), ("4.2", "low"));
    let id = u.id;

    // Digital Services sees it; the line manager (A1016) neither sees nor lists it, though they
    // see the international finding about the same person.
    let ds = app.api(&app.token("A1006").await);
    let (s, f) = ds.get(&format!("/findings/{id}")).await;
    assert_eq!(s, 200, "{f}");
    let manager = app.api(&app.token("A1016").await);
    let (s, _) = manager.get(&format!("/findings/{id}")).await;
    assert_eq!(s, 403);
    let (s, _) = manager.get(&format!("/findings/{}", international[0].id)).await;
    assert_eq!(s, 200);
    let (_, list) = manager.get("/findings").await;
    let rules: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|i| i["rule"].as_str()).collect();
    assert!(rules.contains(&"usage.international") && !rules.contains(&"usage.unrecognised_number"), "{rules:?}");
    let (_, list) = ds.get("/findings?rule=usage.unrecognised_number").await;
    assert_eq!(list["total"], 1, "{list}");
    app.stop().await;
}
on_both!(unrecognised_numbers_go_to_digital_services_and_national_numbers_are_never_overseas);
