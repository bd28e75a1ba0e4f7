//! Cloud Servers: the RackConnect v2 and Managed Operations status of any server, read from its
//! metadata with a token, from anywhere.
//!
//! A key that is missing stays absent (`None`): right after a build RackConnect has not written
//! it yet, and a waiter treats that as "pending" within a grace period rather than as a status.

mod model;
pub mod v1;

pub use model::{Address, ManagedStatus, MetadataItem, RackConnectFeatures, RackConnectView, Server, ServerPage};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::fault::{Forbidden403, api_error};
use crate::format::json;
use crate::http::{Method, Request, Response};
use crate::id::{BaseUrl, MetadataKey, Region, ServerId, TenantId};
use crate::secret::Token;

/// The metadata keys RackConnect and Managed Operations write.
pub mod keys {
    /// RackConnect v2 automation: `DEPLOYING | DEPLOYED | FAILED | UNPROCESSABLE`.
    pub const AUTOMATION_STATUS: &str = "rackconnect_automation_status";
    /// Free text explaining `UNPROCESSABLE`.
    pub const UNPROCESSABLE_REASON: &str = "rackconnect_unprocessable_reason";
    /// `ENABLED`/`DISABLED`.
    pub const FEATURE_CONFIGURE_NETWORK_STACK: &str = "rackconnect_automation_feature_configure_network_stack";
    /// `ENABLED`/`DISABLED`.
    pub const FEATURE_MANAGE_SOFTWARE_FIREWALL: &str = "rackconnect_automation_feature_manage_software_firewall";
    /// `ENABLED`/`DISABLED`. The key really is spelled "provison".
    pub const FEATURE_PROVISION_PUBLIC_IP: &str = "rackconnect_automation_feature_provison_public_ip";
    /// Managed Operations automation: `Pending | In Progress | Complete | Build Error | Authentication Error`.
    pub const MANAGED_STATUS: &str = "rax_service_level_automation";
}

/// Where Cloud Servers is: the catalog's `publicURL` for type `compute`, or a region and tenant.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ServersEndpoint {
    /// `https://{region}.servers.api.rackspacecloud.com/v2/{tenant}`
    Region(Region, TenantId),
    /// A URL that already ends in `/v2/{tenant}` (as the catalog gives it).
    BaseUrl(BaseUrl),
}

impl ServersEndpoint {
    /// The base URL, without a trailing slash.
    pub fn base(&self) -> String {
        match self {
            ServersEndpoint::Region(region, tenant) => {
                format!("https://{}.servers.api.rackspacecloud.com/v2/{tenant}", region.lower())
            }
            ServersEndpoint::BaseUrl(url) => url.as_str().to_owned(),
        }
    }
}

fn get(endpoint: &ServersEndpoint, token: &Token, path: &str) -> Result<Request> {
    token.check_for_header("token")?;
    Ok(Request::new(Method::Get, format!("{}{path}", endpoint.base()))
        .header("X-Auth-Token", token.expose())
        .header("Accept", "application/json"))
}

/// `GET /servers/{id}`
pub fn show_server(endpoint: &ServersEndpoint, token: &Token, server: &ServerId) -> Result<Request> {
    get(endpoint, token, &format!("/servers/{server}"))
}

/// `GET /servers/{id}/metadata`
pub fn server_metadata(endpoint: &ServersEndpoint, token: &Token, server: &ServerId) -> Result<Request> {
    get(endpoint, token, &format!("/servers/{server}/metadata"))
}

/// `GET /servers/{id}/metadata/{key}`
pub fn metadata_item(
    endpoint: &ServersEndpoint,
    token: &Token,
    server: &ServerId,
    key: &MetadataKey,
) -> Result<Request> {
    get(endpoint, token, &format!("/servers/{server}/metadata/{key}"))
}

/// `GET /servers/detail?limit=N&marker=ID`: one page of servers with their metadata.
pub fn list_servers_detail(
    endpoint: &ServersEndpoint,
    token: &Token,
    limit: Option<u32>,
    marker: Option<&ServerId>,
) -> Result<Request> {
    list_servers_detail_since(endpoint, token, limit, marker, None)
}

