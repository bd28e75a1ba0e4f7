//! The scenario: who and what the emulator starts with. A scenario is a JSON file (format in
//! `emulator/README.md`; the built-in default is `emulator/scenarios/default.json`). Every field
//! but the ids has a default, so a scenario can be as small as one account and one server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The built-in demo scenario.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.json");

/// The scenarios built in, by name: `demo` (the demo account, [`DEFAULT_SCENARIO`]),
/// `failing-automation` (one account, one server whose automation fails) and `fleet` (ten
/// servers built at once, one failing, one with a Managed error).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("demo", DEFAULT_SCENARIO),
    ("failing-automation", include_str!("../scenarios/failing-automation.json")),
    ("fleet", include_str!("../scenarios/fleet.json")),
];

/// The text of the built-in scenario `name` (see [`BUILT_IN`]).
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// A whole scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What this scenario is for.
    #[serde(default)]
    pub description: String,
    /// How long things take.
    #[serde(default)]
    pub timings: Timings,
    /// Accounts and their users.
    pub accounts: Vec<Account>,
    /// Cloud networks.
    #[serde(default)]
    pub networks: Vec<Network>,
    /// Load-balancer pools.
    #[serde(default)]
    pub pools: Vec<Pool>,
    /// Cloud servers.
    #[serde(default)]
    pub servers: Vec<Server>,
    /// Pool memberships that exist at start.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Public IPs that exist at start.
    #[serde(default)]
    pub public_ips: Vec<PublicIp>,
    /// Cloud Servers flavors (`…/flavors`), the same in every region. Default: three General
    /// Purpose v1 flavors, `general1-1` (what servers get by default), `general1-2`, `general1-4`.
    #[serde(default = "default_flavors")]
    pub flavors: Vec<Flavor>,
    /// Cloud Servers images (`…/images`), the same in every region. Default: an Ubuntu and a
    /// CentOS image; servers get [`DEFAULT_IMAGE_ID`] by default.
    #[serde(default = "default_images")]
    pub images: Vec<Image>,
    /// Makes generated ids (servers, nodes, public IPs, tokens) repeat from run to run: the same
    /// seed and the same requests give the same answers. Without one they differ between runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How many ids were already drawn from `seed` (a state snapshot records it, so ids made
    /// after loading it back never repeat one in it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seed_position: u64,
    /// How v3 pool nodes, v3 public IPs and v2 automation move between states.
    #[serde(default)]
    pub transitions: Transitions,
    /// RackConnect v3 throttling: past a number of requests a minute per tenant, an error status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v3_throttle: Option<Throttle>,
    /// Faults armed at start (a state snapshot records the pending ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<crate::world::Fault>,
    /// Tokens issued at start (a state snapshot records the unexpired ones, so clients keep
    /// theirs across a restart).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How a kind of resource moves from a transitional state (ADDING, REMOVING, UPDATING;
/// DEPLOYING for v2 automation) to the next one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// At once: the next request sees the final state.
    Immediate,
    /// After the durations in `timings` (v3) or the automation's tasks (v2).
    #[default]
    Timed,
    /// Never on its own: `POST /__emulator/transitions/advance` moves it.
    Manual,
}

/// The transition mode of each kind of resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Transitions {
    /// v3 pool nodes: ADDING → ACTIVE (or ADD_FAILED), REMOVING → gone.
    pub pool_nodes: Mode,
    /// v3 public IPs: ADDING and UPDATING → ACTIVE (or ADD_FAILED), REMOVING → gone.
    pub public_ips: Mode,
    /// v2 (and Managed Operations) automation: DEPLOYING → its outcome.
    pub automation: Mode,
}

/// v3 throttling: `requests_per_minute` per tenant (emulated minutes), then `status` with a
/// `Retry-After` until the minute turns.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Requests a tenant may make to v3 in one emulated minute.
    pub requests_per_minute: u32,
    /// 413 (Nova's `overLimit`, the default) or 429.
    #[serde(default = "four_thirteen")]
    pub status: u16,
}

fn four_thirteen() -> u16 {
    413
}

/// A token that exists at start.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The token id clients send as `X-Auth-Token`.
    pub id: String,
    /// The tenant it is scoped to.
    pub tenant: String,
    /// The user it was issued to.
    pub username: String,
    /// Seconds it has left to live.
    pub expires_in_seconds: f64,
    /// `APIKEY` or `PASSWORD`.
    #[serde(default = "apikey")]
    pub method: String,
}

