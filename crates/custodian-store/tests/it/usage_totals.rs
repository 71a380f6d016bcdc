//! The day totals of carrier data (WP034 4.5) as the store keeps them in `usage_cellular_days`:
//! one row per device and Europe/London day, added to as records arrive, equal to what the stored
//! non-tethered data records of that day add up to, and never counting a record twice. Read-only
//! checks over the tables the import writes.

use std::sync::Arc;

use custodian_domain::usage::{Feed, UsagePack};
use custodian_store::Actor;
use time::{Duration, OffsetDateTime};

use crate::on_both;
use crate::support::TestDb;

const CARRIER: &str =
    "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n";
/// WP-MB-0007's SIM, held by A1018.
const SIM: &str = "+441214960506";
const MIB: i64 = 1 << 20;

fn rfc(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

async fn import(db: &TestDb, rows: &str) -> custodian_store::usage::UsageImport {
    db.store
        .import_usage(
            Feed::Carrier,
            Box::new(std::io::Cursor::new(format!("{CARRIER}{rows}").into_bytes())),
            None,
            Arc::new(UsagePack::shipped().clone()),
            Actor::system().at(OffsetDateTime::now_utc()),
            Arc::new(|_| {}),
        )
        .await
        .unwrap()
}

/// (day, bytes) of every stored day total, in day order.
async fn totals(db: &TestDb) -> Vec<(i64, i64)> {
    let rows = db.ints("SELECT CAST(day AS BIGINT), bytes FROM usage_cellular_days ORDER BY day").await;
    rows.into_iter().map(|r| (r[0], r[1])).collect()
}

/// The same, added up from the stored records.
async fn from_records(db: &TestDb) -> Vec<(i64, i64)> {
    let rows = db
        .ints(
            "SELECT CAST(day AS BIGINT), CAST(SUM(bytes) AS BIGINT) FROM usage_records \
             WHERE event = 'data' AND NOT tethered AND device_id IS NOT NULL GROUP BY day ORDER BY day",
        )
        .await;
    rows.into_iter().map(|r| (r[0], r[1])).collect()
}

async fn day_totals_add_up_the_untethered_data_records_once_each(db: &TestDb) {
    db.seed().await;
    let t = rfc(OffsetDateTime::now_utc() + Duration::minutes(5));
    let next = rfc(OffsetDateTime::now_utc() + Duration::days(1) + Duration::minutes(5));
    let first = import(
        db,
        &format!(
            "c1,{SIM},data,,{t},,,{},GB,false,\n\
             c2,{SIM},data,,{t},,,{},GB,false,\n\
             ct,{SIM},data,,{t},,,{},GB,true,\n\
             cv,{SIM},call,out,{t},60,0121 496 0000,,GB,false,\n\
             cn,{SIM},data,,{next},,,{},GB,false,\n",
            600 * MIB,
            300 * MIB,
            900 * MIB,
            50 * MIB
        ),
    )
    .await;
    assert_eq!(first.imported, 5);
    let days = totals(db).await;
    assert_eq!(days.len(), 2, "{days:?}");
    let (today, tomorrow) = (days[0].0, days[1].0);
    assert_eq!(tomorrow - today, 1);
    assert_eq!(days, [(today, 900 * MIB), (tomorrow, 50 * MIB)], "tethered data and calls are not counted");
    assert_eq!(days, from_records(db).await);

    // The same file again stores nothing and adds nothing; a later file adds to its day.
    let again = import(db, &format!("c1,{SIM},data,,{t},,,{},GB,false,\n", 600 * MIB)).await;
    assert_eq!((again.imported, again.duplicates), (0, 1));
    assert_eq!(totals(db).await, [(today, 900 * MIB), (tomorrow, 50 * MIB)]);
    let more = import(
        db,
        &format!("c2,{SIM},data,,{t},,,{},GB,false,\nc3,{SIM},data,,{t},,,{},GB,false,\n", 300 * MIB, 25 * MIB),
    )
    .await;
    assert_eq!((more.imported, more.duplicates), (1, 1));
    let days = totals(db).await;
    assert_eq!(days, [(today, 925 * MIB), (tomorrow, 50 * MIB)]);
    assert_eq!(days, from_records(db).await);

    // The evidence scan reads forward from a row's first_seq: it must not be past any record the
    // row counts (SQLite's bulk writer may set it lower, which costs reading, not evidence).
    let firsts = db
        .ints(
            "SELECT d.first_seq, (SELECT MIN(r.seq) FROM usage_records r WHERE r.device_id = d.device_id AND r.day = d.day \
             AND r.event = 'data' AND NOT r.tethered) FROM usage_cellular_days d ORDER BY d.day",
        )
        .await;
    assert!(firsts.iter().all(|r| r[0] <= r[1]), "{firsts:?}");
    // On SQLite the mark says every stored record is counted.
    if db.url.starts_with("sqlite:") {
        let mark = db.ints("SELECT seq, (SELECT MAX(seq) FROM usage_records) FROM usage_totals_mark").await;
        assert_eq!(mark[0][0], mark[0][1], "{mark:?}");
    }
}
on_both!(day_totals_add_up_the_untethered_data_records_once_each);
