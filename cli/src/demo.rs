//! `rackconnect demo`: the story a user lives through, against an in-process emulator. A server
//! is built; on the server, v2 automation is waited for (with progress, within the rate limit);
//! the gateway IP and, from anywhere, Managed Operations and the reachable IP are read; the
//! server is ensured into two pools and given a public IP; a second run finds nothing to change.
//!
//! With `--output json` the story goes to stderr (unless `--quiet`) and stdout gets one JSON
//! document of what happened: each step's result as the commands print it.

use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport};
use rackconnect::ensure::{EnsureOptions, Presence, PublicIpSpec};
use rackconnect::identity::{Credentials, IdentityEndpoint};
use rackconnect::v2::{V2Answer, V2Endpoint};
use rackconnect::wait::{MetadataWaitConfig, Outcome, RateBudget, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, Method, Region, Request, ServerId};
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::{Value, json};

use crate::args::Global;
use crate::exit;
use crate::output::{self, Format, Progress};
use crate::{CommandResult, Failure};

const SERVER_SOURCE: &str = "127.0.0.60";
const WEB_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
const API_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000002";

/// Where the story is told: stdout for `--output text`; stderr (or nowhere, with `--quiet`)
/// for `--output json`, whose stdout holds the JSON document alone.
#[derive(Clone, Copy)]
struct Teller {
    format: Format,
    quiet: bool,
}

impl Teller {
    fn say(self, text: &str) {
        match (self.format, self.quiet) {
            (Format::Text, _) => crate::output::write_stdout(format!("{text}\n").as_bytes()),
            (Format::Json, false) => eprintln!("{text}"),
            (Format::Json, true) => {}
        }
    }

    fn step(self, title: &str) {
        self.say(&format!("\n== {title}"));
    }
}

fn fail(message: impl Into<String>) -> Failure {
    Failure::new(exit::FAILED, message)
}

/// Builds a server through the emulator's control API, as if a user had just created it.
fn build_server(transport: &Transport, url: &str) -> Result<String, Failure> {
    let body = json!({"name": "demo-web", "region": "DFW", "source_ip": SERVER_SOURCE, "network_id": "00000001-aaaa-4aaa-8aaa-dfw000000001", "private_ip_v4": "192.168.10.60"});
    let request = Request {
        method: Method::Post,
        url: format!("{url}/__emulator/servers"),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(body.to_string()),
        sensitive_body: false,
        sensitive_url: false,
    };
    let response = transport.send(&request)?;
    let created: Value =
        serde_json::from_slice(&response.body).map_err(|e| fail(format!("the emulator answered oddly: {e}")))?;
    created["id"].as_str().map(str::to_owned).ok_or_else(|| fail("the emulator built no server"))
}

