//! The emulated clock: real time, optionally accelerated, plus jumps made through the control API.
//! Everything time-dependent in the emulator (automation, v3 transitions, token expiry, the v2
//! rate-limit minute) reads this clock, so a test of a ten-minute automation can take seconds.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, in emulated time.
pub type Millis = i64;

/// An accelerated, jumpable clock.
#[derive(Debug)]
pub struct Clock {
    anchor_real: Instant,
    anchor_emulated: Millis,
    speed: f64,
}

impl Clock {
    /// Starts at the real wall-clock time, running at `speed` times real time.
    pub fn new(speed: f64) -> Self {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Self { anchor_real: Instant::now(), anchor_emulated: i64::try_from(wall).unwrap_or(0), speed: speed.max(0.0) }
    }

    /// The emulated time now.
    pub fn now(&self) -> Millis {
        let real = self.anchor_real.elapsed().as_secs_f64() * 1000.0;
        // Truncation is fine: the clock's resolution is a millisecond.
        self.anchor_emulated + (real * self.speed) as Millis
    }

    /// Jumps forward by `seconds` of emulated time.
    pub fn advance(&mut self, seconds: f64) {
        self.anchor_emulated += (seconds.max(0.0) * 1000.0) as Millis;
    }

    /// Changes the speed from now on (1 = real time, 60 = a minute per second, 0 = stopped).
    pub fn set_speed(&mut self, speed: f64) {
        self.anchor_emulated = self.now();
        self.anchor_real = Instant::now();
        self.speed = speed.max(0.0);
    }

    /// The current speed.
    pub fn speed(&self) -> f64 {
        self.speed
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form RackConnect v3 writes.
pub fn iso_seconds(at: Millis) -> String {
    rackconnect::Timestamp::from_unix(at.div_euclid(1000), 0).to_string()
}

/// The HTTP date of an instant (`Sun, 06 Nov 1994 08:49:37 GMT`), for every answer's `Date`
/// header: in emulated time, as the bodies' timestamps are, so that a client comparing a
/// server's `created` with the answer's time sees the emulated clock throughout.
pub fn http_date(at: Millis) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let iso = iso_seconds(at); // YYYY-MM-DDTHH:MM:SSZ
    let weekday = DAYS[usize::try_from(at.div_euclid(86_400_000).rem_euclid(7)).unwrap_or(0)];
    let month = iso[5..7].parse::<usize>().map_or("Jan", |m| MONTHS[(m + 11) % 12]);
    format!("{weekday}, {} {month} {} {} GMT", &iso[8..10], &iso[0..4], &iso[11..19])
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form Identity writes.
pub fn iso_millis(at: Millis) -> String {
    let seconds = iso_seconds(at);
    format!("{}.{:03}Z", seconds.trim_end_matches('Z'), at.rem_euclid(1000))
}
