//! RackConnect v3.0 against the emulator over real HTTP on 127.0.0.1: all 18 operations built
//! and parsed by the core crate, the state machines (ADDING → ACTIVE/ADD_FAILED, REMOVING → gone,
//! UPDATING → ACTIVE) driven by the emulated clock, the documented 409 templates (atomic bulk
//! conflicts), one public IP per server, the retained limit, deleting a server, auth and the
//! error bodies. Expected values come from the spec (`rackconnect-api.md`, section 4) and the
//! demo scenario.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use rackconnect::identity::{self, Credentials, IdentityEndpoint};
use rackconnect::v3::{
    self, Conflict, ConflictKind, Node, NodeStatus, Pool, PoolStatus, PublicIp, PublicIpFilter, PublicIpStatus,
    ServerNodeDetails, V3Endpoint,
};
use rackconnect::{
    ApiError, ApiErrorKind, ApiKey, BaseUrl, Error, NetworkId, NodeId, PoolId, PublicIpId, Region, Request, Response,
    ServerId, Token,
};
use rackconnect_emulator::Emulator;
use serde_json::{Value, json};

use common::demo;

const TENANT: &str = "123456";
const DFW_DB_NETWORK: &str = "00000001-aaaa-4aaa-8aaa-dfw000000002";
const HKG_NETWORK: &str = "00000002-aaaa-4aaa-8aaa-hkg000000001";
const OTHER_POOL: &str = "00000009-bbbb-4bbb-8bbb-ord000000009";
const MISSING_POOL: &str = "00000000-bbbb-4bbb-8bbb-000000000000";
const GHOST_SERVER: &str = "00000000-cccc-4ccc-8ccc-0000000000ff";
const WEB1_ADDRESS: &str = "198.51.100.101";
const ADD_FAILURE_DETAIL: &str = "Unable to communicate with network device";
const BAD_INPUT: &str = "The input was not in the correct format.";

/// A running demo emulator, the demo user's token and its DFW endpoint.
struct Ctx {
    emu: Emulator,
    token: Token,
    dfw: V3Endpoint,
}

fn setup() -> Ctx {
    let emu = common::start();
    let access = common::demo_token(&emu);
    let dfw = common::v3_endpoint(&access, Region::Dfw);
    Ctx { token: access.token.id.clone(), dfw, emu }
}

fn sid(id: &str) -> ServerId {
    ServerId::new(id).expect("a server id")
}

fn pid(id: &str) -> PoolId {
    PoolId::new(id).expect("a pool id")
}

fn nid(id: &str) -> NodeId {
    NodeId::new(id).expect("a node id")
}

fn ipid(id: &str) -> PublicIpId {
    PublicIpId::new(id).expect("a public IP id")
}

