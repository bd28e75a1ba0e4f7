//! `rackconnect-emulator`: runs the emulator until interrupted. The first line on stdout is
//! `listening on http://ADDR:PORT`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use rackconnect_emulator::{Emulator, Options, clock, host};

/// A faithful local RackConnect (Identity, v2 by source IP, v3, Cloud Servers metadata) for tests.
///
/// With no arguments it serves the demo account (username demo, API key demo-api-key, password
/// demo-password, tenant 123456) on 127.0.0.1:8080.
#[derive(Parser, Debug)]
#[command(name = "rackconnect-emulator", version)]
struct Args {
    /// Where to listen; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// Allow --listen on an address other than loopback: the emulator serves its scenario's
    /// credentials to whoever can reach it.
    #[arg(long)]
    public: bool,
    /// A scenario file (JSON; see emulator/README.md). Default: the built-in demo scenario.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Answer CORS preflights and add CORS headers, so browser consoles can call it.
    #[arg(long)]
    cors: bool,
    /// Emulated seconds per real second (60 makes a ten-minute automation take ten seconds).
    #[arg(long, value_name = "SPEED")]
    clock_speed: Option<f64>,
    /// Seed generated ids, addresses and fault draws: the same seed and the same requests give the
    /// same answers.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Keep the world in FILE across runs: load it at start when it exists (instead of the
    /// scenario), write it there on SIGINT or SIGTERM (a scenario document, as
    /// `GET /__emulator/state` answers).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Print the built-in demo scenario and exit.
    #[arg(long)]
    print_scenario: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_scenario {
        print!("{}", rackconnect_emulator::scenario::DEFAULT_SCENARIO);
        return ExitCode::SUCCESS;
    }
    if let Err(refused) = host::check_listen(args.listen, args.public, ("--listen", "--public")) {
        eprintln!("rackconnect-emulator: {refused}");
        return ExitCode::from(2);
    }
    if let Some(warning) = host::beyond_this_machine(args.listen, "--public") {
        eprintln!("rackconnect-emulator: warning: {warning}");
    }
    let scenario = match host::initial_world(args.state.as_deref(), args.scenario.as_deref()) {
        Ok(scenario) => scenario,
        Err(e) => {
            eprintln!("rackconnect-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(speed) = args.clock_speed.filter(|s| !clock::speed_is_valid(*s)) {
        eprintln!("rackconnect-emulator: --clock-speed: expected {}, found {speed}", clock::SPEED_EXPECTED);
        return ExitCode::from(2);
    }
    let options = Options { listen: args.listen, cors: args.cors, clock_speed: args.clock_speed, seed: args.seed };
    let emulator = match Emulator::start(scenario, options) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("rackconnect-emulator: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    match host::serve(emulator, args.state.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rackconnect-emulator: {e}");
            ExitCode::from(1)
        }
    }
}
