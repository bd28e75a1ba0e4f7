//! The Rust driver of the [driver contract](crate::client): a real clock, real sleeps and ureq.
//! It decides nothing: every retry, pause, token and URL rule is the [`Exchange`]'s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::transport::Transport;
use crate::client::{Action, Exchange, Task};
use crate::error::{Error, Result};
use crate::wait::{Event, Millis};

/// The longest single sleep of [`drive`]: a cancel is noticed within this.
pub const SLEEP_SLICE_MS: Millis = 200;

/// A random seed for an exchange's backoff jitter, from the standard library's per-process
/// random keys and the clock, so that two clients never retry in lockstep.
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish()
}

/// Drives `exchange` to its end over `transport`: poll, send what it asks (with its timeout and
/// body cap), report the answer, sleep until it says. `cancel` is read before every poll and
/// during sleeps (within [`SLEEP_SLICE_MS`]); `on_event` sees every event, oldest first.
pub fn drive<T: Task>(
    exchange: &mut Exchange<T>,
    transport: &Transport,
    cancel: &AtomicBool,
    mut on_event: impl FnMut(&Event),
) -> Result<T::Output> {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let wall = Millis::try_from(wall).unwrap_or(0);
    let start = Instant::now();
    let now = || wall.saturating_add(Millis::try_from(start.elapsed().as_millis()).unwrap_or(Millis::MAX));
    let mut cancelled = false;
    loop {
        if !cancelled && cancel.load(Ordering::SeqCst) {
            exchange.cancel();
            cancelled = true;
        }
        let action = exchange.poll(now());
        for event in exchange.take_events() {
            on_event(&event);
        }
        match action {
            Action::Send(outgoing) => {
                let timeout = Duration::from_millis(outgoing.timeout_ms);
                match transport.send_limited(&outgoing.request, timeout, outgoing.max_body_bytes) {
                    Ok(response) => exchange.on_response(now(), &response),
                    Err(Error::Transport { kind, detail }) => exchange.on_transport_error(now(), &kind, &detail),
                    Err(other) => exchange.on_transport_error(now(), "io", &other.to_string()),
                }
                for event in exchange.take_events() {
                    on_event(&event);
                }
            }
            Action::SleepUntil(at) => {
                // At least a millisecond, so an exchange that asks to sleep until now cannot spin.
                let pause = at.saturating_sub(now()).clamp(1, SLEEP_SLICE_MS);
                thread::sleep(Duration::from_millis(pause));
            }
            Action::Finished(result) => return result,
        }
    }
}
