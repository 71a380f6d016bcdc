//! The demo force: a fictional Warwickshire-like organisation loaded on first `serve --demo`,
//! with one sign-in for each role so a newcomer can see every view at once.

use std::sync::Arc;

use custodian_domain::people::Role;
use custodian_domain::usage::{Feed, UsagePack};
use custodian_store::{Actor, DeviceFilter, PersonFilter, Store};

use crate::auth::{Passwords, random_token};
use crate::imports;

pub const PEOPLE_CSV: &str = include_str!("../../../fixtures/people.csv");
pub const DEVICES_CSV: &str = include_str!("../../../fixtures/devices.csv");
pub const INTUNE_JSON: &str = include_str!("../../../fixtures/intune.json");

/// Who can sign in to the demo, and with what.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DemoSignIns {
    pub password: String,
    /// (what the person is, email)
    pub accounts: Vec<(String, String)>,
}

impl DemoSignIns {
    pub fn render(&self) -> String {
        let mut s = format!("Demo sign-ins (every account's password is {}):\n", self.password);
        for (who, email) in &self.accounts {
            s.push_str(&format!("  {who:<34} {email}\n"));
        }
        s
    }
}

/// Load the demo force into an empty store and give each demo account a password.
pub async fn seed(store: &Store, passwords: &Passwords) -> anyhow::Result<DemoSignIns> {
    let now = time::OffsetDateTime::now_utc();
    let actor = Actor::system();
    imports::import_people(store, &actor, now, PEOPLE_CSV.as_bytes(), false)
        .await
        .map_err(|e| anyhow::anyhow!("demo people: {e}"))?;
    imports::import_devices(store, &actor, now, DEVICES_CSV.as_bytes(), false)
        .await
        .map_err(|e| anyhow::anyhow!("demo devices: {e}"))?;
    imports::import_intune(
        store,
        &actor,
        now,
        INTUNE_JSON.as_bytes(),
        imports::IntuneOptions { skip_invalid: true, ..Default::default() },
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo intune: {e}"))?;
    store
        .import_usage(
            Feed::Carrier,
            Box::new(std::io::Cursor::new(carrier_bill(now).into_bytes())),
            None,
            Arc::new(UsagePack::shipped().clone()),
            actor.at(now),
            Arc::new(|_| {}),
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo carrier bill: {e}"))?;
    comments(store, &actor, now).await?;
    let password = format!("demo-{}", &random_token()[..20]);
    let hash = passwords.hash(&password).await?;
    let people = store.people(&PersonFilter::default(), 1, 1000).await?.items;
    let mut accounts = Vec::new();
    let mut chosen = std::collections::HashSet::new();
    for role in Role::ALL {
        if let Some(p) = people
            .iter()
            .find(|p| p.roles.contains(&role) && !chosen.contains(&p.id))
            .or_else(|| people.iter().find(|p| p.roles.contains(&role)))
        {
            chosen.insert(p.id);
            accounts.push((role.label().to_string(), p.email.clone()));
        }
    }
    // A line manager without special roles, and an officer who holds a device.
    if let Some(m) =
        people.iter().find(|m| m.roles.is_empty() && people.iter().any(|p| p.line_manager_id == Some(m.id)))
    {
        chosen.insert(m.id);
        accounts.push(("Line manager".into(), m.email.clone()));
    }
    for p in people.iter().filter(|p| p.roles.is_empty() && !chosen.contains(&p.id)) {
        let held = store.devices(&DeviceFilter { holder_id: Some(p.id), ..DeviceFilter::default() }, 1, 1).await?.total;
        if held > 0 {
            chosen.insert(p.id);
            accounts.push(("Officer holding a device".into(), p.email.clone()));
            break;
        }
    }
    for p in people.iter().filter(|p| chosen.contains(&p.id)) {
        store.set_password_hash(p.id, &hash, actor.at(now)).await?;
    }
    Ok(DemoSignIns { password, accounts })
}

/// A short carrier bill for the demo force, timed just after the devices were allocated so every
/// record is attributed to its holder. It breaks each carrier rule once or twice (WP034 4.2, 4.5,
/// 4.12, 4.1), mostly by Kwame Mensah's team, so the demo line manager has findings to review.
fn carrier_bill(allocated: time::OffsetDateTime) -> String {
    const MIB: u64 = 1 << 20;
    let at = |s: i64| {
        (allocated + time::Duration::seconds(s))
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default()
    };
    let rows = [
        // Jack Thornton (WP-MB-0007): premium rate twice, a 999 call, 1.2 GiB of data in a day.
        format!("demo-01,0121 496 0506,call,out,{},180,09061234567,,GB,false,", at(1)),
        format!("demo-02,0121 496 0506,sms,out,{},,+44 871 234 5678,,GB,false,", at(2)),
        format!("demo-03,0121 496 0506,call,out,{},95,999,,GB,false,", at(3)),
        format!("demo-04,0121 496 0506,data,,{},,,{},GB,false,", at(4), 600 * MIB),
        format!("demo-05,0121 496 0506,data,,{},,,{},GB,false,", at(5), 630 * MIB),
        // Laura Fenwick (WP-MB-0006): an international call and an MMS; an ordinary call.
        format!("demo-06,0121 496 0505,call,out,{},420,+353 1 234 5678,,GB,false,", at(6)),
        format!("demo-07,0121 496 0505,mms,out,{},,07700 900123,,GB,false,", at(7)),
        format!("demo-08,0121 496 0505,call,out,{},60,0121 496 0000,,GB,false,", at(8)),
        // Megan Ashworth (WP-MB-0008): data in France with no approved window; calls diverted
        // to a number outside the force.
        format!("demo-09,0121 496 0507,data,,{},,,{},FR,false,", at(9), 2 * MIB),
        format!("demo-10,0121 496 0507,divert,,{},,,,GB,false,07400 123456", at(10)),
        // Tomasz Nowak's mobile Wi-Fi unit (WP-OT-0002) tethering; a SIM the register lacks.
        format!("demo-11,0116 496 0520,data,,{},,,{},GB,true,", at(11), 40 * MIB),
        format!("demo-12,+447700900999,call,out,{},30,0121 496 0000,,GB,false,", at(12)),
    ];
    let mut bill = String::from(
        "record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n",
    );
    for r in rows {
        bill.push_str(&r);
        bill.push('\n');
    }
    bill
}

/// The demo's social media account and a handful of public comments on it (WP034 6.7, 6.8, 8.2),
/// so each role has something: a wellbeing case for the line manager (Kwame Mensah), a referral
/// for the Resolution Centre, replies waiting for the team, comments for Corporate
/// Communications to act on, and someone on the out-of-hours rota now.
async fn comments(store: &Store, actor: &Actor, now: time::OffsetDateTime) -> anyhow::Result<()> {
    let csv = "platform,handle,url,team,team_manager,kind,profile,authorised_users\n\
               facebook,WarksNorth,https://facebook.com/WarksNorth,Response Policing North,A1016,departmental,Emergencies 999; report crime on 101,A1017\n";
    crate::social_accounts::import(store, actor, now, csv.as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("demo social accounts: {e}"))?;
    let texts = [
        ("demo-1", "PC Fenwick is a useless fat pr*ck"),
        ("demo-2", "Send them all back home, dirty p*kis. I'll burn their shop down"),
        ("demo-3", "What time does the front counter at Leamington open on Saturdays?"),
        ("demo-4", "There is a man with a knife outside my house right now, please help"),
        ("demo-5", "I reported the dealing on our street four times and you never turn up"),
        ("demo-6", "Thanks for the update, stay safe out there"),
    ];
    let posted =
        (now - time::Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let mut jsonl = String::new();
    for (i, (id, text)) in texts.iter().enumerate() {
        let line = serde_json::json!({"id": id, "platform": "facebook", "account": "WarksNorth", "post": "p-2001",
            "author": format!("fb-demo-{i}"), "author_name": format!("Demo Commenter {}", i + 1),
            "url": format!("https://facebook.com/WarksNorth/posts/p-2001?comment={id}"), "text": text,
            "created_at": posted});
        jsonl.push_str(&format!("{line}\n"));
    }
    // Someone on call from an hour ago, so the rota shows who is on call now.
    let eleanor = store.person_by_staff_number("A1009").await?;
    if let Some(p) = eleanor {
        store
            .rota_add(
                &custodian_store::comments::workflow::NewShift {
                    person: p.id,
                    starts_at: now - time::Duration::hours(1),
                    ends_at: now + time::Duration::hours(23),
                    handover: "Watch the WarksNorth post about the Leamington front counter.".into(),
                },
                actor.at(now),
            )
            .await?;
    }
    crate::comments::import(store, actor, now, jsonl.as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("demo comments: {e}"))?;
    Ok(())
}
