//! Waiting through Cloud Servers metadata, from anywhere, with a token: RackConnect v2
//! automation and Managed Operations, each optional.

use serde::{Deserialize, Serialize};

use super::addresses::AddressRead;
use super::{BudgetKind, Clock, Event, Machine, Millis, Outcome, RateBudget, Step, WaitConfig, WaitResult};
use crate::http::Response;
use crate::id::ServerId;
use crate::inventory::ReachedBy;
use crate::secret::Token;
use crate::servers::{self, ManagedStatus, Server, ServersEndpoint, keys};
use crate::v2::AutomationStatus;
use crate::v3::V3Endpoint;

/// What to wait for, and for how long a missing key counts as "not written yet".
///
/// Read from JSON, every field left out (in `wait` too) is this type's default, so a caller
/// that gives only a timeout still polls at the metadata pace.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "MetadataWaitInput")]
pub struct MetadataWaitConfig {
    /// The deadline, pace and jitter.
    pub wait: WaitConfig,
    /// Wait for `rackconnect_automation_status`.
    pub rackconnect: bool,
    /// Wait for `rax_service_level_automation` (Managed Operations), after RackConnect.
    pub managed: bool,
    /// A key still missing this long after the start means "does not apply here".
    pub grace_ms: Millis,
}

impl Default for MetadataWaitConfig {
    fn default() -> Self {
        Self {
            wait: WaitConfig { interval_ms: crate::client::defaults::METADATA_INTERVAL_MS, ..WaitConfig::default() },
            rackconnect: true,
            managed: false,
            grace_ms: crate::client::defaults::METADATA_GRACE_MS,
        }
    }
}

/// [`MetadataWaitConfig`] as given: what is left out keeps the default.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct MetadataWaitInput {
    wait: WaitInput,
    rackconnect: Option<bool>,
    managed: Option<bool>,
    grace_ms: Option<Millis>,
}

/// [`WaitConfig`] as given.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct WaitInput {
    timeout_ms: Option<Millis>,
    interval_ms: Option<Millis>,
    seed: Option<u64>,
    forbidden_after: Option<u32>,
    not_applicable_ok: Option<bool>,
}

impl From<MetadataWaitInput> for MetadataWaitConfig {
    fn from(input: MetadataWaitInput) -> Self {
        let mut config = MetadataWaitConfig::default();
        let wait = &mut config.wait;
        let given = input.wait;
        wait.timeout_ms = given.timeout_ms.unwrap_or(wait.timeout_ms);
        wait.interval_ms = given.interval_ms.unwrap_or(wait.interval_ms);
        wait.seed = given.seed.unwrap_or(wait.seed);
        wait.forbidden_after = given.forbidden_after.unwrap_or(wait.forbidden_after);
        wait.not_applicable_ok = given.not_applicable_ok.unwrap_or(wait.not_applicable_ok);
        config.rackconnect = input.rackconnect.unwrap_or(config.rackconnect);
        config.managed = input.managed.unwrap_or(config.managed);
        config.grace_ms = input.grace_ms.unwrap_or(config.grace_ms);
        config
    }
}

/// Where one part of the wait stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Pending,
    Settled,
}

/// Waits on a server's metadata: `DEPLOYED` then (if asked) Managed `Complete`. `FAILED`,
/// `Build Error` and `Authentication Error` fail at once; `UNPROCESSABLE` (with its reason) and a
/// key missing past the grace period are "not applicable". The result's `status` is the last
/// RackConnect status; [`MetadataWaiter::server`] holds the last server read and
/// [`MetadataWaiter::reachable`] its address by the inventory's rule (`accessIPv4`, which
/// switches to the RackConnect public IP at DEPLOYED; for a server not reached that way, its
/// active RackConnect v3 public IP when the waiter was told the region's RackConnect v3
/// ([`MetadataWaiter::with_rackconnect_v3`]): read once, after the server's wait has ended).
#[derive(Debug)]
pub struct MetadataWaiter {
    endpoint: ServersEndpoint,
    token: Token,
    server_id: ServerId,
    config: MetadataWaitConfig,
    clock: Clock,
    rackconnect: Part,
    managed: Part,
    not_applicable: Vec<String>,
    last_server: Option<Server>,
    region: Option<crate::Region>,
    /// The server's RackConnect v3 public IPs, read once after its wait has ended.
    addresses: AddressRead,
    /// The result while the public IPs are read.
    held: Option<WaitResult>,
    result: Option<WaitResult>,
}

