//! What Cloud Servers answers, seen from RackConnect's side.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::keys;
use crate::error::{Error, Result};
use crate::open_enum::open_enum;
use crate::time::Timestamp;
use crate::v2::{AutomationStatus, FeatureState};

open_enum!(
    /// Managed Operations automation (`rax_service_level_automation`). It runs after RackConnect
    /// automation; `Complete` is the documented trigger for post-build work.
    ManagedStatus {
        /// Not started.
        Pending = "Pending",
        /// Running.
        InProgress = "In Progress",
        /// Done.
        Complete = "Complete",
        /// Failed while building.
        BuildError = "Build Error",
        /// Failed to log in to the server.
        AuthenticationError = "Authentication Error",
    }
);

impl ManagedStatus {
    /// True for `Build Error` and `Authentication Error`.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::BuildError | Self::AuthenticationError)
    }
}

/// The three RackConnect automation features, as metadata records them.
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RackConnectFeatures {
    /// `rackconnect_automation_feature_configure_network_stack`
    pub configure_network_stack: Option<FeatureState>,
    /// `rackconnect_automation_feature_manage_software_firewall`
    pub manage_software_firewall: Option<FeatureState>,
    /// `rackconnect_automation_feature_provison_public_ip` (sic)
    pub provision_public_ip: Option<FeatureState>,
}

/// RackConnect's and Managed Operations' keys of a server's metadata. `None` means the key is
/// absent.
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RackConnectView {
    /// `rackconnect_automation_status`
    pub automation_status: Option<AutomationStatus>,
    /// `rackconnect_unprocessable_reason`
    pub unprocessable_reason: Option<String>,
    /// The automation features.
    pub features: RackConnectFeatures,
    /// `rax_service_level_automation`
    pub managed_status: Option<ManagedStatus>,
    /// The whole metadata, as strings.
    pub metadata: BTreeMap<String, String>,
}

impl RackConnectView {
    /// Reads the view out of a metadata map.
    pub fn from_metadata(metadata: &BTreeMap<String, String>) -> Self {
        let get = |key: &str| metadata.get(key).map(String::as_str);
        let feature = |key: &str| get(key).map(FeatureState::parse);
        RackConnectView {
            automation_status: get(keys::AUTOMATION_STATUS).map(AutomationStatus::parse),
            unprocessable_reason: get(keys::UNPROCESSABLE_REASON).map(str::to_owned),
            features: RackConnectFeatures {
                configure_network_stack: feature(keys::FEATURE_CONFIGURE_NETWORK_STACK),
                manage_software_firewall: feature(keys::FEATURE_MANAGE_SOFTWARE_FIREWALL),
                provision_public_ip: feature(keys::FEATURE_PROVISION_PUBLIC_IP),
            },
            managed_status: get(keys::MANAGED_STATUS).map(ManagedStatus::parse),
            metadata: metadata.clone(),
        }
    }
}

/// A cloud server, with what RackConnect needs of it.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Server {
    /// The server id.
    pub id: Option<String>,
    /// The server name.
    pub name: Option<String>,
    /// Nova's status (`BUILD`, `ACTIVE`, `ERROR`, …).
    pub status: Option<String>,
    /// `accessIPv4`: after v2 automation, the RackConnect public IP (the address to reach it by).
    pub access_ipv4: Option<String>,
    /// `accessIPv6`
    pub access_ipv6: Option<String>,
    /// `created`: when the server was built (what a grace for its automation counts from).
    pub created: Option<Timestamp>,
    /// `addresses`: the server's addresses by network label (`public`, `private` for
    /// ServiceNet, or a cloud network's name), each list in Nova's order.
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// The RackConnect and Managed Operations view of the metadata.
    pub rackconnect: RackConnectView,
}

/// One of a server's addresses on a network.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Address {
    /// The address.
    pub addr: String,
    /// 4 or 6.
    pub version: u8,
}

