//! Thin clients: one method per operation, each an [`Exchange`](crate::client::Exchange) of the
//! core run by [`drive`](super::drive).
//!
//! The core decides what is repeated: a read is sent once more after a 5xx or a transport
//! error; a create only on the post-build 409, for the core's one grace period; other changes
//! never ([`CallKind`]).

use std::sync::atomic::AtomicBool;

use super::driver::random_seed;
use super::identity::Session;
use super::transport::Transport;
use crate::client::{
    AllServers, CallKind, CallTask, Exchange, ExchangeConfig, Needs, NodesWait, PublicIpWait, Service, Start, work,
};
use crate::error::Result;
use crate::http::{Request, Response};
use crate::id::{MetadataKey, NetworkId, NodeId, PoolId, PublicIpId, Region, ServerId};
use crate::inventory::{Inventory, InventoryOptions, RegionFacts};
use crate::secret::Token;
use crate::servers::{self, MetadataItem, RackConnectView, Server, ServerPage, ServersEndpoint};
use crate::v2::{
    self, AutomationDetails, AutomationFeatures, AutomationStatus, GatewayIp, V2Answer, V2Endpoint, V2Format,
};
use crate::v3::{self, CloudNetwork, Node, NodeDetails, Pool, PublicIp, PublicIpFilter, ServerNodeDetails, V3Endpoint};
use crate::wait::{Event, MetadataWaitConfig, RateBudget, Target, WaitConfig, WaitResult};

/// How long [`V3Client`]'s creates keep retrying the post-build 409: the core's one grace.
pub const POST_BUILD_RETRY_MS: u64 = crate::client::defaults::POST_BUILD_GRACE_MS;

fn never() -> AtomicBool {
    AtomicBool::new(false)
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

    fn get<T: 'static>(
        &self,
        build: fn(&V2Endpoint, Option<V2Format>) -> Result<Request>,
        parse: fn(&Response) -> Result<V2Answer<T>>,
    ) -> Result<V2Answer<T>> {
        let endpoint = self.endpoint.clone();
        let task =
            CallTask::new(CallKind::Read, Needs::Nothing, move |_| build(&endpoint, Some(V2Format::Json)), parse);
        let config = ExchangeConfig { seed: random_seed(), ..ExchangeConfig::default() };
        let mut exchange = Exchange::new(task, None, RateBudget::v2(), config);
        // Every request to v2 counts against the server's one budget, shared by all processes.
        let shared = super::SharedBudget::for_server(&super::runner::v2_server_key(&self.transport, &self.endpoint));
        super::driver::drive_shared(&mut exchange, &self.transport, shared.as_ref(), &never(), |_| {})
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

    /// Waits for v2 automation (see [`V2Waiter`](crate::wait::V2Waiter)); `budget` is this server's v2 budget, `cancel`
    /// stops the wait within a fraction of a second. A configuration error (an insecure URL)
    /// is returned at once, before anything is sent.
    pub fn wait(
        &self,
        config: WaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<WaitResult> {
        super::runner::wait_v2(&self.transport, self.endpoint.clone(), config, budget, cancel, on_event)
    }
}

/// Cloud Servers, with the token of a [`Session`]: what RackConnect wrote in a server's metadata.
#[derive(Debug)]
pub struct ServersClient<'s> {
    session: &'s mut Session,
    region: Region,
}

impl<'s> ServersClient<'s> {
    /// A client for `region` (see [`Session::servers`]).
    pub fn new(session: &'s mut Session, region: Region) -> Self {
        Self { session, region }
    }

    /// The region.
    pub fn region(&self) -> Region {
        self.region
    }

