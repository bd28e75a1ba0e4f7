//! The tasks every front door runs, in one place: the waits, the planners (pool names
//! resolved first), every page of the servers, and any operation by name. The Rust driver and
//! the bindings build these and nothing else.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::task::{
    AllServers, CallKind, CallTask, Chain, Each, InRegion, MachineTask, Mapped, Needs, Ready, Service, Start, Task,
    Timed,
};
use crate::ensure::{
    EnsureOptions, MembershipPlanner, MembershipResult, Presence, PublicIpPlanner, PublicIpResult, PublicIpSpec,
    every_pair, looks_like_id, needs_pool_list, needs_server_list, resolve_pool_name, resolve_pool_names,
    resolve_server_name, resolve_server_names,
};
use crate::error::{Error, Result};
use crate::id::{PoolId, Region, ServerId};
use crate::inventory::{Inventory, InventoryOptions, RegionFacts, V3Facts};
use crate::ops::Operation;
use crate::servers::{Server, ServersEndpoint};
use crate::v2::V2Endpoint;
use crate::v3::{self, Pool, PublicIp, V3Endpoint};
use crate::wait::{
    BudgetKind, Fleet, FleetWaitResult, FleetWaiter, MetadataWaitConfig, MetadataWaiter, Millis, NodeFailure,
    NodesWaiter, PublicIpWaiter, Target, V2Waiter, WaitConfig, WaitResult,
};

/// How a wait for pool nodes ended.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "NodesWaitResult"))]
pub struct NodesWait {
    /// The result.
    #[serde(flatten)]
    pub result: WaitResult,
    /// The nodes that did not reach the target.
    pub failures: Vec<NodeFailure>,
}

/// How a wait for a public IP ended.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "PublicIpWaitResult"))]
pub struct PublicIpWait {
    /// The result.
    #[serde(flatten)]
    pub result: WaitResult,
    /// The public IP as last read (with its address once `ACTIVE`).
    pub public_ip: Option<PublicIp>,
}

/// How a metadata wait ended, with the last server read.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ServerWaitResult"))]
pub struct MetadataWait {
    /// The result.
    #[serde(flatten)]
    pub result: WaitResult,
    /// The address to reach the server by, by the inventory's rule: its `accessIPv4` once
    /// RackConnect v2 automation is `DEPLOYED` (it changes then), else its active RackConnect v3
    /// public IP (read once, after the wait, where the region has RackConnect v3), else its
    /// `accessIPv4`, the public network, a cloud network, ServiceNet.
    #[serde(rename = "reachable_ipv4")]
    pub access_ipv4: Option<String>,
    /// Where `reachable_ipv4` came from.
    pub reached_by: Option<crate::inventory::ReachedBy>,
    /// The last server read.
    pub server: Option<Server>,
}

fn v3_endpoint(start: &Start) -> Result<V3Endpoint> {
    Ok(V3Endpoint::BaseUrl(start.endpoint()?.clone()))
}

/// Cloud Servers in the task's region, when the catalog has it: where a planner asks whether a
/// server RackConnect refused exists at all.
fn servers_check(start: &Start) -> Option<(ServersEndpoint, crate::Region)> {
    Some((ServersEndpoint::BaseUrl(start.other_endpoint(Service::Compute)?), start.region?))
}

fn mixed(config: WaitConfig, start: &Start) -> WaitConfig {
    WaitConfig { seed: config.seed ^ start.seed, ..config }
}

/// Waits for RackConnect v2 automation of the server that asks (see [`V2Waiter`]).
pub fn v2_wait(endpoint: V2Endpoint, config: WaitConfig) -> MachineTask<V2Waiter, WaitResult> {
    MachineTask::new(
        Needs::Nothing,
        config.timeout_ms,
        BudgetKind::V2,
        move |s: &Start| Ok(V2Waiter::new(endpoint, mixed(config, s), s.at)),
        |_, result| result,
    )
}

/// Waits on a server's Cloud Servers metadata (see [`MetadataWaiter`]).
pub fn metadata_wait(server: ServerId, config: MetadataWaitConfig) -> MachineTask<MetadataWaiter, MetadataWait> {
    MachineTask::new(
        Needs::Endpoint(Service::Compute),
        config.wait.timeout_ms,
        BudgetKind::Api,
        move |s: &Start| {
            let config = MetadataWaitConfig { wait: mixed(config.wait.clone(), s), ..config };
            let endpoint = ServersEndpoint::BaseUrl(s.endpoint()?.clone());
            let mut waiter = MetadataWaiter::new(endpoint, s.token()?.clone(), server, config, s.at);
            // Where the region has RackConnect v3, the server's public IP there is its address.
            if let Some(v3) = s.other_endpoint(Service::RackConnect) {
                waiter = waiter.with_rackconnect_v3(V3Endpoint::BaseUrl(v3));
            }
            Ok(match s.region {
                Some(region) => waiter.in_region(region),
                None => waiter,
            })
        },
        |m: &MetadataWaiter, result| {
            let (access_ipv4, reached_by) = m.reachable().map_or((None, None), |(ip, by)| (Some(ip), Some(by)));
            MetadataWait { result, access_ipv4, reached_by, server: m.server().cloned() }
        },
    )
}

