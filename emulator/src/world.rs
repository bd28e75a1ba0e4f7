//! The emulated world: accounts, tokens, servers, networks, pools, nodes and public IPs, with the
//! asynchronous transitions that v3 objects go through, the v2 rate-limit counters, the injected
//! faults and the request log. Transitions are applied lazily: [`World::settle`] runs before
//! every request and moves every object whose time has come.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::automation::{self, Progress};
use crate::clock::{Clock, Millis, RealTime, iso_seconds};
use crate::routes::operations;
use crate::scenario::{self, Mode, Scenario, Throttle, Timings, Transitions};

/// An issued token.
#[derive(Clone, Debug)]
pub struct TokenState {
    /// The tenant it is scoped to.
    pub tenant: String,
    /// The user it was issued to.
    pub username: String,
    /// When it expires.
    pub expires: Millis,
    /// How it was obtained (`APIKEY` or `PASSWORD`).
    pub method: &'static str,
}

/// A cloud server.
#[derive(Clone, Debug)]
pub struct ServerState {
    /// What the scenario (or the control API) says about it.
    pub spec: scenario::Server,
    /// When it was built.
    pub created: Millis,
    /// When its automation started (moved by the control API to finish it at once).
    pub automation_started: Millis,
    /// Deleted servers answer 404 and leave v3.
    pub deleted: bool,
    /// When it was deleted (a `changes-since` list still shows it, `DELETED`).
    pub deleted_at: Option<Millis>,
    /// Its automation is held short of its end until advanced (manual transitions).
    pub automation_held: bool,
}

/// What happens to a v3 object when its time comes.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Becomes ACTIVE.
    Activate,
    /// Ends in this failed status with this detail.
    Fail(&'static str, String),
    /// Disappears.
    Vanish,
}

/// A load-balancer pool.
#[derive(Clone, Debug)]
pub struct PoolState {
    /// What the scenario says.
    pub spec: scenario::Pool,
    /// The node counts shown (they lag).
    pub counts: (u64, u64, u64),
    /// When the counts were last taken.
    pub counts_at: Millis,
}

/// A pool node.
#[derive(Clone, Debug)]
pub struct NodeState {
    /// The node id.
    pub id: String,
    /// The server.
    pub server_id: String,
    /// The pool.
    pub pool_id: String,
    /// Its status.
    pub status: String,
    /// Why.
    pub detail: Option<String>,
    /// Created.
    pub created: Millis,
    /// Updated.
    pub updated: Option<Millis>,
    /// The pending transition.
    pub next: Option<(Millis, Next)>,
}

/// A public IP.
#[derive(Clone, Debug)]
pub struct IpState {
    /// The public IP id.
    pub id: String,
    /// The tenant.
    pub tenant: String,
    /// The region.
    pub region: String,
    /// The server it is on.
    pub server_id: Option<String>,
    /// Retained?
    pub retain: bool,
    /// The address, once allocated.
    pub address: Option<String>,
    /// The address it gets when it becomes ACTIVE.
    pub pending_address: String,
    /// Its status.
    pub status: String,
    /// Why.
    pub detail: Option<String>,
    /// Created.
    pub created: Millis,
    /// Updated.
    pub updated: Option<Millis>,
    /// The pending transition.
    pub next: Option<(Millis, Next)>,
}

/// A fault to inject into the next matching requests.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// `status` (answer with `status`), `delay` (wait `delay_ms`, then answer normally),
    /// `reset` (close the connection without an answer) or `truncate` (send half the body,
    /// then close).
    pub kind: String,
    /// How many requests it applies to.
    #[serde(default = "one")]
    pub count: u32,
    /// The status for `status` faults.
    #[serde(default = "five_oh_three")]
    pub status: u16,
    /// The delay for `delay` faults.
    #[serde(default)]
    pub delay_ms: u64,
    /// Only requests whose path starts with this (e.g. `/rackconnect/`, `/v1/`).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// A `Retry-After` header for `status` faults.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Only requests to this operation (a name from `routes::operations`, e.g.
    /// `v3.pool_nodes.add`), or to every operation whose name starts with it when it ends in `.`
    /// (`v3.public_ips.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The chance (0 to 1) that a matching request gets the fault, drawn from the world's seeded
    /// generator (so a seeded run repeats); a request that escapes it does not count down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Real milliseconds to wait before the fault (any kind) is carried out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub latency_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

