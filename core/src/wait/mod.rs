//! Waiters and planners as sans-IO state machines.
//!
//! A [`Machine`] is told the time and the last response, and answers what to do next: send a
//! request, sleep until an instant, or stop with a result. It never sleeps, reads a clock or
//! opens a socket; a runner (the blocking client, the JS client, a test) does that:
//!
//! ```
//! use rackconnect::wait::{Machine, RateBudget, Step, V2Waiter, WaitConfig};
//! use rackconnect::v2::V2Endpoint;
//! use rackconnect::{Region, Response};
//!
//! let mut waiter = V2Waiter::new(V2Endpoint::Region(Region::Dfw), WaitConfig::default(), 0);
//! let mut budget = RateBudget::v2();
//! let mut now = 0;
//! let answers = ["DEPLOYING", "DEPLOYED"];
//! let mut next = answers.iter();
//! let result = loop {
//!     match waiter.poll(now, &mut budget) {
//!         Step::Send(_request) => {
//!             // Send it; here, a canned answer.
//!             let body = next.next().copied().unwrap_or("DEPLOYED");
//!             waiter.on_response(now, &Response::new(200, body));
//!         }
//!         Step::SleepUntil(at) => now = at,
//!         Step::Finished(result) => break result,
//!     }
//! };
//! assert_eq!(result.outcome, rackconnect::wait::Outcome::Done);
//! assert_eq!(result.requests, 2);
//! assert!(now >= 2_000, "the second poll respects the 30-per-minute pace");
//! ```

use std::collections::BTreeMap;

mod addresses;
mod budget;
mod fleet;
mod metadata;
mod v2;
mod v3;

pub use budget::{Backoff, BudgetRecord, RateBudget};
pub use fleet::{CHANGES_SINCE_MARGIN_MS, Fleet, FleetCounts, FleetServer, FleetWaitResult, FleetWaiter};
pub use metadata::{MetadataWaitConfig, MetadataWaiter};
pub use v2::V2Waiter;
pub use v3::{NodeFailure, NodesWaiter, PublicIpWaiter, Target};

use serde::Serialize;

use crate::error::Error;
use crate::http::Request;
use crate::v2::Task;

/// Milliseconds on the runner's monotonic clock. Only differences matter.
pub type Millis = u64;

/// What a machine wants next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, then report the answer with [`Machine::on_response`] (or the failure
    /// with [`Machine::on_transport_error`]) before polling again.
    Send(Request),
    /// Nothing to do until this instant (poll again then, or earlier: that is harmless).
    SleepUntil(Millis),
    /// Done; polling again returns the same result.
    Finished(T),
}

/// A sans-IO state machine driven by a runner.
pub trait Machine {
    /// What it ends with.
    type Output: Clone;

    /// What to do at `now`. `budget` is the rate budget of the API the machine polls (see
    /// [`Machine::budget_kind`]); a runner shares one per server for v2.
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Self::Output>;

    /// The answer to the last request sent.
    fn on_response(&mut self, now: Millis, response: &crate::Response);

    /// The last request got no answer (connection refused or reset, timeout, truncated body).
    fn on_transport_error(&mut self, now: Millis, error: &str);

    /// Stops at the next poll with [`Outcome::Cancelled`].
    fn cancel(&mut self);

    /// Progress since the last call, oldest first.
    fn take_events(&mut self) -> Vec<Event>;

    /// Which budget the machine's requests count against.
    fn budget_kind(&self) -> BudgetKind;

    /// When it gives up: a runner gives no request longer than the time left (see
    /// [`client`](crate::client)). `None` for a machine without a deadline.
    fn deadline(&self) -> Option<Millis> {
        None
    }
}

/// Which rate budget a machine's requests count against.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    /// RackConnect v2: 30 requests per minute per server.
    V2,
    /// Token APIs (Cloud Servers, v3): paced, not metered by the service.
    Api,
}

/// How long to wait, how often to poll.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaitConfig {
    /// Give up after this long (milliseconds from the start); the first request is always sent,
    /// so 0 checks once.
    pub timeout_ms: Millis,
    /// The pause between polls while nothing is wrong; the rate budget may stretch it.
    pub interval_ms: Millis,
    /// Seeds the backoff jitter (any value; fixed seeds make tests repeatable).
    pub seed: u64,
    /// v2: how many rate-limited answers in a row, each after a full wait, before a 403 is read
    /// as "forbidden" (not a RackConnect server) rather than "rate limited".
    pub forbidden_after: u32,
    /// Whether [`Outcome::NotApplicable`] ends well (the result's `ok`): the caller's choice,
    /// true by default.
    pub not_applicable_ok: bool,
}

