//! `rackconnect`: wait for RackConnect automation the right way, and put servers into pools and
//! give them public IPs, repeatably. Everything it does is done by the core crate; this file only
//! reads the command line, picks credentials and endpoints, and prints.

mod args;
mod credentials;
mod demo;
mod exit;
mod output;

use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Parser;
use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport};
use rackconnect::ensure::{EnsureOptions, MembershipPlanner, Presence, PublicIpPlanner, PublicIpSpec};
use rackconnect::identity::{IdentityEndpoint, TenantScope};
use rackconnect::v2::{self, V2Answer, V2Endpoint, V2Format};
use rackconnect::wait::{MetadataWaitConfig, Outcome, RateBudget, Target, WaitConfig, WaitResult};
use rackconnect::{BaseUrl, NetworkId, NodeId, PoolId, PublicIpId, Region, ServerId};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::json;

use args::{
    Cli, Command, Global, ListShow, NodesCommand, NotApplicable, PoolMembersCommand, PublicIpCommand, PublicIpsCommand,
    ServerCommand, V2Command, V2FormatArg, V3Command,
};
use output::{Format, Progress};

/// A failure to report: the exit code and the message.
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self { code: exit::USAGE, message: message.into() }
    }
}

impl From<rackconnect::Error> for Failure {
    fn from(error: rackconnect::Error) -> Self {
        Self { code: exit::of_error(&error), message: error.to_string() }
    }
}

/// What a command ends with: an exit code, or a failure to report.
type CommandResult = Result<u8, Failure>;

/// Set by the first Ctrl-C: the running wait or ensure stops at its next step and reports
/// `cancelled` (exit 130). A second Ctrl-C exits at once.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

fn install_interrupt_handler() {
    let installed = ctrlc::set_handler(|| {
        if CANCEL.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(i32::from(exit::CANCELLED));
        }
    });
    if let Err(e) = installed {
        output::warn(&format!("Ctrl-C will end the program without a summary: {e}"));
    }
}

/// The source address `--emulated` asks v2 from by default: `web2`, a server being built.
const EMULATED_V2_SOURCE: &str = "127.0.0.3";

