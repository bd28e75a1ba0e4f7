//! Printing results: `--output json` prints one JSON document on stdout; `--output text` prints
//! lines a person reads. Progress goes to stderr: a live line when stdout (and stderr) is a
//! terminal, plain lines otherwise (so piping the output, e.g. `--output json | jq`, gets plain
//! lines on stderr). Nothing printed ever holds a secret (tokens serialize as `<redacted>`).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
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
    let line = match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        // Names and messages come from the API: no escape sequence of theirs reaches the terminal.
        Format::Text => rackconnect::client::terminal_safe(&text()).into_owned(),
    };
    write_stdout(format!("{line}\n").as_bytes());
}

/// The first failure to write stdout, kept for [`stdout_lost`]: a result that could not be
/// written must not pass for one that was.
static LOST: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// Writes to stdout (and flushes), keeping the first failure instead of panicking as `print!` does.
pub fn write_stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        let mut lost = LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        lost.get_or_insert(e);
    }
}

/// Why stdout could not be written, when that is news: a reader that went away (`| head`) closed
/// the pipe on purpose and is not told.
pub fn stdout_lost() -> Option<String> {
    let lost = LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    lost.as_ref()
        .filter(|e| e.kind() != std::io::ErrorKind::BrokenPipe)
        .map(|e| format!("cannot write the output: {e}"))
}

/// The one JSON shape of every wait and ensure: the core's result (`ok`, `outcome`, `summary`,
/// `reason`, `requests`, `elapsed_ms` and its own fields) at the top level, and what the command
/// acted on named beside it (`node`, `public_ip`, `removed`, `reachable_ipv4`).
pub fn verdict<T: Serialize>(result: &T, beside: &[(&str, serde_json::Value)]) -> serde_json::Value {
    let mut value = serde_json::to_value(result).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut value {
        for (name, extra) in beside {
            map.insert((*name).to_owned(), extra.clone());
        }
    }
    value
}

/// Rows under a header, each column as wide as its widest cell (the last one left ragged).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, cell)| if i == last { (*cell).to_owned() } else { format!("{cell:<width$}", width = widths[i]) })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    std::iter::once(line(header.to_vec()))
        .chain(rows.iter().map(|row| line(row.iter().map(String::as_str).collect())))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints a warning to stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {}", rackconnect::client::terminal_safe(message));
}

/// Set by `--verbose`: the exchanges' lines go to stderr too, so progress is shown as plain
/// lines, never as a live line they would cut through.
pub static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Shows wait progress on stderr.
pub struct Progress {
    live: bool,
    quiet: bool,
    started: Instant,
    label: String,
    last: String,
    /// For an ensure of many pairs: the status each node was last seen in, and the one every
    /// node should reach (`ACTIVE`, or `GONE` for a removal); the line counts them: "2/4 ACTIVE".
    pairs: Option<(std::collections::BTreeMap<String, String>, &'static str)>,
    /// For a batch of servers: how many have ended of how many; each line says which server.
    fleet: Option<(u32, Option<u32>)>,
    /// The status last shown of each thing watched (what, id): a plain line says a status once,
    /// then only its changes, however the lines of several things interleave.
    shown: std::collections::BTreeMap<(String, Option<String>), String>,
}

impl Progress {
    /// A display for a wait described by `label`.
    pub fn new(label: &str, quiet: bool) -> Self {
        Self {
            live: std::io::stderr().is_terminal() && !VERBOSE.load(Ordering::Relaxed),
            quiet,
            started: Instant::now(),
            label: label.to_owned(),
            last: String::new(),
            pairs: None,
            fleet: None,
            shown: std::collections::BTreeMap::new(),
        }
    }

    /// The same display, for a wait on a batch of servers: each line names its server, and is
    /// counted ("3/10 ended").
    pub fn fleet(self) -> Self {
        Self { fleet: Some((0, None)), ..self }
    }

    /// A display for an ensure over many pairs, counting those that reached `target`.
    pub fn pairs(label: &str, quiet: bool, target: &'static str) -> Self {
        Self { pairs: Some((std::collections::BTreeMap::new(), target)), ..Self::new(label, quiet) }
    }

    /// Shows one event.
    pub fn event(&mut self, event: &Event) {
        if self.quiet {
            return;
        }
        if let Event::Status { what, id, status, .. } = event
            && !self.live
        {
            // Each read reports every status, changed or not; and a wait first announces what
            // it waits for, which its first read then reads again.
            let key = (what.clone(), id.clone());
            if self.shown.get(&key) == Some(status) {
                return;
            }
            self.shown.insert(key, status.clone());
        }
        let elapsed = self.started.elapsed().as_secs();
        let fleet = self.fleet.is_some();
        let line = match event {
            // A batch: every line names its server.
            // A server of a batch by its name once a page has shown it, as its "ended" line says it.
            Event::Status { what, id: Some(id), name, status, .. } if fleet => {
                format!("{} {what}: {status}", name.as_deref().unwrap_or(id))
            }
            Event::KeyMissing { key, id: Some(id), name, .. } if fleet => {
                format!("{}: {key} not written yet", name.as_deref().unwrap_or(id))
            }
            Event::ServerEnded { id, name, summary, .. } if fleet => {
                format!("{}: {summary}", name.as_deref().unwrap_or(id))
            }
            // Several nodes or IPs may be waited on at once: say which. A server wait is about
            // the one server the command names.
            Event::Status { what, id: Some(id), status, .. } if what == "node" || what == "public_ip" => {
                format!("{what} {id}: {status}")
            }
            Event::Status { what, status, .. } => format!("{what}: {status}"),
            Event::UnknownStatus { what, status, .. } => format!("{what}: unknown status {status:?} (waiting on)"),
            Event::KeyMissing { key, .. } => format!("{key} not written yet"),
            Event::ServerEnded { id, name, summary, ended, total, .. } => {
                format!("{ended}/{total} ended · {}: {summary}", name.as_deref().unwrap_or(id))
            }
            Event::RateLimited { at, until } => {
                format!("rate limited; next request in {} s", until.saturating_sub(*at) / 1000)
            }
            Event::Retrying { at, until, reason } => {
                format!("retrying in {} s: {reason}", until.saturating_sub(*at).div_ceil(1000))
            }
        };
        let line = match (&mut self.pairs, event) {
            (Some((seen, target)), Event::Status { what, id: Some(id), status, changed, .. }) if what == "node" => {
                seen.insert(id.clone(), status.clone());
                // The wait announces every node it is for (unchanged) before the first change:
                // plain lines show only changes, so that no line counts a partial set.
                if !changed && !self.live {
                    return;
                }
                let done = seen.values().filter(|s| s.as_str() == *target).count();
                format!("{done}/{} {target} · {line}", seen.len())
            }
            _ => line,
        };
        let line = match (&mut self.fleet, event) {
            (Some(counts), Event::ServerEnded { ended, total, .. }) => {
                *counts = (*ended, Some(*total));
                format!("{ended}/{total} ended · {line}")
            }
            (Some((ended, Some(total))), _) => format!("{ended}/{total} ended · {line}"),
            _ => line,
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
