//! RackConnect v3.0: all 18 operations, with the asynchronous state machines (ADDING → ACTIVE or
//! ADD_FAILED, REMOVING → gone, UPDATING → ACTIVE), atomic bulk 409s using the documented message
//! templates (UUIDs echoed in upper case, as the real service may), one public IP per server, the
//! retained-IP limit and node counts that lag.

use serde_json::{Value, json};

use super::{Call, authenticate_for};
use crate::reply::Reply;
use crate::world::{IpState, Next, NodeState, PoolState, ServerState, World};

struct Scope<'a> {
    region: String,
    tenant: &'a str,
}

fn up(id: &str) -> String {
    id.to_ascii_uppercase()
}

/// Answers `/rackconnect/{region}/v3/{tenant}/…`.
pub fn route(world: &mut World, call: &Call, region: &str, tenant: &str, rest: &[&str]) -> Reply {
    if let Err(reply) = authenticate_for(world, call, tenant) {
        return reply;
    }
    let region = region.to_ascii_uppercase();
    let allowed =
        world.account(tenant).is_some_and(|a| a.rackconnect_v3_regions.iter().any(|r| r.eq_ignore_ascii_case(&region)));
    if !allowed {
        return Reply::fault(403, "forbidden", &format!("The user has no RackConnect v3 role in {region}"));
    }
    if let Some(reply) = throttled(world, tenant) {
        return reply;
    }
    let scope = Scope { region, tenant };
    let m = call.method;
    match rest {
        ["cloud_networks"] if m == "GET" => {
            let list: Vec<Value> =
                world.networks.iter().filter(|n| in_scope(&scope, &n.tenant, &n.region)).map(network_json).collect();
            Reply::json(200, &Value::Array(list))
        }
        ["cloud_networks", id] if m == "GET" => {
            match world
                .networks
                .iter()
                .find(|n| in_scope(&scope, &n.tenant, &n.region) && n.id.eq_ignore_ascii_case(id))
            {
                Some(n) => Reply::json(200, &network_json(n)),
                None => Reply::errors(404, &[format!("Cloud Network {id} does not exist")]),
            }
        }
        ["load_balancer_pools"] if m == "GET" => {
            let list: Vec<Value> = world
                .pools
                .iter()
                .filter(|p| in_scope(&scope, &p.spec.tenant, &p.spec.region))
                .map(|p| pool_json(world, &p.spec.id))
                .collect();
            Reply::json(200, &Value::Array(list))
        }
        ["load_balancer_pools", "nodes"] => match m {
            "POST" => bulk(world, call, &scope, true),
            "DELETE" => bulk(world, call, &scope, false),
            _ => Reply::method_not_allowed("POST, DELETE"),
        },
        ["load_balancer_pools", "nodes", "details"] if m == "GET" => {
            let Some(server) = call.query("cloud_server_id") else {
                return Reply::errors(400, &["cloud_server_id is required".to_owned()]);
            };
            let list: Vec<Value> = world
                .nodes
                .iter()
                .filter(|n| n.server_id.eq_ignore_ascii_case(server) && pool_in_scope(world, &scope, &n.pool_id))
                .map(|n| {
                    let mut v = node_details_json(world, n);
                    if let Value::Object(map) = &mut v {
                        map.remove("cloud_server");
                    }
                    v
                })
                .collect();
            Reply::json(200, &Value::Array(list))
        }
        ["load_balancer_pools", "nodes", "details"] => Reply::method_not_allowed("GET"),
        ["load_balancer_pools", pool, rest @ ..] => {
            let Some(pool_id) = find_pool(world, &scope, pool).map(|p| p.spec.id.clone()) else {
                return Reply::errors(404, &[format!("Load Balancer Pool {pool} does not exist")]);
            };
            pool_routes(world, call, &scope, &pool_id, rest)
        }
        ["public_ips"] => match m {
            "GET" => {
                let server = call.query("cloud_server_id");
                let retain = call.query("retain").map(|r| r.eq_ignore_ascii_case("true"));
                let list: Vec<Value> = world
                    .ips
                    .iter()
                    .filter(|i| in_scope(&scope, &i.tenant, &i.region))
                    .filter(|i| {
                        server.is_none_or(|s| i.server_id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(s)))
                    })
                    .filter(|i| retain.is_none_or(|r| i.retain == r))
                    .map(|i| ip_json(world, i))
                    .collect();
                if server.is_some() && list.is_empty() {
                    // As the v3 getting-started guide says: a server without a public IP "does
                    // not return any JSON data".
                    return Reply::empty(200);
                }
                Reply::json(200, &Value::Array(list))
            }
            "POST" => create_ip(world, call, &scope),
            _ => Reply::method_not_allowed("GET, POST"),
        },
        ["public_ips", id] => {
            let Some(index) =
                world.ips.iter().position(|i| in_scope(&scope, &i.tenant, &i.region) && i.id.eq_ignore_ascii_case(id))
            else {
                return Reply::errors(404, &[format!("Public IP {id} does not exist")]);
            };
            match m {
                "GET" => Reply::json(200, &ip_json(world, &world.ips[index])),
                "PATCH" => patch_ip(world, call, &scope, index),
                "DELETE" => {
                    let at = world.due(world.transitions.public_ips, world.timings.v3_remove_seconds);
                    let now = world.now();
                    let ip = &mut world.ips[index];
                    if ip.status != "REMOVING" {
                        ip.status = "REMOVING".into();
                        ip.updated = Some(now);
                        ip.next = Some((at, Next::Vanish));
                    }
                    Reply::empty(204)
                }
                _ => Reply::method_not_allowed("GET, PATCH, DELETE"),
            }
        }
        ["cloud_networks"] | ["cloud_networks", _] | ["load_balancer_pools"] => Reply::method_not_allowed("GET"),
        _ => Reply::not_found(call.path),
    }
}