    fn get<T: 'static>(
        &mut self,
        build: impl Fn(&ServersEndpoint, &Token) -> Result<Request> + 'static,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        self.run(Self::task(build, parse))
    }

    fn task<T: 'static>(
        build: impl Fn(&ServersEndpoint, &Token) -> Result<Request> + 'static,
        parse: fn(&Response) -> Result<T>,
    ) -> CallTask<T> {
        CallTask::new(
            CallKind::Read,
            Needs::Endpoint(Service::Compute),
            move |s: &Start| build(&ServersEndpoint::BaseUrl(s.endpoint()?.clone()), s.token()?),
            parse,
        )
    }

    fn run<T: 'static>(&mut self, task: CallTask<T>) -> Result<T> {
        self.session.run(task, Some(self.region), &never(), |_| {})
    }

    /// `GET /servers/{id}`: the server, its metadata and `accessIPv4`. A server the region does
    /// not have is a `not_found` error saying "server … not found in region …".
    pub fn show_server(&mut self, server: &ServerId) -> Result<Server> {
        let id = server.clone();
        self.run(
            Self::task(move |e, t| servers::show_server(e, t, &id), servers::parse_server)
                .about_server(server.as_str()),
        )
    }

    /// `GET /servers/{id}/metadata`, read as RackConnect's and Managed Operations' keys.
    pub fn metadata(&mut self, server: &ServerId) -> Result<RackConnectView> {
        let id = server.clone();
        self.run(
            Self::task(move |e, t| servers::server_metadata(e, t, &id), servers::parse_metadata)
                .about_server(server.as_str()),
        )
    }

    /// `GET /servers/{id}/metadata/{key}`. A missing key is an [`Error::Api`](crate::Error::Api)
    /// of kind `not_found`.
    pub fn metadata_item(&mut self, server: &ServerId, key: &MetadataKey) -> Result<MetadataItem> {
        let (server, key) = (server.clone(), key.clone());
        self.get(move |e, t| servers::metadata_item(e, t, &server, &key), servers::parse_metadata_item)
    }

    /// `GET /servers/detail`: one page of servers with their metadata, and the next marker.
    pub fn servers_detail(&mut self, limit: Option<u32>, marker: Option<&ServerId>) -> Result<ServerPage> {
        let marker = marker.cloned();
        self.get(move |e, t| servers::list_servers_detail(e, t, limit, marker.as_ref()), servers::parse_servers_detail)
    }

    /// Every server of the region, following `servers/detail`'s pages to the end (see
    /// [`AllServers`]).
    pub fn all_servers(&mut self, page_size: u32) -> Result<Vec<Server>> {
        self.session.run(AllServers::new(page_size), Some(self.region), &never(), |_| {})
    }

    /// What the region holds for an inventory (see [`work::region_facts`]).
    pub fn region_facts(&mut self, rackconnect_v3: bool) -> Result<RegionFacts> {
        self.session.run(work::region_facts(rackconnect_v3), Some(self.region), &never(), |_| {})
    }

    /// Waits on the server's metadata (see [`wait_metadata`](super::wait_metadata)).
    pub fn wait_metadata(
        &mut self,
        server: ServerId,
        config: MetadataWaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<super::MetadataWait> {
        super::runner::wait_metadata(self.session, self.region, server, config, budget, cancel, on_event)
    }

    /// Waits on the metadata of the server `server` names: an id, or a name only one server of
    /// the region has, looked up as patiently as the wait reads (see
    /// [`work::metadata_wait_named`]); the lookup's requests count among the wait's. `field`
    /// names the input in errors (e.g. `SERVER`).
    pub fn wait_metadata_named(
        &mut self,
        server: &str,
        field: &str,
        config: MetadataWaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<super::MetadataWait> {
        let task = work::metadata_wait_named(server, field, config)?;
        let (result, used) = self.session.run_with_budget(task, Some(self.region), budget.clone(), cancel, on_event);
        *budget = used;
        result
    }
}

/// RackConnect v3, with the token of a [`Session`].
#[derive(Debug)]
pub struct V3Client<'s> {
    session: &'s mut Session,
    region: Region,
}

impl<'s> V3Client<'s> {
    /// A client for `region` (see [`Session::v3`]).
    pub fn new(session: &'s mut Session, region: Region) -> Self {
        Self { session, region }
    }

    /// The region.
    pub fn region(&self) -> Region {
        self.region
    }

