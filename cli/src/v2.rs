//! `rackconnect v2 …`: RackConnect v2, asked from the server itself.

use rackconnect::v2::{self, V2Answer, V2Format};
use rackconnect::wait::{RateBudget, WaitConfig};

use crate::args::{V2Command, V2FormatArg};
use crate::context::Context;
use crate::report::report_wait;
use crate::{CANCEL, CommandResult, exit, output};

fn v2_format(format: Option<V2FormatArg>) -> Option<V2Format> {
    format.map(|f| match f {
        V2FormatArg::Text => V2Format::Text,
        V2FormatArg::Json => V2Format::Json,
        V2FormatArg::Xml => V2Format::Xml,
    })
}

/// Prints a one-shot v2 answer; a 403 is reported as the rate limit it most likely is.
fn v2_answer<T: serde::Serialize>(
    ctx: &Context,
    answer: V2Answer<T>,
    text: impl FnOnce(&T) -> String,
) -> CommandResult {
    match &answer {
        V2Answer::Answer(value) => {
            output::print(ctx.global.output, &answer, || text(value));
            Ok(exit::DONE)
        }
        V2Answer::NotAssigned => {
            output::print(ctx.global.output, &answer, || {
                "not assigned yet (automation has not reached the gateway)".into()
            });
            Ok(exit::DONE)
        }
        V2Answer::RateLimited { .. } => {
            output::print(ctx.global.output, &answer, || {
                "403: rate limited (30 requests per minute per server), or not a RackConnect server; try again in a minute".into()
            });
            Ok(exit::FAILED)
        }
    }
}

pub(crate) fn command(ctx: &mut Context, command: V2Command) -> CommandResult {
    let endpoint = ctx.v2_endpoint()?;
    let send = |request: rackconnect::Request| ctx.v2.send(&request);
    match command {
        V2Command::Status(q) => {
            let answer = v2::parse_automation_status(&send(v2::automation_status(&endpoint, v2_format(q.format))?)?)?;
            v2_answer(ctx, answer, |s| s.to_string())
        }
        V2Command::Details(q) => {
            let answer = v2::parse_details(&send(v2::details(&endpoint, v2_format(q.format))?)?)?;
            v2_answer(ctx, answer, |d| {
                let mut lines = vec![d.automation_status.to_string()];
                lines.extend(d.tasks.iter().map(|t| format!("  {:<12} {}", t.status, t.name)));
                lines.join("\n")
            })
        }
        V2Command::GatewayIp(q) => {
            let answer = v2::parse_gateway_ip(&send(v2::gateway_ip(&endpoint, v2_format(q.format))?)?)?;
            v2_answer(ctx, answer, |ip| ip.to_string())
        }
        V2Command::Features(q) => {
            let answer =
                v2::parse_automation_features(&send(v2::automation_features(&endpoint, v2_format(q.format))?)?)?;
            v2_answer(ctx, answer, |f| {
                f.features.iter().map(|f| format!("{:<10} {}", f.status, f.name)).collect::<Vec<_>>().join("\n")
            })
        }
        V2Command::Wait(wait) => {
            // What is not given stays the core's default.
            let mut config = WaitConfig {
                not_applicable_ok: wait.not_applicable != crate::args::NotApplicable::Fail,
                ..WaitConfig::default()
            };
            if let Some(timeout) = wait.timeout {
                config.timeout_ms = timeout;
            }
            let mut progress = ctx.progress("RackConnect v2");
            let result =
                rackconnect::blocking::wait_v2(&ctx.v2, endpoint, config, &mut RateBudget::v2(), &CANCEL, |e| {
                    progress.event(e)
                })?;
            progress.finish();
            report_wait(ctx, &result, None, wait.not_applicable)
        }
    }
}
