//! The client's policy as sans-IO machines, and the contract every driver follows.
//!
//! Everything a client decides lives here: how to sign in, cache and renew a token
//! ([`Auth`]); which endpoint of the catalog to use and the default region ([`endpoint`]);
//! how a read, a change and a create are retried ([`CallKind`]); how pages are followed
//! ([`AllServers`]); the transport rule ([`url_rule`]); and every default ([`defaults`]). A
//! front door only converts its inputs, runs an [`Exchange`] with a driver, and reports.
//!
//! # The driver contract
//!
//! A driver owns the I/O and the clock, and nothing else:
//!
//! 1. **Time.** `now` is milliseconds: the wall clock (Unix time) when the exchange starts,
//!    then advanced by a monotonic clock, so token expiry can be judged and sleeps are immune
//!    to clock jumps.
//! 2. **Poll** with [`Exchange::poll`] and do what the [`Action`] says:
//!    - [`Action::Send`]: send [`Outgoing::request`] exactly as it is (method, URL, headers,
//!      body), following **no redirect** (a 3xx is an answer), giving up after
//!      [`Outgoing::timeout_ms`], and reading at most [`Outgoing::max_body_bytes`] of the body
//!      (refuse a larger `Content-Length` before reading). Report an answer of any status
//!      with [`Exchange::on_response`], or the failure with [`Exchange::on_transport_error`]:
//!      `connect` (no connection was made), `io` (it broke, or the body was cut short),
//!      `timeout`, `too_large`. Then poll again.
//!    - [`Action::SleepUntil`]: sleep until then; a cancellation wakes it early.
//!    - [`Action::Finished`]: the end, a value or an error. Report it.
//! 3. **Cancel** with [`Exchange::cancel`] and poll again: the exchange ends with its result so
//!    far (a wait's `cancelled` outcome, or [`Error::Cancelled`](crate::Error::Cancelled)). A
//!    request in flight may be abandoned; report nothing more for it.
//! 4. **Randomness**: the driver seeds [`ExchangeConfig::seed`] from its own random source, so
//!    that two clients never back off in lockstep.
//! 5. **Events**: after each call, [`Exchange::take_events`] gives the progress to report.
//! 6. **The token** stays in the exchange's [`Auth`]: after the end, keep
//!    [`Exchange::auth`] (with [`Auth::adopt`]) for the next exchange.
//!
//! Nothing else: a driver has no retry count, backoff, grace period, default, URL rule or
//! authentication rule of its own. The Rust driver is `blocking::drive` (feature `blocking`),
//! the JS one `Client` in the npm package; both replay the traces in `tests/traces/` and must
//! send the same requests in the same order and end with the same result.
//!
//! ```
//! use rackconnect::client::{Action, CallKind, CallTask, Exchange, ExchangeConfig, Needs};
//! use rackconnect::v2::{self, V2Endpoint};
//! use rackconnect::wait::RateBudget;
//! use rackconnect::{Region, Response};
//!
//! // One v2 read, driven by hand: a 503, then the answer.
//! let task = CallTask::new(
//!     CallKind::Read,
//!     Needs::Nothing,
//!     |_| v2::automation_status(&V2Endpoint::Region(Region::Dfw), None),
//!     v2::parse_automation_status,
//! );
//! let mut exchange = Exchange::new(task, None, RateBudget::v2(), ExchangeConfig::default());
//! let mut now = 1_700_000_000_000;
//! let mut answers = vec![Response::new(200, "DEPLOYED"), Response::new(503, "")];
//! let result = loop {
//!     match exchange.poll(now) {
//!         Action::Send(out) => {
//!             assert!(out.timeout_ms <= 30_000);
//!             let answer = answers.pop().expect("two answers");
//!             exchange.on_response(now, &answer);
//!         }
//!         Action::SleepUntil(at) => now = at,
//!         Action::Finished(result) => break result,
//!     }
//! };
//! assert_eq!(result?, v2::V2Answer::Answer(v2::AutomationStatus::Deployed));
//! assert_eq!(exchange.requests_sent(), 2);
//! # Ok::<(), rackconnect::Error>(())
//! ```

mod auth;
pub mod defaults;
mod display;
mod exchange;
mod fitness;
pub mod json;
mod task;
pub mod url_rule;
mod verdict;
pub mod work;

pub use auth::Auth;
pub use display::terminal_safe;
pub use exchange::{Action, Exchange, ExchangeConfig, Outgoing, endpoint, region_of};
pub use fitness::{Fitness, pool_fitness, server_fitness};
pub use task::{
    AllServers, CallKind, CallTask, Chain, Each, InRegion, MachineTask, Mapped, Needs, Ready, Service, SignIn, Start,
    Task, Timed,
};
pub use verdict::{Verdict, outcome_word};
pub use work::{MetadataWait, NodesWait, PublicIpWait};
