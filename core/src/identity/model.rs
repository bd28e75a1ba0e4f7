//! What Identity answers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::id::Region;
use crate::secret::Token;
use crate::time::Timestamp;

#[derive(Deserialize)]
pub(crate) struct AccessDocument {
    pub access: Access,
}

/// The `access` object of a token response.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Access {
    /// The token.
    pub token: AuthToken,
    /// The service catalog (absent in a token validation: then empty).
    #[serde(rename = "serviceCatalog", default)]
    pub service_catalog: Vec<CatalogEntry>,
    /// The user.
    pub user: User,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// The token and what it is good for.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuthToken {
    /// The token itself (redacted when printed or serialized).
    pub id: Token,
    /// When it expires (about 24 h after issue).
    pub expires: Timestamp,
    /// The tenant it is scoped to.
    #[serde(default)]
    pub tenant: Option<TenantRef>,
    /// How the user authenticated (`APIKEY`, `PASSWORD`, …).
    #[serde(rename = "RAX-AUTH:authenticatedBy", default)]
    pub authenticated_by: Vec<String>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A tenant (account).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TenantRef {
    /// The tenant id.
    pub id: String,
    /// The tenant name.
    #[serde(default)]
    pub name: Option<String>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A service in the catalog.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogEntry {
    /// The service name (`cloudServersOpenStack`, `rackconnect`).
    pub name: String,
    /// The service type (`compute`, `rax:rackconnect`).
    #[serde(rename = "type")]
    pub service_type: String,
    /// The service's endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// One endpoint of a service.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Endpoint {
    /// The region, upper case in Rackspace's catalog; absent for global services.
    #[serde(default)]
    pub region: Option<String>,
    /// The tenant the endpoint belongs to.
    #[serde(rename = "tenantId", default)]
    pub tenant_id: Option<String>,
    /// The public URL (for RackConnect v3 it already ends in `/v3/{tenant}`).
    #[serde(rename = "publicURL")]
    pub public_url: String,
    /// The ServiceNet URL, if any.
    #[serde(rename = "internalURL", default)]
    pub internal_url: Option<String>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// The user a token was issued to.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct User {
    /// The user id.
    #[serde(default)]
    pub id: Option<String>,
    /// The user name.
    #[serde(default)]
    pub name: Option<String>,
    /// The roles.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// The user's default region.
    #[serde(rename = "RAX-AUTH:defaultRegion", default)]
    pub default_region: Option<String>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A role.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Role {
    /// The role name, e.g. `rackconnect:v3-DFW`.
    pub name: String,
    /// The role id.
    #[serde(default)]
    pub id: Option<String>,
    /// What it grants.
    #[serde(default)]
    pub description: Option<String>,
    /// The tenant it is limited to.
    #[serde(rename = "tenantId", default)]
    pub tenant_id: Option<String>,
    /// Any other fields, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// The catalog type of RackConnect v3.
pub const RACKCONNECT_TYPE: &str = "rax:rackconnect";
/// The catalog type of Cloud Servers.
pub const COMPUTE_TYPE: &str = "compute";

impl Access {
    /// The endpoint of a service type in a region (compared in any case). Where several
    /// services share the type, the one named `prefer_name` wins (Rackspace's own names are
    /// `cloudServersOpenStack` and `rackconnect`).
    pub fn endpoint(&self, service_type: &str, region: &str, prefer_name: Option<&str>) -> Option<&Endpoint> {
        let in_region = |entry: &&CatalogEntry| {
            entry.service_type == service_type
                && entry.endpoints.iter().any(|e| e.region.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(region)))
        };
        let entry = prefer_name
            .and_then(|name| self.service_catalog.iter().filter(in_region).find(|e| e.name == name))
            .or_else(|| self.service_catalog.iter().find(in_region))?;
        entry.endpoints.iter().find(|e| e.region.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(region)))
    }

    /// RackConnect v3's endpoint in a region; `None` means the account has no RCv3 there.
    pub fn rackconnect_endpoint(&self, region: Region) -> Option<&Endpoint> {
        self.endpoint(RACKCONNECT_TYPE, region.upper(), Some("rackconnect"))
    }

    /// Cloud Servers' endpoint in a region.
    pub fn compute_endpoint(&self, region: Region) -> Option<&Endpoint> {
        self.endpoint(COMPUTE_TYPE, region.upper(), Some("cloudServersOpenStack"))
    }

    /// True when the user has a role of this name (compared in any case).
    pub fn has_role(&self, name: &str) -> bool {
        self.user.roles.iter().any(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// `rack_connect`: the account uses RackConnect v2.
    pub fn has_rackconnect_v2(&self) -> bool {
        self.has_role("rack_connect")
    }

    /// `rackconnect:v3-{REGION}`: the account has RackConnect v3 in the region.
    pub fn has_rackconnect_v3(&self, region: Region) -> bool {
        self.has_role(&format!("rackconnect:v3-{}", region.upper()))
    }

    /// `rax_managed`: the account has Managed Operations (so servers get a Managed status).
    pub fn is_managed(&self) -> bool {
        self.has_role("rax_managed")
    }

    /// The regions in which the user has RackConnect v3, by role.
    pub fn rackconnect_v3_regions(&self) -> Vec<Region> {
        Region::ALL.into_iter().filter(|r| self.has_rackconnect_v3(*r)).collect()
    }
}