impl Default for WaitConfig {
    fn default() -> Self {
        Self {
            timeout_ms: crate::client::defaults::WAIT_TIMEOUT_MS,
            interval_ms: crate::client::defaults::WAIT_INTERVAL_MS,
            seed: 0x5DEE_CE66_D1CE_4E5B,
            forbidden_after: 3,
            not_applicable_ok: true,
        }
    }
}

/// How a wait ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The target state was reached (DEPLOYED, Complete, ACTIVE, gone).
    Done,
    /// A failure state was reached (FAILED, Build Error, ADD_FAILED …); see `reason` and `tasks`.
    Failed,
    /// RackConnect (or Managed Operations) does not apply: UNPROCESSABLE, or the key never
    /// appeared within the grace period. The caller decides whether that is success.
    NotApplicable,
    /// The deadline passed first.
    TimedOut,
    /// [`Machine::cancel`] was called.
    Cancelled,
    /// The service refused (a v2 403 that persisted past rate limiting, a 401 or 403 elsewhere).
    Forbidden,
    /// A request failed in a way retrying cannot fix; see `error`.
    Error,
}

/// The result of a wait.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WaitResult {
    /// How it ended.
    pub outcome: Outcome,
    /// The last status seen (e.g. `DEPLOYED`, `In Progress`, `ACTIVE`).
    pub status: Option<String>,
    /// Why it failed or does not apply, when known.
    pub reason: Option<String>,
    /// For a v2 FAILED: the tasks from `automation_status/details`.
    pub tasks: Vec<Task>,
    /// The error behind [`Outcome::Error`] or [`Outcome::Forbidden`].
    pub error: Option<Error>,
    /// Requests sent.
    pub requests: u32,
    /// Time from the start to the end.
    pub elapsed_ms: Millis,
    /// The verdict: true when the wait ended well (`done`, or `not_applicable` when the caller
    /// said that is fine: [`WaitConfig::not_applicable_ok`]). Every front door reads this.
    pub ok: bool,
    /// One line saying how it ended, the same words in every front door.
    pub summary: String,
    #[serde(skip)]
    not_applicable_ok: bool,
}

impl WaitResult {
    pub(crate) fn new(outcome: Outcome, status: Option<String>, requests: u32, elapsed_ms: Millis) -> Self {
        Self {
            outcome,
            status,
            reason: None,
            tasks: Vec::new(),
            error: None,
            requests,
            elapsed_ms,
            ok: false,
            summary: String::new(),
            not_applicable_ok: true,
        }
    }
}

impl crate::client::Verdict for WaitResult {
    fn add_requests(&mut self, sent: u32) {
        self.requests += sent;
    }

    fn judge(&mut self) {
        let seconds = self.elapsed_ms / 1000;
        let status = self.status.as_deref();
        let reason = self.reason.as_deref();
        let error = self.error.as_ref().map(ToString::to_string);
        self.ok = match self.outcome {
            Outcome::Done => true,
            Outcome::NotApplicable => self.not_applicable_ok,
            _ => false,
        };
        self.summary = match self.outcome {
            Outcome::Done => format!("done: {}", status.unwrap_or("reached")),
            // A reason says FAILED itself when it can (v2: "automation FAILED; failed tasks: …").
            Outcome::Failed => match reason {
                Some(reason) if reason.contains("FAILED") => reason.to_owned(),
                other => format!("FAILED: {}", other.or(status).unwrap_or("no reason given")),
            },
            Outcome::NotApplicable => format!("not applicable: {}", reason.unwrap_or("no reason given")),
            Outcome::TimedOut => {
                let mut text =
                    format!("timed out after {seconds} s; the last status seen was {}", status.unwrap_or("none"));
                if let Some(reason) = reason {
                    text.push_str(&format!("; {reason}"));
                }
                text
            }
            Outcome::Cancelled => format!("cancelled after {seconds} s"),
            Outcome::Forbidden => format!("refused: {}", reason.map(str::to_owned).or(error).unwrap_or_default()),
            Outcome::Error => format!("error: {}", error.or(reason.map(str::to_owned)).unwrap_or_default()),
        };
    }
}