/// The answer past the scenario's v3 throttle, if this request is past it. Our convention (the
/// v3 guide documents none): Nova's `overLimit` body with `retryAfter`, the status the scenario
/// chose (413 as Nova answers, or 429), and `Retry-After` in seconds to the next emulated minute.
fn throttled(world: &mut World, tenant: &str) -> Option<Reply> {
    let throttle = world.v3_throttle.clone()?;
    let now = world.now();
    let minute = now.div_euclid(60_000);
    // Only this minute's counts matter: older ones go, so the map stays small.
    if world.v3_counts.keys().any(|(_, m)| *m != minute) {
        world.v3_counts.retain(|(_, m), _| *m == minute);
    }
    let count = world.v3_counts.entry((tenant.to_owned(), minute)).or_insert(0);
    *count += 1;
    if *count <= throttle.requests_per_minute {
        return None;
    }
    let retry_after = ((minute + 1) * 60_000 - now + 999) / 1000;
    let body = json!({"overLimit": {
        "code": throttle.status,
        "message": format!("Too many requests: {} a minute for this account", throttle.requests_per_minute),
        "retryAfter": retry_after.to_string(),
    }});
    Some(Reply::json(throttle.status, &body).with_header("Retry-After", retry_after.to_string()))
}

/// Nodes that a remove may take: ACTIVE ones, and failed ones (nothing else would clear those).
fn removable(status: &str) -> bool {
    matches!(status, "ACTIVE" | "ADD_FAILED" | "REMOVE_FAILED")
}

fn in_scope(scope: &Scope, tenant: &str, region: &str) -> bool {
    tenant == scope.tenant && region.eq_ignore_ascii_case(&scope.region)
}

fn find_pool<'w>(world: &'w World, scope: &Scope, pool_id: &str) -> Option<&'w PoolState> {
    world
        .pools
        .iter()
        .find(|p| p.spec.id.eq_ignore_ascii_case(pool_id) && in_scope(scope, &p.spec.tenant, &p.spec.region))
}

fn pool_in_scope(world: &World, scope: &Scope, pool_id: &str) -> bool {
    find_pool(world, scope, pool_id).is_some()
}

