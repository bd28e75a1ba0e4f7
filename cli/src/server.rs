//! `rackconnect server …`: a server's metadata, from anywhere, with a token.

use rackconnect::ServerId;
use rackconnect::wait::{MetadataWaitConfig, RateBudget};

use crate::args::ServerCommand;
use crate::context::Context;
use rackconnect::client::work::FleetSelection;

use crate::report::{report_fleet, report_wait};
use crate::{CANCEL, CommandResult, exit, output};

pub(crate) fn command(ctx: &mut Context, command: ServerCommand) -> CommandResult {
    let region = ctx.region()?;
    match command {
        ServerCommand::List => {
            let servers = ctx.session()?.servers(region)?.all_servers(100)?;
            output::print(ctx.global.output, &servers, || {
                if servers.is_empty() {
                    return format!("no servers in {}", region.upper());
                }
                let or = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                let rows: Vec<Vec<String>> = servers
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.clone().unwrap_or_default(),
                            or(s.rackconnect.automation_status.as_ref().map(|x| x.to_string())),
                            or(s.rackconnect.managed_status.as_ref().map(|x| x.to_string())),
                            or(s.access_ipv4.clone()),
                            s.name.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(&["ID", "RACKCONNECT", "MANAGED", "ACCESS IPV4", "NAME"], &rows)
            });
            Ok(exit::DONE)
        }
        ServerCommand::Status { server } => {
            let id = ctx.session()?.server_id(region, &server, "SERVER")?;
            let shown = ctx.session()?.servers(region)?.show_server(&id).map_err(|e| not_found_in(e, &id, region))?;
            output::print(ctx.global.output, &shown, || {
                let view = &shown.rackconnect;
                let or = |v: Option<String>| v.unwrap_or_else(|| "(absent)".into());
                format!(
                    "server       {} {}\nrackconnect  {}{}\nmanaged      {}\nfeatures     network {} · firewall {} · public IP {}\nreachable at {}",
                    shown.id.as_deref().unwrap_or(""),
                    shown.name.as_deref().unwrap_or(""),
                    or(view.automation_status.as_ref().map(|s| s.to_string())),
                    view.unprocessable_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
                    or(view.managed_status.as_ref().map(|s| s.to_string())),
                    or(view.features.configure_network_stack.as_ref().map(|s| s.to_string())),
                    or(view.features.manage_software_firewall.as_ref().map(|s| s.to_string())),
                    or(view.features.provision_public_ip.as_ref().map(|s| s.to_string())),
                    or(shown.access_ipv4.clone()),
                )
            });
            Ok(exit::DONE)
        }
        ServerCommand::Wait { servers, built_within, managed, managed_only, grace, wait } => {
            // What is not given stays the core's default.
            let mut config = MetadataWaitConfig {
                rackconnect: !managed_only,
                managed: managed || managed_only,
                ..MetadataWaitConfig::default()
            };
            config.wait.not_applicable_ok = wait.not_applicable != crate::args::NotApplicable::Fail;
            if let Some(timeout) = wait.timeout {
                config.wait.timeout_ms = timeout;
            }
            if let Some(grace) = grace {
                config.grace_ms = grace;
            }
            let label = match (managed, managed_only) {
                (_, true) => "Managed Operations",
                (true, false) => "RackConnect + Managed Operations",
                (false, false) => "RackConnect (metadata)",
            };
            if let ([server], None) = (servers.as_slice(), built_within) {
                return wait_one(ctx, region, server, config, label, wait.not_applicable);
            }
            let selection = FleetSelection::of(servers, built_within, FIELDS)?;
            let mut progress = ctx.progress(&format!("{label}, a batch")).fleet();
            let waited =
                ctx.session()?.wait_servers(region, selection, config, FIELDS, &CANCEL, |e| progress.event(e))?;
            progress.finish();
            report_fleet(ctx, &waited, wait.not_applicable)
        }
    }
}

/// `server wait`'s names for a batch's two selections, in the core's errors.
const FIELDS: (&str, &str) = ("SERVER", "--built-within");

/// One server, read on its own.
fn wait_one(
    ctx: &mut Context,
    region: rackconnect::Region,
    server: &str,
    config: MetadataWaitConfig,
    label: &str,
    not_applicable: crate::args::NotApplicable,
) -> CommandResult {
    let mut progress = ctx.progress(label);
    let waited = ctx.session()?.servers(region)?.wait_metadata_named(
        server,
        "SERVER",
        config,
        &mut RateBudget::api(),
        &CANCEL,
        |e| progress.event(e),
    )?;
    progress.finish();
    report_wait(ctx, &waited.result, Some((waited.access_ipv4.as_deref(), waited.reached_by)), not_applicable)
}

/// A 404 for a server says which server and region were asked, since the API's text does not.
fn not_found_in(error: rackconnect::Error, id: &ServerId, region: rackconnect::Region) -> crate::Failure {
    if error.kind() == "not_found" {
        return crate::Failure::from(error).with_message(format!(
            "{} (is --region right? `rackconnect server list` shows the region's servers)",
            rackconnect::servers::not_found_message(id.as_str(), region)
        ));
    }
    error.into()
}
