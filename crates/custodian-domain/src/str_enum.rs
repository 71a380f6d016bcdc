//! Enums stored as text: one declaration gives each value its stored name, and `as_str`,
//! `Display`, `FromStr` and `TryFrom<String>` from it, so the names are written once.

/// A text that is none of an enum's stored names, naming the bad value and the good ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind} (expected one of: {})", expected.join(", "))]
pub struct UnknownValue {
    /// The enum's name, e.g. `Severity`.
    pub kind: &'static str,
    /// The text that was given.
    pub value: String,
    /// Every stored name, in declaration order.
    pub expected: &'static [&'static str],
}

/// Declares an enum whose values are stored as text: each variant is written
/// `Variant = "stored_name"`, and the enum gets `as_str`, `Display` (the stored name), and
/// `FromStr` and `TryFrom<String>` (exactly the stored name, else an [`UnknownValue`]). Derives
/// and serde attributes are written on the enum as usual and stay as they are.
///
/// ```
/// custodian_domain::str_enum! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Colour {
///         Red = "red",
///         DarkBlue = "dark_blue",
///     }
/// }
/// assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
/// assert_eq!(Colour::Red.to_string(), "red");
/// assert_eq!("dark_blue".parse::<Colour>(), Ok(Colour::DarkBlue));
/// assert_eq!(Colour::try_from(String::from("red")), Ok(Colour::Red));
/// let e = "green".parse::<Colour>().unwrap_err();
/// assert_eq!(e.to_string(), r#""green" is not a valid Colour (expected one of: red, dark_blue)"#);
/// ```
#[macro_export]
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The name this value is stored and shown as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            /// Exactly a stored name (no trimming, no change of case).
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                        expected: &[$($text),+],
                    }),
                }
            }
        }

        /// What a stored row's column decodes through (`#[sqlx(try_from = "String")]` in the
        /// store): exactly a stored name, else an [`UnknownValue`].
        impl ::core::convert::TryFrom<::std::string::String> for $name {
            type Error = $crate::UnknownValue;

            fn try_from(s: ::std::string::String) -> ::core::result::Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}