/// Waits on the metadata of the server `server` names (an id, or a name only one server of the
/// region has, looked up as patiently as the wait reads): the one way every front door waits
/// for one server. `field` names the input in errors.
pub fn metadata_wait_named(
    server: &str,
    field: &str,
    config: MetadataWaitConfig,
) -> Result<Box<dyn Task<Output = MetadataWait>>> {
    let (timeout, field_name) = (config.wait.timeout_ms, field.to_owned());
    for_server(server, field, Needs::Endpoint(Service::Compute), Some(timeout), move |id| {
        Ok(Box::new(metadata_wait(ServerId::new_as(&field_name, id)?, config)) as Box<dyn Task<Output = MetadataWait>>)
    })
}

/// Which servers a fleet wait is for, as a front door gives them: ids or names, or every
/// server built within a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FleetSelection {
    /// Servers by id, or by a name only one server of the region has.
    Servers(Vec<String>),
    /// Every server of the region built at most this long before its first answer.
    BuiltWithin(Millis),
}

impl FleetSelection {
    /// The selection of a front door's two inputs: exactly one of a non-empty list of servers
    /// and a window (more than zero). `fields` names them in errors (e.g. `("SERVER",
    /// "--built-within")`). Ids are checked now, before anything is sent.
    pub fn of(servers: Vec<String>, built_within_ms: Option<Millis>, fields: (&str, &str)) -> Result<Self> {
        let selection = match (servers.is_empty(), built_within_ms) {
            (false, None) => FleetSelection::Servers(servers),
            (true, Some(0)) => return Err(Error::invalid(fields.1, "a window longer than zero", "0")),
            (true, Some(within)) => FleetSelection::BuiltWithin(within),
            (true, None) => {
                let expected = format!("the servers to wait for ({}) or a window ({})", fields.0, fields.1);
                return Err(Error::invalid(fields.0, &expected, "neither"));
            }
            (false, Some(_)) => {
                let expected = format!("either servers ({}) or a window ({}), not both", fields.0, fields.1);
                return Err(Error::invalid(fields.0, &expected, "both"));
            }
        };
        if let FleetSelection::Servers(servers) = &selection {
            for (index, server) in servers.iter().enumerate() {
                let field = format!("{}[{index}]", fields.0);
                if server.trim().is_empty() {
                    return Err(Error::invalid(&field, "a server id or name", server));
                }
                if looks_like_id(server) {
                    ServerId::new_as(&field, server.clone())?;
                }
            }
        }
        Ok(selection)
    }
}

/// Waits for a batch of servers at once through `servers/detail` pages (see [`FleetWaiter`]).
/// Names among the servers are resolved first (every page of the region's servers, as every
/// command resolves a server's name); ids go straight to the waiter.
pub fn fleet_wait(
    selection: FleetSelection,
    config: MetadataWaitConfig,
    fields: (&str, &str),
) -> Box<dyn Task<Output = FleetWaitResult>> {
    let timeout = config.wait.timeout_ms;
    let (field, within_field) = (fields.0.to_owned(), fields.1.to_owned());
    let waiter = move |fleet: Fleet| {
        MachineTask::new(
            Needs::Endpoint(Service::Compute),
            timeout,
            BudgetKind::Api,
            move |s: &Start| {
                let config = MetadataWaitConfig { wait: mixed(config.wait.clone(), s), ..config };
                let endpoint = ServersEndpoint::BaseUrl(s.endpoint()?.clone());
                let mut waiter =
                    FleetWaiter::new(endpoint, s.token()?.clone(), fleet, config, s.at).window_named(&within_field);
                // Where the region has RackConnect v3, a server's public IP there is its address.
                if let Some(v3) = s.other_endpoint(Service::RackConnect) {
                    waiter = waiter.with_rackconnect_v3(V3Endpoint::BaseUrl(v3));
                }
                Ok(match s.region {
                    Some(region) => waiter.in_region(region),
                    None => waiter,
                })
            },
            |_, result| result,
        )
    };
    match selection {
        FleetSelection::BuiltWithin(within) => Box::new(waiter(Fleet::BuiltWithin(within))),
        FleetSelection::Servers(servers) => {
            // Read as patiently as the wait reads its pages.
            let list = needs_server_list(&servers)
                .then(|| Box::new(all_servers().patient_for(Some(timeout))) as Box<dyn Task<Output = Vec<Server>>>);
            Box::new(Chain::new(
                list,
                Needs::Endpoint(Service::Compute),
                Some(timeout),
                move |known: Vec<Server>, _| {
                    let ids = if needs_server_list(&servers) {
                        resolve_server_names(&servers, &known, &field)?
                    } else {
                        servers
                    };
                    let ids = ids.into_iter().map(|id| ServerId::new_as(&field, id)).collect::<Result<Vec<_>>>()?;
                    Ok(Box::new(waiter(Fleet::Ids(ids))) as Box<dyn Task<Output = FleetWaitResult>>)
                },
            ))
        }
    }
}