/// The API error of a failed parse (panics on success or on any other error).
fn api_error<T: std::fmt::Debug>(result: rackconnect::Result<T>) -> ApiError {
    match result {
        Err(Error::Api(api)) => *api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The only conflict of a kind in a 409 (panics when there is none or several).
fn conflict_of(api: &ApiError, kind: ConflictKind) -> &Conflict {
    let found: Vec<&Conflict> = api.conflicts.iter().filter(|c| c.kind == kind).collect();
    assert_eq!(found.len(), 1, "exactly one {kind:?} in {:?}", api.messages);
    found[0]
}

fn assert_conflict(api: &ApiError, count: usize) {
    assert_eq!(api.status, 409, "{api:?}");
    assert_eq!(api.kind, ApiErrorKind::Conflict, "{api:?}");
    assert_eq!(api.messages.len(), count, "{:?}", api.messages);
    assert_eq!(api.conflicts.len(), count, "{:?}", api.messages);
    assert!(api.conflicts.iter().all(|c| c.kind != ConflictKind::Other), "every message is a template: {api:?}");
}

fn assert_not_found(api: &ApiError) {
    assert_eq!(api.status, 404, "{api:?}");
    assert_eq!(api.kind, ApiErrorKind::NotFound, "{api:?}");
}

/// The emulated time now, in whole seconds.
fn now_seconds(emu: &Emulator) -> i64 {
    let (status, clock) = common::control(emu, "GET", "clock", None);
    assert_eq!(status, 200);
    clock["now_ms"].as_i64().expect("now_ms") / 1000
}

fn json_body(response: &Response) -> Value {
    serde_json::from_slice(&response.body).expect("a JSON body")
}

impl Ctx {
    fn send(&self, request: rackconnect::Result<Request>) -> Response {
        common::send_request(&self.emu, &request.expect("the core builds the request"))
    }

    fn advance(&self, seconds: f64) {
        common::advance(&self.emu, seconds);
    }

    /// A raw request to a path under the DFW base URL, with the token.
    fn raw(&self, method: &str, path: &str, body: Option<&[u8]>) -> Response {
        let url = format!("{}{path}", self.dfw.base());
        let headers = [
            ("X-Auth-Token", self.token.expose()),
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
        ];
        common::send(&self.emu, method, &url, &headers, body)
    }

    fn pools(&self, endpoint: &V3Endpoint) -> Vec<Pool> {
        v3::parse_pools(&self.send(v3::list_pools(endpoint, &self.token))).expect("P1 parses")
    }

    fn pool(&self, pool: &str) -> Pool {
        v3::parse_pool(&self.send(v3::get_pool(&self.dfw, &self.token, &pid(pool)))).expect("P2 parses")
    }

    fn nodes(&self, pool: &str) -> Vec<Node> {
        v3::parse_nodes(&self.send(v3::list_nodes(&self.dfw, &self.token, &pid(pool)))).expect("P3 parses")
    }

    fn add_node(&self, pool: &str, server: &str) -> rackconnect::Result<Node> {
        let response = self.send(v3::add_node(&self.dfw, &self.token, &pid(pool), &sid(server)));
        if response.is_success() {
            assert_eq!(response.status, 201, "P4 answers 201");
        }
        v3::parse_node(&response)
    }

    fn node(&self, pool: &str, node: &str) -> rackconnect::Result<Node> {
        v3::parse_node(&self.send(v3::get_node(&self.dfw, &self.token, &pid(pool), &nid(node))))
    }

    fn remove_node(&self, pool: &str, node: &str) -> rackconnect::Result<()> {
        let response = self.send(v3::remove_node(&self.dfw, &self.token, &pid(pool), &nid(node)));
        if response.is_success() {
            assert_eq!(response.status, 204, "P7 answers 204");
        }
        v3::parse_no_content(&response)
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(ServerId, PoolId)> {
        pairs.iter().map(|(s, p)| (sid(s), pid(p))).collect()
    }

    fn bulk_add(&self, pairs: &[(&str, &str)]) -> rackconnect::Result<Vec<Node>> {
        let response = self.send(v3::bulk_add_nodes(&self.dfw, &self.token, &Self::pairs(pairs)));
        if response.is_success() {
            assert_eq!(response.status, 201, "B1 answers 201");
        }
        v3::parse_nodes(&response)
    }

    fn bulk_remove(&self, pairs: &[(&str, &str)]) -> rackconnect::Result<()> {
        let response = self.send(v3::bulk_remove_nodes(&self.dfw, &self.token, &Self::pairs(pairs)));
        if response.is_success() {
            assert_eq!(response.status, 204, "B2 answers 204");
        }
        v3::parse_no_content(&response)
    }

    fn server_nodes(&self, server: &str) -> Vec<ServerNodeDetails> {
        v3::parse_server_node_details(&self.send(v3::server_node_details(&self.dfw, &self.token, &sid(server))))
            .expect("B3 parses")
    }

    fn ips_in(&self, endpoint: &V3Endpoint, filter: &PublicIpFilter) -> Vec<PublicIp> {
        v3::parse_public_ips(&self.send(v3::list_public_ips(endpoint, &self.token, filter))).expect("I1 parses")
    }

    fn ips(&self, server: Option<&str>, retain: Option<bool>) -> Vec<PublicIp> {
        let filter = PublicIpFilter { cloud_server_id: server.map(sid), retain };
        self.ips_in(&self.dfw, &filter)
    }

    fn create_ip_in(
        &self,
        endpoint: &V3Endpoint,
        server: Option<&str>,
        retain: Option<bool>,
    ) -> rackconnect::Result<PublicIp> {
        let server = server.map(sid);
        let response = self.send(v3::create_public_ip(endpoint, &self.token, server.as_ref(), retain));
        if response.is_success() {
            assert_eq!(response.status, 201, "I2 answers 201");
        }
        v3::parse_public_ip(&response)
    }

    fn create_ip(&self, server: Option<&str>, retain: Option<bool>) -> rackconnect::Result<PublicIp> {
        self.create_ip_in(&self.dfw, server, retain)
    }

    fn ip(&self, id: &str) -> rackconnect::Result<PublicIp> {
        v3::parse_public_ip(&self.send(v3::get_public_ip(&self.dfw, &self.token, &ipid(id))))
    }

    fn patch_ip(&self, id: &str, retain: Option<bool>, server: Option<&str>) -> rackconnect::Result<PublicIp> {
        let server = server.map(sid);
        let response = self.send(v3::update_public_ip(&self.dfw, &self.token, &ipid(id), retain, server.as_ref()));
        if response.is_success() {
            assert_eq!(response.status, 200, "I4 answers 200");
        }
        v3::parse_public_ip(&response)
    }

    fn delete_ip(&self, id: &str) -> rackconnect::Result<()> {
        let response = self.send(v3::delete_public_ip(&self.dfw, &self.token, &ipid(id)));
        if response.is_success() {
            assert_eq!(response.status, 204, "I5 answers 204");
        }
        v3::parse_no_content(&response)
    }

    /// web1's node in the DFW web pool (the scenario's only node).
    fn web1_node(&self) -> Node {
        let nodes = self.nodes(demo::DFW_WEB_POOL);
        assert_eq!(nodes.len(), 1, "{nodes:?}");
        assert!(nodes[0].cloud_server.id.eq_ignore_ascii_case(demo::WEB1));
        nodes[0].clone()
    }

    /// web1's public IP (the scenario's non-retained IP).
    fn web1_ip(&self) -> PublicIp {
        let ips = self.ips(Some(demo::WEB1), None);
        assert_eq!(ips.len(), 1, "{ips:?}");
        ips[0].clone()
    }

    /// The retained, unassigned IP of the scenario.
    fn retained_ip(&self) -> PublicIp {
        let ips = self.ips(None, Some(true));
        assert_eq!(ips.len(), 1, "{ips:?}");
        ips[0].clone()
    }
}

fn region_endpoint(ctx: &Ctx, region: &str) -> V3Endpoint {
    let url = format!("{}/rackconnect/{region}/v3/{TENANT}", ctx.emu.url());
    V3Endpoint::BaseUrl(BaseUrl::new("endpoint", &url).expect("url"))
}

// ------------------------------------------------------------------------------------------------
// N1, N2, P1, P2: what each region holds

#[test]
fn n1_n2_networks_per_region() {
    let ctx = setup();
    let dfw = v3::parse_networks(&ctx.send(v3::list_networks(&ctx.dfw, &ctx.token))).expect("N1 parses");
    let mut names: Vec<(String, String, String)> = dfw
        .iter()
        .map(|n| (n.id.clone(), n.name.clone().unwrap_or_default(), n.cidr.clone().unwrap_or_default()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            (demo::DFW_NETWORK.to_owned(), "dfw-app-net".to_owned(), "192.168.10.0/24".to_owned()),
            (DFW_DB_NETWORK.to_owned(), "dfw-db-net".to_owned(), "192.168.20.0/24".to_owned()),
        ]
    );
    assert!(dfw.iter().all(|n| n.created.is_some() && n.updated.is_some()), "{dfw:?}");

    for (region, cidr) in [("HKG", "192.168.11.0/24"), ("IAD", "192.168.12.0/24"), ("LON", "192.168.13.0/24")] {
        let endpoint = region_endpoint(&ctx, region);
        let list = v3::parse_networks(&ctx.send(v3::list_networks(&endpoint, &ctx.token))).expect("N1 parses");
        assert_eq!(list.len(), 1, "{region}: {list:?}");
        assert_eq!(list[0].name.as_deref(), Some(format!("{}-app-net", region.to_lowercase()).as_str()));
        assert_eq!(list[0].cidr.as_deref(), Some(cidr));
    }

    let one = v3::parse_network(&ctx.send(v3::get_network(
        &ctx.dfw,
        &ctx.token,
        &NetworkId::new(demo::DFW_NETWORK).expect("id"),
    )))
    .expect("N2 parses");
    assert_eq!(one.id, demo::DFW_NETWORK);
    assert_eq!(one.name.as_deref(), Some("dfw-app-net"));
    assert_eq!(one.cidr.as_deref(), Some("192.168.10.0/24"));

    // A network of another region is not visible from DFW.
    let hkg = NetworkId::new(HKG_NETWORK).expect("id");
    assert_not_found(&api_error(v3::parse_network(&ctx.send(v3::get_network(&ctx.dfw, &ctx.token, &hkg)))));
}

#[test]
fn p1_p2_pools_per_region() {
    let ctx = setup();
    let pools = ctx.pools(&ctx.dfw);
    assert_eq!(pools.len(), 3, "{pools:?}");
    let by_id = |id: &str| pools.iter().find(|p| p.id == id).cloned().unwrap_or_else(|| panic!("pool {id}"));

    let web = by_id(demo::DFW_WEB_POOL);
    assert_eq!(web.name.as_deref(), Some("dfw-web-80"));
    assert_eq!(web.port, Some(80));
    assert_eq!(web.virtual_ip.as_deref(), Some("198.51.100.10"));
    assert_eq!(web.status, Some(PoolStatus::Active));
    assert_eq!(web.status_detail, None);
    let counts = web.node_counts.clone().expect("node_counts");
    assert_eq!((counts.cloud_servers, counts.external, counts.total), (1, 0, 1), "web1 is in the web pool");

    let api = by_id(demo::DFW_API_POOL);
    assert_eq!((api.name.as_deref(), api.port), (Some("dfw-api-443"), Some(443)));
    assert_eq!(api.virtual_ip.as_deref(), Some("198.51.100.20"));
    assert_eq!(api.status, Some(PoolStatus::Active));
    assert_eq!(api.node_counts.as_ref().map(|c| c.total), Some(0));

    let maintenance = by_id(demo::DFW_MAINTENANCE_POOL);
    assert_eq!((maintenance.name.as_deref(), maintenance.port), (Some("dfw-maintenance-8080"), Some(8080)));
    let status = maintenance.status.clone().expect("a status");
    assert_ne!(status, PoolStatus::Active);
    assert!(!status.is_known(), "an unknown status is kept: {status:?}");
    assert_eq!(status.as_str(), "UPDATING");
    assert_eq!(maintenance.status_detail.as_deref(), Some("Pool is being reconfigured by Rackspace"));

    for region in ["HKG", "IAD", "LON", "ORD", "SYD"] {
        let list = ctx.pools(&region_endpoint(&ctx, region));
        assert_eq!(list.len(), 1, "{region}: {list:?}");
        assert_eq!(list[0].name.as_deref(), Some(format!("{}-web-80", region.to_lowercase()).as_str()));
        assert_eq!(list[0].port, Some(80));
    }

    // P2 gives the same pool as the list.
    assert_eq!(ctx.pool(demo::DFW_WEB_POOL), web);
    assert_eq!(ctx.pool(demo::DFW_MAINTENANCE_POOL), maintenance);
    // Another tenant's pool is not visible.
    let other = ctx.send(v3::get_pool(&ctx.dfw, &ctx.token, &pid(OTHER_POOL)));
    assert_not_found(&api_error(v3::parse_pool(&other)));
}

#[test]
fn unknown_ids_are_404_not_found() {
    let ctx = setup();
    let missing = "00000000-0000-4000-8000-000000000000";
    let web = pid(demo::DFW_WEB_POOL);
    let responses = [
        ("N2", ctx.send(v3::get_network(&ctx.dfw, &ctx.token, &NetworkId::new(missing).expect("id")))),
        ("P2", ctx.send(v3::get_pool(&ctx.dfw, &ctx.token, &pid(missing)))),
        ("P3", ctx.send(v3::list_nodes(&ctx.dfw, &ctx.token, &pid(missing)))),
        ("P5", ctx.send(v3::list_node_details(&ctx.dfw, &ctx.token, &pid(missing)))),
        ("P6", ctx.send(v3::get_node(&ctx.dfw, &ctx.token, &web, &nid(missing)))),
        ("P7", ctx.send(v3::remove_node(&ctx.dfw, &ctx.token, &web, &nid(missing)))),
        ("P8", ctx.send(v3::get_node_details(&ctx.dfw, &ctx.token, &web, &nid(missing)))),
        ("I3", ctx.send(v3::get_public_ip(&ctx.dfw, &ctx.token, &ipid(missing)))),
        ("I4", ctx.send(v3::update_public_ip(&ctx.dfw, &ctx.token, &ipid(missing), Some(true), None))),
        ("I5", ctx.send(v3::delete_public_ip(&ctx.dfw, &ctx.token, &ipid(missing)))),
    ];
    for (op, response) in responses {
        let api = api_error(v3::parse_no_content(&response));
        assert_not_found(&api);
        assert_eq!(api.messages.len(), 1, "{op}: {api:?}");
        assert!(api.messages[0].ends_with("does not exist"), "{op}: {:?}", api.messages);
        assert!(api.messages[0].to_ascii_lowercase().contains(missing), "{op} names the id: {:?}", api.messages);
    }
}

// ------------------------------------------------------------------------------------------------
// Nodes: P3 to P8, B1 to B3

#[test]
fn p4_add_node_lifecycle_and_every_view_of_it() {
    let ctx = setup();
    let now = now_seconds(&ctx.emu);
    let raw = ctx.raw(
        "POST",
        &format!("/load_balancer_pools/{}/nodes", demo::DFW_WEB_POOL),
        Some(json!({"cloud_server": {"id": demo::UNMANAGED}}).to_string().as_bytes()),
    );
    assert_eq!(raw.status, 201);
    let wire = json_body(&raw);
    let created_text = wire["created"].as_str().expect("created is a string");
    assert_eq!(created_text.len(), "2014-05-27T17:18:23Z".len(), "YYYY-MM-DDTHH:MM:SSZ: {created_text}");
    assert!(created_text.ends_with('Z') && created_text.as_bytes()[10] == b'T', "{created_text}");
    assert_eq!(wire["updated"], Value::Null, "updated is null while fresh");

    let added = v3::parse_node(&raw).expect("P4 parses");
    assert_eq!(added.status, NodeStatus::Adding);
    assert!(added.cloud_server.id.eq_ignore_ascii_case(demo::UNMANAGED));
    assert!(added.load_balancer_pool.id.eq_ignore_ascii_case(demo::DFW_WEB_POOL));
    assert!(!added.id.eq_ignore_ascii_case(demo::UNMANAGED), "the node id is not the server id");
    assert_eq!(added.created.map(|t| t.unix_seconds()), Some(now));
    assert_eq!(added.updated, None);

    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &added.id).expect("P6").status, NodeStatus::Adding);
    ctx.advance(3.0);
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &added.id).expect("P6").status, NodeStatus::Adding, "3 s < 4 s");
    ctx.advance(1.0);
    let active = ctx.node(demo::DFW_WEB_POOL, &added.id).expect("P6 parses");
    assert_eq!(active.status, NodeStatus::Active);
    assert_eq!(active.updated.map(|t| t.unix_seconds()), Some(now + 4));
    assert_eq!(active.status_detail, None);

    // P3: web1 and the new node.
    let nodes = ctx.nodes(demo::DFW_WEB_POOL);
    let servers: BTreeSet<String> = nodes.iter().map(|n| n.cloud_server.id.to_ascii_lowercase()).collect();
    assert_eq!(servers, BTreeSet::from([demo::WEB1.to_owned(), demo::UNMANAGED.to_owned()]));
    assert!(nodes.iter().all(|n| n.status == NodeStatus::Active), "{nodes:?}");

    // P5: the full server and pool.
    let details =
        v3::parse_node_details_list(&ctx.send(v3::list_node_details(&ctx.dfw, &ctx.token, &pid(demo::DFW_WEB_POOL))))
            .expect("P5 parses");
    assert_eq!(details.len(), 2);
    let mine = details.iter().find(|d| d.id == added.id).expect("the new node in P5");
    assert_eq!(mine.cloud_server.name.as_deref(), Some("unmanaged"));
    let network = mine.cloud_server.cloud_network.clone().expect("cloud_network");
    assert_eq!(network.id.as_deref(), Some(demo::DFW_NETWORK));
    assert_eq!(network.name.as_deref(), Some("dfw-app-net"));
    assert_eq!(network.cidr.as_deref(), Some("192.168.10.0/24"));
    assert_eq!(network.private_ip_v4.as_deref(), Some("192.168.10.20"));
    assert_eq!(mine.load_balancer_pool.id, demo::DFW_WEB_POOL);
    assert_eq!(mine.load_balancer_pool.name.as_deref(), Some("dfw-web-80"));
    assert_eq!(mine.load_balancer_pool.port, Some(80));
    assert_eq!(mine.status, NodeStatus::Active);
    let web1 = details.iter().find(|d| d.id != added.id).expect("web1 in P5");
    assert_eq!(web1.cloud_server.name.as_deref(), Some("web1"));
    assert_eq!(
        web1.cloud_server.cloud_network.as_ref().and_then(|n| n.private_ip_v4.as_deref()),
        Some("192.168.10.11")
    );

    // P8: one node's details.
    let one = v3::parse_node_details(&ctx.send(v3::get_node_details(
        &ctx.dfw,
        &ctx.token,
        &pid(demo::DFW_WEB_POOL),
        &nid(&added.id),
    )))
    .expect("P8 parses");
    assert_eq!(&one, mine);

    // B3: every pool the server is in, without the server.
    let memberships = ctx.server_nodes(demo::UNMANAGED);
    assert_eq!(memberships.len(), 1, "{memberships:?}");
    assert_eq!(memberships[0].id, added.id);
    assert_eq!(memberships[0].load_balancer_pool.id, demo::DFW_WEB_POOL);
    assert_eq!(memberships[0].load_balancer_pool.port, Some(80));
    assert_eq!(memberships[0].status, NodeStatus::Active);
    assert!(!memberships[0].extra.contains_key("cloud_server"), "B3 items have no cloud_server");
    assert_eq!(ctx.server_nodes(demo::WEB1).len(), 1);
    assert!(ctx.server_nodes(demo::FAILED).is_empty());
}

