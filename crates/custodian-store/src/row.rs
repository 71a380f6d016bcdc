//! Column types for `#[derive(sqlx::FromRow)]` rows that read the same on SQLite and PostgreSQL:
//! the values the portable schema keeps as text (a `str_enum!`'s stored name, JSON, a list, an ISO
//! date) or as a 0/1 integer (a flag). JSON is in `TEXT` columns on both backends, which
//! `sqlx::types::Json` refuses on PostgreSQL, hence [`JsonText`]. A value that
//! does not parse is a decode error naming its column (`StoreError::Internal`, see `error.rs`),
//! never a default or a null.
//!
//! Use them through `try_from` on the record's own field type:
//! `#[sqlx(try_from = "String")] status: FindingStatus` (every `str_enum!` is `TryFrom<String>`),
//! `#[sqlx(try_from = "OptText<Outcome>")] outcome: Option<Outcome>`,
//! `#[sqlx(try_from = "JsonText<Value>")] evidence: Value`.

use std::str::FromStr;

use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type, ValueRef};

/// A nullable text column holding a value parsed with [`FromStr`] (a `str_enum!` name): `NULL`
/// is `None`, a name that does not parse is an error.
pub(crate) struct OptText<T>(Option<T>);

/// A text column holding JSON, deserialized into `T`.
pub(crate) struct JsonText<T>(T);

/// The wrappers read and type-check as the backend's text (`str`) or integer (`i64`).
macro_rules! reads_as {
    ($inner:ty: $($wrapper:ident $(<$t:ident>)?),+) => {$(
        impl<DB: Database $(, $t)?> Type<DB> for $wrapper $(<$t>)?
        where
            $inner: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <$inner as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <$inner as Type<DB>>::compatible(ty)
            }
        }
    )+};
}
reads_as!(str: OptText<T>, JsonText<T>, CommaList<T>, Words, IsoDate);
reads_as!(i64: Flag);

/// The text of a non-null value, or `None` for `NULL`.
fn text<'r, DB: Database>(value: DB::ValueRef<'r>) -> Result<Option<&'r str>, BoxDynError>
where
    &'r str: Decode<'r, DB>,
{
    if value.is_null() { Ok(None) } else { <&'r str as Decode<'r, DB>>::decode(value).map(Some) }
}

impl<'r, DB: Database, T> Decode<'r, DB> for OptText<T>
where
    &'r str: Decode<'r, DB>,
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(text::<DB>(value)?.map(T::from_str).transpose()?))
    }
}

impl<'r, DB: Database, T: serde::de::DeserializeOwned> Decode<'r, DB> for JsonText<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(serde_json::from_str(<&'r str as Decode<'r, DB>>::decode(value)?)?))
    }
}

impl<T> From<OptText<T>> for Option<T> {
    fn from(v: OptText<T>) -> Self {
        v.0
    }
}

// The orphan rule allows `From<JsonText<X>>` for a foreign `X` only where `X` names its type
// parameters (a bare `impl<T> From<JsonText<T>> for T` is refused), hence one line per shape.
impl From<JsonText<serde_json::Value>> for serde_json::Value {
    fn from(v: JsonText<serde_json::Value>) -> Self {
        v.0
    }
}

impl<T> From<JsonText<Vec<T>>> for Vec<T> {
    fn from(v: JsonText<Vec<T>>) -> Self {
        v.0
    }
}

/// A text column holding words separated by spaces (an API token's scopes).
pub(crate) struct Words(Vec<String>);

impl<'r, DB: Database> Decode<'r, DB> for Words
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<&'r str as Decode<'r, DB>>::decode(value)?.split_whitespace().map(str::to_string).collect()))
    }
}

impl From<Words> for Vec<String> {
    fn from(v: Words) -> Self {
        v.0
    }
}

/// A text column holding values separated by commas, each parsed with [`FromStr`] (an overseas
/// window's devices and countries); the empty text is no values.
pub(crate) struct CommaList<T>(Vec<T>);

impl<'r, DB: Database, T> Decode<'r, DB> for CommaList<T>
where
    &'r str: Decode<'r, DB>,
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&'r str as Decode<'r, DB>>::decode(value)?;
        Ok(Self(text.split(',').filter(|s| !s.is_empty()).map(T::from_str).collect::<Result<_, _>>()?))
    }
}

impl<T> From<CommaList<T>> for Vec<T> {
    fn from(v: CommaList<T>) -> Self {
        v.0
    }
}

/// A text column holding a calendar date as ISO 8601 (`2026-12-03`).
pub(crate) struct IsoDate(time::Date);

impl<'r, DB: Database> Decode<'r, DB> for IsoDate
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&'r str as Decode<'r, DB>>::decode(value)?;
        Ok(Self(time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)?))
    }
}

impl From<IsoDate> for time::Date {
    fn from(v: IsoDate) -> Self {
        v.0
    }
}

/// An integer column holding a flag as 0 or 1 (the schema's portable boolean).
pub(crate) struct Flag(bool);

impl<'r, DB: Database> Decode<'r, DB> for Flag
where
    i64: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<i64 as Decode<'r, DB>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(v: Flag) -> Self {
        v.0
    }
}

/// Read a `#[derive(sqlx::FromRow)]` record from a row; a stored value that does not read as its
/// field's type is `StoreError::Internal` naming the column (through `From<sqlx::Error>`).
pub(crate) fn read<'r, R: sqlx::Row, T: sqlx::FromRow<'r, R>>(row: &'r R) -> crate::Result<T> {
    Ok(T::from_row(row)?)
}
