//! Credentials that never print.
//!
//! [`ApiKey`], [`Password`] and [`Token`] hold their value privately: `Debug`, `Display` and
//! serialization all write `<redacted>`, so a credential cannot leak through a log line, an error
//! message or a JSON dump by accident. The value is reachable only through [`ApiKey::expose`] (and
//! its twins), which a transport calls when it puts the value on the wire.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What every secret prints instead of its value.
pub const REDACTED: &str = "<redacted>";

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value itself, for putting on the wire. Never log it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// True when the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// Checks that the value can go into a header: non-empty, visible ASCII only, so
            /// that no CR, LF or other control character can add a header of its own. The error
            /// names `field` but never echoes the value.
            #[allow(dead_code, reason = "a password goes into a body, never into a header")]
            pub(crate) fn check_for_header(&self, field: &str) -> crate::error::Result<()> {
                if !self.0.is_empty() && self.0.bytes().all(|b| b.is_ascii_graphic()) {
                    Ok(())
                } else {
                    Err(crate::error::Error::invalid(field, "a non-empty value of visible ASCII characters", REDACTED))
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(REDACTED)
            }
        }

        // As written: always the redaction mark, never the value.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "const": REDACTED})
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_type!(
    /// A Rackspace API key (Identity's `RAX-KSKEY:apiKeyCredentials`, v1.0's `X-Auth-Key`).
    ApiKey
);
secret_type!(
    /// A Rackspace account password (Identity's `passwordCredentials`).
    Password
);
secret_type!(
    /// An Identity token (`X-Auth-Token`).
    Token
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let key = ApiKey::new("0123456789abcdef");
        let token = Token::new("tok-secret");
        let password = Password::new("hunter2");
        for shown in [
            format!("{key:?} {key} {token:?} {token} {password:?} {password}"),
            serde_json::to_string(&(&key, &token, &password)).unwrap_or_default(),
        ] {
            assert!(!shown.contains("0123456789abcdef"), "{shown}");
            assert!(!shown.contains("tok-secret"), "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        assert_eq!(key.expose(), "0123456789abcdef");
    }
}
