//! The demo force: a fictional Warwickshire-like organisation loaded on first `serve --demo`,
//! with one sign-in for each role so a newcomer can see every view at once.

use custodian_domain::people::Role;
use custodian_store::{Actor, DeviceFilter, PersonFilter, Store};

use crate::auth::{Passwords, random_token};
use crate::usecases;

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
    usecases::import_people(store, &actor, now, PEOPLE_CSV.as_bytes(), false)
        .await
        .map_err(|e| anyhow::anyhow!("demo people: {e}"))?;
    usecases::import_devices(store, &actor, now, DEVICES_CSV.as_bytes(), false)
        .await
        .map_err(|e| anyhow::anyhow!("demo devices: {e}"))?;
    usecases::import_intune(store, &actor, now, INTUNE_JSON.as_bytes(), true)
        .await
        .map_err(|e| anyhow::anyhow!("demo intune: {e}"))?;
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
        store.set_password_hash(p.id, &hash, &actor, now).await?;
    }
    Ok(DemoSignIns { password, accounts })
}
