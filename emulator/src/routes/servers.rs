//! Cloud Servers: show, metadata, one item, servers/detail (limit/marker), and delete (whose
//! side effects reach v3).

use serde_json::{Value, json};

use super::{Call, authenticate_for};
use crate::clock::iso_seconds;
use crate::reply::Reply;
use crate::world::{Next, ServerState, World};

fn not_found() -> Reply {
    Reply::fault(404, "itemNotFound", "Instance could not be found")
}

/// Answers `/servers/{region}/v2/{tenant}/…`.
pub fn route(world: &mut World, call: &Call, region: &str, tenant: &str, rest: &[&str]) -> Reply {
    if let Err(reply) = authenticate_for(world, call, tenant) {
        return reply;
    }
    let region = region.to_ascii_uppercase();
    let find = |world: &World, id: &str| {
        world.server(id).filter(|s| s.spec.tenant == tenant && s.spec.region == region).cloned()
    };
    match (call.method, rest) {
        ("GET", ["servers", "detail"]) => list(world, call, tenant, &region),
        ("GET", ["servers", id]) => match find(world, id) {
            Some(s) => Reply::json(200, &json!({"server": server_json(world, call, &s)})),
            None => not_found(),
        },
        ("DELETE", ["servers", id]) => match find(world, id) {
            Some(s) => {
                delete(world, &s.spec.id);
                Reply::empty(204)
            }
            None => not_found(),
        },
        ("GET", ["servers", id, "metadata"]) => match find(world, id) {
            Some(s) => Reply::json(200, &json!({"metadata": world.metadata(&s)})),
            None => not_found(),
        },
        ("GET", ["servers", id, "metadata", key]) => match find(world, id) {
            Some(s) => match world.metadata(&s).get(*key) {
                Some(value) => Reply::json(200, &json!({"meta": {*key: value}})),
                None => Reply::fault(404, "itemNotFound", "Metadata item was not found"),
            },
            None => not_found(),
        },
        (_, ["servers", _]) => Reply::method_not_allowed("GET, DELETE"),
        (_, ["servers", ..]) => Reply::method_not_allowed("GET"),
        _ => Reply::not_found(call.path),
    }
}

fn server_json(world: &World, call: &Call, s: &ServerState) -> Value {
    let progress = world.progress(s);
    let built = world.now() - s.created >= 30_000;
    let mut addresses = json!({"public": [{"addr": s.spec.original_ipv4, "version": 4}]});
    if let (Some(net), Some(ip)) = (&s.spec.network_id, &s.spec.private_ip_v4) {
        let name = world.networks.iter().find(|n| &n.id == net).map_or("private", |n| n.name.as_str());
        addresses[name] = json!([{"addr": ip, "version": 4}]);
    }
    json!({
        "id": s.spec.id,
        "name": s.spec.name,
        "tenant_id": s.spec.tenant,
        "status": if built { "ACTIVE" } else { "BUILD" },
        "created": iso_seconds(s.created),
        "updated": iso_seconds(progress.finished_at.unwrap_or(s.created)),
        "accessIPv4": world.access_ipv4(s),
        "accessIPv6": "",
        "addresses": addresses,
        "metadata": world.metadata(s),
        "links": [{"rel": "self", "href": format!("{}/servers/{}/v2/{}/servers/{}", call.base_url, s.spec.region, s.spec.tenant, s.spec.id)}],
    })
}

fn list(world: &World, call: &Call, tenant: &str, region: &str) -> Reply {
    let all: Vec<&ServerState> =
        world.servers.iter().filter(|s| !s.deleted && s.spec.tenant == tenant && s.spec.region == region).collect();
    let limit = match call.query("limit").map(str::parse::<usize>) {
        None => 1000,
        Some(Ok(n)) if n > 0 => n.min(1000),
        Some(_) => return Reply::fault(400, "badRequest", "limit param must be a positive integer"),
    };
    let start = match call.query("marker") {
        None => 0,
        Some(marker) => match all.iter().position(|s| s.spec.id.eq_ignore_ascii_case(marker)) {
            Some(i) => i + 1,
            None => return Reply::fault(400, "badRequest", &format!("marker [{marker}] not found")),
        },
    };
    let page: Vec<Value> = all.iter().skip(start).take(limit).map(|s| server_json(world, call, s)).collect();
    let mut body = json!({"servers": page});
    if start + limit < all.len()
        && let Some(last) = all.get(start + limit - 1)
    {
        let href = format!(
            "{}/servers/{region}/v2/{tenant}/servers/detail?limit={limit}&marker={}",
            call.base_url, last.spec.id
        );
        body["servers_links"] = json!([{"rel": "next", "href": href}]);
    }
    Reply::json(200, &body)
}

/// Deletes a server: it leaves its pools, its non-retained public IP goes, a retained one stays
/// unassigned.
pub fn delete(world: &mut World, id: &str) {
    let now = world.now();
    let remove_at = now + (world.timings.v3_remove_seconds * 1000.0) as i64;
    if let Some(s) = world.servers.iter_mut().find(|s| s.spec.id.eq_ignore_ascii_case(id)) {
        s.deleted = true;
    }
    for node in world.nodes.iter_mut().filter(|n| n.server_id.eq_ignore_ascii_case(id)) {
        node.status = "REMOVING".into();
        node.updated = Some(now);
        node.next = Some((remove_at, Next::Vanish));
    }
    for ip in world.ips.iter_mut().filter(|i| i.server_id.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(id))) {
        ip.updated = Some(now);
        if ip.retain {
            ip.server_id = None;
        } else {
            ip.status = "REMOVING".into();
            ip.next = Some((remove_at, Next::Vanish));
        }
    }
}
