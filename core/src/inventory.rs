//! An inventory of cloud servers for configuration tools (Ansible's inventory plugin, …): each
//! server with the state of its automation, the address to reach it by, its RackConnect v3 pools
//! and public IPs, and the groups it belongs to. Decided here, from what the region answered
//! ([`RegionFacts`], read by [`crate::client::work::region_facts`]), so that every front door
//! names, groups and reaches hosts alike.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::servers::{Address, ManagedStatus, Server};
use crate::time::Timestamp;
use crate::v2::AutomationStatus;
use crate::v3::{Node, NodeStatus, Pool, PublicIp, PublicIpStatus};

/// The prefix of every host variable, so that they never clash with a tool's own
/// (`ansible_host`, `groups`, …) or with another plugin's.
pub const VAR_PREFIX: &str = "rackconnect_";

/// What a region answered: its servers and, when the region has RackConnect v3 and it was asked
/// for, its pools with their nodes and its public IPs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegionFacts {
    /// The region (`dfw`).
    pub region: String,
    /// Every server of the region.
    pub servers: Vec<Server>,
    /// When Cloud Servers answered (its `Date`), to compare servers' build times with.
    pub answered_at: Option<Timestamp>,
    /// RackConnect v3, when read.
    pub v3: Option<V3Facts>,
}

/// RackConnect v3's side of a region.
#[derive(Clone, Debug, Default, Serialize)]
pub struct V3Facts {
    /// Every pool, with its nodes.
    pub pools: Vec<(Pool, Vec<Node>)>,
    /// Every public IP.
    pub public_ips: Vec<PublicIp>,
}

/// How an inventory is built. Every field may be left out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InventoryOptions {
    /// The network whose address hosts are reached by: `public`, `private` (ServiceNet) or a
    /// cloud network's label. Left out: [`reachable`]'s rule (the RackConnect address first).
    pub access_network: Option<String>,
    /// Which address family to reach hosts by: 4 (the default) or 6.
    pub ip_version: u8,
    /// Read RackConnect v3 (pools, public IPs) where the region has it. Default: true.
    pub rackconnect_v3: bool,
    /// Name hosts by the server's `name` (the default; servers sharing a name get their id's
    /// first 8 characters appended) or by its `id`.
    pub hostnames: Hostnames,
    /// Only the servers that match every filter: a key of [`FILTER_KEYS`] to one pattern or a
    /// list of patterns (any may match); `*` and `?` are wildcards, case is ignored.
    pub filters: BTreeMap<String, Patterns>,
}

impl Default for InventoryOptions {
    fn default() -> Self {
        Self {
            access_network: None,
            ip_version: 4,
            rackconnect_v3: true,
            hostnames: Hostnames::Name,
            filters: BTreeMap::new(),
        }
    }
}

/// How hosts are named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hostnames {
    /// The server's name.
    #[default]
    Name,
    /// The server's id.
    Id,
}

/// One pattern or several: a string, or a list of strings.
#[derive(Clone, Debug)]
pub enum Patterns {
    /// One pattern.
    One(String),
    /// Any of these.
    Any(Vec<String>),
}

// By hand, not `#[serde(untagged)]`: that buffers the value and tries each variant in turn
// (code in the `.wasm` for every deserializer it meets) and says only that nothing matched.
impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let expected = || serde::de::Error::custom("expected a pattern or a list of patterns");
        match Value::deserialize(deserializer)? {
            Value::String(one) => Ok(Patterns::One(one)),
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(pattern) => Ok(pattern),
                    _ => Err(expected()),
                })
                .collect::<std::result::Result<_, _>>()
                .map(Patterns::Any),
            _ => Err(expected()),
        }
    }
}

impl Patterns {
    fn list(&self) -> &[String] {
        match self {
            Patterns::One(one) => std::slice::from_ref(one),
            Patterns::Any(any) => any,
        }
    }
}

