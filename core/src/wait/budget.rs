//! Rate budgets and backoff.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::Millis;

/// What a budget has spent: the send times (the driver contract's clock, Unix milliseconds)
/// and the block after a "slow down". A driver that shares one budget between processes keeps
/// this where they all see it (see `blocking`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetRecord {
    /// When each request went, oldest first.
    pub sent: Vec<Millis>,
    /// No request before this.
    pub blocked_until: Millis,
}

/// At most `limit` requests in any sliding window of `window_ms`, plus a block after the service
/// said "slow down". One budget per server for v2 (30 per 60 s), shared by every machine that
/// polls that server; a sliding window also keeps every calendar minute under the limit.
#[derive(Clone, Debug)]
pub struct RateBudget {
    limit: usize,
    window_ms: Millis,
    sent: VecDeque<Millis>,
    blocked_until: Millis,
}

impl RateBudget {
    /// A budget of `limit` requests per `window_ms`.
    pub fn new(limit: u32, window_ms: Millis) -> Self {
        let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
        Self { limit, window_ms, sent: VecDeque::new(), blocked_until: 0 }
    }

    /// RackConnect v2's budget: 30 requests per minute, counted over 62 s so that latency
    /// jitter can never make the service see 31 in one of its minutes.
    pub fn v2() -> Self {
        Self::new(crate::v2::REQUESTS_PER_MINUTE, 62_000)
    }

    /// A pace for token APIs: 10 requests per second (Rackspace's own Auto Scale paced GETs so).
    pub fn api() -> Self {
        Self::new(10, 1_000)
    }

    /// The earliest instant a request may be sent.
    pub fn next_allowed(&self, now: Millis) -> Millis {
        let by_window = if self.sent.len() < self.limit {
            now
        } else {
            self.sent[self.sent.len() - self.limit].saturating_add(self.window_ms)
        };
        by_window.max(self.blocked_until).max(now)
    }

    /// Records a request sent at `now`.
    pub fn record(&mut self, now: Millis) {
        self.sent.push_back(now);
        while self.sent.len() > self.limit {
            self.sent.pop_front();
        }
    }

    /// No request before `until` (after a 403 or 429 that said to slow down).
    pub fn block_until(&mut self, until: Millis) {
        self.blocked_until = self.blocked_until.max(until);
    }

    /// What this budget has spent (the last `limit` sends are all that matter).
    pub fn spent(&self) -> BudgetRecord {
        BudgetRecord { sent: self.sent.iter().copied().collect(), blocked_until: self.blocked_until }
    }

    /// Takes `record` as what has been spent (another process's sends included): the
    /// shared record is the whole truth, so it replaces this budget's own.
    pub fn adopt(&mut self, record: &BudgetRecord) {
        let mut sent: Vec<Millis> = record.sent.clone();
        sent.sort_unstable();
        let keep = sent.len().saturating_sub(self.limit);
        self.sent = sent.into_iter().skip(keep).collect();
        self.blocked_until = self.blocked_until.max(record.blocked_until);
    }

    /// Requests recorded in the window ending at `now`.
    pub fn used(&self, now: Millis) -> usize {
        self.sent.iter().filter(|&&t| t.saturating_add(self.window_ms) > now).count()
    }
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … up to 30 s, each scaled by a factor in
/// [0.5, 1) from a seeded generator (no randomness from the environment).
#[derive(Clone, Debug)]
pub struct Backoff {
    attempt: u32,
    state: u64,
}

impl Backoff {
    const BASE_MS: Millis = 1_000;
    const CAP_MS: Millis = 30_000;

    /// A backoff seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { attempt: 0, state: seed | 1 }
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Millis {
        let full = Self::BASE_MS.saturating_mul(1 << self.attempt.min(5)).min(Self::CAP_MS);
        self.attempt += 1;
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let random = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        let fraction = 0.5 + (random as f64 / (1u64 << 53) as f64) * 0.5;
        (full as f64 * fraction) as Millis
    }

    /// Back to the first delay (after a success).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_limit_in_any_window() {
        let mut budget = RateBudget::v2();
        let mut now = 0;
        let mut sent = Vec::new();
        while sent.len() < 100 {
            now = budget.next_allowed(now);
            budget.record(now);
            sent.push(now);
        }
        for (i, &t) in sent.iter().enumerate() {
            let in_window = sent[i..].iter().filter(|&&u| u < t + 60_000).count();
            assert!(in_window <= 30, "{in_window} requests in the minute from {t}");
        }
        budget.block_until(now + 90_000);
        assert_eq!(budget.next_allowed(now), now + 90_000);
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let mut backoff = Backoff::new(42);
        let delays: Vec<Millis> = (0..8).map(|_| backoff.next_delay()).collect();
        assert!((500..1000).contains(&delays[0]), "{delays:?}");
        assert!((1000..2000).contains(&delays[1]), "{delays:?}");
        assert!(delays.iter().all(|&d| d <= 30_000), "{delays:?}");
        backoff.reset();
        assert!(backoff.next_delay() < 1000);
    }
}
