//! Driving the core's sans-IO machines with a real clock, real sleeps and real requests.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::identity::Session;
use super::transport::Transport;
use crate::error::{ApiError, Error, Result};
use crate::http::{Request, Response};
use crate::id::ServerId;
use crate::secret::Token;
use crate::servers::{Server, ServersEndpoint};
use crate::v2::V2Endpoint;
use crate::wait::{
    Event, Machine, MetadataWaitConfig, MetadataWaiter, Millis, RateBudget, Step, V2Waiter, WaitConfig, WaitResult,
};

/// The longest single sleep of [`run`]: a cancel is noticed within this.
pub const SLEEP_SLICE_MS: Millis = 200;

/// Whatever sends a machine's requests: a [`Transport`] (v2, which needs no token) or a
/// [`Session`] (token APIs: it sets the token and re-authenticates once on a 401).
pub trait Sender {
    /// Sends one request and returns the answer, whatever its status.
    fn send(&mut self, request: &Request) -> Result<Response>;
}

impl Sender for Transport {
    fn send(&mut self, request: &Request) -> Result<Response> {
        Transport::send(self, request)
    }
}

impl Sender for &Transport {
    fn send(&mut self, request: &Request) -> Result<Response> {
        Transport::send(self, request)
    }
}

impl Sender for Session {
    fn send(&mut self, request: &Request) -> Result<Response> {
        self.send_authed(request)
    }
}

impl<S: Sender + ?Sized> Sender for &mut S {
    fn send(&mut self, request: &Request) -> Result<Response> {
        (**self).send(request)
    }
}

/// The response an API error came from, rebuilt for a machine to read (status, `Retry-After`
/// and the body as kept).
fn as_response(api: &ApiError) -> Response {
    let response = Response::new(api.status, api.raw.clone().into_bytes());
    match api.retry_after {
        Some(secs) => response.with_header("Retry-After", secs.to_string()),
        None => response,
    }
}

/// Drives `machine` to its end and returns its output.
///
/// Time is milliseconds since this call (a monotonic [`Instant`]); sleeps last at most
/// [`SLEEP_SLICE_MS`], and `cancel` is read before every poll: once it is set, the machine is
/// cancelled and ends at its next poll. A request still in flight is not interrupted (the
/// transport's timeouts bound it). `on_event` sees every event, oldest first.
///
/// What the sender answers goes to the machine: a response (of any status) to
/// [`Machine::on_response`]; an error from Identity while getting a token (e.g. wrong
/// credentials) as the response it came from, so the machine judges it like any other answer;
/// any other error (connection refused, timeout, reset …) to [`Machine::on_transport_error`],
/// which retries with backoff.
pub fn run<M, S>(
    machine: &mut M,
    mut sender: S,
    budget: &mut RateBudget,
    cancel: &AtomicBool,
    mut on_event: impl FnMut(&Event),
) -> M::Output
where
    M: Machine + ?Sized,
    S: Sender,
{
    let start = Instant::now();
    let now = || Millis::try_from(start.elapsed().as_millis()).unwrap_or(Millis::MAX);
    let mut cancelled = false;
    loop {
        if !cancelled && cancel.load(Ordering::SeqCst) {
            machine.cancel();
            cancelled = true;
        }
        let step = machine.poll(now(), budget);
        for event in machine.take_events() {
            on_event(&event);
        }
        match step {
            Step::Send(request) => {
                let answer = sender.send(&request);
                match answer {
                    Ok(response) => machine.on_response(now(), &response),
                    Err(Error::Api(api)) => machine.on_response(now(), &as_response(&api)),
                    Err(error) => machine.on_transport_error(now(), &error.to_string()),
                }
                for event in machine.take_events() {
                    on_event(&event);
                }
            }
            Step::SleepUntil(at) => {
                // At least a millisecond, so a machine that asks to sleep until now cannot spin.
                let pause = at.saturating_sub(now()).clamp(1, SLEEP_SLICE_MS);
                thread::sleep(Duration::from_millis(pause));
            }
            Step::Finished(output) => return output,
        }
    }
}