fn five_oh_three() -> u16 {
    503
}

/// One logged request.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// Order of arrival.
    pub seq: u64,
    /// Real milliseconds since the emulator started.
    pub real_ms: u64,
    /// Emulated time, milliseconds since the Unix epoch.
    pub emulated_ms: Millis,
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The status answered (0 when the connection was reset).
    pub status: u16,
    /// The client's address.
    pub source_ip: String,
    /// For v2 requests, the server the source address maps to.
    pub server_id: Option<String>,
    /// The operation called (see `routes::operations`), if any.
    pub operation: Option<&'static str>,
    /// The injected fault, if any.
    pub fault: Option<String>,
}

/// Everything the emulator knows.
#[derive(Debug)]
pub struct World {
    /// The emulated clock.
    pub clock: Clock,
    /// How long things take.
    pub timings: Timings,
    /// Accounts from the scenario.
    pub accounts: Vec<scenario::Account>,
    /// Issued tokens by id.
    pub tokens: HashMap<String, TokenState>,
    /// Servers.
    pub servers: Vec<ServerState>,
    /// Networks.
    pub networks: Vec<scenario::Network>,
    /// Pools.
    pub pools: Vec<PoolState>,
    /// Nodes.
    pub nodes: Vec<NodeState>,
    /// Public IPs.
    pub ips: Vec<IpState>,
    /// Cloud Servers flavors.
    pub flavors: Vec<scenario::Flavor>,
    /// Cloud Servers images.
    pub images: Vec<scenario::Image>,
    /// v2 requests per (server, emulated minute).
    pub v2_counts: HashMap<(String, i64), u32>,
    /// Faults waiting for requests.
    pub faults: Vec<Fault>,
    /// The request log.
    pub log: Vec<LogEntry>,
    /// How nodes, public IPs and automation move on.
    pub transitions: Transitions,
    /// v3 throttling, if any.
    pub v3_throttle: Option<Throttle>,
    /// v3 requests per (tenant, emulated minute), for the throttle.
    pub v3_counts: HashMap<(String, i64), u32>,
    pub(crate) counter: u64,
    pub(crate) seed: u64,
    /// The seed as given (a snapshot records it), if any.
    pub(crate) given_seed: Option<u64>,
    draws: u64,
    addresses_given: u32,
}

/// When a manual transition happens: never, until advanced.
pub const MANUAL: Millis = Millis::MAX;

/// The generator's state for a seed (splitmix64's finaliser, so nearby seeds differ widely).
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) | 1
}

/// How long a server stays `BUILD` in Cloud Servers after it is built.
pub const BUILD_MILLIS: Millis = 30_000;

/// The most requests the log keeps (the oldest are dropped first).
const LOG_LIMIT: usize = 200_000;

/// The most tokens the emulator keeps: past it, the oldest are forgotten (a client signing in in
/// a loop cannot grow its memory without bound).
pub const MAX_TOKENS: usize = 10_000;

impl World {
    /// Keeps a new token: expired ones are freed first, and past [`MAX_TOKENS`] the ones that
    /// expire soonest go.
    pub fn keep_token(&mut self, id: String, state: TokenState) {
        let now = self.now();
        if self.tokens.len() >= MAX_TOKENS {
            self.tokens.retain(|_, t| t.expires > now);
        }
        if self.tokens.len() >= MAX_TOKENS {
            let mut expiries: Vec<Millis> = self.tokens.values().map(|t| t.expires).collect();
            expiries.sort_unstable();
            // Forget the soonest-expiring tenth in one go, so this is rare.
            let cut = expiries[MAX_TOKENS / 10];
            self.tokens.retain(|_, t| t.expires > cut);
        }
        self.tokens.insert(id, state);
    }

