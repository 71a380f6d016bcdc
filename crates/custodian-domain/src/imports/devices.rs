//! The device register CSV.

use std::collections::HashMap;
use std::io::Read;

use crate::devices::{DeviceStatus, DeviceType};
use crate::imports::rows::{one_of, parse_csv, text};
use crate::imports::{Parsed, RowError};
use crate::people::StaffNumber;
use crate::validate;

/// A valid row of the device register import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The line the row starts on.
    pub line: u64,
    /// The force asset tag, upper-cased.
    pub asset_tag: String,
    /// Laptop, tablet, phone, radio or other.
    pub device_type: DeviceType,
    /// Manufacturer, trimmed.
    pub make: String,
    /// Model, trimmed.
    pub model: String,
    /// Manufacturer's serial number, trimmed.
    pub serial: Option<String>,
    /// IMEI as 15 digits, Luhn-checked.
    pub imei: Option<String>,
    /// The device's phone number in E.164 form.
    pub phone_number: Option<String>,
    /// Operating system, trimmed.
    pub os: Option<String>,
    /// Lifecycle state.
    pub status: DeviceStatus,
    /// The holder; present exactly when `status` is allocated (WP034 4.1).
    pub allocated_to: Option<StaffNumber>,
}

/// The columns of the device register CSV, exactly and in this order.
pub const DEVICE_COLUMNS: [&str; 10] =
    ["asset_tag", "type", "make", "model", "serial", "imei", "phone_number", "os", "status", "allocated_to"];