/// Waits for pool nodes `(pool, node id)` to reach `target` (see [`NodesWaiter`]).
pub fn nodes_wait(
    nodes: Vec<(PoolId, String)>,
    target: Target,
    config: WaitConfig,
) -> MachineTask<NodesWaiter, NodesWait> {
    MachineTask::new(
        Needs::Endpoint(Service::RackConnect),
        config.timeout_ms,
        BudgetKind::Api,
        move |s: &Start| {
            Ok(NodesWaiter::new(v3_endpoint(s)?, s.token()?.clone(), nodes, target, mixed(config, s), s.at))
        },
        |m: &NodesWaiter, result| NodesWait { result, failures: m.failures().to_vec() },
    )
}

/// Waits for a public IP to reach `target` (see [`PublicIpWaiter`]).
pub fn public_ip_wait(
    ip: crate::PublicIpId,
    target: Target,
    config: WaitConfig,
) -> MachineTask<PublicIpWaiter, PublicIpWait> {
    MachineTask::new(
        Needs::Endpoint(Service::RackConnect),
        config.timeout_ms,
        BudgetKind::Api,
        move |s: &Start| {
            Ok(PublicIpWaiter::new(v3_endpoint(s)?, s.token()?.clone(), ip, target, mixed(config, s), s.at))
        },
        |m: &PublicIpWaiter, result| PublicIpWait { result, public_ip: m.public_ip().cloned() },
    )
}

/// Makes every server a member (or not) of every pool: the region's pools are listed first when
/// a name is among `pools` (resolved exactly, then ignoring case), then the planner runs over
/// the ids. `fields` names the two inputs in errors (e.g. `("--server", "--pool")`). A server
/// may be named too (a name only one server of the region has): the region's servers are listed
/// first. Server ids are checked now, before anything is sent.
pub fn membership(
    servers: Vec<String>,
    pools: Vec<String>,
    fields: (&str, &str),
    presence: Presence,
    options: EnsureOptions,
) -> Result<Chain<Vec<Server>, MembershipResult>> {
    for server in servers.iter().filter(|s| looks_like_id(s)) {
        ServerId::new_as(fields.0, server.clone())?;
    }
    let list = needs_server_list(&servers).then(|| Box::new(all_servers()) as Box<dyn Task<Output = Vec<Server>>>);
    let fields = (fields.0.to_owned(), fields.1.to_owned());
    let timeout = options.wait.timeout_ms;
    Ok(Chain::new(list, Needs::Endpoint(Service::RackConnect), Some(timeout), move |known: Vec<Server>, _| {
        let ids = resolve_server_names(&servers, &known, &fields.0)?;
        // The region's servers were listed (a name was typed): every server shows its name.
        let names = known.iter().filter_map(|s| Some((s.id.clone()?, s.name.clone()?))).collect();
        let task = membership_by_ids(ids, pools, (&fields.0, &fields.1), presence, options, names)?;
        Ok(Box::new(task) as Box<dyn Task<Output = MembershipResult>>)
    }))
}

fn membership_by_ids(
    servers: Vec<String>,
    pools: Vec<String>,
    fields: (&str, &str),
    presence: Presence,
    options: EnsureOptions,
    mut names: Vec<(String, String)>,
) -> Result<Chain<Vec<Pool>, MembershipResult>> {
    let fields = (fields.0.to_owned(), fields.1.to_owned());
    let list = pools_if_named(&pools);
    let timeout = options.wait.timeout_ms;
    Ok(Chain::new(list, Needs::Endpoint(Service::RackConnect), Some(timeout), move |known: Vec<Pool>, _| {
        let ids = if needs_pool_list(&pools) { resolve_pool_names(&pools, &known, &fields.1)? } else { pools };
        // Likewise the pools, when they were listed.
        names.extend(known.iter().filter_map(|p| Some((p.id.clone(), p.name.clone()?))));
        let pairs = every_pair(&servers, &ids, (&fields.0, &fields.1))?;
        let task = MachineTask::new(
            Needs::Endpoint(Service::RackConnect),
            timeout,
            BudgetKind::Api,
            move |s: &Start| {
                let options = EnsureOptions { wait: mixed(options.wait.clone(), s), ..options };
                let planner =
                    MembershipPlanner::new(v3_endpoint(s)?, s.token()?.clone(), pairs, presence, options, s.at)
                        .with_names(names);
                Ok(match servers_check(s) {
                    Some((endpoint, region)) => planner.checking_servers(endpoint, region),
                    None => planner,
                })
            },
            |_, result| result,
        );
        Ok(Box::new(task) as Box<dyn Task<Output = MembershipResult>>)
    }))
}

