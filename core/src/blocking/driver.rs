//! The Rust driver of the [driver contract](crate::client): a real clock, real sleeps and ureq.
//! It decides nothing: every retry, pause, token and URL rule is the [`Exchange`]'s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::shared_budget::SharedBudget;
use super::transport::Transport;
use crate::client::{Action, Exchange, Outgoing, Task};
use crate::error::{Error, Result};
use crate::http::Response;
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

/// What a driver does for an exchange: the clock, the sleeps and the sends. [`drive`] runs on a
/// real clock and a [`Transport`]; the trace replays (`tests/traces/`) run the same loop,
/// [`drive_with`], on a scripted service and a scripted clock.
pub trait Io {
    /// The contract's clock: Unix milliseconds at the start, then monotonic.
    fn now(&mut self) -> Millis;
    /// Sleeps until `at` (or a little less), returning early when `cancel` is set.
    fn sleep_until(&mut self, at: Millis, cancel: &AtomicBool);
    /// Sends one request as the exchange asked; `Err((kind, detail))` when it got no answer.
    fn send(&mut self, outgoing: &Outgoing) -> std::result::Result<Response, (String, String)>;
}

/// The real thing: the wall clock at the start, a monotonic clock after it, `thread::sleep` in
/// slices of [`SLEEP_SLICE_MS`], and ureq.
struct RealIo<'t> {
    transport: &'t Transport,
    wall: Millis,
    start: Instant,
}

impl Io for RealIo<'_> {
    fn now(&mut self) -> Millis {
        self.wall.saturating_add(Millis::try_from(self.start.elapsed().as_millis()).unwrap_or(Millis::MAX))
    }

    fn sleep_until(&mut self, at: Millis, _cancel: &AtomicBool) {
        // At least a millisecond, so an exchange that asks to sleep until now cannot spin; at
        // most a slice, so a cancel is noticed soon.
        let pause = at.saturating_sub(self.now()).clamp(1, SLEEP_SLICE_MS);
        thread::sleep(Duration::from_millis(pause));
    }

    fn send(&mut self, outgoing: &Outgoing) -> std::result::Result<Response, (String, String)> {
        let timeout = Duration::from_millis(outgoing.timeout_ms);
        match self.transport.send_limited(&outgoing.request, timeout, outgoing.max_body_bytes) {
            Ok(response) => Ok(response),
            Err(Error::Transport { kind, detail }) => Err((kind, detail)),
            Err(other) => Err(("io".to_owned(), other.to_string())),
        }
    }
}

/// Drives `exchange` to its end over `transport`: poll, send what it asks (with its timeout and
/// body cap), report the answer, sleep until it says. `cancel` is read before every poll and
/// during sleeps (within [`SLEEP_SLICE_MS`]); `on_event` sees every event, oldest first.
pub fn drive<T: Task>(
    exchange: &mut Exchange<T>,
    transport: &Transport,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<T::Output> {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let mut io = RealIo { transport, wall: Millis::try_from(wall).unwrap_or(0), start: Instant::now() };
    drive_with(exchange, &mut io, cancel, on_event)
}

/// The driver's loop over any [`Io`]: what [`drive`] runs.
pub fn drive_with<T: Task>(
    exchange: &mut Exchange<T>,
    io: &mut impl Io,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<T::Output> {
    drive_sharing(exchange, io, None, cancel, on_event)
}

/// [`drive`] for a v2 exchange whose rate budget every process on the machine shares
/// ([`SharedBudget`]): each poll sees what all of them have spent.
pub fn drive_shared<T: Task>(
    exchange: &mut Exchange<T>,
    transport: &Transport,
    shared: Option<&SharedBudget>,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<T::Output> {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let mut io = RealIo { transport, wall: Millis::try_from(wall).unwrap_or(0), start: Instant::now() };
    drive_sharing(exchange, &mut io, shared, cancel, on_event)
}

fn drive_sharing<T: Task>(
    exchange: &mut Exchange<T>,
    io: &mut impl Io,
    shared: Option<&SharedBudget>,
    cancel: &AtomicBool,
    mut on_event: impl FnMut(&Event),
) -> Result<T::Output> {
    let mut cancelled = false;
    loop {
        if !cancelled && cancel.load(Ordering::SeqCst) {
            exchange.cancel();
            cancelled = true;
        }
        let now = io.now();
        let action = match shared {
            // Under the lock: what every process has spent, this poll, and what it spent.
            Some(shared) => {
                let mut budget = exchange.budget_mut().clone();

                shared.around(&mut budget, |budget| {
                    *exchange.budget_mut() = budget.clone();
                    let action = exchange.poll(now);
                    *budget = exchange.budget_mut().clone();
                    action
                })
            }
            None => exchange.poll(now),
        };
        for event in exchange.take_events() {
            on_event(&event);
        }
        match action {
            Action::Send(outgoing) => {
                match io.send(&outgoing) {
                    Ok(response) => exchange.on_response(io.now(), &response),
                    Err((kind, detail)) => exchange.on_transport_error(io.now(), &kind, &detail),
                }
                for event in exchange.take_events() {
                    on_event(&event);
                }
            }
            Action::SleepUntil(at) => io.sleep_until(at, cancel),
            Action::Finished(result) => return result,
        }
    }
}