/// Parse the device register CSV. Returns `Err` only when the header is missing or is not
/// exactly [`DEVICE_COLUMNS`]; every other problem is reported in [`Parsed::errors`].
///
/// `allocated_to` must be filled in exactly when `status` is `allocated` (the error is on
/// `allocated_to`). An asset tag or IMEI that appeared on an earlier line is an error on the
/// later line. Statuses may be written with spaces or hyphens ("In stock", "in-repair").
pub fn parse_devices_csv<R: Read>(r: R) -> Result<Parsed<DeviceRow>, RowError> {
    let mut seen_tags: HashMap<String, u64> = HashMap::new();
    let mut seen_imeis: HashMap<String, u64> = HashMap::new();
    parse_csv(r, &DEVICE_COLUMNS, |row| {
        let asset_tag = row.required(0, validate::asset_tag);
        let device_type =
            row.required(1, |s| DeviceType::parse(s).ok_or_else(|| one_of(s, DeviceType::ALL.map(|t| t.as_str()))));
        let make = row.required(2, text);
        let model = row.required(3, text);
        let serial = row.optional(4, text);
        let imei = row.optional(5, validate::imei);
        let phone_number = row.optional(6, validate::phone_e164);
        let os = row.optional(7, text);
        let status = row.required(8, |s| {
            DeviceStatus::parse(&s.replace([' ', '-'], "_"))
                .ok_or_else(|| one_of(s, DeviceStatus::ALL.map(|t| t.as_str())))
        });
        let allocated_to = row.optional(9, StaffNumber::parse);

        if let Some(tag) = &asset_tag {
            match seen_tags.get(tag) {
                Some(first) => row.error(0, format!("{tag} already appears on line {first}")),
                None => {
                    seen_tags.insert(tag.clone(), row.line);
                }
            }
        }
        if let Some(Some(i)) = &imei {
            match seen_imeis.get(i) {
                Some(first) => row.error(5, format!("IMEI {i} already appears on line {first}")),
                None => {
                    seen_imeis.insert(i.clone(), row.line);
                }
            }
        }
        if let (Some(status), Some(holder)) = (status, &allocated_to) {
            match (status.has_holder(), holder) {
                (true, None) => row.error(9, "an allocated device needs allocated_to: one named holder (WP034 4.1)"),
                (false, Some(_)) => row.error(
                    9,
                    format!(
                        "only an allocated device has a holder; status is {}, so leave this empty",
                        status.as_str()
                    ),
                ),
                _ => {}
            }
        }

        let (
            Some(asset_tag),
            Some(device_type),
            Some(make),
            Some(model),
            Some(serial),
            Some(imei),
            Some(phone_number),
            Some(os),
            Some(status),
            Some(allocated_to),
        ) = (asset_tag, device_type, make, model, serial, imei, phone_number, os, status, allocated_to)
        else {
            return None;
        };
        Some(DeviceRow {
            line: row.line,
            asset_tag,
            device_type,
            make,
            model,
            serial,
            imei,
            phone_number,
            os,
            status,
            allocated_to,
        })
    })
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::imports::tests::*;

    // Device CSV.

    fn phone(tag: &str, status: &str, holder: &str) -> String {
        format!("{tag},phone,Samsung,Galaxy S23,R5C1,{IMEI},0121 496 0123,Android 14,{status},{holder}\n")
    }

    #[test]
    fn a_valid_device_row_is_parsed_and_normalised() {
        let p = devices(
            "wp-mb/001,Phone,Samsung, Galaxy S23 ,R5C1,49-015420-323751-8,0121 496 0123,Android 14,Allocated,a1\n",
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(
            p.rows,
            vec![DeviceRow {
                line: 2,
                asset_tag: "WP-MB/001".into(),
                device_type: DeviceType::Phone,
                make: "Samsung".into(),
                model: "Galaxy S23".into(),
                serial: Some("R5C1".into()),
                imei: Some(IMEI.into()),
                phone_number: Some("+441214960123".into()),
                os: Some("Android 14".into()),
                status: DeviceStatus::Allocated,
                allocated_to: Some(StaffNumber::parse("A1").unwrap()),
            }]
        );
    }

    #[test]
    fn optional_device_fields_may_be_empty() {
        let p = devices("RD1,radio,Motorola,MTP6650,,,,,in_stock,\n");
        assert_eq!(p.errors, vec![]);
        let d = &p.rows[0];
        assert_eq!((&d.serial, &d.imei, &d.phone_number, &d.os, &d.allocated_to), (&None, &None, &None, &None, &None));
    }

    #[test]
    fn a_bad_asset_tag_is_an_error_naming_asset_tag() {
        let long = "A".repeat(41);
        let p =
            devices(&format!("WP 1,laptop,Dell,Latitude,,,,,in_stock,\n{long},laptop,Dell,Latitude,,,,,in_stock,\n"));
        assert_eq!(fields(&p.errors), vec![(2, Some("asset_tag")), (3, Some("asset_tag"))]);
        let ok = devices(&phone(&"a".repeat(40), "in_stock", ""));
        assert_eq!(ok.rows[0].asset_tag, "A".repeat(40));
    }

    #[test]
    fn a_duplicate_asset_tag_is_an_error_on_the_later_line_whatever_its_case() {
        let p = devices(concat!(
            "WP-1,laptop,Dell,Latitude,,,,,in_stock,\n",
            "RD1,radio,Motorola,MTP6650,,,,,in_stock,\n",
            "wp-1,laptop,Dell,Latitude,,,,,in_stock,\n",
        ));
        assert_eq!(fields(&p.errors), vec![(4, Some("asset_tag"))]);
        assert!(p.errors[0].message.contains("line 2"));
    }

    #[test]
    fn a_duplicate_imei_is_an_error_on_the_later_line() {
        let p = devices(&format!("{}{}", phone("MB1", "in_stock", ""), phone("MB2", "in_stock", "")));
        assert_eq!(fields(&p.errors), vec![(3, Some("imei"))]);
    }

    #[test]
    fn allocated_to_without_status_allocated_is_an_error_on_allocated_to() {
        let p = devices(&phone("MB1", "in_stock", "A1"));
        assert_eq!(fields(&p.errors), vec![(2, Some("allocated_to"))]);
        assert!(p.errors[0].message.contains("in_stock"));
    }

    #[test]
    fn status_allocated_without_allocated_to_is_an_error_on_allocated_to() {
        let p = devices(&phone("MB1", "allocated", ""));
        assert_eq!(fields(&p.errors), vec![(2, Some("allocated_to"))]);
        assert!(p.errors[0].message.contains("4.1"));
    }

    #[test]
    fn a_bad_status_does_not_also_complain_about_allocated_to() {
        let p = devices(&phone("MB1", "on_loan", "A1"));
        assert_eq!(fields(&p.errors), vec![(2, Some("status"))]);
        assert!(p.errors[0].message.contains("in_examination"));
    }

    #[test]
    fn type_and_status_are_case_insensitive_and_status_may_use_spaces() {
        let p = devices("T1,TABLET,Apple,iPad,,,,,In Stock,\nT2,Tablet,Apple,iPad,,,,,IN-REPAIR,\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].device_type, DeviceType::Tablet);
        assert_eq!((p.rows[0].status, p.rows[1].status), (DeviceStatus::InStock, DeviceStatus::InRepair));
    }

    #[test]
    fn an_invalid_imei_is_an_error_naming_imei() {
        let p = devices(&phone("MB1", "in_stock", "").replace(IMEI, "490154203237519"));
        assert_eq!(fields(&p.errors), vec![(2, Some("imei"))]);
        assert!(p.errors[0].message.contains("check digit"));
    }

    #[test]
    fn a_device_row_reports_every_bad_field_at_once() {
        let p = devices("bad tag,toaster,,,x\u{7},123,999,Android\u{1},gone,A 1\n");
        assert_eq!(
            fields(&p.errors),
            vec![
                (2, Some("asset_tag")),
                (2, Some("type")),
                (2, Some("make")),
                (2, Some("model")),
                (2, Some("serial")),
                (2, Some("imei")),
                (2, Some("phone_number")),
                (2, Some("os")),
                (2, Some("status")),
                (2, Some("allocated_to")),
            ]
        );
    }

    #[test]
    fn a_device_row_with_the_wrong_number_of_fields_is_one_error_naming_the_line() {
        let p = devices("MB1,phone,Samsung\n");
        assert_eq!(fields(&p.errors), vec![(2, None)]);
    }
}