fn apikey() -> String {
    "APIKEY".to_owned()
}

impl Scenario {
    /// The built-in demo scenario.
    pub fn demo() -> Self {
        // The file is part of the binary and checked by the tests.
        Scenario::from_json(DEFAULT_SCENARIO).unwrap_or_else(|e| panic!("the built-in scenario is invalid: {e}"))
    }

    /// Reads a scenario, naming the line and column of a mistake. Every host (the binary, the
    /// wheel, the npm emulator, `PUT /__emulator/state`) reads scenarios through here. (Not the
    /// field's path as well: serde_path_to_error would add 27 KB to the npm emulator's .wasm.)
    pub fn from_json(text: &str) -> Result<Self, String> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))?;
        let speed = scenario.timings.clock_speed;
        if !crate::clock::speed_is_valid(speed) {
            return Err(format!(
                "invalid scenario: timings.clock_speed: expected {}, found {speed}",
                crate::clock::SPEED_EXPECTED
            ));
        }
        if let Some(throttle) = &scenario.v3_throttle
            && ![413, 429].contains(&throttle.status)
        {
            return Err(format!(
                "invalid scenario: v3_throttle.status: expected 413 or 429, found {}",
                throttle.status
            ));
        }
        Ok(scenario)
    }
}

/// How long things take, in emulated seconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timings {
    /// Emulated seconds per real second (1 = real time).
    pub clock_speed: f64,
    /// How long a token lives.
    pub token_lifetime_seconds: f64,
    /// ADDING → ACTIVE for nodes and public IPs.
    pub v3_add_seconds: f64,
    /// REMOVING → gone.
    pub v3_remove_seconds: f64,
    /// UPDATING → ACTIVE after a PATCH.
    pub v3_update_seconds: f64,
    /// How long a pool's node_counts lag behind its nodes.
    pub node_counts_lag_seconds: f64,
    /// v2 requests allowed per server per minute before 403.
    pub v2_requests_per_minute: u32,
    /// Retained public IPs allowed per account.
    pub retained_ip_limit: usize,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            clock_speed: 1.0,
            token_lifetime_seconds: 86_400.0,
            v3_add_seconds: 4.0,
            v3_remove_seconds: 4.0,
            v3_update_seconds: 2.0,
            node_counts_lag_seconds: 60.0,
            v2_requests_per_minute: 30,
            retained_ip_limit: 5,
        }
    }
}

/// An account (tenant).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The tenant id, e.g. `123456`.
    pub tenant: String,
    /// Its users.
    pub users: Vec<User>,
    /// Managed Operations (the `rax_managed` role; servers get `rax_service_level_automation`).
    #[serde(default)]
    pub managed: bool,
    /// RackConnect v2 (the `rack_connect` role).
    #[serde(default)]
    pub rackconnect_v2: bool,
    /// Regions with RackConnect v3 (roles `rackconnect:v3-REGION` and a catalog entry each).
    #[serde(default)]
    pub rackconnect_v3_regions: Vec<String>,
}

/// A user of an account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The user name.
    pub username: String,
    /// The API key, if the user has one.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The password, if the user has one.
    #[serde(default)]
    pub password: Option<String>,
    /// A disabled user gets 403.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Password logins need a second factor (401 with `WWW-Authenticate: OS-MF …`).
    #[serde(default)]
    pub mfa: bool,
    /// `RAX-AUTH:defaultRegion`.
    #[serde(default)]
    pub default_region: Option<String>,
}

fn yes() -> bool {
    true
}

/// A cloud network.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Its id.
    pub id: String,
    /// The owning tenant.
    pub tenant: String,
    /// Its region (upper case).
    pub region: String,
    /// Its name.
    pub name: String,
    /// Its CIDR.
    pub cidr: String,
}

/// A load-balancer pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Its id.
    pub id: String,
    /// The owning tenant.
    pub tenant: String,
    /// Its region (upper case).
    pub region: String,
    /// Its name.
    pub name: String,
    /// The balanced port.
    pub port: u32,
    /// The virtual IP.
    pub virtual_ip: String,
    /// Its status (`ACTIVE`; anything else makes adds and removes conflict).
    #[serde(default = "active")]
    pub status: String,
    /// Why.
    #[serde(default)]
    pub status_detail: Option<String>,
}

