//! Open enumerations: the statuses these APIs return are open sets. A value this crate does not
//! know is kept as received (`Other`), never rejected, so a new status from Rackspace is surfaced
//! to the user instead of breaking the parse or being looped on.

macro_rules! open_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this crate does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// Reads a value; known values match in any case, anything else is kept as `Other`.
            pub fn parse(text: &str) -> Self {
                let text = Self::canonical(text);
                $(if text == $text { return Self::$variant; })+
                Self::Other(text.to_owned())
            }

            /// The text a value is kept as: a known value as the API writes it (matched in any
            /// case), anything else trimmed. The one rule [`Self::parse`] and the one-pass
            /// reader (`format::shape`) both apply.
            pub(crate) fn canonical(text: &str) -> &str {
                let text = text.trim();
                $(if text.eq_ignore_ascii_case($text) { return $text; })+
                text
            }

            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(other) => other,
                }
            }

            /// False for a value this crate does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // An open set in the schema: a string, with the values this crate knows listed.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": concat!($($doc, "\n"),*).trim(),
                    "x-known-values": [$($text),+],
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    };
}

pub(crate) use open_enum;
