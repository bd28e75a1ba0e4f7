//! Waiting for RackConnect v3 objects to settle after a create, a delete or a PATCH.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{BudgetKind, Clock, Event, Machine, Millis, Outcome, RateBudget, Step, WaitConfig, WaitResult};
use crate::http::Response;
use crate::id::{PoolId, PublicIpId};
use crate::secret::Token;
use crate::v3::{self, PublicIp, V3Endpoint};

/// The state waited for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// `ACTIVE` (after a create or a PATCH); `*_FAILED` fails.
    Active,
    /// Gone (404 or absent from the list, after a delete); `REMOVE_FAILED` fails.
    Gone,
}

/// A node that did not reach the target.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NodeFailure {
    /// The pool.
    pub pool_id: String,
    /// The node.
    pub node_id: String,
    /// Its last status (`ADD_FAILED`, `REMOVE_FAILED`, or `GONE` when it vanished while being added).
    pub status: String,
    /// Its `status_detail`.
    pub detail: Option<String>,
}

impl NodeFailure {
    /// What happened, in one line: `ADD_FAILED: Unable to communicate with network device`
    /// (the status, then RackConnect's `status_detail`), or that the node disappeared.
    pub fn explained(&self) -> String {
        let detail = self.detail.as_deref().map(str::trim).filter(|d| !d.is_empty());
        match (self.status.as_str(), detail) {
            ("GONE", _) => "the node disappeared while it was being added".to_owned(),
            (status, Some(detail)) => format!("{status}: {detail}"),
            (status, None) => format!("{status} (RackConnect gave no detail)"),
        }
    }
}

/// Waits for many pool nodes at once: one list request per pool per round (not one per node),
/// so ensuring two hundred servers into three pools polls three URLs.
#[derive(Debug)]
pub struct NodesWaiter {
    endpoint: V3Endpoint,
    token: Token,
    config: WaitConfig,
    target: Target,
    clock: Clock,
    pending: Vec<(PoolId, String)>,
    failures: Vec<NodeFailure>,
    round: VecDeque<PoolId>,
    asking: Option<PoolId>,
    result: Option<WaitResult>,
}

impl NodesWaiter {
    /// Statuses of the nodes (by node id) read before the wait began: reading them again is
    /// no change in the progress events.
    ///
    /// Each of them that the wait is for is also announced, as a `Status` event with `changed`
    /// false at the wait's start: a display learns the whole set (and can count it, "0/4
    /// ACTIVE") before the first change.
    pub fn already_seen<'a>(&mut self, statuses: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (id, status) in statuses {
            self.clock.already_seen("node", Some(id), status);
            if self.pending.iter().any(|(_, pending)| pending.eq_ignore_ascii_case(id)) {
                self.clock.events.push(Event::Status {
                    at: self.clock.start,
                    what: "node".to_owned(),
                    id: Some(id.to_owned()),
                    name: None,
                    status: status.to_owned(),
                    changed: false,
                });
            }
        }
    }

    /// Waits for `nodes` (pool, node id) to reach `target`, starting at `now`.
    pub fn new(
        endpoint: V3Endpoint,
        token: Token,
        nodes: Vec<(PoolId, String)>,
        target: Target,
        config: WaitConfig,
        now: Millis,
    ) -> Self {
        let clock = Clock::new(&config, now);
        Self {
            endpoint,
            token,
            config,
            target,
            clock,
            pending: nodes,
            failures: Vec::new(),
            round: VecDeque::new(),
            asking: None,
            result: None,
        }
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    /// The nodes that failed.
    pub fn failures(&self) -> &[NodeFailure] {
        &self.failures
    }

    fn settle(&mut self, now: Millis) {
        if !self.pending.is_empty() {
            return;
        }
        let outcome = if self.failures.is_empty() { Outcome::Done } else { Outcome::Failed };
        let mut result = self.clock.result(outcome, now);
        // What happened, first: one failed node is its status and RackConnect's words
        // ("ADD_FAILED: Unable to communicate with network device"), as a public IP's is; with
        // several, each is named by its node and pool.
        match self.failures.as_slice() {
            [] => {}
            [only] => result.reason = Some(only.explained()),
            many => {
                let reasons: Vec<String> = many
                    .iter()
                    .map(|f| format!("node {} in pool {}: {}", f.node_id, f.pool_id, f.explained()))
                    .collect();
                result.reason = Some(crate::error::bounded_list(reasons.iter().map(String::as_str)));
            }
        }
        self.result = Some(result);
    }
}

