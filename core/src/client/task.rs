//! What an [`Exchange`](super::Exchange) runs: one call with its retry policy, every page of a
//! listing, a waiter or planner, or a chain of them (list the pools, then plan with their ids).

use super::defaults::{POST_BUILD_GRACE_MS, READ_RETRY_AFTER_CAP_MS, READ_RETRY_PAUSE_MS};
use crate::ensure::server_check::{Known, ServerCheck};
use crate::error::{Error, Result};
use crate::http::{Request, Response};
use crate::id::{BaseUrl, ServerId};
use crate::identity::Access;
use crate::secret::Token;
use crate::servers::{ServersEndpoint, name_not_found};
use crate::wait::{Backoff, BudgetKind, Event, Machine, Millis, RateBudget, Step};

/// Which service's endpoint a task's requests go to (from the catalog, in the exchange's region).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Service {
    /// RackConnect v3 (catalog type `rax:rackconnect`).
    RackConnect,
    /// Cloud Servers (catalog type `compute`).
    Compute,
}

/// What a task needs before it can start.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Needs {
    /// Nothing from Identity (RackConnect v2, asked from the server itself).
    Nothing,
    /// A token (Identity's own calls).
    Token,
    /// A token and the endpoint of a service.
    Endpoint(Service),
}

/// What a task is started with.
#[derive(Clone, Debug)]
pub struct Start {
    /// When the exchange started (a wait's deadline counts from here, sign-in included).
    pub at: Millis,
    /// The driver's randomness, mixed into every backoff so that clients do not retry in lockstep.
    pub seed: u64,
    /// The token, for tasks that need one.
    pub token: Option<Token>,
    /// The service's endpoint, for tasks that need one.
    pub endpoint: Option<BaseUrl>,
    /// The Identity answer, for tasks that need a token.
    pub access: Option<Access>,
    /// The region the endpoint is in (the one asked for, or the user's default).
    pub region: Option<crate::Region>,
}

impl Start {
    /// The token, or an error when the task was started without one.
    pub fn token(&self) -> Result<&Token> {
        self.token.as_ref().ok_or_else(|| Error::invalid("token", "a token (the task was started without one)", ""))
    }

    /// Another service's endpoint in the same region, when the catalog has one (a task that
    /// asks a second service, such as a planner asking Cloud Servers about a server).
    pub fn other_endpoint(&self, service: Service) -> Option<BaseUrl> {
        super::exchange::endpoint(self.access.as_ref()?, self.region, service).ok()
    }

    /// The start of a step that needs another service than the whole (a chain that lists the
    /// region's servers, then changes RackConnect): the same token, that service's endpoint.
    pub fn for_needs(&self, needs: Needs) -> Result<Start> {
        let mut start = self.clone();
        if let (Needs::Endpoint(service), Some(access)) = (needs, &self.access) {
            start.endpoint = Some(super::exchange::endpoint(access, self.region, service)?);
        }
        Ok(start)
    }

    /// The endpoint, or an error when the task was started without one.
    pub fn endpoint(&self) -> Result<&BaseUrl> {
        self.endpoint
            .as_ref()
            .ok_or_else(|| Error::invalid("endpoint", "an endpoint (the task was started without one)", ""))
    }
}

/// A piece of work an [`Exchange`](super::Exchange) drives: like a [`Machine`], told the time and
/// the last answer, but started only once its token and endpoint are known, and ending with a
/// value or an error.
pub trait Task {
    /// What it ends with.
    type Output;
    /// What it needs before it can start.
    fn needs(&self) -> Needs;
    /// How long it may take in all, known before it starts (a wait's timeout); `None` (the
    /// default) for a single call, whose sign-in is retried once, like a read.
    fn timeout_ms(&self) -> Option<Millis> {
        None
    }
    /// Starts it. An error ends the exchange with it.
    fn start(&mut self, start: &Start) -> Result<()>;
    /// What to do at `now`.
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<Self::Output>>;
    /// The answer to the last request.
    fn on_response(&mut self, now: Millis, response: &Response);
    /// The last request got no answer.
    fn on_transport_error(&mut self, now: Millis, error: &Error);
    /// Stops at the next poll.
    fn cancel(&mut self);
    /// Progress since the last call.
    fn take_events(&mut self) -> Vec<Event>;
    /// The instant it gives up, once started (requests are not given longer than the time
    /// left); `None` (the default) for a single call.
    fn deadline(&self) -> Option<Millis> {
        None
    }
    /// Which rate budget its requests count against: the token APIs' pace by default.
    fn budget_kind(&self) -> BudgetKind {
        BudgetKind::Api
    }
    /// Requests sent for it before it started (the listing that resolved names for it): a
    /// result that counts its requests counts these too. Nothing to count by default.
    fn add_prior_requests(&mut self, _sent: u32) {}
}

