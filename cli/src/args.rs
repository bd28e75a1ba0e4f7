//! The command line.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

/// Wait for RackConnect automation the right way, and put servers into load-balancer pools and
/// give them public IPs, repeatably. Talks to Rackspace, or with --emulated to a local emulator.
#[derive(Parser, Debug)]
#[command(name = "rackconnect", version, after_help = crate::exit::HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command that talks to RackConnect takes (listed under their own heading in
/// each command's `--help`). `emulator`, `completions` and `man` refuse them; `demo` takes only
/// `--output`, `--quiet`, `--verbose` and `--emulated-speed`; `v2` none of the account's, `server`
/// and `v3` none of v2's (see `refuse_options_that_do_not_apply`). Its `Debug` form hides the
/// API key and the password.
#[derive(Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub output: Format,
    /// Run against an in-process emulator (the demo account) instead of Rackspace.
    #[arg(long, global = true)]
    pub emulated: bool,
    /// Region (dfw, hkg, iad, lon, ord, syd) [env: RAX_REGION; default: the user's default region].
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Tenant (account) to scope the token to [env: RAX_TENANT].
    #[arg(long, global = true)]
    pub tenant: Option<String>,
    /// Identity: us, uk, or any URL (an emulator, another fake) [env: RAX_IDENTITY_URL; default: us].
    #[arg(long, global = true)]
    pub identity_url: Option<String>,
    /// A pyrax-style credentials file ([rackspace_cloud] username, and api_key or password); it wins
    /// over RAX_USERNAME/RAX_API_KEY [env: RAX_CREDS_FILE, used after those; default ~/.rackspace_cloud_credentials].
    #[arg(long, global = true)]
    pub credentials: Option<PathBuf>,
    /// User name [env: RAX_USERNAME].
    #[arg(long, global = true)]
    pub username: Option<String>,
    /// API key. Prefer RAX_API_KEY or a credentials file: arguments are visible to other users.
    #[arg(long, global = true)]
    pub api_key: Option<String>,
    /// Password. Prefer RAX_PASSWORD or a credentials file: arguments are visible to other users.
    #[arg(long, global = true)]
    pub password: Option<String>,
    /// RackConnect v2 base URL [env: RAX_RACKCONNECT_V2_URL; default: https://REGION.api.rackconnect.rackspace.com].
    #[arg(long, global = true)]
    pub v2_url: Option<String>,
    /// Source address for v2 requests (v2 knows a server by the address it asks from).
    #[arg(long, global = true)]
    pub source_address: Option<IpAddr>,
    /// With --emulated: emulated seconds per real second (0 to 86400).
    #[arg(long, global = true, default_value_t = 30.0, value_parser = parse_clock_speed)]
    pub emulated_speed: f64,
    /// No progress display (results and errors are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print each HTTP exchange to stderr: the request's method, URL, headers and body (the first
    /// 300 characters), then the answer's status, time taken and size; credentials show as
    /// <redacted>, and no answer's body is shown.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// The names of [`Global`]'s options as clap knows them, and as the user types them.
pub const GLOBAL_OPTIONS: [(&str, &str); 14] = [
    ("output", "--output"),
    ("emulated", "--emulated"),
    ("region", "--region"),
    ("tenant", "--tenant"),
    ("identity_url", "--identity-url"),
    ("credentials", "--credentials"),
    ("username", "--username"),
    ("api_key", "--api-key"),
    ("password", "--password"),
    ("v2_url", "--v2-url"),
    ("source_address", "--source-address"),
    ("emulated_speed", "--emulated-speed"),
    ("quiet", "--quiet"),
    ("verbose", "--verbose"),
];

impl std::fmt::Debug for Global {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |secret: &Option<String>| secret.as_ref().map(|_| rackconnect::REDACTED);
        f.debug_struct("Global")
            .field("output", &self.output)
            .field("emulated", &self.emulated)
            .field("region", &self.region)
            .field("tenant", &self.tenant)
            .field("identity_url", &self.identity_url)
            .field("credentials", &self.credentials)
            .field("username", &self.username)
            .field("api_key", &hidden(&self.api_key))
            .field("password", &hidden(&self.password))
            .field("v2_url", &self.v2_url)
            .field("source_address", &self.source_address)
            .field("emulated_speed", &self.emulated_speed)
            .field("quiet", &self.quiet)
            .field("verbose", &self.verbose)
            .finish()
    }
}

