//! RackConnect v3 objects. Every object keeps the fields this crate does not know in `extra`,
//! and re-emits them when serialized, so nothing the API sends is lost.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_enum;
use crate::time::Timestamp;

open_enum!(
    /// A pool's status (only `ACTIVE` has been seen).
    PoolStatus {
        /// The pool can take changes.
        Active = "ACTIVE",
    }
);

open_enum!(
    /// A pool node's status.
    NodeStatus {
        /// Being added (a create returns this at once).
        Adding = "ADDING",
        /// In the pool.
        Active = "ACTIVE",
        /// Being removed (a delete leaves it visible in this state until it is gone).
        Removing = "REMOVING",
        /// The add failed; see `status_detail`.
        AddFailed = "ADD_FAILED",
        /// The remove failed; see `status_detail`.
        RemoveFailed = "REMOVE_FAILED",
    }
);

impl NodeStatus {
    /// True for `ADD_FAILED` and `REMOVE_FAILED`.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::AddFailed | Self::RemoveFailed)
    }
}

open_enum!(
    /// A public IP's status.
    PublicIpStatus {
        /// Being allocated (a create returns this at once, with `public_ip_v4: null`).
        Adding = "ADDING",
        /// Allocated and routed.
        Active = "ACTIVE",
        /// Being released.
        Removing = "REMOVING",
        /// The add failed; see `status_detail`.
        AddFailed = "ADD_FAILED",
        /// The remove failed; see `status_detail`.
        RemoveFailed = "REMOVE_FAILED",
        /// A PATCH is being applied.
        Updating = "UPDATING",
        /// Waiting for the server build (seen in Rackspace's .NET SDK).
        PendingBuild = "PENDING_BUILD",
        /// A PATCH failed; see `status_detail`.
        UpdateFailed = "UPDATE_FAILED",
        /// Released, about to disappear.
        Removed = "REMOVED",
    }
);

impl PublicIpStatus {
    /// True for `ADD_FAILED`, `REMOVE_FAILED` and `UPDATE_FAILED`.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::AddFailed | Self::RemoveFailed | Self::UpdateFailed)
    }
}

/// A cloud network (N1, N2).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CloudNetwork {
    /// The Cloud Networks UUID.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The network's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The network's CIDR.
    #[serde(default)]
    pub cidr: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// How many nodes a pool has. Lags changes by up to a minute.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NodeCounts {
    /// Cloud server nodes.
    #[serde(default)]
    pub cloud_servers: u64,
    /// External (dedicated) nodes.
    #[serde(default)]
    pub external: u64,
    /// All nodes.
    #[serde(default)]
    pub total: u64,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A load-balancer pool (P1, P2). Pools are set up by Rackspace staff; the API cannot create them.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pool {
    /// The pool id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The pool's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The port it balances.
    #[serde(default)]
    pub port: Option<u32>,
    /// The virtual IP.
    #[serde(default)]
    pub virtual_ip: Option<String>,
    /// The pool's status.
    #[serde(default)]
    pub status: Option<PoolStatus>,
    /// Why the status is what it is.
    #[serde(default)]
    pub status_detail: Option<String>,
    /// Node counts (lagging).
    #[serde(default)]
    pub node_counts: Option<NodeCounts>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A reference to another object: `{"id": …}`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObjectRef {
    /// The referenced id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A pool node (P3, P4, P6, B1).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Node {
    /// The node id (not the server id).
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The server.
    pub cloud_server: ObjectRef,
    /// The pool.
    pub load_balancer_pool: ObjectRef,
    /// The node's status.
    pub status: NodeStatus,
    /// Why (may be absent or null).
    #[serde(default)]
    pub status_detail: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated (null while fresh).
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A server's network, as node and public IP details show it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerNetwork {
    /// The network id.
    #[serde(default)]
    pub id: Option<String>,
    /// The network name.
    #[serde(default)]
    pub name: Option<String>,
    /// The network CIDR.
    #[serde(default)]
    pub cidr: Option<String>,
    /// The server's address on it.
    #[serde(default)]
    pub private_ip_v4: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A cloud server as node and public IP details show it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CloudServer {
    /// The server id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The server name.
    #[serde(default)]
    pub name: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Its network.
    #[serde(default)]
    pub cloud_network: Option<ServerNetwork>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A pool node with the full server and pool (P5, P8).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NodeDetails {
    /// The node id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The server.
    pub cloud_server: CloudServer,
    /// The pool.
    pub load_balancer_pool: Pool,
    /// The node's status.
    pub status: NodeStatus,
    /// Why.
    #[serde(default)]
    pub status_detail: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// One pool membership of a server (B3): node details without the server.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServerNodeDetails {
    /// The node id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The pool.
    pub load_balancer_pool: Pool,
    /// The node's status.
    pub status: NodeStatus,
    /// Why.
    #[serde(default)]
    pub status_detail: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// Unknown fields, kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// A public IP (I1 to I4).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PublicIp {
    /// The public IP id.
    #[serde(deserialize_with = "clean_id")]
    pub id: String,
    /// The address; null until allocated.
    #[serde(default)]
    pub public_ip_v4: Option<String>,
    /// Whether it outlives its server (absent in old answers: false).
    #[serde(default, deserialize_with = "null_is_false")]
    pub retain: bool,
    /// Its status.
    pub status: PublicIpStatus,
    /// Why.
    #[serde(default)]
    pub status_detail: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<Timestamp>,
    /// The server it is assigned to; null for a retained, unassigned IP.
    #[serde(default)]
    pub cloud_server: Option<CloudServer>,
    /// Unknown fields (e.g. `configuration_to_cloud_account_uuid`), kept.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

fn null_is_false<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.unwrap_or(false))
}

/// An id as the API sends it, refused when it holds a control character (an escape sequence or
/// a NUL has no place in an id, and would reach terminals and logs).
fn clean_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    crate::format::json::checked_string(deserializer, |id| {
        if crate::format::has_control(&id) {
            let shown = crate::error::shorten(&id);
            return Err(format!("id \"{shown}\": expected an id without control characters"));
        }
        Ok(id)
    })
}