#[test]
fn node_counts_lag_sixty_seconds_behind_changes() {
    let ctx = setup();
    let total = |ctx: &Ctx| ctx.pool(demo::DFW_WEB_POOL).node_counts.expect("node_counts").total;
    assert_eq!(total(&ctx), 1);
    let added = ctx.add_node(demo::DFW_WEB_POOL, demo::UNMANAGED).expect("P4");
    assert_eq!(total(&ctx), 1, "right after the add the count is the old one");
    ctx.advance(4.0);
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &added.id).expect("P6").status, NodeStatus::Active);
    assert_eq!(total(&ctx), 1, "the node is ACTIVE but the count still lags");
    ctx.advance(60.0);
    let counts = ctx.pool(demo::DFW_WEB_POOL).node_counts.expect("node_counts");
    assert_eq!((counts.cloud_servers, counts.external, counts.total), (2, 0, 2), "updated after 60 s");
    let listed = ctx.pools(&ctx.dfw).into_iter().find(|p| p.id == demo::DFW_WEB_POOL).expect("in P1");
    assert_eq!(listed.node_counts.map(|c| c.total), Some(2), "P1 shows the same counts");

    ctx.remove_node(demo::DFW_WEB_POOL, &added.id).expect("P7");
    ctx.advance(4.0);
    assert_not_found(&api_error(ctx.node(demo::DFW_WEB_POOL, &added.id)));
    assert_eq!(total(&ctx), 2, "the removal is not counted yet");
    ctx.advance(60.0);
    assert_eq!(total(&ctx), 1, "the removal is counted after 60 s");
}