    /// Builds the world a scenario describes, its emulated clock starting at the real time `now`
    /// (the seed of its ids comes from it too, so one scenario, speed and time give one world).
    pub fn new(scenario: Scenario, clock_speed: Option<f64>, now: RealTime) -> Self {
        let clock = Clock::new(clock_speed.unwrap_or(scenario.timings.clock_speed), now);
        let now = clock.now();
        let seed = scenario.seed.map_or(u64::try_from(now).unwrap_or(1) | 1, mix);
        let mut world = World {
            clock,
            timings: scenario.timings.clone(),
            accounts: scenario.accounts.clone(),
            tokens: HashMap::new(),
            servers: Vec::new(),
            networks: scenario.networks.clone(),
            pools: Vec::new(),
            nodes: Vec::new(),
            ips: Vec::new(),
            flavors: scenario.flavors.clone(),
            images: scenario.images.clone(),
            v2_counts: HashMap::new(),
            faults: Vec::new(),
            log: Vec::new(),
            transitions: scenario.transitions.clone(),
            v3_throttle: scenario.v3_throttle.clone(),
            v3_counts: HashMap::new(),
            counter: scenario.seed_position,
            seed,
            given_seed: scenario.seed,
            draws: 0,
            addresses_given: 0,
        };
        for server in scenario.servers {
            world.add_server(server, now);
        }
        for pool in scenario.pools {
            world.pools.push(PoolState { spec: pool, counts: (0, 0, 0), counts_at: i64::MIN / 2 });
        }
        for node in scenario.nodes {
            let id = node.id.unwrap_or_else(|| world.new_id());
            let created = now - 86_400_000;
            let status = node.status.unwrap_or_else(|| "ACTIVE".into()).to_ascii_uppercase();
            let next = world.pending(&status, &node.server_id, world.transitions.pool_nodes);
            world.nodes.push(NodeState {
                id,
                server_id: node.server_id,
                pool_id: node.pool_id,
                status,
                detail: node.status_detail,
                created,
                updated: Some(created),
                next,
            });
        }
        for ip in scenario.public_ips {
            let id = ip.id.unwrap_or_else(|| world.new_id());
            let created = now - 86_400_000;
            let status = ip.status.unwrap_or_else(|| "ACTIVE".into()).to_ascii_uppercase();
            let server = ip.server_id.clone().unwrap_or_default();
            let next = world.pending(&status, &server, world.transitions.public_ips);
            // A public IP being added has no address yet.
            let address = (status != "ADDING").then(|| ip.public_ip_v4.clone());
            world.ips.push(IpState {
                id,
                tenant: ip.tenant,
                region: ip.region.to_ascii_uppercase(),
                server_id: ip.server_id,
                retain: ip.retain,
                address,
                pending_address: ip.public_ip_v4,
                status,
                detail: ip.status_detail,
                created,
                updated: Some(created),
                next,
            });
        }
        world.faults = scenario.faults;
        for token in scenario.tokens {
            let expires = now + (token.expires_in_seconds * 1000.0) as Millis;
            let method = if token.method.eq_ignore_ascii_case("PASSWORD") { "PASSWORD" } else { "APIKEY" };
            let state = TokenState { tenant: token.tenant, username: token.username, expires, method };
            world.keep_token(token.id, state);
        }
        world.settle();
        world
    }