    fn call<T: 'static>(
        &mut self,
        kind: CallKind,
        build: impl Fn(&V3Endpoint, &Token) -> Result<Request> + 'static,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        let task = CallTask::new(
            kind,
            Needs::Endpoint(Service::RackConnect),
            move |s: &Start| build(&V3Endpoint::BaseUrl(s.endpoint()?.clone()), s.token()?),
            parse,
        );
        self.session.run(task, Some(self.region), &never(), |_| {})
    }

    fn get<T: 'static>(
        &mut self,
        build: impl Fn(&V3Endpoint, &Token) -> Result<Request> + 'static,
        parse: fn(&Response) -> Result<T>,
    ) -> Result<T> {
        self.call(CallKind::Read, build, parse)
    }

    /// N1: the cloud networks.
    pub fn list_networks(&mut self) -> Result<Vec<CloudNetwork>> {
        self.get(v3::list_networks, v3::parse_networks)
    }

    /// N2: one cloud network.
    pub fn get_network(&mut self, network: &NetworkId) -> Result<CloudNetwork> {
        let network = network.clone();
        self.get(move |e, t| v3::get_network(e, t, &network), v3::parse_network)
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
        let pool = pool.clone();
        self.get(move |e, t| v3::get_pool(e, t, &pool), v3::parse_pool)
    }

    /// P3: a pool's nodes.
    pub fn list_nodes(&mut self, pool: &PoolId) -> Result<Vec<Node>> {
        let pool = pool.clone();
        self.get(move |e, t| v3::list_nodes(e, t, &pool), v3::parse_nodes)
    }

    /// P5: a pool's nodes with their servers and the pool.
    pub fn list_node_details(&mut self, pool: &PoolId) -> Result<Vec<NodeDetails>> {
        let pool = pool.clone();
        self.get(move |e, t| v3::list_node_details(e, t, &pool), v3::parse_node_details_list)
    }

    /// P6: one node.
    pub fn get_node(&mut self, pool: &PoolId, node: &NodeId) -> Result<Node> {
        let (pool, node) = (pool.clone(), node.clone());
        self.get(move |e, t| v3::get_node(e, t, &pool, &node), v3::parse_node)
    }

    /// P8: one node with its server and pool.
    pub fn get_node_details(&mut self, pool: &PoolId, node: &NodeId) -> Result<NodeDetails> {
        let (pool, node) = (pool.clone(), node.clone());
        self.get(move |e, t| v3::get_node_details(e, t, &pool, &node), v3::parse_node_details)
    }

    /// B3: every pool a server is in.
    pub fn server_node_details(&mut self, server: &ServerId) -> Result<Vec<ServerNodeDetails>> {
        let server = server.clone();
        self.get(move |e, t| v3::server_node_details(e, t, &server), v3::parse_server_node_details)
    }

    /// P4: adds a server to a pool (answers `ADDING`). Retried only on the post-build 409.
    pub fn add_node(&mut self, pool: &PoolId, server: &ServerId) -> Result<Node> {
        let (pool, server) = (pool.clone(), server.clone());
        self.call(CallKind::Create, move |e, t| v3::add_node(e, t, &pool, &server), v3::parse_node)
    }

    /// P7: removes a node from a pool. Not retried.
    pub fn remove_node(&mut self, pool: &PoolId, node: &NodeId) -> Result<()> {
        let (pool, node) = (pool.clone(), node.clone());
        self.call(CallKind::Change, move |e, t| v3::remove_node(e, t, &pool, &node), v3::parse_no_content)
    }

    /// B1: adds many servers to many pools, atomically (a 409 lists every conflict). Retried
    /// only on the post-build 409.
    pub fn bulk_add_nodes(&mut self, pairs: &[(ServerId, PoolId)]) -> Result<Vec<Node>> {
        let pairs = pairs.to_vec();
        self.call(CallKind::Create, move |e, t| v3::bulk_add_nodes(e, t, &pairs), v3::parse_nodes)
    }

    /// B2: removes many, atomically. Not retried.
    pub fn bulk_remove_nodes(&mut self, pairs: &[(ServerId, PoolId)]) -> Result<()> {
        let pairs = pairs.to_vec();
        self.call(CallKind::Change, move |e, t| v3::bulk_remove_nodes(e, t, &pairs), v3::parse_no_content)
    }

    /// I1: the public IPs, optionally filtered.
    pub fn list_public_ips(&mut self, filter: &PublicIpFilter) -> Result<Vec<PublicIp>> {
        let filter = filter.clone();
        self.get(move |e, t| v3::list_public_ips(e, t, &filter), v3::parse_public_ips)
    }

    /// I3: one public IP.
    pub fn get_public_ip(&mut self, ip: &PublicIpId) -> Result<PublicIp> {
        let ip = ip.clone();
        self.get(move |e, t| v3::get_public_ip(e, t, &ip), v3::parse_public_ip)
    }

    /// I2: a public IP for a server (answers `ADDING`), or with no server and `retain: true`,
    /// an unassigned retained IP. Retried only on the post-build 409.
    pub fn create_public_ip(&mut self, server: Option<&ServerId>, retain: Option<bool>) -> Result<PublicIp> {
        let server = server.cloned();
        self.call(
            CallKind::Create,
            move |e, t| v3::create_public_ip(e, t, server.as_ref(), retain),
            v3::parse_public_ip,
        )
    }

    /// I4: changes `retain`, or moves the IP to another server. Not retried.
    pub fn update_public_ip(
        &mut self,
        ip: &PublicIpId,
        retain: Option<bool>,
        server: Option<&ServerId>,
    ) -> Result<PublicIp> {
        let (ip, server) = (ip.clone(), server.cloned());
        self.call(
            CallKind::Change,
            move |e, t| v3::update_public_ip(e, t, &ip, retain, server.as_ref()),
            v3::parse_public_ip,
        )
    }

    /// I5: deletes a public IP. Not retried.
    pub fn delete_public_ip(&mut self, ip: &PublicIpId) -> Result<()> {
        let ip = ip.clone();
        self.call(CallKind::Change, move |e, t| v3::delete_public_ip(e, t, &ip), v3::parse_no_content)
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
    ) -> Result<NodesWait> {
        let task = work::nodes_wait(nodes, target, config);
        let (result, used) = self.session.run_with_budget(task, Some(self.region), budget.clone(), cancel, on_event);
        *budget = used;
        result
    }

    /// Waits for a public IP to reach `target` (see
    /// [`PublicIpWaiter`](crate::wait::PublicIpWaiter)), re-authenticating when the token expires.
    pub fn wait_public_ip(
        &mut self,
        ip: PublicIpId,
        target: Target,
        config: WaitConfig,
        budget: &mut RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<PublicIpWait> {
        let task = work::public_ip_wait(ip, target, config);
        let (result, used) = self.session.run_with_budget(task, Some(self.region), budget.clone(), cancel, on_event);
        *budget = used;
        result
    }
}

