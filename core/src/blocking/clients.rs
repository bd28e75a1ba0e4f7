//! Thin clients: one method per operation, a request built by the core, sent, and parsed.
//!
//! Reads (GETs) are sent again once after a transport error or a 5xx, after a short pause.
//! Changes (POST, PATCH, DELETE) are never sent again automatically: whether a second attempt
//! is safe is the caller's decision (the core's ensure planners make it so).

use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::Duration;

use super::identity::Session;
use super::runner::{self, MetadataWait};
use super::transport::Transport;
use crate::error::{Error, Result};
use crate::http::{Request, Response};
use crate::id::{MetadataKey, NetworkId, NodeId, PoolId, PublicIpId, ServerId};
use crate::secret::Token;
use crate::servers::{self, MetadataItem, RackConnectView, Server, ServerPage, ServersEndpoint};
use crate::v2::{
    self, AutomationDetails, AutomationFeatures, AutomationStatus, GatewayIp, V2Answer, V2Endpoint, V2Format,
};
use crate::v3::{self, CloudNetwork, Node, NodeDetails, Pool, PublicIp, PublicIpFilter, ServerNodeDetails, V3Endpoint};
use crate::wait::{
    Event, MetadataWaitConfig, NodeFailure, NodesWaiter, PublicIpWaiter, RateBudget, Target, WaitConfig, WaitResult,
};

/// The pause before the one retry of a read.
const RETRY_PAUSE: Duration = Duration::from_millis(250);
/// The longest a read waits for a `Retry-After` before its one retry.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(2);

/// Sends a read, and once more after a transport error (other than a refused URL or an
/// oversized answer, which would not change) or a 5xx.
fn read_with_one_retry(mut send: impl FnMut() -> Result<Response>) -> Result<Response> {
    let first = send();
    let pause = match &first {
        Err(Error::Transport { kind, .. }) if kind != "insecure_url" && kind != "too_large" => RETRY_PAUSE,
        Ok(response) if response.status >= 500 => response
            .header("Retry-After")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(RETRY_PAUSE, |secs| Duration::from_secs(secs).min(MAX_RETRY_PAUSE)),
        _ => return first,
    };
    thread::sleep(pause);
    send()
}

/// RackConnect v2, asked from the server itself: no credentials, the server is known by the
/// transport's source address (see [`HttpConfig::local_address`](super::HttpConfig)).
/// Every answer is asked for in JSON.
#[derive(Clone, Debug)]
pub struct V2Client {
    transport: Transport,
    endpoint: V2Endpoint,
}