    /// Adds a server built `spec.built_seconds_ago` before `now`.
    pub fn add_server(&mut self, mut spec: scenario::Server, now: Millis) -> usize {
        spec.region = spec.region.to_ascii_uppercase();
        let created = now - (spec.built_seconds_ago.max(0.0) * 1000.0) as Millis;
        let mut automation_started =
            spec.automation_started_seconds_ago.map_or(created, |ago| now - (ago.max(0.0) * 1000.0) as Millis);
        let mut automation_held = spec.automation_held;
        match self.transitions.automation {
            Mode::Immediate => {
                automation_started = automation_started.min(now - automation::total_millis(&spec.automation));
                automation_held = false;
            }
            // Held only while still running: a server built long ago has finished.
            Mode::Manual => {
                automation_held |= automation_started + automation::total_millis(&spec.automation) > now;
            }
            Mode::Timed => {}
        }
        spec.automation_started_seconds_ago = None;
        spec.automation_held = false;
        self.servers.push(ServerState {
            spec,
            created,
            automation_started,
            deleted: false,
            deleted_at: None,
            automation_held,
        });
        self.servers.len() - 1
    }

    /// A fresh UUID-shaped id (deterministic per run, distinct between runs).
    pub fn new_id(&mut self) -> String {
        self.counter += 1;
        let mut x = self.seed ^ self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = || {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let (a, b) = (next(), next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// A public address for a new public IP: from 198.18.0.0/15 (a range reserved for tests),
    /// never one a public IP holds or is about to hold.
    pub fn allocate_address(&mut self) -> String {
        loop {
            let n = self.addresses_given % (2 * 256 * 254);
            self.addresses_given = self.addresses_given.wrapping_add(1);
            let address = format!("198.{}.{}.{}", 18 + n / (256 * 254), n / 254 % 256, n % 254 + 1);
            if !self
                .ips
                .iter()
                .any(|ip| ip.pending_address == address || ip.address.as_deref() == Some(address.as_str()))
            {
                return address;
            }
        }
    }

    /// A fresh 32-hex-digit token id.
    pub fn new_token_id(&mut self) -> String {
        let id = self.new_id().replace('-', "");
        id.chars().take(32).collect()
    }

    /// Applies every transition whose time has come, and refreshes lagging node counts.
    pub fn settle(&mut self) {
        let now = self.clock.now();
        for node in &mut self.nodes {
            if let Some((at, next)) = node.next.clone()
                && at <= now
            {
                node.next = None;
                node.updated = Some(at);
                match next {
                    Next::Activate => {
                        node.status = "ACTIVE".into();
                        node.detail = None;
                    }
                    Next::Fail(status, detail) => {
                        node.status = status.into();
                        node.detail = Some(detail);
                    }
                    Next::Vanish => node.status = "GONE".into(),
                }
            }
        }
        self.nodes.retain(|n| n.status != "GONE");
        for ip in &mut self.ips {
            if let Some((at, next)) = ip.next.clone()
                && at <= now
            {
                ip.next = None;
                ip.updated = Some(at);
                match next {
                    Next::Activate => {
                        ip.status = "ACTIVE".into();
                        ip.detail = None;
                        ip.address = Some(ip.pending_address.clone());
                    }
                    Next::Fail(status, detail) => {
                        ip.status = status.into();
                        ip.detail = Some(detail);
                    }
                    Next::Vanish => ip.status = "GONE".into(),
                }
            }
        }
        self.ips.retain(|i| i.status != "GONE");
        let lag = (self.timings.node_counts_lag_seconds * 1000.0) as Millis;
        for pool in &mut self.pools {
            if now - pool.counts_at >= lag {
                let servers = self.nodes.iter().filter(|n| n.pool_id.eq_ignore_ascii_case(&pool.spec.id)).count();
                let servers = u64::try_from(servers).unwrap_or(0);
                pool.counts = (servers, 0, servers);
                pool.counts_at = now;
            }
        }
    }

    /// The emulated time now (at the real time the clock was last told).
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Real milliseconds from the world's start to the real time the clock was last told.
    pub fn real_ms(&self) -> u64 {
        self.clock.real_elapsed_ms()
    }

    /// Appends to the request log.
    pub fn record(&mut self, mut entry: LogEntry) {
        entry.seq = self.log.last().map_or(1, |e| e.seq + 1);
        if self.log.len() >= LOG_LIMIT {
            self.log.drain(..LOG_LIMIT / 10);
        }
        self.log.push(entry);
    }

    /// The seed given (scenario, configuration or control call), if any.
    pub fn given_seed(&self) -> Option<u64> {
        self.given_seed
    }

    /// A number in [0, 1) from the world's generator (seeded with the world's seed).
    pub fn draw(&mut self) -> f64 {
        self.draws += 1;
        let mut x = mix(self.seed ^ self.draws.wrapping_mul(0xD1B5_4A32_D192_ED03));
        x ^= x >> 33;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Seeds the world's ids, addresses and draws afresh: from here the same requests give the
    /// same answers.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = mix(seed);
        self.given_seed = Some(seed);
        self.counter = 0;
        self.draws = 0;
        self.addresses_given = 0;
    }

    /// Takes the first fault that matches the request (its path prefix, its operation, then its
    /// probability), counting it down.
    pub fn take_fault(&mut self, path: &str, operation: Option<&str>) -> Option<Fault> {
        let mut index = None;
        for i in 0..self.faults.len() {
            let f = &self.faults[i];
            let matches = f.count > 0
                && f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
                && f.operation.as_deref().is_none_or(|o| operation.is_some_and(|name| operations::picks(o, name)));
            if !matches {
                continue;
            }
            let chance = f.probability.unwrap_or(1.0);
            if chance >= 1.0 || self.draw() < chance {
                index = Some(i);
                break;
            }
        }
        let index = index?;
        let fault = &mut self.faults[index];
        fault.count -= 1;
        let taken = fault.clone();
        self.faults.retain(|f| f.count > 0);
        Some(taken)
    }

    /// The account of a tenant.
    pub fn account(&self, tenant: &str) -> Option<&scenario::Account> {
        self.accounts.iter().find(|a| a.tenant == tenant)
    }

    /// A live (not deleted) server by id, in any case.
    pub fn server(&self, id: &str) -> Option<&ServerState> {
        self.servers.iter().find(|s| !s.deleted && s.spec.id.eq_ignore_ascii_case(id))
    }

    /// The server a v2 request comes from, by source address.
    pub fn server_by_source(&self, ip: &str) -> Option<&ServerState> {
        self.servers.iter().find(|s| !s.deleted && s.spec.source_ip.as_deref() == Some(ip))
    }

    /// A server's automation progress now: held automation (manual transitions) stops short of
    /// its end, where its status key has just appeared.
    pub fn progress(&self, server: &ServerState) -> Progress {
        let automation = &server.spec.automation;
        let now = if server.automation_held {
            let shown = (automation.metadata_delay_seconds.max(0.0) * 1000.0) as Millis;
            let end = automation::total_millis(automation);
            self.now().min(server.automation_started + shown.min((end - 1).max(0)))
        } else {
            self.now()
        };
        automation::progress(automation, server.automation_started, now)
    }

    /// A server's metadata now, as RackConnect and Managed Operations write it.
    pub fn metadata(&self, server: &ServerState) -> serde_json::Map<String, Value> {
        let mut meta: serde_json::Map<String, Value> =
            server.spec.metadata.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let progress = self.progress(server);
        if progress.metadata_visible {
            meta.insert("rackconnect_automation_status".into(), json!(progress.status));
            if progress.status == "UNPROCESSABLE"
                && let Some(reason) = &server.spec.automation.unprocessable_reason
            {
                meta.insert("rackconnect_unprocessable_reason".into(), json!(reason));
            }
            let feature = if server.spec.automation.features_enabled { "ENABLED" } else { "DISABLED" };
            for key in [
                "rackconnect_automation_feature_configure_network_stack",
                "rackconnect_automation_feature_manage_software_firewall",
                // The real key is misspelled; so is ours.
                "rackconnect_automation_feature_provison_public_ip",
            ] {
                meta.insert(key.into(), json!(feature));
            }
        }
        let managed_account = self.account(&server.spec.tenant).is_some_and(|a| a.managed);
        if let (true, Some(managed)) = (managed_account, &server.spec.managed) {
            meta.insert(
                "rax_service_level_automation".into(),
                json!(automation::managed_status(managed, &progress, self.now())),
            );
        }
        meta
    }

    /// The last time a server changed as Cloud Servers sees it (its `updated`, and what
    /// `changes-since` compares): the build, the end of the build (`BUILD` → `ACTIVE`), each
    /// metadata change RackConnect and Managed Operations make, the deletion, whichever came last.
    pub fn server_updated(&self, server: &ServerState) -> Millis {
        let now = self.now();
        let progress = self.progress(server);
        let automation = &server.spec.automation;
        let mut events = vec![server.created, server.created + BUILD_MILLIS];
        events.push(server.automation_started + (automation.metadata_delay_seconds.max(0.0) * 1000.0) as Millis);
        if progress.metadata_visible {
            // Each task's end moves nothing in metadata; the status key changes at the end.
            events.extend(progress.finished_at);
        }
        let managed_account = self.account(&server.spec.tenant).is_some_and(|a| a.managed);
        if let (true, Some(managed), Some(done)) = (managed_account, &server.spec.managed, progress.finished_at) {
            let pending = (managed.pending_seconds.max(0.0) * 1000.0) as Millis;
            let running = (managed.seconds.max(0.0) * 1000.0) as Millis;
            if progress.status != "FAILED" {
                events.extend([done + pending, done + pending + running]);
            }
        }
        events.extend(server.deleted_at);
        events.into_iter().filter(|&at| at <= now).max().unwrap_or(server.created)
    }

    /// A server's Cloud Servers status: `BUILD` for [`BUILD_MILLIS`] after it is built, then
    /// `ACTIVE` (`DELETED` once deleted).
    pub fn server_status(&self, server: &ServerState) -> &'static str {
        if server.deleted {
            "DELETED"
        } else if self.now() - server.created >= BUILD_MILLIS {
            "ACTIVE"
        } else {
            "BUILD"
        }
    }

    /// `accessIPv4`: the RackConnect public IP once automation is DEPLOYED.
    pub fn access_ipv4(&self, server: &ServerState) -> String {
        let deployed = self.progress(server).status == "DEPLOYED";
        match (&server.spec.rackconnect_ipv4, deployed && server.spec.automation.features_enabled) {
            (Some(ip), true) => ip.clone(),
            _ => server.spec.original_ipv4.clone(),
        }
    }

    /// Counts a v2 request; false when the server is over its limit for this minute.
    pub fn count_v2(&mut self, server_id: &str) -> bool {
        let minute = self.now().div_euclid(60_000);
        let count = self.v2_counts.entry((server_id.to_owned(), minute)).or_insert(0);
        *count += 1;
        *count <= self.timings.v2_requests_per_minute
    }

    /// A timestamp for v3 bodies.
    pub fn stamp(at: Millis) -> Value {
        json!(iso_seconds(at))
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_TOKENS, TokenState, World};
    use crate::clock::RealTime;
    use crate::scenario::Scenario;

    #[test]
    fn tokens_are_freed_and_capped() {
        let mut world = World::new(Scenario::demo(), None, RealTime::from_unix_millis(1_800_000_000_000));
        let now = world.now();
        for i in 0..(MAX_TOKENS + 2_500) {
            // Half of them already expired: those go first.
            let expires = if i % 2 == 0 { now - 1 } else { now + 86_400_000 + i as i64 };
            let state = TokenState { tenant: "123456".into(), username: "demo".into(), expires, method: "APIKEY" };
            world.keep_token(format!("tok-{i}"), state);
            assert!(world.tokens.len() <= MAX_TOKENS, "{} tokens kept", world.tokens.len());
        }
        assert!(world.tokens.values().all(|t| t.expires > now) || world.tokens.len() < MAX_TOKENS);
    }
}
