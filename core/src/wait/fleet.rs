//! Waiting for many servers at once (see [`FleetWaiter`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::addresses::AddressRead;
use super::{BudgetKind, Clock, Event, Machine, MetadataWaitConfig, Millis, Outcome, RateBudget, Step, WaitResult};
use crate::error::Error;
use crate::http::Response;
use crate::id::ServerId;
use crate::inventory::ReachedBy;
use crate::secret::Token;
use crate::servers::{self, ManagedStatus, Server, ServersEndpoint, keys};
use crate::time::Timestamp;
use crate::v2::AutomationStatus;
use crate::v3::V3Endpoint;

/// How far the client's clock may be ahead of the region's before a `changes-since` filter
/// could leave out a server it should list: the filter asks for this much more.
pub const CHANGES_SINCE_MARGIN_MS: Millis = 15 * 60_000;

/// Which servers a fleet wait is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fleet {
    /// These servers, by id (a name is resolved to its id before the wait: see
    /// [`crate::client::work::fleet_wait`]).
    Ids(Vec<ServerId>),
    /// Every server of the region built at most this long before the region's first answer
    /// (Nova's `created` against the answer's `Date`), fixed at the first walk of the pages.
    BuiltWithin(Millis),
}

/// How one server of a fleet wait ended, with what was last read of it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FleetServer {
    /// The server's id.
    pub id: String,
    /// The server's name, once read.
    pub name: Option<String>,
    /// How its wait ended.
    pub outcome: Outcome,
    /// Whether it ended well (`done`, or `not_applicable` when the caller said that is fine).
    pub ok: bool,
    /// One line saying how it ended, in the words of a one-server wait.
    pub summary: String,
    /// RackConnect v2 automation (`rackconnect_automation_status`), as last read.
    pub status: Option<AutomationStatus>,
    /// Managed Operations (`rax_service_level_automation`), as last read.
    pub managed_status: Option<ManagedStatus>,
    /// Nova's status (`BUILD`, `ACTIVE`, `ERROR`, …), as last read.
    pub nova_status: Option<String>,
    /// Why it failed, does not apply, or is still waited for, when known.
    pub reason: Option<String>,
    /// The address to reach it by (the inventory's rule: the RackConnect v2 public IP once
    /// `DEPLOYED`, else its active RackConnect v3 public IP, `accessIPv4`, the public network,
    /// a cloud network, ServiceNet).
    pub reachable_ip: Option<String>,
    /// Where `reachable_ip` came from.
    pub reached_by: Option<ReachedBy>,
    /// When it ended, from the start of the wait (the wait's end for a server still waited for).
    pub elapsed_ms: Millis,
}

/// How many servers ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FleetCounts {
    /// Servers waited for.
    pub total: u32,
    /// `done`.
    pub done: u32,
    /// `failed`.
    pub failed: u32,
    /// `not_applicable`.
    pub not_applicable: u32,
    /// `timed_out`: still waited for at the deadline.
    pub timed_out: u32,
    /// `cancelled`: still waited for when the wait was cancelled.
    pub cancelled: u32,
    /// `forbidden`: still waited for when the service refused the token.
    pub forbidden: u32,
    /// `error`: not found, gone during the wait, or still waited for when an error ended it.
    pub error: u32,
}

impl FleetCounts {
    fn of(servers: &[FleetServer]) -> Self {
        let mut counts = FleetCounts { total: u32::try_from(servers.len()).unwrap_or(u32::MAX), ..Self::default() };
        for server in servers {
            let count = match server.outcome {
                Outcome::Done => &mut counts.done,
                Outcome::Failed => &mut counts.failed,
                Outcome::NotApplicable => &mut counts.not_applicable,
                Outcome::TimedOut => &mut counts.timed_out,
                Outcome::Cancelled => &mut counts.cancelled,
                Outcome::Forbidden => &mut counts.forbidden,
                Outcome::Error => &mut counts.error,
            };
            *count += 1;
        }
        counts
    }