fn pool_routes(world: &mut World, call: &Call, scope: &Scope, pool_id: &str, rest: &[&str]) -> Reply {
    let m = call.method;
    match rest {
        [] if m == "GET" => Reply::json(200, &pool_json(world, pool_id)),
        ["nodes"] => match m {
            "GET" => {
                let list: Vec<Value> =
                    world.nodes.iter().filter(|n| n.pool_id.eq_ignore_ascii_case(pool_id)).map(node_json).collect();
                Reply::json(200, &Value::Array(list))
            }
            "POST" => {
                let Some(server) =
                    call.json().and_then(|b| b.pointer("/cloud_server/id").and_then(Value::as_str).map(str::to_owned))
                else {
                    return Reply::v3_bad_input();
                };
                let errors = add_errors(world, scope, &server, pool_id);
                if !errors.is_empty() {
                    return Reply::errors(409, &errors);
                }
                let node = new_node(world, &server, pool_id);
                Reply::json(201, &node_json(&node))
            }
            _ => Reply::method_not_allowed("GET, POST"),
        },
        ["nodes", "details"] if m == "GET" => {
            let list: Vec<Value> = world
                .nodes
                .iter()
                .filter(|n| n.pool_id.eq_ignore_ascii_case(pool_id))
                .map(|n| node_details_json(world, n))
                .collect();
            Reply::json(200, &Value::Array(list))
        }
        ["nodes", node] | ["nodes", node, "details"] => {
            let found = world.nodes.iter().position(|n| n.id.eq_ignore_ascii_case(node));
            let in_pool = found.filter(|&i| world.nodes[i].pool_id.eq_ignore_ascii_case(pool_id));
            match (m, rest.len(), in_pool, found) {
                ("GET", 2, Some(i), _) => Reply::json(200, &node_json(&world.nodes[i])),
                ("GET", 3, Some(i), _) => Reply::json(200, &node_details_json(world, &world.nodes[i])),
                ("GET", _, None, _) => Reply::errors(404, &[format!("Load Balancer Pool Node {node} does not exist")]),
                ("DELETE", 2, Some(i), _) => {
                    // A failed node can be removed too: nothing else would ever clear it.
                    if !removable(&world.nodes[i].status) {
                        return Reply::errors(
                            409,
                            &[format!("Load Balancer Pool Node {} is not in an ACTIVE state", up(node))],
                        );
                    }
                    start_removal(world, i);
                    Reply::empty(204)
                }
                ("DELETE", 2, None, Some(_)) => Reply::errors(
                    409,
                    &[format!("Node {} is not a member of Load Balancer Pool {}", up(node), up(pool_id))],
                ),
                ("DELETE", 2, None, None) => {
                    Reply::errors(404, &[format!("Load Balancer Pool Node {node} does not exist")])
                }
                (_, 2, ..) => Reply::method_not_allowed("GET, DELETE"),
                _ => Reply::method_not_allowed("GET"),
            }
        }
        [] => Reply::method_not_allowed("GET"),
        _ => Reply::not_found(call.path),
    }
}

/// Why `server` cannot be added to `pool`, in the documented wording.
fn add_errors(world: &World, scope: &Scope, server: &str, pool: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let pool_state = find_pool(world, scope, pool);
    match pool_state {
        None => errors.push(format!("Load Balancer Pool {} does not exist", up(pool))),
        Some(p) if p.spec.status != "ACTIVE" => {
            errors.push(format!("Load Balancer Pool {} is not in an ACTIVE state", up(pool)))
        }
        Some(_) => {}
    }
    if let Some(problem) = server_problem(world, scope, server) {
        errors.push(problem);
    } else if world.nodes.iter().any(|n| {
        n.server_id.eq_ignore_ascii_case(server) && n.pool_id.eq_ignore_ascii_case(pool) && n.status != "REMOVING"
    }) {
        errors.push(format!("Cloud Server {} is already a member of Load Balancer Pool {}", up(server), up(pool)));
    }
    errors
}

