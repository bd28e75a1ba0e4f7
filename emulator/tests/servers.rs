//! Cloud Servers over real HTTP: show, metadata, one item, servers/detail with limit and marker,
//! delete, and the RackConnect and Managed Operations keys as the emulated clock moves.

mod common;

use std::collections::BTreeSet;

use rackconnect::identity::Access;
use rackconnect::servers::{self, ManagedStatus, RackConnectView, Server, ServersEndpoint, keys};
use rackconnect::v2::{AutomationStatus, FeatureState};
use rackconnect::{MetadataKey, Region, Response, ServerId};
use rackconnect_emulator::Emulator;
use serde_json::{Value, json};

use common::demo;

const UNPROCESSABLE_REASON: &str =
    "The server was built in IAD, but the account's RackConnect configuration is for DFW";

/// The demo tenant's servers in DFW (app-unprocessable is in IAD, lon-web1 in LON).
const DFW_SERVERS: [&str; 8] = [
    demo::WEB1,
    demo::WEB2,
    demo::FAILED,
    demo::BUILD_ERROR,
    demo::AUTH_ERROR,
    demo::FRESH,
    demo::ADD_FAILS,
    demo::UNMANAGED,
];

struct Demo {
    emu: Emulator,
    access: Access,
}

impl Demo {
    fn start() -> Self {
        let emu = common::start();
        let access = common::demo_token(&emu);
        Demo { emu, access }
    }

    fn endpoint(&self, region: Region) -> ServersEndpoint {
        common::servers_endpoint(&self.access, region)
    }

    fn show_in(&self, region: Region, id: &str) -> Response {
        let request = servers::show_server(&self.endpoint(region), &self.access.token.id, &server_id(id)).expect("req");
        common::send_request(&self.emu, &request)
    }

    fn show(&self, id: &str) -> Server {
        let response = self.show_in(Region::Dfw, id);
        assert_eq!(response.status, 200, "show {id}: {}", text(&response));
        servers::parse_server(&response).expect("the server parses")
    }

    fn metadata_response(&self, region: Region, id: &str) -> Response {
        let request =
            servers::server_metadata(&self.endpoint(region), &self.access.token.id, &server_id(id)).expect("req");
        common::send_request(&self.emu, &request)
    }

    fn metadata_in(&self, region: Region, id: &str) -> (RackConnectView, Value) {
        let response = self.metadata_response(region, id);
        assert_eq!(response.status, 200, "metadata of {id}: {}", text(&response));
        let raw = json_of(&response)["metadata"].clone();
        (servers::parse_metadata(&response).expect("the metadata parses"), raw)
    }

    fn metadata(&self, id: &str) -> (RackConnectView, Value) {
        self.metadata_in(Region::Dfw, id)
    }

    fn item(&self, id: &str, key: &str) -> Response {
        let key = MetadataKey::new(key).expect("a key");
        let request = servers::metadata_item(&self.endpoint(Region::Dfw), &self.access.token.id, &server_id(id), &key)
            .expect("req");
        common::send_request(&self.emu, &request)
    }

    fn page(&self, limit: Option<u32>, marker: Option<&str>) -> Response {
        let marker = marker.map(server_id);
        let request =
            servers::list_servers_detail(&self.endpoint(Region::Dfw), &self.access.token.id, limit, marker.as_ref())
                .expect("req");
        common::send_request(&self.emu, &request)
    }

    fn managed(&self, id: &str) -> Option<ManagedStatus> {
        self.metadata(id).0.managed_status
    }

    fn advance(&self, seconds: f64) {
        common::advance(&self.emu, seconds);
    }
}

fn server_id(id: &str) -> ServerId {
    ServerId::new(id).expect("a server id")
}

fn text(response: &Response) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

fn json_of(response: &Response) -> Value {
    serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("a JSON body ({e}): {}", text(response)))
}

fn assert_item_not_found(response: &Response, what: &str) {
    assert_eq!(response.status, 404, "{what}: {}", text(response));
    let body = json_of(response);
    assert_eq!(body["itemNotFound"]["code"], 404, "{what}: {body}");
    assert!(body["itemNotFound"]["message"].is_string(), "{what}: {body}");
}