impl MetadataWaiter {
    /// A waiter starting at `now`.
    pub fn new(
        endpoint: ServersEndpoint,
        token: Token,
        server_id: ServerId,
        config: MetadataWaitConfig,
        now: Millis,
    ) -> Self {
        let clock = Clock::new(&config.wait, now);
        let rackconnect = if config.rackconnect { Part::Pending } else { Part::Settled };
        let managed = if config.managed { Part::Pending } else { Part::Settled };
        Self {
            endpoint,
            token,
            server_id,
            config,
            clock,
            rackconnect,
            managed,
            not_applicable: Vec::new(),
            last_server: None,
            region: None,
            addresses: AddressRead::default(),
            held: None,
            result: None,
        }
    }

    /// The region the endpoint serves: a 404 then says "server … not found in region …", the
    /// words every front door uses.
    #[must_use]
    pub fn in_region(mut self, region: crate::Region) -> Self {
        self.region = Some(region);
        self
    }

    /// The region's RackConnect v3 (from the catalog): the server's active public IP there is
    /// its address unless RackConnect v2 gave it one.
    #[must_use]
    pub fn with_rackconnect_v3(mut self, endpoint: V3Endpoint) -> Self {
        self.addresses = AddressRead::new(Some(endpoint));
        self
    }

    /// The last server's address by the inventory's rule, and where it came from.
    pub fn reachable(&self) -> Option<(String, ReachedBy)> {
        self.addresses.reachable(self.last_server.as_ref()?, self.server_id.as_str())
    }

    /// Replaces the token (after the runner re-authenticated).
    pub fn set_token(&mut self, token: Token) {
        self.token = token;
    }

    /// The last server read.
    pub fn server(&self) -> Option<&Server> {
        self.last_server.as_ref()
    }

    fn finish(&mut self, now: Millis, outcome: Outcome, reason: Option<String>) {
        let mut result = self.clock.result(outcome, now);
        // Without a reason of its own, a timeout keeps the clock's: what kept going wrong.
        result.reason = reason.or(result.reason);
        let on_its_status = matches!(outcome, Outcome::Done | Outcome::NotApplicable | Outcome::Failed);
        // One more read, at once, when it could change the address: the server's public IPs.
        if on_its_status && self.addresses.begin(self.last_server.iter(), &mut self.clock, now) {
            self.held = Some(result);
            return;
        }
        self.result = Some(result);
    }

    /// The read of the public IPs is over (read or not): the wait ends as the server did.
    fn addresses_over(&mut self) {
        self.addresses.stop();
        if let Some(mut result) = self.held.take() {
            result.requests = self.clock.requests;
            self.result = Some(result);
        }
    }

    /// The next attempt at the public IPs (the server's wait has ended).
    fn poll_addresses(&mut self, now: Millis, budget: &mut RateBudget) -> Step<WaitResult> {
        match self.clock.gate(now, budget) {
            // The deadline or a cancellation: the server's own end stands.
            Some(Err(_)) => self.addresses_over(),
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => match self.addresses.request(&self.token, Some(&self.server_id)) {
                Some(Ok(request)) => {
                    self.clock.sent(now, budget);
                    return Step::Send(request);
                }
                _ => self.addresses_over(),
            },
        }
        self.poll(now, budget)
    }

    fn missing(&mut self, now: Millis, key: &str) -> bool {
        let grace_until = self.clock.start.saturating_add(self.config.grace_ms);
        if now >= grace_until {
            return true;
        }
        let id = Some(self.server_id.as_str().to_owned());
        self.clock.events.push(Event::KeyMissing { at: now, key: key.to_owned(), id, name: None, grace_until });
        false
    }

