//! One table per enum: [`wire_enum!`](crate::wire_enum) declares a unit enum together with the
//! one name each variant has outside Rust — in JSON (serde), in URLs and form values ([`std::str::FromStr`]) — so those cannot drift apart.
//! A variant may also list older names that are still read (never written).
//!
//! Why a macro of our own rather than strum + serde derives: the two derive the name twice
//! (strum's `serialize_all` and serde's `rename_all`), and an irregular name such as
//! `openai` must then be spelled in both attributes — the drift this exists to prevent.

/// A wire name that no variant of `enum_name` has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {enum_name} '{value}'; expected one of: {}", expected.join(", "))]
pub struct UnknownName {
    pub enum_name: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

/// Declares a unit enum and its wire names. Generates `ALL` (declaration order), `as_str`,
/// `parse`, `FromStr` and serde's `Serialize`/`Deserialize`; the enums stored as text also get
/// rusqlite's `ToSql`/`FromSql` (the `sqlite` feature, listed in `mod sql` below).
///
/// ```
/// model::wire_enum! {
///     /// A colour.
///     pub enum Colour {
///         Red = "red",
///         DarkBlue = "dark_blue" | "navy",
///     }
/// }
/// assert_eq!(Colour::parse("navy"), Some(Colour::DarkBlue));
/// assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
/// assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"red\"");
/// ```
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// The wire names, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// Every variant, in declaration order.
            pub const ALL: [$name; <[&str]>::len(&[$($wire),+])] = [$($name::$variant),+];

            /// The one name this value has in JSON, SQLite, URLs and forms.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire ),+
                }
            }

            /// The value a wire name (or an older alias of it) stands for.
            pub fn parse(value: &str) -> Option<$name> {
                match value {
                    $( $wire $(| $alias)* => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::UnknownName;

            fn from_str(value: &str) -> Result<$name, $crate::wire::UnknownName> {
                $name::parse(value).ok_or_else(|| $crate::wire::UnknownName {
                    enum_name: stringify!($name),
                    value: value.to_owned(),
                    expected: $name::NAMES,
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "one of: {}", $name::NAMES.join(", "))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        $name::parse(value)
                            .ok_or_else(|| E::unknown_variant(value, $name::NAMES))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

/// The wire enums SQLite stores as their wire name (a `TEXT` column), and
/// [`crate::Priority`], stored as its rank so that queues can sort by it.
#[cfg(feature = "sqlite")]
mod sql {
    use crate::{AgentKind, PermissionPolicy, Priority, SessionStatus, TaskStatus};
    use rusqlite::ToSql;
    use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

    macro_rules! stored_as_text {
        ($($name:ty),+) => {$(
            impl ToSql for $name {
                fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                    Ok(ToSqlOutput::from(self.as_str()))
                }
            }

            impl FromSql for $name {
                fn column_result(value: ValueRef<'_>) -> FromSqlResult<$name> {
                    value
                        .as_str()?
                        .parse::<$name>()
                        .map_err(|e| FromSqlError::Other(Box::new(e)))
                }
            }
        )+};
    }

    stored_as_text!(
        TaskStatus,
        SessionStatus,
        AgentKind,
        PermissionPolicy,
        crate::comment::LineSide
    );

    impl ToSql for Priority {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(ToSqlOutput::from(self.rank()))
        }
    }

    impl FromSql for Priority {
        fn column_result(value: ValueRef<'_>) -> FromSqlResult<Priority> {
            let rank = value.as_i64()?;
            Priority::from_rank(rank).ok_or(FromSqlError::OutOfRange(rank))
        }
    }
}

#[cfg(test)]
mod tests {
    crate::wire_enum! {
        /// A test enum with an irregular name and an alias.
        enum Sample {
            First = "first",
            OpenAi = "openai" | "open_ai",
        }
    }

    #[test]
    fn every_variant_round_trips_through_its_one_name() {
        for value in Sample::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
            assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), value);
            assert_eq!(value.as_str().parse::<Sample>(), Ok(value));
        }
        assert_eq!(Sample::NAMES, ["first", "openai"]);
    }

    #[test]
    fn an_alias_is_read_but_never_written() {
        assert_eq!(Sample::parse("open_ai"), Some(Sample::OpenAi));
        assert_eq!(
            serde_json::from_str::<Sample>("\"open_ai\"").unwrap(),
            Sample::OpenAi
        );
        assert_eq!(Sample::OpenAi.as_str(), "openai");
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_names_that_exist() {
        let err = "second".parse::<Sample>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown Sample 'second'; expected one of: first, openai"
        );
        let json = serde_json::from_str::<Sample>("\"second\"").unwrap_err();
        assert!(
            json.to_string().contains("unknown variant `second`"),
            "{json}"
        );
        // A value owned by the deserializer (not borrowed from the input) also decodes.
        let owned: Sample = serde_json::from_value(serde_json::json!("first")).unwrap();
        assert_eq!(owned, Sample::First);
    }
}