#[test]
fn p7_remove_node_is_removing_then_gone() {
    let ctx = setup();
    let node = ctx.web1_node();
    assert_eq!(node.status, NodeStatus::Active);
    let now = now_seconds(&ctx.emu);
    ctx.remove_node(demo::DFW_WEB_POOL, &node.id).expect("P7 answers 204");
    let removing = ctx.node(demo::DFW_WEB_POOL, &node.id).expect("still visible");
    assert_eq!(removing.status, NodeStatus::Removing);
    assert_eq!(removing.updated.map(|t| t.unix_seconds()), Some(now));
    assert_eq!(ctx.nodes(demo::DFW_WEB_POOL).len(), 1, "listed while REMOVING");
    ctx.advance(3.0);
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &node.id).expect("visible").status, NodeStatus::Removing);
    ctx.advance(1.0);
    assert_not_found(&api_error(ctx.node(demo::DFW_WEB_POOL, &node.id)));
    let details = ctx.send(v3::get_node_details(&ctx.dfw, &ctx.token, &pid(demo::DFW_WEB_POOL), &nid(&node.id)));
    assert_not_found(&api_error(v3::parse_node_details(&details)));
    assert!(ctx.nodes(demo::DFW_WEB_POOL).is_empty());
    assert!(ctx.server_nodes(demo::WEB1).is_empty());
}

#[test]
fn p7_conflicts_node_of_another_pool_and_node_not_active() {
    let ctx = setup();
    let web1 = ctx.web1_node();
    // The node exists, but not in this pool.
    let api = api_error(ctx.remove_node(demo::DFW_API_POOL, &web1.id));
    assert_conflict(&api, 1);
    let conflict = conflict_of(&api, ConflictKind::NodeNotMember);
    assert!(conflict.node_id.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&web1.id)), "{conflict:?}");
    assert!(conflict.names_pool(demo::DFW_API_POOL), "{conflict:?}");
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &web1.id).expect("untouched").status, NodeStatus::Active);

    // A node still ADDING cannot be removed.
    let adding = ctx.add_node(demo::DFW_WEB_POOL, demo::UNMANAGED).expect("P4");
    let api = api_error(ctx.remove_node(demo::DFW_WEB_POOL, &adding.id));
    assert_conflict(&api, 1);
    let conflict = conflict_of(&api, ConflictKind::NodeNotActive);
    assert!(conflict.node_id.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&adding.id)), "{conflict:?}");
    assert!(ConflictKind::NodeNotActive.is_retryable());
    ctx.advance(4.0);
    ctx.remove_node(demo::DFW_WEB_POOL, &adding.id).expect("ACTIVE now: removable");
}

#[test]
fn p4_conflicts_use_the_same_templates() {
    let ctx = setup();
    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, demo::WEB1));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::AlreadyMember).is_about(demo::WEB1, demo::DFW_WEB_POOL));

    let api = api_error(ctx.add_node(demo::DFW_MAINTENANCE_POOL, demo::UNMANAGED));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::PoolNotActive).names_pool(demo::DFW_MAINTENANCE_POOL));

    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, GHOST_SERVER));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerDoesNotExist).names_server(GHOST_SERVER));

    // A server of another region is unknown to DFW.
    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, demo::LON_WEB1));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerDoesNotExist).names_server(demo::LON_WEB1));
    assert_eq!(ctx.nodes(demo::DFW_WEB_POOL).len(), 1, "no node was created");
}

#[test]
fn just_built_servers_do_not_exist_then_are_unprocessable_then_work() {
    let ctx = setup();
    // 0 s after the build: "does not exist" (first half of the 15 s window).
    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, demo::FRESH));
    assert_conflict(&api, 1);
    let conflict = conflict_of(&api, ConflictKind::ServerDoesNotExist);
    assert!(conflict.names_server(demo::FRESH) && conflict.kind.is_retryable());
    let api = api_error(ctx.create_ip(Some(demo::WEB2), None));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerDoesNotExist).names_server(demo::WEB2));

    // 8 s: "is unprocessable" (second half).
    ctx.advance(8.0);
    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, demo::FRESH));
    assert_conflict(&api, 1);
    let conflict = conflict_of(&api, ConflictKind::ServerUnprocessable);
    assert!(conflict.names_server(demo::FRESH) && conflict.kind.is_retryable());
    let api = api_error(ctx.create_ip(Some(demo::WEB2), None));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerUnprocessable).names_server(demo::WEB2));

    // 16 s: known.
    ctx.advance(8.0);
    assert_eq!(ctx.add_node(demo::DFW_WEB_POOL, demo::FRESH).expect("P4").status, NodeStatus::Adding);
    assert_eq!(ctx.create_ip(Some(demo::WEB2), None).expect("I2").status, PublicIpStatus::Adding);
}

#[test]
fn b1_bulk_add_two_servers_to_two_pools() {
    let ctx = setup();
    let pairs = [
        (demo::UNMANAGED, demo::DFW_WEB_POOL),
        (demo::UNMANAGED, demo::DFW_API_POOL),
        (demo::FAILED, demo::DFW_WEB_POOL),
        (demo::FAILED, demo::DFW_API_POOL),
    ];
    let nodes = ctx.bulk_add(&pairs).expect("B1 parses");
    assert_eq!(nodes.len(), 4, "{nodes:?}");
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "distinct node ids");
    for (server, pool) in pairs {
        let node = nodes
            .iter()
            .find(|n| {
                n.cloud_server.id.eq_ignore_ascii_case(server) && n.load_balancer_pool.id.eq_ignore_ascii_case(pool)
            })
            .unwrap_or_else(|| panic!("a node for {server} in {pool}: {nodes:?}"));
        assert_eq!(node.status, NodeStatus::Adding);
    }
    ctx.advance(4.0);
    for server in [demo::UNMANAGED, demo::FAILED] {
        let memberships = ctx.server_nodes(server);
        let pools: BTreeSet<String> = memberships.iter().map(|m| m.load_balancer_pool.id.clone()).collect();
        assert_eq!(pools, BTreeSet::from([demo::DFW_WEB_POOL.to_owned(), demo::DFW_API_POOL.to_owned()]));
        assert!(memberships.iter().all(|m| m.status == NodeStatus::Active), "{memberships:?}");
    }
    assert_eq!(ctx.nodes(demo::DFW_WEB_POOL).len(), 3, "web1 and the two new ones");
    assert_eq!(ctx.nodes(demo::DFW_API_POOL).len(), 2);
}