/// The keys `filters` may use: each names a host variable (without [`VAR_PREFIX`]); `pool`
/// matches the id or name of any pool the server is in.
/// `server` matches the server's id or its name.
pub const FILTER_KEYS: &[&str] =
    &["name", "id", "server", "status", "automation", "automation_status", "managed_status", "pool", "region"];

impl InventoryOptions {
    /// Checks the options before anything is asked: a mistake here is the user's to fix.
    pub fn check(&self) -> Result<()> {
        if self.ip_version != 4 && self.ip_version != 6 {
            return Err(Error::invalid("ip_version", "4 or 6", &self.ip_version.to_string()));
        }
        if self.access_network.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::invalid("access_network", "a network label (public, private or a cloud network's)", ""));
        }
        for (key, patterns) in &self.filters {
            if !FILTER_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid(
                    &format!("filters.{key}"),
                    format!("one of {}", FILTER_KEYS.join(", ")),
                    key,
                ));
            }
            if patterns.list().is_empty() {
                return Err(Error::invalid(
                    &format!("filters.{key}"),
                    "a pattern or a list of patterns",
                    "an empty list",
                ));
            }
            // Where the values are a closed set, a pattern that matches none of them is a
            // mistake (`deployed` for `done`), not a filter that selects nothing.
            let known: Vec<&str> = match key.as_str() {
                "automation" => AUTOMATION_GROUPS.to_vec(),
                "region" => crate::Region::ALL.iter().map(|r| r.lower()).collect(),
                _ => continue,
            };
            if let Some(unknown) = patterns.list().iter().find(|p| !known.iter().any(|value| glob(p, value))) {
                return Err(Error::invalid(
                    &format!("filters.{key}"),
                    format!("patterns of {}", known.join(", ")),
                    unknown,
                ));
            }
        }
        Ok(())
    }
}

/// The names of [`Automation`]'s values, as hosts and groups carry them.
const AUTOMATION_GROUPS: &[&str] = &["done", "running", "failed", "not_applicable"];

/// Where a server's automation stands, for grouping: only `done` servers are ready for
/// post-build work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Automation {
    /// Built, and every automation that reports on it has finished well (or none reports).
    Done,
    /// Still building, or an automation is still running.
    Running,
    /// The build, RackConnect or Managed Operations failed.
    Failed,
    /// RackConnect does not apply (`UNPROCESSABLE`); nothing else failed or runs.
    NotApplicable,
}

/// What a region's servers report, and when it answered: the evidence for a server whose
/// metadata lacks a key. Within the grace after its build (the waits' grace), a missing key is
/// still to come. After it, a missing RackConnect status where the region's other servers have
/// one means RackConnect does not apply; a missing Managed Operations key, nothing (an account
/// may mix service levels). With no time to compare, a missing RackConnect status where others
/// have one counts as still to come (RackConnect writes a status on every server of an account
/// with v2, `UNPROCESSABLE` where it does not apply).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Some server of the region has `rackconnect_automation_status`.
    pub rackconnect: bool,
    /// Some server of the region has `rax_service_level_automation`.
    pub managed: bool,
    /// When the region answered.
    pub answered_at: Option<Timestamp>,
}

impl Evidence {
    /// What one region's facts show.
    pub fn of(facts: &RegionFacts) -> Self {
        let servers = &facts.servers;
        Evidence {
            rackconnect: servers.iter().any(|s| s.rackconnect.automation_status.is_some()),
            managed: servers.iter().any(|s| s.rackconnect.managed_status.is_some()),
            answered_at: facts.answered_at,
        }
    }

    /// Whether `server` was built within the grace before the answer; `None` when either time
    /// is unknown.
    fn just_built(&self, server: &Server) -> Option<bool> {
        let (now, built) = (self.answered_at?, server.created?);
        let grace = i64::try_from(crate::client::defaults::METADATA_GRACE_MS).unwrap_or(i64::MAX);
        Some(now.unix_millis().saturating_sub(built.unix_millis()) < grace)
    }
}