impl<T: Task + ?Sized> Task for Box<T> {
    type Output = T::Output;
    fn needs(&self) -> Needs {
        (**self).needs()
    }
    fn timeout_ms(&self) -> Option<Millis> {
        (**self).timeout_ms()
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        (**self).start(start)
    }
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<Self::Output>> {
        (**self).poll(now, budget)
    }
    fn on_response(&mut self, now: Millis, response: &Response) {
        (**self).on_response(now, response);
    }
    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        (**self).on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        (**self).cancel();
    }
    fn take_events(&mut self) -> Vec<Event> {
        (**self).take_events()
    }
    fn deadline(&self) -> Option<Millis> {
        (**self).deadline()
    }
    fn budget_kind(&self) -> BudgetKind {
        (**self).budget_kind()
    }
    fn add_prior_requests(&mut self, sent: u32) {
        (**self).add_prior_requests(sent);
    }
}

/// How a call may be repeated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallKind {
    /// A read (GET): sent once more after a 5xx or a transport error (`connect`, `io`,
    /// `timeout`), after a short pause or the service's `Retry-After` (up to a cap).
    Read,
    /// A change (PATCH, DELETE): never sent again; whether a second attempt is safe is the
    /// caller's decision (the planners make it so).
    Change,
    /// A create (POST): sent again only on the post-build 409 (the server is not known to
    /// RackConnect yet, so nothing was created), with backoff, for [`POST_BUILD_GRACE_MS`].
    Create,
    /// By the request's method: GET reads, POST creates, PATCH and DELETE change.
    ByMethod,
}

type Builder = Box<dyn Fn(&Start) -> Result<Request>>;
type Parser<T> = Box<dyn Fn(&Response) -> Result<T>>;

#[derive(Debug)]
enum CallState {
    NotStarted,
    Due(Millis),
    InFlight,
    Done,
}

/// One call with its retry policy ([`CallKind`]).
pub struct CallTask<T> {
    kind: CallKind,
    needs: Needs,
    build: Builder,
    parse: Parser<T>,
    request: Option<Request>,
    state: CallState,
    attempts: u32,
    first_sent: Option<Millis>,
    backoff: Backoff,
    outcome: Option<Result<T>>,
    cancelled: bool,
    events: Vec<Event>,
    about_server: Option<String>,
    region: Option<crate::Region>,
    /// A patient read: tried again after a 5xx or a transient transport error (with backoff)
    /// until then, not only once.
    patient_until: Option<Millis>,
    /// For a create: Cloud Servers asked about the servers a post-build 409 names.
    server_check: Option<CreateCheck>,
}

impl<T> std::fmt::Debug for CallTask<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallTask").field("kind", &self.kind).field("state", &self.state).finish_non_exhaustive()
    }
}

impl<T> CallTask<T> {
    /// A call of `kind` whose request `build` makes from the start (endpoint, token) and whose
    /// answer `parse` reads.
    pub fn new(
        kind: CallKind,
        needs: Needs,
        build: impl Fn(&Start) -> Result<Request> + 'static,
        parse: impl Fn(&Response) -> Result<T> + 'static,
    ) -> Self {
        Self {
            kind,
            needs,
            build: Box::new(build),
            parse: Box::new(parse),
            request: None,
            state: CallState::NotStarted,
            attempts: 0,
            first_sent: None,
            backoff: Backoff::new(0),
            outcome: None,
            cancelled: false,
            events: Vec::new(),
            about_server: None,
            region: None,
            patient_until: None,
            server_check: None,
        }
    }

    /// A read made for a wait (the name of the server to wait for): tried again, with backoff,
    /// until `until` (the wait's deadline) rather than once, as the wait's own reads are.
    #[must_use]
    pub fn patient_until(mut self, until: Option<Millis>) -> Self {
        self.patient_until = until;
        self
    }

    /// The pause before another attempt at a read that failed (`retry_after`: the service's
    /// `Retry-After`), or `None` when the read policy allows none: one more attempt always, more
    /// while a patient read's deadline is ahead.
    fn read_retry(&mut self, now: Millis, retry_after: Option<Millis>) -> Option<Millis> {
        if self.kind != CallKind::Read {
            return None;
        }
        let capped = retry_after.map(|ms| ms.min(READ_RETRY_AFTER_CAP_MS));
        if self.attempts == 1 {
            return Some(capped.unwrap_or(READ_RETRY_PAUSE_MS));
        }
        let pause = self.backoff.next_delay().max(capped.unwrap_or(0));
        self.patient_until.filter(|&until| now.saturating_add(pause) < until).map(|_| pause)
    }

    /// The call reads `server` (show or metadata): a 404 says "server … not found in region …",
    /// the words every front door uses.
    #[must_use]
    pub fn about_server(mut self, server: impl Into<String>) -> Self {
        self.about_server = Some(server.into());
        self
    }

    /// The kind of an operation's method: GET reads, POST creates, anything else changes.
    pub fn kind_of(request: &Request) -> CallKind {
        match request.method {
            crate::Method::Get => CallKind::Read,
            crate::Method::Post => CallKind::Create,
            crate::Method::Patch | crate::Method::Delete => CallKind::Change,
        }
    }

    fn finish(&mut self, outcome: Result<T>) {
        self.outcome = Some(outcome);
        self.state = CallState::Done;
    }

    fn again(&mut self, now: Millis, pause: Millis, reason: String) {
        let until = now.saturating_add(pause);
        self.events.push(Event::Retrying { at: now, until, reason });
        self.state = CallState::Due(until);
    }

