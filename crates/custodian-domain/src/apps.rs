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

// The apps rules live in the findings catalogue, which knows every area's rules.
pub use crate::findings::{RULE_UNAPPROVED, UNAPPROVED};

/// The apps rules, for look-ups by id.
pub fn rule(id: &str) -> Option<&'static crate::findings::Rule> {
    crate::findings::APPS_RULES.iter().find(|r| r.id == id)
}

/// The dedupe key of the 4.8 finding for one device (by asset tag) and package: one finding per
/// device and app, re-opened in place.
pub fn finding_key(asset_tag: &str, package_id: &str) -> String {
    format!("{RULE_UNAPPROVED}:{asset_tag}:{package_id}")
}

crate::str_enum! {
    parse: lenient;
    /// Platforms the catalogue covers.
    pub enum Platform {
        Android = "android",
        Ios = "ios",
        Windows = "windows",
    }
}

crate::str_enum! {
    parse: own;
    /// What an app is for.
    pub enum Category {
        Messaging = "messaging",
        Social = "social",
        Productivity = "productivity",
        Navigation = "navigation",
        CameraEvidence = "camera_evidence",
        Other = "other",
    }
}

impl Category {
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

/// One app seen on one device by the MDM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryRow {
    /// CSV: the file line. Graph JSON: the position of the entry in the array, from 1.
    pub line: u64,
    /// CSV: the asset tag or IMEI. Graph JSON: the managed device's name (often the asset tag).
    pub device: String,
    /// Graph JSON: the managed device's Intune id, serial number and IMEI, when given.
    pub mdm_id: Option<String>,
    pub serial: Option<String>,
    pub imei: Option<String>,
    /// The package or bundle id.
    pub package_id: String,
    /// Graph exports name apps by display name only: then `package_id` is that name, and the
    /// import maps it to the catalogue app of the same name when there is one.
    pub package_from_name: bool,
    pub app_name: Option<String>,
    pub version: Option<String>,
    /// When the MDM saw it; `None` means at import time.
    pub seen_at: Option<OffsetDateTime>,
}

/// The inventory CSV's columns, exactly.
pub const INVENTORY_COLUMNS: [&str; 4] = ["device", "app_id", "version", "seen_at"];

fn parse_seen_at(s: &str) -> Result<Option<OffsetDateTime>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(Some(t));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| Some(d.midnight().assume_utc()))
        .map_err(|_| format!("{s:?} is not a date and time (use RFC 3339, such as 2026-11-28T09:30:00Z, or a date)"))
}

/// Parse an inventory CSV (`device,app_id,version,seen_at`). `Err` only for a bad header; every
/// other problem names its line and column. The same device and app twice is an error on the
/// later line.
pub fn parse_inventory_csv(bytes: &[u8]) -> Result<crate::imports::Parsed<InventoryRow>, RowError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| RowError { line: 1, field: None, message: format!("cannot read the header: {e}") })?
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    if header != INVENTORY_COLUMNS {
        return Err(RowError {
            line: 1,
            field: None,
            message: format!("the columns must be exactly {}", INVENTORY_COLUMNS.join(",")),
        });
    }
    let mut out = crate::imports::Parsed::default();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.errors.push(RowError { line, field: None, message: e.to_string() });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let mut errs = Vec::new();
        if rec.len() != INVENTORY_COLUMNS.len() {
            out.errors.push(RowError {
                line,
                field: None,
                message: format!("expected {} columns, found {}", INVENTORY_COLUMNS.len(), rec.len()),
            });
            continue;
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let device = cell(0);
        if device.is_empty() {
            errs.push(("device", "enter the device's asset tag or IMEI".to_string()));
        }
        let package_id = cell(1);
        if package_id.is_empty() || package_id.contains(char::is_whitespace) || package_id.len() > 255 {
            errs.push(("app_id", "enter the package or bundle id, without spaces".to_string()));
        }
        let version = Some(cell(2)).filter(|v| !v.is_empty());
        let seen_at = parse_seen_at(&cell(3)).unwrap_or_else(|m| {
            errs.push(("seen_at", m));
            None
        });
        if errs.is_empty()
            && let Some(first) = seen.insert((device.to_ascii_uppercase(), package_id.clone()), line)
        {
            errs.push(("app_id", format!("{package_id} on {device} is already on line {first}")));
        }
        if !errs.is_empty() {
            out.errors.extend(errs.into_iter().map(|(f, m)| RowError { line, field: Some(f.into()), message: m }));
            continue;
        }
        out.rows.push(InventoryRow {
            line,
            device,
            mdm_id: None,
            serial: None,
            imei: None,
            package_id,
            package_from_name: false,
            app_name: None,
            version,
            seen_at,
        });
    }
    Ok(out)
}

fn json_str(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| x.as_str()).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The app identity of a Graph detected app: `packageId` or `bundleId` when the export has
/// them, otherwise its display name.
fn graph_app(app: &serde_json::Value) -> Option<(String, bool, Option<String>, Option<String>)> {
    let name = json_str(app, "displayName");
    let version = json_str(app, "version");
    match json_str(app, "packageId").or_else(|| json_str(app, "bundleId")) {
        Some(p) => Some((p, false, name, version)),
        None => name.clone().map(|n| (n, true, name, version)),
    }
}

fn graph_device(
    md: &serde_json::Value,
) -> (String, Option<String>, Option<String>, Option<String>, Option<OffsetDateTime>) {
    let seen = json_str(md, "lastSyncDateTime")
        .and_then(|s| OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).ok())
        .filter(|t| t.year() > 1);
    (
        json_str(md, "deviceName").unwrap_or_default(),
        json_str(md, "id"),
        json_str(md, "serialNumber"),
        json_str(md, "imei"),
        seen,
    )
}

