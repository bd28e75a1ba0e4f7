//! Pool membership for many servers across many pools.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::server_check::{Known, ServerCheck};
use super::{EnsureOptions, Presence};
use crate::http::Response;
use crate::id::{PoolId, Region, ServerId};
use crate::secret::Token;
use crate::servers::ServersEndpoint;
use crate::v3::{self, ConflictKind, V3Endpoint};
use crate::wait::{BudgetKind, Event, Machine, Millis, NodesWaiter, Outcome, RateBudget, Step, Target, WaitConfig};

/// Every server with every pool, each id validated; `fields` names the two inputs in errors
/// as the caller wrote them (e.g. `("--server", "--pool")`).
pub fn every_pair(
    servers: &[String],
    pools: &[String],
    fields: (&str, &str),
) -> crate::Result<Vec<(ServerId, PoolId)>> {
    let mut pairs = Vec::with_capacity(servers.len() * pools.len());
    for server in servers {
        for pool in pools {
            pairs.push((ServerId::new_as(fields.0, server.clone())?, PoolId::new_as(fields.1, pool.clone())?));
        }
    }
    Ok(pairs)
}

/// A (server, pool) pair, with the names the run learned (the ones the user typed, resolved).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pair {
    /// The server.
    pub server_id: String,
    /// The pool.
    pub pool_id: String,
    /// The server's name, when the run knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// The pool's name, when the run knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_name: Option<String>,
}

impl Pair {
    /// The server as people read it: `name (id)`, or the id when the name is not known.
    pub fn server_shown(&self) -> String {
        shown(self.server_name.as_deref(), &self.server_id)
    }

    /// The pool as people read it: `name (id)`, or the id.
    pub fn pool_shown(&self) -> String {
        shown(self.pool_name.as_deref(), &self.pool_id)
    }
}

fn shown(name: Option<&str>, id: &str) -> String {
    match name {
        Some(name) => format!("{name} ({id})"),
        None => id.to_owned(),
    }
}

/// A pair that could not be brought to the wanted state.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PairFailure {
    /// The pair.
    pub pair: Pair,
    /// Why.
    pub reason: String,
}

/// What the planner found and means to do.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MembershipPlan {
    /// Pairs to add.
    pub add: Vec<Pair>,
    /// Pairs to remove.
    pub remove: Vec<Pair>,
    /// Pairs already as wanted.
    pub unchanged: Vec<Pair>,
}

/// How an ensure ended.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MembershipResult {
    /// Done when every pair is as wanted; Failed when some could not be; TimedOut, Cancelled,
    /// Forbidden or Error otherwise.
    pub outcome: Outcome,
    /// True when a pair was added or removed (in dry-run mode: would be).
    pub changed: bool,
    /// The plan as first made (kept as it was, whatever the service answered).
    pub plan: MembershipPlan,
    /// Pairs of the plan that the service's 409 showed were already as wanted (another client
    /// was quicker): not changed by this run.
    pub settled_by_conflict: Vec<Pair>,
    /// Pairs this run added.
    pub added: Vec<Pair>,
    /// Pairs this run removed.
    pub removed: Vec<Pair>,
    /// Pairs that failed.
    pub failed: Vec<PairFailure>,
    /// Why it did not end Done, when known.
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
    Reading,
    /// Asking Cloud Servers whether servers RackConnect refused (or a dry run would add) exist.
    CheckingServers,
    Applying,
    Waiting(Box<NodesWaiter>),
    Finished,
}

type Key = (String, String);

fn key(server: &str, pool: &str) -> Key {
    (server.to_ascii_lowercase(), pool.to_ascii_lowercase())
}

