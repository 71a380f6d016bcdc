//! Out-of-hours expectations (WP034 4.11) in the store: per team and London month, the calls and
//! messages a manager made from their force device to their reports' force devices, and how many
//! outside working hours; only teams of at least five people, and only aggregates.

use custodian_domain::usage::{OutOfHours, TeamMonth};
use time::macros::{date, datetime};

use crate::on_both;
use crate::support::TestDb;

fn us(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}

async fn the_share_outside_working_hours_is_counted_per_team_of_five_or_more(db: &TestDb) {
    db.seed().await;
    // The register was imported now; the phones were the same people's since 2020.
    db.exec("UPDATE allocations SET allocated_at = '2020-01-01T00:00:00Z'").await;
    // Kwame Mensah (A1016, phone 0121 496 0504) manages A1017-A1020: a team of four.
    let calls = [
        // Tuesday 6 October 2026, 06:30 UTC is 07:30 BST: outside; 16:30 UTC is 17:30 BST: inside.
        ("c1", "call", true, datetime!(2026-10-06 06:30 UTC), "0121 496 0505"),
        ("c2", "sms", true, datetime!(2026-10-06 16:30 UTC), "+441214960506"),
        // Tuesday 3 November 2026 (GMT): 10:00 inside, 20:00 outside; Saturday 7th noon outside.
        ("c3", "call", true, datetime!(2026-11-03 10:00 UTC), "01214960507"),
        ("c4", "sms", true, datetime!(2026-11-03 20:00 UTC), "0121 496 0505"),
        ("c5", "mms", true, datetime!(2026-11-07 12:00 UTC), "0121 496 0506"),
        // Not counted: a number that is not a report's, an incoming call, data.
        ("c6", "call", true, datetime!(2026-11-03 22:00 UTC), "07700 900123"),
        ("c7", "call", false, datetime!(2026-11-03 23:00 UTC), "0121 496 0505"),
        ("c8", "data", true, datetime!(2026-11-03 23:30 UTC), ""),
    ];
    let rows: Vec<String> = calls
        .iter()
        .map(|(id, event, outgoing, at, party)| {
            format!(
                "('carrier', '{id}', '{event}', FALSE, (SELECT id FROM devices WHERE asset_tag = 'WP-MB-0005'), 1, 0, {}, \
                 (SELECT id FROM people WHERE staff_number = 'A1016'), '+441214960504', {}, 60, '{party}', 'UK', 'voice', 'acct')",
                us(*at),
                if *outgoing { "TRUE" } else { "FALSE" }
            )
        })
        .collect();
    db.insert_usage_records(&rows).await;
    let hours = OutOfHours::default().compile().unwrap();
    let (from, to) = (us(datetime!(2026-10-01 00:00 UTC)), us(datetime!(2026-12-01 00:00 UTC)));
    let teams = db.store.usage_out_of_hours(&hours, None, from, to).await.unwrap();
    assert!(teams.is_empty(), "a team of four shows nothing: {teams:?}");

    // A fifth report (Aisha Khan, A1007) makes the team five.
    db.exec("UPDATE people SET line_manager_id = (SELECT id FROM people WHERE staff_number = 'A1016') WHERE staff_number = 'A1007'")
        .await;
    let teams = db.store.usage_out_of_hours(&hours, None, from, to).await.unwrap();
    assert_eq!(teams.len(), 1, "{teams:?}");
    let kwame = &teams[0];
    assert_eq!((kwame.staff_number.as_str(), kwame.team_size), ("A1016", 5));
    assert_eq!(
        kwame.months,
        [
            TeamMonth { month: date!(2026 - 10 - 01), total: 2, outside: 1 },
            TeamMonth { month: date!(2026 - 11 - 01), total: 3, outside: 2 },
        ]
    );
    assert_eq!(kwame.months[1].per_cent(), 66);
    // Only the Head of Department's business area, when asked.
    let kwame_person = db.person("A1016").await;
    let area = db.store.usage_out_of_hours(&hours, Some(kwame_person.business_area_id), from, to).await.unwrap();
    assert_eq!(area.len(), 1);
    let other = db.person("A1005").await.business_area_id;
    assert!(db.store.usage_out_of_hours(&hours, Some(other), from, to).await.unwrap().is_empty());
    // A stricter minimum hides the team again.
    let six = OutOfHours { min_team: 6, ..OutOfHours::default() }.compile().unwrap();
    assert!(db.store.usage_out_of_hours(&six, None, from, to).await.unwrap().is_empty());
}
on_both!(the_share_outside_working_hours_is_counted_per_team_of_five_or_more);
