//! Microsoft Intune (Graph `managedDevices`) JSON exports.

use std::collections::HashMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::devices::DeviceType;
use crate::devices::mdm::to_micros;
use crate::imports::{Parsed, RowError, json_device, json_document, json_kind};
use crate::validate;

/// A device from a Microsoft Intune (Graph `managedDevices`) export. Empty strings are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntuneDevice {
    /// Position in the export's device array, from 0.
    pub index: usize,
    /// The JSON pointer of the device in the export (`/value/3`, or `/3` in a bare array): a
    /// problem with one of its members names `{pointer}/{member}`.
    pub pointer: String,
    /// Intune's device id.
    pub id: String,
    /// `deviceName`.
    pub device_name: Option<String>,
    /// `serialNumber`.
    pub serial_number: Option<String>,
    /// `imei`, as 15 Luhn-checked digits.
    pub imei: Option<String>,
    /// `phoneNumber` in E.164 form when valid; otherwise `None` and a warning.
    pub phone_number: Option<String>,
    /// `manufacturer`.
    pub manufacturer: Option<String>,
    /// `model`.
    pub model: Option<String>,
    /// `operatingSystem`.
    pub operating_system: Option<String>,
    /// `osVersion`.
    pub os_version: Option<String>,
    /// `userPrincipalName`, lower-cased: the account signed in to the device.
    pub user_principal_name: Option<String>,
    /// `lastSyncDateTime`; `None` when absent or Graph's "never" (0001-01-01T00:00:00Z).
    pub last_sync: Option<OffsetDateTime>,
    /// `enrolledDateTime`, when the device enrolled in Intune, to the microsecond (Graph gives
    /// seven fractional digits; both databases keep six); `None` when absent or year 1.
    pub enrolled: Option<OffsetDateTime>,
    /// `complianceState` as Graph gives it (compliant, noncompliant, inGracePeriod, ...).
    pub compliance_state: Option<String>,
    /// `jailBroken`: Graph's "True"/"False" (or a JSON boolean); `None` for "Unknown".
    pub jailbroken: Option<bool>,
    /// `isEncrypted`.
    pub encrypted: Option<bool>,
    /// `managementState` (managed, retirePending, wipeIssued, ...).
    pub management_state: Option<String>,
}

/// The pointer of the warning about a Graph page that is not the last ([`parse_intune_json`]).
pub const INTUNE_NEXT_LINK: &str = "/@odata.nextLink";

