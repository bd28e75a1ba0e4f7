//! `rackconnect server …`: a server's metadata, from anywhere, with a token.

use rackconnect::ServerId;
use rackconnect::wait::{MetadataWaitConfig, RateBudget, WaitConfig};

use crate::args::ServerCommand;
use crate::context::Context;
use crate::report::report_wait;
use crate::{CANCEL, CommandResult, exit, output};

pub(crate) fn command(ctx: &mut Context, command: ServerCommand) -> CommandResult {
    let region = ctx.region()?;
    match command {
        ServerCommand::Status { server } => {
            let id = ServerId::new(server)?;
            let shown = ctx.session()?.servers(region)?.show_server(&id)?;
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
        ServerCommand::Wait { server, managed, managed_only, grace, wait } => {
            let id = ServerId::new(server)?;
            let config = MetadataWaitConfig {
                wait: WaitConfig { timeout_ms: wait.timeout, interval_ms: 5_000, ..WaitConfig::default() },
                rackconnect: !managed_only,
                managed: managed || managed_only,
                grace_ms: grace,
            };
            let label = match (managed, managed_only) {
                (_, true) => "Managed Operations",
                (true, false) => "RackConnect + Managed Operations",
                (false, false) => "RackConnect (metadata)",
            };
            let mut progress = ctx.progress(label);
            let waited =
                ctx.session()?
                    .servers(region)?
                    .wait_metadata(id, config, &mut RateBudget::api(), &CANCEL, |e| progress.event(e));
            progress.finish();
            report_wait(ctx, &waited.result, waited.access_ipv4.as_deref(), wait.not_applicable)
        }
    }
}
