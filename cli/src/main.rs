//! `rackconnect`: wait for RackConnect automation the right way, and put servers into pools and
//! give them public IPs, repeatably. Everything it does is done by the core crate; the command
//! only reads the command line, picks credentials and endpoints (`context`), and prints (`output`,
//! `report`). One file per command group: `v2`, `server`, `v3`, `demo`.

mod args;
mod context;
mod credentials;
mod demo;
mod exit;
mod output;
mod report;
mod server;
mod v2;
mod v3;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Parser;
use rackconnect_emulator::{Emulator, Options, Scenario};
use serde_json::json;

use args::{Cli, Command};
use context::Context;
use output::Format;

/// A failure to report: the exit code and the message.
pub struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn with_message(self, message: String) -> Self {
        Self { message, ..self }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self { code: exit::USAGE, message: message.into() }
    }
}

impl From<rackconnect::Error> for Failure {
    fn from(error: rackconnect::Error) -> Self {
        Self { code: exit::of_error(&error), message: error.to_string() }
    }
}

/// What a command ends with: an exit code, or a failure to report.
pub(crate) type CommandResult = Result<u8, Failure>;

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_interrupt_handler();
    let format = cli.global.output;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            match format {
                Format::Json => println!("{}", json!({"error": failure.message, "exit_code": failure.code})),
                Format::Text => eprintln!("error: {}", rackconnect::client::terminal_safe(&failure.message)),
            }
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Emulator { print_scenario: true, .. } => {
            print!("{}", rackconnect_emulator::scenario::DEFAULT_SCENARIO);
            Ok(exit::DONE)
        }
        Command::Emulator { listen, scenario, cors, clock_speed, .. } => {
            run_emulator(listen, scenario, cors, clock_speed)
        }
        Command::Demo => demo::run(&cli.global),
        command => {
            let mut ctx = Context::new(cli.global)?;
            match command {
                Command::V2 { command } => v2::command(&mut ctx, command),
                Command::Server { command } => server::command(&mut ctx, command),
                Command::V3 { command } => v3::command(&mut ctx, command),
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
