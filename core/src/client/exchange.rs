//! The one machine every driver runs: a [`Task`] with authentication, endpoints, the transport
//! rule and the time left per request around it.

use super::auth::Auth;
use super::defaults::{MIN_REQUEST_TIMEOUT_MS, READ_RETRY_AFTER_CAP_MS, READ_RETRY_PAUSE_MS, REQUEST_TIMEOUT_MS};
use super::task::{Needs, Service, Start, Task, is_transient_transport, retry_after_ms};
use super::url_rule;
use crate::error::{Error, Result};
use crate::format::MAX_BODY_BYTES;
use crate::http::{Request, Response};
use crate::id::{BaseUrl, Region};
use crate::identity::{self, Access};
use crate::secret::Token;
use crate::wait::{Backoff, BudgetKind, Event, Millis, RateBudget, Step};

/// What a driver does next (see the [driver contract](super)).
#[derive(Debug)]
pub enum Action<T> {
    /// Send this request, then report its fate with [`Exchange::on_response`] or
    /// [`Exchange::on_transport_error`] before polling again.
    Send(Outgoing),
    /// Nothing to do until this instant: sleep, waking early for a cancellation.
    SleepUntil(Millis),
    /// Done: the task's value, or the error that ended it. Poll no more.
    Finished(Result<T>),
}

/// A request that has passed the transport rule, with the limits the driver must apply to it.
#[derive(Debug)]
pub struct Outgoing {
    /// The request, credentials and token included (its `Debug` form hides them).
    pub request: Request,
    /// The longest the driver may spend on it (connecting, sending and reading the whole answer):
    /// never more than the time left to the task's deadline (but at least
    /// [`MIN_REQUEST_TIMEOUT_MS`]). Past it, report a `timeout`.
    pub timeout_ms: Millis,
    /// The most body bytes the driver reads; past them it stops reading and reports `too_large`.
    pub max_body_bytes: usize,
}

/// Settings of an exchange that are the driver's to choose.
#[derive(Clone, Debug)]
pub struct ExchangeConfig {
    /// The region of the endpoints; `None` takes the user's default region from Identity.
    pub region: Option<Region>,
    /// The longest any one request may take ([`REQUEST_TIMEOUT_MS`] by default).
    pub request_timeout_ms: Millis,
    /// The driver's randomness for backoff jitter (from its own random source).
    pub seed: u64,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        Self { region: None, request_timeout_ms: REQUEST_TIMEOUT_MS, seed: 0 }
    }
}

#[derive(Debug)]
enum InFlight {
    Nothing,
    /// The token request.
    SignIn,
    /// A task's request: whether it was already sent again after a 401.
    Task {
        request: Request,
        renewed: bool,
    },
}

/// Runs a [`Task`] for a driver: signs in when a token is needed (and again before it expires,
/// or once after a 401), finds the endpoint in the catalog, stamps the token on every request,
/// checks every request against the transport rule, gives each the time left, and retries a
/// failed sign-in like a read (or, for a wait, with backoff until its deadline).
pub struct Exchange<T: Task> {
    task: T,
    auth: Option<Auth>,
    config: ExchangeConfig,
    budget: RateBudget,
    started_at: Option<Millis>,
    task_started: bool,
    in_flight: InFlight,
    /// A task's request waiting for a new token (after a 401) before it is sent again.
    resend: Option<Request>,
    sign_in_attempts: u32,
    sign_in_due: Millis,
    sign_in_backoff: Backoff,
    cancelled: bool,
    finished: bool,
    failure: Option<Error>,
    events: Vec<Event>,
    sent: u32,
    /// Identity answered with a token already within the renewal margin: use it until refused
    /// rather than ask again and again.
    stale_accepted: bool,
}