impl Automation {
    /// The state of `server`'s build and automation, from Nova's status, the metadata, and
    /// what its region shows of keys still to come (see [`Evidence`]).
    pub fn of(server: &Server, evidence: Evidence) -> Self {
        let view = &server.rackconnect;
        let nova = server.status.as_deref().unwrap_or("");
        let rackconnect = view.automation_status.as_ref();
        let managed = view.managed_status.as_ref();
        if nova.eq_ignore_ascii_case("ERROR")
            || rackconnect == Some(&AutomationStatus::Failed)
            || managed.is_some_and(ManagedStatus::is_failure)
        {
            return Automation::Failed;
        }
        let building = ["BUILD", "REBUILD"].iter().any(|s| nova.eq_ignore_ascii_case(s));
        let just_built = evidence.just_built(server);
        let rackconnect_running = match rackconnect {
            Some(status) => !status.is_terminal(),
            None => just_built.unwrap_or(evidence.rackconnect),
        };
        let managed_running = match managed {
            Some(status) => *status != ManagedStatus::Complete,
            None => evidence.managed && just_built == Some(true),
        };
        if building || rackconnect_running || managed_running {
            return Automation::Running;
        }
        let rackconnect_absent_for_good = rackconnect.is_none() && evidence.rackconnect && just_built == Some(false);
        if rackconnect == Some(&AutomationStatus::Unprocessable) || rackconnect_absent_for_good {
            return Automation::NotApplicable;
        }
        Automation::Done
    }

    /// The group of the servers in this state.
    pub fn group(self) -> &'static str {
        match self {
            Automation::Done => "rackconnect_done",
            Automation::Running => "rackconnect_running",
            Automation::Failed => "rackconnect_failed",
            Automation::NotApplicable => "rackconnect_not_applicable",
        }
    }
}

/// Where the address a host is reached by came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReachedBy {
    /// The network the user named (`access_network`).
    AccessNetwork,
    /// `accessIPv4` once RackConnect v2 automation is `DEPLOYED`: the RackConnect public IP.
    RackconnectV2,
    /// The server's active RackConnect v3 public IP.
    RackconnectV3PublicIp,
    /// `accessIPv4` or `accessIPv6` as Nova gives it.
    AccessIp,
    /// The `public` network.
    Public,
    /// A cloud network (a RackConnect v3 server's own network, for one).
    CloudNetwork,
    /// ServiceNet (`private`), the last resort.
    Servicenet,
}

/// The address `server` is reached by, and where it came from. With `access_network`, that
/// network's first address of the family, or none. Otherwise, in order: the RackConnect v2
/// public IP once automation is `DEPLOYED` (v4), the server's active RackConnect v3 public IP
/// (v4), `accessIPv4`/`accessIPv6`, the `public` network, another cloud network, ServiceNet.
pub fn reachable(server: &Server, public_ips: &[&PublicIp], options: &InventoryOptions) -> Option<(String, ReachedBy)> {
    let family = options.ip_version;
    let first_of = |addresses: &[Address]| addresses.iter().find(|a| a.version == family).map(|a| a.addr.clone());
    if let Some(network) = options.access_network.as_deref() {
        let list = server
            .addresses
            .get(network)
            .or_else(|| server.addresses.iter().find(|(label, _)| label.eq_ignore_ascii_case(network)).map(|(_, l)| l));
        return list.and_then(|l| first_of(l)).map(|a| (a, ReachedBy::AccessNetwork));
    }
    if family == 4 {
        if server.rackconnect.automation_status == Some(AutomationStatus::Deployed)
            && let Some(ip) = &server.access_ipv4
        {
            return Some((ip.clone(), ReachedBy::RackconnectV2));
        }
        let v3_ip =
            public_ips.iter().find(|ip| ip.status == PublicIpStatus::Active).and_then(|ip| ip.public_ip_v4.clone());
        if let Some(ip) = v3_ip {
            return Some((ip, ReachedBy::RackconnectV3PublicIp));
        }
    }
    let access = if family == 4 { &server.access_ipv4 } else { &server.access_ipv6 };
    if let Some(ip) = access {
        return Some((ip.clone(), ReachedBy::AccessIp));
    }
    if let Some(ip) = server.addresses.get("public").and_then(|l| first_of(l)) {
        return Some((ip, ReachedBy::Public));
    }
    let other = server.addresses.iter().filter(|(label, _)| !matches!(label.as_str(), "public" | "private"));
    if let Some(ip) = other.filter_map(|(_, l)| first_of(l)).next() {
        return Some((ip, ReachedBy::CloudNetwork));
    }
    server.addresses.get("private").and_then(|l| first_of(l)).map(|ip| (ip, ReachedBy::Servicenet))
}

