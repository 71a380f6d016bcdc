//! Approved apps (WP034 4.8, 6.5): the catalogue Digital Services keep, who each app is approved
//! for (everyone, roles, business areas or named people, each grant optionally expiring), the
//! evaluation of a device's installed apps against it, and the MDM export.
//!
//! An app missing from the catalogue is by definition unapproved. Direct-messaging apps carry
//! WP034 6.5 whoever may install them: never a channel for police information.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::OffsetDateTime;

use crate::imports::RowError;
use crate::people::Role;

/// The finding rule id for an installed app not approved for the device's holder.
pub const RULE_UNAPPROVED: &str = "apps.unapproved";

/// Platforms the catalogue covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Android,
    Ios,
    Windows,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Ios => "ios",
            Self::Windows => "windows",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "android" => Some(Self::Android),
            "ios" => Some(Self::Ios),
            "windows" => Some(Self::Windows),
            _ => None,
        }
    }
}

/// What an app is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Messaging,
    Social,
    Productivity,
    Navigation,
    CameraEvidence,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Messaging => "messaging",
            Self::Social => "social",
            Self::Productivity => "productivity",
            Self::Navigation => "navigation",
            Self::CameraEvidence => "camera_evidence",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace(['/', ' ', '-'], "_").as_str() {
            "messaging" => Some(Self::Messaging),
            "social" => Some(Self::Social),
            "productivity" => Some(Self::Productivity),
            "navigation" => Some(Self::Navigation),
            "camera_evidence" | "camera" | "evidence" => Some(Self::CameraEvidence),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
    /// Direct messaging falls under WP034 6.5.
    pub fn is_direct_messaging(self) -> bool {
        self == Self::Messaging
    }
}

/// WP034 6.5's rule, shown wherever a direct-messaging app appears.
pub const DIRECT_MESSAGING_WARNING: &str = "WP034 6.5: direct messaging services (WhatsApp, Facebook Messenger, \
    Twitter DM, Snapchat and others) are not approved for the communication of police information, on work-issued \
    or personal devices, whoever may install them.";

/// Who an app is approved for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "value")]
pub enum Audience {
    All,
    Role(Role),
    Area(String),
    /// A staff number.
    Person(String),
}

impl Audience {
    /// The `allowed_for` form: `all`, `role:ROLE`, `area:NAME`, `person:STAFF_NUMBER`.
    pub fn as_text(&self) -> String {
        match self {
            Self::All => "all".into(),
            Self::Role(r) => format!("role:{}", r.as_str()),
            Self::Area(a) => format!("area:{a}"),
            Self::Person(p) => format!("person:{p}"),
        }
    }
}

/// Parse an `allowed_for` cell: `all`, or `;`-separated `role:ROLE`, `area:BUSINESS AREA`,
/// `person:STAFF_NUMBER`.
pub fn parse_allowed_for(s: &str) -> Result<Vec<Audience>, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Ok(vec![Audience::All]);
    }
    if s.is_empty() {
        return Err("give `all` or a `;`-separated list of role:ROLE, area:BUSINESS AREA, person:STAFF_NUMBER".into());
    }
    let mut out = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, value) = part.split_once(':').ok_or_else(|| format!("{part:?} is not role:, area: or person:"))?;
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("{part:?} names nothing after the colon"));
        }
        out.push(match kind.trim().to_ascii_lowercase().as_str() {
            "role" => Audience::Role(Role::parse(value).ok_or_else(|| format!("{value:?} is not a role"))?),
            "area" => Audience::Area(value.to_string()),
            "person" => Audience::Person(value.to_ascii_uppercase()),
            "all" => Audience::All,
            other => return Err(format!("{other:?} is not role, area or person")),
        });
    }
    Ok(out)
}

/// One grant: an audience, optionally until an expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub audience: Audience,
    pub expires_at: Option<OffsetDateTime>,
}

impl Grant {
    pub fn live(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// The device holder an inventory is judged for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub staff_number: String,
    pub business_area: String,
    pub roles: Vec<Role>,
}

impl Holder {
    fn covered_by(&self, a: &Audience) -> bool {
        match a {
            Audience::All => true,
            Audience::Role(r) => self.roles.contains(r),
            Audience::Area(area) => area.eq_ignore_ascii_case(&self.business_area),
            Audience::Person(sn) => sn.eq_ignore_ascii_case(&self.staff_number),
        }
    }
}

/// The catalogue for evaluation: package id to its grants (package ids are unique per
/// platform; inventories name packages, so grants of the same package on any platform count).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    grants: HashMap<String, Vec<Grant>>,
}