/// Gives a server a public IP (or takes it away, or moves a retained one to it).
pub fn public_ip_ensure(spec: PublicIpSpec, options: EnsureOptions) -> MachineTask<PublicIpPlanner, PublicIpResult> {
    MachineTask::new(
        Needs::Endpoint(Service::RackConnect),
        options.wait.timeout_ms,
        BudgetKind::Api,
        move |s: &Start| {
            spec.check()?;
            let options = EnsureOptions { wait: mixed(options.wait.clone(), s), ..options };
            let planner = PublicIpPlanner::new(v3_endpoint(s)?, s.token()?.clone(), spec, options, s.at);
            Ok(match servers_check(s) {
                Some((endpoint, region)) => planner.checking_servers(endpoint, region),
                None => planner,
            })
        },
        |_, result| result,
    )
}

/// The id of the pool `pool` names: `None` when it is an id already (nothing to ask), else a
/// read of the region's pools that resolves the name (exactly, then ignoring case; an unknown or
/// ambiguous name lists what there is). `field` names the input in errors.
pub fn pool_id(pool: &str, field: &str) -> Option<CallTask<String>> {
    if looks_like_id(pool) {
        return None;
    }
    let (pool, field) = (pool.to_owned(), field.to_owned());
    Some(pools_read(move |r| resolve_pool_name(&pool, &v3::parse_pools(r)?, &field)))
}

/// A read of the region's pools (P1), its answer read by `parse`.
fn pools_read<T: 'static>(parse: impl Fn(&crate::Response) -> Result<T> + 'static) -> CallTask<T> {
    CallTask::new(
        CallKind::Read,
        Needs::Endpoint(Service::RackConnect),
        |s: &Start| v3::list_pools(&v3_endpoint(s)?, s.token()?),
        parse,
    )
}

/// The region's pools when one of `pools` is a name (to resolve it); nothing to read when all
/// are ids.
fn pools_if_named(pools: &[String]) -> Option<Box<dyn Task<Output = Vec<Pool>>>> {
    needs_pool_list(pools).then(|| Box::new(pools_read(v3::parse_pools)) as Box<dyn Task<Output = Vec<Pool>>>)
}

/// The id of the server `server` names: `None` when it is an id already (nothing to ask), else
/// every page of the region's servers, and the one whose name it is (exactly, then ignoring
/// case; an unknown name lists the region's servers, an ambiguous one the candidates' ids).
pub fn server_id(server: &str, field: &str) -> Option<Mapped<AllServers, String>> {
    server_id_within(server, field, None)
}

/// [`server_id`] for a task of at most `timeout_ms` (a wait): its reads are tried again until the
/// task's deadline, as the task's own are, so a 5xx that a wait by id rides out does not end a
/// wait by name at once.
pub fn server_id_within(
    server: &str,
    field: &str,
    timeout_ms: Option<crate::wait::Millis>,
) -> Option<Mapped<AllServers, String>> {
    if looks_like_id(server) {
        return None;
    }
    let (server, field) = (server.to_owned(), field.to_owned());
    let list = all_servers().patient_for(timeout_ms);
    Some(Mapped::new(list, move |known: Vec<Server>| resolve_server_name(&server, &known, &field)))
}

/// `task(id)` for the server `server` names: at once for an id, after [`server_id_within`] the
/// task's timeout for a name. `needs` is what `task` needs.
fn for_server<O: 'static>(
    server: &str,
    field: &str,
    needs: Needs,
    timeout_ms: Option<crate::wait::Millis>,
    task: impl FnOnce(String) -> Result<Box<dyn Task<Output = O>>> + 'static,
) -> Result<Box<dyn Task<Output = O>>> {
    match server_id_within(server, field, timeout_ms) {
        None => task(server.to_owned()),
        Some(resolve) => {
            let first: Box<dyn Task<Output = String>> = Box::new(resolve);
            Ok(Box::new(Chain::new(Some(first), needs, timeout_ms, move |id: String, _| task(id))))
        }
    }
}

/// Every server of the region, following `servers/detail`'s pages.
pub fn all_servers() -> AllServers {
    AllServers::new(super::defaults::PAGE_SIZE)
}

