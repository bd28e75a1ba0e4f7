//! Cloud Servers, as Rackspace runs Nova's v2 API: the server lists (the summary `servers` and
//! `servers/detail`, with `limit`/`marker` paging and the `name`, `status`, `changes-since`,
//! `image` and `flavor` filters), show, metadata, one item, delete (whose side effects reach v3),
//! flavors and images, and the version discovery that Rackspace's gateway refuses.
//!
//! The bodies follow Rackspace's "Get Server Details" (Next Generation Cloud Servers Developer
//! Guide, API v2, section "Get Server Details": `accessIPv4`, `accessIPv6`, `addresses`,
//! `created`, `flavor`, `hostId`, `id`, `image`, `links`, `metadata`, `name`, `progress`,
//! `status`, `tenant_id`, `updated`, `user_id`, and the extended attributes `OS-DCF:diskConfig`
//! and `OS-EXT-STS:*`), its getting-started "Listing servers" sample (the same fields, with
//! bookmark links of the form `https://dfw.servers.api.rackspacecloud.com/{tenant}/flavors/{id}`),
//! and Nova's v2 API reference for what those leave open (`key_name`, `config_drive`, the
//! summary list `{id, name, links}`, the flavor and image bodies, `servers_links`).

use regex_lite::{Regex, RegexBuilder};
use serde_json::{Value, json};

use super::{Call, authenticate_for};
use crate::clock::{Millis, iso_seconds};
use crate::reply::Reply;
use crate::scenario::{Flavor, Image};
use crate::world::{BUILD_MILLIS, Next, ServerState, World};

/// The most items a list answers at once (Nova's `osapi_max_limit`).
const MAX_LIMIT: usize = 1000;

fn not_found() -> Reply {
    Reply::fault(404, "itemNotFound", "Instance could not be found")
}

/// The version discovery at the root of the compute endpoint (`/servers/{region}` and
/// `/servers/{region}/v2`, the emulator's `https://dfw.servers.api.rackspacecloud.com/` and
/// `…/v2/`): Rackspace's gateway answers 401 there, token or not. python-novaclient relies on it
/// (its `versions.get_current` says "RAX's repose configuration blocks access to the versioned
/// endpoint" and takes the 401 as "no microversions"); keystoneauth's discovery moves on past it.
pub fn version_root() -> Reply {
    Reply::fault(
        401,
        "unauthorized",
        "This server could not verify that you are authorized to access the document you requested.",
    )
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
    let at = Place { call, region: &region, tenant };
    match (call.method, rest) {
        ("GET", ["servers"]) => list(world, &at, false),
        ("GET", ["servers", "detail"]) => list(world, &at, true),
        ("GET", ["servers", id]) => match find(world, id) {
            Some(s) => Reply::json(200, &json!({"server": server_json(world, &at, &s)})),
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
        ("GET", ["flavors"]) => catalog_list(&at, "flavors", &world.flavors, |f| &f.id, |f| flavor_json(&at, f, false)),
        ("GET", ["flavors", "detail"]) => {
            catalog_list(&at, "flavors", &world.flavors, |f| &f.id, |f| flavor_json(&at, f, true))
        }
        ("GET", ["flavors", id]) => match world.flavors.iter().find(|f| f.id == *id) {
            Some(f) => Reply::json(200, &json!({"flavor": flavor_json(&at, f, true)})),
            None => Reply::fault(404, "itemNotFound", &format!("Flavor {id} could not be found.")),
        },
        ("GET", ["images"] | ["images", "detail"]) => {
            // Images take `changes-since` too; they never change after they are published.
            let images = match at.call.query("changes-since").map(|t| parse_changes_since(&decode(t))) {
                None => world.images.clone(),
                Some(None) => return Reply::fault(400, "badRequest", "Invalid changes-since value"),
                Some(Some(since)) if since <= images_published() => world.images.clone(),
                Some(Some(_)) => Vec::new(),
            };
            let detail = rest.len() == 2;
            catalog_list(&at, "images", &images, |i| &i.id, |i| image_json(&at, i, detail))
        }
        ("GET", ["images", id]) => match world.images.iter().find(|i| i.id.eq_ignore_ascii_case(id)) {
            Some(i) => Reply::json(200, &json!({"image": image_json(&at, i, true)})),
            None => Reply::fault(404, "itemNotFound", "Image not found."),
        },
        (_, ["servers", "detail"]) => Reply::method_not_allowed("GET"),
        (_, ["servers", _]) => Reply::method_not_allowed("GET, DELETE"),
        (_, ["servers" | "flavors" | "images", ..]) => Reply::method_not_allowed("GET"),
        _ => Reply::not_found(call.path),
    }
}

/// Where a call is: the URL the client reached, the region and the tenant, for links.
struct Place<'a> {
    call: &'a Call<'a>,
    region: &'a str,
    tenant: &'a str,
}