/// Waits for RackConnect v2 automation of the server the transport asks from (see
/// [`V2Waiter`]).
pub fn wait_v2(
    transport: &Transport,
    endpoint: V2Endpoint,
    config: WaitConfig,
    budget: &mut RateBudget,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> WaitResult {
    let mut waiter = V2Waiter::new(endpoint, config, 0);
    run(&mut waiter, transport, budget, cancel, on_event)
}

/// How a metadata wait ended, with the last server read.
#[derive(Clone, Debug)]
pub struct MetadataWait {
    /// The result.
    pub result: WaitResult,
    /// The last server's `accessIPv4`: after RackConnect v2 automation, the address to reach the
    /// server by (it changes at `DEPLOYED`).
    pub access_ipv4: Option<String>,
    /// The last server read.
    pub server: Option<Server>,
}

/// The session's token if it has one, without asking Identity: a machine needs one to build its
/// first request, and [`Session::send_authed`] puts the current token on every request anyway.
pub(crate) fn current_token(session: &Session) -> Token {
    session.identity().cached().map_or_else(|| Token::new("pending"), |access| access.token.id.clone())
}

/// Waits on a server's Cloud Servers metadata for RackConnect and (if asked) Managed Operations
/// (see [`MetadataWaiter`]), re-authenticating when the token expires.
pub fn wait_metadata(
    session: &mut Session,
    endpoint: ServersEndpoint,
    server: ServerId,
    config: MetadataWaitConfig,
    budget: &mut RateBudget,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> MetadataWait {
    let token = current_token(session);
    let mut waiter = MetadataWaiter::new(endpoint, token, server, config, 0);
    let result = run(&mut waiter, session, budget, cancel, on_event);
    let server = waiter.server().cloned();
    MetadataWait { result, access_ipv4: server.as_ref().and_then(|s| s.access_ipv4.clone()), server }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wait::Outcome;

    /// Answers from a script; `None` is a transport error.
    struct Scripted(Vec<Option<Response>>, usize);

    impl Sender for Scripted {
        fn send(&mut self, _request: &Request) -> Result<Response> {
            let answer = self.0.get(self.1).cloned().flatten();
            self.1 += 1;
            answer.ok_or_else(|| Error::Transport { kind: "io".into(), detail: "connection reset".into() })
        }
    }

    fn fast() -> WaitConfig {
        WaitConfig { interval_ms: 10, ..WaitConfig::default() }
    }

    #[test]
    fn runs_a_machine_to_the_end_with_events() {
        let mut waiter = V2Waiter::new(V2Endpoint::Region(crate::Region::Dfw), fast(), 0);
        let mut sender = Scripted(vec![Some(Response::new(200, "DEPLOYING")), Some(Response::new(200, "DEPLOYED"))], 0);
        let mut events = Vec::new();
        let result =
            run(&mut waiter, &mut sender, &mut RateBudget::v2(), &AtomicBool::new(false), |e| events.push(e.clone()));
        assert_eq!(result.outcome, Outcome::Done);
        assert_eq!(sender.1, 2);
        assert_eq!(events.iter().filter(|e| matches!(e, Event::Status { .. })).count(), 2);
    }

    #[test]
    fn a_transport_error_is_retried_by_the_machine() {
        let mut waiter = V2Waiter::new(V2Endpoint::Region(crate::Region::Dfw), fast(), 0);
        let mut sender = Scripted(vec![None, Some(Response::new(200, "DEPLOYED"))], 0);
        let mut events = Vec::new();
        let result =
            run(&mut waiter, &mut sender, &mut RateBudget::v2(), &AtomicBool::new(false), |e| events.push(e.clone()));
        assert_eq!(result.outcome, Outcome::Done);
        assert!(
            events.iter().any(|e| matches!(e, Event::Retrying { reason, .. } if reason.contains("connection reset"))),
            "{events:?}"
        );
    }

    #[test]
    fn cancel_is_noticed_at_the_next_poll() {
        let mut waiter = V2Waiter::new(V2Endpoint::Region(crate::Region::Dfw), fast(), 0);
        let mut sender = Scripted(vec![Some(Response::new(200, "DEPLOYING")); 100], 0);
        let result = run(&mut waiter, &mut sender, &mut RateBudget::v2(), &AtomicBool::new(true), |_| {});
        assert_eq!(result.outcome, Outcome::Cancelled);
        assert_eq!(sender.1, 0, "cancelled before the first request");
    }

    #[test]
    fn an_identity_refusal_reaches_the_machine_as_an_answer() {
        let api = crate::fault::api_error(
            &Response::new(401, r#"{"unauthorized": {"code": 401, "message": "Unable to authenticate user"}}"#),
            crate::fault::Forbidden403::Forbidden,
        );
        let Error::Api(api) = api else { panic!("an API error") };
        let response = as_response(&api);
        assert_eq!(response.status, 401);
        assert!(String::from_utf8_lossy(&response.body).contains("Unable to authenticate"));
    }
}
