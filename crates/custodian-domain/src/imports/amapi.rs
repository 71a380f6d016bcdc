//! Android Management API `Device` resources (the response of `enterprises.devices.list`, or a
//! bare JSON array of devices).

use std::collections::HashMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::imports::{Parsed, RowError, json_device, json_document, json_kind};
use crate::validate;

/// A device from an Android Management API export. Empty strings are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmapiDevice {
    /// Position in the export's device array, from 0.
    pub index: usize,
    /// `name`: the resource name, `enterprises/{enterprise}/devices/{device}`.
    pub name: String,
    /// `hardwareInfo.serialNumber`.
    pub serial_number: Option<String>,
    /// `networkInfo.imei`, as 15 Luhn-checked digits.
    pub imei: Option<String>,
    /// `state` (ACTIVE, DISABLED, DELETED, PROVISIONING, LOST, ...).
    pub state: Option<String>,
    /// `securityPosture.devicePosture` (SECURE, AT_RISK, POTENTIALLY_COMPROMISED).
    pub posture: Option<String>,
    /// `nonComplianceDetails`, each as "settingName: nonComplianceReason".
    pub noncompliance: Vec<String>,
    /// `policyCompliant`.
    pub policy_compliant: Option<bool>,
    /// `deviceSettings.isEncrypted`.
    pub encrypted: Option<bool>,
    /// `lastStatusReportTime`.
    pub last_status_report: Option<OffsetDateTime>,
}

/// The pointer of the warning about a list response that is not the last page.
pub const AMAPI_NEXT_PAGE: &str = "/nextPageToken";