/// A server v3 does not (yet) know: missing, or within its post-build window (first "does not
/// exist", then "is unprocessable": both clear up on their own).
fn server_problem(world: &World, scope: &Scope, server: &str) -> Option<String> {
    let Some(s) = world.server(server).filter(|s| in_scope(scope, &s.spec.tenant, &s.spec.region)) else {
        return Some(format!("Cloud Server {} does not exist", up(server)));
    };
    let age = (world.now() - s.created) as f64 / 1000.0;
    let window = s.spec.rackconnect_known_after_seconds;
    if age < window / 2.0 {
        Some(format!("Cloud Server {} does not exist", up(server)))
    } else if age < window {
        Some(format!("Cloud Server {} is unprocessable", up(server)))
    } else {
        None
    }
}

fn new_node(world: &mut World, server: &str, pool: &str) -> NodeState {
    let now = world.now();
    let at = world.due(world.transitions.pool_nodes, world.timings.v3_add_seconds);
    let stored_server = world.server(server).map_or(server.to_owned(), |s| s.spec.id.clone());
    let next = match world.server(server).and_then(|s| s.spec.v3_add_failure.clone()) {
        Some(detail) => Next::Fail("ADD_FAILED", detail),
        None => Next::Activate,
    };
    let node = NodeState {
        id: world.new_id(),
        server_id: stored_server,
        pool_id: pool.to_owned(),
        status: "ADDING".into(),
        detail: None,
        created: now,
        updated: None,
        next: Some((at, next)),
    };
    world.nodes.push(node.clone());
    node
}

fn start_removal(world: &mut World, index: usize) {
    let now = world.now();
    let at = world.due(world.transitions.pool_nodes, world.timings.v3_remove_seconds);
    let node = &mut world.nodes[index];
    node.status = "REMOVING".into();
    node.updated = Some(now);
    node.next = Some((at, Next::Vanish));
}

fn bulk(world: &mut World, call: &Call, scope: &Scope, add: bool) -> Reply {
    let Some(Value::Array(items)) = call.json() else { return Reply::v3_bad_input() };
    let mut pairs = Vec::new();
    for item in &items {
        let server = item.pointer("/cloud_server/id").and_then(Value::as_str);
        let pool = item.pointer("/load_balancer_pool/id").and_then(Value::as_str);
        match (server, pool) {
            // A pair listed twice is one membership.
            (Some(s), Some(p)) => {
                if !pairs.iter().any(|(x, y): &(String, String)| x.eq_ignore_ascii_case(s) && y.eq_ignore_ascii_case(p))
                {
                    pairs.push((s.to_owned(), p.to_owned()));
                }
            }
            _ => return Reply::v3_bad_input(),
        }
    }
    if pairs.is_empty() {
        return Reply::v3_bad_input();
    }
    // Atomic: every problem is listed, and nothing changes unless there is none.
    let mut errors = Vec::new();
    for (server, pool) in &pairs {
        let found =
            if add { add_errors(world, scope, server, pool) } else { remove_errors(world, scope, server, pool) };
        for e in found {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
    }
    if !errors.is_empty() {
        return Reply::errors(409, &errors);
    }
    if add {
        let nodes: Vec<Value> = pairs.iter().map(|(s, p)| node_json(&new_node(world, s, p))).collect();
        Reply::json(201, &Value::Array(nodes))
    } else {
        for (server, pool) in &pairs {
            if let Some(i) = world.nodes.iter().position(|n| {
                n.server_id.eq_ignore_ascii_case(server) && n.pool_id.eq_ignore_ascii_case(pool) && removable(&n.status)
            }) {
                start_removal(world, i);
            }
        }
        Reply::empty(204)
    }
}

fn remove_errors(world: &World, scope: &Scope, server: &str, pool: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let pool_state = find_pool(world, scope, pool);
    match pool_state {
        None => {
            errors.push(format!("Load Balancer Pool {} does not exist", up(pool)));
            return errors;
        }
        Some(p) if p.spec.status != "ACTIVE" => {
            errors.push(format!("Load Balancer Pool {} is not in an ACTIVE state", up(pool)))
        }
        Some(_) => {}
    }
    if world.server(server).filter(|s| in_scope(scope, &s.spec.tenant, &s.spec.region)).is_none() {
        errors.push(format!("Cloud Server {} does not exist", up(server)));
        return errors;
    }
    match world.nodes.iter().find(|n| n.server_id.eq_ignore_ascii_case(server) && n.pool_id.eq_ignore_ascii_case(pool))
    {
        None => errors.push(format!("Cloud Server {} is not a member of Load Balancer Pool {}", up(server), up(pool))),
        Some(n) if !removable(&n.status) => {
            errors.push(format!("Load Balancer Pool Node {} is not in an ACTIVE state", up(&n.id)))
        }
        Some(_) => {}
    }
    errors
}

fn create_ip(world: &mut World, call: &Call, scope: &Scope) -> Reply {
    let Some(body) = call.json().filter(Value::is_object) else { return Reply::v3_bad_input() };
    let server = body.pointer("/cloud_server/id").and_then(Value::as_str).map(str::to_owned);
    let retain = match body.get("retain") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Reply::v3_bad_input(),
    };
    if server.is_none() && !retain {
        return Reply::v3_bad_input();
    }
    let mut errors = Vec::new();
    if let Some(s) = &server {
        if let Some(problem) = server_problem(world, scope, s) {
            errors.push(problem);
        } else if has_ip(world, s, None) {
            errors.push(format!("Cloud Server {} already has a Public IP", up(s)));
        }
    }
    if retain && retained_count(world, scope.tenant) >= world.timings.retained_ip_limit {
        errors
            .push(format!("Retained Public IP limit of {} reached for this account", world.timings.retained_ip_limit));
    }
    if !errors.is_empty() {
        return Reply::errors(409, &errors);
    }
    let now = world.now();
    let server_state = server.as_deref().and_then(|s| world.server(s)).cloned();
    let next = match server_state.as_ref().and_then(|s| s.spec.v3_add_failure.clone()) {
        Some(detail) => Next::Fail("ADD_FAILED", detail),
        None => Next::Activate,
    };
    let pending_address = world.allocate_address();
    let ip = IpState {
        id: world.new_id(),
        tenant: scope.tenant.to_owned(),
        region: scope.region.clone(),
        server_id: server_state.map(|s| s.spec.id),
        retain,
        address: None,
        pending_address,
        status: "ADDING".into(),
        detail: None,
        created: now,
        updated: None,
        next: Some((world.due(world.transitions.public_ips, world.timings.v3_add_seconds), next)),
    };
    let reply = Reply::json(201, &ip_json(world, &ip));
    world.ips.push(ip);
    reply
}

