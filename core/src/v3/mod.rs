//! RackConnect v3.0: cloud networks, load-balancer pools and their nodes, public IPs.
//!
//! Token auth, JSON only, lists are bare arrays without pagination. Creates and deletes finish
//! asynchronously: a create answers at once with `ADDING`; a delete answers 204 while the object
//! stays visible as `REMOVING` until it is gone. The 18 operations of the API, with the ids used
//! in the project's notes:
//!
//! | id | operation | builder | parser |
//! |---|---|---|---|
//! | N1 | `GET /cloud_networks` | [`list_networks`] | [`parse_networks`] |
//! | N2 | `GET /cloud_networks/{id}` | [`get_network`] | [`parse_network`] |
//! | P1 | `GET /load_balancer_pools` | [`list_pools`] | [`parse_pools`] |
//! | P2 | `GET /load_balancer_pools/{id}` | [`get_pool`] | [`parse_pool`] |
//! | P3 | `GET /load_balancer_pools/{id}/nodes` | [`list_nodes`] | [`parse_nodes`] |
//! | P4 | `POST /load_balancer_pools/{id}/nodes` | [`add_node`] | [`parse_node`] |
//! | P5 | `GET /load_balancer_pools/{id}/nodes/details` | [`list_node_details`] | [`parse_node_details_list`] |
//! | P6 | `GET /load_balancer_pools/{id}/nodes/{node}` | [`get_node`] | [`parse_node`] |
//! | P7 | `DELETE /load_balancer_pools/{id}/nodes/{node}` | [`remove_node`] | [`parse_no_content`] |
//! | P8 | `GET /load_balancer_pools/{id}/nodes/{node}/details` | [`get_node_details`] | [`parse_node_details`] |
//! | B1 | `POST /load_balancer_pools/nodes` | [`bulk_add_nodes`] | [`parse_nodes`] |
//! | B2 | `DELETE /load_balancer_pools/nodes` (with a body) | [`bulk_remove_nodes`] | [`parse_no_content`] |
//! | B3 | `GET /load_balancer_pools/nodes/details?cloud_server_id=` | [`server_node_details`] | [`parse_server_node_details`] |
//! | I1 | `GET /public_ips` | [`list_public_ips`] | [`parse_public_ips`] |
//! | I2 | `POST /public_ips` | [`create_public_ip`] | [`parse_public_ip`] |
//! | I3 | `GET /public_ips/{id}` | [`get_public_ip`] | [`parse_public_ip`] |
//! | I4 | `PATCH /public_ips/{id}` | [`update_public_ip`] | [`parse_public_ip`] |
//! | I5 | `DELETE /public_ips/{id}` | [`delete_public_ip`] | [`parse_no_content`] |
//!
//! ```
//! use rackconnect::v3::{self, V3Endpoint, ConflictKind};
//! use rackconnect::{PoolId, Region, Response, ServerId, TenantId, Token};
//!
//! let endpoint = V3Endpoint::Region(Region::Dfw, TenantId::new("123456")?);
//! let token = Token::new("a-token");
//! let pairs = [(ServerId::new("s1")?, PoolId::new("p1")?)];
//! let request = v3::bulk_add_nodes(&endpoint, &token, &pairs)?;
//! assert_eq!(request.body.as_deref(), Some(r#"[{"cloud_server":{"id":"s1"},"load_balancer_pool":{"id":"p1"}}]"#));
//!
//! let conflict = Response::new(409, r#"{"errors": ["Cloud Server S1 is already a member of Load Balancer Pool P1"]}"#);
//! let err = v3::parse_nodes(&conflict).unwrap_err();
//! let conflicts = &err.as_api().unwrap().conflicts;
//! assert_eq!(conflicts[0].kind, ConflictKind::AlreadyMember);
//! assert!(conflicts[0].is_about("s1", "p1"));
//! # Ok::<(), rackconnect::Error>(())
//! ```

pub(crate) mod conflict;
mod model;
pub(crate) mod shape;