/// Parse an Android Management API export: an `enterprises.devices.list` response
/// (`{"devices": [...], "nextPageToken": ...}`; `{}` when there are none) or a bare array.
///
/// Returns `Err` when the text is not JSON (with serde_json's line and column) or not one of
/// those shapes. Per-device errors use `line` = position + 1 and a JSON pointer
/// (`/devices/3/networkInfo/imei`, `/3/...` for a bare array). A device needs a `name`, unique
/// in the file; a member of the wrong JSON type, an invalid IMEI or time is an error. A
/// response with a `nextPageToken` is one page of several, which is warned about (line 0).
pub fn parse_amapi_json(text: &str) -> Result<Parsed<AmapiDevice>, RowError> {
    let doc = json_document(text, "Android Management API export")?;
    let shape_error = || {
        RowError::new(
            0,
            None,
            "expected a JSON array of Android Management API devices, or an enterprises.devices.list response with a \"devices\" array",
        )
    };
    let mut out = Parsed::default();
    let empty = Vec::new();
    let (prefix, items) = match &doc {
        Value::Array(items) => ("", items),
        Value::Object(page) => {
            let items = match page.get("devices") {
                Some(Value::Array(items)) => items,
                None if page.is_empty() || page.contains_key("nextPageToken") => &empty,
                _ => return Err(shape_error()),
            };
            if let Some(Value::String(token)) = page.get("nextPageToken")
                && !token.trim().is_empty()
            {
                out.warnings.push(RowError::new(
                    0,
                    Some(AMAPI_NEXT_PAGE),
                    "this is one page of a longer list: devices on the other pages are missing",
                ));
            }
            ("/devices", items)
        }
        _ => return Err(shape_error()),
    };

    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let Some((line, base, obj)) = out.or_error(json_device(prefix, index, item)) else {
            continue;
        };
        let mut r = Reader { line, errors: Vec::new() };
        let name = r.string(obj, &base, "name");
        let hardware = r.object(obj, &base, "hardwareInfo");
        let serial_number = hardware.and_then(|h| r.string(h, &format!("{base}/hardwareInfo"), "serialNumber"));
        let network = r.object(obj, &base, "networkInfo");
        let imei = network.and_then(|n| {
            let pointer = format!("{base}/networkInfo");
            let s = r.string(n, &pointer, "imei")?;
            match validate::imei(&s) {
                Ok(v) => Some(v),
                Err(m) => {
                    r.error(&format!("{pointer}/imei"), m);
                    None
                }
            }
        });
        let state = r.string(obj, &base, "state");
        let posture_obj = r.object(obj, &base, "securityPosture");
        let posture = posture_obj.and_then(|p| r.string(p, &format!("{base}/securityPosture"), "devicePosture"));
        let policy_compliant = r.boolean(obj, &base, "policyCompliant");
        let settings = r.object(obj, &base, "deviceSettings");
        let encrypted = settings.and_then(|s| r.boolean(s, &format!("{base}/deviceSettings"), "isEncrypted"));
        let last_status_report =
            r.string(obj, &base, "lastStatusReportTime").and_then(|s| match OffsetDateTime::parse(&s, &Rfc3339) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.error(
                        &format!("{base}/lastStatusReportTime"),
                        format!("{s:?} is not an RFC 3339 date and time ({e})"),
                    );
                    None
                }
            });
        let mut noncompliance = Vec::new();
        match obj.get("nonComplianceDetails") {
            None | Some(Value::Null) => {}
            Some(Value::Array(details)) => {
                for (i, d) in details.iter().enumerate() {
                    let pointer = format!("{base}/nonComplianceDetails/{i}");
                    let Value::Object(d) = d else {
                        r.error(&pointer, "expected a JSON object for each non-compliance detail");
                        continue;
                    };
                    let setting = r.string(d, &pointer, "settingName").unwrap_or_else(|| "a policy setting".into());
                    let reason = r.string(d, &pointer, "nonComplianceReason");
                    noncompliance.push(match reason {
                        Some(reason) => format!("{setting}: {reason}"),
                        None => setting,
                    });
                }
            }
            Some(other) => r.error(
                &format!("{base}/nonComplianceDetails"),
                format!("expected an array, found {}", json_kind(other)),
            ),
        }
        match &name {
            None if r.errors.is_empty() => r.error(&format!("{base}/name"), "the device has no name"),
            Some(n) => match seen.get(n) {
                Some(first) => {
                    r.error(&format!("{base}/name"), format!("name {n} is also used by device {first} of the export"))
                }
                None => {
                    seen.insert(n.clone(), index);
                }
            },
            None => {}
        }
        let Some(name) = name.filter(|_| r.errors.is_empty()) else {
            if r.errors.is_empty() {
                r.error(&format!("{base}/name"), "the device has no name");
            }
            out.errors.append(&mut r.errors);
            continue;
        };
        out.rows.push(AmapiDevice {
            index,
            name,
            serial_number,
            imei,
            state,
            posture,
            noncompliance,
            policy_compliant,
            encrypted,
            last_status_report,
        });
    }
    Ok(out)
}

/// Reads members of one device, collecting errors that name the member's pointer.
struct Reader {
    line: u64,
    errors: Vec<RowError>,
}