    /// Where a server check leaves the create: ended, asking on, or sent again after its pause.
    fn after_check(&mut self, now: Millis, answer: CheckAnswer) {
        match answer {
            CheckAnswer::Missing(error) => self.finish(Err(error)),
            CheckAnswer::Asking => self.state = CallState::Due(now),
            CheckAnswer::Done(reason) => {
                let spent = now.saturating_sub(self.first_sent.unwrap_or(now));
                let pause = self.backoff.next_delay().min(POST_BUILD_GRACE_MS.saturating_sub(spent));
                self.again(now, pause, reason);
            }
        }
    }
}

/// Cloud Servers asked once about each server a create's post-build 409 names, before the grace
/// is spent on it: RackConnect says "does not exist" both of a server built seconds ago and of
/// a mistyped id, and only Cloud Servers tells them apart. Not generic, so that it is compiled
/// once, not once per kind of call.
#[derive(Debug)]
struct CreateCheck {
    check: ServerCheck,
    token: Token,
    region: crate::Region,
    /// The 409 being checked: the retry's reason once every server is known.
    checking: Option<String>,
}

/// What a server check's answer means for the create.
enum CheckAnswer {
    /// Cloud Servers does not have a server: the call ends with this (the one wording).
    Missing(Error),
    /// Another server is to be asked about.
    Asking,
    /// Every server is known (or unsure): the create is sent again, for this reason.
    Done(String),
}

impl CreateCheck {
    fn new(compute: BaseUrl, region: crate::Region, token: Option<Token>) -> Option<Self> {
        let check = ServerCheck::new(ServersEndpoint::BaseUrl(compute), region);
        token.map(|token| Self { check, token, region, checking: None })
    }

    /// Queues the servers `error` names, as the request's `body` spells them (RackConnect may
    /// write ids in capitals); true when one is to be asked about.
    fn begin(&mut self, error: &Error, body: Option<&str>) -> bool {
        let body = body.unwrap_or_default();
        let lower = body.to_ascii_lowercase();
        let conflicts = error.as_api().map(|api| api.conflicts.as_slice()).unwrap_or_default();
        for id in conflicts.iter().filter_map(|c| c.server_id.as_deref()) {
            let at = lower.find(&id.to_ascii_lowercase());
            let given = at.and_then(|at| body.get(at..at + id.len())).unwrap_or(id);
            if let Ok(server) = ServerId::new(given) {
                self.check.want(&server);
            }
        }
        let busy = self.check.busy();
        if busy {
            self.checking = Some(error.to_string());
        }
        busy
    }

    /// The next question, while checking.
    fn next_request(&mut self) -> Option<Result<Request>> {
        self.checking.as_ref()?;
        self.check.next_request(&self.token)
    }

    /// The answer to the question in flight (none: it got no answer, which counts as unsure);
    /// `None` when no question was in flight.
    fn on_answer(&mut self, response: Option<&Response>) -> Option<CheckAnswer> {
        self.checking.as_ref()?;
        let known = match response {
            Some(response) => self.check.on_response(response),
            None => self.check.on_transport_error().map(|server| (server, Known::Unsure)),
        };
        if let (Some((server, Known::No(_))), Some(response)) = (&known, response) {
            self.checking = None;
            let missing =
                crate::servers::parse_server(response).err().map(|e| name_not_found(e, server.as_str(), self.region));
            return Some(CheckAnswer::Missing(
                missing.unwrap_or_else(|| Error::invalid("server", "a server", server.as_str())),
            ));
        }
        if self.check.busy() {
            return Some(CheckAnswer::Asking);
        }
        self.checking.take().map(CheckAnswer::Done)
    }
}

/// True for transport failures worth one more read: the connection failed, broke or timed out.
pub(crate) fn is_transient_transport(error: &Error) -> bool {
    matches!(error, Error::Transport { kind, .. } if matches!(kind.as_str(), "connect" | "io" | "timeout"))
}

/// A 409 whose every conflict says only that the server is not known to RackConnect yet.
pub(crate) fn is_post_build_conflict(error: &Error) -> bool {
    use crate::v3::ConflictKind;
    error.as_api().is_some_and(|api| {
        api.status == 409
            && !api.conflicts.is_empty()
            && api
                .conflicts
                .iter()
                .all(|c| matches!(c.kind, ConflictKind::ServerDoesNotExist | ConflictKind::ServerUnprocessable))
    })
}

/// The `Retry-After` of a response, in milliseconds.
pub(crate) fn retry_after_ms(response: &Response) -> Option<Millis> {
    response.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).map(|s| s.saturating_mul(1000))
}

impl<T> Task for CallTask<T> {
    type Output = T;

    fn needs(&self) -> Needs {
        self.needs
    }