impl V2Client {
    /// A client asking `endpoint` over `transport`.
    pub fn new(transport: Transport, endpoint: V2Endpoint) -> Self {
        Self { transport, endpoint }
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &V2Endpoint {
        &self.endpoint
    }

    fn get<T>(
        &self,
        build: fn(&V2Endpoint, Option<V2Format>) -> Result<Request>,
        parse: fn(&Response) -> Result<V2Answer<T>>,
    ) -> Result<V2Answer<T>> {
        let request = build(&self.endpoint, Some(V2Format::Json))?;
        parse(&read_with_one_retry(|| self.transport.send(&request))?)
    }

    /// `GET /v1/automation_status`. A 403 is [`V2Answer::RateLimited`], not an error.
    pub fn status(&self) -> Result<V2Answer<AutomationStatus>> {
        self.get(v2::automation_status, v2::parse_automation_status)
    }

    /// `GET /v1/automation_status/details`: the status and its tasks.
    pub fn details(&self) -> Result<V2Answer<AutomationDetails>> {
        self.get(v2::details, v2::parse_details)
    }

    /// `GET /v1/gateway_ip`. A 404 is [`V2Answer::NotAssigned`] (no gateway yet).
    pub fn gateway_ip(&self) -> Result<V2Answer<GatewayIp>> {
        self.get(v2::gateway_ip, v2::parse_gateway_ip)
    }

    /// `GET /v1/automation_features`.
    pub fn features(&self) -> Result<V2Answer<AutomationFeatures>> {
        self.get(v2::automation_features, v2::parse_automation_features)
    }

    /// Waits for v2 automation (see [`V2Waiter`](crate::wait::V2Waiter)); `budget` is this
    /// server's v2 budget, `cancel` stops the wait within a fraction of a second.
    pub fn wait(
        &self,
        config: WaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> WaitResult {
        runner::wait_v2(&self.transport, self.endpoint.clone(), config, budget, cancel, on_event)
    }
}

/// Cloud Servers, with the token of a [`Session`]: what RackConnect wrote in a server's metadata.
#[derive(Debug)]
pub struct ServersClient<'s> {
    session: &'s mut Session,
    endpoint: ServersEndpoint,
}

impl<'s> ServersClient<'s> {
    /// A client for `endpoint` (see [`Session::servers`] for the catalog's).
    pub fn new(session: &'s mut Session, endpoint: ServersEndpoint) -> Self {
        Self { session, endpoint }
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &ServersEndpoint {
        &self.endpoint
    }

    fn get<T>(
        &mut self,
        build: impl FnOnce(&ServersEndpoint, &Token) -> Result<Request>,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        read(self.session, &self.endpoint, build, parse)
    }

    /// `GET /servers/{id}`: the server, its metadata and `accessIPv4`.
    pub fn show_server(&mut self, server: &ServerId) -> Result<Server> {
        self.get(|e, t| servers::show_server(e, t, server), servers::parse_server)
    }

    /// `GET /servers/{id}/metadata`, read as RackConnect's and Managed Operations' keys.
    pub fn metadata(&mut self, server: &ServerId) -> Result<RackConnectView> {
        self.get(|e, t| servers::server_metadata(e, t, server), servers::parse_metadata)
    }

    /// `GET /servers/{id}/metadata/{key}`. A missing key is an [`Error::Api`] of kind `not_found`.
    pub fn metadata_item(&mut self, server: &ServerId, key: &MetadataKey) -> Result<MetadataItem> {
        self.get(|e, t| servers::metadata_item(e, t, server, key), servers::parse_metadata_item)
    }

    /// `GET /servers/detail`: one page of servers with their metadata, and the next marker.
    pub fn servers_detail(&mut self, limit: Option<u32>, marker: Option<&ServerId>) -> Result<ServerPage> {
        self.get(|e, t| servers::list_servers_detail(e, t, limit, marker), servers::parse_servers_detail)
    }

    /// Every server of the region, following `servers/detail`'s pages to the end (a marker that
    /// stops moving ends the walk rather than looping).
    pub fn all_servers(&mut self, page_size: u32) -> Result<Vec<Server>> {
        let mut servers = Vec::new();
        let mut marker: Option<ServerId> = None;
        loop {
            let page = self.servers_detail(Some(page_size), marker.as_ref())?;
            servers.extend(page.servers);
            match page.next_marker.map(ServerId::new).transpose()? {
                Some(next) if Some(&next) != marker.as_ref() => marker = Some(next),
                _ => return Ok(servers),
            }
        }
    }

    /// Waits on the server's metadata (see [`wait_metadata`](super::wait_metadata)).
    pub fn wait_metadata(
        &mut self,
        server: ServerId,
        config: MetadataWaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> MetadataWait {
        runner::wait_metadata(self.session, self.endpoint.clone(), server, config, budget, cancel, on_event)
    }
}

/// How a wait for pool nodes ended.
#[derive(Clone, Debug)]
pub struct NodesWait {
    /// The result.
    pub result: WaitResult,
    /// The nodes that did not reach the target.
    pub failures: Vec<NodeFailure>,
}

/// How a wait for a public IP ended.
#[derive(Clone, Debug)]
pub struct PublicIpWait {
    /// The result.
    pub result: WaitResult,
    /// The public IP as last read (with its address once `ACTIVE`).
    pub public_ip: Option<PublicIp>,
}

/// RackConnect v3, with the token of a [`Session`].
#[derive(Debug)]
pub struct V3Client<'s> {
    session: &'s mut Session,
    endpoint: V3Endpoint,
}

impl<'s> V3Client<'s> {
    /// A client for `endpoint` (see [`Session::v3`] for the catalog's).
    pub fn new(session: &'s mut Session, endpoint: V3Endpoint) -> Self {
        Self { session, endpoint }
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &V3Endpoint {
        &self.endpoint
    }

    fn get<T>(
        &mut self,
        build: impl FnOnce(&V3Endpoint, &Token) -> Result<Request>,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        read(self.session, &self.endpoint, build, parse)
    }

    fn change<T>(
        &mut self,
        build: impl FnOnce(&V3Endpoint, &Token) -> Result<Request>,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        let token = self.session.token()?;
        let request = build(&self.endpoint, &token)?;
        parse(&self.session.send_authed(&request)?)
    }

    /// A create that rides out the post-build race: a 409 saying only that the server is not
    /// known yet (`does not exist`, `is unprocessable`) is retried with backoff for up to
    /// [`POST_BUILD_RETRY_MS`]. Safe: a refused POST created nothing.
    fn create<T>(
        &mut self,
        build: impl Fn(&V3Endpoint, &Token) -> Result<Request>,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        let started = std::time::Instant::now();
        let mut backoff = crate::wait::Backoff::new(u64::from(started.elapsed().subsec_nanos()) ^ 0x9E37_79B9);
        loop {
            let token = self.session.token()?;
            let request = build(&self.endpoint, &token)?;
            let result = parse(&self.session.send_authed(&request)?);
            let spent = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match result {
                Err(error) if is_post_build_conflict(&error) && spent < POST_BUILD_RETRY_MS => {
                    let delay = backoff.next_delay().min(POST_BUILD_RETRY_MS - spent);
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                }
                other => return other,
            }
        }
    }

    /// N1: the cloud networks.
    pub fn list_networks(&mut self) -> Result<Vec<CloudNetwork>> {
        self.get(v3::list_networks, v3::parse_networks)
    }

    /// N2: one cloud network.
    pub fn get_network(&mut self, network: &NetworkId) -> Result<CloudNetwork> {
        self.get(|e, t| v3::get_network(e, t, network), v3::parse_network)
    }

    /// P1: the load balancer pools.
    pub fn list_pools(&mut self) -> Result<Vec<Pool>> {
        self.get(v3::list_pools, v3::parse_pools)
    }

    /// The ids of `pools`, each an id or a pool's name (see
    /// [`resolve_pool_names`](crate::ensure::resolve_pool_names)); the pools are listed only when
    /// a name is among them. `field` names the input in errors.
    pub fn resolve_pools(&mut self, pools: &[String], field: &str) -> Result<Vec<String>> {
        if !crate::ensure::needs_pool_list(pools) {
            return Ok(pools.to_vec());
        }
        crate::ensure::resolve_pool_names(pools, &self.list_pools()?, field)
    }

    /// P2: one pool.
    pub fn get_pool(&mut self, pool: &PoolId) -> Result<Pool> {
        self.get(|e, t| v3::get_pool(e, t, pool), v3::parse_pool)
    }

    /// P3: a pool's nodes.
    pub fn list_nodes(&mut self, pool: &PoolId) -> Result<Vec<Node>> {
        self.get(|e, t| v3::list_nodes(e, t, pool), v3::parse_nodes)
    }

    /// P5: a pool's nodes with their servers and the pool.
    pub fn list_node_details(&mut self, pool: &PoolId) -> Result<Vec<NodeDetails>> {
        self.get(|e, t| v3::list_node_details(e, t, pool), v3::parse_node_details_list)
    }

    /// P6: one node.
    pub fn get_node(&mut self, pool: &PoolId, node: &NodeId) -> Result<Node> {
        self.get(|e, t| v3::get_node(e, t, pool, node), v3::parse_node)
    }

    /// P8: one node with its server and pool.
    pub fn get_node_details(&mut self, pool: &PoolId, node: &NodeId) -> Result<NodeDetails> {
        self.get(|e, t| v3::get_node_details(e, t, pool, node), v3::parse_node_details)
    }

    /// B3: every pool a server is in.
    pub fn server_node_details(&mut self, server: &ServerId) -> Result<Vec<ServerNodeDetails>> {
        self.get(|e, t| v3::server_node_details(e, t, server), v3::parse_server_node_details)
    }

    /// P4: adds a server to a pool (answers `ADDING`). Retried only on the post-build 409.
    pub fn add_node(&mut self, pool: &PoolId, server: &ServerId) -> Result<Node> {
        self.create(|e, t| v3::add_node(e, t, pool, server), v3::parse_node)
    }

    /// P7: removes a node from a pool. Not retried.
    pub fn remove_node(&mut self, pool: &PoolId, node: &NodeId) -> Result<()> {
        self.change(|e, t| v3::remove_node(e, t, pool, node), v3::parse_no_content)
    }

    /// B1: adds many servers to many pools, atomically (a 409 lists every conflict). Retried
    /// only on the post-build 409.
    pub fn bulk_add_nodes(&mut self, pairs: &[(ServerId, PoolId)]) -> Result<Vec<Node>> {
        self.create(|e, t| v3::bulk_add_nodes(e, t, pairs), v3::parse_nodes)
    }

    /// B2: removes many, atomically. Not retried.
    pub fn bulk_remove_nodes(&mut self, pairs: &[(ServerId, PoolId)]) -> Result<()> {
        self.change(|e, t| v3::bulk_remove_nodes(e, t, pairs), v3::parse_no_content)
    }

    /// I1: the public IPs, optionally filtered.
    pub fn list_public_ips(&mut self, filter: &PublicIpFilter) -> Result<Vec<PublicIp>> {
        self.get(|e, t| v3::list_public_ips(e, t, filter), v3::parse_public_ips)
    }

    /// I3: one public IP.
    pub fn get_public_ip(&mut self, ip: &PublicIpId) -> Result<PublicIp> {
        self.get(|e, t| v3::get_public_ip(e, t, ip), v3::parse_public_ip)
    }

    /// I2: a public IP for a server (answers `ADDING`), or with no server and `retain: true`,
    /// an unassigned retained IP. Retried only on the post-build 409.
    pub fn create_public_ip(&mut self, server: Option<&ServerId>, retain: Option<bool>) -> Result<PublicIp> {
        self.create(|e, t| v3::create_public_ip(e, t, server, retain), v3::parse_public_ip)
    }

    /// I4: changes `retain`, or moves the IP to another server. Not retried.
    pub fn update_public_ip(
        &mut self,
        ip: &PublicIpId,
        retain: Option<bool>,
        server: Option<&ServerId>,
    ) -> Result<PublicIp> {
        self.change(|e, t| v3::update_public_ip(e, t, ip, retain, server), v3::parse_public_ip)
    }

    /// I5: deletes a public IP. Not retried.
    pub fn delete_public_ip(&mut self, ip: &PublicIpId) -> Result<()> {
        self.change(|e, t| v3::delete_public_ip(e, t, ip), v3::parse_no_content)
    }

    /// Waits for pool nodes `(pool, node id)` to reach `target` (see
    /// [`NodesWaiter`](crate::wait::NodesWaiter)), re-authenticating when the token expires.
    pub fn wait_nodes(
        &mut self,
        nodes: Vec<(PoolId, String)>,
        target: Target,
        config: WaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> NodesWait {
        let token = runner::current_token(self.session);
        let mut waiter = NodesWaiter::new(self.endpoint.clone(), token, nodes, target, config, 0);
        let result = runner::run(&mut waiter, &mut *self.session, budget, cancel, on_event);
        NodesWait { result, failures: waiter.failures().to_vec() }
    }

    /// Waits for a public IP to reach `target` (see [`PublicIpWaiter`](crate::wait::PublicIpWaiter)),
    /// re-authenticating when the token expires.
    pub fn wait_public_ip(
        &mut self,
        ip: PublicIpId,
        target: Target,
        config: WaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> PublicIpWait {
        let token = runner::current_token(self.session);
        let mut waiter = PublicIpWaiter::new(self.endpoint.clone(), token, ip, target, config, 0);
        let result = runner::run(&mut waiter, &mut *self.session, budget, cancel, on_event);
        PublicIpWait { result, public_ip: waiter.public_ip().cloned() }
    }
}

/// A read with the session's token: built for `endpoint`, retried once on a transport error or
/// a 5xx (a GET is safe to repeat), then parsed.
fn read<E, T>(
    session: &mut Session,
    endpoint: &E,
    build: impl FnOnce(&E, &Token) -> Result<Request>,
    parse: fn(&Response) -> Result<T>,
) -> Result<T> {
    let token = session.token()?;
    let request = build(endpoint, &token)?;
    parse(&read_with_one_retry(|| session.send_authed(&request))?)
}

/// How long [`V3Client`]'s creates keep retrying the post-build 409.
pub const POST_BUILD_RETRY_MS: u64 = 60_000;

/// A 409 whose every conflict says the server is not known to RackConnect yet.
fn is_post_build_conflict(error: &crate::Error) -> bool {
    use crate::v3::ConflictKind;
    error.as_api().is_some_and(|api| {
        api.status == 409
            && !api.conflicts.is_empty()
            && api
                .conflicts
                .iter()
                .all(|c| matches!(c.kind, ConflictKind::ServerDoesNotExist | ConflictKind::ServerUnprocessable))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_retried_once_on_5xx_and_transport_errors_only() {
        for (answers, expected_calls, expected_status) in [
            (vec![Ok(503), Ok(200)], 2, Some(200)),
            (vec![Ok(500), Ok(502)], 2, Some(502)),
            (vec![Err("io"), Ok(200)], 2, Some(200)),
            (vec![Err("timeout"), Err("timeout")], 2, None),
            (vec![Ok(404)], 1, Some(404)),
            (vec![Ok(401)], 1, Some(401)),
            (vec![Err("insecure_url")], 1, None),
            (vec![Err("too_large")], 1, None),
        ] {
            let mut calls = 0;
            let result = read_with_one_retry(|| {
                let answer = answers[calls];
                calls += 1;
                answer
                    .map(|status| Response::new(status, ""))
                    .map_err(|kind| Error::Transport { kind: kind.to_owned(), detail: String::new() })
            });
            assert_eq!(calls, expected_calls, "{answers:?}");
            assert_eq!(result.ok().map(|r| r.status), expected_status, "{answers:?}");
        }
    }
}