impl<T: Task> std::fmt::Debug for Exchange<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("auth", &self.auth)
            .field("config", &self.config)
            .field("in_flight", &self.in_flight)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl<T: Task> Exchange<T> {
    /// An exchange running `task`, signing in with `auth` when the task needs a token (a task
    /// that needs one without `auth` ends with an `invalid_input` error). `budget` paces the
    /// task's requests (share one per server for v2).
    pub fn new(task: T, auth: Option<Auth>, budget: RateBudget, config: ExchangeConfig) -> Self {
        let sign_in_backoff = Backoff::new(config.seed ^ 0xA076_1D64_78BD_642F);
        Self {
            task,
            auth,
            config,
            budget,
            started_at: None,
            task_started: false,
            in_flight: InFlight::Nothing,
            resend: None,
            sign_in_attempts: 0,
            sign_in_due: 0,
            sign_in_backoff,
            cancelled: false,
            finished: false,
            failure: None,
            events: Vec::new(),
            sent: 0,
            stale_accepted: false,
        }
    }

    /// A budget suited to the task (v2's 30 a minute, or the token APIs' pace).
    pub fn budget_for(kind: BudgetKind) -> RateBudget {
        match kind {
            BudgetKind::V2 => RateBudget::v2(),
            BudgetKind::Api => RateBudget::api(),
        }
    }

    /// The authentication as it is now (renewed when the exchange signed in): keep it for the
    /// next exchange.
    pub fn auth(&self) -> Option<&Auth> {
        self.auth.as_ref()
    }

    /// The rate budget as it is now (to share with the next exchange on the same server).
    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    /// The rate budget, for a driver that shares it between processes (it loads what every
    /// process has spent before a poll, and saves it after: see `blocking`).
    pub fn budget_mut(&mut self) -> &mut RateBudget {
        &mut self.budget
    }

    /// Which budget the task's requests count against.
    pub fn budget_kind(&self) -> BudgetKind {
        self.task.budget_kind()
    }

    /// Requests handed to the driver so far.
    pub fn requests_sent(&self) -> u32 {
        self.sent
    }

    /// Stops the task at the next poll (a request in flight may be abandoned: report nothing more
    /// for it).
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.task.cancel();
        // Whatever was in flight is abandoned: its answer, if any, is not awaited.
        self.in_flight = InFlight::Nothing;
        self.resend = None;
    }

    /// Progress since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        let mut events = std::mem::take(&mut self.events);
        events.extend(self.task.take_events());
        events
    }

    fn finish(&mut self, outcome: Result<T::Output>) -> Action<T::Output> {
        self.finished = true;
        self.in_flight = InFlight::Nothing;
        Action::Finished(outcome)
    }

    /// The task's deadline; before the task has one of its own (not started, or a first step
    /// such as listing the pools), its start plus its timeout.
    fn deadline(&self) -> Option<Millis> {
        let own = if self.task_started { self.task.deadline() } else { None };
        own.or_else(|| match (self.started_at, self.task.timeout_ms()) {
            (Some(at), Some(timeout)) => Some(at.saturating_add(timeout)),
            _ => None,
        })
    }

    fn outgoing(&mut self, request: Request, now: Millis) -> std::result::Result<Outgoing, Error> {
        url_rule::check(&request)?;
        let mut timeout_ms = self.config.request_timeout_ms.max(1);
        if let Some(deadline) = self.deadline() {
            let left = deadline.saturating_sub(now).max(MIN_REQUEST_TIMEOUT_MS);
            timeout_ms = timeout_ms.min(left);
        }
        self.sent += 1;
        Ok(Outgoing { request, timeout_ms, max_body_bytes: MAX_BODY_BYTES })
    }

    /// What to do at `now` (milliseconds on the driver's clock: Unix time at the start, then
    /// monotonic; see the [driver contract](super)).
    pub fn poll(&mut self, now: Millis) -> Action<T::Output> {
        if self.finished {
            return Action::Finished(Err(Error::invalid("exchange", "an exchange polled until it finishes", "more")));
        }
        if let Some(error) = self.failure.take() {
            return self.finish(Err(error));
        }
        let started_at = *self.started_at.get_or_insert(now);
        if !matches!(self.in_flight, InFlight::Nothing) {
            // The driver polled without reporting the request's fate: nothing to do but wait.
            return Action::SleepUntil(now.saturating_add(1));
        }
        if self.cancelled && !self.task_started {
            return self.finish(Err(Error::Cancelled));
        }
        let needs = self.task.needs();
        let needs_token = needs != Needs::Nothing;
        if needs_token && !self.cancelled {
            let fresh = self.usable_access(now).is_some();
            if !fresh {
                return self.sign_in(now);
            }
        }
        if !self.task_started {
            self.task_started = true;
            let start = match self.start(started_at, needs, now) {
                Ok(start) => start,
                Err(error) => return self.finish(Err(error)),
            };
            if let Err(error) = self.task.start(&start) {
                return self.finish(Err(error));
            }
        }
        if let Some(request) = self.resend.take() {
            return self.send_task(request, true, now);
        }
        match self.task.poll(now, &mut self.budget) {
            Step::Send(request) => self.send_task(request, false, now),
            Step::SleepUntil(at) => Action::SleepUntil(at),
            Step::Finished(outcome) => self.finish(outcome),
        }
    }

    fn send_task(&mut self, request: Request, renewed: bool, now: Millis) -> Action<T::Output> {
        let request = match self.current_token() {
            Some(token) if self.task.needs() != Needs::Nothing => with_token(&request, token),
            _ => request,
        };
        match self.outgoing(request.clone(), now) {
            Ok(outgoing) => {
                self.in_flight = InFlight::Task { request, renewed };
                Action::Send(outgoing)
            }
            // A configuration error: nothing is sent, nothing is retried.
            Err(error) => self.finish(Err(error)),
        }
    }

    /// The Identity answer to use at `now`: the cached one while fresh, or one Identity gave
    /// already close to its expiry (asking again would give the same: it is used until refused).
    fn usable_access(&self, now: Millis) -> Option<&Access> {
        let auth = self.auth.as_ref()?;
        if self.stale_accepted { auth.access() } else { auth.fresh_access(now) }
    }

    fn current_token(&self) -> Option<&Token> {
        self.auth.as_ref().and_then(Auth::token)
    }

    fn sign_in(&mut self, now: Millis) -> Action<T::Output> {
        let Some(auth) = self.auth.as_ref() else {
            return self.finish(Err(Error::invalid(
                "credentials",
                "a user name with an API key or a password (this call needs a token)",
                "none",
            )));
        };
        if self.sign_in_due > now {
            let until = match self.deadline() {
                Some(deadline) if self.sign_in_due > deadline => deadline.max(now.saturating_add(1)),
                _ => self.sign_in_due,
            };
            return Action::SleepUntil(until);
        }
        let request = match auth.token_request() {
            Ok(request) => request,
            Err(error) => return self.finish(Err(error)),
        };
        match self.outgoing(request, now) {
            Ok(outgoing) => {
                self.sign_in_attempts += 1;
                self.in_flight = InFlight::SignIn;
                Action::Send(outgoing)
            }
            Err(error) => self.finish(Err(error)),
        }
    }

    fn start(&self, at: Millis, needs: Needs, now: Millis) -> Result<Start> {
        let access = self.usable_access(now).cloned();
        let mut start = Start { at, seed: self.config.seed, token: None, endpoint: None, access: None, region: None };
        if let Needs::Endpoint(service) = needs {
            let access = access.as_ref().ok_or_else(|| Error::invalid("token", "a token", "none"))?;
            start.endpoint = Some(endpoint(access, self.config.region, service)?);
            start.region = Some(region_of(access, self.config.region)?);
        }
        if needs != Needs::Nothing {
            start.token = access.as_ref().map(|a| a.token.id.clone());
            start.access = access;
        }
        Ok(start)
    }

    /// The answer to the last request sent.
    pub fn on_response(&mut self, now: Millis, response: &Response) {
        match std::mem::replace(&mut self.in_flight, InFlight::Nothing) {
            InFlight::Nothing => {}
            InFlight::SignIn => self.signed_in(now, identity::parse_token(response), retry_after_ms(response)),
            InFlight::Task { request, renewed } => {
                let needs_token = self.task.needs() != Needs::Nothing;
                if response.status == 401 && needs_token && !renewed && !self.cancelled {
                    // The token was refused (revoked, or expired early): sign in once more and
                    // send the same request again; a second 401 is the task's to judge.
                    if let Some(auth) = self.auth.as_mut() {
                        auth.invalidate();
                    }
                    self.stale_accepted = false;
                    self.sign_in_attempts = 0;
                    self.sign_in_due = now;
                    self.resend = Some(request);
                    return;
                }
                self.task.on_response(now, response);
            }
        }
    }

    /// The last request got no answer: `kind` is `connect` (no connection was made), `io` (it
    /// broke mid-exchange, or the body was cut short), `timeout` (no whole answer within
    /// [`Outgoing::timeout_ms`]) or `too_large` (the body passed [`Outgoing::max_body_bytes`]);
    /// `detail` says what happened, without secrets.
    pub fn on_transport_error(&mut self, now: Millis, kind: &str, detail: &str) {
        let error = Error::Transport { kind: kind.to_owned(), detail: detail.to_owned() };
        match std::mem::replace(&mut self.in_flight, InFlight::Nothing) {
            InFlight::Nothing => {}
            InFlight::SignIn => self.signed_in(now, Err(error), None),
            InFlight::Task { .. } => self.task.on_transport_error(now, &error),
        }
    }

    /// What a token answer means: a new token, a retry, or the end.
    fn signed_in(&mut self, now: Millis, outcome: Result<Access>, retry_after: Option<Millis>) {
        let error = match outcome {
            Ok(access) => {
                if let Some(auth) = self.auth.as_mut() {
                    auth.store(access);
                    self.stale_accepted = auth.fresh_access(now).is_none();
                }
                self.sign_in_attempts = 0;
                self.sign_in_backoff.reset();
                return;
            }
            Err(error) => error,
        };
        if self.resend.take().is_some() {
            // A renewal for a running task failed: that is the answer to the task's request,
            // judged (and retried, or not) by the task like any other.
            match &error {
                Error::Api(api) => self.task.on_response(now, &as_response(api)),
                Error::Transport { .. } => self.task.on_transport_error(now, &error),
                _ => self.task.on_transport_error(
                    now,
                    &Error::Transport { kind: "io".into(), detail: format!("sign-in: {error}") },
                ),
            }
            return;
        }
        let retryable = is_transient_transport(&error) || error.is_parse_error() || is_transient_status(&error);
        let pause = match (self.task.timeout_ms(), self.deadline()) {
            // A wait or an ensure: with backoff, until its deadline.
            (Some(_), Some(deadline)) if retryable => {
                let pause = self.sign_in_backoff.next_delay().max(retry_after.unwrap_or(0));
                (now.saturating_add(pause) < deadline).then_some(pause)
            }
            // A single call: once, like a read.
            (None, _) if retryable && self.sign_in_attempts < 2 => {
                Some(retry_after.map_or(READ_RETRY_PAUSE_MS, |ms| ms.min(READ_RETRY_AFTER_CAP_MS)))
            }
            _ => None,
        };
        match pause {
            Some(pause) => {
                self.sign_in_due = now.saturating_add(pause);
                self.events.push(Event::Retrying {
                    at: now,
                    until: self.sign_in_due,
                    reason: format!("sign-in: {error}"),
                });
            }
            None => self.failure = Some(error),
        }
    }
}