/// What a region holds for an inventory (see [`crate::inventory`]): every server, then, when
/// `rackconnect_v3` is asked for and the catalog has RackConnect v3 in the region, every public
/// IP and every pool with its nodes (one read per pool). A region without RackConnect v3 is not
/// an error: its facts say it was not read.
pub fn region_facts(rackconnect_v3: bool) -> Box<dyn Task<Output = RegionFacts>> {
    Box::new(Chain::new(
        Some(Box::new(Timed::new(all_servers())) as Box<dyn Task<Output = (Vec<Server>, Option<crate::Timestamp>)>>),
        Needs::Endpoint(Service::Compute),
        None,
        move |(servers, answered_at): (Vec<Server>, Option<crate::Timestamp>), start: &Start| {
            let region = start.region.map(|r| r.lower().to_owned()).unwrap_or_default();
            if !rackconnect_v3 || start.other_endpoint(Service::RackConnect).is_none() {
                return Ok(Box::new(Ready::new(RegionFacts { region, servers, answered_at, v3: None }))
                    as Box<dyn Task<Output = _>>);
            }
            let public_ips = CallTask::new(
                CallKind::Read,
                Needs::Endpoint(Service::RackConnect),
                |s: &Start| v3::list_public_ips(&v3_endpoint(s)?, s.token()?, &v3::PublicIpFilter::default()),
                v3::parse_public_ips,
            );
            Ok(Box::new(Chain::new(
                Some(Box::new(public_ips) as Box<dyn Task<Output = Vec<PublicIp>>>),
                Needs::Endpoint(Service::RackConnect),
                None,
                move |public_ips: Vec<PublicIp>, _: &Start| {
                    Ok(Box::new(Chain::new(
                        Some(Box::new(pools_read(v3::parse_pools)) as Box<dyn Task<Output = Vec<Pool>>>),
                        Needs::Endpoint(Service::RackConnect),
                        None,
                        move |pools: Vec<Pool>, _: &Start| {
                            let reads = pools
                                .iter()
                                .map(|pool| {
                                    let id = PoolId::new_as("pool_id", pool.id.clone())?;
                                    Ok(Box::new(CallTask::new(
                                        CallKind::Read,
                                        Needs::Endpoint(Service::RackConnect),
                                        move |s: &Start| v3::list_nodes(&v3_endpoint(s)?, s.token()?, &id),
                                        v3::parse_nodes,
                                    )) as Box<dyn Task<Output = Vec<v3::Node>>>)
                                })
                                .collect::<Result<Vec<_>>>()?;
                            let nodes = Each::new(Needs::Endpoint(Service::RackConnect), reads);
                            Ok(Box::new(Mapped::new(nodes, move |nodes: Vec<Vec<v3::Node>>| {
                                let pools = pools.into_iter().zip(nodes).collect();
                                Ok(RegionFacts {
                                    region,
                                    servers,
                                    answered_at,
                                    v3: Some(V3Facts { pools, public_ips }),
                                })
                            })) as Box<dyn Task<Output = RegionFacts>>)
                        },
                    )) as Box<dyn Task<Output = RegionFacts>>)
                },
            )) as Box<dyn Task<Output = RegionFacts>>)
        },
    ))
}

/// An inventory of the servers of `regions` (see [`crate::inventory`]): the options are checked
/// now, before anything is asked; then each region's facts are read in turn ([`region_facts`],
/// each region with its own endpoints from the one sign-in), and the inventory is built from
/// them. No regions: the exchange's region (the one asked for, else the user's default).
pub fn inventory(regions: Vec<Region>, options: InventoryOptions) -> Result<Box<dyn Task<Output = Inventory>>> {
    options.check()?;
    // Without regions, the exchange's own: it finds that region (and its Cloud Servers) first.
    let needs = if regions.is_empty() { Needs::Endpoint(Service::Compute) } else { Needs::Token };
    Ok(Box::new(Chain::new(None, needs, None, move |(), start: &Start| {
        let regions = match (regions.is_empty(), start.region) {
            (false, _) => regions,
            (true, Some(region)) => vec![region],
            (true, None) => {
                return Err(Error::invalid("region", "a region (none given, and the user has no default region)", ""));
            }
        };
        let reads = regions
            .into_iter()
            .map(|region| {
                Box::new(InRegion::new(region, region_facts(options.rackconnect_v3)))
                    as Box<dyn Task<Output = RegionFacts>>
            })
            .collect();
        let each = Each::new(Needs::Token, reads);
        Ok(Box::new(Mapped::new(each, move |facts: Vec<RegionFacts>| crate::inventory::build(&facts, &options)))
            as Box<dyn Task<Output = Inventory>>)
    })))
}

/// Any operation by name (see [`Operation`]), its inputs as JSON without `endpoint` and `token`
/// (the exchange supplies them): a read, a change or a create by the request's method.
/// v2 operations need `base_url` or `region` in `input` and no credentials. A `pool_id` may be
/// a pool's name: the region's pools are listed first to resolve it.
pub fn operation(op: Operation, input: Value) -> Result<JsonTask> {
    // The input's shape is checked now, before any name is looked up.
    let placeholder = "00000000-0000-0000-0000-000000000000";
    let blank = ["pool_id", "server_id", "cloud_server_id"].iter().fold(input.clone(), |i, f| with(&i, f, placeholder));
    let needs = operation_by_id(op, blank)?.needs();
    for field in ["server_id", "cloud_server_id"] {
        if let Some(server) = input.get(field).and_then(Value::as_str).filter(|s| !looks_like_id(s)) {
            let server = server.to_owned();
            return for_server(&server, field, needs, None, move |id| operation(op, with(&input, field, &id)));
        }
    }
    let named_pool = input.get("pool_id").and_then(Value::as_str).and_then(|p| pool_id(p, "pool_id"));
    let Some(resolve) = named_pool else { return Ok(Box::new(operation_by_id(op, input)?)) };
    let first: Box<dyn Task<Output = String>> = Box::new(resolve);
    Ok(Box::new(Chain::new(Some(first), needs, None, move |id: String, _| {
        Ok(Box::new(operation_by_id(op, with(&input, "pool_id", &id))?) as JsonTask)
    })))
}