fn has_ip(world: &World, server: &str, except: Option<&str>) -> bool {
    world.ips.iter().any(|i| {
        i.server_id.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(server))
            && i.status != "REMOVING"
            && except.is_none_or(|e| !i.id.eq_ignore_ascii_case(e))
    })
}

fn retained_count(world: &World, tenant: &str) -> usize {
    world.ips.iter().filter(|i| i.tenant == tenant && i.retain && i.status != "REMOVING").count()
}

fn patch_ip(world: &mut World, call: &Call, scope: &Scope, index: usize) -> Reply {
    let Some(body) = call.json().filter(Value::is_object) else { return Reply::v3_bad_input() };
    let retain = match body.get("retain") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Reply::v3_bad_input(),
    };
    let server = body.pointer("/cloud_server/id").and_then(Value::as_str).map(str::to_owned);
    // `{"cloud_server": null}` unassigns the IP from its server, keeping the record.
    let unassign = body.get("cloud_server").is_some_and(Value::is_null);
    if retain.is_none() && server.is_none() && !unassign {
        return Reply::v3_bad_input();
    }
    let id = world.ips[index].id.clone();
    if world.ips[index].status != "ACTIVE" {
        return Reply::errors(409, &[format!("Public IP {} is not in an ACTIVE state", up(&id))]);
    }
    let mut errors = Vec::new();
    // Only a retained IP outlives its server's hold on it: moved or unassigned, it must be
    // retained (already, or by the same request).
    let retained_after = retain.unwrap_or(world.ips[index].retain);
    if (unassign || server.is_some()) && !retained_after {
        let what = if unassign { "unassigned" } else { "moved" };
        errors.push(format!("Public IP {} is not retained; only a retained Public IP can be {what}", up(&id)));
    }
    if let Some(s) = &server {
        if let Some(problem) = server_problem(world, scope, s) {
            errors.push(problem);
        } else if has_ip(world, s, Some(&id)) {
            errors.push(format!("Cloud Server {} already has a Public IP", up(s)));
        }
    }
    if retain == Some(true)
        && !world.ips[index].retain
        && retained_count(world, scope.tenant) >= world.timings.retained_ip_limit
    {
        errors
            .push(format!("Retained Public IP limit of {} reached for this account", world.timings.retained_ip_limit));
    }
    if !errors.is_empty() {
        return Reply::errors(409, &errors);
    }
    let now = world.now();
    let target = server.as_deref().and_then(|s| world.server(s)).map(|s| s.spec.id.clone());
    let at = world.due(world.transitions.public_ips, world.timings.v3_update_seconds);
    let ip = &mut world.ips[index];
    if let Some(r) = retain {
        ip.retain = r;
    }
    if target.is_some() {
        ip.server_id = target;
    } else if unassign {
        ip.server_id = None;
    }
    ip.status = "UPDATING".into();
    ip.updated = Some(now);
    ip.next = Some((at, Next::Activate));
    let ip = ip.clone();
    Reply::json(200, &ip_json(world, &ip))
}

