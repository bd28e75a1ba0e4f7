//! A server's public IP: present or absent, retained or not, or a retained IP moved to it.

use serde::{Deserialize, Serialize};

use super::server_check::{Known, ServerCheck};
use super::{EnsureOptions, Presence};
use crate::http::Response;
use crate::id::{PublicIpId, Region, ServerId};
use crate::secret::Token;
use crate::servers::ServersEndpoint;
use crate::v3::{self, ConflictKind, PublicIp, PublicIpFilter, V3Endpoint};
use crate::wait::{
    BudgetKind, Clock, Event, Machine, Millis, Outcome, PublicIpWaiter, RateBudget, Step, Target, WaitConfig,
};

/// What to ensure.
#[derive(Clone, Debug)]
pub struct PublicIpSpec {
    /// The server.
    pub server_id: ServerId,
    /// Whether it should have a public IP.
    pub presence: Presence,
    /// Whether the IP should be retained (outlive the server); `None` leaves it as it is.
    pub retain: Option<bool>,
    /// With `Present`: move this (retained) public IP to the server instead of creating one.
    pub public_ip_id: Option<PublicIpId>,
    /// With `Absent`: unassign the server's retained IP from it, keeping the IP for another
    /// server, instead of deleting it (`retain: Some(true)` retains a non-retained one first).
    pub unassign: bool,
}

impl PublicIpSpec {
    /// Refuses the combinations that mean nothing: unassigning with `Present`, or unassigning
    /// an IP while asking for it not to be retained (it would be lost); moving with `Absent`.
    pub fn check(&self) -> crate::Result<()> {
        Self::check_options(self.presence, self.retain, self.public_ip_id.is_some(), self.unassign)
    }

    /// [`check`](Self::check) before the server is known (a name still to be looked up).
    pub fn check_options(presence: Presence, retain: Option<bool>, moving: bool, unassign: bool) -> crate::Result<()> {
        if unassign && presence == Presence::Present {
            return Err(crate::Error::invalid(
                "unassign",
                "unassign only with the IP absent from the server (it is kept, on no server)",
                "present",
            ));
        }
        if unassign && retain == Some(false) {
            return Err(crate::Error::invalid(
                "retain",
                "true or nothing when unassigning: an unassigned IP must be retained, or it is lost",
                "false",
            ));
        }
        if moving && presence == Presence::Absent {
            return Err(crate::Error::invalid(
                "move_ip",
                "a public IP to move only with the IP present on the server",
                "absent",
            ));
        }
        Ok(())
    }
}

/// The change the planner means to make.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PublicIpAction {
    /// Nothing to change.
    #[cfg_attr(feature = "schema", schemars(title = "NoAction"))]
    None,
    /// `POST /public_ips`.
    #[cfg_attr(feature = "schema", schemars(title = "CreateAction"))]
    Create {
        /// The `retain` to create it with.
        retain: bool,
    },
    /// `PATCH /public_ips/{id}` with `retain`.
    #[cfg_attr(feature = "schema", schemars(title = "SetRetainAction"))]
    SetRetain {
        /// The public IP.
        id: String,
        /// The new value.
        retain: bool,
    },
    /// `PATCH /public_ips/{id}` with the server (and `retain`, if asked).
    #[cfg_attr(feature = "schema", schemars(title = "MoveAction"))]
    Move {
        /// The public IP.
        id: String,
        /// The `retain` to set at the same time.
        retain: Option<bool>,
    },
    /// `PATCH /public_ips/{id}` with `{"cloud_server": null}`: the IP is kept, on no server.
    #[cfg_attr(feature = "schema", schemars(title = "UnassignAction"))]
    Unassign {
        /// The public IP.
        id: String,
        /// Retain it in the same request (it was not retained yet).
        retain: bool,
    },
    /// `DELETE /public_ips/{id}`.
    #[cfg_attr(feature = "schema", schemars(title = "DeleteAction"))]
    Delete {
        /// The public IP.
        id: String,
    },
}

