//! Identifiers and regions, validated before they reach a URL.
//!
//! Every id that is put into a path is checked against a strict alphabet (`[A-Za-z0-9_-]`, plus
//! `:` for tenants, which Rackspace writes as `hybrid:123456` for hybrid accounts), so no input can
//! add a path segment, a query or a fragment. Rackspace uses UUIDs and decimal numbers; the
//! alphabet is wider than that on purpose, so that emulators and future id formats still work.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};

const MAX_ID_LEN: usize = 128;

fn check(field: &str, value: &str, extra: &[char], expected: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(&c))
        // `.` and `..` would be path segments of their own.
        && !value.chars().all(|c| c == '.');
    if ok { Ok(()) } else { Err(Error::invalid(field, expected, value)) }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $extra:expr, $expected:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an id.
            pub fn new(value: impl Into<String>) -> Result<Self> {
                Self::new_as($field, value)
            }

            /// Validates an id given under another input name (e.g. `cloud_server_id`), so
            /// the error names what the caller wrote.
            pub fn new_as(field: &str, value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                check(field, &value, $extra, $expected)?;
                Ok(Self(value))
            }

            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Compares two ids ignoring ASCII case (the v3 API echoes UUIDs in either case).
            pub fn eq_ignore_case(&self, other: &str) -> bool {
                self.0.eq_ignore_ascii_case(other)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(value: &str) -> Result<Self> {
                Self::new(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                crate::format::json::checked_string(deserializer, |value| Self::new(value).map_err(|e| e.to_string()))
            }
        }
    };
}

id_type!(
    /// A cloud server id (a UUID).
    ServerId, "server_id", &[], "1 to 128 characters from A-Z a-z 0-9 - _"
);
id_type!(
    /// A RackConnect v3 load-balancer pool id.
    PoolId, "pool_id", &[], "1 to 128 characters from A-Z a-z 0-9 - _"
);
id_type!(
    /// A RackConnect v3 pool node id (not the server id).
    NodeId, "node_id", &[], "1 to 128 characters from A-Z a-z 0-9 - _"
);
id_type!(
    /// A RackConnect v3 public IP id.
    PublicIpId, "public_ip_id", &[], "a public IP's id, not its address: 1 to 128 characters from A-Z a-z 0-9 - _"
);
id_type!(
    /// A cloud network id (a UUID).
    NetworkId, "network_id", &[], "1 to 128 characters from A-Z a-z 0-9 - _"
);
id_type!(
    /// An account (tenant) id: decimal, or `hybrid:NNN` for hybrid accounts.
    TenantId, "tenant_id", &[':'], "1 to 128 characters from A-Z a-z 0-9 - _ :"
);
id_type!(
    /// A Cloud Servers metadata key, e.g. `rackconnect_automation_status`.
    MetadataKey, "metadata_key", &['.', ':'], "1 to 128 characters from A-Z a-z 0-9 - _ . :"
);

impl MetadataKey {
    /// The metadata key RackConnect v2 writes its automation status to.
    pub fn automation_status() -> Self {
        Self(crate::servers::keys::AUTOMATION_STATUS.to_owned())
    }
}

/// A Rackspace region with RackConnect.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// Dallas/Fort Worth.
    Dfw,
    /// Hong Kong.
    Hkg,
    /// Northern Virginia.
    Iad,
    /// London.
    Lon,
    /// Chicago.
    Ord,
    /// Sydney.
    Syd,
}

impl Region {
    /// All regions, in alphabetical order.
    pub const ALL: [Region; 6] = [Region::Dfw, Region::Hkg, Region::Iad, Region::Lon, Region::Ord, Region::Syd];

    /// Parses a region name in any case (`dfw`, `DFW`).
    pub fn parse(value: &str) -> Result<Self> {
        Region::ALL
            .into_iter()
            .find(|r| r.lower().eq_ignore_ascii_case(value))
            .ok_or_else(|| Error::invalid("region", "one of dfw, hkg, iad, lon, ord, syd", value))
    }