    fn start(&mut self, start: &Start) -> Result<()> {
        let request = (self.build)(start)?;
        if self.kind == CallKind::ByMethod {
            self.kind = Self::kind_of(&request);
        }
        self.request = Some(request);
        self.region = start.region;
        if self.kind == CallKind::Create
            && let (Some(compute), Some(region)) = (start.other_endpoint(Service::Compute), start.region)
        {
            self.server_check = CreateCheck::new(compute, region, start.token.clone());
        }
        self.backoff = Backoff::new(start.seed ^ 0x9E37_79B9_7F4A_7C15);
        self.state = CallState::Due(start.at);
        Ok(())
    }

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<T>> {
        if self.cancelled && !matches!(self.state, CallState::Done) {
            self.finish(Err(Error::Cancelled));
        }
        match self.state {
            CallState::Done => match self.outcome.take() {
                Some(outcome) => Step::Finished(outcome),
                None => Step::Finished(Err(Error::invalid("call", "a call polled once after it ended", ""))),
            },
            CallState::NotStarted => {
                Step::Finished(Err(Error::invalid("call", "a started call (polled before its start)", "")))
            }
            CallState::InFlight => Step::SleepUntil(now.saturating_add(1)),
            CallState::Due(at) => {
                let at = at.max(budget.next_allowed(now));
                if at > now {
                    return Step::SleepUntil(at);
                }
                if let Some(request) = self.server_check.as_mut().and_then(CreateCheck::next_request) {
                    return match request {
                        Ok(request) => {
                            budget.record(now);
                            self.state = CallState::InFlight;
                            Step::Send(request)
                        }
                        Err(error) => {
                            self.finish(Err(error));
                            self.poll(now, budget)
                        }
                    };
                }
                let Some(request) = self.request.clone() else {
                    return Step::Finished(Err(Error::invalid("call", "a request", "none")));
                };
                budget.record(now);
                self.attempts += 1;
                self.first_sent.get_or_insert(now);
                self.state = CallState::InFlight;
                Step::Send(request)
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        if let Some(answer) = self.server_check.as_mut().and_then(|check| check.on_answer(Some(response))) {
            return self.after_check(now, answer);
        }
        if response.status >= 500
            && let Some(pause) = self.read_retry(now, retry_after_ms(response))
        {
            self.again(now, pause, format!("HTTP {}", response.status));
            return;
        }
        let parsed = match (&self.about_server, self.region) {
            (Some(server), Some(region)) => {
                (self.parse)(response).map_err(|e| crate::servers::name_not_found(e, server, region))
            }
            _ => (self.parse)(response),
        };
        if self.kind == CallKind::Create
            && let Err(error) = &parsed
        {
            let spent = now.saturating_sub(self.first_sent.unwrap_or(now));
            if is_post_build_conflict(error) && spent < POST_BUILD_GRACE_MS {
                // Each server it names is asked about once, before the grace is spent on it.
                let body = self.request.as_ref().and_then(|r| r.body.as_deref());
                if let Some(check) = self.server_check.as_mut()
                    && check.begin(error, body)
                {
                    self.state = CallState::Due(now);
                    return;
                }
                let pause = self.backoff.next_delay().min(POST_BUILD_GRACE_MS - spent);
                self.again(now, pause, error.to_string());
                return;
            }
        }
        self.finish(parsed);
    }

    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        if let Some(answer) = self.server_check.as_mut().and_then(|check| check.on_answer(None)) {
            return self.after_check(now, answer);
        }
        if is_transient_transport(error)
            && let Some(pause) = self.read_retry(now, None)
        {
            self.again(now, pause, error.to_string());
            return;
        }
        self.finish(Err(error.clone()));
    }

    fn cancel(&mut self) {
        self.cancelled = true;
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

type MachineBuilder<M> = Box<dyn FnOnce(&Start) -> Result<M>>;

/// A waiter or planner of [`wait`](crate::wait) as a task: built once the token and endpoint are known, its
/// output mapped by `finish` (which may add what the machine kept: the nodes that failed, the
/// last server read).
pub struct MachineTask<M: Machine, O> {
    needs: Needs,
    timeout_ms: Millis,
    budget_kind: BudgetKind,
    build: Option<MachineBuilder<M>>,
    finish: fn(&M, M::Output) -> O,
    machine: Option<M>,
    cancelled: bool,
    /// Requests sent for it before it started, added to its result's count.
    prior_requests: u32,
}

impl<M: Machine, O> std::fmt::Debug for MachineTask<M, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MachineTask").field("needs", &self.needs).finish_non_exhaustive()
    }
}

impl<M: Machine, O> MachineTask<M, O> {
    /// A task that builds its machine with `build` (given the start: its time, seed, token and
    /// endpoint) and maps its output with `finish`. `timeout_ms` is the machine's own timeout.
    pub fn new(
        needs: Needs,
        timeout_ms: Millis,
        budget_kind: BudgetKind,
        build: impl FnOnce(&Start) -> Result<M> + 'static,
        finish: fn(&M, M::Output) -> O,
    ) -> Self {
        Self {
            needs,
            timeout_ms,
            budget_kind,
            build: Some(Box::new(build)),
            finish,
            machine: None,
            cancelled: false,
            prior_requests: 0,
        }
    }
}

impl<M: Machine, O: super::Verdict> Task for MachineTask<M, O> {
    type Output = O;

    fn needs(&self) -> Needs {
        self.needs
    }

    fn timeout_ms(&self) -> Option<Millis> {
        Some(self.timeout_ms)
    }