/// Reads `addresses`: an object of network label to a list of `{addr, version}`.
fn addresses_map(value: &Value, pointer: &str) -> Result<BTreeMap<String, Vec<Address>>> {
    let Value::Object(map) = value else {
        return Err(Error::json(pointer, "expected an object of network label to a list of addresses"));
    };
    let mut networks = BTreeMap::new();
    for (label, list) in map {
        let at = format!("{pointer}{}", crate::format::json::escape_pointer(&[label.as_str()]));
        let Value::Array(items) = list else {
            return Err(Error::json(at, "expected a list of {\"addr\", \"version\"} objects"));
        };
        let addresses = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let addr = item.get("addr").and_then(Value::as_str).filter(|a| !a.is_empty());
                let version = match item.get("version") {
                    None => addr.map(|a| if a.contains(':') { 6 } else { 4 }),
                    Some(v) => v.as_u64().filter(|v| *v == 4 || *v == 6).map(|v| v as u8),
                };
                match (addr, version) {
                    (Some(addr), Some(version)) => Ok(Address { addr: addr.to_owned(), version }),
                    (None, _) => Err(Error::json(format!("{at}/{i}/addr"), "expected an address (a string)")),
                    (Some(_), None) => Err(Error::json(format!("{at}/{i}/version"), "expected 4 or 6")),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        networks.insert(label.clone(), addresses);
    }
    Ok(networks)
}

fn opt_string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a metadata object; values are strings in Nova, but numbers and booleans are accepted.
pub(crate) fn metadata_map(value: &Value, pointer: &str) -> Result<BTreeMap<String, String>> {
    let Value::Object(map) = value else {
        return Err(Error::json(pointer, "expected an object of metadata key to string value"));
    };
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                _ => {
                    let at = format!("{pointer}{}", crate::format::json::escape_pointer(&[k.as_str()]));
                    return Err(Error::json(at, "expected a string value"));
                }
            };
            Ok((k.clone(), text))
        })
        .collect()
}

impl Server {
    pub(crate) fn from_json(value: &Value, pointer: &str) -> Result<Self> {
        let Value::Object(map) = value else {
            return Err(Error::json(pointer, "expected a server object"));
        };
        let metadata = match map.get("metadata") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(m) => metadata_map(m, &format!("{pointer}/metadata"))?,
        };
        let addresses = match map.get("addresses") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(a) => addresses_map(a, &format!("{pointer}/addresses"))?,
        };
        let created = match map.get("created") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::String(text)) => Some(Timestamp::parse(text).map_err(|_| {
                Error::json(format!("{pointer}/created"), "expected a timestamp (YYYY-MM-DDTHH:MM:SSZ)")
            })?),
            Some(_) => return Err(Error::json(format!("{pointer}/created"), "expected a timestamp (a string)")),
        };
        Ok(Server {
            id: opt_string(map.get("id")),
            name: opt_string(map.get("name")),
            status: opt_string(map.get("status")),
            access_ipv4: opt_string(map.get("accessIPv4")),
            access_ipv6: opt_string(map.get("accessIPv6")),
            created,
            addresses,
            rackconnect: RackConnectView::from_metadata(&metadata),
        })
    }
}

/// One metadata item.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MetadataItem {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// One page of `servers/detail`.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerPage {
    /// The servers on this page.
    pub servers: Vec<Server>,
    /// The `next` link, if there are more pages.
    pub next_link: Option<String>,
    /// The marker to ask for the next page with: the `marker` of the next link, or else the
    /// last server's id when a next link is present.
    pub next_marker: Option<String>,
}

impl ServerPage {
    pub(crate) fn from_json(root: &Value) -> Result<Self> {
        let Some(list) = root.get("servers") else {
            return Err(Error::json("", "expected an object {\"servers\": […]}"));
        };
        let Value::Array(items) = list else {
            return Err(Error::json("/servers", "expected an array of servers"));
        };
        let servers = items
            .iter()
            .enumerate()
            .map(|(i, v)| Server::from_json(v, &format!("/servers/{i}")))
            .collect::<Result<Vec<_>>>()?;
        let next_link = root
            .get("servers_links")
            .and_then(Value::as_array)
            .and_then(|links| links.iter().find(|l| l.get("rel").and_then(Value::as_str) == Some("next")))
            .and_then(|l| l.get("href"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let next_marker = next_link.as_deref().map(|link| {
            marker_of(link).unwrap_or_else(|| servers.last().and_then(|s| s.id.clone()).unwrap_or_default())
        });
        Ok(ServerPage { servers, next_link, next_marker })
    }
}

fn marker_of(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("marker=")).map(str::to_owned)
}