#[test]
fn b1_bulk_add_409_lists_every_problem_and_is_atomic() {
    let ctx = setup();
    // Into the second half of fresh's 15 s window: "is unprocessable".
    ctx.advance(8.0);
    let pairs = [
        (demo::UNMANAGED, demo::DFW_WEB_POOL),         // valid
        (demo::WEB1, demo::DFW_WEB_POOL),              // already a member
        (demo::UNMANAGED, MISSING_POOL),               // pool does not exist
        (demo::UNMANAGED, demo::DFW_MAINTENANCE_POOL), // pool not ACTIVE
        (GHOST_SERVER, demo::DFW_API_POOL),            // server does not exist
        (demo::FRESH, demo::DFW_API_POOL),             // server unprocessable
        (demo::FAILED, demo::DFW_API_POOL),            // valid
    ];
    let api = api_error(ctx.bulk_add(&pairs));
    assert_conflict(&api, 5);

    let member = conflict_of(&api, ConflictKind::AlreadyMember);
    assert!(member.is_about(demo::WEB1, demo::DFW_WEB_POOL), "lower case: {member:?}");
    assert!(
        member.is_about(&demo::WEB1.to_ascii_uppercase(), &demo::DFW_WEB_POOL.to_ascii_uppercase()),
        "upper case: {member:?}"
    );
    assert!(!member.is_about(demo::UNMANAGED, demo::DFW_WEB_POOL));
    assert!(conflict_of(&api, ConflictKind::PoolDoesNotExist).names_pool(MISSING_POOL));
    assert!(conflict_of(&api, ConflictKind::PoolNotActive).names_pool(demo::DFW_MAINTENANCE_POOL));
    assert!(conflict_of(&api, ConflictKind::ServerDoesNotExist).names_server(GHOST_SERVER));
    assert!(conflict_of(&api, ConflictKind::ServerUnprocessable).names_server(demo::FRESH));
    assert!(
        !api.conflicts.iter().any(|c| c.names_server(demo::FAILED)),
        "the valid pairs are not named: {:?}",
        api.messages
    );

    // Atomic: nothing was created for the valid pairs, now or later.
    ctx.advance(4.0);
    assert_eq!(ctx.nodes(demo::DFW_WEB_POOL).len(), 1, "only web1");
    assert!(ctx.nodes(demo::DFW_API_POOL).is_empty());
    assert!(ctx.nodes(demo::DFW_MAINTENANCE_POOL).is_empty());
    assert!(ctx.server_nodes(demo::UNMANAGED).is_empty());
    assert!(ctx.server_nodes(demo::FAILED).is_empty());

    // The valid pairs alone go through.
    let nodes = ctx
        .bulk_add(&[(demo::UNMANAGED, demo::DFW_WEB_POOL), (demo::FAILED, demo::DFW_API_POOL)])
        .expect("the valid pairs alone");
    assert_eq!(nodes.len(), 2);
}

#[test]
fn b2_bulk_remove_409_is_atomic_then_removes() {
    let ctx = setup();
    let web1 = ctx.web1_node();
    let adding = ctx.add_node(demo::DFW_WEB_POOL, demo::UNMANAGED).expect("P4");
    let pairs = [
        (demo::WEB1, demo::DFW_API_POOL),      // not a member
        (demo::UNMANAGED, demo::DFW_WEB_POOL), // still ADDING
        (demo::WEB1, demo::DFW_WEB_POOL),      // valid
    ];
    let api = api_error(ctx.bulk_remove(&pairs));
    assert_conflict(&api, 2);
    assert!(conflict_of(&api, ConflictKind::NotMember).is_about(demo::WEB1, demo::DFW_API_POOL));
    let not_active = conflict_of(&api, ConflictKind::NodeNotActive);
    assert!(not_active.node_id.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&adding.id)), "{not_active:?}");
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &web1.id).expect("P6").status, NodeStatus::Active, "atomic");

    ctx.advance(4.0);
    ctx.bulk_remove(&[(demo::WEB1, demo::DFW_WEB_POOL), (demo::UNMANAGED, demo::DFW_WEB_POOL)]).expect("B2 204");
    let nodes = ctx.nodes(demo::DFW_WEB_POOL);
    assert_eq!(nodes.len(), 2);
    assert!(nodes.iter().all(|n| n.status == NodeStatus::Removing), "{nodes:?}");
    ctx.advance(4.0);
    assert!(ctx.nodes(demo::DFW_WEB_POOL).is_empty());
    assert!(ctx.server_nodes(demo::WEB1).is_empty());

    // Removing again: not a member any more.
    let api = api_error(ctx.bulk_remove(&[(demo::WEB1, demo::DFW_WEB_POOL)]));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::NotMember).is_about(demo::WEB1, demo::DFW_WEB_POOL));
}

#[test]
fn adds_for_web_add_fails_end_add_failed_with_a_detail() {
    let ctx = setup();
    let node = ctx.add_node(demo::DFW_WEB_POOL, demo::ADD_FAILS).expect("P4");
    assert_eq!(node.status, NodeStatus::Adding);
    let ip = ctx.create_ip(Some(demo::ADD_FAILS), None).expect("I2");
    assert_eq!(ip.status, PublicIpStatus::Adding);
    ctx.advance(4.0);

    let failed = ctx.node(demo::DFW_WEB_POOL, &node.id).expect("P6");
    assert_eq!(failed.status, NodeStatus::AddFailed);
    assert!(failed.status.is_failed());
    assert_eq!(failed.status_detail.as_deref(), Some(ADD_FAILURE_DETAIL));
    let memberships = ctx.server_nodes(demo::ADD_FAILS);
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].status, NodeStatus::AddFailed);
    assert_eq!(memberships[0].status_detail.as_deref(), Some(ADD_FAILURE_DETAIL));

    let failed_ip = ctx.ip(&ip.id).expect("I3");
    assert_eq!(failed_ip.status, PublicIpStatus::AddFailed);
    assert_eq!(failed_ip.status_detail.as_deref(), Some(ADD_FAILURE_DETAIL));
}

// ------------------------------------------------------------------------------------------------
// Public IPs: I1 to I5

#[test]
fn i1_lists_and_filters_public_ips() {
    let ctx = setup();
    let all = ctx.ips(None, None);
    assert_eq!(all.len(), 2, "{all:?}");

    let web1 = ctx.web1_ip();
    assert_eq!(web1.public_ip_v4.as_deref(), Some(WEB1_ADDRESS));
    assert!(!web1.retain);
    assert_eq!(web1.status, PublicIpStatus::Active);
    let server = web1.cloud_server.clone().expect("assigned to web1");
    assert_eq!(server.id, demo::WEB1);
    assert_eq!(server.name.as_deref(), Some("web1"));
    assert_eq!(server.cloud_network.and_then(|n| n.private_ip_v4).as_deref(), Some("192.168.10.11"));
    assert_eq!(ctx.ips(None, Some(false)), vec![web1.clone()]);

    let retained = ctx.retained_ip();
    assert_eq!(retained.public_ip_v4.as_deref(), Some(demo::RETAINED_IP_ADDRESS));
    assert!(retained.retain);
    assert_eq!(retained.cloud_server, None, "retained and unassigned");

    assert!(ctx.ips(Some(demo::UNMANAGED), None).is_empty());
    // The getting-started guide: a server without a public IP "does not return any JSON data".
    let filter = PublicIpFilter { cloud_server_id: Some(sid(demo::UNMANAGED)), retain: None };
    let none = ctx.send(v3::list_public_ips(&ctx.dfw, &ctx.token, &filter));
    assert_eq!((none.status, none.body.len()), (200, 0), "{none:?}");
    assert!(ctx.ips(Some(demo::WEB1), Some(true)).is_empty(), "both filters apply");
    let lon = ctx.ips_in(&region_endpoint(&ctx, "LON"), &PublicIpFilter::default());
    assert!(lon.is_empty(), "IPs are per region: {lon:?}");

    // I3 agrees with the list.
    assert_eq!(ctx.ip(&web1.id).expect("I3"), web1);
    assert_eq!(ctx.ip(&retained.id).expect("I3"), retained);
}