#[test]
fn web1_shows_the_rackconnect_ip_once_deployed() {
    let demo = Demo::start();
    let response = demo.show_in(Region::Dfw, demo::WEB1);
    assert_eq!(response.status, 200);
    let raw = json_of(&response);
    assert_eq!(raw["server"]["accessIPv4"], "198.51.100.101");
    assert_eq!(raw["server"]["metadata"][keys::AUTOMATION_STATUS], "DEPLOYED");

    let server = servers::parse_server(&response).expect("parses");
    assert_eq!(server.id.as_deref(), Some(demo::WEB1));
    assert_eq!(server.name.as_deref(), Some("web1"));
    assert_eq!(server.status.as_deref(), Some("ACTIVE"));
    assert_eq!(server.access_ipv4.as_deref(), Some("198.51.100.101"));
    assert_eq!(server.rackconnect.automation_status, Some(AutomationStatus::Deployed));
    assert_eq!(server.rackconnect.managed_status, Some(ManagedStatus::Complete));
    assert_eq!(server.rackconnect.unprocessable_reason, None);
}

#[test]
fn web2_keeps_its_original_ip_until_deployed_then_switches() {
    let demo = Demo::start();
    let before = demo.show(demo::WEB2);
    assert_eq!(before.access_ipv4.as_deref(), Some("203.0.113.12"));
    assert_ne!(before.rackconnect.automation_status, Some(AutomationStatus::Deployed));

    // Still automating after 119 s of the 120 s of tasks.
    demo.advance(119.0);
    let during = demo.show(demo::WEB2);
    assert_eq!(during.access_ipv4.as_deref(), Some("203.0.113.12"));
    assert_eq!(during.rackconnect.automation_status, Some(AutomationStatus::Deploying));

    demo.advance(2.0);
    let after = demo.show(demo::WEB2);
    assert_eq!(after.rackconnect.automation_status, Some(AutomationStatus::Deployed));
    assert_eq!(after.access_ipv4.as_deref(), Some("198.51.100.102"));
}

#[test]
fn a_fresh_server_has_no_status_key_until_its_metadata_delay() {
    let demo = Demo::start();
    let (view, raw) = demo.metadata(demo::FRESH);
    assert!(raw.get(keys::AUTOMATION_STATUS).is_none(), "no key right after the build: {raw}");
    assert_eq!(view.automation_status, None, "missing is None, not a default");
    assert_eq!(view.features.provision_public_ip, None);
    assert_item_not_found(&demo.item(demo::FRESH, keys::AUTOMATION_STATUS), "the item before the delay");
    let server = demo.show(demo::FRESH);
    assert_eq!(server.rackconnect.automation_status, None);
    assert_eq!(server.access_ipv4.as_deref(), Some("203.0.113.17"));

    demo.advance(59.0);
    assert_eq!(demo.metadata(demo::FRESH).0.automation_status, None, "the delay is 60 s");

    demo.advance(2.0);
    let (view, raw) = demo.metadata(demo::FRESH);
    assert_eq!(raw[keys::AUTOMATION_STATUS], "DEPLOYING", "{raw}");
    assert_eq!(view.automation_status, Some(AutomationStatus::Deploying));
    let item = demo.item(demo::FRESH, keys::AUTOMATION_STATUS);
    let item = servers::parse_metadata_item(&item).expect("the item now exists");
    assert_eq!((item.key.as_str(), item.value.as_str()), (keys::AUTOMATION_STATUS, "DEPLOYING"));
}