/// How it ended.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PublicIpResult {
    /// Done, Failed, TimedOut, Cancelled, Forbidden or Error.
    pub outcome: Outcome,
    /// True when the change was made (in dry-run mode: would be).
    pub changed: bool,
    /// The change planned.
    pub plan: PublicIpAction,
    /// The server, by its id (a name given is resolved to it).
    pub server_id: String,
    /// The public IP as last read (with its address once ACTIVE); none after a delete.
    pub public_ip: Option<PublicIp>,
    /// For a delete, the public IP it deletes as read before the delete (in a dry run, the one it
    /// would delete), so that a real run can name it as a dry run does; none for other plans.
    pub deleted: Option<PublicIp>,
    /// Why it did not end Done.
    pub reason: Option<String>,
    /// Requests sent.
    pub requests: u32,
    /// Time from the start to the end.
    pub elapsed_ms: Millis,
    /// True for a dry run (nothing was changed; `changed` says what would be).
    pub dry_run: bool,
    /// The verdict: true when it ended `done`. Every front door reads this.
    pub ok: bool,
    /// One line saying how it ended, the same words in every front door.
    pub summary: String,
}

#[derive(Debug)]
enum Phase {
    /// Reading the server's IPs.
    ReadServer,
    /// Reading the IP to move.
    ReadMoving,
    /// Asking Cloud Servers whether the server exists (once, before a grace or a dry run's plan).
    CheckingServer,
    Applying,
    Waiting(Box<PublicIpWaiter>),
    Finished,
}

/// Ensures a server's public IP. A create that meets the post-build 409 (`does not exist`,
/// `unprocessable`) is retried with backoff; a create that meets "already has a Public IP"
/// (another client was quicker) re-reads and plans again. Then it waits for ACTIVE or gone.
#[derive(Debug)]
pub struct PublicIpPlanner {
    endpoint: V3Endpoint,
    token: Token,
    spec: PublicIpSpec,
    dry_run: bool,
    wait: bool,
    config: WaitConfig,
    clock: Clock,
    current: Option<PublicIp>,
    moving: Option<PublicIp>,
    plan: Option<PublicIpAction>,
    last: Option<PublicIp>,
    changed: bool,
    /// The plan as first made, for the result.
    first_plan: Option<PublicIpAction>,
    /// The IP the first plan deletes, as read before the delete, for the result.
    deleting: Option<PublicIp>,
    /// A change was sent and its answer lost: found applied on re-read, it counts as made.
    unanswered: bool,
    post_build_grace_ms: Millis,
    retrying_since: Option<Millis>,
    server_check: Option<ServerCheck>,
    /// The refusal that asked for the server check, retried once the server is known.
    retry_after_check: Option<(String, Option<u64>)>,
    phase: Phase,
    result: Option<PublicIpResult>,
}

impl PublicIpPlanner {
    /// A planner starting at `now` (see [`EnsureOptions`] for dry runs and waits).
    pub fn new(endpoint: V3Endpoint, token: Token, spec: PublicIpSpec, options: EnsureOptions, now: Millis) -> Self {
        let EnsureOptions { dry_run, no_wait, wait: config, post_build_grace_ms } = options;
        let wait = !no_wait;
        Self {
            endpoint,
            token,
            spec,
            dry_run,
            wait,
            clock: Clock::new(&config, now),
            config,
            current: None,
            moving: None,
            plan: None,
            last: None,
            changed: false,
            first_plan: None,
            deleting: None,
            unanswered: false,
            post_build_grace_ms,
            retrying_since: None,
            server_check: None,
            retry_after_check: None,
            phase: Phase::ReadServer,
            result: None,
        }
    }

