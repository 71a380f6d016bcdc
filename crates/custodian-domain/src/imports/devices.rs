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
    /// When the allocation to `allocated_to` started, if the file says (the optional last column
    /// `allocated_from`); `None` means "now", as without the column (WP034 4.1).
    pub allocated_from: Option<time::OffsetDateTime>,
}

/// The columns of the device register CSV, exactly and in this order.
pub const DEVICE_COLUMNS: [&str; 10] =
    ["asset_tag", "type", "make", "model", "serial", "imei", "phone_number", "os", "status", "allocated_to"];

/// [`DEVICE_COLUMNS`] followed by the optional `allocated_from` column: when the allocation to
/// `allocated_to` started, so usage from before the import is attributed (WP034 4.1).
pub const DEVICE_COLUMNS_WITH_START: [&str; 11] = [
    "asset_tag",
    "type",
    "make",
    "model",
    "serial",
    "imei",
    "phone_number",
    "os",
    "status",
    "allocated_to",
    "allocated_from",
];

/// Read `allocated_from`: an RFC 3339 date-time, or a date `YYYY-MM-DD` taken as 00:00
/// Europe/London that day (so 23:00 UTC the day before in summer time).
pub fn parse_allocated_from(s: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.to_offset(time::UtcOffset::UTC));
    }
    if s.len() == 10
        && let Ok(d) = time::Date::parse(s, &Iso8601::DATE)
    {
        let us = crate::usage::london_midnight_us(d);
        return time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
            .map_err(|e| format!("{s:?} is out of range ({e})"));
    }
    Err(format!("{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 date-time (2026-01-31T09:00:00Z)"))
}

/// Parse the device register CSV. Returns `Err` only when the header is missing or is neither
/// [`DEVICE_COLUMNS`] nor [`DEVICE_COLUMNS_WITH_START`]; every other problem is reported in
/// [`Parsed::errors`].
///
/// `allocated_from` may be filled in only on an allocated row (the error is on
/// `allocated_from`); whether it is in the future or overlaps the stored history is checked
/// against the database when the rows are applied.
///
/// `allocated_to` must be filled in exactly when `status` is `allocated` (the error is on
/// `allocated_to`). An asset tag or IMEI that appeared on an earlier line is an error on the
/// later line. Statuses may be written with spaces or hyphens ("In stock", "in-repair").
pub fn parse_devices_csv<R: Read>(mut r: R) -> Result<Parsed<DeviceRow>, RowError> {
    let mut data = Vec::new();
    r.read_to_end(&mut data).map_err(|e| RowError::new(1, None, format!("could not read the file: {e}")))?;
    match parse_devices_with(&data, &DEVICE_COLUMNS_WITH_START) {
        Ok(p) => Ok(p),
        Err(_) => parse_devices_with(&data, &DEVICE_COLUMNS).map_err(|mut e| {
            e.message.push_str(", optionally followed by allocated_from");
            e
        }),
    }
}

fn parse_devices_with(data: &[u8], columns: &[&str]) -> Result<Parsed<DeviceRow>, RowError> {
    let mut seen_tags: HashMap<String, u64> = HashMap::new();
    let mut seen_imeis: HashMap<String, u64> = HashMap::new();
    parse_csv(data, columns, |row| {
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
        // Absent from a ten-column file: read as empty.
        let allocated_from = row.optional(10, parse_allocated_from);

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
        if let (Some(status), Some(Some(_))) = (status, &allocated_from)
            && !status.has_holder()
        {
            row.error(
                10,
                format!(
                    "only an allocated device has an allocation start; status is {}, so leave this empty",
                    status.as_str()
                ),
            );
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
            Some(allocated_from),
        ) = (asset_tag, device_type, make, model, serial, imei, phone_number, os, status, allocated_to, allocated_from)
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
            allocated_from,
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
                allocated_from: None,
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

    const START_HEADER: &str =
        "asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n";

    fn with_start(body: &str) -> Parsed<DeviceRow> {
        parse_devices_csv(format!("{START_HEADER}{body}").as_bytes()).unwrap()
    }

    #[test]
    fn allocated_from_takes_a_date_as_london_midnight_or_a_date_time() {
        let p = with_start(concat!(
            "MB1,phone,Samsung,S23,,,,,allocated,A1,2026-07-01\n",
            "MB2,phone,Samsung,S23,,,,,allocated,A1,2026-12-01\n",
            "MB3,phone,Samsung,S23,,,,,allocated,A1,2026-07-01T09:30:00+01:00\n",
            "MB4,phone,Samsung,S23,,,,,allocated,A1,\n",
            "RD1,radio,Motorola,MTP6650,,,,,in_stock,,\n",
        ));
        assert_eq!(p.errors, vec![]);
        let from: Vec<_> = p.rows.iter().map(|r| r.allocated_from).collect();
        assert_eq!(
            from,
            vec![
                Some(time::macros::datetime!(2026-06-30 23:00 UTC)),
                Some(time::macros::datetime!(2026-12-01 00:00 UTC)),
                Some(time::macros::datetime!(2026-07-01 08:30 UTC)),
                None,
                None
            ]
        );
    }

    #[test]
    fn a_bad_allocated_from_is_an_error_naming_line_and_field() {
        let p = with_start(concat!(
            "MB1,phone,Samsung,S23,,,,,allocated,A1,01/07/2026\n",
            "MB2,phone,Samsung,S23,,,,,allocated,A1,2026-02-30\n",
            "MB3,phone,Samsung,S23,,,,,allocated,A1,2026-07-01 09:30\n",
        ));
        assert_eq!(
            fields(&p.errors),
            vec![(2, Some("allocated_from")), (3, Some("allocated_from")), (4, Some("allocated_from"))]
        );
        assert!(p.errors[0].message.contains("YYYY-MM-DD"));
    }

    #[test]
    fn allocated_from_on_a_device_that_is_not_allocated_is_an_error_on_allocated_from() {
        let p = with_start("RD1,radio,Motorola,MTP6650,,,,,in_stock,,2026-01-01\n");
        assert_eq!(fields(&p.errors), vec![(2, Some("allocated_from"))]);
        assert!(p.errors[0].message.contains("in_stock"));
    }

    #[test]
    fn the_header_may_end_at_allocated_to_or_allocated_from_and_nothing_else() {
        assert!(devices("RD1,radio,Motorola,MTP6650,,,,,in_stock,\n").errors.is_empty());
        let e =
            parse_devices_csv(format!("{}x\n", START_HEADER.trim_end().to_string() + ",extra").as_bytes()).unwrap_err();
        assert!(e.message.contains("allocated_from"), "{}", e.message);
        // An eleven-field row under a ten-column header is still a field-count error.
        let p = devices("RD1,radio,Motorola,MTP6650,,,,,in_stock,,2026-01-01\n");
        assert_eq!(fields(&p.errors), vec![(2, None)]);
    }

    #[test]
    fn a_device_row_with_the_wrong_number_of_fields_is_one_error_naming_the_line() {
        let p = devices("MB1,phone,Samsung\n");
        assert_eq!(fields(&p.errors), vec![(2, None)]);
    }
}