pub use conflict::{Conflict, ConflictKind, classify};
pub use model::{
    CloudNetwork, CloudServer, Node, NodeCounts, NodeDetails, NodeStatus, ObjectRef, Pool, PoolStatus, PublicIp,
    PublicIpStatus, ServerNetwork, ServerNodeDetails,
};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::fault::{Forbidden403, api_error};
use crate::format::json;
use crate::http::{Method, Request, Response};
use crate::id::{BaseUrl, NetworkId, NodeId, PoolId, PublicIpId, Region, ServerId, TenantId};
use crate::secret::Token;

/// Where RackConnect v3 is: the catalog's `publicURL` (type `rax:rackconnect`), or a region and
/// tenant.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum V3Endpoint {
    /// `https://{region}.rackconnect.api.rackspacecloud.com/v3/{tenant}`
    Region(Region, TenantId),
    /// A URL that already ends in `/v3/{tenant}` (as the catalog gives it).
    BaseUrl(BaseUrl),
}

impl V3Endpoint {
    /// The base URL, without a trailing slash.
    pub fn base(&self) -> String {
        match self {
            V3Endpoint::Region(region, tenant) => {
                format!("https://{}.rackconnect.api.rackspacecloud.com/v3/{tenant}", region.lower())
            }
            V3Endpoint::BaseUrl(url) => url.as_str().to_owned(),
        }
    }
}

fn request(method: Method, endpoint: &V3Endpoint, token: &Token, path: &str) -> Result<Request> {
    token.check_for_header("token")?;
    Ok(Request::new(method, format!("{}{path}", endpoint.base()))
        .header("X-Auth-Token", token.expose())
        .header("Accept", "application/json"))
}

/// N1: `GET /cloud_networks`
pub fn list_networks(endpoint: &V3Endpoint, token: &Token) -> Result<Request> {
    request(Method::Get, endpoint, token, "/cloud_networks")
}

/// N2: `GET /cloud_networks/{network_id}`
pub fn get_network(endpoint: &V3Endpoint, token: &Token, network: &NetworkId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/cloud_networks/{network}"))
}

/// P1: `GET /load_balancer_pools`
pub fn list_pools(endpoint: &V3Endpoint, token: &Token) -> Result<Request> {
    request(Method::Get, endpoint, token, "/load_balancer_pools")
}

/// P2: `GET /load_balancer_pools/{pool_id}`
pub fn get_pool(endpoint: &V3Endpoint, token: &Token, pool: &PoolId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/{pool}"))
}

/// P3: `GET /load_balancer_pools/{pool_id}/nodes`
pub fn list_nodes(endpoint: &V3Endpoint, token: &Token, pool: &PoolId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes"))
}

