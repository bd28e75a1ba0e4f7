//! Reporting a wait: the summary, the warning for "not applicable", the exit code.

use rackconnect::inventory::ReachedBy;
use rackconnect::wait::{FleetWaitResult, Outcome, WaitResult};
use serde_json::json;

use crate::args::NotApplicable;
use crate::context::Context;
use crate::{CommandResult, exit, output};

/// `reachable`: for a server's wait, the core's address for it and where it came from
/// (`reachable_ipv4`, `reached_by`, null when it has none); `None` for a wait that has no server
/// to reach (`v2 wait`).
pub(crate) fn report_wait(
    ctx: &Context,
    result: &WaitResult,
    reachable: Option<(Option<&str>, Option<ReachedBy>)>,
    not_applicable: NotApplicable,
) -> CommandResult {
    // The choice went into the wait (`not_applicable_ok`); the verdict is the core's.
    if result.outcome == Outcome::NotApplicable && not_applicable != NotApplicable::Fail {
        output::warn(&format!("not applicable: {}", result.reason.as_deref().unwrap_or("no reason given")));
    }
    // The core's address, as every front door gives it (the inventory's rule: the RackConnect v2
    // public IP once DEPLOYED, else a RackConnect v3 public IP, else the best address Nova
    // lists); the keys are there whenever a server is.
    let beside: Vec<(&str, serde_json::Value)> = reachable
        .map(|(ip, by)| [("reachable_ipv4", json!(ip)), ("reached_by", json!(by))])
        .into_iter()
        .flatten()
        .collect();
    let reachable = reachable.and_then(|(ip, _)| ip);
    let value = output::verdict(result, &beside);
    output::print(ctx.global.output, &value, || {
        // The headline is the core's verdict, the same words in every front door.
        let mut text = result.summary.clone();
        for task in &result.tasks {
            text.push_str(&format!("\n  {:<12} {}", task.status, task.name));
        }
        if let Some(ip) = reachable {
            text.push_str(&format!("\nreachable at {ip}"));
        }
        let plural = if result.requests == 1 { "" } else { "s" };
        text.push_str(&format!(
            "\n({} request{plural} in {:.1} s)",
            result.requests,
            result.elapsed_ms as f64 / 1000.0
        ));
        text
    });
    Ok(exit::of_verdict(result.ok, result.outcome))
}

/// A batch's result: the core's summary, a line per server (its name, id, the address to reach
/// it by once its automation is through, and how it ended), a warning per server that is "not
/// applicable", the exit code of the batch's verdict.
pub(crate) fn report_fleet(ctx: &Context, result: &FleetWaitResult, not_applicable: NotApplicable) -> CommandResult {
    if not_applicable != NotApplicable::Fail {
        for server in result.servers.iter().filter(|s| s.outcome == Outcome::NotApplicable) {
            let name = server.name.as_deref().unwrap_or(&server.id);
            let reason = server.reason.as_deref().unwrap_or("no reason given");
            output::warn(&format!("not applicable: {name}: {reason}"));
        }
    }
    output::print(ctx.global.output, result, || {
        let rows: Vec<Vec<String>> = result
            .servers
            .iter()
            .map(|s| {
                // The core's address for each server, as `--output json` gives it (its rule: the
                // RackConnect public IP once DEPLOYED, else the best address Nova lists).
                vec![
                    s.name.clone().unwrap_or_else(|| "-".into()),
                    s.id.clone(),
                    s.reachable_ip.clone().unwrap_or_else(|| "-".into()),
                    s.summary.clone(),
                ]
            })
            .collect();
        let plural = if result.requests == 1 { "" } else { "s" };
        format!(
            "{}\n{}\n({} request{plural} in {:.1} s)",
            result.summary,
            output::table(&["NAME", "ID", "REACHABLE AT", "HOW IT ENDED"], &rows),
            result.requests,
            result.elapsed_ms as f64 / 1000.0
        )
    });
    Ok(exit::of_verdict(result.ok, result.outcome))
}