/// Parse an Intune export: either a JSON array of `managedDevice` objects, or a Graph page
/// (`{"@odata.context": ..., "value": [...]}`).
///
/// Returns `Err` when the text is not JSON (the message gives serde_json's line and column)
/// or not one of those shapes. Per-device errors use `line` = position + 1 and a JSON pointer
/// (`/value/3/imei`, or `/3/imei` for a bare array). A device needs an `id`, unique in the
/// file; an invalid IMEI or sync time is an error; an invalid phone number is dropped with a
/// warning. A page with `@odata.nextLink` is only part of the export, which is warned about
/// (line 0). Members other than the ones read are ignored.
pub fn parse_intune_json(text: &str) -> Result<Parsed<IntuneDevice>, RowError> {
    let doc = json_document(text, "Intune export")?;
    let shape_error =
        || RowError::new(0, None, "expected a JSON array of managed devices, or a Graph page with a \"value\" array");
    let mut out = Parsed::default();
    let (prefix, items) = match &doc {
        Value::Array(items) => ("", items),
        Value::Object(page) => {
            let Some(Value::Array(items)) = page.get("value") else {
                return Err(shape_error());
            };
            if let Some(Value::String(next)) = page.get("@odata.nextLink")
                && !next.trim().is_empty()
            {
                out.warnings.push(RowError::new(
                    0,
                    Some(INTUNE_NEXT_LINK),
                    "this is one page of a longer export: devices on the other pages are missing",
                ));
            }
            ("/value", items)
        }
        _ => return Err(shape_error()),
    };

    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let Some((line, base, obj)) = out.or_error(json_device(prefix, index, item)) else {
            continue;
        };
        let mut device = IntuneFields { obj, base: &base, line, errors: Vec::new(), warnings: Vec::new() };

        let id = device.string("id");
        let device_name = device.string("deviceName");
        let serial_number = device.string("serialNumber");
        let imei = device.checked("imei", validate::imei);
        let phone_number = device.warned("phoneNumber", validate::phone_e164);
        let manufacturer = device.string("manufacturer");
        let model = device.string("model");
        let operating_system = device.string("operatingSystem");
        let os_version = device.string("osVersion");
        let user_principal_name = device.string("userPrincipalName").map(|o| o.map(|s| s.to_lowercase()));
        let last_sync = device.checked("lastSyncDateTime", sync_time).map(Option::flatten);
        let enrolled = device.checked("enrolledDateTime", sync_time).map(|t| t.flatten().map(to_micros));
        let compliance_state = device.string("complianceState");
        let jailbroken = device.flag("jailBroken");
        let encrypted = device.flag("isEncrypted");
        let management_state = device.string("managementState");

        match &id {
            Some(None) => device.error("id", "the device has no id"),
            Some(Some(id)) => match seen_ids.get(id) {
                Some(first) => device.error("id", format!("id {id} is also used by device {first} of the export")),
                None => {
                    seen_ids.insert(id.clone(), index);
                }
            },
            None => {}
        }

        out.warnings.append(&mut device.warnings);
        // Each field read as `None` recorded its error, and so did a missing or repeated id.
        let row = (|| {
            Some(IntuneDevice {
                index,
                pointer: base.clone(),
                id: id??,
                device_name: device_name?,
                serial_number: serial_number?,
                imei: imei?,
                phone_number: phone_number?,
                manufacturer: manufacturer?,
                model: model?,
                operating_system: operating_system?,
                os_version: os_version?,
                user_principal_name: user_principal_name?,
                last_sync: last_sync?,
                enrolled: enrolled?,
                compliance_state: compliance_state?,
                jailbroken: jailbroken?,
                encrypted: encrypted?,
                management_state: management_state?,
            })
        })();
        match row {
            Some(row) if device.errors.is_empty() => out.rows.push(row),
            _ => out.errors.append(&mut device.errors),
        }
    }
    Ok(out)
}

/// One Intune device object being read, with the problems found so far.
struct IntuneFields<'a> {
    obj: &'a Map<String, Value>,
    base: &'a str,
    line: u64,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
}

impl IntuneFields<'_> {
    fn pointer(&self, member: &str) -> String {
        format!("{}/{member}", self.base)
    }

    fn error(&mut self, member: &str, message: impl Into<String>) {
        let pointer = self.pointer(member);
        self.errors.push(RowError::new(self.line, Some(&pointer), message));
    }

    /// A string member, trimmed. `Some(None)` when absent, null or empty; `None` (with an
    /// error) when it is not a string.
    fn string(&mut self, member: &str) -> Option<Option<String>> {
        match self.obj.get(member) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(Value::String(s)) => Some(Some(s.trim().to_string())),
            Some(other) => {
                self.error(member, format!("expected a string, found {}", json_kind(other)));
                None
            }
        }
    }

    /// A yes/no member: a JSON boolean, or Graph's "True"/"False" in any case. "Unknown", an
    /// empty string, null or absence are `Some(None)`; anything else is an error.
    fn flag(&mut self, member: &str) -> Option<Option<bool>> {
        match self.obj.get(member) {
            None | Some(Value::Null) => Some(None),
            Some(Value::Bool(b)) => Some(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(Some(true)),
                "false" => Some(Some(false)),
                "" | "unknown" => Some(None),
                _ => {
                    self.error(member, format!("expected True, False or Unknown, found {s:?}"));
                    None
                }
            },
            Some(other) => {
                self.error(member, format!("expected True, False or Unknown, found {}", json_kind(other)));
                None
            }
        }
    }

    /// A string member passed through `check`. The outer `None` means an error was recorded.
    fn checked<T>(&mut self, member: &str, check: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        match self.string(member)?.map(|s| check(&s)).transpose() {
            Ok(v) => Some(v),
            Err(m) => {
                self.error(member, m);
                None
            }
        }
    }

    /// A string member passed through `check`; if that fails it is dropped with a warning.
    fn warned<T>(&mut self, member: &str, check: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        match self.string(member)?.map(|s| check(&s)).transpose() {
            Ok(v) => Some(v),
            Err(m) => {
                let pointer = self.pointer(member);
                self.warnings.push(RowError::new(self.line, Some(&pointer), format!("{m}; ignored")));
                Some(None)
            }
        }
    }
}