#[test]
fn every_managed_operations_state() {
    let demo = Demo::start();
    assert_eq!(demo.managed(demo::BUILD_ERROR), Some(ManagedStatus::BuildError));
    assert_eq!(demo.managed(demo::AUTH_ERROR), Some(ManagedStatus::AuthenticationError));
    assert_eq!(demo.managed(demo::WEB1), Some(ManagedStatus::Complete));
    assert!(demo.managed(demo::BUILD_ERROR).is_some_and(|s| s.is_failure()));
    assert!(demo.managed(demo::AUTH_ERROR).is_some_and(|s| s.is_failure()));
    // RackConnect ran first and finished in both failure cases: the failure is Managed's own.
    assert_eq!(demo.metadata(demo::BUILD_ERROR).0.automation_status, Some(AutomationStatus::Deployed));
    assert_eq!(demo.metadata(demo::AUTH_ERROR).0.automation_status, Some(AutomationStatus::Deployed));
    // When RackConnect fails, Managed Operations ends in Build Error.
    assert_eq!(demo.managed(demo::FAILED), Some(ManagedStatus::BuildError));

    let (raw_meta, raw) = demo.metadata(demo::BUILD_ERROR);
    assert_eq!(raw[keys::MANAGED_STATUS], "Build Error");
    assert!(raw_meta.managed_status.as_ref().is_some_and(ManagedStatus::is_known));

    let (view, raw) = demo.metadata(demo::UNMANAGED);
    assert!(raw.get(keys::MANAGED_STATUS).is_none(), "{raw}");
    assert_eq!(view.managed_status, None);
    assert_eq!(view.automation_status, Some(AutomationStatus::Deployed));
}

#[test]
fn web2_managed_goes_pending_in_progress_complete() {
    let demo = Demo::start();
    assert_eq!(demo.managed(demo::WEB2), Some(ManagedStatus::Pending), "RackConnect still runs");
    // RackConnect finishes at 120 s; Managed stays Pending 10 s, runs 60 s.
    demo.advance(125.0);
    assert_eq!(demo.metadata(demo::WEB2).0.automation_status, Some(AutomationStatus::Deployed));
    assert_eq!(demo.managed(demo::WEB2), Some(ManagedStatus::Pending));
    demo.advance(10.0);
    assert_eq!(demo.managed(demo::WEB2), Some(ManagedStatus::InProgress));
    demo.advance(54.0);
    assert_eq!(demo.managed(demo::WEB2), Some(ManagedStatus::InProgress), "69 s after RackConnect");
    demo.advance(2.0);
    assert_eq!(demo.managed(demo::WEB2), Some(ManagedStatus::Complete));
    assert_eq!(demo.metadata(demo::WEB2).1[keys::MANAGED_STATUS], "Complete");
}

#[test]
fn the_feature_keys_are_spelled_as_rackspace_spells_them() {
    let demo = Demo::start();
    let (view, raw) = demo.metadata(demo::WEB1);
    assert_eq!(raw["rackconnect_automation_feature_provison_public_ip"], "ENABLED", "{raw}");
    assert_eq!(raw["rackconnect_automation_feature_configure_network_stack"], "ENABLED", "{raw}");
    assert_eq!(raw["rackconnect_automation_feature_manage_software_firewall"], "ENABLED", "{raw}");
    let keys: Vec<&String> = raw.as_object().expect("an object").keys().collect();
    assert!(!keys.iter().any(|k| k.contains("provision")), "the real key is misspelled: {keys:?}");
    assert_eq!(view.features.provision_public_ip, Some(FeatureState::Enabled));
    assert_eq!(view.features.configure_network_stack, Some(FeatureState::Enabled));
    assert_eq!(view.features.manage_software_firewall, Some(FeatureState::Enabled));
}

#[test]
fn an_unprocessable_server_carries_its_reason() {
    let demo = Demo::start();
    let (view, raw) = demo.metadata_in(Region::Iad, demo::UNPROCESSABLE);
    assert_eq!(raw[keys::AUTOMATION_STATUS], "UNPROCESSABLE");
    assert_eq!(view.automation_status, Some(AutomationStatus::Unprocessable));
    assert_eq!(view.unprocessable_reason.as_deref(), Some(UNPROCESSABLE_REASON));

    let response = demo.show_in(Region::Iad, demo::UNPROCESSABLE);
    let server = servers::parse_server(&response).expect("parses");
    assert_eq!(server.rackconnect.unprocessable_reason.as_deref(), Some(UNPROCESSABLE_REASON));
    // Not DEPLOYED: the original public address stays.
    assert_eq!(server.access_ipv4.as_deref(), Some("203.0.113.14"));

    // It lives in IAD, not DFW.
    assert_item_not_found(&demo.show_in(Region::Dfw, demo::UNPROCESSABLE), "an IAD server asked in DFW");
}