fn active() -> String {
    "ACTIVE".to_owned()
}

/// A cloud server and how its automation will go.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Its id.
    pub id: String,
    /// The owning tenant.
    pub tenant: String,
    /// Its region (upper case).
    pub region: String,
    /// Its name.
    pub name: String,
    /// The loopback address it asks v2 from (e.g. `127.0.0.2`); without one it cannot ask v2.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// How long before the emulator started it was built (0: building now).
    #[serde(default)]
    pub built_seconds_ago: f64,
    /// Its cloud network.
    #[serde(default)]
    pub network_id: Option<String>,
    /// Its address on that network.
    #[serde(default)]
    pub private_ip_v4: Option<String>,
    /// The public address it is built with (`accessIPv4` before RackConnect automation).
    pub original_ipv4: String,
    /// The RackConnect public address (`accessIPv4` from DEPLOYED on, when the provision
    /// public IP feature is enabled).
    #[serde(default)]
    pub rackconnect_ipv4: Option<String>,
    /// RackConnect v2 automation.
    #[serde(default)]
    pub automation: Automation,
    /// Managed Operations automation; only for managed accounts.
    #[serde(default)]
    pub managed: Option<Managed>,
    /// For how long after the build RackConnect v3 does not know the server yet (409 `does not
    /// exist` on adds: the post-build race).
    #[serde(default = "fifteen")]
    pub rackconnect_known_after_seconds: f64,
    /// Adding this server to a pool, or giving it a public IP, ends in ADD_FAILED with this detail.
    #[serde(default)]
    pub v3_add_failure: Option<String>,
    /// Other metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Its flavor (`flavor.id` in its body); one of the scenario's `flavors`, or any id (a flavor
    /// that no longer exists: `…/flavors/{id}` answers 404, as for a retired flavor).
    #[serde(default = "default_flavor_id")]
    pub flavor_id: String,
    /// Its image (`image.id`); empty for a server booted from a volume (its body then has
    /// `"image": ""`, as Nova writes it).
    #[serde(default = "default_image_id")]
    pub image_id: String,
    /// The key pair it was built with (`key_name`), if any.
    #[serde(default)]
    pub key_name: Option<String>,
    /// How long before the start its automation started, when not at its build (a state
    /// snapshot records an automation finished early by the control API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_started_seconds_ago: Option<f64>,
    /// Its automation waits for `POST /__emulator/transitions/advance` (manual transitions).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automation_held: bool,
}

fn fifteen() -> f64 {
    15.0
}

/// The flavor servers get when the scenario names none.
pub const DEFAULT_FLAVOR_ID: &str = "general1-1";

/// The image servers get when the scenario names none (Ubuntu, in the default images).
pub const DEFAULT_IMAGE_ID: &str = "00000001-dddd-4ddd-8ddd-000000000001";

fn default_flavor_id() -> String {
    DEFAULT_FLAVOR_ID.to_owned()
}

fn default_image_id() -> String {
    DEFAULT_IMAGE_ID.to_owned()
}

/// A Cloud Servers flavor. The defaults follow Rackspace's General Purpose v1 class (its ids,
/// names, RAM and system disks); `rxtx_factor` is the relative bandwidth.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flavor {
    /// Its id, e.g. `general1-1`.
    pub id: String,
    /// Its name, e.g. `1 GB General Purpose v1`.
    pub name: String,
    /// RAM in MB.
    pub ram: u64,
    /// System disk in GB.
    pub disk: u64,
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Relative bandwidth.
    #[serde(default = "one_f64")]
    pub rxtx_factor: f64,
}

fn one_f64() -> f64 {
    1.0
}

/// A Cloud Servers image (the compute API's view of it).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Its id (a UUID: clients look a UUID up by id and anything else by name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The smallest system disk it fits, in GB.
    #[serde(default)]
    pub min_disk: u64,
    /// The least RAM it runs in, in MB.
    #[serde(default)]
    pub min_ram: u64,
    /// Its metadata (e.g. `os_distro`).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// The default flavors: Rackspace's General Purpose v1 at 1, 2 and 4 GB.