#[test]
fn i2_public_ip_for_a_server_adding_then_active_and_one_per_server() {
    let ctx = setup();
    let raw =
        ctx.raw("POST", "/public_ips", Some(json!({"cloud_server": {"id": demo::UNMANAGED}}).to_string().as_bytes()));
    assert_eq!(raw.status, 201);
    assert_eq!(json_body(&raw)["public_ip_v4"], Value::Null, "null until allocated");
    let ip = v3::parse_public_ip(&raw).expect("I2 parses");
    assert_eq!(ip.status, PublicIpStatus::Adding);
    assert_eq!(ip.public_ip_v4, None);
    assert!(!ip.retain);
    let server = ip.cloud_server.clone().expect("a server");
    assert_eq!(server.id, demo::UNMANAGED);
    assert_eq!(server.name.as_deref(), Some("unmanaged"));
    assert_eq!(server.cloud_network.and_then(|n| n.private_ip_v4).as_deref(), Some("192.168.10.20"));

    // One public IP per server, even while the first is ADDING.
    let api = api_error(ctx.create_ip(Some(demo::UNMANAGED), None));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerHasPublicIp).names_server(demo::UNMANAGED));

    ctx.advance(4.0);
    let active = ctx.ip(&ip.id).expect("I3");
    assert_eq!(active.status, PublicIpStatus::Active);
    let address: Ipv4Addr = active.public_ip_v4.as_deref().expect("an address once ACTIVE").parse().expect("IPv4");
    assert_ne!(address.to_string(), WEB1_ADDRESS);
    assert_ne!(address.to_string(), demo::RETAINED_IP_ADDRESS);
    assert_eq!(ctx.ips(Some(demo::UNMANAGED), None), vec![active]);

    let api = api_error(ctx.create_ip(Some(demo::UNMANAGED), None));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerHasPublicIp).names_server(demo::UNMANAGED));
    let api = api_error(ctx.create_ip(Some(demo::WEB1), Some(true)));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerHasPublicIp).names_server(demo::WEB1));
    assert_eq!(ctx.ips(None, None).len(), 3);
}

#[test]
fn i2_unassigned_retained_ips_up_to_the_account_limit() {
    let ctx = setup();
    let ip = ctx.create_ip(None, Some(true)).expect("I2 {retain: true}");
    assert_eq!(ip.status, PublicIpStatus::Adding);
    assert!(ip.retain);
    assert_eq!(ip.cloud_server, None);
    assert_eq!(ip.public_ip_v4, None);

    // The scenario has 1 retained IP; the limit is 5 per account, in all regions together.
    ctx.create_ip(None, Some(true)).expect("3rd retained");
    ctx.create_ip(None, Some(true)).expect("4th retained");
    let lon = region_endpoint(&ctx, "LON");
    let in_lon = ctx.create_ip_in(&lon, None, Some(true)).expect("5th retained, in LON");
    assert!(in_lon.retain);

    let api = api_error(ctx.create_ip(None, Some(true)));
    assert_conflict(&api, 1);
    assert_eq!(api.conflicts[0].kind, ConflictKind::RetainedLimitReached, "{:?}", api.messages);
    let api = api_error(ctx.create_ip(Some(demo::UNMANAGED), Some(true)));
    assert_eq!(api.kind, ApiErrorKind::Conflict);
    assert!(api.conflicts.iter().any(|c| c.kind == ConflictKind::RetainedLimitReached), "{:?}", api.messages);
    assert!(ctx.ips(Some(demo::UNMANAGED), None).is_empty(), "the refused IP was not created");

    ctx.advance(4.0);
    let retained = ctx.ips(None, Some(true));
    assert_eq!(retained.len(), 4, "4 in DFW, 1 in LON");
    for ip in &retained {
        assert_eq!(ip.status, PublicIpStatus::Active);
        assert!(ip.public_ip_v4.is_some() && ip.cloud_server.is_none(), "{ip:?}");
    }
    // A non-retained IP is not limited.
    assert!(!ctx.create_ip(Some(demo::UNMANAGED), None).expect("not retained").retain);
}

#[test]
fn i4_patch_retain_is_updating_then_active() {
    let ctx = setup();
    let ip = ctx.web1_ip();
    let now = now_seconds(&ctx.emu);
    let patched = ctx.patch_ip(&ip.id, Some(true), None).expect("I4");
    assert_eq!(patched.status, PublicIpStatus::Updating);
    assert!(patched.retain);
    assert_eq!(patched.updated.map(|t| t.unix_seconds()), Some(now));
    ctx.advance(1.0);
    assert_eq!(ctx.ip(&ip.id).expect("I3").status, PublicIpStatus::Updating, "1 s < 2 s");
    ctx.advance(1.0);
    let active = ctx.ip(&ip.id).expect("I3");
    assert_eq!(active.status, PublicIpStatus::Active);
    assert!(active.retain);
    assert_eq!(active.public_ip_v4.as_deref(), Some(WEB1_ADDRESS), "the address does not change");
    assert_eq!(active.cloud_server.map(|s| s.id).as_deref(), Some(demo::WEB1));
    assert_eq!(ctx.ips(None, Some(true)).len(), 2);
    assert!(ctx.ips(None, Some(false)).is_empty());
}

#[test]
fn i4_patch_moves_the_retained_ip_but_not_onto_a_server_with_one() {
    let ctx = setup();
    let retained = ctx.retained_ip();
    let moved = ctx.patch_ip(&retained.id, None, Some(demo::UNMANAGED)).expect("I4 move");
    assert_eq!(moved.status, PublicIpStatus::Updating);
    assert_eq!(moved.cloud_server.as_ref().map(|s| s.id.as_str()), Some(demo::UNMANAGED));
    assert!(moved.retain);
    ctx.advance(2.0);
    let on_server = ctx.ips(Some(demo::UNMANAGED), None);
    assert_eq!(on_server.len(), 1);
    assert_eq!(on_server[0].id, retained.id);
    assert_eq!(on_server[0].status, PublicIpStatus::Active);
    assert_eq!(on_server[0].public_ip_v4.as_deref(), Some(demo::RETAINED_IP_ADDRESS));

    // web1 already has a public IP.
    let api = api_error(ctx.patch_ip(&retained.id, None, Some(demo::WEB1)));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerHasPublicIp).names_server(demo::WEB1));
    let still = ctx.ip(&retained.id).expect("I3");
    assert_eq!(still.status, PublicIpStatus::Active);
    assert_eq!(still.cloud_server.map(|s| s.id).as_deref(), Some(demo::UNMANAGED), "not moved");
    assert_eq!(ctx.ips(Some(demo::WEB1), None).len(), 1);
}

#[test]
fn i4_unassign_keeps_a_retained_ip_on_no_server_and_refuses_a_non_retained_one() {
    let ctx = setup();
    let web1 = ctx.web1_ip();
    assert!(!web1.retain);
    // Not retained: unassigned, it would be lost; moving it is refused the same way.
    for refused in [
        ctx.send(v3::unassign_public_ip(&ctx.dfw, &ctx.token, &ipid(&web1.id), None)),
        ctx.send(v3::update_public_ip(&ctx.dfw, &ctx.token, &ipid(&web1.id), None, Some(&sid(demo::UNMANAGED)))),
    ] {
        let api = api_error(v3::parse_public_ip(&refused));
        assert_eq!(api.status, 409, "{api:?}");
        assert!(api.messages[0].contains("is not retained"), "{api:?}");
    }
    // Retained in the same request: unassigned, kept.
    let answer = ctx.send(v3::unassign_public_ip(&ctx.dfw, &ctx.token, &ipid(&web1.id), Some(true)));
    let unassigned = v3::parse_public_ip(&answer).expect("I4 unassign");
    assert_eq!(unassigned.status, PublicIpStatus::Updating);
    assert_eq!(unassigned.cloud_server, None);
    assert!(unassigned.retain);
    ctx.advance(2.0);
    let kept = ctx.ip(&web1.id).expect("I3: the record is kept");
    assert_eq!(
        (kept.status, kept.cloud_server, kept.public_ip_v4.as_deref()),
        (PublicIpStatus::Active, None, Some(WEB1_ADDRESS))
    );
    assert!(ctx.ips(Some(demo::WEB1), None).is_empty(), "web1 holds no public IP now");
    // And it can be moved to another server later.
    let moved = ctx.patch_ip(&web1.id, None, Some(demo::UNMANAGED)).expect("I4 move");
    assert_eq!(moved.cloud_server.map(|s| s.id).as_deref(), Some(demo::UNMANAGED));
}