/// A pool a host is a member of.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HostPool {
    /// The pool's id.
    pub id: String,
    /// The pool's name.
    pub name: Option<String>,
    /// The node's id (the membership).
    pub node_id: String,
    /// The node's status (`ACTIVE` once the member takes traffic).
    pub node_status: NodeStatus,
}

/// A RackConnect v3 public IP of a host.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HostPublicIp {
    /// The public IP's id.
    pub id: String,
    /// The address (none until allocated).
    pub address: Option<String>,
    /// Whether it outlives the server.
    pub retain: bool,
    /// Its status.
    pub status: PublicIpStatus,
}

/// What is known of a host: its variables, each named with [`VAR_PREFIX`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HostFacts {
    /// The server's id.
    pub server_id: String,
    /// The server's name.
    pub server_name: Option<String>,
    /// The region.
    pub region: String,
    /// Nova's status (`BUILD`, `ACTIVE`, `ERROR`, …).
    pub status: Option<String>,
    /// Where the build and its automation stand.
    pub automation: Automation,
    /// RackConnect v2 automation (`rackconnect_automation_status`), when written.
    pub automation_status: Option<AutomationStatus>,
    /// Why RackConnect does not apply, when it says.
    pub unprocessable_reason: Option<String>,
    /// Managed Operations automation (`rax_service_level_automation`), when written.
    pub managed_status: Option<ManagedStatus>,
    /// The address to reach the server by (see [`reachable`]).
    pub reachable_ip: Option<String>,
    /// Where `reachable_ip` came from.
    pub reached_by: Option<ReachedBy>,
    /// `accessIPv4`.
    pub access_ipv4: Option<String>,
    /// `accessIPv6`.
    pub access_ipv6: Option<String>,
    /// Every address, by network label.
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// The RackConnect v3 pools it is a member of.
    pub pools: Vec<HostPool>,
    /// Its RackConnect v3 public IPs.
    pub public_ips: Vec<HostPublicIp>,
    /// Whether RackConnect v3 was read for its region (else `pools` and `public_ips` are
    /// unknown, not empty).
    pub v3_read: bool,
    /// The whole metadata.
    pub metadata: BTreeMap<String, String>,
}

/// One host of an inventory.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "InventoryHost"))]
pub struct Host {
    /// The inventory's name for it (see [`Hostnames`]).
    pub name: String,
    /// The address to connect to, when one was found (what `ansible_host` is set to).
    pub address: Option<String>,
    /// The groups it belongs to: its [`Automation::group`].
    pub groups: Vec<String>,
    /// Its variables, each named with [`VAR_PREFIX`].
    #[serde(serialize_with = "prefixed")]
    #[cfg_attr(feature = "schema", schemars(with = "HostVars"))]
    pub vars: HostFacts,
}

