//! The connection limits every host keeps, decided here once so that the tokio/hyper shell and the
//! Python wheel's std-thread server behave alike: a slow or idle client is dropped after the same
//! time whichever host serves it.

use std::time::Duration;

/// How long a client may take to send a request's head; an idle keep-alive connection is closed
/// after as long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's body; a later body is answered 408
/// ([`Body::TimedOut`](super::Body::TimedOut)).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The pause before the next `accept` after one failed (out of descriptors, most often): 10 ms,
/// doubling to a second, so an accept loop never spins a core while the condition lasts.
/// `previous` is the last pause (zero after a successful accept).
pub fn accept_backoff(previous: Duration) -> Duration {
    (previous * 2).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_starts_at_ten_milliseconds_and_stops_at_a_second() {
        let mut pause = Duration::ZERO;
        let mut seen = Vec::new();
        for _ in 0..9 {
            pause = accept_backoff(pause);
            seen.push(pause.as_millis());
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    }
}
