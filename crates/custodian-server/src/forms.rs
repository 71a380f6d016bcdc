//! Validation of single-record input from forms and JSON, reusing the import rules so a device
//! entered by hand is held to the same standard as one imported.

use custodian_domain::devices::{DeviceStatus, DeviceType};
use custodian_domain::imports::DeviceRow;
use custodian_domain::validate;

use crate::error::{AppError, FieldProblem};

fn opt(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Build a new in-stock device from user input, reporting every bad field at once.
#[allow(clippy::too_many_arguments)]
pub fn device_row(
    asset_tag: &str,
    device_type: &str,
    make: &str,
    model: &str,
    serial: Option<&str>,
    imei: Option<&str>,
    phone: Option<&str>,
    os: Option<&str>,
) -> Result<DeviceRow, AppError> {
    let mut errors = Vec::new();
    let mut err =
        |field: &str, message: String| errors.push(FieldProblem { field: Some(field.into()), line: None, message });
    let tag = asset_tag.trim().to_ascii_uppercase();
    if tag.is_empty() || tag.len() > 40 || !tag.chars().all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c)) {
        err("asset_tag", "Enter an asset tag of up to 40 letters, digits, '-', '_' or '/'".into());
    }
    let dtype = DeviceType::parse(device_type);
    if dtype.is_none() {
        err("type", "Choose laptop, tablet, phone, radio or other".into());
    }
    if make.trim().is_empty() {
        err("make", "Enter the make".into());
    }
    if model.trim().is_empty() {
        err("model", "Enter the model".into());
    }
    let imei = match opt(imei).map(validate::imei) {
        Some(Ok(v)) => Some(v),
        Some(Err(m)) => {
            err("imei", m);
            None
        }
        None => None,
    };
    let phone = match opt(phone).map(validate::phone_e164) {
        Some(Ok(v)) => Some(v),
        Some(Err(m)) => {
            err("phone_number", m);
            None
        }
        None => None,
    };
    match (dtype, errors.is_empty()) {
        (Some(device_type), true) => Ok(DeviceRow {
            line: 1,
            asset_tag: tag,
            device_type,
            make: make.trim().into(),
            model: model.trim().into(),
            serial: opt(serial).map(str::to_string),
            imei,
            phone_number: phone,
            os: opt(os).map(str::to_string),
            status: DeviceStatus::InStock,
            allocated_to: None,
        }),
        _ => Err(AppError::Invalid {
            detail: errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            errors,
        }),
    }
}