/// The schema of [`Host::vars`] as written: [`HostFacts`] with every name prefixed.
#[cfg(feature = "schema")]
struct HostVars;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for HostVars {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HostVars".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = HostFacts::json_schema(generator);
        let prefix = |name: &str| format!("{VAR_PREFIX}{name}");
        if let Some(Value::Object(properties)) = schema.get_mut("properties") {
            *properties = std::mem::take(properties).into_iter().map(|(name, value)| (prefix(&name), value)).collect();
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            for name in required.iter_mut() {
                if let Value::String(text) = name {
                    *text = prefix(text);
                }
            }
        }
        schema.insert("description".to_owned(), "A host's variables, each named `rackconnect_…`.".into());
        schema
    }
}

fn prefixed<S: serde::Serializer>(facts: &HostFacts, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::{Error as _, SerializeMap};
    let Value::Object(fields) = crate::client::json::to_value(facts).map_err(S::Error::custom)? else {
        return Err(S::Error::custom("host facts are an object"));
    };
    let mut map = serializer.serialize_map(Some(fields.len()))?;
    for (key, value) in fields {
        map.serialize_entry(&format!("{VAR_PREFIX}{key}"), &value)?;
    }
    map.end()
}

/// An inventory: its hosts, and every group with its hosts' names.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Inventory {
    /// The hosts, by region then server name.
    pub hosts: Vec<Host>,
    /// Every group (the automation states, including empty ones) with its hosts' names.
    pub groups: BTreeMap<String, Vec<String>>,
    /// The regions read, and whether RackConnect v3 was read in each.
    pub regions: BTreeMap<String, bool>,
}

/// Builds the inventory from what each region answered.
pub fn build(regions: &[RegionFacts], options: &InventoryOptions) -> Result<Inventory> {
    options.check()?;
    let mut hosts = Vec::new();
    for facts in regions {
        let evidence = Evidence::of(facts);
        for server in &facts.servers {
            let Some(id) = server.id.clone() else { continue };
            let host = host_facts(facts, server, id, evidence, options);
            if matches(&host, &options.filters) {
                hosts.push(host);
            }
        }
    }
    hosts.sort_by(|a, b| (&a.region, &a.server_name, &a.server_id).cmp(&(&b.region, &b.server_name, &b.server_id)));
    let names = host_names(&hosts, options.hostnames);
    let mut groups: BTreeMap<String, Vec<String>> =
        [Automation::Done, Automation::Running, Automation::Failed, Automation::NotApplicable]
            .iter()
            .map(|a| (a.group().to_owned(), Vec::new()))
            .collect();
    let hosts: Vec<Host> = hosts
        .into_iter()
        .zip(names)
        .map(|(facts, name)| {
            let group = facts.automation.group().to_owned();
            groups.entry(group.clone()).or_default().push(name.clone());
            Host { name, address: facts.reachable_ip.clone(), groups: vec![group], vars: facts }
        })
        .collect();
    let regions = regions.iter().map(|r| (r.region.clone(), r.v3.is_some())).collect();
    Ok(Inventory { hosts, groups, regions })
}

fn host_facts(
    facts: &RegionFacts,
    server: &Server,
    id: String,
    evidence: Evidence,
    options: &InventoryOptions,
) -> HostFacts {
    let is_this = |cloud_server_id: &str| cloud_server_id.eq_ignore_ascii_case(&id);
    let (pools, public_ips) = match &facts.v3 {
        None => (Vec::new(), Vec::new()),
        Some(v3) => {
            let pools = v3
                .pools
                .iter()
                .flat_map(|(pool, nodes)| {
                    nodes.iter().filter(|n| is_this(&n.cloud_server.id)).map(move |node| HostPool {
                        id: pool.id.clone(),
                        name: pool.name.clone(),
                        node_id: node.id.clone(),
                        node_status: node.status.clone(),
                    })
                })
                .collect();
            let ips: Vec<&PublicIp> =
                v3.public_ips.iter().filter(|ip| ip.cloud_server.as_ref().is_some_and(|s| is_this(&s.id))).collect();
            (pools, ips)
        }
    };
    let reached = reachable(server, &public_ips, options);
    let view = &server.rackconnect;
    HostFacts {
        server_id: id.clone(),
        server_name: server.name.clone(),
        region: facts.region.clone(),
        status: server.status.clone(),
        automation: Automation::of(server, evidence),
        automation_status: view.automation_status.clone(),
        unprocessable_reason: view.unprocessable_reason.clone(),
        managed_status: view.managed_status.clone(),
        reachable_ip: reached.as_ref().map(|(ip, _)| ip.clone()),
        reached_by: reached.map(|(_, by)| by),
        access_ipv4: server.access_ipv4.clone(),
        access_ipv6: server.access_ipv6.clone(),
        addresses: server.addresses.clone(),
        pools,
        public_ips: public_ips
            .iter()
            .map(|ip| HostPublicIp {
                id: ip.id.clone(),
                address: ip.public_ip_v4.clone(),
                retain: ip.retain,
                status: ip.status.clone(),
            })
            .collect(),
        v3_read: facts.v3.is_some(),
        metadata: view.metadata.clone(),
    }
}

