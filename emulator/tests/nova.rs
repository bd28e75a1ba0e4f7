//! Cloud Servers as Nova clients (python-novaclient, openstacksdk, pkgcloud, gophercloud) use it,
//! over real HTTP: the summary list and `servers/detail` with their filters and paging, the
//! whole server body Rackspace's "Get Server Details" shows, flavors and images, and version
//! discovery (Identity's documents, the compute root's 401). `emulator/tests/clients/run` drives
//! the real clients through the same.

mod common;

use std::collections::BTreeSet;

use rackconnect_emulator::{Emulator, Scenario};
use serde_json::{Value, json};

use common::demo;

const COMPUTE: &str = "/servers/DFW/v2/123456";

/// The demo tenant's servers in DFW, by name.
const DFW_NAMES: [&str; 8] =
    ["web1", "web2", "app-failed", "db-build-error", "db-auth-error", "fresh", "web-add-fails", "unmanaged"];

struct Nova {
    emu: Emulator,
    token: String,
}

impl Nova {
    fn start() -> Self {
        Self::on(common::start())
    }

    fn on(emu: Emulator) -> Self {
        let token = common::demo_token(&emu).token.id.expose().to_owned();
        Nova { emu, token }
    }

    /// A GET with the token; the status and the JSON body (null when not JSON).
    fn get(&self, path: &str) -> (u16, Value) {
        let path = if path.starts_with('/') { path.to_owned() } else { format!("{COMPUTE}/{path}") };
        let response = common::send(&self.emu, "GET", &path, &[("X-Auth-Token", &self.token)], None);
        (response.status, serde_json::from_slice(&response.body).unwrap_or(Value::Null))
    }

    fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    fn names(&self, path: &str) -> Vec<String> {
        let body = self.ok(path);
        body["servers"]
            .as_array()
            .expect("servers")
            .iter()
            .map(|s| s["name"].as_str().expect("a name").to_owned())
            .collect()
    }

    fn now(&self) -> i64 {
        common::control(&self.emu, "GET", "clock", None).1["now_ms"].as_i64().expect("now_ms")
    }
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    names.sort();
    names
}

fn sorted_owned(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

fn iso(ms: i64) -> String {
    rackconnect::Timestamp::from_unix(ms.div_euclid(1000), 0).to_string()
}

#[test]
fn the_summary_list_has_ids_names_and_links_and_pages_like_detail() {
    let nova = Nova::start();
    let all = nova.ok("servers");
    let servers = all["servers"].as_array().expect("servers");
    assert_eq!(servers.len(), DFW_NAMES.len(), "{all}");
    for server in servers {
        let keys: BTreeSet<&str> = server.as_object().expect("an object").keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["id", "name", "links"]), "{server}");
        let id = server["id"].as_str().expect("an id");
        assert_eq!(server["links"][0]["rel"], "self");
        assert_eq!(server["links"][0]["href"], format!("{}{COMPUTE}/servers/{id}", nova.emu.url()));
        assert_eq!(server["links"][1]["rel"], "bookmark");
        assert_eq!(server["links"][1]["href"], format!("{}/servers/DFW/123456/servers/{id}", nova.emu.url()));
    }
    assert!(all.get("servers_links").is_none(), "one page holds them all: {all}");

    // Three at a time, following the next links, every server exactly once.
    let mut seen = Vec::new();
    let mut next = Some(format!("{COMPUTE}/servers?limit=3"));
    while let Some(path) = next.take() {
        let page = nova.ok(&path);
        let items = page["servers"].as_array().expect("servers");
        assert!(items.len() <= 3, "{page}");
        seen.extend(items.iter().map(|s| s["name"].as_str().expect("a name").to_owned()));
        if let Some(link) = page["servers_links"][0]["href"].as_str() {
            assert_eq!(page["servers_links"][0]["rel"], "next");
            assert_eq!(items.len(), 3, "a page with a next link is full");
            let path = link.strip_prefix(&nova.emu.url()).expect("a link to the emulator");
            assert!(path.starts_with(&format!("{COMPUTE}/servers?")), "the summary list's own link: {path}");
            next = Some(path.to_owned());
        }
        assert!(seen.len() <= DFW_NAMES.len(), "{seen:?}");
    }
    assert_eq!(sorted_owned(seen), sorted(&DFW_NAMES));
}

