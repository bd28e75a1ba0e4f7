//! What every command that runs the emulator decides the same way: whether it may listen where
//! asked, which world it starts with (a kept state file, else a scenario file, else the demo),
//! and how a kept state is written. The `rackconnect-emulator` binary and `rackconnect emulator`
//! both use it, and the Python wheel's `Emulator` its listening rule.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;

use crate::Scenario;

/// Refuses a listening address beyond loopback unless the caller said `public`: the emulator
/// hands out its scenario's credentials (the demo account's are published) to whoever reaches it.
/// `names` are the caller's names for the two options, for the refusal: `("--listen", ("--listen", "--public"))`
/// on a command line, `("listen", "public=True")` in Python.
pub fn check_listen(listen: SocketAddr, public: bool, names: (&str, &str)) -> Result<(), String> {
    let (listen_option, public_option) = names;
    if listen.ip().is_loopback() || public {
        Ok(())
    } else {
        Err(format!(
            "{listen_option} {listen} is not a loopback address: anyone who can reach it could sign in with the \
             emulator's credentials (the demo account's are published); listen on 127.0.0.1, or add {public_option}"
        ))
    }
}

/// The warning a host shows when it listens beyond loopback (which [`check_listen`] allowed
/// because `public_option` was given), or `None` on loopback.
pub fn beyond_this_machine(listen: SocketAddr, public_option: &str) -> Option<String> {
    (!listen.ip().is_loopback()).then(|| {
        format!(
            "listening on {listen}, beyond this machine ({public_option}): anyone who can reach it can sign in \
             with the emulator's credentials"
        )
    })
}

/// The world to start with: the kept state when `state` names a file that exists (a run that
/// was stopped wrote it), else the scenario file, else the built-in demo. An error names the file.
pub fn initial_world(state: Option<&Path>, scenario: Option<&Path>) -> Result<Scenario, String> {
    let kept = state.filter(|path| path.exists());
    let Some(path) = kept.or(scenario) else {
        return Ok(Scenario::demo());
    };
    std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| Scenario::from_json(&text))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a kept state whole or not at all (a temporary file beside it, then renamed), readable
/// by its owner only: it holds the scenario's credentials and the live tokens.
pub fn save_state(path: &Path, snapshot: &Scenario) -> io::Result<()> {
    let text = serde_json::to_string_pretty(snapshot).map_err(io::Error::other)?;
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

/// SIGINT and SIGTERM (Ctrl-C elsewhere), caught from [`Interrupts::install`] on: install them
/// before saying "listening", or a signal sent as soon as the emulator answers could come before
/// the handlers and kill it without its state being saved.
#[cfg(feature = "server")]
pub struct Interrupts {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 2],
}

#[cfg(feature = "server")]
impl Interrupts {
    /// Catches SIGINT and SIGTERM from now on.
    pub fn install() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        #[cfg(unix)]
        let signals = {
            use tokio::signal::unix::{SignalKind, signal};
            let _context = runtime.enter();
            [signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?]
        };
        Ok(Self {
            runtime,
            #[cfg(unix)]
            signals,
        })
    }

    /// Blocks until one of them arrives (or arrived since `install`).
    pub fn wait(self) -> io::Result<()> {
        #[cfg(unix)]
        {
            let [mut interrupt, mut terminate] = self.signals;
            self.runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
            Ok(())
        }
        #[cfg(not(unix))]
        self.runtime.block_on(tokio::signal::ctrl_c())
    }
}

/// Runs a started emulator until SIGINT (Ctrl-C) or SIGTERM, then stops it and, with a state
/// file, writes its state there: one way to stop it, with or without a file, so that a script's
/// `kill` and a user's Ctrl-C both end it with success. Says `listening on URL` on stdout once it
/// can be stopped safely (the first line, which scripts wait for). The error says what failed,
/// for the caller to print with its own name.
#[cfg(feature = "server")]
pub fn serve(emulator: crate::Emulator, state: Option<&Path>) -> Result<(), String> {
    let interrupts = Interrupts::install().map_err(|e| format!("cannot wait for a signal: {e}"))?;
    println!("listening on {}", emulator.url());
    let _flushed = io::stdout().flush();
    interrupts.wait().map_err(|e| format!("cannot wait for a signal: {e}"))?;
    let kept = state.map(|state| (state, emulator.engine().snapshot()));
    emulator.stop();
    match kept {
        Some((state, snapshot)) => {
            save_state(state, &snapshot).map_err(|e| format!("cannot write the state to {}: {e}", state.display()))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn only_loopback_without_public() {
        assert!(check_listen(addr("127.0.0.1:0"), false, ("--listen", "--public")).is_ok());
        assert!(check_listen(addr("[::1]:0"), false, ("--listen", "--public")).is_ok());
        let refused = check_listen(addr("0.0.0.0:8080"), false, ("--listen", "--public")).expect_err("refused");
        assert!(refused.contains("0.0.0.0:8080") && refused.contains("add --public"), "{refused}");
        assert!(check_listen(addr("0.0.0.0:8080"), true, ("--listen", "--public")).is_ok());
    }

    #[test]
    fn a_kept_state_wins_over_the_scenario_and_a_bad_file_is_named() {
        let dir = std::env::temp_dir().join(format!("rackconnect-host-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("io");
        let state = dir.join("state.json");
        let scenario = dir.join("scenario.json");
        std::fs::write(&scenario, "{not json").expect("io");
        // No state yet: the scenario file is read (and this one is bad, named in the error).
        let error = initial_world(Some(&state), Some(&scenario)).expect_err("refused");
        assert!(error.starts_with(&scenario.display().to_string()), "{error}");
        let mut kept = Scenario::demo();
        kept.servers.truncate(1);
        save_state(&state, &kept).expect("io");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&state).expect("io").permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(initial_world(Some(&state), Some(&scenario)).expect("io").servers.len(), 1);
        assert_eq!(initial_world(None, None).expect("io").servers.len(), Scenario::demo().servers.len());
        std::fs::remove_dir_all(&dir).expect("io");
    }
}