/// Runs the demo.
pub fn run(global: &Global) -> CommandResult {
    let speed = if global.emulated_speed > 0.0 { global.emulated_speed } else { 30.0 };
    let emulator = Emulator::start(Scenario::demo(), Options { clock_speed: Some(speed), ..Options::default() })
        .map_err(|e| Failure::new(exit::TRANSPORT, format!("cannot start the emulator: {e}")))?;
    let url = emulator.url();
    let teller = Teller { format: global.output, quiet: global.quiet };
    let say = |text: &str| teller.say(text);
    let step = |title: &str| teller.step(title);
    let mut story = json!({ "emulator": url });
    say(&format!("A local RackConnect is running at {url}: the demo account (user demo, tenant 123456),"));
    say(&format!("its clock running {speed}x so a two-minute automation takes seconds. Nothing leaves this machine."));

    let api = crate::verbose::transport(HttpConfig::default(), global.verbose);
    step("1. A new cloud server is built");
    let server = build_server(&api, &url)?;
    say(&format!("server {server} (demo-web, DFW); RackConnect automation starts now."));
    story["server"] = json!(server);

    step("2. On the server: wait for RackConnect v2 automation (never more than 30 requests a minute)");
    let source = SERVER_SOURCE.parse().map_err(|_| fail("bad source address"))?;
    let on_server =
        crate::verbose::transport(HttpConfig { local_address: Some(source), ..HttpConfig::default() }, global.verbose);
    let v2 = V2Endpoint::BaseUrl(BaseUrl::new("v2_url", &url)?);
    let mut progress = Progress::new("RackConnect v2", global.quiet);
    let waited = rackconnect::blocking::wait_v2(
        &on_server,
        v2.clone(),
        WaitConfig::default(),
        &mut RateBudget::v2(),
        &crate::CANCEL,
        |e| progress.event(e),
    )?;
    progress.finish();
    story["v2_wait"] = output::verdict(&waited, &[]);
    if waited.outcome != Outcome::Done {
        return Err(fail(format!("automation ended {:?}: {}", waited.outcome, waited.reason.unwrap_or_default())));
    }
    say(&format!(
        "DEPLOYED after {:.0} emulated s, {} requests.",
        waited.elapsed_ms as f64 * speed / 1000.0,
        waited.requests
    ));
    let gateway = rackconnect::v2::parse_gateway_ip(&on_server.send(&rackconnect::v2::gateway_ip(&v2, None)?)?)?;
    story["gateway_ip"] = json!(gateway);
    match gateway {
        V2Answer::Answer(ip) => say(&format!("gateway IP: {ip}")),
        other => say(&format!("gateway IP: {other:?}")),
    }

    step("3. From anywhere, with a token: wait for Managed Operations, then read the reachable IP");
    let credentials = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
    let identity = IdentityClient::new(IdentityEndpoint::parse(&url)?, credentials, None);
    let mut session = Session::new(api.clone(), identity);
    let server_id = ServerId::new(server.clone())?;
    let config = MetadataWaitConfig {
        managed: true,
        wait: WaitConfig { interval_ms: 1_000, ..WaitConfig::default() },
        ..MetadataWaitConfig::default()
    };
    let mut progress = Progress::new("Managed Operations", global.quiet);
    let managed = session.servers(Region::Dfw)?.wait_metadata(
        server_id.clone(),
        config,
        &mut RateBudget::api(),
        &crate::CANCEL,
        |e| progress.event(e),
    )?;
    progress.finish();
    story["managed_wait"] =
        output::verdict(&managed.result, &[("reachable_ipv4", json!(managed.access_ipv4.as_deref()))]);
    if managed.result.outcome != Outcome::Done {
        return Err(fail(format!(
            "Managed Operations ended {:?}: {}",
            managed.result.outcome,
            managed.result.reason.unwrap_or_default()
        )));
    }
    say(&format!(
        "Managed Operations Complete; reach the server at {} (its RackConnect v2 public IP, not the one it was built with).",
        managed.access_ipv4.as_deref().unwrap_or("?")
    ));

    let pools = [WEB_POOL.to_owned(), API_POOL.to_owned()];
    let spec = PublicIpSpec {
        server_id: server_id.clone(),
        presence: Presence::Present,
        retain: None,
        public_ip_id: None,
        unassign: false,
    };
    let mut changed_second_run = false;
    let mut runs = Vec::new();
    for run in 1..=2 {
        let title = if run == 1 {
            "4. Ensure the server is in the web and API pools (one bulk call), and has a RackConnect v3 public IP"
        } else {
            "5. The same again: a second run finds nothing left to change"
        };
        step(title);
        let mut progress = Progress::new("pool members", global.quiet);
        let members = session.ensure_pool_members(
            Region::Dfw,
            std::slice::from_ref(&server),
            &pools,
            ("server", "pool"),
            Presence::Present,
            EnsureOptions::default(),
            &crate::CANCEL,
            |e| progress.event(e),
        )?;
        progress.finish();
        if members.outcome != Outcome::Done {
            return Err(fail(format!(
                "pool membership ended {:?}: {}",
                members.outcome,
                members.reason.unwrap_or_default()
            )));
        }
        say(&format!(
            "pools: {} ({} added, {} already members)",
            if members.changed { "changed" } else { "unchanged" },
            members.added.len(),
            members.plan.unchanged.len()
        ));
        let mut progress = Progress::new("public IP", global.quiet);
        let ip =
            session.ensure_public_ip(Region::Dfw, spec.clone(), EnsureOptions::default(), &crate::CANCEL, |e| {
                progress.event(e)
            })?;
        progress.finish();
        if ip.outcome != Outcome::Done {
            return Err(fail(format!("public IP ended {:?}: {}", ip.outcome, ip.reason.unwrap_or_default())));
        }
        let address = ip.public_ip.as_ref().and_then(|i| i.public_ip_v4.clone()).unwrap_or_else(|| "?".into());
        say(&format!("public IP: {} ({address})", if ip.changed { "created" } else { "unchanged" }));
        runs.push(json!({ "pool_members": output::verdict(&members, &[]), "public_ip": output::verdict(&ip, &[]) }));
        if run == 2 {
            changed_second_run = members.changed || ip.changed;
        }
    }
    story["runs"] = json!(runs);
    story["ok"] = json!(!changed_second_run);
    story["changed_on_second_run"] = json!(changed_second_run);
    if global.output == Format::Json {
        output::print(Format::Json, &story, String::new);
    }
    if changed_second_run {
        output::warn("the second run changed something; it should not have");
        return Ok(exit::FAILED);
    }
    say("\nDone: nothing left to change. With real credentials (RAX_USERNAME, RAX_API_KEY, RAX_REGION)");
    say("the same commands talk to Rackspace: `rackconnect v2 wait`, `rackconnect server wait ID --managed`,");
    say("`rackconnect v3 pool-members ensure --server ID --pool ID`, `rackconnect v3 public-ip ensure --server ID`.");
    drop(emulator);
    Ok(exit::DONE)
}
