//! Column types for `#[derive(sqlx::FromRow)]` rows that read the same on SQLite and PostgreSQL:
//! text that holds one of a `str_enum!`'s stored names, and JSON stored as text (both backends
//! keep JSON in `TEXT` columns, which `sqlx::types::Json` refuses on PostgreSQL). A value that
//! does not parse is a decode error naming its column (`StoreError::Internal`, see `error.rs`),
//! never a default or a null.
//!
//! Use them through `try_from` on the record's own field type:
//! `#[sqlx(try_from = "String")] status: FindingStatus` (every `str_enum!` is `TryFrom<String>`),
//! `#[sqlx(try_from = "OptText<Outcome>")] outcome: Option<Outcome>`,
//! `#[sqlx(try_from = "JsonText<Value>")] evidence: Value`.

use std::collections::BTreeMap;
use std::str::FromStr;

use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type, ValueRef};

/// A nullable text column holding a value parsed with [`FromStr`] (a `str_enum!` name): `NULL`
/// is `None`, a name that does not parse is an error.
pub(crate) struct OptText<T>(Option<T>);

/// A text column holding JSON, deserialized into `T`.
pub(crate) struct JsonText<T>(T);

/// A nullable text column holding JSON: `NULL` is `None`.
pub(crate) struct OptJsonText<T>(Option<T>);

/// Every wrapper reads and type-check as the backend's text.
macro_rules! as_text {
    ($wrapper:ident) => {
        impl<DB: Database> Type<DB> for $wrapper
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }
    };
    ($($wrapper:ident<T>),+) => {$(
        impl<DB: Database, T> Type<DB> for $wrapper<T>
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }
    )+};
}
as_text!(OptText<T>, JsonText<T>, OptJsonText<T>);

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

impl<'r, DB: Database, T: serde::de::DeserializeOwned> Decode<'r, DB> for OptJsonText<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(text::<DB>(value)?.map(serde_json::from_str).transpose()?))
    }
}

impl<T> From<OptText<T>> for Option<T> {
    fn from(v: OptText<T>) -> Self {
        v.0
    }
}

impl<T> From<OptJsonText<T>> for Option<T> {
    fn from(v: OptJsonText<T>) -> Self {
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

impl<K, V> From<JsonText<BTreeMap<K, V>>> for BTreeMap<K, V> {
    fn from(v: JsonText<BTreeMap<K, V>>) -> Self {
        v.0
    }
}

/// A text column holding words separated by spaces (an API token's scopes).
pub(crate) struct Words(Vec<String>);

as_text!(Words);

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

as_text!(CommaList<T>);

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

as_text!(IsoDate);

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

impl<DB: Database> Type<DB> for Flag
where
    i64: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <i64 as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <i64 as Type<DB>>::compatible(ty)
    }
}

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