/// Parse a Microsoft Graph inventory: a `detectedApps` page (or array) whose entries carry their
/// expanded `managedDevices`, or a `managedDevices` page whose entries carry their expanded
/// `detectedApps`. `line` is the entry's position from 1; fields are JSON pointers.
pub fn parse_inventory_json(text: &str) -> Result<crate::imports::Parsed<InventoryRow>, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| RowError {
        line: u64::try_from(e.line()).unwrap_or(0),
        field: None,
        message: format!("the inventory is not valid JSON: {e}"),
    })?;
    let shape = || {
        RowError {
        line: 0,
        field: None,
        message: "expected a Graph page (\"value\" array) or array of detectedApps with managedDevices, or of managedDevices with detectedApps".into(),
    }
    };
    let (prefix, items) = match &doc {
        serde_json::Value::Array(a) => ("", a),
        serde_json::Value::Object(o) => match o.get("value") {
            Some(serde_json::Value::Array(a)) => ("/value", a),
            _ => return Err(shape()),
        },
        _ => return Err(shape()),
    };
    let mut out = crate::imports::Parsed::default();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        let base = format!("{prefix}/{i}");
        let err = |field: String, message: &str| RowError { line, field: Some(field), message: message.into() };
        let mut push = |out: &mut crate::imports::Parsed<InventoryRow>,
                        md: &serde_json::Value,
                        app: &serde_json::Value,
                        at: String| {
            let (device, mdm_id, serial, imei, seen_at) = graph_device(md);
            if device.is_empty() && mdm_id.is_none() && serial.is_none() && imei.is_none() {
                out.errors.push(err(at, "the device has no deviceName, id, serialNumber or imei"));
                return;
            }
            let Some((package_id, from_name, app_name, version)) = graph_app(app) else {
                out.errors.push(err(at, "the app has no displayName, packageId or bundleId"));
                return;
            };
            let key = (mdm_id.clone().unwrap_or_else(|| device.clone()), package_id.clone());
            if seen.insert(key) {
                out.rows.push(InventoryRow {
                    line,
                    device,
                    mdm_id,
                    serial,
                    imei,
                    package_id,
                    package_from_name: from_name,
                    app_name,
                    version,
                    seen_at,
                });
            }
        };
        if let Some(serde_json::Value::Array(devices)) = item.get("managedDevices") {
            for (j, md) in devices.iter().enumerate() {
                push(&mut out, md, item, format!("{base}/managedDevices/{j}"));
            }
        } else if let Some(serde_json::Value::Array(apps)) = item.get("detectedApps") {
            for (j, app) in apps.iter().enumerate() {
                push(&mut out, item, app, format!("{base}/detectedApps/{j}"));
            }
        } else {
            out.errors
                .push(err(base, "expected managedDevices (for a detected app) or detectedApps (for a managed device)"));
        }
    }
    Ok(out)
}

/// Parse an inventory file: JSON when it starts with `{` or `[`, CSV otherwise.
pub fn parse_inventory(bytes: &[u8]) -> Result<crate::imports::Parsed<InventoryRow>, RowError> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => {
            let text = std::str::from_utf8(body).map_err(|e| RowError {
                line: 0,
                field: None,
                message: format!("not UTF-8: {e}"),
            })?;
            parse_inventory_json(text)
        }
        _ => parse_inventory_csv(body),
    }
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

    #[test]
    fn the_inventory_csv_names_bad_lines_and_repeats() {
        let csv = "device,app_id,version,seen_at\n\
            FD-0001,com.whatsapp,2.24,2026-11-27T10:00:00Z\n\
            356938035643809,com.tiktok,,2026-11-27\n\
            ,com.x,1,\n\
            FD-0001,com.whatsapp,2.25,\n\
            FD-0002,bad id,1,yesterday\n";
        let p = parse_inventory_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1].seen_at, Some(datetime!(2026-11-27 0:00 UTC)));
        let at: Vec<(u64, String)> = p.errors.iter().map(|e| (e.line, e.field.clone().unwrap_or_default())).collect();
        assert_eq!(at, vec![(4, "device".into()), (5, "app_id".into()), (6, "app_id".into()), (6, "seen_at".into())]);
        assert_eq!(parse_inventory_csv(b"device,app,version\n").unwrap_err().line, 1);
    }

    #[test]
    fn graph_inventories_read_both_shapes() {
        let apps = r#"{"value":[{"id":"a1","displayName":"WhatsApp","version":"2.24","managedDevices":[
            {"id":"md-1","deviceName":"FD-0001","imei":"356938035643809"},{"id":"md-2","deviceName":"FD-0002"}]},
            {"id":"a2","displayName":"Broken"}]}"#;
        let p = parse_inventory(apps.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert!(p.rows[0].package_from_name);
        assert_eq!(p.rows[0].package_id, "WhatsApp");
        assert_eq!(p.rows[1].mdm_id.as_deref(), Some("md-2"));
        assert_eq!(p.errors[0].line, 2);
        assert_eq!(p.errors[0].field.as_deref(), Some("/value/1"));
        let devices = r#"[{"id":"md-1","deviceName":"FD-0001","lastSyncDateTime":"2026-11-27T08:00:00Z",
            "detectedApps":[{"displayName":"TikTok","packageId":"com.zhiliaoapp.musically","version":"30"},{}]}]"#;
        let p = parse_inventory(devices.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].package_id, "com.zhiliaoapp.musically");
        assert!(!p.rows[0].package_from_name);
        assert_eq!(p.rows[0].seen_at, Some(datetime!(2026-11-27 8:00 UTC)));
        assert_eq!(p.errors[0].field.as_deref(), Some("/0/detectedApps/1"));
        assert!(parse_inventory(b"{\"nope\": 1}").is_err());
    }
}