    /// `7 done, 2 FAILED, 1 not applicable`: the non-zero counts, in a fixed order.
    fn words(&self) -> String {
        let parts: Vec<String> = [
            (self.done, "done"),
            (self.failed, "FAILED"),
            (self.not_applicable, "not applicable"),
            (self.timed_out, "still waiting"),
            (self.cancelled, "cancelled"),
            (self.forbidden, "refused"),
            (self.error, "error"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
    }
}

/// The result of a fleet wait: how the batch ended, and each server's own end.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FleetWaitResult {
    /// How the batch ended: `done` when every server is done; `not_applicable` when every
    /// server is done or not applicable; `failed` when one failed; `error` when one was not
    /// found (or none was selected); otherwise how the wait itself ended (`timed_out`,
    /// `cancelled`, `forbidden`, `error`).
    pub outcome: Outcome,
    /// The verdict: true when the batch ended well (`done`, or `not_applicable` when the
    /// caller said that is fine).
    pub ok: bool,
    /// One line saying how the batch ended: the counts, then the servers that did not end well.
    pub summary: String,
    /// Why the batch did not end well, when known (the servers that did not, or the error).
    pub reason: Option<String>,
    /// The error that ended the whole wait (a refused token, an answer no retry can fix).
    pub error: Option<Error>,
    /// Each server, in the order given (by name for a `built_within` wait).
    pub servers: Vec<FleetServer>,
    /// How many ended each way.
    pub counts: FleetCounts,
    /// Requests sent (pages read).
    pub requests: u32,
    /// Time from the start to the end.
    pub elapsed_ms: Millis,
    #[serde(skip)]
    not_applicable_ok: bool,
}

impl crate::client::Verdict for FleetWaitResult {
    fn add_requests(&mut self, sent: u32) {
        self.requests += sent;
    }

    /// A window that held no server: nothing was waited for.
    fn input_error(&self) -> Option<Error> {
        self.error.clone().filter(|e| self.servers.is_empty() && matches!(e, Error::InvalidInput { .. }))
    }

    fn judge(&mut self) {
        self.counts = FleetCounts::of(&self.servers);
        self.ok = match self.outcome {
            Outcome::Done => true,
            Outcome::NotApplicable => self.not_applicable_ok,
            _ => false,
        };
        let head = match self.outcome {
            Outcome::TimedOut => format!("timed out after {} s", self.elapsed_ms / 1000),
            other => crate::client::outcome_word(other).to_owned(),
        };
        let total = self.counts.total;
        let servers = if total == 1 { "server" } else { "servers" };
        let mut summary = format!("{head}: {total} {servers}: {}", self.counts.words());
        if let Some(reason) = &self.reason {
            summary.push_str(&format!("; {reason}"));
        }
        self.summary = summary;
    }
}

/// Where one part of a server's wait stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Pending,
    Settled,
}

/// An instant a grace counts from: on the region's clock (an answer's `Date`, a `created`)
/// when known, and on the runner's.
#[derive(Clone, Copy, Debug)]
struct Anchor {
    region: Option<i64>,
    runner: Millis,
}

impl Anchor {
    /// Time since the anchor at an answer: by the region's clock when both are known (the
    /// emulator's clock may run faster than the runner's), else by the runner's.
    fn elapsed(&self, region_now: Option<i64>, now: Millis) -> Millis {
        match (self.region, region_now) {
            (Some(from), Some(at)) => Millis::try_from(at.saturating_sub(from)).unwrap_or(0),
            _ => now.saturating_sub(self.runner),
        }
    }
}

#[derive(Debug)]
struct Ended {
    outcome: Outcome,
    reason: Option<String>,
    at: Millis,
}

/// One server of the batch.
#[derive(Debug)]
struct Tracked {
    id: String,
    key: String,
    rackconnect: Part,
    managed: Part,
    not_applicable: Vec<String>,
    last_status: Option<String>,
    last: Option<Server>,
    rackconnect_from: Anchor,
    managed_from: Option<Anchor>,
    building: bool,
    said_missing: BTreeSet<&'static str>,
    said_unknown: BTreeSet<String>,
    ended: Option<Ended>,
}

impl Tracked {
    fn new(id: String, config: &MetadataWaitConfig, start: Millis) -> Self {
        Self {
            key: id.to_ascii_lowercase(),
            id,
            rackconnect: if config.rackconnect { Part::Pending } else { Part::Settled },
            managed: if config.managed { Part::Pending } else { Part::Settled },
            not_applicable: Vec::new(),
            last_status: None,
            last: None,
            rackconnect_from: Anchor { region: None, runner: start },
            managed_from: None,
            building: false,
            said_missing: BTreeSet::new(),
            said_unknown: BTreeSet::new(),
            ended: None,
        }
    }

    fn name(&self) -> &str {
        self.known_name().unwrap_or(&self.id)
    }

    /// Its name, once a page has shown one.
    fn known_name(&self) -> Option<&str> {
        self.last.as_ref().and_then(|s| s.name.as_deref()).filter(|n| !n.is_empty())
    }

