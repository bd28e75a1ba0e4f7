//! Waiting for RackConnect v2 automation, asked from the server itself.

use super::{BudgetKind, Clock, Event, Machine, Millis, Outcome, RateBudget, Step, WaitConfig, WaitResult};
use crate::http::Response;
use crate::v2::{self, AutomationStatus, V2Answer, V2Endpoint, V2Format};

/// Waits for v2 automation: `DEPLOYED` is done; `FAILED` fails at once, with the tasks of
/// `automation_status/details`; `UNPROCESSABLE` is not applicable; an unknown status is surfaced
/// and waited through until the deadline. Polls as often as the 30-per-minute budget allows
/// (every 2 s by default). A 403 is rate limiting first: the waiter pauses a full minute and
/// only after `forbidden_after` such answers in a row reports [`Outcome::Forbidden`].
#[derive(Debug)]
pub struct V2Waiter {
    endpoint: V2Endpoint,
    config: WaitConfig,
    clock: Clock,
    fetching_details: bool,
    limited_in_a_row: u32,
    result: Option<WaitResult>,
}

impl V2Waiter {
    /// A waiter starting at `now`.
    pub fn new(endpoint: V2Endpoint, config: WaitConfig, now: Millis) -> Self {
        let clock = Clock::new(&config, now);
        Self { endpoint, config, clock, fetching_details: false, limited_in_a_row: 0, result: None }
    }

    fn finish(&mut self, now: Millis, outcome: Outcome) -> WaitResult {
        let result = self.clock.result(outcome, now);
        self.result = Some(result.clone());
        result
    }

    /// FAILED, its task list unread (`why`): the failure is known, the details a courtesy.
    fn failed_without_details(&mut self, now: Millis, why: &str) -> WaitResult {
        let mut result = self.finish(now, Outcome::Failed);
        result.reason = Some(format!("automation FAILED (the task list {why})"));
        self.result = Some(result.clone());
        result
    }

    fn rate_limited(&mut self, now: Millis, retry_after: Option<u64>, body: String) {
        self.limited_in_a_row += 1;
        if self.limited_in_a_row > self.config.forbidden_after {
            let mut result = self.finish(now, Outcome::Forbidden);
            result.reason = Some(format!(
                "v2 answered 403 {} times in a row, each after a full minute's wait: not a RackConnect server, or not allowed ({})",
                self.limited_in_a_row,
                body.trim()
            ));
            self.result = Some(result);
            return;
        }
        // The counter resets each minute: a full minute from now is always enough.
        let until = now.saturating_add(retry_after.map_or(60_000, |s| s.saturating_mul(1000)).max(1_000));
        self.clock.next_at = until;
        self.clock.last_problem = Some("v2 answered 403: rate limited, or not a RackConnect server".into());
        self.clock.events.push(Event::RateLimited { at: now, until });
    }
}

impl Machine for V2Waiter {
    type Output = WaitResult;

    fn poll(&mut self, now: Millis, budget: &mut RateBudget) -> Step<WaitResult> {
        if let Some(result) = &self.result {
            return Step::Finished(result.clone());
        }
        match self.clock.gate(now, budget) {
            // No time left to read FAILED's details: the failure stands without them.
            Some(Err(_)) if self.fetching_details => {
                return Step::Finished(self.failed_without_details(now, "no time left"));
            }
            Some(Err(outcome)) => return Step::Finished(self.finish(now, outcome)),
            Some(Ok(at)) => return Step::SleepUntil(at),
            None => {}
        }
        let request = if self.fetching_details {
            v2::details(&self.endpoint, Some(V2Format::Json))
        } else {
            v2::automation_status(&self.endpoint, Some(V2Format::Json))
        };
        match request {
            Ok(request) => {
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
        if self.fetching_details {
            match v2::parse_details(response) {
                // The failure is known; the details are a courtesy, never a reason to loop.
                Ok(V2Answer::RateLimited { .. }) => {
                    self.failed_without_details(now, "rate limited");
                }
                Ok(V2Answer::Answer(details)) => {
                    let mut result = self.finish(now, Outcome::Failed);
                    let sorted = crate::v2::failed_and_pending(details.tasks.iter().map(|t| t.status.as_str()));
                    let failed: Vec<&str> =
                        sorted.failed.iter().filter_map(|&i| details.tasks.get(i)).map(|t| t.name.as_str()).collect();
                    result.reason = Some(if failed.is_empty() {
                        "automation FAILED (no task says FAILED)".to_owned()
                    } else {
                        format!(
                            "automation FAILED; failed tasks: {}",
                            crate::error::bounded_list(failed.iter().copied())
                        )
                    });
                    result.tasks = details.tasks;
                    self.result = Some(result);
                }
                Ok(V2Answer::NotAssigned) | Err(_) => {
                    self.failed_without_details(now, "could not be read");
                }
            }
            return;
        }
        match v2::parse_automation_status(response) {
            Ok(V2Answer::Answer(status)) => {
                self.limited_in_a_row = 0;
                self.clock.saw(now, "rackconnect", None, status.as_str());
                match status {
                    AutomationStatus::Deployed => {
                        self.finish(now, Outcome::Done);
                    }
                    AutomationStatus::Failed => {
                        self.fetching_details = true;
                        self.clock.completing = true;
                        self.clock.next_at = now;
                    }
                    AutomationStatus::Unprocessable => {
                        let mut result = self.finish(now, Outcome::NotApplicable);
                        result.reason = Some("UNPROCESSABLE: RackConnect does not apply to this server".into());
                        self.result = Some(result);
                    }
                    AutomationStatus::Deploying => self.clock.again(now, self.config.interval_ms),
                    other => {
                        self.clock.events.push(Event::UnknownStatus {
                            at: now,
                            what: "rackconnect".into(),
                            status: other.as_str().to_owned(),
                        });
                        self.clock.again(now, self.config.interval_ms);
                    }
                }
            }
            Ok(V2Answer::RateLimited { retry_after, body }) => self.rate_limited(now, retry_after, body),
            Ok(V2Answer::NotAssigned) => self.clock.again(now, self.config.interval_ms),
            Err(error) if super::is_retryable(&error) || error.as_api().is_some_and(|a| a.status == 404) => {
                let retry_after = super::retry_after(&error);
                self.clock.retry(now, error.to_string(), retry_after);
            }
            Err(error) => {
                self.result = Some(self.clock.failed(Outcome::Error, now, error));
            }
        }
    }

    fn on_transport_error(&mut self, now: Millis, error: &str) {
        self.clock.in_flight = false;
        if self.fetching_details {
            self.failed_without_details(now, "got no answer");
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
        BudgetKind::V2
    }

    fn deadline(&self) -> Option<Millis> {
        Some(self.clock.deadline)
    }
}
