//! Reporting a wait: the summary, the warning for "not applicable", the exit code.

use rackconnect::wait::{Outcome, WaitResult};
use serde_json::json;

use crate::args::NotApplicable;
use crate::context::Context;
use crate::{CommandResult, exit, output};

pub(crate) fn report_wait(
    ctx: &Context,
    result: &WaitResult,
    reachable: Option<&str>,
    not_applicable: NotApplicable,
) -> CommandResult {
    let fails = not_applicable == NotApplicable::Fail;
    if result.outcome == Outcome::NotApplicable && !fails {
        output::warn(&format!("not applicable: {}", result.reason.as_deref().unwrap_or("no reason given")));
    }
    // The address is only worth printing once automation is through (it changes at DEPLOYED).
    let reachable = reachable.filter(|_| matches!(result.outcome, Outcome::Done | Outcome::NotApplicable));
    let mut value = json!({ "result": result });
    if let Some(ip) = reachable {
        value["reachable_ipv4"] = json!(ip);
    }
    output::print(ctx.global.output, &value, || {
        let mut text = match result.outcome {
            Outcome::Done => format!("done: {}", result.status.as_deref().unwrap_or("")),
            Outcome::Failed => format!("FAILED: {}", result.reason.as_deref().unwrap_or("automation failed")),
            Outcome::NotApplicable => format!("not applicable: {}", result.reason.as_deref().unwrap_or("")),
            Outcome::TimedOut => format!(
                "timed out after {} s (last status {})",
                result.elapsed_ms / 1000,
                result.status.as_deref().unwrap_or("none")
            ),
            Outcome::Cancelled => "cancelled".into(),
            Outcome::Forbidden => format!(
                "refused: {}",
                result.reason.clone().or_else(|| result.error.as_ref().map(|e| e.to_string())).unwrap_or_default()
            ),
            Outcome::Error => format!("error: {}", result.error.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        };
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
    Ok(exit::of_outcome(result.outcome, fails))
}

pub(crate) fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Failed => "FAILED",
        Outcome::NotApplicable => "not applicable",
        Outcome::TimedOut => "timed out",
        Outcome::Cancelled => "cancelled",
        Outcome::Forbidden => "refused",
        Outcome::Error => "error",
    }
}