/// An RFC 3339 time, with Graph's "never" (year 1) read as `None`.
fn sync_time(s: &str) -> Result<Option<OffsetDateTime>, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("{s:?} is not an RFC 3339 date and time ({e})"))?;
    Ok(if t.year() <= 1 { None } else { Some(t) })
}

/// The device type an Intune device is registered as (`--register-new`), from its
/// `operatingSystem` and `model`: iPadOS, or iOS/Android on a model whose name has "iPad" or
/// "Tab" in it, is a tablet; other iOS and Android devices are phones; Windows, macOS and
/// ChromeOS are laptops; anything else is `other`.
pub fn intune_device_type(operating_system: Option<&str>, model: Option<&str>) -> DeviceType {
    let os = operating_system.unwrap_or_default().to_ascii_lowercase();
    let model = model.unwrap_or_default().to_ascii_lowercase();
    let tablet_model = model.contains("ipad") || model.contains("tab");
    if os.contains("ipados") {
        DeviceType::Tablet
    } else if os.contains("ios") || os.contains("android") {
        if tablet_model { DeviceType::Tablet } else { DeviceType::Phone }
    } else if os.contains("windows") || os.contains("macos") || os.contains("mac os") || os.contains("chrome") {
        DeviceType::Laptop
    } else {
        DeviceType::Other
    }
}