/// Everything a command needs: endpoints, transports, and (lazily) a session.
pub struct Context {
    global: Global,
    /// Keeps the in-process emulator running for the command's lifetime.
    _emulator: Option<Emulator>,
    emulator_url: Option<String>,
    api: Transport,
    v2: Transport,
    v2_endpoint: Option<V2Endpoint>,
    identity_url: IdentityEndpoint,
    session: Option<Session>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Context {
    fn new(global: Global) -> Result<Self, Failure> {
        let (emulator, emulator_url) = if global.emulated {
            let options = Options { clock_speed: Some(global.emulated_speed), ..Options::default() };
            let emulator = Emulator::start(Scenario::demo(), options)
                .map_err(|e| Failure { code: exit::TRANSPORT, message: format!("cannot start the emulator: {e}") })?;
            let url = emulator.url();
            if !global.quiet {
                eprintln!(
                    "emulated: a local RackConnect at {url} (the demo account; clock x{})",
                    global.emulated_speed
                );
            }
            (Some(emulator), Some(url))
        } else {
            (None, None)
        };
        let source: Option<IpAddr> = match (global.source_address, &emulator_url) {
            (Some(address), _) => Some(address),
            (None, Some(_)) => EMULATED_V2_SOURCE.parse().ok(),
            (None, None) => None,
        };
        let api = Transport::new(HttpConfig::default());
        let v2 = Transport::new(HttpConfig { local_address: source, ..HttpConfig::default() });
        let identity_url = match (&global.identity_url, &emulator_url) {
            (Some(url), _) => IdentityEndpoint::parse(url)?,
            (None, Some(url)) => IdentityEndpoint::parse(url)?,
            (None, None) => {
                env("RAX_IDENTITY_URL").map_or(Ok(IdentityEndpoint::Us), |u| IdentityEndpoint::parse(&u))?
            }
        };
        // A region that is given is checked even when the command does not need one.
        if let Some(region) = &global.region {
            Region::parse(region)?;
        }
        let v2_url = global.v2_url.clone().or_else(|| emulator_url.clone()).or_else(|| env("RAX_RACKCONNECT_V2_URL"));
        let v2_endpoint = match v2_url {
            Some(url) => Some(V2Endpoint::BaseUrl(BaseUrl::new("v2_url", &url)?)),
            None => match global.region.clone().or_else(|| env("RAX_REGION")) {
                Some(region) => Some(V2Endpoint::Region(Region::parse(&region)?)),
                None => None,
            },
        };
        Ok(Self { global, _emulator: emulator, emulator_url, api, v2, v2_endpoint, identity_url, session: None })
    }

    fn v2_endpoint(&self) -> Result<V2Endpoint, Failure> {
        self.v2_endpoint.clone().ok_or_else(|| Failure::usage("v2 needs --region (or RAX_REGION) or --v2-url"))
    }

    fn session(&mut self) -> Result<&mut Session, Failure> {
        if self.session.is_none() {
            let mut given = credentials::Given {
                username: self.global.username.clone(),
                api_key: self.global.api_key.clone(),
                password: self.global.password.clone(),
                file: self.global.credentials.clone(),
            };
            if self.emulator_url.is_some()
                && given.username.is_none()
                && given.api_key.is_none()
                && env("RAX_USERNAME").is_none()
            {
                given.username = Some("demo".into());
                given.api_key = Some("demo-api-key".into());
            } else if given.api_key.is_some() || given.password.is_some() {
                output::warn(
                    "a secret given on the command line is visible to other users of this machine (ps, shell history); use RAX_API_KEY, RAX_PASSWORD or --credentials FILE",
                );
            }
            let (credentials, _source) = credentials::resolve(&given).map_err(Failure::usage)?;
            let tenant = self.global.tenant.clone().or_else(|| env("RAX_TENANT")).map(TenantScope::Id);
            let identity = IdentityClient::new(self.identity_url.clone(), credentials, tenant);
            self.session = Some(Session::new(self.api.clone(), identity));
        }
        self.session.as_mut().ok_or_else(|| Failure::usage("no session"))
    }

    /// The region for token APIs: --region, RAX_REGION, or the user's default region.
    fn region(&mut self) -> Result<Region, Failure> {
        if let Some(region) = self.global.region.clone().or_else(|| env("RAX_REGION")) {
            return Ok(Region::parse(&region)?);
        }
        let access = self.session()?.access()?;
        match access.user.default_region.clone().filter(|r| !r.is_empty()) {
            Some(region) => Ok(Region::parse(&region)?),
            None => Err(Failure::usage("no region: give --region or set RAX_REGION")),
        }
    }

    fn progress(&self, label: &str) -> Progress {
        Progress::new(label, self.global.quiet)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_interrupt_handler();
    let format = cli.global.output;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            match format {
                Format::Json => println!("{}", json!({"error": failure.message, "exit_code": failure.code})),
                Format::Text => eprintln!("error: {}", failure.message),
            }
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Emulator { listen, scenario, cors, clock_speed } => run_emulator(listen, scenario, cors, clock_speed),
        Command::Demo => demo::run(&cli.global),
        command => {
            let mut ctx = Context::new(cli.global)?;
            match command {
                Command::V2 { command } => v2_command(&mut ctx, command),
                Command::Server { command } => server_command(&mut ctx, command),
                Command::V3 { command } => v3_command(&mut ctx, command),
                Command::Emulator { .. } | Command::Demo => Ok(exit::DONE),
            }
        }
    }
}

fn run_emulator(
    listen: std::net::SocketAddr,
    scenario: Option<std::path::PathBuf>,
    cors: bool,
    clock_speed: Option<f64>,
) -> CommandResult {
    let scenario = match scenario {
        None => Scenario::demo(),
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            Scenario::from_json(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        }
    };
    let emulator = Emulator::start(scenario, Options { listen, cors, clock_speed })
        .map_err(|e| Failure { code: exit::TRANSPORT, message: format!("cannot listen on {listen}: {e}") })?;
    println!("listening on {}", emulator.url());
    use std::io::Write;
    let _flushed = std::io::stdout().flush();
    emulator.wait();
    Ok(exit::DONE)
}

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

fn v2_command(ctx: &mut Context, command: V2Command) -> CommandResult {
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
            let config = WaitConfig { timeout_ms: wait.timeout, ..WaitConfig::default() };
            let mut progress = ctx.progress("RackConnect v2");
            let result =
                rackconnect::blocking::wait_v2(&ctx.v2, endpoint, config, &mut RateBudget::v2(), &CANCEL, |e| {
                    progress.event(e)
                });
            progress.finish();
            report_wait(ctx, &result, None, wait.not_applicable)
        }
    }
}

fn report_wait(
    ctx: &Context,
    result: &WaitResult,
    reachable: Option<&str>,
    not_applicable: NotApplicable,
) -> CommandResult {
    let fails = not_applicable == NotApplicable::Fail;
    if result.outcome == Outcome::NotApplicable && !fails {
        output::warn(&format!("not applicable: {}", result.reason.as_deref().unwrap_or("no reason given")));
    }
    let value = json!({"result": result, "reachable_ipv4": reachable});
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
        text.push_str(&format!("\n({} requests in {:.1} s)", result.requests, result.elapsed_ms as f64 / 1000.0));
        text
    });
    Ok(exit::of_outcome(result.outcome, fails))
}