/// `--retain` / `--no-retain` as a filter: only retained public IPs, or only the others; neither
/// given lists both.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct RetainFilter {
    /// Only retained public IPs.
    #[arg(long, overrides_with = "no_retain")]
    retain: bool,
    /// Only public IPs that are not retained.
    #[arg(long, overrides_with = "retain")]
    no_retain: bool,
}

impl RetainFilter {
    /// As [`Retain::value`].
    pub fn value(self) -> Option<bool> {
        Retain { retain: self.retain, no_retain: self.no_retain }.value()
    }
}

/// `--retain` / `--no-retain`: whether a public IP outlives its server. Neither given leaves
/// the choice to the service (or, for a filter, does not filter).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct Retain {
    /// Keep the public IP when its server is deleted.
    #[arg(long, overrides_with = "no_retain")]
    retain: bool,
    /// Do not keep the public IP when its server is deleted.
    #[arg(long, overrides_with = "retain")]
    no_retain: bool,
}

impl Retain {
    /// `Some(true)` for `--retain`, `Some(false)` for `--no-retain` (the last one given wins),
    /// `None` for neither.
    pub fn value(self) -> Option<bool> {
        match (self.retain, self.no_retain) {
            (true, _) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// RackConnect v2, asked from the server itself.
    V2 {
        #[command(subcommand)]
        command: V2Command,
    },
    /// Servers' RackConnect and Managed Operations status, from their metadata (from anywhere).
    Server {
        #[command(subcommand)]
        command: ServerCommand,
    },
    /// RackConnect v3: networks, pools, nodes, public IPs.
    V3 {
        #[command(subcommand)]
        command: V3Command,
    },
    /// Run the emulator (a local RackConnect) until interrupted; prints "listening on URL" first.
    Emulator {
        /// Print the built-in demo scenario and exit.
        #[arg(long)]
        print_scenario: bool,
        /// Where to listen; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// A scenario file (see emulator/README.md).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Answer CORS preflights, for browser consoles.
        #[arg(long)]
        cors: bool,
        /// Emulated seconds per real second (0 to 86400).
        #[arg(long, value_parser = parse_clock_speed)]
        clock_speed: Option<f64>,
        /// Seed generated ids, addresses and fault draws: the same seed and the same requests give
        /// the same answers.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Keep the world in FILE across runs: loaded at start when it exists (instead of
        /// --scenario), written there on SIGINT or SIGTERM (owner-only: it holds credentials).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Allow --listen on an address other than loopback: the emulator serves the demo
        /// account's credentials to whoever can reach it.
        #[arg(long)]
        public: bool,
    },
    /// Print a shell completion script (bash: `source <(rackconnect completions bash)`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; read it with `rackconnect man | man -l -`), or with --dir
    /// write one page per command into a folder.
    Man {
        /// Write rackconnect.1 and a page for each subcommand (rackconnect-v3.1 …) here.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The whole story against an in-process emulator: wait, read the IPs, ensure pools and a
    /// public IP, then show that a second run changes nothing. With --output json the story goes
    /// to stderr and stdout gets one JSON document of each step's result.
    Demo,
}

/// How long to wait.
#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// Give up after this long (e.g. 30m, 90s, 1h30m; a bare number is seconds; 0 checks once)
    /// [default: the core's, 30m].
    #[arg(long, value_parser = parse_any_duration)]
    pub timeout: Option<u64>,
    /// What "not applicable" (UNPROCESSABLE, or a key that never appears) means.
    #[arg(long, value_enum, default_value = "ok")]
    pub not_applicable: NotApplicable,
}

/// `--not-applicable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NotApplicable {
    /// Success, with a warning carrying the reason.
    Ok,
    /// Failure (exit 4).
    Fail,
}

#[derive(Subcommand, Debug)]
pub enum V2Command {
    /// Automation status (DEPLOYING, DEPLOYED, FAILED, or UNPROCESSABLE).
    Status(V2Query),
    /// Status with each task.
    Details(V2Query),
    /// The gateway IP (or "not assigned yet").
    GatewayIp(V2Query),
    /// The automation features.
    Features(V2Query),
    /// Wait until automation is DEPLOYED; fail at once on FAILED. Never more than 30 requests a minute.
    Wait(WaitArgs),
}

#[derive(Args, Debug, Clone)]
pub struct V2Query {
    /// The answer format to ask for; the answer is parsed either way. Status and gateway-ip offer
    /// text, json and xml; details and features offer json and xml.
    #[arg(long, value_enum)]
    pub format: Option<V2FormatArg>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum V2FormatArg {
    Text,
    Json,
    Xml,
}

#[derive(Subcommand, Debug)]
pub enum ServerCommand {
    /// The servers of the region, with their ids and RackConnect and Managed Operations status.
    List,
    /// The RackConnect view of a server's metadata, and the address to reach it by.
    Status {
        /// The server: its id, or a name only it has in the region.
        server: String,
    },
    /// Wait for RackConnect automation (and with --managed, Managed Operations) through metadata.
    ///
    /// One server is read on its own (GET servers/{id}). Several servers, or --built-within,
    /// are waited for as a batch: one servers/detail page (100 servers) a poll instead of one
    /// request per server; each server ends on its own status (FAILED at once, UNPROCESSABLE
    /// as not applicable), and the result lists each one with its reachable IP.
    Wait {
        /// The servers: ids, or names only one server of the region has.
        #[arg(value_name = "SERVER")]
        servers: Vec<String>,
        /// Instead of naming them: every server of the region built within this long (e.g.
        /// 30m), by Nova's created and the region's clock. A window with no server in it is
        /// a mistake (exit 2).
        #[arg(long, value_parser = parse_duration, conflicts_with = "servers")]
        built_within: Option<u64>,
        /// Also wait for Managed Operations (rax_service_level_automation) to be Complete.
        #[arg(long)]
        managed: bool,
        /// Wait only for Managed Operations, not RackConnect (implies --managed).
        #[arg(long)]
        managed_only: bool,
        /// How long a missing key counts as "not written yet" (0: not applicable at once)
        /// [default: the core's, 5m].
        #[arg(long, value_parser = parse_any_duration)]
        grace: Option<u64>,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum V3Command {
    /// Cloud networks.
    Networks {
        #[command(subcommand)]
        command: ListShow,
    },
    /// Load-balancer pools.
    Pools {
        #[command(subcommand)]
        command: ListShow,
    },
    /// Pool nodes.
    Nodes {
        #[command(subcommand)]
        command: NodesCommand,
    },
    /// Public IPs.
    PublicIps {
        #[command(subcommand)]
        command: PublicIpsCommand,
    },
    /// Pool membership, idempotently.
    PoolMembers {
        #[command(subcommand)]
        command: PoolMembersCommand,
    },
    /// A server's public IP, idempotently.
    PublicIp {
        #[command(subcommand)]
        command: PublicIpCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ListShow {
    /// List them.
    List,
    /// Show one.
    Show {
        /// The id (a pool may also be given by its name in the region).
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum NodesCommand {
    /// The nodes of a pool.
    List {
        /// The pool: its id, or its name in the region.
        pool: String,
    },
    /// One node, with details.
    Show {
        /// The pool: its id, or its name in the region.
        pool: String,
        /// The node id.
        node: String,
    },
    /// Add a server to a pool.
    Add {
        /// The pool: its id, or its name in the region.
        pool: String,
        /// The server: its id, or a name only it has in the region.
        server: String,
        /// Return at once instead of waiting for ACTIVE.
        #[arg(long)]
        no_wait: bool,
    },
    /// Remove a node from a pool.
    Remove {
        /// The pool: its id, or its name in the region.
        pool: String,
        /// The node id.
        node: String,
        /// Return at once instead of waiting until it is gone.
        #[arg(long)]
        no_wait: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PublicIpsCommand {
    /// List public IPs.
    List {
        /// Only this server's.
        #[arg(long)]
        server: Option<String>,
        // --retain: only retained IPs; --no-retain: only the others.
        #[command(flatten)]
        retain: RetainFilter,
    },
    /// Show one.
    Show {
        /// The public IP id.
        id: String,
    },
    /// Give a server a public IP.
    Add {
        /// The server: its id, or a name only it has in the region.
        server: String,
        // --retain: keep the IP when the server is deleted (--no-retain, the service's default: do not).
        #[command(flatten)]
        retain: Retain,
        /// Return at once instead of waiting for ACTIVE.
        #[arg(long)]
        no_wait: bool,
    },
    /// Release a public IP.
    Remove {
        /// The public IP id.
        id: String,
        /// Return at once instead of waiting until it is gone.
        #[arg(long)]
        no_wait: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct EnsureArgs {
    /// Show what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Return once the change is accepted, without waiting for ACTIVE or gone.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up after this long (the wait included) [default: the core's, 30m].
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum PoolMembersCommand {
    /// Make every --server a member of every --pool (or, with --absent, of none), in one bulk call.
    Ensure {
        /// A server: its id, or a name only it has in the region (repeat, or separate with commas).
        #[arg(long = "server", required = true, value_delimiter = ',')]
        servers: Vec<String>,
        /// A pool id, or the name of one pool in the region (repeat, or separate with commas).
        #[arg(long = "pool", required = true, value_delimiter = ',')]
        pools: Vec<String>,
        /// Remove instead of add.
        #[arg(long)]
        absent: bool,
        #[command(flatten)]
        ensure: EnsureArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum PublicIpCommand {
    /// Give --server a public IP (or, with --absent, none; with --unassign, none but keep it).
    Ensure {
        /// The server: its id, or a name only it has in the region.
        #[arg(long)]
        server: String,
        /// Release instead of create.
        #[arg(long)]
        absent: bool,
        /// Take the server's retained public IP off it but keep the IP, on no server, for
        /// another server later (with --retain, a non-retained IP is retained first).
        #[arg(long, conflicts_with_all = ["absent", "move_ip"])]
        unassign: bool,
        // --retain: the IP outlives the server; --no-retain: it does not (left as it is when
        // neither is given).
        #[command(flatten)]
        retain: Retain,
        /// Move this retained public IP, given by its id (as `public-ips list` shows it), to
        /// the server instead of creating one.
        #[arg(long)]
        move_ip: Option<String>,
        #[command(flatten)]
        ensure: EnsureArgs,
    },
}

/// Parses `90`, `90s`, `5m`, `1h` into milliseconds; zero is refused (nothing could be waited for).
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let value = parse_any_duration(text)?;
    if value == 0 {
        return Err(format!("expected a duration above zero, such as 90s, 5m, 1h or 1h30m, found {text:?}"));
    }
    Ok(value)
}

/// A clock speed, by the emulator's one rule (`rackconnect_emulator::clock`).
fn parse_clock_speed(text: &str) -> Result<f64, String> {
    use rackconnect_emulator::clock;
    text.parse::<f64>()
        .ok()
        .filter(|speed| clock::speed_is_valid(*speed))
        .ok_or_else(|| format!("expected {}", clock::SPEED_EXPECTED))
}

/// Parses `90` (seconds), `90s`, `5m`, `1h`, `1500ms` or a sum of them (`1h30m`) into
/// milliseconds, zero included.
pub fn parse_any_duration(text: &str) -> Result<u64, String> {
    let expected = || format!("expected a duration such as 90s, 5m, 1h or 1h30m, found {text:?}");
    let mut rest = text.trim();
    if rest.chars().all(|c| c.is_ascii_digit()) {
        // A bare number is seconds.
        return rest.parse::<u64>().map(|s| s.saturating_mul(1_000)).map_err(|_| expected());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let value: u64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = &rest[digits..];
        let unit = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let scale: u64 = match &rest[..unit] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(expected()),
        };
        rest = &rest[unit..];
        total = total.saturating_add(value.saturating_mul(scale));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn the_debug_form_hides_the_secrets() {
        let args = ["rackconnect", "--api-key", "the-key", "--password", "the-password", "v3", "pools", "list"];
        let cli = super::Cli::try_parse_from(args).expect("parses");
        let shown = format!("{cli:?}");
        assert!(!shown.contains("the-key") && !shown.contains("the-password"), "{shown}");
        assert_eq!(shown.matches(rackconnect::REDACTED).count(), 2, "{shown}");
    }

    #[test]
    fn durations_are_units_and_their_sums() {
        use super::{parse_any_duration as any, parse_duration};
        for (text, ms) in [("90", 90_000), ("90s", 90_000), ("5m", 300_000), ("1h30m", 5_400_000), ("1500ms", 1_500)] {
            assert_eq!(any(text), Ok(ms), "{text}");
        }
        assert_eq!((any("0"), any("0s")), (Ok(0), Ok(0)));
        for bad in ["", "5x", "1.5m", "m", "h1", "-1s", "1h 30m"] {
            assert!(any(bad).is_err_and(|e| e.contains("such as 90s")), "{bad}");
        }
        assert!(parse_duration("0").is_err_and(|e| e.contains("above zero")));
    }
}