    /// Asks Cloud Servers (at `endpoint`, in `region`) whether the server exists once, before
    /// spending the post-build grace on it or a dry run planning a change for it: a server it
    /// does not have fails at once ("server … not found in region …").
    #[must_use]
    pub fn checking_servers(mut self, endpoint: ServersEndpoint, region: Region) -> Self {
        self.server_check = Some(ServerCheck::new(endpoint, region));
        self
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    /// Queues the server for the check; true when a check is now due.
    fn check_server(&mut self) -> bool {
        let Some(check) = &mut self.server_check else { return false };
        check.want(&self.spec.server_id);
        check.busy()
    }

    fn finish(&mut self, now: Millis, outcome: Outcome, reason: Option<String>) {
        // The plan as first made; a re-read after a lost answer plans again, for itself.
        let plan = self.first_plan.clone().or_else(|| self.plan.clone()).unwrap_or(PublicIpAction::None);
        let changed = if self.dry_run { plan != PublicIpAction::None } else { self.changed };
        let deleted = if matches!(plan, PublicIpAction::Delete { .. }) { self.deleting.clone() } else { None };
        self.result = Some(PublicIpResult {
            outcome,
            changed,
            plan,
            server_id: self.spec.server_id.as_str().to_owned(),
            public_ip: self.last.clone(),
            deleted,
            reason,
            requests: self.clock.requests,
            elapsed_ms: now.saturating_sub(self.clock.start),
            dry_run: self.dry_run,
            ok: false,
            summary: String::new(),
        });
        self.phase = Phase::Finished;
    }

    fn make_plan(&mut self, now: Millis) {
        let current = self.current.clone();
        self.last = current.clone();
        let plan = match (self.spec.presence, &current, &self.moving) {
            (Presence::Absent, Some(ip), _) if self.spec.unassign => {
                if !self.spec.retain.unwrap_or(ip.retain) {
                    return self.finish(
                        now,
                        Outcome::Failed,
                        Some(format!(
                            "public IP {} is not retained: unassigned, it would be lost; ask for retain as well, or remove it",
                            ip.id
                        )),
                    );
                }
                PublicIpAction::Unassign { id: ip.id.clone(), retain: !ip.retain }
            }
            (Presence::Absent, Some(ip), _) => PublicIpAction::Delete { id: ip.id.clone() },
            (Presence::Absent, None, _) => PublicIpAction::None,
            (Presence::Present, Some(ip), Some(moving)) if !ip.id.eq_ignore_ascii_case(&moving.id) => {
                return self.finish(
                    now,
                    Outcome::Failed,
                    Some(format!(
                        "the server already has public IP {}; remove it before moving {} to it",
                        ip.id, moving.id
                    )),
                );
            }
            (Presence::Present, None, Some(moving)) => {
                PublicIpAction::Move { id: moving.id.clone(), retain: self.spec.retain }
            }
            (Presence::Present, Some(ip), _) => match self.spec.retain {
                Some(retain) if retain != ip.retain => PublicIpAction::SetRetain { id: ip.id.clone(), retain },
                _ => PublicIpAction::None,
            },
            (Presence::Present, None, None) => PublicIpAction::Create { retain: self.spec.retain.unwrap_or(false) },
        };
        self.plan = Some(plan.clone());
        if self.first_plan.is_none() {
            if matches!(plan, PublicIpAction::Delete { .. }) {
                self.deleting = current.clone();
            }
            self.first_plan = Some(plan.clone());
        }
        if self.unanswered && plan == PublicIpAction::None {
            // The change whose answer was lost is there now: this run made it.
            self.changed = true;
        }
        if self.dry_run {
            // A change planned for a server Cloud Servers does not have is an error, not a change.
            let adds_to_server = matches!(plan, PublicIpAction::Create { .. } | PublicIpAction::Move { .. });
            if adds_to_server && self.check_server() {
                self.phase = Phase::CheckingServer;
                return;
            }
            return self.finish(now, Outcome::Done, None);
        }
        if plan == PublicIpAction::None {
            // Already as wanted, but it may still be settling (ADDING, REMOVING).
            match &current {
                Some(ip) if self.wait && ip.status.as_str() != "ACTIVE" => {
                    self.start_waiting(now, &ip.id.clone(), Target::Active)
                }
                _ => self.finish(now, Outcome::Done, None),
            }
        } else {
            self.phase = Phase::Applying;
            self.clock.next_at = now;
        }
    }

    fn start_waiting(&mut self, now: Millis, id: &str, target: Target) {
        let Ok(id) = PublicIpId::new(id.to_owned()) else {
            return self.finish(now, Outcome::Error, Some(format!("the API returned an unusable public IP id {id:?}")));
        };
        if !self.wait {
            return self.finish(now, Outcome::Done, None);
        }
        let config = WaitConfig { timeout_ms: self.clock.deadline.saturating_sub(now), ..self.config.clone() };
        let mut waiter = PublicIpWaiter::new(self.endpoint.clone(), self.token.clone(), id, target, config, now);
        // What the plan read is not news: an IP that stays as it was is no change in the events.
        if let Some(status) =
            self.last.as_ref().filter(|ip| ip.id.eq_ignore_ascii_case(waiter.id())).map(|ip| ip.status.to_string())
        {
            waiter.already_seen(&status);
        }
        self.phase = Phase::Waiting(Box::new(waiter));
    }

    fn fail_with(&mut self, now: Millis, error: crate::Error) {
        let outcome = crate::wait::outcome_of(&error);
        self.finish(now, outcome, Some(error.to_string()));
    }

    fn request(&mut self) -> crate::Result<crate::Request> {
        match (&self.phase, &self.plan) {
            (Phase::ReadServer, _) => {
                let filter = PublicIpFilter { cloud_server_id: Some(self.spec.server_id.clone()), retain: None };
                v3::list_public_ips(&self.endpoint, &self.token, &filter)
            }
            (Phase::CheckingServer, _) => match &mut self.server_check {
                Some(check) => check
                    .next_request(&self.token)
                    .unwrap_or_else(|| Err(crate::Error::invalid("server_check", "a server to ask about", "none"))),
                None => Err(crate::Error::invalid("server_check", "a server check", "none")),
            },
            (Phase::ReadMoving, _) => match &self.spec.public_ip_id {
                Some(id) => v3::get_public_ip(&self.endpoint, &self.token, id),
                None => Err(crate::Error::invalid("public_ip_id", "a public IP to move", "")),
            },
            (Phase::Applying, Some(PublicIpAction::Create { retain })) => {
                v3::create_public_ip(&self.endpoint, &self.token, Some(&self.spec.server_id), retain.then_some(true))
            }
            (Phase::Applying, Some(PublicIpAction::SetRetain { id, retain })) => {
                v3::update_public_ip(&self.endpoint, &self.token, &PublicIpId::new(id.clone())?, Some(*retain), None)
            }
            (Phase::Applying, Some(PublicIpAction::Move { id, retain })) => v3::update_public_ip(
                &self.endpoint,
                &self.token,
                &PublicIpId::new(id.clone())?,
                *retain,
                Some(&self.spec.server_id),
            ),
            (Phase::Applying, Some(PublicIpAction::Unassign { id, retain })) => v3::unassign_public_ip(
                &self.endpoint,
                &self.token,
                &PublicIpId::new(id.clone())?,
                retain.then_some(true),
            ),
            (Phase::Applying, Some(PublicIpAction::Delete { id })) => {
                v3::delete_public_ip(&self.endpoint, &self.token, &PublicIpId::new(id.clone())?)
            }
            _ => Err(crate::Error::invalid("plan", "a change to apply", "none")),
        }
    }
}

impl Machine for PublicIpPlanner {
    type Output = PublicIpResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<PublicIpResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        if let Phase::Waiting(waiter) = &mut self.phase {
            if self.clock.cancelled {
                waiter.cancel();
            }
            return match waiter.poll(now, budget) {
                Step::Finished(wait) => {
                    if let Some(ip) = waiter.public_ip() {
                        self.last = Some(ip.clone());
                    }
                    if matches!(self.plan, Some(PublicIpAction::Delete { .. })) && wait.outcome == Outcome::Done {
                        self.last = None;
                    }
                    self.clock.requests += wait.requests;
                    self.finish(now, wait.outcome, wait.reason);
                    self.poll(now, budget)
                }
                Step::Send(request) => Step::Send(request),
                Step::SleepUntil(at) => Step::SleepUntil(at),
            };
        }
        match self.clock.gate(now, budget) {
            Some(Err(outcome)) => {
                let reason = (outcome == Outcome::TimedOut)
                    .then(|| self.clock.last_problem.as_deref().map(|p| format!("the last answer: {p}")))
                    .flatten();
                self.finish(now, outcome, reason);
                return self.poll(now, budget);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        match self.request() {
            Ok(request) => {
                self.clock.sent(now, budget);
                Step::Send(request)
            }
            Err(error) => {
                self.finish(now, Outcome::Error, Some(error.to_string()));
                self.poll(now, budget)
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        self.clock.in_flight = false;
        if let Phase::Waiting(waiter) = &mut self.phase {
            return waiter.on_response(now, response);
        }
        match &self.phase {
            Phase::ReadServer => match v3::parse_public_ips(response) {
                Ok(ips) => {
                    let server = self.spec.server_id.as_str();
                    // A REMOVING IP is on its way out: for "present" a new one is needed.
                    self.current = ips.into_iter().find(|ip| {
                        ip.cloud_server.as_ref().is_some_and(|s| s.id.eq_ignore_ascii_case(server))
                            && !matches!(ip.status.as_str(), "REMOVING" | "REMOVED")
                    });
                    if self.spec.presence == Presence::Present && self.spec.public_ip_id.is_some() {
                        self.phase = Phase::ReadMoving;
                        self.clock.next_at = now;
                    } else {
                        self.make_plan(now);
                    }
                }
                Err(error) if crate::wait::is_retryable(&error) => {
                    self.clock.retry(now, error.to_string(), crate::wait::retry_after(&error));
                }
                Err(error) => self.fail_with(now, error),
            },
            Phase::CheckingServer => {
                let known = self.server_check.as_mut().and_then(|c| c.on_response(response)).map(|(_, k)| k);
                match known {
                    Some(Known::No(message)) => {
                        if self.dry_run {
                            // Nothing would be changed for a server that is not there.
                            self.first_plan = Some(PublicIpAction::None);
                        }
                        self.finish(now, Outcome::Failed, Some(message));
                    }
                    _ if self.dry_run => self.finish(now, Outcome::Done, None),
                    _ => self.apply_after_check(now),
                }
            }
            Phase::ReadMoving => match v3::parse_public_ip(response) {
                Ok(ip) => {
                    self.moving = Some(ip);
                    self.make_plan(now);
                }
                Err(error) if crate::wait::is_retryable(&error) => {
                    self.clock.retry(now, error.to_string(), crate::wait::retry_after(&error));
                }
                Err(error) => self.fail_with(now, error),
            },
            Phase::Applying => {
                let deleting = matches!(self.plan, Some(PublicIpAction::Delete { .. }));
                if deleting {
                    match v3::parse_no_content(response) {
                        Ok(()) => {
                            self.changed = true;
                            let id = self.current.as_ref().map(|ip| ip.id.clone()).unwrap_or_default();
                            return self.start_waiting(now, &id, Target::Gone);
                        }
                        // Someone else deleted it first: nothing was changed by us.
                        Err(error) if error.as_api().is_some_and(|a| a.status == 404) => {
                            self.last = None;
                            return self.finish(now, Outcome::Done, None);
                        }
                        Err(error) => return self.applying_error(now, error),
                    }
                }
                match v3::parse_public_ip(response) {
                    Ok(ip) => {
                        self.changed = true;
                        let id = ip.id.clone();
                        self.last = Some(ip);
                        self.start_waiting(now, &id, Target::Active);
                    }
                    Err(error) => self.applying_error(now, error),
                }
            }
            Phase::Waiting(_) | Phase::Finished => {}
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        match &mut self.phase {
            Phase::Waiting(waiter) => waiter.on_transport_error(now, error),
            // Not knowing is no reason to fail: carry on as if Cloud Servers had the server.
            Phase::CheckingServer => {
                if let Some(check) = &mut self.server_check {
                    check.on_transport_error();
                }
                if self.dry_run {
                    return self.finish(now, Outcome::Done, None);
                }
                self.apply_after_check(now);
            }
            // A change that got no answer may have happened: read again before retrying.
            Phase::Applying => {
                self.unanswered = true;
                self.phase = Phase::ReadServer;
                self.clock.retry(now, error.to_owned(), None);
            }
            _ => self.clock.retry(now, error.to_owned(), None),
        }
    }

    fn cancel(&mut self) {
        self.clock.cancelled = true;
    }

    fn take_events(&mut self) -> Vec<Event> {
        let mut events = std::mem::take(&mut self.clock.events);
        if let Phase::Waiting(waiter) = &mut self.phase {
            events.extend(waiter.take_events());
        }
        events
    }

    fn budget_kind(&self) -> BudgetKind {
        BudgetKind::Api
    }

    fn deadline(&self) -> Option<Millis> {
        Some(self.clock.deadline)
    }
}

impl PublicIpPlanner {
    /// Back to the change once the server is known to exist (or could not be asked about): at
    /// once before a first attempt, else as the refusal that led to the check would be retried.
    fn apply_after_check(&mut self, now: Millis) {
        self.phase = Phase::Applying;
        match self.retry_after_check.take() {
            Some((messages, retry_after)) => self.clock.retry(now, messages, retry_after),
            None => self.clock.again(now, 0),
        }
    }

    fn applying_error(&mut self, now: Millis, error: crate::Error) {
        let Some(api) = error.as_api() else { return self.fail_with(now, error) };
        if api.status == 409 {
            let kinds: Vec<ConflictKind> = api.conflicts.iter().map(|c| c.kind).collect();
            if kinds.iter().all(|k| k.is_retryable()) && !kinds.is_empty() {
                // The post-build race: RackConnect does not know the server yet, for a while.
                let (messages, retry_after) =
                    (crate::error::bounded_list(api.messages.iter().map(String::as_str)), api.retry_after);
                let since = *self.retrying_since.get_or_insert(now);
                let unknown_server = kinds
                    .iter()
                    .any(|k| matches!(k, ConflictKind::ServerDoesNotExist | ConflictKind::ServerUnprocessable));
                if unknown_server && self.check_server() {
                    // Asked at once, at the first such refusal: the answer decides between the
                    // grace (this retry, then) and a failure, with no wait and no "retrying" first.
                    self.phase = Phase::CheckingServer;
                    self.retry_after_check = Some((messages, retry_after));
                    self.clock.next_at = now;
                    return;
                }
                if now.saturating_sub(since) > self.post_build_grace_ms {
                    let waited = now.saturating_sub(since) / 1000;
                    return self.finish(
                        now,
                        Outcome::Failed,
                        Some(format!("{messages} (still refused after {waited} s of retries)")),
                    );
                }
                return self.clock.retry(now, messages, retry_after);
            }
            if kinds.contains(&ConflictKind::ServerHasPublicIp)
                && matches!(self.plan, Some(PublicIpAction::Create { .. }))
            {
                // Another client gave it one meanwhile: plan again from what is there.
                self.phase = Phase::ReadServer;
                self.clock.next_at = now;
                return;
            }
            let reason = crate::error::bounded_list(api.messages.iter().map(String::as_str));
            return self.finish(now, Outcome::Failed, Some(reason));
        }
        if crate::wait::is_retryable(&error) {
            // Retrying a change is safe only after reading again.
            self.phase = Phase::ReadServer;
            return self.clock.retry(now, error.to_string(), crate::wait::retry_after(&error));
        }
        self.fail_with(now, error)
    }
}