fn server_command(ctx: &mut Context, command: ServerCommand) -> CommandResult {
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

fn v3_command(ctx: &mut Context, command: V3Command) -> CommandResult {
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
                ListShow::Show { id } => {
                    let pool = v3.get_pool(&PoolId::new(id)?)?;
                    output::print(format, &pool, || line(&pool));
                }
            }
            Ok(exit::DONE)
        }
        V3Command::Nodes { command } => nodes_command(ctx, region, command),
        V3Command::PublicIps { command } => public_ips_command(ctx, region, command),
        V3Command::PoolMembers { command: PoolMembersCommand::Ensure { servers, pools, absent, ensure } } => {
            let mut pairs = Vec::new();
            for server in &servers {
                for pool in &pools {
                    pairs
                        .push((ServerId::new_as("--server", server.clone())?, PoolId::new_as("--pool", pool.clone())?));
                }
            }
            let presence = if absent { Presence::Absent } else { Presence::Present };
            let options = ensure_options(&ensure);
            let session = ctx.session()?;
            let endpoint = session.v3_endpoint(region)?;
            let token = session.token()?;
            let mut planner = MembershipPlanner::new(endpoint, token, pairs, presence, options, 0);
            let mut progress = Progress::new("pool members", quiet);
            let result =
                rackconnect::blocking::run(&mut planner, &mut *session, &mut RateBudget::api(), &CANCEL, |e| {
                    progress.event(e)
                });
            progress.finish();
            output::print(format, &result, || membership_text(&result, ensure.dry_run));
            Ok(exit::of_outcome(result.outcome, true))
        }
        V3Command::PublicIp { command: PublicIpCommand::Ensure { server, absent, retain, move_ip, ensure } } => {
            let spec = PublicIpSpec {
                server_id: ServerId::new_as("--server", server)?,
                presence: if absent { Presence::Absent } else { Presence::Present },
                retain,
                public_ip_id: move_ip.map(|id| PublicIpId::new_as("--move-ip", id)).transpose()?,
            };
            let options = ensure_options(&ensure);
            let session = ctx.session()?;
            let endpoint = session.v3_endpoint(region)?;
            let token = session.token()?;
            let mut planner = PublicIpPlanner::new(endpoint, token, spec, options, 0);
            let mut progress = Progress::new("public IP", quiet);
            let result =
                rackconnect::blocking::run(&mut planner, &mut *session, &mut RateBudget::api(), &CANCEL, |e| {
                    progress.event(e)
                });
            progress.finish();
            output::print(format, &result, || {
                let plan = serde_json::to_value(&result.plan)
                    .ok()
                    .and_then(|v| v["action"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let ip = result
                    .public_ip
                    .as_ref()
                    .map(|ip| {
                        format!(
                            " — {} {} {}",
                            ip.id,
                            ip.public_ip_v4.as_deref().unwrap_or("(no address yet)"),
                            ip.status
                        )
                    })
                    .unwrap_or_default();
                let what = match (plan.as_str(), ensure.dry_run, result.outcome) {
                    ("none", _, _) => "no change needed".to_owned(),
                    (plan, true, _) => format!("would {}", plan.replace('_', " ")),
                    (plan, false, Outcome::Done) => plan.replace('_', " "),
                    (plan, false, _) if result.changed => format!("{} made, not settled", plan.replace('_', " ")),
                    (plan, false, _) => format!("{} not made", plan.replace('_', " ")),
                };
                let reason = result
                    .reason
                    .as_deref()
                    .filter(|_| result.outcome != Outcome::Done)
                    .map(|r| format!("\n  {r}"))
                    .unwrap_or_default();
                format!("{}: {what}{ip}{reason}", outcome_word(result.outcome))
            });
            Ok(exit::of_outcome(result.outcome, true))
        }
    }
}

fn membership_text(result: &rackconnect::ensure::MembershipResult, dry_run: bool) -> String {
    let plan = &result.plan;
    let counts = format!(
        "{} to add, {} to remove, {} already as wanted",
        plan.add.len(),
        plan.remove.len(),
        plan.unchanged.len()
    );
    let mut lines = vec![if dry_run {
        format!("dry run: {} ({counts})", if result.changed { "would change" } else { "nothing to change" })
    } else if result.outcome == Outcome::Done {
        format!("done: {} ({counts})", if result.changed { "changed" } else { "no change needed" })
    } else {
        let made = result.added.len() + result.removed.len();
        format!(
            "{}: {made} change{} made before it stopped ({counts})",
            outcome_word(result.outcome),
            if made == 1 { "" } else { "s" }
        )
    }];
    if dry_run {
        lines.extend(plan.add.iter().map(|p| format!("  would add    {} to {}", p.server_id, p.pool_id)));
        lines.extend(plan.remove.iter().map(|p| format!("  would remove {} from {}", p.server_id, p.pool_id)));
    }
    lines.extend(result.added.iter().map(|p| format!("  added   {} to {}", p.server_id, p.pool_id)));
    lines.extend(result.removed.iter().map(|p| format!("  removed {} from {}", p.server_id, p.pool_id)));
    lines.extend(
        result.failed.iter().map(|f| format!("  FAILED  {} in {}: {}", f.pair.server_id, f.pair.pool_id, f.reason)),
    );
    if let Some(reason) = result.reason.as_deref().filter(|_| result.outcome != Outcome::Done) {
        lines.push(format!("  {reason}"));
    }
    lines.join("\n")
}

