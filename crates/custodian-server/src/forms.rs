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
            allocated_from: None,
        }),
        _ => Err(AppError::Invalid {
            detail: errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            errors,
        }),
    }
}

// ---- Free text: what every form and JSON body may carry -----------------------------------

/// The first character of `s` that no free-text input may hold: a control character other
/// than tab, carriage return and line feed (NUL among them, which PostgreSQL refuses in text).
pub fn forbidden_character(s: &str) -> Option<char> {
    s.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// The 422 for a field holding a forbidden character, naming the field and the character.
pub fn forbidden_character_error(field: &str, c: char) -> AppError {
    AppError::invalid(
        field,
        format!(
            "contains the control character U+{:04X}; remove it (only tabs and line breaks are allowed in text)",
            c as u32
        ),
    )
}

/// Check every string (and object key) in a JSON document, naming the first bad one by its
/// JSON pointer.
pub fn check_json_text(v: &serde_json::Value) -> Result<(), AppError> {
    fn walk(v: &serde_json::Value, pointer: &mut String) -> Result<(), AppError> {
        match v {
            serde_json::Value::String(s) => match forbidden_character(s) {
                Some(c) => Err(forbidden_character_error(if pointer.is_empty() { "body" } else { pointer }, c)),
                None => Ok(()),
            },
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    walk(item, pointer)?;
                    pointer.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    if let Some(c) = forbidden_character(k) {
                        return Err(forbidden_character_error(pointer, c));
                    }
                    walk(item, pointer)?;
                    pointer.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

/// An extractor's body rejection as the right error: 413 with the limit for a body over it,
/// else a 422 naming the body.
pub fn body_rejection(e: axum::extract::rejection::BytesRejection) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(format!(
            "The request is larger than the {} MB the web service accepts here. Import large files \
             on the server with the `custodian` command instead.",
            crate::BODY_LIMIT >> 20
        ))
    } else {
        AppError::invalid("body", e.body_text())
    }
}

/// A URL-encoded form, as `axum::Form`, but: a body over the limit is a 413 that says so, a
/// field holding a control character (other than tab and line breaks) is a 422 naming the
/// field, and a form that does not fit is a 422 naming it; all rendered as the web interface's
/// error page.
pub struct Form<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Form<T> {
    type Rejection = crate::error::UiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Self::read_body(req, state).await?;
        Ok(Form(Self::parse(&bytes)?))
    }
}

impl<T> Form<T> {
    /// The body of a URL-encoded form, refused when it is over the limit, of another content
    /// type, or holds a control character (other than tab and line breaks) in a name or value.
    pub(crate) async fn read_body<S: Send + Sync>(
        req: axum::extract::Request,
        state: &S,
    ) -> Result<axum::body::Bytes, AppError> {
        use axum::extract::FromRequest;
        let form_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(body_rejection)?;
        if !form_type && !bytes.is_empty() {
            return Err(AppError::invalid("body", "send the form as application/x-www-form-urlencoded"));
        }
        for (k, v) in form_urlencoded_pairs(&bytes) {
            if let Some(c) = forbidden_character(&v).or_else(|| forbidden_character(&k)) {
                let field = if forbidden_character(&k).is_some() { "form".to_string() } else { k };
                return Err(forbidden_character_error(&field, c));
            }
        }
        Ok(bytes)
    }
}

impl<T: serde::de::DeserializeOwned> Form<T> {
    /// A checked body (see [`Form::read_body`]) as `T`; a form that does not fit is a 422.
    pub(crate) fn parse(bytes: &[u8]) -> Result<T, AppError> {
        serde_urlencoded::from_bytes::<T>(bytes).map_err(|e| {
            let e = e.to_string();
            // "missing field `reason`": name the field, in words, so the page can show it beside it.
            match e.strip_prefix("missing field `").and_then(|r| r.split_once('`')) {
                Some((field, _)) => {
                    AppError::invalid(field, format!("Enter {}", crate::error::humanise(field).to_lowercase()))
                }
                None => AppError::invalid("form", format!("The form could not be read: {e}")),
            }
        })
    }
}

/// The decoded name and value of every field of a URL-encoded body.
pub(crate) fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_tab_and_line_breaks_are_forbidden() {
        assert_eq!(forbidden_character("a\tb\r\nc"), None);
        assert_eq!(forbidden_character("a\0b"), Some('\0'));
        assert_eq!(forbidden_character("bell\u{7}"), Some('\u{7}'));
        assert_eq!(forbidden_character("del\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_character("c1\u{85}"), Some('\u{85}'));
        assert_eq!(forbidden_character("Ünïcödé ✓"), None);
    }

    #[test]
    fn json_text_is_checked_everywhere_and_named_by_pointer() {
        let v = serde_json::json!({"a": "ok", "b": [{"c": "fine"}, {"d/e": "bad\u{0}"}]});
        match check_json_text(&v) {
            Err(AppError::Invalid { errors, .. }) => assert_eq!(errors[0].field.as_deref(), Some("/b/1/d~1e")),
            other => panic!("{other:?}"),
        }
        assert!(check_json_text(&serde_json::json!({"a": ["x\ty", 1, null]})).is_ok());
    }
}

// ---- Dates: a sensible window -------------------------------------------------------------

/// The earliest date any form or API accepts: nothing Custodian records (delegations, overseas
/// windows, streaming exceptions, grants, schedules) starts before its own era.
pub const EARLIEST_DATE: time::Date = time::macros::date!(2000 - 01 - 01);

/// How far ahead a date may be: five years. WP034 names no limit; a deputy, an overseas trip,
/// a streaming exception or an app grant further ahead than that is a typing error, and the
/// policy itself is reviewed more often than that.
pub const MAX_DAYS_AHEAD: i64 = 5 * 365 + 1;

/// The latest date accepted on `today`.
pub fn latest_date(today: time::Date) -> time::Date {
    today.saturating_add(time::Duration::days(MAX_DAYS_AHEAD))
}

/// Refuse a date outside [`EARLIEST_DATE`] ..= today + five years, naming the field.
pub fn check_date(field: &str, d: time::Date, today: time::Date) -> Result<(), AppError> {
    let latest = latest_date(today);
    if d < EARLIEST_DATE || d > latest {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        return Err(AppError::invalid(
            field,
            format!(
                "{} is outside the dates Custodian accepts: give a date from {} to {} (at most five years ahead)",
                d.format(f).unwrap_or_default(),
                EARLIEST_DATE.format(f).unwrap_or_default(),
                latest.format(f).unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// [`check_date`] for a moment (its UTC date).
pub fn check_moment(field: &str, t: time::OffsetDateTime, now: time::OffsetDateTime) -> Result<(), AppError> {
    check_date(field, t.to_offset(time::UtcOffset::UTC).date(), now.to_offset(time::UtcOffset::UTC).date())
}

#[cfg(test)]
mod date_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_from_2000_to_five_years_ahead_are_accepted_and_others_name_the_field() {
        let today = date!(2026 - 12 - 02);
        assert!(check_date("from", date!(2000 - 01 - 01), today).is_ok());
        assert!(check_date("from", date!(2031 - 12 - 02), today).is_ok());
        for (d, field) in
            [(date!(0001 - 01 - 01), "from"), (date!(1999 - 12 - 31), "to"), (date!(9999 - 12 - 31), "until")]
        {
            match check_date(field, d, today) {
                Err(AppError::Invalid { errors, .. }) => assert_eq!(errors[0].field.as_deref(), Some(field)),
                other => panic!("{d}: {other:?}"),
            }
        }
        assert!(check_date("to", date!(2031 - 12 - 04), today).is_err());
    }
}