/// `input` with `field` set to `value`, when it has that field.
fn with(input: &Value, field: &str, value: &str) -> Value {
    let mut input = input.clone();
    if let Some(fields) = input.as_object_mut()
        && fields.contains_key(field)
    {
        fields.insert(field.into(), Value::String(value.to_owned()));
    }
    input
}

fn operation_by_id(op: Operation, input: Value) -> Result<CallTask<Value>> {
    let Value::Object(fields) = input else {
        return Err(Error::invalid("input", "a JSON object of the operation's inputs", "another JSON value"));
    };
    for reserved in ["endpoint", "token"] {
        if fields.contains_key(reserved) {
            return Err(Error::invalid(reserved, "no endpoint or token (the client supplies them)", reserved));
        }
    }
    let name = op.name();
    let needs = if name.starts_with("v3.") {
        Needs::Endpoint(Service::RackConnect)
    } else if name.starts_with("servers.") {
        Needs::Endpoint(Service::Compute)
    } else if name.starts_with("v2.") {
        Needs::Nothing
    } else {
        return Err(Error::invalid("op", "an operation of v2, Cloud Servers or RackConnect v3", name));
    };
    let about_server = match op {
        Operation::ServersShow | Operation::ServersMetadata => {
            fields.get("server_id").and_then(Value::as_str).map(str::to_owned)
        }
        _ => None,
    };
    let build = move |s: &Start| {
        let mut input = fields.clone();
        if let Some(endpoint) = &s.endpoint {
            input.insert("endpoint".into(), Value::String(endpoint.as_str().to_owned()));
        }
        if let Some(token) = &s.token {
            input.insert("token".into(), Value::String(token.expose().to_owned()));
        }
        op.build(&Value::Object(input))
    };
    let task = CallTask::new(CallKind::ByMethod, needs, build, move |r| op.parse(r));
    Ok(match about_server {
        Some(server) => task.about_server(server),
        None => task,
    })
}

/// The ways a wait can be asked for by name, with their inputs (the bindings' JSON form:
/// `{"kind": "nodes" | "public_ip" | "metadata" | "servers", ...}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "WaitSpecFields")]
pub enum WaitSpec {
    /// Pool nodes.
    Nodes {
        /// `{pool_id, node_id}` pairs.
        nodes: Vec<NodeRef>,
        /// `active` or `gone`.
        target: Target,
        /// Timeout, interval (defaults when absent).
        wait: WaitConfig,
    },
    /// A public IP.
    PublicIp {
        /// The public IP.
        public_ip_id: String,
        /// `active` or `gone`.
        target: Target,
        /// Timeout, interval.
        wait: WaitConfig,
    },
    /// A server's metadata.
    Metadata {
        /// The server.
        server_id: String,
        /// What to wait for, and how long.
        config: MetadataWaitConfig,
    },
    /// Many servers' metadata at once, through `servers/detail` (see [`fleet_wait`]): exactly
    /// one of `servers` and `built_within_ms`.
    Servers {
        /// Server ids, or names only one server of the region has.
        servers: Vec<String>,
        /// Every server built at most this long before the region's first answer.
        built_within_ms: Option<Millis>,
        /// What to wait for, and how long (as for one server).
        config: MetadataWaitConfig,
        /// What the caller's users call the two inputs above, `[servers, built_within_ms]`,
        /// for errors that name them (npm: `builtWithinMs`); these field names when absent. (A
        /// list, not an object: its reader is in the package already, a struct's adds 1.3 KB
        /// gzipped to the `.wasm`.)
        input_names: Vec<String>,
    },
}

/// A [`WaitSpec`] as read: every kind's fields in one flat object, checked against its kind
/// when made into the enum. (serde's internally tagged enums buffer the whole object and read
/// it again per variant, which cost 14 KB of the `.wasm` for this one type.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitSpecFields {
    kind: String,
    nodes: Option<Vec<NodeRef>>,
    target: Option<Target>,
    wait: Option<WaitConfig>,
    public_ip_id: Option<String>,
    server_id: Option<String>,
    config: Option<MetadataWaitConfig>,
    servers: Option<Vec<String>>,
    built_within_ms: Option<Millis>,
    input_names: Option<Vec<String>>,
}

impl TryFrom<WaitSpecFields> for WaitSpec {
    type Error = String;

