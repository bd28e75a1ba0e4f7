//! Printing results: `--output json` prints one JSON document on stdout; `--output text` prints
//! lines a person reads. Progress goes to stderr: a live line when stdout (and stderr) is a
//! terminal, plain lines otherwise (so piping the output, e.g. `--output json | jq`, gets plain
//! lines on stderr). Nothing printed ever holds a secret (tokens serialize as `<redacted>`).

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::ValueEnum;
use rackconnect::wait::Event;
use serde::Serialize;

/// `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// One JSON document.
    Json,
}

/// Prints a result.
pub fn print<T: Serialize>(format: Format, value: &T, text: impl FnOnce() -> String) {
    let mut out = std::io::stdout().lock();
    let _written = match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        ),
        // Names and messages come from the API: no escape sequence of theirs reaches the terminal.
        Format::Text => writeln!(out, "{}", rackconnect::client::terminal_safe(&text())),
    };
}

/// Prints a warning to stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {}", rackconnect::client::terminal_safe(message));
}

/// Shows wait progress on stderr.
pub struct Progress {
    live: bool,
    quiet: bool,
    started: Instant,
    label: String,
    last: String,
}

impl Progress {
    /// A display for a wait described by `label`.
    pub fn new(label: &str, quiet: bool) -> Self {
        Self {
            live: std::io::stderr().is_terminal(),
            quiet,
            started: Instant::now(),
            label: label.to_owned(),
            last: String::new(),
        }
    }

    /// Shows one event.
    pub fn event(&mut self, event: &Event) {
        if self.quiet {
            return;
        }
        let elapsed = self.started.elapsed().as_secs();
        let line = match event {
            // Several nodes or IPs may be waited on at once: say which. A server wait is about
            // the one server the command names.
            Event::Status { what, id: Some(id), status, .. } if what == "node" || what == "public_ip" => {
                format!("{what} {id}: {status}")
            }
            Event::Status { what, status, .. } => format!("{what}: {status}"),
            Event::UnknownStatus { what, status, .. } => format!("{what}: unknown status {status:?} (waiting on)"),
            Event::KeyMissing { key, .. } => format!("{key} not written yet"),
            Event::RateLimited { at, until } => {
                format!("rate limited; next request in {} s", until.saturating_sub(*at) / 1000)
            }
            Event::Retrying { at, until, reason } => {
                format!("retrying in {} s: {reason}", until.saturating_sub(*at).div_ceil(1000))
            }
        };
        let line = rackconnect::client::terminal_safe(&line).into_owned();
        if line == self.last && !self.live {
            return;
        }
        self.last = line.clone();
        let mut err = std::io::stderr().lock();
        let _written = if self.live {
            write!(err, "\r\x1b[2K[{:>3}:{:02}] {} · {line}", elapsed / 60, elapsed % 60, self.label)
        } else {
            writeln!(err, "[{:>3}:{:02}] {} · {line}", elapsed / 60, elapsed % 60, self.label)
        };
        let _flushed = err.flush();
    }

    /// Ends the live line.
    pub fn finish(&mut self) {
        if self.live && !self.quiet && !self.last.is_empty() {
            eprintln!();
        }
    }
}