fn outcome_word(outcome: Outcome) -> &'static str {
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

fn ensure_options(args: &args::EnsureArgs) -> EnsureOptions {
    EnsureOptions {
        dry_run: args.dry_run,
        no_wait: args.no_wait,
        wait: WaitConfig { timeout_ms: args.timeout, interval_ms: 2_000, ..WaitConfig::default() },
    }
}

fn wait_config() -> WaitConfig {
    WaitConfig { timeout_ms: 10 * 60_000, interval_ms: 2_000, ..WaitConfig::default() }
}

fn nodes_command(ctx: &mut Context, region: Region, command: NodesCommand) -> CommandResult {
    let format = ctx.global.output;
    let quiet = ctx.global.quiet;
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
        NodesCommand::List { pool } => {
            let list = v3.list_nodes(&PoolId::new(pool)?)?;
            output::print(format, &list, || list.iter().map(line).collect::<Vec<_>>().join("\n"));
            Ok(exit::DONE)
        }
        NodesCommand::Show { pool, node } => {
            let details = v3.get_node_details(&PoolId::new(pool)?, &NodeId::new(node)?)?;
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
        NodesCommand::Add { pool, server, no_wait } => {
            let pool = PoolId::new(pool)?;
            let node = v3.add_node(&pool, &ServerId::new(server)?)?;
            if no_wait {
                output::print(format, &node, || line(&node));
                return Ok(exit::DONE);
            }
            let mut progress = Progress::new("node", quiet);
            let waited = v3.wait_nodes(
                vec![(pool, node.id.clone())],
                Target::Active,
                wait_config(),
                &mut RateBudget::api(),
                &CANCEL,
                |e| progress.event(e),
            );
            progress.finish();
            output::print(format, &json!({"node": node, "wait": waited.result}), || {
                format!("{}: node {}", outcome_word(waited.result.outcome), node.id)
            });
            Ok(exit::of_outcome(waited.result.outcome, true))
        }
        NodesCommand::Remove { pool, node, no_wait } => {
            let (pool, node) = (PoolId::new(pool)?, NodeId::new(node)?);
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
            );
            progress.finish();
            output::print(format, &waited.result, || {
                format!("{}: node {node} removed", outcome_word(waited.result.outcome))
            });
            Ok(exit::of_outcome(waited.result.outcome, true))
        }
    }
}

fn public_ips_command(ctx: &mut Context, region: Region, command: PublicIpsCommand) -> CommandResult {
    let format = ctx.global.output;
    let quiet = ctx.global.quiet;
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
        PublicIpsCommand::List { server, retain } => {
            let filter =
                rackconnect::v3::PublicIpFilter { cloud_server_id: server.map(ServerId::new).transpose()?, retain };
            let list = v3.list_public_ips(&filter)?;
            output::print(format, &list, || list.iter().map(line).collect::<Vec<_>>().join("\n"));
            Ok(exit::DONE)
        }
        PublicIpsCommand::Show { id } => {
            let ip = v3.get_public_ip(&PublicIpId::new(id)?)?;
            output::print(format, &ip, || line(&ip));
            Ok(exit::DONE)
        }
        PublicIpsCommand::Add { server, retain, no_wait } => {
            let ip = v3.create_public_ip(Some(&ServerId::new(server)?), retain.then_some(true))?;
            if no_wait {
                output::print(format, &ip, || line(&ip));
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
            );
            progress.finish();
            let shown = waited.public_ip.clone().unwrap_or(ip);
            output::print(format, &json!({"public_ip": shown, "wait": waited.result}), || {
                format!("{}: {}", outcome_word(waited.result.outcome), line(&shown))
            });
            Ok(exit::of_outcome(waited.result.outcome, true))
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
                });
            progress.finish();
            output::print(format, &waited.result, || {
                format!("{}: public IP {id} released", outcome_word(waited.result.outcome))
            });
            Ok(exit::of_outcome(waited.result.outcome, true))
        }
    }
}
