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
/// `FromStr` and `TryFrom<String>` (exactly the stored name, else an [`UnknownValue`]).
///
/// The enum derives `Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize` (serde
/// names are the stored names); further derives are written on the enum as usual. It gets a
/// `parse(&str) -> Option<Self>` for forms and files, as a leading `parse: MODE;` says:
/// `exact` (the default: exactly a stored name), `trimmed` (after trimming), `lenient` (after
/// trimming and lower-casing), or `own` (none: the enum writes its own).
///
/// `bare:` in front gives only the text impls, with the derives written on the enum.
///
/// ```
/// custodian_domain::str_enum! {
///     parse: lenient;
///     pub enum Colour {
///         Red = "red",
///         DarkBlue = "dark_blue",
///     }
/// }
/// assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
/// assert_eq!(Colour::Red.to_string(), "red");
/// assert_eq!("dark_blue".parse::<Colour>(), Ok(Colour::DarkBlue));
/// assert_eq!(Colour::parse(" Dark_Blue "), Some(Colour::DarkBlue));
/// assert_eq!(Colour::try_from(String::from("red")), Ok(Colour::Red));
/// assert_eq!(serde_json::to_string(&Colour::DarkBlue).unwrap(), r#""dark_blue""#);
/// let e = "green".parse::<Colour>().unwrap_err();
/// assert_eq!(e.to_string(), r#""green" is not a valid Colour (expected one of: red, dark_blue)"#);
/// ```
#[macro_export]
macro_rules! str_enum {
    (@parse exact) => {
        /// Exactly a stored name, else `None`.
        pub fn parse(s: &str) -> Option<Self> {
            s.parse().ok()
        }
    };
    (@parse trimmed) => {
        /// A stored name after trimming, else `None`.
        pub fn parse(s: &str) -> Option<Self> {
            s.trim().parse().ok()
        }
    };
    (@parse lenient) => {
        /// A stored name after trimming and lower-casing, else `None`.
        pub fn parse(s: &str) -> Option<Self> {
            s.trim().to_ascii_lowercase().parse().ok()
        }
    };
    (@parse own) => {};
    (@text $name:ident { $($variant:ident = $text:literal),+ }) => {
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
    (
        bare:
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        $crate::str_enum!(@text $name { $($variant = $text),+ });
    };
    (
        parse: $mode:ident;
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        $crate::str_enum!(@text $name { $($variant = $text),+ });

        impl $name {
            $crate::str_enum!(@parse $mode);
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($body:tt)* }
    ) => {
        $crate::str_enum! { parse: exact; $(#[$meta])* $vis enum $name { $($body)* } }
    };
}