/// True for an Identity answer worth asking again: it failed (5xx) or asked to slow down.
fn is_transient_status(error: &Error) -> bool {
    use crate::ApiErrorKind as K;
    error.as_api().is_some_and(|api| matches!(api.kind, K::ServerError | K::RateLimited))
}

/// The response an API error came from, rebuilt for a task to read (status, `Retry-After` and
/// the body as kept).
fn as_response(api: &crate::ApiError) -> Response {
    let response = Response::new(api.status, api.raw.clone().into_bytes());
    match api.retry_after {
        Some(secs) => response.with_header("Retry-After", secs.to_string()),
        None => response,
    }
}

/// A copy of `request` whose only `X-Auth-Token` is `token`.
pub(crate) fn with_token(request: &Request, token: &Token) -> Request {
    let mut request = request.clone();
    request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("x-auth-token"));
    request.headers.push(("X-Auth-Token".to_owned(), token.expose().to_owned()));
    request
}

/// The region an exchange works in: the one given, else the user's default.
pub fn region_of(access: &Access, region: Option<Region>) -> Result<Region> {
    match region {
        Some(region) => Ok(region),
        None => {
            access.user.default_region.as_deref().and_then(|r| Region::parse(r).ok()).ok_or_else(|| {
                Error::invalid("region", "a region (none given, and the user has no default region)", "")
            })
        }
    }
}

/// A service's endpoint in a region, from the catalog, checked against the transport rule.
pub fn endpoint(access: &Access, region: Option<Region>, service: Service) -> Result<BaseUrl> {
    let region = region_of(access, region)?;
    let (found, expected) = match service {
        Service::RackConnect => (
            access.rackconnect_endpoint(region),
            "a region where the account has RackConnect v3 (a rax:rackconnect endpoint in the catalog)",
        ),
        Service::Compute => (
            access.compute_endpoint(region),
            "a region where the account has Cloud Servers (a compute endpoint in the catalog)",
        ),
    };
    let found = found.ok_or_else(|| Error::invalid("region", expected, region.lower()))?;
    let base = BaseUrl::new("endpoint", &found.public_url)?;
    if !url_rule::is_secure_or_loopback(base.as_str()) {
        return Err(Error::Transport {
            kind: "insecure_url".to_owned(),
            detail: format!(
                "the catalog's {} endpoint in {} is {}: expected an https:// URL (plain http:// only to a loopback host); nothing was sent",
                match service {
                    Service::RackConnect => "RackConnect v3",
                    Service::Compute => "Cloud Servers",
                },
                region.upper(),
                base.as_str()
            ),
        });
    }
    Ok(base)
}