    fn read(&mut self, now: Millis, server: &Server) {
        let view = &server.rackconnect;
        if self.rackconnect == Part::Pending {
            match &view.automation_status {
                None => {
                    if self.missing(now, keys::AUTOMATION_STATUS) {
                        self.rackconnect = Part::Settled;
                        self.not_applicable
                            .push(format!("{} never appeared: not a RackConnect v2 server", keys::AUTOMATION_STATUS));
                    }
                }
                Some(status) => {
                    self.clock.saw(now, "rackconnect", Some(self.server_id.as_str()), status.as_str());
                    match status {
                        AutomationStatus::Deployed => self.rackconnect = Part::Settled,
                        AutomationStatus::Failed => {
                            return self.finish(now, Outcome::Failed, Some("RackConnect automation FAILED".into()));
                        }
                        AutomationStatus::Unprocessable => {
                            self.rackconnect = Part::Settled;
                            let reason = view.unprocessable_reason.clone().unwrap_or_else(|| "no reason given".into());
                            self.not_applicable.push(format!("UNPROCESSABLE: {reason}"));
                        }
                        AutomationStatus::Deploying => {}
                        other => self.clock.events.push(Event::UnknownStatus {
                            at: now,
                            what: "rackconnect".into(),
                            status: other.as_str().to_owned(),
                        }),
                    }
                }
            }
        }
        // Managed Operations runs after RackConnect; its status is read once RackConnect is settled.
        if self.managed == Part::Pending && self.rackconnect == Part::Settled {
            match &view.managed_status {
                None => {
                    if self.missing(now, keys::MANAGED_STATUS) {
                        self.managed = Part::Settled;
                        self.not_applicable
                            .push(format!("{} never appeared: no Managed Operations here", keys::MANAGED_STATUS));
                    }
                }
                Some(status) => {
                    // The result's status is what was waited for last: Managed Operations.
                    self.clock.saw(now, "managed", Some(self.server_id.as_str()), status.as_str());
                    match status {
                        ManagedStatus::Complete => self.managed = Part::Settled,
                        failed if failed.is_failure() => {
                            return self.finish(
                                now,
                                Outcome::Failed,
                                Some(format!("Managed Operations FAILED: {failed}")),
                            );
                        }
                        ManagedStatus::Pending | ManagedStatus::InProgress => {}
                        other => self.clock.events.push(Event::UnknownStatus {
                            at: now,
                            what: "managed".into(),
                            status: other.as_str().to_owned(),
                        }),
                    }
                }
            }
        }
        if self.rackconnect == Part::Settled && self.managed == Part::Settled {
            if self.not_applicable.is_empty() {
                self.finish(now, Outcome::Done, None);
            } else {
                let reason = crate::error::bounded_list(self.not_applicable.iter().map(String::as_str));
                self.finish(now, Outcome::NotApplicable, Some(reason));
            }
        } else {
            self.clock.again(now, self.config.wait.interval_ms);
            // A missing key is judged when its grace period ends, not at the next poll after.
            let grace_until = self.clock.start.saturating_add(self.config.grace_ms);
            let key_missing = (self.rackconnect == Part::Pending && server.rackconnect.automation_status.is_none())
                || (self.managed == Part::Pending
                    && self.rackconnect == Part::Settled
                    && server.rackconnect.managed_status.is_none());
            if key_missing && grace_until > now {
                self.clock.next_at = self.clock.next_at.min(grace_until);
            }
        }
    }
}

impl Machine for MetadataWaiter {
    type Output = WaitResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<WaitResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        if self.addresses.reading() {
            return self.poll_addresses(now, budget);
        }
        if self.rackconnect == Part::Settled && self.managed == Part::Settled {
            self.finish(now, Outcome::Done, Some("nothing to wait for".into()));
            return self.poll(now, budget);
        }
        match self.clock.gate(now, budget) {
            Some(Err(outcome)) => {
                self.finish(now, outcome, None);
                return self.poll(now, budget);
            }
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        match servers::show_server(&self.endpoint, &self.token, &self.server_id) {
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
        if self.addresses.reading() {
            if self.addresses.on_response(response, &mut self.clock, now) {
                self.addresses_over();
            }
            return;
        }
        match servers::parse_server(response) {
            Ok(server) => {
                // Kept first: a wait that ends on this answer reads the addresses for it.
                self.last_server = Some(server.clone());
                self.read(now, &server);
            }
            Err(error) if super::is_retryable(&error) => {
                let retry_after = super::retry_after(&error);
                self.clock.retry(now, error.to_string(), retry_after);
            }
            Err(error) => {
                let error = match self.region {
                    Some(region) => servers::name_not_found(error, self.server_id.as_str(), region),
                    None => error,
                };
                self.result = Some(self.clock.failed(super::outcome_of(&error), now, error));
            }
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        if self.addresses.reading() {
            if self.addresses.failed(error.to_owned(), &mut self.clock, now) {
                self.addresses_over();
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

#[cfg(test)]
mod tests {
    use super::MetadataWaitConfig;

    #[test]
    fn a_timeout_alone_keeps_the_metadata_pace() {
        let config: MetadataWaitConfig =
            serde_json::from_str(r#"{"wait": {"timeout_ms": 1000}}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.wait.timeout_ms, 1000);
        assert_eq!(config.wait.interval_ms, crate::client::defaults::METADATA_INTERVAL_MS);
        assert_eq!(config.grace_ms, crate::client::defaults::METADATA_GRACE_MS);
        assert!(serde_json::from_str::<MetadataWaitConfig>(r#"{"wiat": {}}"#).is_err(), "unknown fields refused");
    }
}