/// Ensures that every (server, pool) pair is a member (or not): one list per pool to read, one
/// bulk add or remove for the difference, then convergence on the atomic 409: already-member
/// (on add) and not-member (on remove) pairs are dropped as done; does-not-exist,
/// unprocessable and not-ACTIVE conflicts are retried with backoff (they clear up after a
/// build); a pool that does not exist fails its pairs. Then it waits for ACTIVE or gone.
#[derive(Debug)]
pub struct MembershipPlanner {
    endpoint: V3Endpoint,
    token: Token,
    presence: Presence,
    dry_run: bool,
    wait: bool,
    config: WaitConfig,
    clock: crate::wait::Clock,
    desired: Vec<(ServerId, PoolId)>,
    to_read: VecDeque<PoolId>,
    reading: Option<PoolId>,
    current: BTreeMap<Key, (String, String)>,
    plan: MembershipPlan,
    /// The plan as first made, for the result.
    first_plan: Option<MembershipPlan>,
    settled_by_conflict: Vec<Pair>,
    /// Pairs of a change whose answer was lost: found as wanted on re-read, this run made them.
    unanswered: Vec<Pair>,
    post_build_grace_ms: Millis,
    /// When each pair was first refused with a retryable conflict.
    retrying_since: BTreeMap<Key, Millis>,
    remaining: Vec<(ServerId, PoolId)>,
    pending_waits: Vec<(PoolId, String)>,
    server_check: Option<ServerCheck>,
    /// Names by lower-case id (servers and pools), for pairs and messages.
    names: BTreeMap<String, String>,
    added: Vec<Pair>,
    removed: Vec<Pair>,
    failed: Vec<PairFailure>,
    phase: Phase,
    result: Option<MembershipResult>,
}

impl MembershipPlanner {
    /// A planner for `pairs`, starting at `now` (see [`EnsureOptions`] for dry runs and waits).
    pub fn new(
        endpoint: V3Endpoint,
        token: Token,
        pairs: Vec<(ServerId, PoolId)>,
        presence: Presence,
        options: EnsureOptions,
        now: Millis,
    ) -> Self {
        let EnsureOptions { dry_run, no_wait, wait: config, post_build_grace_ms } = options;
        let wait = !no_wait;
        let mut desired: Vec<(ServerId, PoolId)> = Vec::new();
        for (s, p) in pairs {
            if !desired.iter().any(|(ds, dp)| ds.eq_ignore_case(s.as_str()) && dp.eq_ignore_case(p.as_str())) {
                desired.push((s, p));
            }
        }
        let mut pools: Vec<PoolId> = Vec::new();
        for (_, p) in &desired {
            if !pools.iter().any(|q| q.eq_ignore_case(p.as_str())) {
                pools.push(p.clone());
            }
        }
        Self {
            endpoint,
            token,
            presence,
            dry_run,
            wait,
            clock: crate::wait::Clock::new(&config, now),
            config,
            desired,
            to_read: pools.into(),
            reading: None,
            current: BTreeMap::new(),
            plan: MembershipPlan::default(),
            first_plan: None,
            settled_by_conflict: Vec::new(),
            unanswered: Vec::new(),
            post_build_grace_ms,
            retrying_since: BTreeMap::new(),
            remaining: Vec::new(),
            pending_waits: Vec::new(),
            server_check: None,
            names: BTreeMap::new(),
            added: Vec::new(),
            removed: Vec::new(),
            failed: Vec::new(),
            phase: Phase::Reading,
            result: None,
        }
    }

    /// Asks Cloud Servers (at `endpoint`, in `region`) about a server once before spending the
    /// post-build grace on it, and about every server a dry run would add: one it does not have
    /// fails at once ("server … not found in region …") instead of being retried or planned.
    #[must_use]
    pub fn checking_servers(mut self, endpoint: ServersEndpoint, region: Region) -> Self {
        self.server_check = Some(ServerCheck::new(endpoint, region));
        self
    }