#[test]
fn a_metadata_item_is_200_and_a_missing_one_404() {
    let demo = Demo::start();
    let response = demo.item(demo::WEB1, keys::AUTOMATION_STATUS);
    assert_eq!(response.status, 200);
    assert_eq!(json_of(&response), json!({"meta": {keys::AUTOMATION_STATUS: "DEPLOYED"}}));
    let item = servers::parse_metadata_item(&response).expect("parses");
    assert_eq!((item.key.as_str(), item.value.as_str()), (keys::AUTOMATION_STATUS, "DEPLOYED"));

    let response = demo.item(demo::WEB1, keys::MANAGED_STATUS);
    assert_eq!(servers::parse_metadata_item(&response).expect("parses").value, "Complete");

    let response = demo.item(demo::WEB1, "no_such_key");
    assert_item_not_found(&response, "a missing key");
    assert_eq!(servers::parse_metadata_item(&response).expect_err("404").kind(), "not_found");

    let response = demo.item(demo::UNMANAGED, keys::MANAGED_STATUS);
    assert_item_not_found(&response, "the Managed key of an unmanaged server");
}

#[test]
fn servers_detail_pages_through_every_dfw_server_exactly_once() {
    let demo = Demo::start();
    let mut seen: Vec<String> = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= DFW_SERVERS.len() + 1, "the walk does not end: {seen:?}");
        let response = demo.page(Some(2), marker.as_deref());
        assert_eq!(response.status, 200, "page {pages}: {}", text(&response));
        let page = servers::parse_servers_detail(&response).expect("a page parses");
        assert!(page.servers.len() <= 2, "page {pages} has {} servers", page.servers.len());
        for server in &page.servers {
            let id = server.id.clone().expect("an id");
            if id == demo::WEB1 {
                assert_eq!(server.rackconnect.automation_status, Some(AutomationStatus::Deployed));
                assert_eq!(server.access_ipv4.as_deref(), Some("198.51.100.101"));
            }
            seen.push(id);
        }
        match page.next_marker.clone() {
            Some(next) => {
                assert_eq!(page.servers.len(), 2, "a page with a next link is full");
                assert!(page.next_link.as_deref().is_some_and(|l| l.starts_with(&demo.emu.url())), "{page:?}");
                marker = Some(next);
            }
            None => break,
        }
    }
    let unique: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), seen.len(), "a server came twice: {seen:?}");
    assert_eq!(unique, DFW_SERVERS.into_iter().collect::<BTreeSet<_>>());
    assert!(pages >= 4, "8 servers, 2 per page: {pages} pages");

    // Without a limit, one page holds them all.
    let all = servers::parse_servers_detail(&demo.page(None, None)).expect("parses");
    assert_eq!(all.servers.len(), DFW_SERVERS.len());
    assert_eq!(all.next_marker, None);
}

#[test]
fn an_unknown_marker_is_400() {
    let demo = Demo::start();
    let response = demo.page(Some(2), Some("ffffffff-0000-4000-8000-000000000000"));
    assert_eq!(response.status, 400, "{}", text(&response));
    assert_eq!(json_of(&response)["badRequest"]["code"], 400);
    let err = servers::parse_servers_detail(&response).expect_err("a bad marker");
    assert_eq!(err.kind(), "bad_request");
    assert_eq!(err.as_api().and_then(|a| a.fault.as_deref()), Some("badRequest"));
}