#[test]
fn i5_delete_public_ip_is_removing_then_gone() {
    let ctx = setup();
    let ip = ctx.web1_ip();
    ctx.delete_ip(&ip.id).expect("I5 answers 204");
    assert_eq!(ctx.ip(&ip.id).expect("visible while removing").status, PublicIpStatus::Removing);
    assert_eq!(ctx.ips(Some(demo::WEB1), None).len(), 1, "listed while REMOVING");
    ctx.advance(4.0);
    assert_not_found(&api_error(ctx.ip(&ip.id)));
    assert!(ctx.ips(Some(demo::WEB1), None).is_empty());
    assert_eq!(ctx.ips(None, None).len(), 1, "only the retained IP is left");
    // web1 may have a public IP again.
    assert_eq!(ctx.create_ip(Some(demo::WEB1), None).expect("I2").status, PublicIpStatus::Adding);
}

#[test]
fn live_public_ips_never_share_an_address() {
    let ctx = setup();
    let a = ctx.create_ip(Some(demo::UNMANAGED), None).expect("I2");
    ctx.create_ip(Some(demo::FAILED), None).expect("I2");
    ctx.advance(4.0);
    ctx.delete_ip(&a.id).expect("I5");
    ctx.advance(4.0);
    ctx.create_ip(Some(demo::BUILD_ERROR), None).expect("I2");
    ctx.create_ip(Some(demo::AUTH_ERROR), None).expect("I2");
    ctx.advance(4.0);
    let ips = ctx.ips(None, None);
    assert_eq!(ips.len(), 5, "web1, retained, failed, build-error, auth-error: {ips:?}");
    let addresses: Vec<String> = ips.iter().map(|i| i.public_ip_v4.clone().expect("ACTIVE: an address")).collect();
    let distinct: BTreeSet<&String> = addresses.iter().collect();
    assert_eq!(distinct.len(), addresses.len(), "two public IPs with one address: {addresses:?}");
}

// ------------------------------------------------------------------------------------------------
// Deleting a server

/// Gives UNMANAGED a retained IP and a node in the API pool; returns the retained IP.
fn unmanaged_with_retained_ip_and_node(ctx: &Ctx) -> PublicIp {
    let ip = ctx.create_ip(Some(demo::UNMANAGED), Some(true)).expect("I2 retained, assigned");
    assert!(ip.retain);
    ctx.add_node(demo::DFW_API_POOL, demo::UNMANAGED).expect("P4");
    ctx.advance(4.0);
    let ip = ctx.ip(&ip.id).expect("I3");
    assert_eq!(ip.status, PublicIpStatus::Active);
    ip
}

fn assert_server_deleted_side_effects(ctx: &Ctx, web1_node: &Node, web1_ip: &PublicIp) {
    // At once: the nodes and the non-retained IP are on their way out.
    assert_eq!(ctx.node(demo::DFW_WEB_POOL, &web1_node.id).expect("P6").status, NodeStatus::Removing);
    assert_eq!(ctx.ip(&web1_ip.id).expect("I3").status, PublicIpStatus::Removing);
    ctx.advance(4.0);
    assert_not_found(&api_error(ctx.node(demo::DFW_WEB_POOL, &web1_node.id)));
    assert!(ctx.nodes(demo::DFW_WEB_POOL).is_empty());
    assert!(ctx.server_nodes(demo::WEB1).is_empty());
    assert_not_found(&api_error(ctx.ip(&web1_ip.id)));
    assert!(ctx.ips(Some(demo::WEB1), None).is_empty());
    // The server is unknown to v3 now.
    let api = api_error(ctx.add_node(demo::DFW_WEB_POOL, demo::WEB1));
    assert_conflict(&api, 1);
    assert!(conflict_of(&api, ConflictKind::ServerDoesNotExist).names_server(demo::WEB1));
}

#[test]
fn deleting_a_server_through_the_control_api_cleans_up_v3() {
    let ctx = setup();
    let web1_node = ctx.web1_node();
    let web1_ip = ctx.web1_ip();
    let retained = unmanaged_with_retained_ip_and_node(&ctx);

    let (status, _) = common::control(&ctx.emu, "DELETE", &format!("servers/{}", demo::WEB1), None);
    assert_eq!(status, 204);
    let (status, _) = common::control(&ctx.emu, "DELETE", &format!("servers/{}", demo::UNMANAGED), None);
    assert_eq!(status, 204);
    assert_server_deleted_side_effects(&ctx, &web1_node, &web1_ip);

    // UNMANAGED left its pool; its retained IP stays, unassigned, with its address.
    assert!(ctx.nodes(demo::DFW_API_POOL).is_empty());
    assert!(ctx.server_nodes(demo::UNMANAGED).is_empty());
    let kept = ctx.ip(&retained.id).expect("the retained IP stays");
    assert_eq!(kept.status, PublicIpStatus::Active);
    assert!(kept.retain);
    assert_eq!(kept.cloud_server, None, "unassigned");
    assert_eq!(kept.public_ip_v4, retained.public_ip_v4);
    assert!(ctx.ips(Some(demo::UNMANAGED), None).is_empty());
    // The getting-started guide: a server without a public IP "does not return any JSON data".
    let filter = PublicIpFilter { cloud_server_id: Some(sid(demo::UNMANAGED)), retain: None };
    let none = ctx.send(v3::list_public_ips(&ctx.dfw, &ctx.token, &filter));
    assert_eq!((none.status, none.body.len()), (200, 0), "{none:?}");
    assert_eq!(ctx.ips(None, Some(true)).len(), 2, "the scenario's and UNMANAGED's");
}

#[test]
fn deleting_a_server_through_cloud_servers_cleans_up_v3() {
    let ctx = setup();
    let access = common::demo_token(&ctx.emu);
    let servers = common::servers_endpoint(&access, Region::Dfw);
    let web1_node = ctx.web1_node();
    let web1_ip = ctx.web1_ip();
    let retained = unmanaged_with_retained_ip_and_node(&ctx);

    for server in [demo::WEB1, demo::UNMANAGED] {
        let url = format!("{}/servers/{server}", servers.base());
        let response = common::send(&ctx.emu, "DELETE", &url, &[("X-Auth-Token", ctx.token.expose())], None);
        assert_eq!(response.status, 204, "{}", String::from_utf8_lossy(&response.body));
    }
    let shown = ctx.send(rackconnect::servers::show_server(&servers, &ctx.token, &sid(demo::WEB1)));
    assert_not_found(&api_error(rackconnect::servers::parse_server(&shown)));
    assert_server_deleted_side_effects(&ctx, &web1_node, &web1_ip);
    let kept = ctx.ip(&retained.id).expect("the retained IP stays");
    assert_eq!((kept.status, kept.retain, kept.cloud_server), (PublicIpStatus::Active, true, None));
}

// ------------------------------------------------------------------------------------------------
// Auth and errors

