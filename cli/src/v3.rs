//! `rackconnect v3 …`: networks, pools, nodes, public IPs, and the ensure commands.

use rackconnect::ensure::{EnsureOptions, Presence, PublicIpSpec};
use rackconnect::wait::{RateBudget, Target, WaitConfig};
use rackconnect::{NetworkId, NodeId, PublicIpId, Region};
use serde_json::json;

use crate::args::{self, ListShow, NodesCommand, PoolMembersCommand, PublicIpCommand, PublicIpsCommand, V3Command};
use crate::context::Context;
use crate::output::Progress;
use crate::{CANCEL, CommandResult, exit, output};

pub(crate) fn command(ctx: &mut Context, command: V3Command) -> CommandResult {
    let region = ctx.region()?;
    let format = ctx.global.output;
    let quiet = ctx.global.quiet;
    match command {
        V3Command::Networks { command } => {
            let mut v3 = ctx.session()?.v3(region)?;
            match command {
                ListShow::List => {
                    let list = v3.list_networks()?;
                    output::print(format, &list, || {
                        list.iter()
                            .map(|n| {
                                format!(
                                    "{}  {:<18} {}",
                                    n.id,
                                    n.cidr.as_deref().unwrap_or(""),
                                    n.name.as_deref().unwrap_or("")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
                ListShow::Show { id } => {
                    let network = v3.get_network(&NetworkId::new(id)?)?;
                    output::print(format, &network, || {
                        format!(
                            "{}  {}  {}",
                            network.id,
                            network.cidr.as_deref().unwrap_or(""),
                            network.name.as_deref().unwrap_or("")
                        )
                    });
                }
            }
            Ok(exit::DONE)
        }
        V3Command::Pools { command } => {
            let shown = match &command {
                ListShow::Show { id } => Some(ctx.session()?.pool_id(region, id, "ID")?),
                ListShow::List => None,
            };
            let mut v3 = ctx.session()?.v3(region)?;
            let line = |p: &rackconnect::v3::Pool| {
                format!(
                    "{}  {:<8} port {:<5} vip {:<15} nodes {:<3} {}",
                    p.id,
                    p.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                    p.port.map(|p| p.to_string()).unwrap_or_default(),
                    p.virtual_ip.as_deref().unwrap_or(""),
                    p.node_counts.as_ref().map_or(0, |c| c.total),
                    p.name.as_deref().unwrap_or("")
                )
            };
            match command {
                ListShow::List => {
                    let list = v3.list_pools()?;
                    output::print(format, &list, || list.iter().map(line).collect::<Vec<_>>().join("\n"));
                }
                ListShow::Show { .. } => {
                    let Some(id) = shown else { return Ok(exit::DONE) };
                    let pool = v3.get_pool(&id)?;
                    output::print(format, &pool, || line(&pool));
                }
            }
            Ok(exit::DONE)
        }
        V3Command::Nodes { command } => nodes_command(ctx, region, command),
        V3Command::PublicIps { command } => public_ips_command(ctx, region, command),
        V3Command::PoolMembers { command: PoolMembersCommand::Ensure { servers, pools, absent, ensure } } => {
            let presence = if absent { Presence::Absent } else { Presence::Present };
            let options = ensure_options(&ensure);
            let session = ctx.session()?;
            let target = if absent { "GONE" } else { "ACTIVE" };
            let mut progress = Progress::pairs("pool members", quiet, target);
            let fields = ("--server", "--pool");
            let result =
                session.ensure_pool_members(region, &servers, &pools, fields, presence, options, &CANCEL, |e| {
                    progress.event(e)
                });
            progress.finish();
            let result = result?;
            output::print(format, &result, || membership_text(&result));
            Ok(exit::of_verdict(result.ok, result.outcome))
        }
        V3Command::PublicIp {
            command: PublicIpCommand::Ensure { server, absent, unassign, retain, move_ip, ensure },
        } => {
            let spec = PublicIpSpec {
                server_id: ctx.session()?.server_id(region, &server, "--server")?,
                presence: if absent || unassign { Presence::Absent } else { Presence::Present },
                retain: retain.value(),
                public_ip_id: move_ip.map(|id| PublicIpId::new_as("--move-ip", id)).transpose()?,
                unassign,
            };
            let options = ensure_options(&ensure);
            let session = ctx.session()?;
            let mut progress = Progress::new("public IP", quiet);
            let result = session.ensure_public_ip(region, spec, options, &CANCEL, |e| progress.event(e));
            progress.finish();
            let result = result?;
            output::print(format, &result, || public_ip_text(&result));
            Ok(exit::of_verdict(result.ok, result.outcome))
        }
    }
}

fn public_ip_text(result: &rackconnect::ensure::PublicIpResult) -> String {
    // The headline is the core's verdict, the same words in every front door.
    let ip = result
        .public_ip
        .as_ref()
        .map(|ip| format!("\n  {} {} {}", ip.id, ip.public_ip_v4.as_deref().unwrap_or("(no address yet)"), ip.status))
        .unwrap_or_default();
    format!("{}{ip}", result.summary)
}

fn membership_text(result: &rackconnect::ensure::MembershipResult) -> String {
    use rackconnect::ensure::Pair;
    // The headline is the core's verdict, the same words in every front door; then the pairs.
    let plan = &result.plan;
    let mut lines = vec![result.summary.clone()];
    // Names beside ids wherever the run learned them (the user typed them): `web1 (id)`.
    let (server, pool) = (|p: &Pair| p.server_shown(), |p: &Pair| p.pool_shown());
    if result.dry_run {
        lines.extend(plan.add.iter().map(|p| format!("  would add    {} to {}", server(p), pool(p))));
        lines.extend(plan.remove.iter().map(|p| format!("  would remove {} from {}", server(p), pool(p))));
    }
    lines.extend(result.added.iter().map(|p| format!("  added   {} to {}", server(p), pool(p))));
    lines.extend(result.removed.iter().map(|p| format!("  removed {} from {}", server(p), pool(p))));
    lines.extend(
        result.failed.iter().map(|f| format!("  FAILED  {} in {}: {}", server(&f.pair), pool(&f.pair), f.reason)),
    );
    lines.join("\n")
}

fn ensure_options(args: &args::EnsureArgs) -> EnsureOptions {
    // What is not given stays the core's default.
    let mut options = EnsureOptions { dry_run: args.dry_run, no_wait: args.no_wait, ..EnsureOptions::default() };
    if let Some(timeout) = args.timeout {
        options.wait.timeout_ms = timeout;
    }
    options
}

/// The waits after `nodes add` and `public-ips add`: the core's defaults.
fn wait_config() -> WaitConfig {
    WaitConfig::default()
}

fn nodes_command(ctx: &mut Context, region: Region, command: NodesCommand) -> CommandResult {
    let format = ctx.global.output;
    let quiet = ctx.global.quiet;
    // Every nodes command names a pool: by id, or by its name in the region (the core resolves it).
    let (NodesCommand::List { pool: named }
    | NodesCommand::Show { pool: named, .. }
    | NodesCommand::Add { pool: named, .. }
    | NodesCommand::Remove { pool: named, .. }) = &command;
    let pool = ctx.session()?.pool_id(region, named, "POOL")?;
    let server = match &command {
        NodesCommand::Add { server, .. } => Some(ctx.session()?.server_id(region, server, "SERVER")?),
        _ => None,
    };
    let mut v3 = ctx.session()?.v3(region)?;
    let line = |n: &rackconnect::v3::Node| {
        format!(
            "{}  {:<13} server {}{}",
            n.id,
            n.status,
            n.cloud_server.id,
            n.status_detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
        )
    };
    match command {
        NodesCommand::List { .. } => {
            let list = v3.list_nodes(&pool)?;
            output::print(format, &list, || list.iter().map(line).collect::<Vec<_>>().join("\n"));
            Ok(exit::DONE)
        }
        NodesCommand::Show { node, .. } => {
            let details = v3.get_node_details(&pool, &NodeId::new(node)?)?;
            output::print(format, &details, || {
                format!(
                    "{}  {}  server {} {}  pool {} {}",
                    details.id,
                    details.status,
                    details.cloud_server.id,
                    details.cloud_server.name.as_deref().unwrap_or(""),
                    details.load_balancer_pool.id,
                    details.load_balancer_pool.name.as_deref().unwrap_or("")
                )
            });
            Ok(exit::DONE)
        }
        NodesCommand::Add { no_wait, .. } => {
            let Some(server) = server else { return Ok(exit::DONE) };
            let node = v3.add_node(&pool, &server)?;
            if no_wait {
                output::print(format, &json!({ "node": node }), || line(&node));
                return Ok(exit::DONE);
            }
            let mut progress = Progress::new("node", quiet);
            let waited = v3.wait_nodes(
                vec![(pool.clone(), node.id.clone())],
                Target::Active,
                wait_config(),
                &mut RateBudget::api(),
                &CANCEL,
                |e| progress.event(e),
            )?;
            progress.finish();
            // The node as it is now (ACTIVE), not as the add answered (ADDING); the answer is
            // kept if the read fails, since the wait's verdict is what counts.
            let node = match NodeId::new(node.id.clone()) {
                Ok(id) if waited.result.ok => v3.get_node(&pool, &id).unwrap_or(node),
                _ => node,
            };
            output::print(format, &output::verdict(&waited.result, &[("node", json!(node))]), || {
                format!("{} (node {})", waited.result.summary, node.id)
            });
            Ok(exit::of_verdict(waited.result.ok, waited.result.outcome))
        }
        NodesCommand::Remove { node, no_wait, .. } => {
            let node = NodeId::new(node)?;
            v3.remove_node(&pool, &node)?;
            if no_wait {
                output::print(format, &json!({"removed": node.as_str()}), || format!("removing node {node}"));
                return Ok(exit::DONE);
            }
            let mut progress = Progress::new("node", quiet);
            let waited = v3.wait_nodes(
                vec![(pool, node.to_string())],
                Target::Gone,
                wait_config(),
                &mut RateBudget::api(),
                &CANCEL,
                |e| progress.event(e),
            )?;
            progress.finish();
            let value = output::verdict(&waited.result, &[("removed", json!(node.as_str()))]);
            output::print(format, &value, || format!("{} (node {node} removed)", waited.result.summary));
            Ok(exit::of_verdict(waited.result.ok, waited.result.outcome))
        }
    }
}

fn public_ips_command(ctx: &mut Context, region: Region, command: PublicIpsCommand) -> CommandResult {
    let format = ctx.global.output;
    let quiet = ctx.global.quiet;
    // A server is named by id, or by a name only it has in the region (the core resolves it).
    let server = match &command {
        PublicIpsCommand::List { server: Some(server), .. } | PublicIpsCommand::Add { server, .. } => {
            Some(ctx.session()?.server_id(region, server, "--server")?)
        }
        _ => None,
    };
    let mut v3 = ctx.session()?.v3(region)?;
    let line = |ip: &rackconnect::v3::PublicIp| {
        format!(
            "{}  {:<15} {:<8} retain {:<5} server {}",
            ip.id,
            ip.public_ip_v4.as_deref().unwrap_or("-"),
            ip.status,
            ip.retain,
            ip.cloud_server.as_ref().map_or("(unassigned)", |s| s.id.as_str())
        )
    };
    match command {
        PublicIpsCommand::List { retain, .. } => {
            let filter = rackconnect::v3::PublicIpFilter { cloud_server_id: server, retain: retain.value() };
            let list = v3.list_public_ips(&filter)?;
            output::print(format, &list, || list.iter().map(line).collect::<Vec<_>>().join("\n"));
            Ok(exit::DONE)
        }
        PublicIpsCommand::Show { id } => {
            let ip = v3.get_public_ip(&PublicIpId::new(id)?)?;
            output::print(format, &ip, || line(&ip));
            Ok(exit::DONE)
        }
        PublicIpsCommand::Add { retain, no_wait, .. } => {
            let ip = v3.create_public_ip(server.as_ref(), retain.value())?;
            if no_wait {
                output::print(format, &json!({ "public_ip": ip }), || line(&ip));
                return Ok(exit::DONE);
            }
            let mut progress = Progress::new("public IP", quiet);
            let waited = v3.wait_public_ip(
                PublicIpId::new(ip.id.clone())?,
                Target::Active,
                wait_config(),
                &mut RateBudget::api(),
                &CANCEL,
                |e| progress.event(e),
            )?;
            progress.finish();
            let shown = waited.public_ip.clone().unwrap_or(ip);
            output::print(format, &output::verdict(&waited.result, &[("public_ip", json!(shown))]), || {
                format!("{}\n{}", waited.result.summary, line(&shown))
            });
            Ok(exit::of_verdict(waited.result.ok, waited.result.outcome))
        }
        PublicIpsCommand::Remove { id, no_wait } => {
            let id = PublicIpId::new(id)?;
            v3.delete_public_ip(&id)?;
            if no_wait {
                output::print(format, &json!({"removed": id.as_str()}), || format!("removing public IP {id}"));
                return Ok(exit::DONE);
            }
            let mut progress = Progress::new("public IP", quiet);
            let waited =
                v3.wait_public_ip(id.clone(), Target::Gone, wait_config(), &mut RateBudget::api(), &CANCEL, |e| {
                    progress.event(e)
                })?;
            progress.finish();
            let value = output::verdict(&waited.result, &[("removed", json!(id.as_str()))]);
            output::print(format, &value, || format!("{} (public IP {id} released)", waited.result.summary));
            Ok(exit::of_verdict(waited.result.ok, waited.result.outcome))
        }
    }
}