    /// What it was still waiting for, with the status that part last had: RackConnect's
    /// automation until it settles, then Managed Operations (the status of a part already
    /// settled, such as a DEPLOYED under a Managed wait, would mislead).
    fn awaited(&self) -> String {
        let (part, key) = if self.rackconnect == Part::Pending {
            ("RackConnect automation", keys::AUTOMATION_STATUS)
        } else {
            ("Managed Operations", keys::MANAGED_STATUS)
        };
        match (self.last.is_some(), self.awaited_status()) {
            (false, _) => format!("{part} (the server was not seen yet)"),
            (true, Some(status)) => format!("{part} ({status})"),
            (true, None) if self.building => format!("{part} (the server is still being built)"),
            (true, None) => format!("{part} ({key} not written yet)"),
        }
    }

    /// The last status of the part [`awaited`](Self::awaited).
    fn awaited_status(&self) -> Option<String> {
        let view = &self.last.as_ref()?.rackconnect;
        if self.rackconnect == Part::Pending {
            view.automation_status.as_ref().map(|s| s.as_str().to_owned())
        } else {
            view.managed_status.as_ref().map(|s| s.as_str().to_owned())
        }
    }
}

/// What one answer says about the time: the runner's and the region's.
#[derive(Clone, Copy, Debug)]
struct At {
    now: Millis,
    region: Option<i64>,
}

impl At {
    fn anchor(self) -> Anchor {
        Anchor { region: self.region, runner: self.now }
    }
}

/// The walk of the pages in progress.
#[derive(Debug, Default)]
struct Round {
    marker: Option<ServerId>,
    seen: BTreeSet<String>,
    /// Every server read, kept only while a `built_within` selection is being made.
    listed: Vec<Server>,
    /// The region's clock at the first page.
    first_date: Option<i64>,
}

/// Waits for a batch of servers at once: RackConnect v2 automation and Managed Operations of
/// every server, read from `servers/detail` pages (a hundred servers a request) rather than one
/// server a request.
///
/// Rackspace asks RackConnect customers to build in batches (up to 30 Linux or 20 Windows
/// servers at a time) and to wait for each batch. A waiter per server spends a request per
/// server per poll against Cloud Servers' own limits; [`FleetWaiter`] spends one request per page
/// of the region's servers per poll, and judges every server of the batch on its own:
///
/// - `FAILED` (RackConnect), `Build Error` or `Authentication Error` (Managed Operations), or
///   Nova's `ERROR` end that server at once as failed; the others are still waited for.
/// - `UNPROCESSABLE` (with its reason) ends it as not applicable, as does a key still missing
///   past the grace.
/// - A missing key is pending within the grace, counted from the server's build (Nova's
///   `created` against the answer's `Date`, the region's own clock) or from when it left
///   `BUILD`; Managed Operations' key from when RackConnect was seen to settle in this wait
///   (or, when only Managed Operations is waited for, from the first look at the built server).
///   Without those times, from the start of the wait, as [`MetadataWaiter`](super::MetadataWaiter)
///   counts.
/// - A server the region does not have (at the first complete walk of the pages), or that
///   disappears during the wait, ends with an error in the one wording ("server … not found in
///   region …").
///
/// A poll reads pages from the first one until every server still waited for has been seen
/// (a batch built together is usually on one or two pages); a server is only declared missing
/// after a walk of every page. Each server ends with its reachable address by the inventory's
/// rule ([`crate::inventory::reachable`]: the RackConnect v2 public IP once `DEPLOYED`, then
/// the server's active RackConnect v3 public IP, `accessIPv4`, the public network, a cloud
/// network, ServiceNet). For the v3 step, a waiter told the region's RackConnect v3 endpoint
/// ([`FleetWaiter::with_rackconnect_v3`]) reads the region's public IPs once, after every server
/// has ended, when a server's address could come from one; a refusal or an error of that read
/// (an account without RackConnect v3 there) leaves Cloud Servers' addresses, as does a wait
/// cut short (deadline, cancel) before or during it.
///
/// Filters: `servers/detail` cannot be asked for a list of ids. Its documented `changes-since`
/// ("when the server last changed status") narrows only the first listing of a
/// [`Fleet::BuiltWithin`] wait (a server built since then changed since then); the selection is
/// still made by `created`, so a service that ignores the filter (the emulator does) changes
/// nothing. Polls never use it: a metadata write is not documented to count as a change.
#[derive(Debug)]
pub struct FleetWaiter {
    endpoint: ServersEndpoint,
    token: Token,
    config: MetadataWaitConfig,
    clock: Clock,
    page_size: u32,
    /// `Some` until a `built_within` selection is made at the end of the first walk.
    selecting: Option<Millis>,
    /// The window of a `built_within` selection once made.
    selected_within: Option<Millis>,
    /// The caller's name for the window, for the error of one that holds no server.
    window_field: String,
    tracked: Vec<Tracked>,
    index: BTreeMap<String, usize>,
    round: Round,
    region: Option<crate::Region>,
    /// The region's RackConnect v3 public IPs, read once after the servers have ended.
    addresses: AddressRead,
    result: Option<FleetWaitResult>,
}

