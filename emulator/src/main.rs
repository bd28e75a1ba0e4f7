//! `rackconnect-emulator`: runs the emulator until interrupted. The first line on stdout is
//! `listening on http://ADDR:PORT`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use rackconnect_emulator::{Emulator, Options, Scenario};

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
    let saved = args.state.as_ref().filter(|path| path.exists());
    let scenario = match saved.or(args.scenario.as_ref()) {
        None => Scenario::demo(),
        Some(path) => {
            match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| Scenario::from_json(&t)) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("rackconnect-emulator: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
    };
    if args.clock_speed.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
        eprintln!("rackconnect-emulator: --clock-speed must be a non-negative number");
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
    println!("listening on {}", emulator.url());
    let _flushed = std::io::stdout().flush();
    let Some(state) = args.state else {
        emulator.wait();
        return ExitCode::SUCCESS;
    };
    if let Err(e) = until_stopped() {
        eprintln!("rackconnect-emulator: cannot wait for a signal: {e}");
        return ExitCode::from(1);
    }
    let snapshot = emulator.engine().snapshot();
    emulator.stop();
    match save(&state, &snapshot) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rackconnect-emulator: cannot write the state to {}: {e}", state.display());
            ExitCode::from(1)
        }
    }
}

/// Blocks until SIGINT or SIGTERM.
fn until_stopped() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                result = tokio::signal::ctrl_c() => result,
                _ = terminate.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await
    })
}

/// Writes the state whole or not at all (a temporary file beside it, then renamed), readable by
/// its owner only: it holds the scenario's credentials and the live tokens.
fn save(path: &std::path::Path, snapshot: &Scenario) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(snapshot).map_err(std::io::Error::other)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}