/// P4: `POST /load_balancer_pools/{pool_id}/nodes` with `{"cloud_server": {"id": …}}`
pub fn add_node(endpoint: &V3Endpoint, token: &Token, pool: &PoolId, server: &ServerId) -> Result<Request> {
    Ok(request(Method::Post, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes"))?
        .json_body(&json!({"cloud_server": {"id": server.as_str()}})))
}

/// P5: `GET /load_balancer_pools/{pool_id}/nodes/details`
pub fn list_node_details(endpoint: &V3Endpoint, token: &Token, pool: &PoolId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes/details"))
}

/// P6: `GET /load_balancer_pools/{pool_id}/nodes/{node_id}`
pub fn get_node(endpoint: &V3Endpoint, token: &Token, pool: &PoolId, node: &NodeId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes/{node}"))
}

/// P7: `DELETE /load_balancer_pools/{pool_id}/nodes/{node_id}`
pub fn remove_node(endpoint: &V3Endpoint, token: &Token, pool: &PoolId, node: &NodeId) -> Result<Request> {
    request(Method::Delete, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes/{node}"))
}

/// P8: `GET /load_balancer_pools/{pool_id}/nodes/{node_id}/details`
pub fn get_node_details(endpoint: &V3Endpoint, token: &Token, pool: &PoolId, node: &NodeId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/{pool}/nodes/{node}/details"))
}

fn pairs_body(pairs: &[(ServerId, PoolId)]) -> Result<Value> {
    if pairs.is_empty() {
        return Err(Error::invalid("pairs", "at least one (server, pool) pair", ""));
    }
    Ok(Value::Array(
        pairs
            .iter()
            .map(|(server, pool)| json!({"cloud_server": {"id": server.as_str()}, "load_balancer_pool": {"id": pool.as_str()}}))
            .collect(),
    ))
}

/// B1: `POST /load_balancer_pools/nodes`: adds many servers to many pools, atomically.
pub fn bulk_add_nodes(endpoint: &V3Endpoint, token: &Token, pairs: &[(ServerId, PoolId)]) -> Result<Request> {
    Ok(request(Method::Post, endpoint, token, "/load_balancer_pools/nodes")?.json_body(&pairs_body(pairs)?))
}

/// B2: `DELETE /load_balancer_pools/nodes` **with a body**: removes many, atomically.
pub fn bulk_remove_nodes(endpoint: &V3Endpoint, token: &Token, pairs: &[(ServerId, PoolId)]) -> Result<Request> {
    Ok(request(Method::Delete, endpoint, token, "/load_balancer_pools/nodes")?.json_body(&pairs_body(pairs)?))
}

/// B3: `GET /load_balancer_pools/nodes/details?cloud_server_id={id}`: every pool a server is in.
pub fn server_node_details(endpoint: &V3Endpoint, token: &Token, server: &ServerId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/load_balancer_pools/nodes/details?cloud_server_id={server}"))
}

/// Filters for [`list_public_ips`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PublicIpFilter {
    /// Only the IPs of this server (`?cloud_server_id=`).
    pub cloud_server_id: Option<ServerId>,
    /// Only retained (`true`) or only non-retained (`false`) IPs (`?retain=`).
    pub retain: Option<bool>,
}

/// I1: `GET /public_ips`, optionally filtered.
pub fn list_public_ips(endpoint: &V3Endpoint, token: &Token, filter: &PublicIpFilter) -> Result<Request> {
    let mut query = Vec::new();
    if let Some(server) = &filter.cloud_server_id {
        query.push(format!("cloud_server_id={server}"));
    }
    if let Some(retain) = filter.retain {
        query.push(format!("retain={retain}"));
    }
    let path = if query.is_empty() { "/public_ips".to_owned() } else { format!("/public_ips?{}", query.join("&")) };
    request(Method::Get, endpoint, token, &path)
}

/// I2: `POST /public_ips`: a public IP for a server (optionally retained), or with no server and
/// `retain: true`, an unassigned retained IP.
pub fn create_public_ip(
    endpoint: &V3Endpoint,
    token: &Token,
    server: Option<&ServerId>,
    retain: Option<bool>,
) -> Result<Request> {
    let mut body = serde_json::Map::new();
    if let Some(server) = server {
        body.insert("cloud_server".into(), json!({"id": server.as_str()}));
    }
    match (server, retain) {
        (None, Some(true)) | (Some(_), _) => {}
        _ => {
            return Err(Error::invalid(
                "cloud_server_id",
                "a server, or retain: true for an unassigned retained IP",
                "",
            ));
        }
    }
    if let Some(retain) = retain {
        body.insert("retain".into(), Value::Bool(retain));
    }
    Ok(request(Method::Post, endpoint, token, "/public_ips")?.json_body(&Value::Object(body)))
}

/// I3: `GET /public_ips/{public_ip_id}`
pub fn get_public_ip(endpoint: &V3Endpoint, token: &Token, ip: &PublicIpId) -> Result<Request> {
    request(Method::Get, endpoint, token, &format!("/public_ips/{ip}"))
}

/// I4: `PATCH /public_ips/{public_ip_id}`: change `retain`, or move the IP to another server.
pub fn update_public_ip(
    endpoint: &V3Endpoint,
    token: &Token,
    ip: &PublicIpId,
    retain: Option<bool>,
    server: Option<&ServerId>,
) -> Result<Request> {
    let mut body = serde_json::Map::new();
    if let Some(retain) = retain {
        body.insert("retain".into(), Value::Bool(retain));
    }
    if let Some(server) = server {
        body.insert("cloud_server".into(), json!({"id": server.as_str()}));
    }
    if body.is_empty() {
        return Err(Error::invalid("retain", "retain, cloud_server_id or both", ""));
    }
    Ok(request(Method::Patch, endpoint, token, &format!("/public_ips/{ip}"))?.json_body(&Value::Object(body)))
}

/// I4 with `{"cloud_server": null}`: unassigns a retained IP from its server, keeping the
/// record for another server later (Rackspace's retained-IP guide; the .NET SDK's `Unassign`;
/// the wire form is our convention). `retain: Some(true)` retains it in the same request.
pub fn unassign_public_ip(
    endpoint: &V3Endpoint,
    token: &Token,
    ip: &PublicIpId,
    retain: Option<bool>,
) -> Result<Request> {
    if retain == Some(false) {
        return Err(Error::invalid(
            "retain",
            "true or nothing: an IP unassigned from its server must be retained, or it is lost",
            "false",
        ));
    }
    let mut body = serde_json::Map::new();
    if let Some(retain) = retain {
        body.insert("retain".into(), Value::Bool(retain));
    }
    body.insert("cloud_server".into(), Value::Null);
    Ok(request(Method::Patch, endpoint, token, &format!("/public_ips/{ip}"))?.json_body(&Value::Object(body)))
}

/// I5: `DELETE /public_ips/{public_ip_id}`
pub fn delete_public_ip(endpoint: &V3Endpoint, token: &Token, ip: &PublicIpId) -> Result<Request> {
    request(Method::Delete, endpoint, token, &format!("/public_ips/{ip}"))
}

fn parse_json<T: DeserializeOwned>(response: &Response) -> Result<T> {
    if !response.is_success() {
        return Err(api_error(response, Forbidden403::Forbidden));
    }
    json::parse(&response.body)
}

/// A v3 list. A 200 or 204 with an empty body is an empty list, never a parse error: documented
/// for I1 (a server without a public IP "does not return any JSON data"), our convention for the
/// other lists. A create's 201 (B1) must carry its body.
fn parse_list<T: DeserializeOwned>(response: &Response) -> Result<Vec<T>> {
    if matches!(response.status, 200 | 204) && response.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    parse_json(response)
}

/// Reads N1.
pub fn parse_networks(response: &Response) -> Result<Vec<CloudNetwork>> {
    parse_list(response)
}

/// Reads N2.
pub fn parse_network(response: &Response) -> Result<CloudNetwork> {
    parse_json(response)
}

/// Reads P1.
pub fn parse_pools(response: &Response) -> Result<Vec<Pool>> {
    parse_list(response)
}

/// Reads P2.
pub fn parse_pool(response: &Response) -> Result<Pool> {
    parse_json(response)
}

/// Reads P3 and B1 (a list of nodes).
pub fn parse_nodes(response: &Response) -> Result<Vec<Node>> {
    parse_list(response)
}

/// Reads P4 and P6 (one node).
pub fn parse_node(response: &Response) -> Result<Node> {
    parse_json(response)
}

/// Reads P5.
pub fn parse_node_details_list(response: &Response) -> Result<Vec<NodeDetails>> {
    parse_list(response)
}

/// Reads P8.
pub fn parse_node_details(response: &Response) -> Result<NodeDetails> {
    parse_json(response)
}

/// Reads B3.
pub fn parse_server_node_details(response: &Response) -> Result<Vec<ServerNodeDetails>> {
    parse_list(response)
}

/// Reads I1.
pub fn parse_public_ips(response: &Response) -> Result<Vec<PublicIp>> {
    parse_list(response)
}

/// Reads I2, I3 and I4 (one public IP).
pub fn parse_public_ip(response: &Response) -> Result<PublicIp> {
    parse_json(response)
}

/// Reads P7, B2 and I5 (204, no body).
pub fn parse_no_content(response: &Response) -> Result<()> {
    if response.is_success() { Ok(()) } else { Err(api_error(response, Forbidden403::Forbidden)) }
}