impl FleetWaiter {
    /// Names the window as the caller's users know it (`--built-within`), for the error of a
    /// window that holds no server; `built_within` otherwise.
    #[must_use]
    pub fn window_named(mut self, field: &str) -> Self {
        field.clone_into(&mut self.window_field);
        self
    }

    /// The region as its words say it: `DFW`, or "the region" when unknown.
    fn region_words(&self) -> String {
        self.region.map_or_else(|| "the region".to_owned(), |r| r.upper().to_owned())
    }

    /// A waiter for `fleet`, starting at `now`, reading `servers/detail` at `endpoint`.
    pub fn new(endpoint: ServersEndpoint, token: Token, fleet: Fleet, config: MetadataWaitConfig, now: Millis) -> Self {
        let clock = Clock::new(&config.wait, now);
        let mut waiter = Self {
            endpoint,
            token,
            clock,
            page_size: crate::client::defaults::PAGE_SIZE,
            selecting: None,
            selected_within: None,
            window_field: "built_within".to_owned(),
            tracked: Vec::new(),
            index: BTreeMap::new(),
            round: Round::default(),
            region: None,
            addresses: AddressRead::default(),
            result: None,
            config,
        };
        match fleet {
            Fleet::Ids(ids) => {
                for id in ids {
                    waiter.track(id.as_str().to_owned());
                }
            }
            Fleet::BuiltWithin(within) => waiter.selecting = Some(within),
        }
        waiter
    }

    /// The region the endpoint serves: a server it does not have ends with "server … not found
    /// in region …", the words every front door uses.
    #[must_use]
    pub fn in_region(mut self, region: crate::Region) -> Self {
        self.region = Some(region);
        self
    }

    /// The region's RackConnect v3 (from the catalog), whose active public IPs are the servers'
    /// addresses where the inventory's rule puts them first.
    #[must_use]
    pub fn with_rackconnect_v3(mut self, endpoint: V3Endpoint) -> Self {
        self.addresses = AddressRead::new(Some(endpoint));
        self
    }