/// The asset tags an Intune device may be registered under (`--register-new`), best first: its
/// `deviceName` when that is a valid asset tag ([`validate::asset_tag`], upper-cased), then
/// `INTUNE-` and the first 8 letters and digits of its Intune id, then `INTUNE-` and all of them
/// (at most 40 characters in all). The import takes the first that no device has.
pub fn intune_asset_tags(device_name: Option<&str>, id: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(tag) = device_name.and_then(|n| validate::asset_tag(n).ok()) {
        out.push(tag);
    }
    let id: String = id.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if !id.is_empty() {
        let short = format!("INTUNE-{}", id.chars().take(8).collect::<String>());
        let long = format!("INTUNE-{}", id.chars().take(33).collect::<String>());
        for tag in [short, long] {
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::imports::tests::*;

    // Intune JSON.

    const INTUNE_PHONE: &str = r#"{"id": "d1", "deviceName": "WP-MB-0001", "serialNumber": "R5C1", "imei": "49 015420 323751 8",
        "phoneNumber": "+441214960123", "manufacturer": "samsung", "model": "SM-S911B", "operatingSystem": "Android",
        "osVersion": "14", "userPrincipalName": "Jo.Bloggs@Warwickshire.Police.Example",
        "lastSyncDateTime": "2025-06-02T07:41:18.4275531Z", "complianceState": "compliant"}"#;

    #[test]
    fn a_graph_page_of_devices_is_parsed() {
        let p = intune(INTUNE_PHONE);
        assert_eq!((p.errors.clone(), p.warnings.clone()), (vec![], vec![]));
        assert_eq!(
            p.rows,
            vec![IntuneDevice {
                index: 0,
                pointer: "/value/0".into(),
                id: "d1".into(),
                device_name: Some("WP-MB-0001".into()),
                serial_number: Some("R5C1".into()),
                imei: Some(IMEI.into()),
                phone_number: Some("+441214960123".into()),
                manufacturer: Some("samsung".into()),
                model: Some("SM-S911B".into()),
                operating_system: Some("Android".into()),
                os_version: Some("14".into()),
                user_principal_name: Some("jo.bloggs@warwickshire.police.example".into()),
                last_sync: Some(time::macros::datetime!(2025-06-02 07:41:18.4275531 UTC)),
                enrolled: None,
                compliance_state: Some("compliant".into()),
                jailbroken: None,
                encrypted: None,
                management_state: None,
            }]
        );
    }

    #[test]
    fn a_bare_json_array_of_devices_is_accepted_with_pointers_from_the_root() {
        let p = parse_intune_json(r#"[{"id": "d1"}, {"id": "d2", "imei": "123"}]"#).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(fields(&p.errors), vec![(2, Some("/1/imei"))]);
    }

    #[test]
    fn empty_strings_and_nulls_mean_none() {
        let p = intune(
            r#"{"id": "d1", "deviceName": "", "serialNumber": "  ", "imei": null, "phoneNumber": "", "userPrincipalName": ""}"#,
        );
        assert_eq!(p.errors, vec![]);
        let d = &p.rows[0];
        assert_eq!((&d.device_name, &d.serial_number, &d.imei, &d.phone_number), (&None, &None, &None, &None));
        assert_eq!(d.user_principal_name, None);
    }

    #[test]
    fn a_last_sync_of_year_one_means_never_synced() {
        let p = intune(r#"{"id": "d1", "lastSyncDateTime": "0001-01-01T00:00:00Z"}"#);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].last_sync, None);
    }

    #[test]
    fn a_last_sync_that_is_not_rfc_3339_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d1", "lastSyncDateTime": "02/06/2025 07:41"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/lastSyncDateTime"))]);
    }

    #[test]
    fn a_device_without_an_id_is_an_error() {
        let p = intune(r#"{"deviceName": "x"}, {"id": ""}, {"id": "d3"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/id")), (2, Some("/value/1/id"))]);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].index, 2);
    }

    #[test]
    fn a_device_id_used_twice_is_an_error_on_the_later_device() {
        let p = intune(r#"{"id": "d1"}, {"id": "d1"}"#);
        assert_eq!(fields(&p.errors), vec![(2, Some("/value/1/id"))]);
    }

    #[test]
    fn an_invalid_imei_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d0"}, {"id": "d1", "imei": "490154203237519"}"#);
        assert_eq!(fields(&p.errors), vec![(2, Some("/value/1/imei"))]);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn an_invalid_phone_number_is_dropped_with_a_warning() {
        let p = intune(r#"{"id": "d1", "phoneNumber": "07700 900123"}"#);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].phone_number, None);
        assert_eq!(fields(&p.warnings), vec![(1, Some("/value/0/phoneNumber"))]);
    }

    #[test]
    fn a_member_of_the_wrong_json_type_is_an_error() {
        let p = intune(r#"{"id": 42, "imei": 490154203237518}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/id")), (1, Some("/value/0/imei"))]);
        assert!(p.errors[0].message.contains("a number"));
    }

    #[test]
    fn a_device_that_is_not_an_object_is_an_error() {
        let p = intune(r#""d1", {"id": "d2"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0"))]);
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn malformed_json_is_an_error_giving_the_line_and_column() {
        let e = parse_intune_json("{\n  \"value\": [\n    {\"id\": \"d1\",}\n  ]\n}").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("line 3 column"), "{}", e.message);
    }

    #[test]
    fn json_of_the_wrong_shape_is_refused() {
        for text in ["{}", r#"{"value": {}}"#, "42", r#""devices""#, "null"] {
            assert!(parse_intune_json(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_page_with_a_next_link_warns_that_the_export_is_incomplete() {
        let p = parse_intune_json(r#"{"value": [], "@odata.nextLink": "https://graph.microsoft.com/next"}"#).unwrap();
        assert_eq!(fields(&p.warnings), vec![(0, Some("/@odata.nextLink"))]);
        let last = parse_intune_json(r#"{"value": [], "@odata.nextLink": null}"#).unwrap();
        assert_eq!(last.warnings, vec![]);
    }

    #[test]
    fn integrity_members_are_read_from_graph_strings_and_booleans() {
        let p = intune(
            r#"{"id": "d1", "complianceState": "noncompliant", "jailBroken": "True", "isEncrypted": false, "managementState": "managed"},
               {"id": "d2", "jailBroken": "Unknown", "isEncrypted": true}, {"id": "d3", "jailBroken": false}"#,
        );
        assert_eq!(p.errors, vec![]);
        let d = &p.rows[0];
        assert_eq!(
            (d.compliance_state.as_deref(), d.jailbroken, d.encrypted, d.management_state.as_deref()),
            (Some("noncompliant"), Some(true), Some(false), Some("managed"))
        );
        assert_eq!((p.rows[1].jailbroken, p.rows[1].encrypted), (None, Some(true)));
        assert_eq!(p.rows[2].jailbroken, Some(false));
    }

    #[test]
    fn a_jailbroken_value_that_is_not_yes_or_no_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d1", "jailBroken": "maybe"}, {"id": "d2", "isEncrypted": 1}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/jailBroken")), (2, Some("/value/1/isEncrypted"))]);
        assert!(p.rows.is_empty());
    }

    #[test]
    fn a_byte_order_mark_before_the_json_is_tolerated() {
        assert!(parse_intune_json("\u{feff}[]").is_ok());
    }

    #[test]
    fn the_enrolment_time_is_kept_to_the_microsecond() {
        let p = intune(
            r#"{"id": "d1", "enrolledDateTime": "2025-03-04T09:15:02.1234567Z"}, {"id": "d2", "enrolledDateTime": "0001-01-01T00:00:00Z"},
               {"id": "d3"}"#,
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].enrolled, Some(time::macros::datetime!(2025-03-04 09:15:02.123456 UTC)));
        assert_eq!((p.rows[1].enrolled, p.rows[2].enrolled), (None, None));
        assert_eq!((p.rows[0].pointer.as_str(), p.rows[2].pointer.as_str()), ("/value/0", "/value/2"));
    }

    #[test]
    fn an_enrolment_time_that_is_not_rfc_3339_is_an_error_on_that_field() {
        let p = intune(r#"{"id": "d1", "enrolledDateTime": "04/03/2025"}"#);
        assert_eq!(fields(&p.errors), vec![(1, Some("/value/0/enrolledDateTime"))]);
    }

    #[test]
    fn the_device_type_follows_the_operating_system_and_model() {
        let t = |os: &str, model: &str| intune_device_type(Some(os), Some(model));
        assert_eq!(t("Android", "SM-S911B"), DeviceType::Phone);
        assert_eq!(t("Android", "Galaxy Tab S9"), DeviceType::Tablet);
        assert_eq!(t("iOS", "iPhone 15"), DeviceType::Phone);
        assert_eq!(t("iOS", "iPad Air"), DeviceType::Tablet);
        assert_eq!(t("iPadOS", "iPad"), DeviceType::Tablet);
        assert_eq!(t("Windows", "Latitude 5440"), DeviceType::Laptop);
        assert_eq!(t("macOS", "MacBook Air"), DeviceType::Laptop);
        assert_eq!(t("Linux", "x"), DeviceType::Other);
        assert_eq!(intune_device_type(None, None), DeviceType::Other);
    }

    #[test]
    fn the_asset_tag_is_the_device_name_when_valid_else_from_the_intune_id() {
        let id = "6f1c2a9e-0b4d-4e21-9d1f-3a5b7c9d0e11";
        assert_eq!(
            intune_asset_tags(Some("wp-mb-0001"), id),
            vec!["WP-MB-0001", "INTUNE-6F1C2A9E", "INTUNE-6F1C2A9E0B4D4E219D1F3A5B7C9D0E11"]
        );
        assert_eq!(intune_asset_tags(Some("Jo's iPhone"), id)[0], "INTUNE-6F1C2A9E");
        assert_eq!(intune_asset_tags(None, "ab"), vec!["INTUNE-AB"]);
        for tag in intune_asset_tags(Some(&"x".repeat(41)), &"f".repeat(64)) {
            assert!(validate::asset_tag(&tag).is_ok(), "{tag}");
        }
    }
}