#[test]
fn name_is_a_case_insensitive_regex_on_both_lists() {
    let nova = Nova::start();
    for list in ["servers", "servers/detail"] {
        // What python-novaclient's find and the old rax modules send: ^name$, encoded.
        assert_eq!(nova.names(&format!("{list}?name=%5Eweb1%24")), ["web1"], "{list}");
        assert_eq!(nova.names(&format!("{list}?name=%5EWEB1%24")), ["web1"], "{list}: case-insensitive");
        assert_eq!(sorted_owned(nova.names(&format!("{list}?name=web"))), sorted(&["web1", "web2", "web-add-fails"]));
        assert_eq!(
            sorted_owned(nova.names(&format!("{list}?name=%5Edb-.%2A-error%24"))),
            sorted(&["db-build-error", "db-auth-error"])
        );
        assert!(nova.names(&format!("{list}?name=%5Enothing%24")).is_empty());
        let (status, body) = nova.get(&format!("{list}?name=%28"));
        assert_eq!((status, body["badRequest"]["code"].as_u64()), (400, Some(400)), "an invalid regex: {body}");
    }
    // Filters page too, and the next link keeps them.
    let page = nova.ok("servers/detail?name=web&limit=2");
    assert_eq!(page["servers"].as_array().map(Vec::len), Some(2));
    let link = page["servers_links"][0]["href"].as_str().expect("a next link");
    assert!(link.contains("name=web&") && link.contains("/servers/detail?"), "{link}");
    let rest = nova.ok(link.strip_prefix(&nova.emu.url()).expect("the emulator"));
    assert_eq!(rest["servers"].as_array().map(Vec::len), Some(1), "{rest}");
    assert!(rest.get("servers_links").is_none(), "{rest}");
}

#[test]
fn status_filters_build_and_active() {
    let nova = Nova::start();
    // The clock is stopped at the start: web2 and fresh were built just now.
    for list in ["servers", "servers/detail"] {
        assert_eq!(sorted_owned(nova.names(&format!("{list}?status=BUILD"))), sorted(&["web2", "fresh"]));
        assert_eq!(nova.names(&format!("{list}?status=active")).len(), DFW_NAMES.len() - 2, "case-insensitive");
        assert_eq!(nova.names(&format!("{list}?status=ACTIVE&status=BUILD")).len(), DFW_NAMES.len());
        assert!(nova.names(&format!("{list}?status=SHUTOFF")).is_empty());
    }
    common::advance(&nova.emu, 30.0);
    assert!(nova.names("servers?status=BUILD").is_empty(), "ACTIVE 30 s after the build");
    // Filters combine.
    assert_eq!(nova.names("servers/detail?status=ACTIVE&name=%5Eweb2%24"), ["web2"]);
}