    fn try_from(f: WaitSpecFields) -> std::result::Result<Self, String> {
        let given: [(&str, bool); 9] = [
            ("nodes", f.nodes.is_some()),
            ("target", f.target.is_some()),
            ("wait", f.wait.is_some()),
            ("public_ip_id", f.public_ip_id.is_some()),
            ("server_id", f.server_id.is_some()),
            ("config", f.config.is_some()),
            ("servers", f.servers.is_some()),
            ("built_within_ms", f.built_within_ms.is_some()),
            ("input_names", f.input_names.is_some()),
        ];
        let takes: &[&str] = match f.kind.as_str() {
            "nodes" => &["nodes", "target", "wait"],
            "public_ip" => &["public_ip_id", "target", "wait"],
            "metadata" => &["server_id", "config"],
            "servers" => &["servers", "built_within_ms", "config", "input_names"],
            other => return Err(format!("unknown kind `{other}`, expected nodes, public_ip, metadata or servers")),
        };
        only_fields_of(&f.kind, &given, takes)?;
        Ok(match f.kind.as_str() {
            "nodes" => WaitSpec::Nodes {
                nodes: f.nodes.ok_or_else(|| missing_field("nodes"))?,
                target: f.target.ok_or_else(|| missing_field("target"))?,
                wait: f.wait.unwrap_or_default(),
            },
            "public_ip" => WaitSpec::PublicIp {
                public_ip_id: f.public_ip_id.ok_or_else(|| missing_field("public_ip_id"))?,
                target: f.target.ok_or_else(|| missing_field("target"))?,
                wait: f.wait.unwrap_or_default(),
            },
            "metadata" => WaitSpec::Metadata {
                server_id: f.server_id.ok_or_else(|| missing_field("server_id"))?,
                config: f.config.unwrap_or_default(),
            },
            _ => WaitSpec::Servers {
                servers: f.servers.unwrap_or_default(),
                built_within_ms: f.built_within_ms,
                config: f.config.unwrap_or_default(),
                input_names: f.input_names.unwrap_or_default(),
            },
        })
    }
}

/// Refuses a field given (`given`: each field and whether it was) that `kind` does not take.
fn only_fields_of(kind: &str, given: &[(&str, bool)], takes: &[&str]) -> std::result::Result<(), String> {
    match given.iter().find(|(field, is)| *is && !takes.contains(field)) {
        Some((field, _)) => Err(format!("unknown field `{field}` for kind `{kind}`, expected {}", takes.join(", "))),
        None => Ok(()),
    }
}

/// serde's words for a field a kind needs and did not get.
fn missing_field(field: &str) -> String {
    format!("missing field `{field}`")
}

/// A pool node, by ids.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeRef {
    /// The pool.
    pub pool_id: String,
    /// The node.
    pub node_id: String,
}

/// The ensures by name (the bindings' JSON form: `{"kind": "pool_members" | "public_ip", ...}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "EnsureSpecFields")]
pub enum EnsureSpec {
    /// Every server in (or out of) every pool.
    PoolMembers {
        /// Server ids.
        servers: Vec<String>,
        /// Pool ids or names.
        pools: Vec<String>,
        /// Members (true) or not.
        present: bool,
        /// Dry run, wait, timeout.
        options: EnsureOptions,
    },
    /// A server's public IP.
    PublicIp {
        /// The server.
        server_id: String,
        /// Has one (true) or not; left out: true, or false with `unassign`.
        present: Option<bool>,
        /// Keep the IP when the server goes.
        retain: Option<bool>,
        /// A retained IP to move to the server.
        move_ip: Option<String>,
        /// With `present: false`: unassign the server's retained IP, keeping it, instead of
        /// deleting it.
        unassign: bool,
        /// Dry run, wait, timeout.
        options: EnsureOptions,
    },
}

/// An [`EnsureSpec`] as read: flat, checked against its kind (as [`WaitSpecFields`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsureSpecFields {
    kind: String,
    servers: Option<Vec<String>>,
    pools: Option<Vec<String>>,
    server_id: Option<String>,
    present: Option<bool>,
    retain: Option<bool>,
    move_ip: Option<String>,
    unassign: Option<bool>,
    options: Option<EnsureOptions>,
}

impl TryFrom<EnsureSpecFields> for EnsureSpec {
    type Error = String;

    fn try_from(f: EnsureSpecFields) -> std::result::Result<Self, String> {
        let given: [(&str, bool); 8] = [
            ("servers", f.servers.is_some()),
            ("pools", f.pools.is_some()),
            ("server_id", f.server_id.is_some()),
            ("present", f.present.is_some()),
            ("retain", f.retain.is_some()),
            ("move_ip", f.move_ip.is_some()),
            ("unassign", f.unassign.is_some()),
            ("options", f.options.is_some()),
        ];
        let takes: &[&str] = match f.kind.as_str() {
            "pool_members" => &["servers", "pools", "present", "options"],
            "public_ip" => &["server_id", "present", "retain", "move_ip", "unassign", "options"],
            other => return Err(format!("unknown kind `{other}`, expected pool_members or public_ip")),
        };
        only_fields_of(&f.kind, &given, takes)?;
        Ok(match f.kind.as_str() {
            "pool_members" => EnsureSpec::PoolMembers {
                servers: f.servers.ok_or_else(|| missing_field("servers"))?,
                pools: f.pools.ok_or_else(|| missing_field("pools"))?,
                present: f.present.ok_or_else(|| missing_field("present"))?,
                options: f.options.unwrap_or_default(),
            },
            _ => EnsureSpec::PublicIp {
                server_id: f.server_id.ok_or_else(|| missing_field("server_id"))?,
                present: f.present,
                retain: f.retain,
                move_ip: f.move_ip,
                unassign: f.unassign.unwrap_or(false),
                options: f.options.unwrap_or_default(),
            },
        })
    }
}

/// A task of any output, as JSON (what the bindings hand to their host's parser).
pub type JsonTask = Box<dyn Task<Output = Value>>;