    fn start(&mut self, start: &Start) -> Result<()> {
        let build = self.build.take().ok_or_else(|| Error::invalid("task", "a task started once", "twice"))?;
        let mut machine = build(start)?;
        if self.cancelled {
            machine.cancel();
        }
        self.machine = Some(machine);
        Ok(())
    }

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<O>> {
        let Some(machine) = self.machine.as_mut() else {
            return Step::Finished(Err(Error::invalid("task", "a started task (polled before its start)", "")));
        };
        match machine.poll(now, budget) {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(output) => {
                // The verdict is the core's: every result a driver sees is judged.
                let mut output = (self.finish)(machine, output);
                output.add_requests(self.prior_requests);
                output.judge();
                match output.input_error() {
                    Some(mistake) => Step::Finished(Err(mistake)),
                    None => Step::Finished(Ok(output)),
                }
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        if let Some(machine) = self.machine.as_mut() {
            machine.on_response(now, response);
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        if let Some(machine) = self.machine.as_mut() {
            machine.on_transport_error(now, &error.to_string());
        }
    }

    fn cancel(&mut self) {
        self.cancelled = true;
        if let Some(machine) = self.machine.as_mut() {
            machine.cancel();
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        self.machine.as_mut().map(Machine::take_events).unwrap_or_default()
    }

    fn deadline(&self) -> Option<Millis> {
        self.machine.as_ref().and_then(Machine::deadline)
    }

    fn budget_kind(&self) -> BudgetKind {
        self.budget_kind
    }

    fn add_prior_requests(&mut self, sent: u32) {
        self.prior_requests += sent;
    }
}

type Next<A, O> = Box<dyn FnOnce(A, &Start) -> Result<Box<dyn Task<Output = O>>>>;

/// Two tasks in a row: the second is made from the first's output (e.g. the pools listed, then
/// a planner over their ids). Both run on the same start, so a wait's deadline counts from the
/// exchange's start.
pub struct Chain<A, O> {
    first: Option<Box<dyn Task<Output = A>>>,
    next: Option<Next<A, O>>,
    second: Option<Box<dyn Task<Output = O>>>,
    needs: Needs,
    timeout_ms: Option<Millis>,
    start: Option<Start>,
    cancelled: bool,
    /// Requests sent before the second task started (by the first, and for the chain itself
    /// before it started): the second's result counts them.
    sent_before_second: u32,
}

impl<A, O> std::fmt::Debug for Chain<A, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("needs", &self.needs).finish_non_exhaustive()
    }
}

impl<A: 'static, O: 'static> Chain<A, O> {
    /// `first`, then the task `next` makes of its output. `first: None` goes straight to `next`
    /// with `skipped`.
    pub fn new(
        first: Option<Box<dyn Task<Output = A>>>,
        needs: Needs,
        timeout_ms: Option<Millis>,
        next: impl FnOnce(A, &Start) -> Result<Box<dyn Task<Output = O>>> + 'static,
    ) -> Self {
        Self {
            first,
            next: Some(Box::new(next)),
            second: None,
            needs,
            timeout_ms,
            start: None,
            cancelled: false,
            sent_before_second: 0,
        }
    }

    fn begin_second(&mut self, value: A) -> Result<()> {
        let start = self.start.clone().ok_or_else(|| Error::invalid("task", "a started task", ""))?;
        let next = self.next.take().ok_or_else(|| Error::invalid("task", "a chain that moves on once", "twice"))?;
        let mut second = next(value, &start)?;
        second.add_prior_requests(self.sent_before_second);
        second.start(&start.for_needs(second.needs())?)?;
        if self.cancelled {
            second.cancel();
        }
        self.second = Some(second);
        Ok(())
    }
}

impl<A: 'static + Default, O: 'static> Task for Chain<A, O> {
    type Output = O;

    fn needs(&self) -> Needs {
        self.needs
    }

    fn timeout_ms(&self) -> Option<Millis> {
        self.timeout_ms
    }

    fn start(&mut self, start: &Start) -> Result<()> {
        self.start = Some(start.clone());
        match self.first.as_mut() {
            Some(first) => first.start(&start.for_needs(first.needs())?),
            None => self.begin_second(A::default()),
        }
    }

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<O>> {
        if let Some(second) = self.second.as_mut() {
            return second.poll(now, budget);
        }
        let Some(first) = self.first.as_mut() else {
            return Step::Finished(Err(Error::invalid("task", "a started task", "")));
        };
        match first.poll(now, budget) {
            Step::Send(request) => {
                self.sent_before_second += 1;
                Step::Send(request)
            }
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(Err(error)) => Step::Finished(Err(error)),
            Step::Finished(Ok(value)) => match self.begin_second(value) {
                Ok(()) => self.poll(now, budget),
                Err(error) => Step::Finished(Err(error)),
            },
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        if let Some(second) = self.second.as_mut() {
            second.on_response(now, response);
        } else if let Some(first) = self.first.as_mut() {
            first.on_response(now, response);
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        if let Some(second) = self.second.as_mut() {
            second.on_transport_error(now, error);
        } else if let Some(first) = self.first.as_mut() {
            first.on_transport_error(now, error);
        }
    }

    fn cancel(&mut self) {
        self.cancelled = true;
        if let Some(second) = self.second.as_mut() {
            second.cancel();
        } else if let Some(first) = self.first.as_mut() {
            first.cancel();
        }
    }

    fn take_events(&mut self) -> Vec<Event> {
        let mut events = self.first.as_mut().map(|t| t.take_events()).unwrap_or_default();
        if let Some(second) = self.second.as_mut() {
            events.extend(second.take_events());
        }
        events
    }

    fn deadline(&self) -> Option<Millis> {
        self.second.as_ref().and_then(|t| t.deadline()).or_else(|| self.first.as_ref().and_then(|t| t.deadline()))
    }

    fn budget_kind(&self) -> BudgetKind {
        match (&self.second, &self.first) {
            (Some(second), _) => second.budget_kind(),
            (None, Some(first)) => first.budget_kind(),
            (None, None) => BudgetKind::Api,
        }
    }

    fn add_prior_requests(&mut self, sent: u32) {
        match self.second.as_mut() {
            Some(second) => second.add_prior_requests(sent),
            None => self.sent_before_second += sent,
        }
    }
}

/// What a [`Mapped`] task does with its inner task's output.
type OutputMap<A, U> = Box<dyn FnOnce(A) -> Result<U>>;

/// A task whose output is turned into another (or into an error) when it ends.
pub struct Mapped<T: Task, U> {
    inner: T,
    map: Option<OutputMap<T::Output, U>>,
}

impl<T: Task, U> Mapped<T, U> {
    /// `inner`, its output passed through `map`.
    pub fn new(inner: T, map: impl FnOnce(T::Output) -> Result<U> + 'static) -> Self {
        Self { inner, map: Some(Box::new(map)) }
    }
}

impl<T: Task, U> std::fmt::Debug for Mapped<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapped").finish_non_exhaustive()
    }
}

impl<T: Task, U> Task for Mapped<T, U> {
    type Output = U;
    fn needs(&self) -> Needs {
        self.inner.needs()
    }
    fn timeout_ms(&self) -> Option<Millis> {
        self.inner.timeout_ms()
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        self.inner.start(start)
    }
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<U>> {
        match self.inner.poll(now, budget) {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(Err(error)) => Step::Finished(Err(error)),
            Step::Finished(Ok(value)) => match self.map.take() {
                Some(map) => Step::Finished(map(value)),
                None => Step::Finished(Err(Error::invalid("task", "a task polled once after it ended", ""))),
            },
        }
    }
    fn on_response(&mut self, now: Millis, response: &Response) {
        self.inner.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        self.inner.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.inner.cancel();
    }
    fn take_events(&mut self) -> Vec<Event> {
        self.inner.take_events()
    }
    fn deadline(&self) -> Option<Millis> {
        self.inner.deadline()
    }
    fn budget_kind(&self) -> BudgetKind {
        self.inner.budget_kind()
    }
}

/// Every page of `servers/detail`, each page read with the read policy; a marker that stops
/// moving ends the walk rather than looping.
pub struct AllServers {
    page_size: u32,
    /// For a wait: how long its pages' reads may be tried again (see [`CallTask::patient_until`]).
    patience: Option<Millis>,
    patient_until: Option<Millis>,
    page: Option<CallTask<crate::servers::ServerPage>>,
    servers: Vec<crate::servers::Server>,
    marker: Option<crate::ServerId>,
    start: Option<Start>,
    cancelled: bool,
    events: Vec<Event>,
}

impl std::fmt::Debug for AllServers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllServers").field("servers", &self.servers.len()).finish_non_exhaustive()
    }
}

impl AllServers {
    /// Every server, `page_size` a page.
    pub fn new(page_size: u32) -> Self {
        Self {
            page_size,
            patience: None,
            patient_until: None,
            page: None,
            servers: Vec::new(),
            marker: None,
            start: None,
            cancelled: false,
            events: Vec::new(),
        }
    }