#[test]
fn an_unknown_server_is_404_item_not_found() {
    let demo = Demo::start();
    let unknown = "ffffffff-cccc-4ccc-8ccc-ffffffffffff";
    let response = demo.show_in(Region::Dfw, unknown);
    assert_eq!(response.status, 404);
    assert_eq!(json_of(&response), json!({"itemNotFound": {"code": 404, "message": "Instance could not be found"}}));
    let err = servers::parse_server(&response).expect_err("404");
    assert_eq!(err.kind(), "not_found");
    assert_eq!(err.as_api().map(|a| a.messages.clone()), Some(vec!["Instance could not be found".to_owned()]));

    assert_item_not_found(&demo.metadata_response(Region::Dfw, unknown), "metadata of an unknown server");
    assert_item_not_found(&demo.item(unknown, keys::AUTOMATION_STATUS), "an item of an unknown server");
}

#[test]
fn another_tenants_token_cannot_read_this_tenant() {
    let demo = Demo::start();
    let other = {
        use rackconnect::identity::{self, Credentials, IdentityEndpoint};
        let endpoint = IdentityEndpoint::parse(&demo.emu.url()).expect("url");
        let creds =
            Credentials::ApiKey { username: "other".into(), api_key: rackconnect::ApiKey::new("other-api-key") };
        let request = identity::token(&endpoint, &creds, None).expect("request");
        identity::parse_token(&common::send_request(&demo.emu, &request)).expect("other's token")
    };

    // Tenant 123456's URLs with tenant 654321's token.
    let dfw = demo.endpoint(Region::Dfw);
    let show = servers::show_server(&dfw, &other.token.id, &server_id(demo::WEB1)).expect("req");
    let response = common::send_request(&demo.emu, &show);
    assert_eq!(response.status, 401, "{}", text(&response));
    assert_eq!(json_of(&response)["unauthorized"]["code"], 401);
    assert_eq!(servers::parse_server(&response).expect_err("401").kind(), "unauthorized");
    let list = servers::list_servers_detail(&dfw, &other.token.id, None, None).expect("req");
    assert_eq!(common::send_request(&demo.emu, &list).status, 401);

    // Through its own catalog, tenant 654321 sees none of 123456's servers.
    let own = common::servers_endpoint(&other, Region::Dfw);
    assert!(own.base().ends_with("/v2/654321"), "{}", own.base());
    let show = servers::show_server(&own, &other.token.id, &server_id(demo::WEB1)).expect("req");
    assert_item_not_found(&common::send_request(&demo.emu, &show), "web1 under tenant 654321");
    let list = servers::list_servers_detail(&own, &other.token.id, None, None).expect("req");
    let page = servers::parse_servers_detail(&common::send_request(&demo.emu, &list)).expect("parses");
    assert!(page.servers.is_empty(), "{page:?}");

    // And no token at all is a 401.
    let path = format!("/servers/DFW/v2/123456/servers/{}", demo::WEB1);
    assert_eq!(common::send(&demo.emu, "GET", &path, &[], None).status, 401);
}

#[test]
fn a_deleted_server_is_404() {
    let demo = Demo::start();
    assert_eq!(demo.show(demo::UNMANAGED).name.as_deref(), Some("unmanaged"));
    let path = format!("/servers/DFW/v2/123456/servers/{}", demo::UNMANAGED);
    let token = demo.access.token.id.expose();
    let response = common::send(&demo.emu, "DELETE", &path, &[("X-Auth-Token", token)], None);
    assert_eq!(response.status, 204, "{}", text(&response));

    assert_item_not_found(&demo.show_in(Region::Dfw, demo::UNMANAGED), "show after delete");
    assert_item_not_found(&demo.metadata_response(Region::Dfw, demo::UNMANAGED), "metadata after delete");
    let all = servers::parse_servers_detail(&demo.page(None, None)).expect("parses");
    assert_eq!(all.servers.len(), DFW_SERVERS.len() - 1);
    assert!(all.servers.iter().all(|s| s.id.as_deref() != Some(demo::UNMANAGED)));

    // Deleting it again finds nothing; the others are untouched.
    let again = common::send(&demo.emu, "DELETE", &path, &[("X-Auth-Token", token)], None);
    assert_item_not_found(&again, "a second delete");
    assert_eq!(demo.show(demo::WEB1).access_ipv4.as_deref(), Some("198.51.100.101"));
}