#[test]
fn changes_since_shows_what_changed_deleted_servers_included() {
    let nova = Nova::start();
    let start = nova.now();
    assert!(nova.names(&format!("servers/detail?changes-since={}", iso(start + 1000))).is_empty(), "nothing yet");
    // Just built: web2 and fresh changed at the start.
    let since_start = format!("servers/detail?changes-since={}", iso(start).replace(':', "%3A"));
    assert_eq!(sorted_owned(nova.names(&since_start)), sorted(&["web2", "fresh"]));

    // Two minutes later web2's automation has finished and fresh's metadata key has appeared;
    // web1 has not changed in a day.
    common::advance(&nova.emu, 200.0);
    let later = nova.now();
    let since = format!("servers?changes-since={}", iso(start + 1000));
    let changed = sorted_owned(nova.names(&since));
    assert!(changed.contains(&"web2".to_owned()) && changed.contains(&"fresh".to_owned()), "{changed:?}");
    assert!(!changed.contains(&"web1".to_owned()), "{changed:?}");
    let web2 = nova.ok(&format!("servers/{}", demo::WEB2));
    assert!(web2["server"]["updated"].as_str().expect("updated") > iso(start).as_str(), "{web2}");

    // A deleted server is listed, DELETED, to a changes-since poll, and nowhere else.
    let (status, _) = common::control(&nova.emu, "DELETE", &format!("servers/{}", demo::UNMANAGED), None);
    assert_eq!(status, 204);
    let polled = nova.ok(&format!("servers/detail?changes-since={}", iso(later)));
    let unmanaged = polled["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "unmanaged");
    assert_eq!(unmanaged.map(|s| s["status"].clone()), Some(json!("DELETED")), "{polled}");
    assert!(!nova.names("servers/detail").contains(&"unmanaged".to_owned()));
    assert!(!nova.names("servers").contains(&"unmanaged".to_owned()));

    // The guide's own form leaves out the seconds.
    let minute = iso(later + 60_000);
    assert!(nova.names(&format!("servers?changes-since={}", &minute[..16])).is_empty(), "{minute}");
    // Images take it too, and have not changed since they were published.
    assert_eq!(nova.ok("images/detail?changes-since=2020-01-01T00:00Z")["images"].as_array().map(Vec::len), Some(2));
    assert_eq!(nova.ok(&format!("images?changes-since={}", iso(later)))["images"], json!([]));

    let (status, body) = nova.get("servers?changes-since=yesterday");
    assert_eq!((status, body["badRequest"]["code"].as_u64()), (400, Some(400)), "{body}");
}

#[test]
fn a_server_body_has_what_get_server_details_lists() {
    let nova = Nova::start();
    let url = nova.emu.url();
    let user_id = common::demo_token(&nova.emu).user.id.expect("a user id");
    let web1 = nova.ok(&format!("servers/{}", demo::WEB1))["server"].clone();
    for key in [
        "id",
        "name",
        "status",
        "progress",
        "hostId",
        "tenant_id",
        "user_id",
        "created",
        "updated",
        "accessIPv4",
        "accessIPv6",
        "addresses",
        "metadata",
        "flavor",
        "image",
        "links",
        "key_name",
        "config_drive",
        "OS-DCF:diskConfig",
        "OS-EXT-STS:task_state",
        "OS-EXT-STS:vm_state",
        "OS-EXT-STS:power_state",
    ] {
        assert!(web1.get(key).is_some(), "{key} missing: {web1}");
    }
    assert_eq!(
        web1["flavor"],
        json!({"id": "general1-1", "links": [{"href": format!("{url}/servers/DFW/123456/flavors/general1-1"), "rel": "bookmark"}]})
    );
    let image = "00000001-dddd-4ddd-8ddd-000000000001";
    assert_eq!(
        web1["image"],
        json!({"id": image, "links": [{"href": format!("{url}/servers/DFW/123456/images/{image}"), "rel": "bookmark"}]})
    );
    let host_id = web1["hostId"].as_str().expect("hostId");
    assert!(host_id.len() == 56 && host_id.bytes().all(|b| b.is_ascii_hexdigit()), "{host_id}");
    assert_eq!((web1["status"].clone(), web1["progress"].clone()), (json!("ACTIVE"), json!(100)));
    assert_eq!(
        (
            web1["OS-EXT-STS:vm_state"].clone(),
            web1["OS-EXT-STS:task_state"].clone(),
            web1["OS-EXT-STS:power_state"].clone()
        ),
        (json!("active"), Value::Null, json!(1))
    );
    assert_eq!((web1["tenant_id"].clone(), web1["user_id"].clone()), (json!("123456"), json!(user_id)));
    assert_eq!((web1["OS-DCF:diskConfig"].clone(), web1["key_name"].clone()), (json!("AUTO"), Value::Null));
    assert_eq!(web1["links"][0], json!({"href": format!("{url}{COMPUTE}/servers/{}", demo::WEB1), "rel": "self"}));
    assert_eq!(
        web1["links"][1],
        json!({"href": format!("{url}/servers/DFW/123456/servers/{}", demo::WEB1), "rel": "bookmark"})
    );
    // The detail list carries the same bodies.
    let detail = nova.ok("servers/detail?name=%5Eweb1%24");
    assert_eq!(detail["servers"][0], web1);

    // A server being built.
    let web2 = nova.ok(&format!("servers/{}", demo::WEB2))["server"].clone();
    assert_eq!(
        (web2["status"].clone(), web2["OS-EXT-STS:vm_state"].clone(), web2["OS-EXT-STS:task_state"].clone()),
        (json!("BUILD"), json!("building"), json!("spawning"))
    );
    assert_eq!(web2["OS-EXT-STS:power_state"], 0);
    assert!(web2["progress"].as_u64().is_some_and(|p| p < 100), "{web2}");
}

#[test]
fn flavors_and_images_are_listed_and_shown() {
    let nova = Nova::start();
    let url = nova.emu.url();
    let flavors = nova.ok("flavors");
    let ids: Vec<&str> =
        flavors["flavors"].as_array().expect("flavors").iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids, ["general1-1", "general1-2", "general1-4"]);
    assert!(flavors["flavors"][0].get("ram").is_none(), "the summary has id, name, links: {flavors}");
    let detail = nova.ok("flavors/detail");
    assert_eq!(detail["flavors"][1]["ram"], 2048);
    let flavor = nova.ok("flavors/general1-1")["flavor"].clone();
    assert_eq!(
        (flavor["name"].clone(), flavor["ram"].clone(), flavor["disk"].clone(), flavor["vcpus"].clone()),
        (json!("1 GB General Purpose v1"), json!(1024), json!(20), json!(1))
    );
    assert_eq!(flavor["links"][0]["href"], format!("{url}{COMPUTE}/flavors/general1-1"));
    let (status, body) = nova.get("flavors/performance9-9");
    assert_eq!((status, body["itemNotFound"]["code"].as_u64()), (404, Some(404)), "{body}");
    let page = nova.ok("flavors?limit=2");
    assert!(
        page["flavors_links"][0]["href"].as_str().is_some_and(|h| h.ends_with("/flavors?limit=2&marker=general1-2")),
        "{page}"
    );

    let images = nova.ok("images/detail");
    assert_eq!(images["images"].as_array().map(Vec::len), Some(2));
    let image = nova.ok("images/00000001-dddd-4ddd-8ddd-000000000001")["image"].clone();
    assert_eq!(
        (image["name"].clone(), image["status"].clone()),
        (json!("Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)"), json!("ACTIVE"))
    );
    assert_eq!(nova.ok("images")["images"][1]["name"], "CentOS Stream 9 (PVHVM)");
    let (status, _) = nova.get("images/ffffffff-dddd-4ddd-8ddd-ffffffffffff");
    assert_eq!(status, 404);
    let (status, _) = nova.get("servers?limit=0");
    assert_eq!(status, 400);

    // Without a token, all of them are 401; the wrong method is 405.
    let response = common::send(&nova.emu, "GET", &format!("{COMPUTE}/flavors"), &[], None);
    assert_eq!(response.status, 401);
    let response =
        common::send(&nova.emu, "POST", &format!("{COMPUTE}/flavors"), &[("X-Auth-Token", &nova.token)], Some(b"{}"));
    assert_eq!((response.status, response.header("Allow")), (405, Some("GET")));
}