/// The hosts' names: by id, or by name with a server's id's first 8 characters appended where
/// servers share a name (Ansible would merge them into one host otherwise). Names reach
/// terminals, so their control characters are shown escaped.
fn host_names(hosts: &[HostFacts], hostnames: Hostnames) -> Vec<String> {
    let name_of = |h: &HostFacts| {
        let name = match hostnames {
            Hostnames::Id => h.server_id.clone(),
            Hostnames::Name => h.server_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| h.server_id.clone()),
        };
        crate::client::terminal_safe(&name).into_owned()
    };
    let mut seen = BTreeSet::new();
    let shared: BTreeSet<String> = hosts.iter().map(name_of).filter(|n| !seen.insert(n.clone())).collect();
    hosts
        .iter()
        .map(|h| {
            let name = name_of(h);
            if shared.contains(&name) {
                format!("{name}-{}", h.server_id.chars().take(8).collect::<String>())
            } else {
                name
            }
        })
        .collect()
}

fn matches(host: &HostFacts, filters: &BTreeMap<String, Patterns>) -> bool {
    filters.iter().all(|(key, patterns)| {
        let values: Vec<String> = match key.as_str() {
            "name" => host.server_name.iter().cloned().collect(),
            "id" => vec![host.server_id.clone()],
            "server" => std::iter::once(host.server_id.clone()).chain(host.server_name.clone()).collect(),
            "status" => host.status.iter().cloned().collect(),
            "automation" => serde_json::to_value(host.automation)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .into_iter()
                .collect(),
            "automation_status" => host.automation_status.iter().map(|s| s.as_str().to_owned()).collect(),
            "managed_status" => host.managed_status.iter().map(|s| s.as_str().to_owned()).collect(),
            "pool" => host.pools.iter().flat_map(|p| std::iter::once(p.id.clone()).chain(p.name.clone())).collect(),
            "region" => vec![host.region.clone()],
            _ => Vec::new(),
        };
        values.iter().any(|value| patterns.list().iter().any(|pattern| glob(pattern, value)))
    })
}