#[test]
fn missing_bad_and_expired_tokens_are_401() {
    let ctx = setup();
    let url = format!("{}/load_balancer_pools", ctx.dfw.base());
    let none = common::send(&ctx.emu, "GET", &url, &[("Accept", "application/json")], None);
    let api = api_error(v3::parse_pools(&none));
    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));

    let bad = ctx.send(v3::list_pools(&ctx.dfw, &Token::new("0123456789abcdef0123456789abcdef")));
    let api = api_error(v3::parse_pools(&bad));
    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));

    assert_eq!(ctx.pools(&ctx.dfw).len(), 3, "the good token works");
    let (status, answer) = common::control(&ctx.emu, "POST", "tokens/expire", None);
    assert_eq!(status, 200);
    assert!(answer["expired"].as_u64().is_some_and(|n| n >= 1), "{answer}");
    let expired = ctx.send(v3::list_pools(&ctx.dfw, &ctx.token));
    let api = api_error(v3::parse_pools(&expired));
    assert_eq!((api.status, api.kind), (401, ApiErrorKind::Unauthorized));
    let api = api_error(ctx.create_ip(None, Some(true)));
    assert_eq!(api.status, 401, "writes too");

    // A new token works again.
    let fresh = common::demo_token(&ctx.emu).token.id;
    assert_eq!(v3::parse_pools(&ctx.send(v3::list_pools(&ctx.dfw, &fresh))).expect("P1").len(), 3);
}

#[test]
fn other_tenant_is_403_in_a_region_it_lacks() {
    let ctx = setup();
    let endpoint = IdentityEndpoint::parse(&ctx.emu.url()).expect("identity url");
    let creds = Credentials::ApiKey { username: "other".into(), api_key: ApiKey::new("other-api-key") };
    let access = identity::parse_token(&ctx.send(identity::token(&endpoint, &creds, None))).expect("a token");
    assert!(access.rackconnect_endpoint(Region::Dfw).is_none(), "no RCv3 in DFW for 654321");
    assert!(!access.has_rackconnect_v3(Region::Dfw));
    let ord = common::v3_endpoint(&access, Region::Ord);
    let token = access.token.id.clone();

    let pools = v3::parse_pools(&ctx.send(v3::list_pools(&ord, &token))).expect("P1 in ORD");
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].id, OTHER_POOL);
    assert_eq!(pools[0].name.as_deref(), Some("other-pool"));
    let networks = v3::parse_networks(&ctx.send(v3::list_networks(&ord, &token))).expect("N1 in ORD");
    assert_eq!(networks.iter().map(|n| n.name.clone().unwrap_or_default()).collect::<Vec<_>>(), ["other-net"]);

    let dfw_url = ord.base().replace("/ORD/", "/DFW/");
    assert!(dfw_url.ends_with("/DFW/v3/654321"), "{dfw_url}");
    let dfw = V3Endpoint::BaseUrl(BaseUrl::new("endpoint", &dfw_url).expect("url"));
    for response in [
        ctx.send(v3::list_pools(&dfw, &token)),
        ctx.send(v3::list_networks(&dfw, &token)),
        ctx.send(v3::list_public_ips(&dfw, &token, &PublicIpFilter::default())),
    ] {
        let api = api_error(v3::parse_no_content(&response));
        assert_eq!((api.status, api.kind), (403, ApiErrorKind::Forbidden), "{api:?}");
    }
}

#[test]
fn malformed_json_bodies_are_400_with_the_documented_body() {
    let ctx = setup();
    let ip = ctx.web1_ip();
    let body: &[u8] = b"{\"cloud_server\": {\"id\": ";
    let cases = [
        ("POST", format!("/load_balancer_pools/{}/nodes", demo::DFW_WEB_POOL)),
        ("POST", "/load_balancer_pools/nodes".to_owned()),
        ("DELETE", "/load_balancer_pools/nodes".to_owned()),
        ("POST", "/public_ips".to_owned()),
        ("PATCH", format!("/public_ips/{}", ip.id)),
    ];
    for (method, path) in cases {
        let response = ctx.raw(method, &path, Some(body));
        assert_eq!(response.status, 400, "{method} {path}");
        assert_eq!(json_body(&response), json!({"errors": [BAD_INPUT]}), "{method} {path}");
        let api = api_error(v3::parse_no_content(&response));
        assert_eq!(api.kind, ApiErrorKind::BadRequest);
        assert_eq!(api.messages, vec![BAD_INPUT.to_owned()]);
    }
    // Nothing changed.
    assert_eq!(ctx.nodes(demo::DFW_WEB_POOL).len(), 1);
    assert_eq!(ctx.ips(None, None).len(), 2);
    assert_eq!(ctx.ip(&ip.id).expect("I3").status, PublicIpStatus::Active);
}

#[test]
fn wrong_methods_are_405() {
    let ctx = setup();
    let node = ctx.web1_node();
    let ip = ctx.web1_ip();
    let web = demo::DFW_WEB_POOL;
    let cases = [
        ("PUT", "/cloud_networks".to_owned()),
        ("POST", format!("/cloud_networks/{}", demo::DFW_NETWORK)),
        ("POST", "/load_balancer_pools".to_owned()),
        ("DELETE", format!("/load_balancer_pools/{web}")),
        ("PUT", format!("/load_balancer_pools/{web}/nodes")),
        ("POST", format!("/load_balancer_pools/{web}/nodes/{}", node.id)),
        ("DELETE", format!("/load_balancer_pools/{web}/nodes/{}/details", node.id)),
        ("PATCH", "/load_balancer_pools/nodes".to_owned()),
        ("POST", "/load_balancer_pools/nodes/details".to_owned()),
        ("DELETE", "/public_ips".to_owned()),
        ("POST", format!("/public_ips/{}", ip.id)),
    ];
    for (method, path) in cases {
        let response = ctx.raw(method, &path, None);
        assert_eq!(response.status, 405, "{method} {path}: {}", String::from_utf8_lossy(&response.body));
        let allow = response.header("Allow").unwrap_or_else(|| panic!("{method} {path}: an Allow header"));
        assert!(!allow.contains(method), "{method} {path}: Allow {allow}");
    }
    // Nothing changed.
    assert_eq!(ctx.node(web, &node.id).expect("P6").status, NodeStatus::Active);
    assert_eq!(ctx.ip(&ip.id).expect("I3").status, PublicIpStatus::Active);
}

#[test]
fn unknown_paths_are_404() {
    let ctx = setup();
    let node = ctx.web1_node();
    for path in [
        "/nonsense".to_owned(),
        "/cloud_networks/x/y".to_owned(),
        format!("/load_balancer_pools/{}/nodes/{}/details/more", demo::DFW_WEB_POOL, node.id),
        format!("/load_balancer_pools/{}/members", demo::DFW_WEB_POOL),
    ] {
        let response = ctx.raw("GET", &path, None);
        let api = api_error(v3::parse_no_content(&response));
        assert_not_found(&api);
    }
    let response = common::send(&ctx.emu, "GET", "/no/such/service", &[("X-Auth-Token", ctx.token.expose())], None);
    assert_eq!(response.status, 404);
}

#[test]
fn b1_pair_listed_twice_is_one_membership() {
    let ctx = setup();
    let upper = demo::WEB2.to_ascii_uppercase();
    common::advance(&ctx.emu, 20.0);
    let nodes =
        ctx.bulk_add(&[(demo::UNMANAGED, demo::DFW_API_POOL), (demo::UNMANAGED, demo::DFW_API_POOL)]).expect("B1");
    assert_eq!(nodes.len(), 1, "one node for a pair listed twice");
    let nodes = ctx.bulk_add(&[(demo::WEB2, demo::DFW_API_POOL), (&upper, demo::DFW_API_POOL)]).expect("B1");
    assert_eq!(nodes.len(), 1, "ids compared in any case");
    assert_eq!(ctx.server_nodes(demo::UNMANAGED).len(), 1);
}