    /// Names of servers and pools, `(id, name)`, to show beside the ids in pairs and messages.
    #[must_use]
    pub fn with_names(mut self, names: impl IntoIterator<Item = (String, String)>) -> Self {
        self.names.extend(names.into_iter().map(|(id, name)| (id.to_ascii_lowercase(), name)));
        self
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    fn pair(&self, server: &ServerId, pool: &PoolId) -> Pair {
        let name = |id: &str| self.names.get(&id.to_ascii_lowercase()).cloned();
        Pair {
            server_id: server.to_string(),
            pool_id: pool.to_string(),
            server_name: name(server.as_str()),
            pool_name: name(pool.as_str()),
        }
    }

    fn finish(&mut self, now: Millis, outcome: Outcome, reason: Option<String>) {
        let changed = if self.dry_run {
            !self.plan.add.is_empty() || !self.plan.remove.is_empty()
        } else {
            !self.added.is_empty() || !self.removed.is_empty()
        };
        let outcome = if outcome == Outcome::Done && !self.failed.is_empty() { Outcome::Failed } else { outcome };
        let reason = reason.or_else(|| {
            (!self.failed.is_empty()).then(|| {
                let listed: Vec<String> = self
                    .failed
                    .iter()
                    .map(|f| format!("{} in {}: {}", f.pair.server_shown(), f.pair.pool_shown(), f.reason))
                    .collect();
                // Bounded: every failure stays in `failed`.
                crate::error::bounded_list(listed.iter().map(String::as_str))
            })
        });
        self.result = Some(MembershipResult {
            outcome,
            changed,
            plan: self.first_plan.clone().unwrap_or_else(|| self.plan.clone()),
            settled_by_conflict: self.settled_by_conflict.clone(),
            added: self.added.clone(),
            removed: self.removed.clone(),
            failed: self.failed.clone(),
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
        for (server, pool) in self.desired.clone() {
            let pair = self.pair(&server, &pool);
            if self.failed.iter().any(|f| f.pair == pair) {
                continue;
            }
            let found = self.current.get(&key(server.as_str(), pool.as_str())).cloned();
            match (self.presence, found.as_ref().map(|(id, status)| (id.clone(), status.as_str()))) {
                (Presence::Present, Some((id, "ACTIVE" | "ADDING"))) => {
                    if self.unanswered.contains(&pair) {
                        // Our add whose answer was lost: it was made, by this run.
                        self.added.push(pair.clone());
                    }
                    self.plan.unchanged.push(pair);
                    self.pending_waits.push((pool.clone(), id));
                }
                (Presence::Present, Some((_, status))) if status.ends_with("_FAILED") => {
                    self.failed.push(PairFailure {
                        pair,
                        reason: format!(
                            "an existing node is {status}; remove it first (ensure it absent, then present again)"
                        ),
                    });
                }
                (Presence::Present, _) => {
                    self.plan.add.push(pair);
                    self.remaining.push((server, pool));
                }
                (Presence::Absent, None) => {
                    if self.unanswered.contains(&pair) {
                        // Our remove whose answer was lost: it was made, by this run.
                        self.removed.push(pair.clone());
                    }
                    self.plan.unchanged.push(pair);
                }
                (Presence::Absent, Some((id, "REMOVING"))) => {
                    self.plan.unchanged.push(pair);
                    self.pending_waits.push((pool.clone(), id));
                }
                (Presence::Absent, Some(_)) => {
                    self.plan.remove.push(pair);
                    self.remaining.push((server, pool));
                }
            }
        }
        // A re-read after a change that got no answer plans again; the result keeps the first.
        if self.first_plan.is_none() {
            self.first_plan = Some(self.plan.clone());
        }
        if self.dry_run {
            if let Some(check) = &mut self.server_check {
                for pair in &self.remaining {
                    check.want(&pair.0);
                }
                if check.busy() {
                    self.phase = Phase::CheckingServers;
                    return;
                }
            }
            return self.finish(now, Outcome::Done, None);
        }
        if self.remaining.is_empty() {
            self.start_waiting(now);
        } else {
            self.phase = Phase::Applying;
            self.clock.next_at = now;
        }
    }

    /// After the servers asked about are known: a dry run ends; a run applies what remains.
    fn checked(&mut self, now: Millis) {
        if self.dry_run {
            return self.finish(now, Outcome::Done, None);
        }
        if self.remaining.is_empty() {
            self.start_waiting(now);
        } else {
            self.phase = Phase::Applying;
        }
    }

    /// A server Cloud Servers does not have: its pairs fail now, and a dry run plans no change
    /// for them.
    fn unknown_server(&mut self, server: &ServerId, message: &str) {
        let (gone, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.remaining).into_iter().partition(|(s, _)| s.eq_ignore_case(server.as_str()));
        self.remaining = keep;
        for (s, p) in gone {
            let pair = self.pair(&s, &p);
            self.plan.add.retain(|x| x != &pair);
            if let Some(first) = &mut self.first_plan {
                first.add.retain(|x| x != &pair);
            }
            self.failed.push(PairFailure { pair, reason: message.to_owned() });
        }
    }

    fn start_waiting(&mut self, now: Millis) {
        if !self.wait || self.pending_waits.is_empty() {
            return self.finish(now, Outcome::Done, None);
        }
        let target = if self.presence == Presence::Present { Target::Active } else { Target::Gone };
        let remaining_ms = self.clock.deadline.saturating_sub(now);
        let config = WaitConfig { timeout_ms: remaining_ms, ..self.config.clone() };
        let waits = std::mem::take(&mut self.pending_waits);
        let mut waiter = NodesWaiter::new(self.endpoint.clone(), self.token.clone(), waits, target, config, now);
        // What the plan read is not news: a node that stays as it was is no change in the events.
        waiter.already_seen(self.current.values().map(|(id, status)| (id.as_str(), status.as_str())));
        self.phase = Phase::Waiting(Box::new(waiter));
    }

    /// Reads a 409 into per-pair decisions.
    fn converge(&mut self, now: Millis, api: &crate::ApiError) {
        let node_of = |pair: &(ServerId, PoolId), current: &BTreeMap<Key, (String, String)>| {
            current.get(&key(pair.0.as_str(), pair.1.as_str())).map(|(id, _)| id.clone())
        };
        let mut matched = false;
        let mut retry = false;
        let mut keep = Vec::new();
        for pair in std::mem::take(&mut self.remaining) {
            let (s, p) = (pair.0.as_str(), pair.1.as_str());
            let node = node_of(&pair, &self.current);
            let about: Vec<_> = api
                .conflicts
                .iter()
                .filter(|c| {
                    c.is_about(s, p)
                        || (c.server_id.is_some() && c.pool_id.is_none() && c.names_server(s))
                        || (c.pool_id.is_some() && c.server_id.is_none() && c.node_id.is_none() && c.names_pool(p))
                        || (c.node_id.as_deref().zip(node.as_deref()).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)))
                })
                .collect();
            if about.is_empty() {
                keep.push(pair);
                continue;
            }
            matched = true;
            let done = about.iter().any(|c| match c.kind {
                ConflictKind::AlreadyMember => self.presence == Presence::Present,
                ConflictKind::NotMember | ConflictKind::NodeNotMember => self.presence == Presence::Absent,
                _ => false,
            });
            let fatal = about.iter().find(|c| matches!(c.kind, ConflictKind::PoolDoesNotExist | ConflictKind::Other));
            if done {
                self.plan_unchanged(&pair);
            } else if let Some(conflict) = fatal {
                self.failed.push(PairFailure { pair: self.pair(&pair.0, &pair.1), reason: conflict.message.clone() });
            } else {
                // Does not exist, unprocessable, not ACTIVE: clears up after a build or a pending
                // change, within the grace period; past it, the message is the answer.
                let since = *self.retrying_since.entry(key(s, p)).or_insert(now);
                let unknown_server = about
                    .iter()
                    .any(|c| matches!(c.kind, ConflictKind::ServerDoesNotExist | ConflictKind::ServerUnprocessable));
                if unknown_server && let Some(check) = &mut self.server_check {
                    check.want(&pair.0);
                }
                if now.saturating_sub(since) > self.post_build_grace_ms {
                    let message = crate::error::bounded_list(about.iter().map(|c| c.message.as_str()));
                    let waited = now.saturating_sub(since) / 1000;
                    self.failed.push(PairFailure {
                        pair: self.pair(&pair.0, &pair.1),
                        reason: format!("{message} (still refused after {waited} s of retries)"),
                    });
                } else {
                    retry = true;
                    keep.push(pair);
                }
            }
        }
        self.remaining = keep;
        if self.server_check.as_ref().is_some_and(ServerCheck::busy) {
            self.phase = Phase::CheckingServers;
        }
        if !matched {
            // Nothing in the answer names our pairs: the same request would fail the same way.
            let reason = crate::error::bounded_list(api.messages.iter().map(String::as_str));
            for (s, p) in std::mem::take(&mut self.remaining) {
                self.failed.push(PairFailure { pair: self.pair(&s, &p), reason: reason.clone() });
            }
        }
        if self.remaining.is_empty() {
            self.start_waiting(now);
        } else if retry {
            self.clock.retry(now, crate::error::bounded_list(api.messages.iter().map(String::as_str)), api.retry_after);
        } else {
            self.clock.next_at = now;
        }
    }

    fn plan_unchanged(&mut self, pair: &(ServerId, PoolId)) {
        let p = self.pair(&pair.0, &pair.1);
        if (self.plan.add.contains(&p) || self.plan.remove.contains(&p)) && !self.settled_by_conflict.contains(&p) {
            self.settled_by_conflict.push(p.clone());
        }
        self.plan.add.retain(|x| x != &p);
        self.plan.remove.retain(|x| x != &p);
        if !self.plan.unchanged.contains(&p) {
            self.plan.unchanged.push(p);
        }
    }
}

impl Machine for MembershipPlanner {
    type Output = MembershipResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<MembershipResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        if let Phase::Waiting(waiter) = &mut self.phase {
            if self.clock.cancelled {
                waiter.cancel();
            }
            match waiter.poll(now, budget) {
                Step::Finished(wait) => {
                    for failure in waiter.failures().to_vec() {
                        let pair = self
                            .added
                            .iter()
                            .chain(self.plan.unchanged.iter())
                            .chain(self.removed.iter())
                            .find(|p| {
                                p.pool_id.eq_ignore_ascii_case(&failure.pool_id)
                                    && self.current_node_is(p, &failure.node_id)
                            })
                            .cloned()
                            .unwrap_or(Pair {
                                server_id: "?".into(),
                                pool_id: failure.pool_id.clone(),
                                server_name: None,
                                pool_name: None,
                            });
                        self.failed.push(PairFailure { pair, reason: failure.explained() });
                    }
                    self.clock.requests += wait.requests;
                    // Failed nodes are said by their pairs (server and pool names, in `finish`),
                    // which say more than the waiter's node ids.
                    let reason = match wait.outcome {
                        Outcome::Done | Outcome::Failed => None,
                        _ => wait.reason.clone(),
                    };
                    self.finish(now, wait.outcome, reason);
                    return self.poll(now, budget);
                }
                other => return other.map_finished(),
            }
        }
        match self.clock.gate(now, budget) {
            Some(Err(outcome)) => {
                let reason = (outcome == Outcome::TimedOut).then(|| {
                    let pending = self.remaining.len();
                    let why = self
                        .clock
                        .last_problem
                        .as_deref()
                        .map(|p| format!("; the last answer: {p}"))
                        .unwrap_or_default();
                    format!("{pending} pair{} still pending{why}", if pending == 1 { "" } else { "s" })
                });
                self.finish(now, outcome, reason);
                return self.poll(now, budget);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        let request = match self.phase {
            Phase::Reading => match self.to_read.pop_front() {
                Some(pool) => {
                    let request = v3::list_nodes(&self.endpoint, &self.token, &pool);
                    self.reading = Some(pool);
                    request
                }
                None => {
                    self.make_plan(now);
                    return self.poll(now, budget);
                }
            },
            Phase::CheckingServers => match self.server_check.as_mut().and_then(|c| c.next_request(&self.token)) {
                Some(request) => request,
                None => {
                    self.checked(now);
                    return self.poll(now, budget);
                }
            },
            Phase::Applying if self.presence == Presence::Present => {
                v3::bulk_add_nodes(&self.endpoint, &self.token, &self.remaining)
            }
            Phase::Applying => v3::bulk_remove_nodes(&self.endpoint, &self.token, &self.remaining),
            Phase::Waiting(_) | Phase::Finished => return Step::SleepUntil(now),
        };
        match request {
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
        match self.phase {
            Phase::Reading => {
                let Some(pool) = self.reading.take() else { return };
                match v3::parse_nodes(response) {
                    Ok(nodes) => {
                        for node in nodes {
                            self.current.insert(
                                key(&node.cloud_server.id, &node.load_balancer_pool.id),
                                (node.id.clone(), node.status.as_str().to_owned()),
                            );
                        }
                        self.clock.again(now, 0);
                    }
                    Err(error) if error.as_api().is_some_and(|a| a.status == 404) => {
                        for (s, p) in self.desired.clone() {
                            if p.eq_ignore_case(pool.as_str()) {
                                self.failed.push(PairFailure {
                                    pair: self.pair(&s, &p),
                                    reason: format!("Load Balancer Pool {pool} does not exist"),
                                });
                            }
                        }
                        self.clock.again(now, 0);
                    }
                    Err(error) if crate::wait::is_retryable(&error) => {
                        self.to_read.push_front(pool);
                        self.clock.retry(now, error.to_string(), crate::wait::retry_after(&error));
                    }
                    Err(error) => self.fail_with(now, error),
                }
            }
            Phase::CheckingServers => {
                if let Some((server, Known::No(message))) =
                    self.server_check.as_mut().and_then(|c| c.on_response(response))
                {
                    self.unknown_server(&server, &message);
                }
                self.clock.again(now, 0);
            }
            Phase::Applying => {
                if response.is_success() {
                    let present = self.presence == Presence::Present;
                    if present {
                        match v3::parse_nodes(response) {
                            Ok(nodes) => {
                                for node in nodes {
                                    let pool = PoolId::new(node.load_balancer_pool.id.clone());
                                    if let Ok(pool) = pool {
                                        self.current.insert(
                                            key(&node.cloud_server.id, pool.as_str()),
                                            (node.id.clone(), "ADDING".into()),
                                        );
                                        self.pending_waits.push((pool, node.id));
                                    }
                                }
                            }
                            Err(error) => return self.fail_with(now, error),
                        }
                    }
                    for (s, p) in std::mem::take(&mut self.remaining) {
                        let pair = self.pair(&s, &p);
                        if present {
                            self.added.push(pair);
                        } else {
                            if let Some((id, _)) = self.current.get(&key(s.as_str(), p.as_str())) {
                                self.pending_waits.push((p.clone(), id.clone()));
                            }
                            self.removed.push(pair);
                        }
                    }
                    return self.start_waiting(now);
                }
                if let Err(error) = v3::parse_no_content(response) {
                    match error.as_api() {
                        Some(api) if api.status == 409 => {
                            let api = api.clone();
                            self.converge(now, &api);
                        }
                        _ if crate::wait::is_retryable(&error) => {
                            self.clock.retry(now, error.to_string(), crate::wait::retry_after(&error));
                        }
                        _ => self.fail_with(now, error),
                    }
                }
            }
            Phase::Waiting(_) | Phase::Finished => {}
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        match &mut self.phase {
            Phase::Waiting(waiter) => waiter.on_transport_error(now, error),
            Phase::Reading => {
                if let Some(pool) = self.reading.take() {
                    self.to_read.push_front(pool);
                }
                self.clock.retry(now, error.to_owned(), None);
            }
            // Not knowing is no reason to fail: carry on as if Cloud Servers had it.
            Phase::CheckingServers => {
                if let Some(check) = &mut self.server_check {
                    check.on_transport_error();
                }
                self.clock.again(now, 0);
            }
            // A bulk change that got no answer may or may not have happened: re-read first,
            // so the retry is planned from what is there now.
            Phase::Applying => {
                let sent: Vec<Pair> = self.remaining.iter().map(|(s, p)| self.pair(s, p)).collect();
                self.unanswered.extend(sent);
                self.remaining.clear();
                self.plan = MembershipPlan::default();
                self.phase = Phase::Reading;
                self.to_read = {
                    let mut pools: Vec<PoolId> = Vec::new();
                    for (_, p) in &self.desired {
                        if !pools.iter().any(|q| q.eq_ignore_case(p.as_str())) {
                            pools.push(p.clone());
                        }
                    }
                    pools.into()
                };
                self.current.clear();
                self.pending_waits.clear();
                self.clock.retry(now, error.to_owned(), None);
            }
            Phase::Finished => {}
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

impl MembershipPlanner {
    fn fail_with(&mut self, now: Millis, error: crate::Error) {
        let outcome = crate::wait::outcome_of(&error);
        self.finish(now, outcome, Some(error.to_string()));
    }

    fn current_node_is(&self, pair: &Pair, node_id: &str) -> bool {
        self.current.get(&key(&pair.server_id, &pair.pool_id)).is_some_and(|(id, _)| id.eq_ignore_ascii_case(node_id))
    }
}

/// Turns a waiter's step into the planner's (only `Finished` differs in type, and it is handled
/// before this is called).
trait MapFinished<T> {
    fn map_finished(self) -> Step<T>;
}

impl<A, T> MapFinished<T> for Step<A> {
    fn map_finished(self) -> Step<T> {
        match self {
            Step::Send(request) => Step::Send(request),
            Step::SleepUntil(at) => Step::SleepUntil(at),
            Step::Finished(_) => Step::SleepUntil(0),
        }
    }
}