/// A wait by its spec, its output as JSON.
pub fn wait_by_spec(spec: WaitSpec) -> Result<JsonTask> {
    Ok(match spec {
        WaitSpec::Nodes { nodes, target, wait } => {
            // A pool may be named: the region's pools are listed first.
            let pools: Vec<String> = nodes.iter().map(|n| n.pool_id.clone()).collect();
            let list = pools_if_named(&pools);
            let timeout = wait.timeout_ms;
            Box::new(Chain::new(
                list,
                Needs::Endpoint(Service::RackConnect),
                Some(timeout),
                move |known: Vec<Pool>, _| {
                    let ids = resolve_pool_names(&pools, &known, "nodes.pool_id")?;
                    let nodes = nodes
                        .into_iter()
                        .zip(ids)
                        .map(|(n, id)| Ok((PoolId::new_as("pool_id", id)?, n.node_id)))
                        .collect::<Result<Vec<_>>>()?;
                    Ok(Box::new(AsJson(nodes_wait(nodes, target, wait))) as JsonTask)
                },
            ))
        }
        WaitSpec::PublicIp { public_ip_id, target, wait } => {
            let id = crate::PublicIpId::new_as("public_ip_id", public_ip_id)?;
            Box::new(AsJson(public_ip_wait(id, target, wait)))
        }
        WaitSpec::Servers { servers, built_within_ms, config, input_names } => {
            let names = match input_names.as_slice() {
                [] => ("servers", "built_within_ms"),
                [servers, built_within] => (servers.as_str(), built_within.as_str()),
                _ => {
                    let found = format!("{} names", input_names.len());
                    return Err(Error::invalid("input_names", "two names: servers' and built_within_ms'", &found));
                }
            };
            let selection = FleetSelection::of(servers, built_within_ms, names)?;
            Box::new(AsJson(fleet_wait(selection, config, names)))
        }
        WaitSpec::Metadata { server_id, config } => {
            Box::new(AsJson(metadata_wait_named(&server_id, "server_id", config)?))
        }
    })
}

/// An ensure by its spec, its output as JSON.
pub fn ensure_by_spec(spec: EnsureSpec) -> Result<JsonTask> {
    let presence = |present: bool| if present { Presence::Present } else { Presence::Absent };
    Ok(match spec {
        EnsureSpec::PoolMembers { servers, pools, present, options } => {
            Box::new(AsJson(membership(servers, pools, ("servers", "pools"), presence(present), options)?))
        }
        EnsureSpec::PublicIp { server_id, present, retain, move_ip, unassign, options } => {
            // Checked now, before a server's name is looked up.
            PublicIpSpec::check_options(presence(present.unwrap_or(!unassign)), retain, move_ip.is_some(), unassign)?;
            let spec = move |id: String| -> Result<PublicIpSpec> {
                let spec = PublicIpSpec {
                    server_id: ServerId::new_as("serverId", id)?,
                    presence: presence(present.unwrap_or(!unassign)),
                    retain,
                    public_ip_id: move_ip.clone().map(|id| crate::PublicIpId::new_as("moveIp", id)).transpose()?,
                    unassign,
                };
                spec.check()?;
                Ok(spec)
            };
            let timeout = options.wait.timeout_ms;
            for_server(&server_id, "serverId", Needs::Endpoint(Service::RackConnect), Some(timeout), move |id| {
                Ok(Box::new(AsJson(public_ip_ensure(spec(id)?, options))) as JsonTask)
            })?
        }
    })
}

/// A task whose output is turned into JSON.
#[derive(Debug)]
pub struct AsJson<T>(pub T);

impl<T: Task> Task for AsJson<T>
where
    T::Output: Serialize,
{
    type Output = Value;
    fn needs(&self) -> Needs {
        self.0.needs()
    }
    fn timeout_ms(&self) -> Option<crate::wait::Millis> {
        self.0.timeout_ms()
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        self.0.start(start)
    }
    fn poll(
        &mut self,
        now: crate::wait::Millis,
        budget: &mut crate::wait::RateBudget,
    ) -> crate::wait::Step<Result<Value>> {
        use crate::wait::Step;
        match self.0.poll(now, budget) {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(outcome) => Step::Finished(outcome.and_then(|value| {
                crate::client::json::to_value(&value)
                    .map_err(|e| Error::invalid("result", "a value that serializes to JSON", &e.to_string()))
            })),
        }
    }
    fn on_response(&mut self, now: crate::wait::Millis, response: &crate::Response) {
        self.0.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: crate::wait::Millis, error: &Error) {
        self.0.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.0.cancel();
    }
    fn take_events(&mut self) -> Vec<crate::wait::Event> {
        self.0.take_events()
    }
    fn deadline(&self) -> Option<crate::wait::Millis> {
        self.0.deadline()
    }
    fn budget_kind(&self) -> BudgetKind {
        self.0.budget_kind()
    }
    fn add_prior_requests(&mut self, sent: u32) {
        self.0.add_prior_requests(sent);
    }
}