fn network_json(n: &crate::scenario::Network) -> Value {
    json!({"id": n.id, "name": n.name, "cidr": n.cidr, "created": "2014-05-27T17:18:23Z", "updated": "2014-05-27T17:18:23Z"})
}

fn pool_json(world: &World, pool_id: &str) -> Value {
    let Some(p) = world.pools.iter().find(|p| p.spec.id.eq_ignore_ascii_case(pool_id)) else { return Value::Null };
    json!({
        "id": p.spec.id,
        "name": p.spec.name,
        "port": p.spec.port,
        "virtual_ip": p.spec.virtual_ip,
        "status": p.spec.status,
        "status_detail": p.spec.status_detail,
        "node_counts": {"cloud_servers": p.counts.0, "external": p.counts.1, "total": p.counts.2},
    })
}

fn node_json(n: &NodeState) -> Value {
    let mut v = json!({
        "id": n.id,
        "cloud_server": {"id": n.server_id},
        "load_balancer_pool": {"id": n.pool_id},
        "status": n.status,
        "created": World::stamp(n.created),
        "updated": n.updated.map(World::stamp),
    });
    // The real service leaves status_detail out entirely when there is none.
    if let Some(detail) = &n.detail {
        v["status_detail"] = json!(detail);
    }
    v
}

fn server_json(world: &World, server: &ServerState) -> Value {
    let network = server.spec.network_id.as_ref().and_then(|id| world.networks.iter().find(|n| &n.id == id));
    json!({
        "id": server.spec.id,
        "name": server.spec.name,
        "created": World::stamp(server.created),
        "updated": World::stamp(server.created),
        "cloud_network": network.map(|n| json!({
            "id": n.id, "name": n.name, "cidr": n.cidr, "private_ip_v4": server.spec.private_ip_v4,
            "created": "2014-05-27T17:18:23Z", "updated": "2014-05-27T17:18:23Z",
        })),
    })
}

fn node_details_json(world: &World, n: &NodeState) -> Value {
    let server = world.servers.iter().find(|s| s.spec.id.eq_ignore_ascii_case(&n.server_id));
    let mut v = node_json(n);
    v["cloud_server"] = server.map_or_else(|| json!({"id": n.server_id}), |s| server_json(world, s));
    v["load_balancer_pool"] = pool_json(world, &n.pool_id);
    v
}

fn ip_json(world: &World, ip: &IpState) -> Value {
    let server = ip.server_id.as_ref().and_then(|id| world.servers.iter().find(|s| &s.spec.id == id));
    json!({
        "id": ip.id,
        "public_ip_v4": ip.address,
        "retain": ip.retain,
        "status": ip.status,
        "status_detail": ip.detail,
        "created": World::stamp(ip.created),
        "updated": ip.updated.map(World::stamp),
        "cloud_server": server.map(|s| server_json(world, s)),
    })
}
