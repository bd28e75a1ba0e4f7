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
mod verbose;

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use rackconnect_emulator::{Emulator, Options, host};
use serde_json::{Value, json};

use args::{Cli, Command, GLOBAL_OPTIONS};
use context::Context;
use output::Format;

/// A failure to report: the exit code, the message, and the core's error when there is one.
pub struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
    /// The core's error in its JSON form (`class`, `kind`, `message` and its own fields).
    pub(crate) error: Option<Value>,
}

impl Failure {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), error: None }
    }

    pub(crate) fn with_message(self, message: String) -> Self {
        Self { message, ..self }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(exit::USAGE, message)
    }

    /// The JSON form `--output json` prints on stderr: `{"error": {...}, "exit_code": N}`,
    /// `error` holding at least `kind` and `message` (the core's error form when the core
    /// raised it, with `class` and the error's own fields).
    pub(crate) fn to_json(&self) -> Value {
        let mut error = match &self.error {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            _ => json!({ "kind": exit::kind(self.code) }),
        };
        error["message"] = json!(self.message);
        json!({ "error": error, "exit_code": self.code })
    }
}

impl From<rackconnect::Error> for Failure {
    fn from(error: rackconnect::Error) -> Self {
        Self { code: exit::of_error(&error), message: error.to_string(), error: Some(error.to_json()) }
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
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    install_interrupt_handler();
    output::VERBOSE.store(cli.global.verbose, std::sync::atomic::Ordering::Relaxed);
    let format = cli.global.output;
    let result = refuse_options_that_do_not_apply(&matches).and_then(|()| run(cli));
    // Whatever the command's own verdict, a result that could not be written is a failure.
    let result = match output::stdout_lost() {
        Some(lost) => Err(Failure::new(exit::FAILED, lost)),
        None => result,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            // Errors go to stderr in either format; stdout holds only results.
            match format {
                Format::Json => eprintln!("{}", failure.to_json()),
                Format::Text => eprintln!("error: {}", rackconnect::client::terminal_safe(&failure.message)),
            }
            ExitCode::from(failure.code)
        }
    }
}

/// The global options a command that talks to no account does not take: all of them for
/// `emulator`, `completions` and `man`; for `demo` (its own emulator, its own account) all but
/// these.
const DEMO_OPTIONS: [&str; 5] = ["output", "quiet", "verbose", "emulated_speed", "emulated"];

/// The global options only RackConnect v2 uses (asked from the server itself).
const V2_ONLY: [&str; 2] = ["v2_url", "source_address"];
/// The global options only the account's APIs use (Identity, Cloud Servers, RackConnect v3).
const ACCOUNT_ONLY: [&str; 6] = ["identity_url", "credentials", "username", "api_key", "password", "tenant"];
/// The global options that would send a command elsewhere than `--emulated`'s own emulator.
const ELSEWHERE: [&str; 2] = ["identity_url", "v2_url"];

/// Refuses a global option given to a command it does not apply to, rather than ignoring it.
fn refuse_options_that_do_not_apply(matches: &ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else { return Ok(()) };
    let given = |id: &str| [matches, sub].iter().any(|m| matches!(m.value_source(id), Some(ValueSource::CommandLine)));
    let flags = |ids: &mut dyn Iterator<Item = &str>| -> Vec<&str> {
        ids.filter(|id| given(id))
            .filter_map(|id| GLOBAL_OPTIONS.iter().find(|(i, _)| *i == id).map(|(_, f)| *f))
            .collect()
    };
    let applies = |id: &str| match name {
        "emulator" | "completions" | "man" => false,
        "demo" => DEMO_OPTIONS.contains(&id),
        "v2" => !ACCOUNT_ONLY.contains(&id),
        _ => !V2_ONLY.contains(&id),
    };
    let refused = flags(&mut GLOBAL_OPTIONS.iter().map(|(id, _)| *id).filter(|id| !applies(id)));
    if !refused.is_empty() {
        let why = match name {
            "emulator" => "it serves its scenario's account and talks to no other; see `rackconnect emulator --help`",
            "demo" => "it runs its own emulator with the demo account",
            "v2" => "RackConnect v2 is asked from the server itself, without an account",
            "server" | "v3" => "they are RackConnect v2's, which it does not ask",
            _ => "it talks to no account",
        };
        return Err(Failure::usage(format!("`rackconnect {name}` does not take {}: {why}", refused.join(", "))));
    }
    if given("emulated") {
        // The emulator's demo account would be sent to the URL given instead.
        let elsewhere = flags(&mut ELSEWHERE.into_iter());
        if !elsewhere.is_empty() {
            return Err(Failure::usage(format!(
                "--emulated talks to its own emulator, so {} cannot apply; leave out one or the other",
                elsewhere.join(" and ")
            )));
        }
    } else if given("emulated_speed") && name != "demo" {
        return Err(Failure::usage("--emulated-speed applies only with --emulated"));
    }
    Ok(())
}

fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Emulator { print_scenario: true, .. } => {
            output::write_stdout(rackconnect_emulator::scenario::DEFAULT_SCENARIO.as_bytes());
            Ok(exit::DONE)
        }
        Command::Emulator { listen, scenario, state, cors, clock_speed, seed, public, .. } => {
            run_emulator(listen, scenario, state, (cors, clock_speed, seed), public)
        }
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "rackconnect", &mut script);
            output::write_stdout(&script);
            Ok(exit::DONE)
        }
        Command::Man { dir } => man(dir),
        Command::Demo => demo::run(&cli.global),
        command => {
            let mut ctx = Context::new(cli.global)?;
            match command {
                Command::V2 { command } => v2::command(&mut ctx, command),
                Command::Server { command } => server::command(&mut ctx, command),
                Command::V3 { command } => v3::command(&mut ctx, command),
                Command::Emulator { .. } | Command::Completions { .. } | Command::Man { .. } | Command::Demo => {
                    Ok(exit::DONE)
                }
            }
        }
    }
}

/// `rackconnect man`: the page on stdout, or every command's page into a folder.
fn man(dir: Option<std::path::PathBuf>) -> CommandResult {
    let cannot = |e: std::io::Error| Failure::new(exit::FAILED, format!("cannot write the manual page: {e}"));
    match dir {
        None => output::write_stdout(&man_page().map_err(cannot)?),
        Some(dir) => {
            // A page per subcommand (rackconnect-v3-pools.1 …), then the main page with its own
            // sections in place of the generated one.
            std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir))
                .and_then(|()| std::fs::write(dir.join("rackconnect.1"), man_page()?))
                .map_err(|e| Failure::new(exit::FAILED, format!("{}: {e}", dir.display())))?;
        }
    }
    Ok(exit::DONE)
}

/// The main page: clap's sections, then exit status, JSON errors, environment and files.
fn man_page() -> std::io::Result<Vec<u8>> {
    let page = clap_mangen::Man::new(Cli::command());
    let mut out = Vec::new();
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    page.render_subcommands_section(&mut out)?;
    out.extend_from_slice(exit::MAN_SECTIONS.as_bytes());
    page.render_version_section(&mut out)?;
    Ok(out)
}

fn run_emulator(
    listen: std::net::SocketAddr,
    scenario: Option<std::path::PathBuf>,
    state: Option<std::path::PathBuf>,
    options: (bool, Option<f64>, Option<u64>),
    public: bool,
) -> CommandResult {
    let (cors, clock_speed, seed) = options;
    rackconnect_emulator::host::check_listen(listen, public, ("--listen", "--public")).map_err(Failure::usage)?;
    if let Some(warning) = host::beyond_this_machine(listen, "--public") {
        output::warn(&warning);
    }
    let world = host::initial_world(state.as_deref(), scenario.as_deref()).map_err(Failure::usage)?;
    let emulator = Emulator::start(world, Options { listen, cors, clock_speed, seed })
        .map_err(|e| Failure::new(exit::TRANSPORT, format!("cannot listen on {listen}: {e}")))?;
    host::serve(emulator, state.as_deref()).map_err(|e| Failure::new(exit::TRANSPORT, e))?;
    Ok(exit::DONE)
}