#[test]
fn flavors_images_and_what_servers_use_come_from_the_scenario() {
    let mut scenario = Scenario::demo();
    scenario.flavors.truncate(1);
    scenario.images[0].name = "Our golden image".into();
    let web1 = scenario.servers.iter_mut().find(|s| s.name == "web1").expect("web1");
    web1.flavor_id = "compute1-4".into(); // retired: not in the list
    web1.key_name = Some("deploy".into());
    let web2 = scenario.servers.iter_mut().find(|s| s.name == "web2").expect("web2");
    web2.image_id = String::new(); // booted from a volume
    let nova = Nova::on(common::start_with(scenario, Some(0.0), false));
    assert_eq!(nova.ok("flavors")["flavors"].as_array().map(Vec::len), Some(1));
    let web1 = nova.ok(&format!("servers/{}", demo::WEB1))["server"].clone();
    assert_eq!((web1["flavor"]["id"].clone(), web1["key_name"].clone()), (json!("compute1-4"), json!("deploy")));
    assert_eq!(nova.get("flavors/compute1-4").0, 404, "a retired flavor: clients say \"Flavor not found\"");
    assert_eq!(
        nova.ok(&format!("images/{}", web1["image"]["id"].as_str().expect("an image")))["image"]["name"],
        "Our golden image"
    );
    assert_eq!(nova.ok(&format!("servers/{}", demo::WEB2))["server"]["image"], "");
    assert_eq!(nova.names("servers/detail?flavor=compute1-4"), ["web1"]);
    assert_eq!(nova.names("servers?image=00000001-dddd-4ddd-8ddd-000000000001").len(), DFW_NAMES.len() - 1);
}

#[test]
fn version_discovery_answers_as_rackspace_did() {
    let nova = Nova::start();
    let url = nova.emu.url();
    // The compute endpoint's root: Rackspace's gateway answers 401, with a token or without.
    for path in ["/servers/DFW/v2/", "/servers/DFW/v2", "/servers/DFW/", "/servers/ORD"] {
        assert_eq!(common::send(&nova.emu, "GET", path, &[], None).status, 401, "{path}");
        assert_eq!(nova.get(path).0, 401, "{path} with a token");
    }
    // The tenant's own URL is Nova's 404 (pre-Mitaka, a catalog with the project id in it).
    assert_eq!(nova.get(COMPUTE).0, 404);

    // Identity's version documents.
    for path in ["/v2.0", "/v2.0/"] {
        let response = common::send(&nova.emu, "GET", path, &[], None);
        assert_eq!(response.status, 200, "{path}");
        let body: Value = serde_json::from_slice(&response.body).expect("JSON");
        assert_eq!(
            (body["version"]["id"].clone(), body["version"]["status"].clone()),
            (json!("v2.0"), json!("CURRENT"))
        );
        assert_eq!(body["version"]["links"][0], json!({"rel": "self", "href": format!("{url}/v2.0")}));
    }
    let response = common::send(&nova.emu, "GET", "/", &[], None);
    assert_eq!(response.status, 200);
    let body: Value = serde_json::from_slice(&response.body).expect("JSON");
    let ids: Vec<&str> =
        body["versions"]["values"].as_array().expect("values").iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["v1.0", "v2.0"]);
    assert_eq!(common::send(&nova.emu, "POST", "/v2.0", &[], Some(b"{}")).status, 405);
    assert!(common::send(&nova.emu, "GET", "/", &[], None).header("Date").is_some());
}