impl Place<'_> {
    /// The emulator's `https://{region}.servers.api.rackspacecloud.com`.
    fn host(&self) -> String {
        format!("{}/servers/{}", self.call.base_url, self.region)
    }

    /// `self` (versioned) and `bookmark` (unversioned) links, as Nova writes them.
    fn links(&self, kind: &str, id: &str) -> Value {
        let host = self.host();
        json!([
            {"href": format!("{host}/v2/{}/{kind}/{id}", self.tenant), "rel": "self"},
            {"href": format!("{host}/{}/{kind}/{id}", self.tenant), "rel": "bookmark"},
        ])
    }

    /// The bookmark link alone (what a server's `flavor` and `image` carry).
    fn bookmark(&self, kind: &str, id: &str) -> Value {
        json!([{"href": format!("{}/{}/{kind}/{id}", self.host(), self.tenant), "rel": "bookmark"}])
    }
}

/// The user id Identity gives a user (the same in tokens and in servers' `user_id`).
pub fn user_id(username: &str) -> String {
    format!("{}", 100_000 + username.len())
}

/// A `hostId`: 56 hex digits, stable per tenant and server (Nova's is a SHA-224 of the tenant and
/// the host; each emulated server has a host of its own).
fn host_id(tenant: &str, server: &str) -> String {
    let mut out = String::with_capacity(64);
    for round in 0u64..4 {
        // FNV-1a, seeded per round.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for b in tenant.bytes().chain([0]).chain(server.to_ascii_lowercase().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out.truncate(56);
    out
}

fn server_json(world: &World, at: &Place, s: &ServerState) -> Value {
    let status = world.server_status(s);
    let (vm_state, task_state, power_state, progress) = match status {
        "ACTIVE" => ("active", Value::Null, 1, 100),
        "BUILD" => ("building", json!("spawning"), 0, ((world.now() - s.created).max(0) * 100 / BUILD_MILLIS).min(99)),
        _ => ("deleted", Value::Null, 0, 0),
    };
    let mut addresses = json!({"public": [{"addr": s.spec.original_ipv4, "version": 4}]});
    if let (Some(net), Some(ip)) = (&s.spec.network_id, &s.spec.private_ip_v4) {
        let name = world.networks.iter().find(|n| &n.id == net).map_or("private", |n| n.name.as_str());
        addresses[name] = json!([{"addr": ip, "version": 4}]);
    }
    let image = if s.spec.image_id.is_empty() {
        json!("") // booted from a volume
    } else {
        json!({"id": s.spec.image_id, "links": at.bookmark("images", &s.spec.image_id)})
    };
    let user =
        world.account(&s.spec.tenant).and_then(|a| a.users.first()).map_or_else(String::new, |u| user_id(&u.username));
    json!({
        "id": s.spec.id,
        "name": s.spec.name,
        "tenant_id": s.spec.tenant,
        "user_id": user,
        "status": status,
        "progress": progress,
        "hostId": host_id(&s.spec.tenant, &s.spec.id),
        "created": iso_seconds(s.created),
        "updated": iso_seconds(world.server_updated(s)),
        "accessIPv4": world.access_ipv4(s),
        "accessIPv6": "",
        "addresses": addresses,
        "metadata": world.metadata(s),
        "flavor": {"id": s.spec.flavor_id, "links": at.bookmark("flavors", &s.spec.flavor_id)},
        "image": image,
        "key_name": s.spec.key_name,
        "config_drive": "",
        "OS-DCF:diskConfig": "AUTO",
        "OS-EXT-STS:task_state": task_state,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power_state,
        "links": at.links("servers", &s.spec.id),
    })
}

/// Percent-decodes a query value (`+` is a space), as clients encode `name=^web1$`.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `changes-since` time: ISO 8601 `CCYY-MM-DDThh:mm:ss` with an optional fraction and zone
/// (UTC without one); the seconds may be left out, as in the guide's own `2011-01-24T17:08Z`.
fn parse_changes_since(text: &str) -> Option<Millis> {
    let text = text.trim();
    let parsed = rackconnect::Timestamp::parse(text).ok().or_else(|| {
        // `…T17:08` or `…T17:08Z` / `…T17:08+01:00`: add the seconds.
        let (minutes, zone) = text.split_at_checked(16)?;
        (text.as_bytes().get(13) == Some(&b':') && !zone.starts_with(':'))
            .then(|| rackconnect::Timestamp::parse(&format!("{minutes}:00{zone}")).ok())
            .flatten()
    });
    parsed.map(|at| at.unix_millis())
}

/// The filters of a server list, as Nova reads them.
struct Filters {
    /// `name`: a regular expression, searched anywhere in the name (Nova hands it to the
    /// database's REGEXP; Rackspace's MySQL compares case-insensitively).
    name: Option<Regex>,
    /// `status` (repeatable), compared case-insensitively.
    status: Vec<String>,
    /// `changes-since`: servers changed at or after it, deleted ones included (`DELETED`).
    changes_since: Option<Millis>,
    /// `image` and `flavor`: an id, or a link ending in one.
    image: Option<String>,
    flavor: Option<String>,
}

impl Filters {
    fn parse(call: &Call) -> Result<Self, Reply> {
        let values = |key: &str| -> Vec<String> {
            call.query.iter().filter(|(k, _)| decode(k) == key).map(|(_, v)| decode(v)).collect()
        };
        let one = |key: &str| values(key).pop();
        let name = match one("name") {
            None => None,
            Some(pattern) => match RegexBuilder::new(&pattern).case_insensitive(true).build() {
                Ok(regex) => Some(regex),
                Err(_) => {
                    return Err(Reply::fault(
                        400,
                        "badRequest",
                        &format!("Invalid regular expression in name: {pattern}"),
                    ));
                }
            },
        };
        let changes_since = match one("changes-since") {
            None => None,
            Some(text) => match parse_changes_since(&text) {
                Some(at) => Some(at),
                None => return Err(Reply::fault(400, "badRequest", "Invalid changes-since value")),
            },
        };
        let last_segment = |v: String| v.rsplit('/').next().unwrap_or_default().to_owned();
        Ok(Filters {
            name,
            status: values("status").iter().map(|s| s.to_ascii_uppercase()).collect(),
            changes_since,
            image: one("image").map(last_segment),
            flavor: one("flavor").map(last_segment),
        })
    }

    fn admits(&self, world: &World, s: &ServerState) -> bool {
        match self.changes_since {
            Some(since) if world.server_updated(s) < since => return false,
            None if s.deleted => return false,
            _ => {}
        }
        self.name.as_ref().is_none_or(|re| re.is_match(&s.spec.name))
            && (self.status.is_empty() || self.status.iter().any(|st| st == world.server_status(s)))
            && self.image.as_ref().is_none_or(|id| id.eq_ignore_ascii_case(&s.spec.image_id))
            && self.flavor.as_ref().is_none_or(|id| *id == s.spec.flavor_id)
    }
}

/// `limit` (1 to [`MAX_LIMIT`], at most that by default).
fn limit(call: &Call) -> Result<usize, Reply> {
    match call.query("limit").map(str::parse::<usize>) {
        None => Ok(MAX_LIMIT),
        Some(Ok(n)) if n > 0 => Ok(n.min(MAX_LIMIT)),
        Some(_) => Err(Reply::fault(400, "badRequest", "limit param must be a positive integer")),
    }
}

/// The `next` link of a full page: the same query with this `limit` and `marker`.
fn next_link(at: &Place, path: &str, limit: usize, marker: &str) -> Value {
    let kept: Vec<String> = at
        .call
        .query
        .iter()
        .filter(|(k, _)| k != "limit" && k != "marker")
        .map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    let href = format!("{}/v2/{}/{path}?{query}limit={limit}&marker={marker}", at.host(), at.tenant);
    json!([{"rel": "next", "href": href}])
}

fn list(world: &World, at: &Place, detail: bool) -> Reply {
    let filters = match Filters::parse(at.call) {
        Ok(filters) => filters,
        Err(reply) => return reply,
    };
    let limit = match limit(at.call) {
        Ok(limit) => limit,
        Err(reply) => return reply,
    };
    // Every server of the tenant there, deleted ones too (a marker may name one).
    let all: Vec<&ServerState> =
        world.servers.iter().filter(|s| s.spec.tenant == at.tenant && s.spec.region == at.region).collect();
    let start = match at.call.query("marker") {
        None => 0,
        Some(marker) => match all.iter().position(|s| s.spec.id.eq_ignore_ascii_case(marker)) {
            Some(i) => i + 1,
            None => return Reply::fault(400, "badRequest", &format!("marker [{marker}] not found")),
        },
    };
    let mut admitted = all.iter().skip(start).filter(|s| filters.admits(world, s));
    let page: Vec<&ServerState> = admitted.by_ref().take(limit).copied().collect();
    let more = admitted.next().is_some();
    let items: Vec<Value> = page
        .iter()
        .map(|s| {
            if detail {
                server_json(world, at, s)
            } else {
                json!({"id": s.spec.id, "name": s.spec.name, "links": at.links("servers", &s.spec.id)})
            }
        })
        .collect();
    let mut body = json!({ "servers": items });
    if more && let Some(last) = page.last() {
        let path = if detail { "servers/detail" } else { "servers" };
        body["servers_links"] = next_link(at, path, limit, &last.spec.id);
    }
    Reply::json(200, &body)
}

/// A flavor or image list: `limit` and `marker` as for servers.
fn catalog_list<T>(
    at: &Place,
    kind: &str,
    items: &[T],
    id: impl Fn(&T) -> &String,
    render: impl Fn(&T) -> Value,
) -> Reply {
    let limit = match limit(at.call) {
        Ok(limit) => limit,
        Err(reply) => return reply,
    };
    let start = match at.call.query("marker") {
        None => 0,
        Some(marker) => match items.iter().position(|item| id(item).eq_ignore_ascii_case(marker)) {
            Some(i) => i + 1,
            None => return Reply::fault(400, "badRequest", &format!("marker [{marker}] not found")),
        },
    };
    let page: Vec<&T> = items.iter().skip(start).take(limit).collect();
    let mut body = json!({ kind: page.iter().map(|item| render(item)).collect::<Vec<_>>() });
    if start + page.len() < items.len()
        && let Some(last) = page.last()
    {
        let detail = at.call.path.trim_end_matches('/').ends_with("/detail");
        let path = if detail { format!("{kind}/detail") } else { kind.to_owned() };
        body[format!("{kind}_links")] = next_link(at, &path, limit, id(last));
    }
    Reply::json(200, &body)
}

fn flavor_json(at: &Place, f: &Flavor, detail: bool) -> Value {
    let mut body = json!({"id": f.id, "name": f.name, "links": at.links("flavors", &f.id)});
    if detail {
        for (key, value) in [
            ("ram", json!(f.ram)),
            ("disk", json!(f.disk)),
            ("vcpus", json!(f.vcpus)),
            ("swap", json!("")),
            ("rxtx_factor", json!(f.rxtx_factor)),
            ("OS-FLV-EXT-DATA:ephemeral", json!(0)),
            ("OS-FLV-DISABLED:disabled", json!(false)),
            ("os-flavor-access:is_public", json!(true)),
        ] {
            body[key] = value;
        }
    }
    body
}

/// When the images were published (images have no clock of their own).
const IMAGES_PUBLISHED: &str = "2024-01-02T00:00:00Z";

fn images_published() -> Millis {
    rackconnect::Timestamp::parse(IMAGES_PUBLISHED).map_or(0, |at| at.unix_millis())
}

fn image_json(at: &Place, i: &Image, detail: bool) -> Value {
    let mut body = json!({"id": i.id, "name": i.name, "links": at.links("images", &i.id)});
    if detail {
        for (key, value) in [
            ("status", json!("ACTIVE")),
            ("progress", json!(100)),
            ("minDisk", json!(i.min_disk)),
            ("minRam", json!(i.min_ram)),
            ("created", json!(IMAGES_PUBLISHED)),
            ("updated", json!(IMAGES_PUBLISHED)),
            ("metadata", json!(i.metadata)),
            ("OS-DCF:diskConfig", json!("AUTO")),
        ] {
            body[key] = value;
        }
    }
    body
}

/// Deletes a server: it leaves its pools, its non-retained public IP goes, a retained one stays
/// unassigned.
pub fn delete(world: &mut World, id: &str) {
    let now = world.now();
    let remove_at = now + (world.timings.v3_remove_seconds * 1000.0) as i64;
    if let Some(s) = world.servers.iter_mut().find(|s| !s.deleted && s.spec.id.eq_ignore_ascii_case(id)) {
        s.deleted = true;
        s.deleted_at = Some(now);
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

#[cfg(test)]
mod tests {
    use super::{decode, host_id};

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(decode("%5Eweb1%24"), "^web1$");
        assert_eq!(decode("a+b%20c"), "a b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("2024-01-01T00%3A00%3A00Z"), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn changes_since_takes_the_guides_forms() {
        let at = |text: &str| super::parse_changes_since(text);
        let minute = Some(1_295_888_880_000); // 2011-01-24T17:08:00Z
        assert_eq!(at("2011-01-24T17:08:00Z"), minute);
        assert_eq!(at("2011-01-24T17:08Z"), minute);
        assert_eq!(at("2011-01-24T17:08"), minute);
        assert_eq!(at("2011-01-24T18:08+01:00"), minute);
        assert_eq!(at("2011-01-24T17:08:00.5"), minute.map(|m| m + 500));
        assert_eq!(at("2011-01-24"), None);
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("2011-01-24T17:0"), None);
    }

    #[test]
    fn host_ids_are_56_hex_digits_per_tenant_and_server() {
        let a = host_id("123456", "s1");
        assert_eq!(a.len(), 56);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, host_id("123456", "S1"));
        assert_ne!(a, host_id("654321", "s1"));
        assert_ne!(a, host_id("123456", "s2"));
    }
}