impl Catalogue {
    pub fn add(&mut self, package_id: &str, grant: Grant) {
        self.grants.entry(package_id.to_string()).or_default().push(grant);
    }
    /// Record an app listed with no grant yet (listed, approved for nobody).
    pub fn list(&mut self, package_id: &str) {
        self.grants.entry(package_id.to_string()).or_default();
    }
    pub fn is_listed(&self, package_id: &str) -> bool {
        self.grants.contains_key(package_id)
    }
    /// Whether `package_id` is approved for `holder` at `now` (WP034 4.8).
    pub fn approved(&self, package_id: &str, holder: &Holder, now: OffsetDateTime) -> bool {
        self.grants.get(package_id).is_some_and(|gs| gs.iter().any(|g| g.live(now) && holder.covered_by(&g.audience)))
    }
    /// The installed packages not approved for the holder, in the order given, without repeats.
    pub fn unapproved<'a>(&self, installed: &'a [String], holder: &Holder, now: OffsetDateTime) -> Vec<&'a str> {
        let mut seen = HashSet::new();
        installed
            .iter()
            .filter(|p| seen.insert(p.as_str()) && !self.approved(p, holder, now))
            .map(String::as_str)
            .collect()
    }
}

/// One row of the catalogue CSV (`name,platform,package_id,publisher,category,allowed_for`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    pub line: u64,
    pub name: String,
    pub platform: Platform,
    pub package_id: String,
    pub publisher: String,
    pub category: Category,
    pub allowed_for: Vec<Audience>,
}

/// The catalogue CSV's columns, exactly.
pub const CATALOGUE_COLUMNS: [&str; 6] = ["name", "platform", "package_id", "publisher", "category", "allowed_for"];

/// Parse the catalogue CSV; every bad cell is reported with its line and column.
pub fn parse_catalogue(csv_text: &str) -> (Vec<CatalogueRow>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(csv_text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            errors.push(RowError { line: 1, field: None, message: format!("cannot read the header: {e}") });
            return (rows, errors);
        }
    };
    if header != CATALOGUE_COLUMNS {
        errors.push(RowError {
            line: 1,
            field: None,
            message: format!("the columns must be exactly {}", CATALOGUE_COLUMNS.join(",")),
        });
        return (rows, errors);
    }
    let mut seen: HashMap<(Platform, String), u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError { line, field: None, message: e.to_string() });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let mut err = |field: &str, message: String| errors.push(RowError { line, field: Some(field.into()), message });
        if rec.len() != CATALOGUE_COLUMNS.len() {
            err("row", format!("expected {} columns, found {}", CATALOGUE_COLUMNS.len(), rec.len()));
            continue;
        }
        let name = cell(0);
        if name.is_empty() {
            err("name", "enter the app's name".into());
        }
        let platform = Platform::parse(&cell(1));
        if platform.is_none() {
            err("platform", "choose android, ios or windows".into());
        }
        let package_id = cell(2);
        if package_id.is_empty() || package_id.contains(char::is_whitespace) {
            err("package_id", "enter the package or bundle id, without spaces".into());
        }
        let publisher = cell(3);
        if publisher.is_empty() {
            err("publisher", "enter the publisher".into());
        }
        let category = Category::parse(&cell(4));
        if category.is_none() {
            err("category", "choose messaging, social, productivity, navigation, camera_evidence or other".into());
        }
        let allowed = parse_allowed_for(&cell(5));
        if let Err(m) = &allowed {
            err("allowed_for", m.clone());
        }
        if let (Some(p), false) = (platform, package_id.is_empty())
            && let Some(first) = seen.insert((p, package_id.clone()), line)
        {
            err("package_id", format!("{package_id} on {} is already on line {first}", p.as_str()));
            continue;
        }
        if let (Some(platform), Some(category), Ok(allowed_for), false, false, false) =
            (platform, category, allowed, name.is_empty(), package_id.is_empty(), publisher.is_empty())
        {
            rows.push(CatalogueRow { line, name, platform, package_id, publisher, category, allowed_for });
        }
    }
    (rows, errors)
}

/// An app as the MDM export needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportApp {
    pub name: String,
    pub platform: Platform,
    pub package_id: String,
    pub category: Category,
}

/// The Android Management API policy fragment for a role's approved apps: `applications`
/// entries with `packageName` and `installType` (`AVAILABLE`: the holder may install it from the
/// managed Play Store; anything not listed is blocked when the policy's `playStoreMode` is
/// `WHITELIST`). Android apps only.
pub fn amapi_fragment(apps: &[ExportApp]) -> serde_json::Value {
    let mut pkgs: Vec<&str> =
        apps.iter().filter(|a| a.platform == Platform::Android).map(|a| a.package_id.as_str()).collect();
    pkgs.sort_unstable();
    pkgs.dedup();
    serde_json::json!({
        "playStoreMode": "WHITELIST",
        "applications": pkgs.iter().map(|p| serde_json::json!({"packageName": p, "installType": "AVAILABLE"})).collect::<Vec<_>>(),
    })
}