impl Machine for NodesWaiter {
    type Output = WaitResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<WaitResult> {
        if self.result.is_none() {
            self.settle(now);
        }
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        match self.clock.gate(now, budget) {
            Some(Err(outcome)) => {
                let mut result = self.clock.result(outcome, now);
                result.reason = Some(format!("{} node(s) still pending", self.pending.len()));
                self.result = Some(result.clone());
                return Step::Finished(result);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        if self.round.is_empty() {
            let mut pools: Vec<PoolId> = self.pending.iter().map(|(p, _)| p.clone()).collect();
            pools.dedup();
            pools.sort();
            pools.dedup();
            self.round = pools.into();
        }
        let Some(pool) = self.round.pop_front() else { return Step::SleepUntil(now) };
        match v3::list_nodes(&self.endpoint, &self.token, &pool) {
            Ok(request) => {
                self.asking = Some(pool);
                self.clock.sent(now, budget);
                Step::Send(request)
            }
            Err(error) => {
                let result = self.clock.failed(Outcome::Error, now, error);
                self.result = Some(result.clone());
                Step::Finished(result)
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        self.clock.in_flight = false;
        let Some(pool) = self.asking.take() else { return };
        let nodes = match v3::parse_nodes(response) {
            Ok(nodes) => nodes,
            Err(error) if super::is_retryable(&error) => {
                let retry_after = super::retry_after(&error);
                self.round.push_front(pool);
                return self.clock.retry(now, error.to_string(), retry_after);
            }
            Err(error) => {
                self.result = Some(self.clock.failed(super::outcome_of(&error), now, error));
                return;
            }
        };
        let target = self.target;
        let mut still = Vec::new();
        for (p, id) in std::mem::take(&mut self.pending) {
            if p != pool {
                still.push((p, id));
                continue;
            }
            let found = nodes.iter().find(|n| n.id.eq_ignore_ascii_case(&id));
            let status = found.map(|n| n.status.as_str().to_owned());
            let failure = |status: &str| NodeFailure {
                pool_id: p.to_string(),
                node_id: id.clone(),
                status: status.to_owned(),
                detail: found.and_then(|n| n.status_detail.clone()),
            };
            match (target, status.as_deref()) {
                (Target::Active, Some("ACTIVE")) => self.clock.saw(now, "node", Some(&id), "ACTIVE"),
                (Target::Gone, None) => self.clock.saw(now, "node", Some(&id), "GONE"),
                (Target::Active, None) => {
                    self.clock.saw(now, "node", Some(&id), "GONE");
                    self.failures.push(failure("GONE"));
                }
                (_, Some(s)) if s.ends_with("_FAILED") => {
                    // The last status seen is the failure's, not the ADDING before it.
                    self.clock.saw(now, "node", Some(&id), s);
                    self.failures.push(failure(s));
                }
                (_, Some(s)) => {
                    self.clock.saw(now, "node", Some(&id), s);
                    still.push((p.clone(), id.clone()));
                }
            }
        }
        self.pending = still;
        if self.round.is_empty() {
            self.clock.again(now, self.config.interval_ms);
        } else {
            self.clock.next_at = now;
        }
        self.settle(now);
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        if let Some(pool) = self.asking.take() {
            self.round.push_front(pool);
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

/// Waits for one public IP: `ACTIVE` after a create or PATCH (then its address is known), or
/// gone after a delete.
#[derive(Debug)]
pub struct PublicIpWaiter {
    endpoint: V3Endpoint,
    token: Token,
    id: PublicIpId,
    config: WaitConfig,
    target: Target,
    clock: Clock,
    last: Option<PublicIp>,
    result: Option<WaitResult>,
}

impl PublicIpWaiter {
    /// The public IP's status read before the wait began: reading it again is no change in the
    /// progress events.
    pub fn already_seen(&mut self, status: &str) {
        self.clock.already_seen("public_ip", Some(self.id.as_str()), status);
    }

    /// The public IP waited for.
    pub fn id(&self) -> &str {
        self.id.as_str()
    }

    /// Waits for the public IP `id` to reach `target`, starting at `now`.
    pub fn new(
        endpoint: V3Endpoint,
        token: Token,
        id: PublicIpId,
        target: Target,
        config: WaitConfig,
        now: Millis,
    ) -> Self {
        let clock = Clock::new(&config, now);
        Self { endpoint, token, id, config, target, clock, last: None, result: None }
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    /// The public IP as last read (with its address once ACTIVE).
    pub fn public_ip(&self) -> Option<&PublicIp> {
        self.last.as_ref()
    }

    fn finish(&mut self, now: Millis, outcome: Outcome, reason: Option<String>) {
        let mut result = self.clock.result(outcome, now);
        // Without a reason of its own, a timeout keeps the clock's: what kept going wrong.
        result.reason = reason.or(result.reason);
        self.result = Some(result);
    }
}

impl Machine for PublicIpWaiter {
    type Output = WaitResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<WaitResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        match self.clock.gate(now, budget) {
            Some(Err(outcome)) => {
                self.finish(now, outcome, None);
                return self.poll(now, budget);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        match v3::get_public_ip(&self.endpoint, &self.token, &self.id) {
            Ok(request) => {
                self.clock.sent(now, budget);
                Step::Send(request)
            }
            Err(error) => {
                self.result = Some(self.clock.failed(Outcome::Error, now, error));
                self.poll(now, budget)
            }
        }
    }

    fn on_response(&mut self, now: Millis, response: &Response) {
        self.clock.in_flight = false;
        match v3::parse_public_ip(response) {
            Ok(ip) => {
                let status = ip.status.as_str().to_owned();
                self.clock.saw(now, "public_ip", Some(self.id.as_str()), &status);
                let detail = ip.status_detail.clone();
                self.last = Some(ip);
                match (self.target, status.as_str()) {
                    (Target::Active, "ACTIVE") => self.finish(now, Outcome::Done, None),
                    (_, s) if s.ends_with("_FAILED") => {
                        self.finish(
                            now,
                            Outcome::Failed,
                            Some(format!("{s}: {}", detail.unwrap_or_else(|| "no detail".into()))),
                        );
                    }
                    _ => self.clock.again(now, self.config.interval_ms),
                }
            }
            Err(error) if error.as_api().is_some_and(|a| a.status == 404) => match self.target {
                Target::Gone => self.finish(now, Outcome::Done, None),
                Target::Active => self.finish(now, Outcome::Failed, Some("the public IP disappeared".into())),
            },
            Err(error) if super::is_retryable(&error) => {
                let retry_after = super::retry_after(&error);
                self.clock.retry(now, error.to_string(), retry_after);
            }
            Err(error) => {
                self.result = Some(self.clock.failed(super::outcome_of(&error), now, error));
            }
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
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