    /// The lower-case name used in hostnames (`dfw`).
    pub fn lower(self) -> &'static str {
        match self {
            Region::Dfw => "dfw",
            Region::Hkg => "hkg",
            Region::Iad => "iad",
            Region::Lon => "lon",
            Region::Ord => "ord",
            Region::Syd => "syd",
        }
    }

    /// The upper-case name used in the service catalog and in roles (`DFW`).
    pub fn upper(self) -> &'static str {
        match self {
            Region::Dfw => "DFW",
            Region::Hkg => "HKG",
            Region::Iad => "IAD",
            Region::Lon => "LON",
            Region::Ord => "ORD",
            Region::Syd => "SYD",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.lower())
    }
}

impl std::str::FromStr for Region {
    type Err = Error;
    fn from_str(value: &str) -> Result<Self> {
        Region::parse(value)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        crate::format::json::checked_string(deserializer, |value| Region::parse(&value).map_err(|e| e.to_string()))
    }
}

/// A base URL (`http://` or `https://`, no query or fragment), kept without a trailing slash.
///
/// Whether plain `http` is acceptable is a transport decision (the blocking client allows it only
/// for loopback); the core only checks the form.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Validates a base URL.
    pub fn new(field: &str, value: &str) -> Result<Self> {
        const EXPECTED: &str = "an http:// or https:// URL with a host and no query, fragment, spaces or credentials";
        // A URL with user:password@ holds a credential: the error shows it redacted.
        let shown = match value.split_once("://") {
            Some((scheme, rest)) if rest.split('/').next().unwrap_or("").contains('@') => {
                let after = rest.split_once('@').map_or("", |(_, host)| host);
                format!("{scheme}://{}@{after}", crate::secret::REDACTED)
            }
            _ => value.to_owned(),
        };
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| Error::invalid(field, EXPECTED, &shown))?;
        let host = rest.split('/').next().unwrap_or("");
        let bad = host.is_empty()
            || host.contains('@')
            || rest.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\'))
            || rest.split('/').any(|seg| seg == ".." || seg == ".");
        if bad {
            return Err(Error::invalid(field, EXPECTED, &shown));
        }
        Ok(Self(value.trim_end_matches('/').to_owned()))
    }

    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the host is a loopback address (`127.0.0.0/8`, `[::1]`, `localhost`), by the
    /// one rule of [`client::url_rule`](crate::client::url_rule).
    pub fn is_loopback(&self) -> bool {
        crate::client::url_rule::is_loopback_url(&self.0)
    }

    /// Appends a path that starts with `/`.
    pub(crate) fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_path_and_query_injection() {
        for bad in ["", "a/b", "..", "a?x=1", "a#f", "a b", "a%2F", "a\nb", "é", &"x".repeat(129)] {
            let err = ServerId::new(bad).expect_err(bad);
            assert_eq!(err.kind(), "invalid_input");
            assert!(err.to_string().contains("server_id"), "{err}");
        }
        assert!(ServerId::new("5E4C5A4F-8B3B-4B5B-9B5B-1B2B3B4B5B6B").is_ok());
        assert!(TenantId::new("hybrid:123456").is_ok());
        assert!(ServerId::new("hybrid:1").is_err());
        // A public IP's address given for its id: said so.
        let err = PublicIpId::new_as("move_ip", "198.18.0.1").expect_err("an address").to_string();
        assert!(err.starts_with("invalid move_ip: expected a public IP's id, not its address"), "{err}");
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            BaseUrl::new("u", "http://127.0.0.1:8080/").map(|u| u.0).ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert!(BaseUrl::new("u", "http://127.0.0.2:1").map(|u| u.is_loopback()).unwrap_or(false));
        assert!(
            !BaseUrl::new("u", "https://dfw.api.rackconnect.rackspace.com").map(|u| u.is_loopback()).unwrap_or(true)
        );
        for bad in
            ["ftp://x", "http://", "http://a b", "http://x/?q", "http://x/#f", "http://u:p@x", "http://x/../y", "x"]
        {
            assert!(BaseUrl::new("u", bad).is_err(), "{bad}");
        }
        let err = BaseUrl::new("identity_url", "http://user:SECRETX@127.0.0.1:1").expect_err("credentials");
        assert!(!err.to_string().contains("SECRETX"), "{err}");
    }

    #[test]
    fn regions_parse_any_case() {
        assert_eq!(Region::parse("DFW").ok(), Some(Region::Dfw));
        assert_eq!(Region::parse("syd").ok(), Some(Region::Syd));
        assert!(Region::parse("mars").is_err());
    }
}