/// The same as CSV: `name,platform,package_id,category,direct_messaging`.
pub fn export_csv(apps: &[ExportApp]) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record(["name", "platform", "package_id", "category", "direct_messaging"]);
    let mut sorted: Vec<&ExportApp> = apps.iter().collect();
    sorted.sort_by(|a, b| (a.platform.as_str(), &a.package_id).cmp(&(b.platform.as_str(), &b.package_id)));
    for a in sorted {
        let dm = if a.category.is_direct_messaging() { "yes" } else { "no" };
        let _ = w.write_record([a.name.as_str(), a.platform.as_str(), a.package_id.as_str(), a.category.as_str(), dm]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 12:00 UTC);

    fn holder(sn: &str, area: &str, roles: &[Role]) -> Holder {
        Holder { staff_number: sn.into(), business_area: area.into(), roles: roles.to_vec() }
    }

    #[test]
    fn allowed_for_reads_all_roles_areas_and_people() {
        assert_eq!(parse_allowed_for("all").unwrap(), vec![Audience::All]);
        assert_eq!(
            parse_allowed_for("role:digital_services; area:Response Policing North;person:a1017").unwrap(),
            vec![
                Audience::Role(Role::DigitalServices),
                Audience::Area("Response Policing North".into()),
                Audience::Person("A1017".into())
            ]
        );
        assert!(parse_allowed_for("role:wizard").unwrap_err().contains("not a role"));
        assert!(parse_allowed_for("team:x").is_err());
        assert!(parse_allowed_for("").is_err());
    }

    #[test]
    fn an_app_is_approved_by_a_live_grant_covering_the_holder_and_unlisted_apps_never_are() {
        let mut c = Catalogue::default();
        c.add("com.microsoft.teams", Grant { audience: Audience::All, expires_at: None });
        c.add("com.whatsapp", Grant { audience: Audience::Person("A1017".into()), expires_at: Some(NOW) });
        c.add("uk.police.evidence", Grant { audience: Audience::Role(Role::Dmi), expires_at: None });
        c.add("com.waze", Grant { audience: Audience::Area("Response Policing North".into()), expires_at: None });
        let laura = holder("A1017", "Response Policing North", &[]);
        let installed: Vec<String> =
            ["com.microsoft.teams", "com.whatsapp", "uk.police.evidence", "com.waze", "com.tiktok", "com.tiktok"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(
            c.unapproved(&installed, &laura, NOW - time::Duration::days(1)),
            vec!["uk.police.evidence", "com.tiktok"]
        );
        // The WhatsApp grant expires at NOW: the app is unapproved again.
        assert_eq!(c.unapproved(&installed, &laura, NOW), vec!["com.whatsapp", "uk.police.evidence", "com.tiktok"]);
        let dmi = holder("A1013", "Professional Standards", &[Role::Dmi]);
        assert_eq!(c.unapproved(&installed, &dmi, NOW), vec!["com.whatsapp", "com.waze", "com.tiktok"]);
        assert!(!c.is_listed("com.tiktok"));
    }

    #[test]
    fn the_catalogue_csv_names_each_bad_line_and_column() {
        let csv = "name,platform,package_id,publisher,category,allowed_for\n\
            Teams,android,com.microsoft.teams,Microsoft,productivity,all\n\
            WhatsApp,android,com.whatsapp,Meta,messaging,person:A1017\n\
            Bad,symbian,x y,,games,role:wizard\n\
            Teams again,android,com.microsoft.teams,Microsoft,productivity,all\n";
        let (rows, errors) = parse_catalogue(csv);
        assert_eq!(rows.len(), 2);
        assert!(rows[1].category.is_direct_messaging());
        let at: Vec<(u64, String)> = errors.iter().map(|e| (e.line, e.field.clone().unwrap_or_default())).collect();
        assert_eq!(
            at,
            vec![
                (4, "platform".into()),
                (4, "package_id".into()),
                (4, "publisher".into()),
                (4, "category".into()),
                (4, "allowed_for".into()),
                (5, "package_id".into())
            ]
        );
        let (_, errors) = parse_catalogue("name,platform,package\n");
        assert_eq!(errors[0].line, 1);
    }

    #[test]
    fn the_amapi_fragment_lists_android_packages_once_and_the_csv_marks_direct_messaging() {
        let apps = vec![
            ExportApp {
                name: "WhatsApp".into(),
                platform: Platform::Android,
                package_id: "com.whatsapp".into(),
                category: Category::Messaging,
            },
            ExportApp {
                name: "Teams".into(),
                platform: Platform::Android,
                package_id: "com.microsoft.teams".into(),
                category: Category::Productivity,
            },
            ExportApp {
                name: "Teams".into(),
                platform: Platform::Ios,
                package_id: "com.microsoft.skype.teams".into(),
                category: Category::Productivity,
            },
        ];
        let f = amapi_fragment(&apps);
        assert_eq!(f["applications"][0]["packageName"], "com.microsoft.teams");
        assert_eq!(f["applications"][1]["installType"], "AVAILABLE");
        assert_eq!(f["applications"].as_array().unwrap().len(), 2);
        let csv = export_csv(&apps);
        assert!(csv.starts_with("name,platform,package_id,category,direct_messaging\n"));
        assert!(csv.contains("WhatsApp,android,com.whatsapp,messaging,yes\n"));
    }
}