/// `GET /servers/detail?limit=N&marker=ID&changes-since=T`: one page of the servers that
/// changed since `T` (Nova's documented filter: "when the server last changed status"; a server
/// built since `T` is among them). Nothing says a metadata write counts as a change, so a
/// waiter never relies on it to see RackConnect's keys; it narrows a listing of recent builds.
pub fn list_servers_detail_since(
    endpoint: &ServersEndpoint,
    token: &Token,
    limit: Option<u32>,
    marker: Option<&ServerId>,
    changes_since: Option<&crate::Timestamp>,
) -> Result<Request> {
    let mut query = Vec::new();
    if let Some(limit) = limit {
        if limit == 0 {
            return Err(Error::invalid("limit", "a page size of at least 1", "0"));
        }
        query.push(format!("limit={limit}"));
    }
    if let Some(marker) = marker {
        query.push(format!("marker={marker}"));
    }
    if let Some(since) = changes_since {
        // `YYYY-MM-DDTHH:MM:SSZ`: every character is allowed in a query as it is.
        query.push(format!("changes-since={since}"));
    }
    let path =
        if query.is_empty() { "/servers/detail".to_owned() } else { format!("/servers/detail?{}", query.join("&")) };
    get(endpoint, token, &path)
}

/// The one wording for a server that Cloud Servers does not have, in every front door: the
/// API's own text ("Instance could not be found") names neither the server nor the region.
pub fn not_found_message(server: &str, region: Region) -> String {
    format!("server {server} not found in region {}", region.upper())
}

/// `error` in the one wording when it is a 404 from reading `server` in `region` (the API's
/// text stays in `raw`); any other error as it is.
pub fn name_not_found(error: Error, server: &str, region: Region) -> Error {
    match error {
        Error::Api(mut api) if api.status == 404 => {
            api.messages = vec![not_found_message(server, region)];
            Error::Api(api)
        }
        other => other,
    }
}

fn success(response: &Response) -> Result<()> {
    if response.is_success() { Ok(()) } else { Err(api_error(response, Forbidden403::Forbidden)) }
}

fn object<'a>(value: &'a Value, pointer: &str, expected: &str) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| Error::json(pointer, format!("expected {expected}")))
}

/// Reads `{"server": {…}}` from show server (also the v1.0 API's answer).
pub fn parse_server(response: &Response) -> Result<Server> {
    success(response)?;
    let root = json::parse_value(&response.body)?;
    let root = object(&root, "", "an object {\"server\": {…}}")?;
    let server = root.get("server").ok_or_else(|| Error::json("", "expected the key \"server\""))?;
    Server::from_json(server, "/server")
}

/// Reads `{"metadata": {…}}` into the RackConnect view.
pub fn parse_metadata(response: &Response) -> Result<RackConnectView> {
    success(response)?;
    let root = json::parse_value(&response.body)?;
    let root = object(&root, "", "an object {\"metadata\": {…}}")?;
    let metadata = root.get("metadata").ok_or_else(|| Error::json("", "expected the key \"metadata\""))?;
    Ok(RackConnectView::from_metadata(&model::metadata_map(metadata, "/metadata")?))
}

/// Reads `{"meta": {key: value}}`. A missing key is a 404 (an [`Error::Api`] of kind `not_found`).
pub fn parse_metadata_item(response: &Response) -> Result<MetadataItem> {
    success(response)?;
    let root = json::parse_value(&response.body)?;
    let root = object(&root, "", "an object {\"meta\": {key: value}}")?;
    let meta = root.get("meta").ok_or_else(|| Error::json("", "expected the key \"meta\""))?;
    let map = model::metadata_map(meta, "/meta")?;
    let mut entries = map.into_iter();
    match (entries.next(), entries.next()) {
        (Some((key, value)), None) => Ok(MetadataItem { key, value }),
        _ => Err(Error::json("/meta", "expected exactly one key")),
    }
}

/// Reads one page of `servers/detail`, with the marker for the next page.
pub fn parse_servers_detail(response: &Response) -> Result<ServerPage> {
    success(response)?;
    let root = json::parse_value(&response.body)?;
    ServerPage::from_json(&root)
}