    /// For a wait of at most `timeout_ms` (`None`: not for a wait): each page is tried again
    /// until the wait's deadline, as the wait's own reads are, not once.
    #[must_use]
    pub fn patient_for(mut self, timeout_ms: Option<Millis>) -> Self {
        self.patience = timeout_ms;
        self
    }

    fn page_task(&self, at: Millis) -> Result<CallTask<crate::servers::ServerPage>> {
        let (limit, marker) = (self.page_size, self.marker.clone());
        let task = CallTask::new(
            CallKind::Read,
            Needs::Endpoint(Service::Compute),
            move |start| {
                let endpoint = crate::servers::ServersEndpoint::BaseUrl(start.endpoint()?.clone());
                crate::servers::list_servers_detail(&endpoint, start.token()?, Some(limit), marker.as_ref())
            },
            crate::servers::parse_servers_detail,
        );
        let mut task = task.patient_until(self.patient_until);
        let mut start = self.start.clone().ok_or_else(|| Error::invalid("task", "a started task", ""))?;
        start.at = at;
        task.start(&start)?;
        Ok(task)
    }
}

impl Task for AllServers {
    type Output = Vec<crate::servers::Server>;

    fn needs(&self) -> Needs {
        Needs::Endpoint(Service::Compute)
    }

    fn start(&mut self, start: &Start) -> Result<()> {
        self.start = Some(start.clone());
        self.patient_until = self.patience.map(|p| start.at.saturating_add(p));
        self.page = Some(self.page_task(start.at)?);
        Ok(())
    }

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<Self::Output>> {
        loop {
            let Some(page) = self.page.as_mut() else {
                return Step::Finished(Err(Error::invalid("task", "a started task", "")));
            };
            if self.cancelled {
                page.cancel();
            }
            let step = page.poll(now, budget);
            self.events.extend(page.take_events());
            match step {
                Step::Send(request) => return Step::Send(request),
                Step::SleepUntil(at) => return Step::SleepUntil(at),
                Step::Finished(Err(error)) => return Step::Finished(Err(error)),
                Step::Finished(Ok(page)) => {
                    self.servers.extend(page.servers);
                    let next = match page.next_marker.map(crate::ServerId::new).transpose() {
                        Ok(next) => next,
                        Err(error) => return Step::Finished(Err(error)),
                    };
                    match next {
                        Some(next) if Some(&next) != self.marker.as_ref() => {
                            self.marker = Some(next);
                            match self.page_task(now) {
                                Ok(task) => self.page = Some(task),
                                Err(error) => return Step::Finished(Err(error)),
                            }
                        }
                        _ => return Step::Finished(Ok(std::mem::take(&mut self.servers))),
                    }
                }
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        if let Some(page) = self.page.as_mut() {
            page.on_response(now, response);
            self.events.extend(page.take_events());
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        if let Some(page) = self.page.as_mut() {
            page.on_transport_error(now, error);
            self.events.extend(page.take_events());
        }
    }

    fn cancel(&mut self) {
        self.cancelled = true;
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

/// A task that ends at once with a value it was given (a chain's step with nothing to ask).
pub struct Ready<T> {
    value: Option<T>,
}

impl<T> Ready<T> {
    /// Ends with `value`.
    pub fn new(value: T) -> Self {
        Self { value: Some(value) }
    }
}

impl<T> std::fmt::Debug for Ready<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ready").finish_non_exhaustive()
    }
}

impl<T> Task for Ready<T> {
    type Output = T;
    fn needs(&self) -> Needs {
        Needs::Nothing
    }
    fn start(&mut self, _: &Start) -> Result<()> {
        Ok(())
    }
    fn poll(&mut self, _: Millis, _: &mut RateBudget) -> Step<Result<T>> {
        match self.value.take() {
            Some(value) => Step::Finished(Ok(value)),
            None => Step::Finished(Err(Error::invalid("task", "a task polled once after it ended", ""))),
        }
    }
    fn on_response(&mut self, _: Millis, _: &Response) {}
    fn on_transport_error(&mut self, _: Millis, _: &Error) {}
    fn cancel(&mut self) {}
    fn take_events(&mut self) -> Vec<Event> {
        Vec::new()
    }
}

/// A task whose output comes with the time the service last answered, from its `Date` header
/// (what a server's build time is compared with, free of the client's clock).
pub struct Timed<T: Task> {
    inner: T,
    answered_at: Option<crate::Timestamp>,
}

impl<T: Task> Timed<T> {
    /// `inner`, timed by its answers.
    pub fn new(inner: T) -> Self {
        Self { inner, answered_at: None }
    }
}

impl<T: Task> std::fmt::Debug for Timed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timed").field("answered_at", &self.answered_at).finish_non_exhaustive()
    }
}

impl<T: Task> Task for Timed<T> {
    type Output = (T::Output, Option<crate::Timestamp>);
    fn needs(&self) -> Needs {
        self.inner.needs()
    }
    fn timeout_ms(&self) -> Option<Millis> {
        self.inner.timeout_ms()
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        self.inner.start(start)
    }
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<Self::Output>> {
        match self.inner.poll(now, budget) {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(result) => Step::Finished(result.map(|value| (value, self.answered_at))),
        }
    }
    fn on_response(&mut self, now: Millis, response: &Response) {
        // A missing or malformed Date only leaves the time unknown: it is not worth failing for.
        if let Some(at) = response.header("Date").and_then(|d| crate::Timestamp::parse_http_date(d).ok()) {
            self.answered_at = Some(at);
        }
        self.inner.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        self.inner.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.inner.cancel();
    }
    fn take_events(&mut self) -> Vec<Event> {
        self.inner.take_events()
    }
    fn deadline(&self) -> Option<Millis> {
        self.inner.deadline()
    }
    fn budget_kind(&self) -> BudgetKind {
        self.inner.budget_kind()
    }
}

/// A task run in a region of its own rather than its exchange's (one region of several, as an
/// inventory reads them): started with that region and, when it needs a service's endpoint, that
/// region's endpoint from the catalog (the same errors as an exchange's: a region without the
/// service, an insecure URL). It asks its parent for a token only, so that the parent looks for
/// no endpoint in its own region.
pub struct InRegion<T: Task> {
    region: crate::Region,
    inner: T,
}

impl<T: Task> InRegion<T> {
    /// `inner`, run in `region`.
    pub fn new(region: crate::Region, inner: T) -> Self {
        Self { region, inner }
    }
}

impl<T: Task> std::fmt::Debug for InRegion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InRegion").field("region", &self.region).finish_non_exhaustive()
    }
}