/// Progress, for displays and logs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ProgressEvent"))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A status was read (`changed` when it differs from the previous one).
    #[cfg_attr(feature = "schema", schemars(title = "StatusEvent"))]
    Status {
        /// When.
        at: Millis,
        /// What is being waited for (`rackconnect`, `managed`, `node`, `public_ip`).
        what: String,
        /// Which one: the node, public IP or server id; none for v2, which is always about the
        /// server that asks.
        id: Option<String>,
        /// The server's name, in a batch of servers once a page has shown it (absent otherwise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The status.
        status: String,
        /// True when it differs from the last one seen for the same `id`.
        changed: bool,
    },
    /// A status this crate does not know: surfaced, and waited through until the deadline.
    #[cfg_attr(feature = "schema", schemars(title = "UnknownStatusEvent"))]
    UnknownStatus {
        /// When.
        at: Millis,
        /// What is being waited for.
        what: String,
        /// The status as received.
        status: String,
    },
    /// A metadata key is not written yet; waiting within the grace period.
    #[cfg_attr(feature = "schema", schemars(title = "KeyMissingEvent"))]
    KeyMissing {
        /// When.
        at: Millis,
        /// The key.
        key: String,
        /// The server whose key it is.
        id: Option<String>,
        /// The server's name, in a batch of servers once a page has shown it (absent otherwise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// When the grace period ends.
        grace_until: Millis,
    },
    /// One server of a fleet wait ended (the others may still be waited for).
    #[cfg_attr(feature = "schema", schemars(title = "ServerEndedEvent"))]
    ServerEnded {
        /// When.
        at: Millis,
        /// The server's id.
        id: String,
        /// The server's name, when read.
        name: Option<String>,
        /// How its wait ended.
        outcome: Outcome,
        /// One line saying how, in the words of a one-server wait.
        summary: String,
        /// How many servers of the batch have ended, this one included.
        ended: u32,
        /// How many servers the batch has.
        total: u32,
    },
    /// The service said to slow down; no request until `until`.
    #[cfg_attr(feature = "schema", schemars(title = "RateLimitedEvent"))]
    RateLimited {
        /// When.
        at: Millis,
        /// The next request's earliest time.
        until: Millis,
    },
    /// A request failed and will be retried at `until`.
    #[cfg_attr(feature = "schema", schemars(title = "RetryingEvent"))]
    Retrying {
        /// When.
        at: Millis,
        /// The retry's time.
        until: Millis,
        /// What went wrong.
        reason: String,
    },
}

/// Shared bookkeeping of every wait: the deadline, the schedule, the count and the events.
#[derive(Debug)]
pub(crate) struct Clock {
    pub start: Millis,
    pub deadline: Millis,
    pub next_at: Millis,
    pub requests: u32,
    pub in_flight: bool,
    pub cancelled: bool,
    pub events: Vec<Event>,
    pub backoff: Backoff,
    pub last_status: Option<String>,
    /// Set when the outcome is known and one more request only completes it (FAILED's
    /// details): that request may go past the deadline.
    pub completing: bool,
    /// The last status of each (what, id), for the events' `changed`.
    seen: BTreeMap<(String, Option<String>), String>,
    /// What went wrong last (a retried error, a rate limit): the reason given for a timeout.
    pub last_problem: Option<String>,
    /// The caller's choice about not applicable, carried into the result's verdict.
    not_applicable_ok: bool,
}

impl Clock {
    pub fn new(config: &WaitConfig, now: Millis) -> Self {
        Self {
            start: now,
            deadline: now.saturating_add(config.timeout_ms),
            next_at: now,
            requests: 0,
            in_flight: false,
            cancelled: false,
            events: Vec::new(),
            backoff: Backoff::new(config.seed),
            last_status: None,
            completing: false,
            seen: BTreeMap::new(),
            last_problem: None,
            not_applicable_ok: config.not_applicable_ok,
        }
    }

    /// Records a status read of `id` (none for v2), as an event.
    pub fn saw(&mut self, now: Millis, what: &str, id: Option<&str>, status: &str) {
        self.saw_named(now, what, id, None, status);
    }

    /// [`saw`](Self::saw), for one server of a batch, by its name too.
    pub fn saw_named(&mut self, now: Millis, what: &str, id: Option<&str>, name: Option<&str>, status: &str) {
        let key = (what.to_owned(), id.map(str::to_owned));
        let changed = self.seen.get(&key).map(String::as_str) != Some(status);
        self.events.push(Event::Status {
            at: now,
            what: what.to_owned(),
            id: key.1.clone(),
            name: name.map(str::to_owned),
            status: status.to_owned(),
            changed,
        });
        self.seen.insert(key, status.to_owned());
        self.last_status = Some(status.to_owned());
    }