    /// Servers per page (at least 1; the core's default is 100).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    fn track(&mut self, id: String) {
        let tracked = Tracked::new(id, &self.config, self.clock.start);
        if !self.index.contains_key(&tracked.key) {
            self.index.insert(tracked.key.clone(), self.tracked.len());
            self.tracked.push(tracked);
        }
    }

    fn pending(&self) -> impl Iterator<Item = &Tracked> {
        self.tracked.iter().filter(|t| t.ended.is_none())
    }

    fn not_found(&self, id: &str) -> String {
        match self.region {
            Some(region) => servers::not_found_message(id, region),
            None => format!("server {id} not found"),
        }
    }

    /// Ends one server, with an event.
    fn end(&mut self, i: usize, now: Millis, outcome: Outcome, reason: Option<String>) {
        let total = self.tracked.len();
        let t = &mut self.tracked[i];
        if t.ended.is_some() {
            return;
        }
        t.ended = Some(Ended { outcome, reason, at: now });
        let server = self.server_result(i, now, None);
        let ended = self.tracked.iter().filter(|t| t.ended.is_some()).count();
        self.clock.events.push(Event::ServerEnded {
            at: now,
            id: server.id,
            name: server.name,
            outcome: server.outcome,
            summary: server.summary,
            ended: u32::try_from(ended).unwrap_or(u32::MAX),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        });
    }

    /// Server `i` as a result: how it ended, or `pending` (how the wait ended) if it had not.
    fn server_result(&self, i: usize, now: Millis, pending: Option<(Outcome, Option<String>)>) -> FleetServer {
        use crate::client::Verdict;
        let t = &self.tracked[i];
        let (outcome, reason, at) = match (&t.ended, pending) {
            (Some(ended), _) => (ended.outcome, ended.reason.clone(), ended.at),
            (None, Some((outcome, reason))) => (outcome, reason, now),
            (None, None) => (Outcome::TimedOut, None, now),
        };
        // The one-server wait's words for the same end. A server the wait ended before it did
        // says what it was still waiting for, and the status of that part (not of one settled).
        let (status, reason, summary_reason) = match (&t.ended, reason) {
            (None, None) => {
                let status = t.awaited_status();
                let awaited = format!("still waiting for {}", t.awaited());
                (status.clone(), Some(awaited.clone()), status.is_none().then_some(awaited))
            }
            (_, reason) => (t.last_status.clone(), reason.clone(), reason),
        };
        let mut verdict = WaitResult::new(outcome, status, 0, at.saturating_sub(self.clock.start));
        verdict.reason = summary_reason;
        verdict.not_applicable_ok = self.config.wait.not_applicable_ok;
        verdict.judge();
        let last = t.last.as_ref();
        let reached = last.and_then(|s| self.addresses.reachable(s, &t.id));
        FleetServer {
            id: t.id.clone(),
            name: last.and_then(|s| s.name.clone()),
            outcome,
            ok: verdict.ok,
            summary: verdict.summary,
            status: last.and_then(|s| s.rackconnect.automation_status.clone()),
            managed_status: last.and_then(|s| s.rackconnect.managed_status.clone()),
            nova_status: last.and_then(|s| s.status.clone()),
            reason,
            reachable_ip: reached.as_ref().map(|(ip, _)| ip.clone()),
            reached_by: reached.map(|(_, by)| by),
            elapsed_ms: at.saturating_sub(self.clock.start),
        }
    }

    /// Ends the wait. `outcome`: how the wait itself ended (timed out, cancelled, refused, an
    /// error), which every server not ended yet ends as; `None` when every server has ended.
    fn finish(&mut self, now: Millis, outcome: Option<Outcome>, error: Option<Error>) {
        let why = error.as_ref().map(ToString::to_string);
        // A refusal or an error is each pending server's reason too; a timeout or a
        // cancellation says itself (with the last status) in each one's summary.
        let pending = outcome.map(|o| (o, why.clone().filter(|_| matches!(o, Outcome::Forbidden | Outcome::Error))));
        let servers: Vec<FleetServer> =
            (0..self.tracked.len()).map(|i| self.server_result(i, now, pending.clone())).collect();
        let any = |o: Outcome| servers.iter().any(|s| s.outcome == o);
        let batch = match outcome {
            Some(outcome) => outcome,
            None if servers.is_empty() => Outcome::Error,
            None if any(Outcome::Failed) => Outcome::Failed,
            None if any(Outcome::Error) => Outcome::Error,
            None if any(Outcome::NotApplicable) => Outcome::NotApplicable,
            None => Outcome::Done,
        };
        let reason = if let Some(why) = &why {
            Some(why.clone())
        } else if servers.is_empty() {
            Some(match self.selected_within {
                Some(within) => format!(
                    "no server of {} was built in the last {} (by Nova's created and the region's clock)",
                    self.region_words(),
                    duration_words(within)
                ),
                None => "no servers to wait for".to_owned(),
            })
        } else {
            // The servers that did not end well, each by name with why.
            let lines: Vec<String> = self
                .tracked
                .iter()
                .zip(&servers)
                .filter(|(_, s)| s.outcome != Outcome::Done)
                .map(|(t, s)| match s.outcome {
                    Outcome::TimedOut | Outcome::Cancelled => {
                        format!("{}: still waiting for {}", t.name(), t.awaited())
                    }
                    _ => format!("{}: {}", t.name(), s.reason.as_deref().unwrap_or(&s.summary)),
                })
                .collect();
            (!lines.is_empty()).then(|| crate::error::bounded_list(lines.iter().map(String::as_str)))
        };
        // A timeout says what kept going wrong, as the one-server wait does.
        let reason = match (&self.clock.last_problem, outcome) {
            (Some(problem), Some(Outcome::TimedOut)) => Some(match reason {
                Some(reason) => format!("{reason}; the last attempt: {problem}"),
                None => format!("the last attempt: {problem}"),
            }),
            _ => reason,
        };
        // A window that holds no server is the caller's mistake (the wrong region or window),
        // an error of its input as an unknown name is: there is nothing to wait for.
        let error = match (&error, self.selected_within) {
            (None, Some(within)) if servers.is_empty() => Some(Error::invalid(
                &self.window_field,
                format!(
                    "a window in which a server of {} was built (by Nova's created and the region's clock)",
                    self.region_words(),
                ),
                &duration_words(within),
            )),
            _ => error,
        };
        let mut result = FleetWaitResult {
            outcome: batch,
            ok: false,
            summary: String::new(),
            reason,
            error,
            counts: FleetCounts::of(&servers),
            servers,
            requests: self.clock.requests,
            elapsed_ms: now.saturating_sub(self.clock.start),
            not_applicable_ok: self.config.wait.not_applicable_ok,
        };
        // Judged here too, so that a machine driven by hand (not through a task) has its words.
        crate::client::Verdict::judge(&mut result);
        self.result = Some(result);
    }

    fn missing(&mut self, i: usize, at: At, key: &'static str, from: Anchor) -> bool {
        let grace = self.config.grace_ms;
        let spent = from.elapsed(at.region, at.now);
        if spent >= grace {
            return true;
        }
        let t = &mut self.tracked[i];
        if t.said_missing.insert(key) {
            let grace_until = at.now.saturating_add(grace - spent);
            let (id, name) = (Some(t.id.clone()), t.known_name().map(str::to_owned));
            self.clock.events.push(Event::KeyMissing { at: at.now, key: key.to_owned(), id, name, grace_until });
        }
        false
    }

    fn saw(&mut self, i: usize, now: Millis, what: &str, status: &str) {
        let id = self.tracked[i].id.clone();
        let key = (what.to_owned(), Some(id.clone()));
        // Only changes: a batch of 200 read every few seconds would otherwise say everything
        // again at every poll.
        if self.clock.seen.get(&key).map(String::as_str) != Some(status) {
            let name = self.tracked[i].known_name().map(str::to_owned);
            self.clock.saw_named(now, what, Some(&id), name.as_deref(), status);
        }
        self.tracked[i].last_status = Some(status.to_owned());
    }

    fn unknown(&mut self, i: usize, now: Millis, what: &str, status: &str) {
        if self.tracked[i].said_unknown.insert(format!("{what} {status}")) {
            self.clock.events.push(Event::UnknownStatus { at: now, what: what.into(), status: status.into() });
        }
    }

    /// Judges server `i` by what a page says of it.
    fn read(&mut self, i: usize, server: &Server, at: At) {
        let nova = server.status.clone().unwrap_or_default();
        self.tracked[i].last = Some(server.clone());
        if self.tracked[i].ended.is_some() {
            return;
        }
        if ["DELETED", "SOFT_DELETED"].iter().any(|s| nova.eq_ignore_ascii_case(s)) {
            let reason = format!("{} (deleted during the wait)", self.not_found(&self.tracked[i].id));
            return self.end(i, at.now, Outcome::Error, Some(reason));
        }
        if nova.eq_ignore_ascii_case("ERROR") {
            return self.end(i, at.now, Outcome::Failed, Some("the build failed (Nova status ERROR)".into()));
        }
        let building = ["BUILD", "REBUILD"].iter().any(|s| nova.eq_ignore_ascii_case(s));
        {
            let t = &mut self.tracked[i];
            if t.building && !building {
                // RackConnect starts once the build is done: its grace counts from then.
                t.rackconnect_from = at.anchor();
            }
            t.building = building;
        }
        let view = &server.rackconnect;
        if self.tracked[i].rackconnect == Part::Pending {
            match &view.automation_status {
                None if building => {}
                None => {
                    let from = self.tracked[i].rackconnect_from;
                    if self.missing(i, at, keys::AUTOMATION_STATUS, from) {
                        let t = &mut self.tracked[i];
                        t.rackconnect = Part::Settled;
                        t.managed_from = Some(at.anchor());
                        t.not_applicable
                            .push(format!("{} never appeared: not a RackConnect v2 server", keys::AUTOMATION_STATUS));
                    }
                }
                Some(status) => {
                    self.saw(i, at.now, "rackconnect", status.as_str());
                    match status {
                        AutomationStatus::Deployed => {
                            let t = &mut self.tracked[i];
                            t.rackconnect = Part::Settled;
                            t.managed_from = Some(at.anchor());
                        }
                        AutomationStatus::Failed => {
                            return self.end(i, at.now, Outcome::Failed, Some("RackConnect automation FAILED".into()));
                        }
                        AutomationStatus::Unprocessable => {
                            let reason = view.unprocessable_reason.clone().unwrap_or_else(|| "no reason given".into());
                            let t = &mut self.tracked[i];
                            t.rackconnect = Part::Settled;
                            t.managed_from = Some(at.anchor());
                            t.not_applicable.push(format!("UNPROCESSABLE: {reason}"));
                        }
                        AutomationStatus::Deploying => {}
                        other => self.unknown(i, at.now, "rackconnect", other.as_str()),
                    }
                }
            }
        }
        // Managed Operations runs after RackConnect; its status is read once RackConnect is
        // settled, and its key's grace counts from then.
        if self.tracked[i].managed == Part::Pending && self.tracked[i].rackconnect == Part::Settled {
            match &view.managed_status {
                None if building => {}
                None => {
                    // Only Managed Operations waited for: from the first look at the built
                    // server, as when RackConnect is seen to settle. Managed Operations runs after
                    // RackConnect, whose end an earlier build does not tell; a grace counted from
                    // the build would call a key not written yet "not applicable".
                    let from = *self.tracked[i].managed_from.get_or_insert(at.anchor());
                    if self.missing(i, at, keys::MANAGED_STATUS, from) {
                        let t = &mut self.tracked[i];
                        t.managed = Part::Settled;
                        t.not_applicable
                            .push(format!("{} never appeared: no Managed Operations here", keys::MANAGED_STATUS));
                    }
                }
                Some(status) => {
                    self.saw(i, at.now, "managed", status.as_str());
                    match status {
                        ManagedStatus::Complete => self.tracked[i].managed = Part::Settled,
                        failed if failed.is_failure() => {
                            let reason = format!("Managed Operations FAILED: {failed}");
                            return self.end(i, at.now, Outcome::Failed, Some(reason));
                        }
                        ManagedStatus::Pending | ManagedStatus::InProgress => {}
                        other => self.unknown(i, at.now, "managed", other.as_str()),
                    }
                }
            }
        }
        let t = &self.tracked[i];
        if t.rackconnect == Part::Settled && t.managed == Part::Settled {
            if t.not_applicable.is_empty() {
                self.end(i, at.now, Outcome::Done, None);
            } else {
                let reason = crate::error::bounded_list(t.not_applicable.iter().map(String::as_str));
                self.end(i, at.now, Outcome::NotApplicable, Some(reason));
            }
        }
    }

    /// The earliest instant a missing key's grace ends, to look again then rather than later.
    fn next_grace_end(&self, at: At) -> Option<Millis> {
        let grace = self.config.grace_ms;
        self.pending()
            .filter(|t| !t.building)
            .filter_map(|t| {
                let view = &t.last.as_ref()?.rackconnect;
                let from = if t.rackconnect == Part::Pending && view.automation_status.is_none() {
                    t.rackconnect_from
                } else if t.managed == Part::Pending && view.managed_status.is_none() {
                    t.managed_from.unwrap_or(t.rackconnect_from)
                } else {
                    return None;
                };
                Some(at.now.saturating_add(grace.saturating_sub(from.elapsed(at.region, at.now))))
            })
            .min()
    }

    /// Makes the `built_within` selection from the first walk.
    fn select(&mut self, within: Millis, at: At) {
        let listed = std::mem::take(&mut self.round.listed);
        let reference = self.round.first_date.or(at.region).unwrap_or_else(|| i64::try_from(at.now).unwrap_or(0));
        let window = i64::try_from(within).unwrap_or(i64::MAX);
        let mut chosen: Vec<&Server> = listed
            .iter()
            .filter(|s| s.id.is_some())
            .filter(|s| !s.status.as_deref().is_some_and(|n| n.eq_ignore_ascii_case("DELETED")))
            .filter(|s| s.created.is_some_and(|c| reference.saturating_sub(c.unix_millis()) <= window))
            .collect();
        chosen.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        for server in chosen {
            if let Some(id) = server.id.clone() {
                self.track(id);
            }
        }
        self.selected_within = Some(within);
        for server in &listed {
            self.read_listed(server, at);
        }
    }

    fn read_listed(&mut self, server: &Server, at: At) {
        let Some(id) = server.id.as_deref() else { return };
        if let Some(&i) = self.index.get(&id.to_ascii_lowercase()) {
            if self.tracked[i].last.is_none()
                && let Some(created) = server.created
            {
                // The grace of a key counts from the build, on the region's clock.
                self.tracked[i].rackconnect_from =
                    Anchor { region: Some(created.unix_millis()), runner: self.clock.start };
            }
            self.read(i, server, at);
        }
    }

    /// After the last page of a walk, or once every pending server was seen on this one.
    fn round_over(&mut self, complete: bool, at: At) {
        if let Some(within) = self.selecting.take() {
            self.select(within, at);
        }
        if complete {
            // A server no page listed: not in the region (or gone since the last walk).
            let unseen: Vec<usize> = (0..self.tracked.len())
                .filter(|&i| self.tracked[i].ended.is_none() && !self.round.seen.contains(&self.tracked[i].key))
                .collect();
            for i in unseen {
                let mut reason = self.not_found(&self.tracked[i].id);
                if self.tracked[i].last.is_some() {
                    reason.push_str(" (gone during the wait)");
                }
                self.end(i, at.now, Outcome::Error, Some(reason));
            }
        }
        self.round = Round::default();
        if self.pending().next().is_none() {
            // One more read, at once, when it could change an address: the region's public IPs.
            if self.addresses.begin(self.tracked.iter().filter_map(|t| t.last.as_ref()), &mut self.clock, at.now) {
                return;
            }
            return self.finish(at.now, None, None);
        }
        self.clock.again(at.now, self.config.wait.interval_ms);
        // A missing key is judged when its grace ends, not at the next poll after.
        if let Some(grace_end) = self.next_grace_end(at).filter(|&g| g > at.now) {
            self.clock.next_at = self.clock.next_at.min(grace_end);
        }
    }

    fn request(&mut self, now: Millis) -> crate::Result<crate::Request> {
        if let Some(request) = self.addresses.request(&self.token, None) {
            return request;
        }
        // The first walk of a `built_within` wait asks only for what changed since a little
        // before the window (a build is a change); the selection is made by `created` anyway.
        let since = self.selecting.and_then(|within| {
            let from = now.checked_sub(within.saturating_add(CHANGES_SINCE_MARGIN_MS))?;
            // Only from a wall clock (the driver contract's): a test's clock from zero says nothing.
            let seconds = i64::try_from(from / 1000).ok().filter(|s| *s > 946_684_800)?;
            Some(Timestamp::from_unix(seconds, 0))
        });
        servers::list_servers_detail_since(
            &self.endpoint,
            &self.token,
            Some(self.page_size),
            self.round.marker.as_ref(),
            since.as_ref(),
        )
    }
}