/// `*` any run of characters, `?` any one; case is ignored.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) =
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect());
    // The classic two-pointer walk, backtracking to the last `*`: linear in practice, no recursion.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn server(value: Value) -> Server {
        Server::from_json(&value, "").expect("a server")
    }

    #[test]
    fn glob_matches_wildcards_and_ignores_case() {
        assert!(glob("web*", "Web1"));
        assert!(glob("w?b1", "web1"));
        assert!(glob("*", ""));
        assert!(glob("*b*1", "webby1"));
        assert!(!glob("web", "web1"));
        assert!(!glob("db*", "web1"));
    }

    #[test]
    fn automation_state_reads_nova_rackconnect_and_managed() {
        let in_region = |evidence, status: &str, meta: Value| {
            let built = "2026-12-03T05:00:00Z";
            Automation::of(&server(json!({"id": "a", "status": status, "created": built, "metadata": meta})), evidence)
        };
        let of = |status: &str, meta: Value| in_region(Evidence::default(), status, meta);
        assert_eq!(of("ACTIVE", json!({})), Automation::Done);
        // Without a time: a key its region's other servers have is still to come.
        let v2 = Evidence { rackconnect: true, ..Evidence::default() };
        assert_eq!(in_region(v2, "ACTIVE", json!({})), Automation::Running);
        let deployed = json!({"rackconnect_automation_status": "DEPLOYED"});
        assert_eq!(in_region(v2, "ACTIVE", deployed.clone()), Automation::Done);
        // With the answer's time: within the grace a missing key is to come, after it not.
        let at = |text: &str| Some(Timestamp::parse(text).expect("a time"));
        let soon = Evidence { rackconnect: true, managed: true, answered_at: at("2026-12-03T05:04:00Z") };
        let later = Evidence { answered_at: at("2026-12-03T05:06:00Z"), ..soon };
        assert_eq!(in_region(soon, "ACTIVE", json!({})), Automation::Running);
        assert_eq!(in_region(later, "ACTIVE", json!({})), Automation::NotApplicable);
        assert_eq!(in_region(soon, "ACTIVE", deployed.clone()), Automation::Running, "Managed still to come");
        assert_eq!(in_region(later, "ACTIVE", deployed.clone()), Automation::Done, "no Managed on this server");
        let no_v2 = Evidence { rackconnect: false, managed: false, ..later };
        assert_eq!(in_region(no_v2, "ACTIVE", json!({})), Automation::Done, "no RackConnect v2 in the region");
        assert_eq!(of("BUILD", json!({})), Automation::Running);
        assert_eq!(of("ERROR", json!({})), Automation::Failed);
        assert_eq!(of("ACTIVE", json!({"rackconnect_automation_status": "DEPLOYING"})), Automation::Running);
        assert_eq!(of("ACTIVE", json!({"rackconnect_automation_status": "SOMETHING_NEW"})), Automation::Running);
        assert_eq!(of("ACTIVE", json!({"rackconnect_automation_status": "FAILED"})), Automation::Failed);
        assert_eq!(of("ACTIVE", json!({"rackconnect_automation_status": "UNPROCESSABLE"})), Automation::NotApplicable);
        let deployed_managed =
            |m: &str| json!({"rackconnect_automation_status": "DEPLOYED", "rax_service_level_automation": m});
        assert_eq!(of("ACTIVE", deployed_managed("In Progress")), Automation::Running);
        assert_eq!(of("ACTIVE", deployed_managed("Complete")), Automation::Done);
        assert_eq!(of("ACTIVE", deployed_managed("Build Error")), Automation::Failed);
    }

    #[test]
    fn the_rackconnect_address_wins_unless_a_network_is_named() {
        let s = server(json!({
            "id": "a", "status": "ACTIVE", "accessIPv4": "198.51.100.7",
            "addresses": {"public": [{"addr": "162.209.0.20", "version": 4}, {"addr": "2001:db8::7", "version": 6}],
                          "private": [{"addr": "10.176.0.7", "version": 4}]},
            "metadata": {"rackconnect_automation_status": "DEPLOYED"}
        }));
        let default = InventoryOptions::default();
        assert_eq!(reachable(&s, &[], &default), Some(("198.51.100.7".into(), ReachedBy::RackconnectV2)));
        let private = InventoryOptions { access_network: Some("PRIVATE".into()), ..InventoryOptions::default() };
        assert_eq!(reachable(&s, &[], &private), Some(("10.176.0.7".into(), ReachedBy::AccessNetwork)));
        let v6 = InventoryOptions { ip_version: 6, ..InventoryOptions::default() };
        assert_eq!(reachable(&s, &[], &v6), Some(("2001:db8::7".into(), ReachedBy::Public)));
        let missing = InventoryOptions { access_network: Some("nope".into()), ..InventoryOptions::default() };
        assert_eq!(reachable(&s, &[], &missing), None);
        // A v3 server: no public network, its cloud network before ServiceNet.
        let v3 = server(
            json!({"id": "b", "addresses": {"private": [{"addr": "10.176.0.8"}], "RackConnect": [{"addr": "192.168.0.8"}]}}),
        );
        assert_eq!(reachable(&v3, &[], &default), Some(("192.168.0.8".into(), ReachedBy::CloudNetwork)));
    }

    #[test]
    fn options_are_checked_before_anything_is_asked() {
        let bad = |v: Value| {
            let options: InventoryOptions = serde_json::from_value(v).expect("options");
            options.check().expect_err("invalid").to_string()
        };
        assert!(bad(json!({"ip_version": 5})).contains("ip_version"));
        let unknown = bad(json!({"filters": {"colour": "blue"}}));
        assert!(unknown.contains("filters.colour") && unknown.contains("automation"), "{unknown}");
        assert!(bad(json!({"filters": {"name": []}})).contains("filters.name"));
        assert!(serde_json::from_value::<InventoryOptions>(json!({"hostname": "id"})).is_err());
    }

    #[test]
    fn a_filter_on_a_closed_set_must_match_one_of_its_values() {
        let check = |filters: Value| {
            serde_json::from_value::<InventoryOptions>(json!({ "filters": filters })).expect("options").check()
        };
        assert!(check(json!({"automation": ["done", "not_*"], "region": "d*"})).is_ok());
        let wrong = check(json!({"automation": "deployed"})).expect_err("not a group").to_string();
        assert_eq!(
            wrong,
            "invalid filters.automation: expected patterns of done, running, failed, not_applicable, found \"deployed\""
        );
        let wrong = check(json!({"region": ["dfw", "mars"]})).expect_err("not a region").to_string();
        assert!(wrong.contains("patterns of dfw, hkg, iad, lon, ord, syd, found \"mars\""), "{wrong}");
        // The names are those the hosts carry.
        for automation in [Automation::Done, Automation::Running, Automation::Failed, Automation::NotApplicable] {
            let name = serde_json::to_value(automation).expect("a name");
            assert!(AUTOMATION_GROUPS.contains(&name.as_str().unwrap_or("")), "{name}");
        }
    }

    #[test]
    fn shared_names_are_told_apart_and_filters_select() {
        let facts = RegionFacts {
            region: "DFW".into(),
            answered_at: None,
            servers: vec![
                server(json!({"id": "11111111-aaaa", "name": "twin", "status": "ACTIVE"})),
                server(json!({"id": "22222222-bbbb", "name": "twin", "status": "BUILD"})),
                server(json!({"id": "33333333-cccc", "name": "web1", "status": "ACTIVE"})),
            ],
            v3: None,
        };
        let all = build(std::slice::from_ref(&facts), &InventoryOptions::default()).expect("inventory");
        let names: Vec<&str> = all.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["twin-11111111", "twin-22222222", "web1"]);
        assert_eq!(all.groups["rackconnect_running"], ["twin-22222222"]);
        assert!(all.groups["rackconnect_failed"].is_empty());
        let vars = serde_json::to_value(&all.hosts[2]).expect("json");
        assert_eq!(vars["vars"]["rackconnect_server_name"], "web1");
        assert_eq!(vars["vars"]["rackconnect_automation"], "done");
        let options: InventoryOptions =
            serde_json::from_value(json!({"filters": {"name": ["WEB*", "db*"], "automation": "done"}}))
                .expect("options");
        let some = build(std::slice::from_ref(&facts), &options).expect("inventory");
        assert_eq!(some.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["web1"]);
        let by_id_or_name: InventoryOptions =
            serde_json::from_value(json!({"filters": {"server": ["33333333-cccc", "TWIN"]}})).expect("options");
        assert_eq!(build(&[facts], &by_id_or_name).expect("inventory").hosts.len(), 3);
    }
}