impl Session {
    /// An inventory of the servers of `regions` (see [`work::inventory`]): the options are
    /// checked before anything is asked, then each region is read in turn, in one exchange.
    /// No regions: the user's default region.
    pub fn inventory(&mut self, regions: &[Region], options: &InventoryOptions) -> Result<Inventory> {
        let task = work::inventory(regions.to_vec(), options.clone())?;
        self.run(task, None, &never(), |_| {})
    }

    /// Waits for a batch of servers in `region` at once, through `servers/detail` pages (see
    /// [`work::fleet_wait`] and [`FleetWaiter`](crate::wait::FleetWaiter)): each server ends on
    /// its own status, with its reachable address; names are resolved first. `fields` name the
    /// servers and the window in errors (e.g. `("SERVER", "--built-within")`).
    pub fn wait_servers(
        &mut self,
        region: Region,
        selection: work::FleetSelection,
        config: MetadataWaitConfig,
        fields: (&str, &str),
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<crate::wait::FleetWaitResult> {
        self.run(work::fleet_wait(selection, config, fields), Some(region), cancel, on_event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Action, Task};

    /// Drives a call task by hand with canned answers (`Err` is a transport error kind).
    fn calls(task: CallTask<Response>, answers: &[std::result::Result<u16, &str>]) -> (usize, Result<Response>) {
        let mut exchange = Exchange::new(task, None, RateBudget::api(), ExchangeConfig::default());
        let (mut now, mut sent) = (0, 0);
        loop {
            match exchange.poll(now) {
                Action::Send(_) => {
                    match answers[sent] {
                        Ok(status) => exchange.on_response(now, &Response::new(status, "")),
                        Err(kind) => exchange.on_transport_error(now, kind, "test"),
                    }
                    sent += 1;
                }
                Action::SleepUntil(at) => now = at,
                Action::Finished(result) => return (sent, result),
            }
        }
    }

    #[test]
    fn reads_are_retried_once_on_5xx_and_transient_transport_errors_only() {
        for (answers, expected_calls, expected_status) in [
            (vec![Ok(503), Ok(200)], 2, Some(200)),
            (vec![Ok(500), Ok(502)], 2, Some(502)),
            (vec![Err("io"), Ok(200)], 2, Some(200)),
            (vec![Err("timeout"), Err("timeout")], 2, None),
            (vec![Ok(404)], 1, Some(404)),
            (vec![Ok(401)], 1, Some(401)),
            (vec![Err("too_large")], 1, None),
        ] {
            let endpoint = V2Endpoint::Region(Region::Dfw);
            let task = CallTask::new(
                CallKind::Read,
                Needs::Nothing,
                move |_| v2::automation_status(&endpoint, None),
                |r: &Response| Ok(r.clone()),
            );
            assert_eq!(task.needs(), Needs::Nothing);
            let (sent, result) = calls(task, &answers);
            assert_eq!(sent, expected_calls, "{answers:?}");
            assert_eq!(result.ok().map(|r| r.status), expected_status, "{answers:?}");
        }
    }
}