impl<T: Task> Task for InRegion<T> {
    type Output = T::Output;
    fn needs(&self) -> Needs {
        match self.inner.needs() {
            Needs::Endpoint(_) => Needs::Token,
            other => other,
        }
    }
    fn timeout_ms(&self) -> Option<Millis> {
        self.inner.timeout_ms()
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        let mut own = start.clone();
        own.region = Some(self.region);
        if let Needs::Endpoint(service) = self.inner.needs() {
            let access = start.access.as_ref().ok_or_else(|| Error::invalid("token", "a token", "none"))?;
            own.endpoint = Some(super::exchange::endpoint(access, Some(self.region), service)?);
        }
        self.inner.start(&own)
    }
    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<T::Output>> {
        self.inner.poll(now, budget)
    }
    fn on_response(&mut self, now: Millis, response: &Response) {
        self.inner.on_response(now, response);
    }
    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        self.inner.on_transport_error(now, error);
    }
    fn cancel(&mut self) {
        self.inner.cancel();
    }
    fn take_events(&mut self) -> Vec<Event> {
        self.inner.take_events()
    }
    fn deadline(&self) -> Option<Millis> {
        self.inner.deadline()
    }
    fn budget_kind(&self) -> BudgetKind {
        self.inner.budget_kind()
    }
}