/// `30 min`, `90 s`, `2 h`: how a window reads in a sentence.
fn duration_words(ms: Millis) -> String {
    let seconds = ms / 1000;
    if seconds.is_multiple_of(3600) && seconds > 0 {
        format!("{} h", seconds / 3600)
    } else if seconds.is_multiple_of(60) && seconds > 0 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

impl Machine for FleetWaiter {
    type Output = FleetWaitResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<FleetWaitResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        if self.selecting.is_none() && self.tracked.is_empty() {
            self.finish(now, None, None);
            return self.poll(now, budget);
        }
        match self.clock.gate(now, budget) {
            // Every server has ended; only their addresses were being read.
            Some(Err(_)) if self.addresses.reading() => {
                self.addresses.stop();
                self.finish(now, None, None);
                return self.poll(now, budget);
            }
            Some(Err(outcome)) => {
                self.finish(now, Some(outcome), None);
                return self.poll(now, budget);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        match self.request(now) {
            Ok(request) => {
                self.clock.sent(now, budget);
                Step::Send(request)
            }
            Err(error) => {
                self.finish(now, Some(Outcome::Error), Some(error));
                self.poll(now, budget)
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        self.clock.in_flight = false;
        if self.addresses.reading() {
            if self.addresses.on_response(response, &mut self.clock, now) {
                self.finish(now, None, None);
            }
            return;
        }
        let date = response.header("Date").and_then(|d| Timestamp::parse_http_date(d).ok()).map(|t| t.unix_millis());
        let page = match servers::parse_servers_detail(response) {
            Ok(page) => page,
            Err(error) if super::is_retryable(&error) => {
                let retry_after = super::retry_after(&error);
                return self.clock.retry(now, error.to_string(), retry_after);
            }
            Err(error) => return self.finish(now, Some(super::outcome_of(&error)), Some(error)),
        };
        let at = At { now, region: date };
        if self.round.first_date.is_none() {
            self.round.first_date = date;
        }
        for server in &page.servers {
            let Some(id) = server.id.as_deref() else { continue };
            self.round.seen.insert(id.to_ascii_lowercase());
            if self.selecting.is_some() {
                self.round.listed.push(server.clone());
            } else {
                self.read_listed(server, at);
            }
        }
        let next = page.next_marker.and_then(|m| ServerId::new(m).ok());
        let moved = next.is_some() && next != self.round.marker;
        let all_seen =
            self.selecting.is_none() && self.pending().all(|t| self.round.seen.contains(&t.key) || t.ended.is_some());
        match next {
            Some(marker) if moved && !all_seen => {
                // The next page, as soon as the budget allows.
                self.round.marker = Some(marker);
                self.clock.backoff.reset();
                self.clock.next_at = now;
            }
            // No further page (or a marker that stopped moving): the walk is complete.
            _ if !moved => self.round_over(true, at),
            _ => self.round_over(false, at),
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        if self.addresses.reading() {
            if self.addresses.failed(error.to_owned(), &mut self.clock, now) {
                self.finish(now, None, None);
            }
            return;
        }
        self.clock.retry(now, error.to_owned(), None);
    }

    fn cancel(&mut self) {
        self.clock.cancelled = true;
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.clock.events)
    }

    fn budget_kind(&self) -> BudgetKind {
        BudgetKind::Api
    }

    fn deadline(&self) -> Option<Millis> {
        Some(self.clock.deadline)
    }
}