impl Reader {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(RowError::new(self.line, Some(pointer), message));
    }

    /// A string member, trimmed; `None` when absent, null, empty, or (with an error) not a string.
    fn string(&mut self, obj: &Map<String, Value>, base: &str, member: &str) -> Option<String> {
        match obj.get(member) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(other) => {
                self.error(&format!("{base}/{member}"), format!("expected a string, found {}", json_kind(other)));
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Map<String, Value>, base: &str, member: &str) -> Option<bool> {
        match obj.get(member) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.error(&format!("{base}/{member}"), format!("expected true or false, found {}", json_kind(other)));
                None
            }
        }
    }

    fn object<'a>(&mut self, obj: &'a Map<String, Value>, base: &str, member: &str) -> Option<&'a Map<String, Value>> {
        match obj.get(member) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                self.error(&format!("{base}/{member}"), format!("expected an object, found {}", json_kind(other)));
                None
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::imports::tests::{IMEI, fields};

    const DEVICE: &str = r#"{"name": "enterprises/LC01/devices/3a1f", "state": "ACTIVE",
        "hardwareInfo": {"serialNumber": "R5C1", "brand": "samsung"},
        "networkInfo": {"imei": "490154203237518"},
        "securityPosture": {"devicePosture": "POTENTIALLY_COMPROMISED"},
        "policyCompliant": false,
        "nonComplianceDetails": [{"settingName": "passwordPolicies", "nonComplianceReason": "USER_ACTION"}],
        "deviceSettings": {"isEncrypted": true},
        "lastStatusReportTime": "2026-11-30T09:15:00.123Z"}"#;

    fn list(devices: &str) -> Parsed<AmapiDevice> {
        parse_amapi_json(&format!(r#"{{"devices": [{devices}]}}"#)).unwrap()
    }

    #[test]
    fn a_list_response_is_parsed() {
        let p = list(DEVICE);
        assert_eq!((p.errors.clone(), p.warnings.clone()), (vec![], vec![]));
        assert_eq!(
            p.rows,
            vec![AmapiDevice {
                index: 0,
                name: "enterprises/LC01/devices/3a1f".into(),
                serial_number: Some("R5C1".into()),
                imei: Some(IMEI.into()),
                state: Some("ACTIVE".into()),
                posture: Some("POTENTIALLY_COMPROMISED".into()),
                noncompliance: vec!["passwordPolicies: USER_ACTION".into()],
                policy_compliant: Some(false),
                encrypted: Some(true),
                last_status_report: Some(time::macros::datetime!(2026-11-30 09:15:00.123 UTC)),
            }]
        );
    }

    #[test]
    fn a_bare_array_an_empty_response_and_a_minimal_device_are_accepted() {
        let p = parse_amapi_json(r#"[{"name": "enterprises/e/devices/1"}]"#).unwrap();
        assert_eq!(p.errors, vec![]);
        assert_eq!((p.rows[0].serial_number.clone(), p.rows[0].noncompliance.len()), (None, 0));
        assert!(parse_amapi_json("{}").unwrap().rows.is_empty());
    }

    #[test]
    fn errors_name_the_device_position_and_the_json_pointer() {
        let p = list(
            r#"{"name": "a", "networkInfo": {"imei": "490154203237519"}},
               {"name": "b", "lastStatusReportTime": "yesterday"},
               {"name": "c", "hardwareInfo": "R5C1"},
               {"name": "d", "securityPosture": {"devicePosture": 3}},
               {"name": "e", "nonComplianceDetails": [42]},
               {"state": "ACTIVE"},
               {"name": "a"}"#,
        );
        assert_eq!(
            fields(&p.errors),
            vec![
                (1, Some("/devices/0/networkInfo/imei")),
                (2, Some("/devices/1/lastStatusReportTime")),
                (3, Some("/devices/2/hardwareInfo")),
                (4, Some("/devices/3/securityPosture/devicePosture")),
                (5, Some("/devices/4/nonComplianceDetails/0")),
                (6, Some("/devices/5/name")),
                (7, Some("/devices/6/name")),
            ]
        );
        assert!(p.rows.is_empty());
    }

    #[test]
    fn a_page_with_a_next_page_token_warns_that_the_list_is_incomplete() {
        let p = parse_amapi_json(r#"{"devices": [], "nextPageToken": "abc"}"#).unwrap();
        assert_eq!(fields(&p.warnings), vec![(0, Some(AMAPI_NEXT_PAGE))]);
    }

    #[test]
    fn malformed_json_and_wrong_shapes_are_refused() {
        let e = parse_amapi_json("{\n \"devices\": [\n  {\"name\": \"a\",}\n]}").unwrap_err();
        assert_eq!(e.line, 3);
        for text in [r#"{"devices": {}}"#, r#"{"other": []}"#, "42", "null"] {
            assert!(parse_amapi_json(text).is_err(), "{text}");
        }
    }
}