/// Tasks run one after another, their outputs in order (every pool's nodes, say); the first
/// error ends them all.
pub struct Each<T> {
    waiting: std::collections::VecDeque<Box<dyn Task<Output = T>>>,
    current: Option<Box<dyn Task<Output = T>>>,
    done: Vec<T>,
    needs: Needs,
    start: Option<Start>,
    cancelled: bool,
    events: Vec<Event>,
}

impl<T> std::fmt::Debug for Each<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Each")
            .field("done", &self.done.len())
            .field("waiting", &self.waiting.len())
            .finish_non_exhaustive()
    }
}

impl<T> Each<T> {
    /// `tasks` in order; `needs` is what all of them need.
    pub fn new(needs: Needs, tasks: Vec<Box<dyn Task<Output = T>>>) -> Self {
        Self {
            waiting: tasks.into(),
            current: None,
            done: Vec::new(),
            needs,
            start: None,
            cancelled: false,
            events: Vec::new(),
        }
    }

    fn begin_next(&mut self, at: Millis) -> Result<()> {
        let mut start = self.start.clone().ok_or_else(|| Error::invalid("task", "a started task", ""))?;
        start.at = at;
        self.current = match self.waiting.pop_front() {
            Some(mut task) => {
                task.start(&start.for_needs(task.needs())?)?;
                Some(task)
            }
            None => None,
        };
        Ok(())
    }
}

impl<T> Task for Each<T> {
    type Output = Vec<T>;

    fn needs(&self) -> Needs {
        self.needs
    }

    fn start(&mut self, start: &Start) -> Result<()> {
        self.start = Some(start.clone());
        self.begin_next(start.at)
    }

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<Result<Vec<T>>> {
        loop {
            let Some(task) = self.current.as_mut() else {
                return Step::Finished(Ok(std::mem::take(&mut self.done)));
            };
            if self.cancelled {
                task.cancel();
            }
            let step = task.poll(now, budget);
            self.events.extend(task.take_events());
            match step {
                Step::Send(request) => return Step::Send(request),
                Step::SleepUntil(at) => return Step::SleepUntil(at),
                Step::Finished(Err(error)) => return Step::Finished(Err(error)),
                Step::Finished(Ok(value)) => {
                    self.done.push(value);
                    if let Err(error) = self.begin_next(now) {
                        return Step::Finished(Err(error));
                    }
                }
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        if let Some(task) = self.current.as_mut() {
            task.on_response(now, response);
            self.events.extend(task.take_events());
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &Error) {
        if let Some(task) = self.current.as_mut() {
            task.on_transport_error(now, error);
            self.events.extend(task.take_events());
        }
    }

    fn cancel(&mut self) {
        self.cancelled = true;
    }

    fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

/// Identity's answer itself (a sign-in, and nothing else).
#[derive(Debug, Default)]
pub struct SignIn {
    access: Option<Access>,
    cancelled: bool,
}

impl SignIn {
    /// A task that ends as soon as a token is held.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Task for SignIn {
    type Output = Access;
    fn needs(&self) -> Needs {
        Needs::Token
    }
    fn start(&mut self, start: &Start) -> Result<()> {
        self.access = start.access.clone();
        Ok(())
    }
    fn poll(&mut self, _now: Millis, _budget: &mut RateBudget) -> Step<Result<Access>> {
        if self.cancelled {
            return Step::Finished(Err(Error::Cancelled));
        }
        Step::Finished(self.access.take().ok_or_else(|| Error::invalid("access", "a sign-in", "none")))
    }
    fn on_response(&mut self, _now: Millis, _response: &Response) {}
    fn on_transport_error(&mut self, _now: Millis, _error: &Error) {}
    fn cancel(&mut self) {
        self.cancelled = true;
    }
    fn take_events(&mut self) -> Vec<Event> {
        Vec::new()
    }
}