pub fn default_flavors() -> Vec<Flavor> {
    let flavor = |id: &str, name: &str, ram, disk, vcpus, rxtx_factor| Flavor {
        id: id.to_owned(),
        name: name.to_owned(),
        ram,
        disk,
        vcpus,
        rxtx_factor,
    };
    vec![
        flavor("general1-1", "1 GB General Purpose v1", 1024, 20, 1, 200.0),
        flavor("general1-2", "2 GB General Purpose v1", 2048, 40, 2, 400.0),
        flavor("general1-4", "4 GB General Purpose v1", 4096, 80, 4, 800.0),
    ]
}

/// The default images: an Ubuntu ([`DEFAULT_IMAGE_ID`]) and a CentOS.
pub fn default_images() -> Vec<Image> {
    let image = |id: &str, name: &str, distro: &str| Image {
        id: id.to_owned(),
        name: name.to_owned(),
        min_disk: 20,
        min_ram: 512,
        metadata: BTreeMap::from([("os_distro".to_owned(), distro.to_owned())]),
    };
    vec![
        image(DEFAULT_IMAGE_ID, "Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)", "ubuntu"),
        image("00000002-dddd-4ddd-8ddd-000000000002", "CentOS Stream 9 (PVHVM)", "centos"),
    ]
}

/// How a server's RackConnect v2 automation goes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Automation {
    /// `DEPLOYED`, `FAILED` or `UNPROCESSABLE`.
    pub outcome: String,
    /// For `UNPROCESSABLE`: `rackconnect_unprocessable_reason`.
    pub unprocessable_reason: Option<String>,
    /// For `FAILED`: the index of the task that fails (default: the first).
    pub failed_task: usize,
    /// How long after the build the metadata key appears (missing before: "still waiting").
    pub metadata_delay_seconds: f64,
    /// The tasks, run one after another.
    pub tasks: Vec<Task>,
    /// The gateway IP v2 reports once assigned.
    pub gateway_ip: String,
    /// The gateway is assigned when this task completes (404 before).
    pub gateway_after_task: usize,
    /// Whether the account's automation features are enabled.
    pub features_enabled: bool,
}

impl Default for Automation {
    fn default() -> Self {
        let task = |name: &str, seconds: f64| Task { name: name.to_owned(), seconds };
        Self {
            outcome: "DEPLOYED".to_owned(),
            unprocessable_reason: None,
            failed_task: 0,
            metadata_delay_seconds: 5.0,
            tasks: vec![
                task("Cloud Server Created: Add \"rackconnect\" user", 20.0),
                task("Cloud Server Created: Update access on dedicated network devices", 40.0),
                task("Cloud Server Created: Configure network stack", 30.0),
                task("Cloud Server Created: Manage software firewall", 30.0),
            ],
            gateway_ip: "10.1.2.1".to_owned(),
            gateway_after_task: 1,
            features_enabled: true,
        }
    }
}

/// One automation task.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Its name.
    pub name: String,
    /// How long it runs.
    pub seconds: f64,
}

/// How a server's Managed Operations automation goes (after RackConnect's).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Managed {
    /// `Complete`, `Build Error` or `Authentication Error`.
    pub outcome: String,
    /// How long it stays `Pending` after RackConnect finishes.
    pub pending_seconds: f64,
    /// How long it stays `In Progress`.
    pub seconds: f64,
}

impl Default for Managed {
    fn default() -> Self {
        Self { outcome: "Complete".to_owned(), pending_seconds: 10.0, seconds: 60.0 }
    }
}

/// A pool membership at start.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Its id (generated when absent).
    #[serde(default)]
    pub id: Option<String>,
    /// The server.
    pub server_id: String,
    /// The pool.
    pub pool_id: String,
    /// Its status at start: `ACTIVE` (the default), a transitional one (`ADDING`, `REMOVING`,
    /// moving on as `transitions` says) or a failed one (`ADD_FAILED`, `REMOVE_FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why, for a failed status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
}

/// A public IP at start.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicIp {
    /// Its id (generated when absent).
    #[serde(default)]
    pub id: Option<String>,
    /// The owning tenant.
    pub tenant: String,
    /// Its region (upper case).
    pub region: String,
    /// The address.
    pub public_ip_v4: String,
    /// The server it is on; none for a retained, unassigned IP.
    #[serde(default)]
    pub server_id: Option<String>,
    /// Whether it outlives its server.
    #[serde(default)]
    pub retain: bool,
    /// Its status at start: `ACTIVE` (the default), a transitional one (`ADDING`, `UPDATING`,
    /// `REMOVING`, moving on as `transitions` says) or a failed one (`ADD_FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why, for a failed status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
}