    /// Records a status already known before the wait began (what a planner read), without an
    /// event: seeing it again is no change.
    pub fn already_seen(&mut self, what: &str, id: Option<&str>, status: &str) {
        self.seen.insert((what.to_owned(), id.map(str::to_owned)), status.to_owned());
    }

    /// Schedules a retry after an error, honouring the service's `Retry-After`.
    pub fn retry(&mut self, now: Millis, reason: String, retry_after_s: Option<u64>) {
        let mut delay = self.backoff.next_delay();
        if let Some(secs) = retry_after_s {
            delay = delay.max(secs.saturating_mul(1000));
        }
        self.next_at = now.saturating_add(delay);
        self.last_problem = Some(reason.clone());
        self.events.push(Event::Retrying { at: now, until: self.next_at, reason });
    }

    /// Schedules the next regular poll, after an answer that was read: the problem before it,
    /// if any, is no longer "the last attempt" a timeout reports.
    pub fn again(&mut self, now: Millis, interval: Millis) {
        self.backoff.reset();
        self.last_problem = None;
        self.next_at = now.saturating_add(interval);
    }

    pub fn result(&self, outcome: Outcome, now: Millis) -> WaitResult {
        let mut result =
            WaitResult::new(outcome, self.last_status.clone(), self.requests, now.saturating_sub(self.start));
        result.not_applicable_ok = self.not_applicable_ok;
        if outcome == Outcome::TimedOut {
            // Say why it did not finish, when something kept going wrong.
            result.reason = self.last_problem.as_ref().map(|p| format!("the last attempt: {p}"));
        }
        result
    }

    /// A result that ends the wait with `error` (the error kept for the caller).
    pub fn failed(&self, outcome: Outcome, now: Millis, error: Error) -> WaitResult {
        let mut result = self.result(outcome, now);
        result.error = Some(error);
        result
    }

    /// The common part of `poll`: cancelled, timed out, or not yet time. `None` means "send now".
    pub fn gate(&mut self, now: Millis, budget: &RateBudget) -> Option<Result<Millis, Outcome>> {
        if self.cancelled {
            return Some(Err(Outcome::Cancelled));
        }
        // Every wait asks at least once, so a timeout of 0 means "check once" rather than
        // "give up without looking"; and a request that completes an outcome already known
        // (FAILED's task list) is not cut off by the deadline either, as long as it can go
        // within a short grace after it (a driver gives it at most a request's time).
        let allowed_late = self.requests == 0 || self.completing;
        if now >= self.deadline && !allowed_late {
            return Some(Err(Outcome::TimedOut));
        }
        let at = self.next_at.max(budget.next_allowed(now));
        if self.completing && at > self.deadline.saturating_add(crate::client::defaults::MIN_REQUEST_TIMEOUT_MS) {
            return Some(Err(Outcome::TimedOut));
        }
        if at > now {
            // Never sleep past the deadline (the timeout is reported on time), except for a
            // request allowed late, when the rate budget allows it.
            return Some(Ok(if allowed_late { at } else { at.min(self.deadline) }));
        }
        None
    }

    pub fn sent(&mut self, now: Millis, budget: &mut RateBudget) {
        budget.record(now);
        self.requests += 1;
        self.in_flight = true;
    }
}

/// True for errors worth retrying: the service failed or asked to slow down, or the body broke.
pub(crate) fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Api(api) => matches!(
            api.kind,
            crate::ApiErrorKind::ServerError | crate::ApiErrorKind::RateLimited | crate::ApiErrorKind::UnexpectedStatus
        ),
        // A truncated or garbled body: the next answer may be whole.
        other => other.is_parse_error(),
    }
}

/// How a wait ends on an error retrying cannot fix: refused credentials or roles are
/// [`Outcome::Forbidden`], anything else [`Outcome::Error`].
pub(crate) fn outcome_of(error: &Error) -> Outcome {
    if error.as_api().is_some_and(|a| matches!(a.status, 401 | 403)) { Outcome::Forbidden } else { Outcome::Error }
}

/// The `Retry-After` of an error, in seconds.
pub(crate) fn retry_after(error: &Error) -> Option<u64> {
    error.as_api().and_then(|api| api.retry_after)
}
