//! The emulated clock: real time, optionally accelerated, plus jumps made through the control API.
//! Everything time-dependent in the emulator (automation, v3 transitions, token expiry, the v2
//! rate-limit minute) reads this clock, so a test of a ten-minute automation can take seconds.
//!
//! The clock reads no clock of its own: it is told the real time ([`Clock::tell`]), as the core's
//! machines are, and derives the emulated time from it (an anchor, a speed, and the jumps).

/// Milliseconds since the Unix epoch, in emulated time.
pub type Millis = i64;

/// A real (wall-clock) instant, as the host tells it: microseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RealTime(i64);

impl RealTime {
    /// Milliseconds since the Unix epoch (what `Date.now()` gives in JavaScript).
    pub const fn from_unix_millis(ms: i64) -> Self {
        RealTime(ms.saturating_mul(1000))
    }

    /// Microseconds since the Unix epoch, for hosts with a finer clock.
    pub const fn from_unix_micros(us: i64) -> Self {
        RealTime(us)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Microseconds since the Unix epoch.
    pub const fn unix_micros(self) -> i64 {
        self.0
    }

    /// This instant plus `ms` milliseconds.
    pub const fn plus_millis(self, ms: i64) -> Self {
        RealTime(self.0.saturating_add(ms.saturating_mul(1000)))
    }
}

/// The fastest a clock runs: a day a second.
pub const MAX_SPEED: f64 = 86_400.0;

/// What a clock speed must be, in the words every way of giving one (a command-line flag, a
/// constructor argument, a scenario's `timings.clock_speed`, the clock control) reports.
pub const SPEED_EXPECTED: &str = "emulated seconds per real second, from 0 to 86400";

/// Whether `speed` may drive a clock: finite, not negative, at most [`MAX_SPEED`] (beyond it a
/// few real seconds would wrap the emulated time). The one rule for every way in.
pub fn speed_is_valid(speed: f64) -> bool {
    (0.0..=MAX_SPEED).contains(&speed)
}

/// An accelerated, jumpable clock, told the real time.
#[derive(Debug)]
pub struct Clock {
    /// When the clock was made (the request log counts real time from here).
    started: RealTime,
    /// The real time last told (never goes back).
    real: RealTime,
    anchor_real: RealTime,
    anchor_emulated: Millis,
    speed: f64,
}

impl Clock {
    /// Starts at the real time `now`, running at `speed` times real time.
    pub fn new(speed: f64, now: RealTime) -> Self {
        Self { started: now, real: now, anchor_real: now, anchor_emulated: now.unix_millis(), speed: speed.max(0.0) }
    }

    /// Tells the clock the real time. A time before one already told is taken as the one told
    /// (the emulated time never goes back).
    pub fn tell(&mut self, now: RealTime) {
        self.real = self.real.max(now);
    }

    /// The real time last told.
    pub fn real(&self) -> RealTime {
        self.real
    }

    /// Real milliseconds from the clock's start to the time last told.
    pub fn real_elapsed_ms(&self) -> u64 {
        u64::try_from((self.real.0 - self.started.0).div_euclid(1000)).unwrap_or(0)
    }

    /// The emulated time at the real time last told.
    pub fn now(&self) -> Millis {
        let real_ms = (self.real.0 - self.anchor_real.0) as f64 / 1000.0;
        // Truncation is fine: the clock's resolution is a millisecond.
        self.anchor_emulated + (real_ms * self.speed) as Millis
    }

    /// Jumps forward by `seconds` of emulated time.
    pub fn advance(&mut self, seconds: f64) {
        self.anchor_emulated += (seconds.max(0.0) * 1000.0) as Millis;
    }

    /// Changes the speed from now on (1 = real time, 60 = a minute per second, 0 = stopped).
    pub fn set_speed(&mut self, speed: f64) {
        self.anchor_emulated = self.now();
        self.anchor_real = self.real;
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_scenario_with_a_clock_speed_out_of_range_is_refused_by_the_same_rule() {
        let mut document = serde_json::to_value(crate::scenario::Scenario::demo()).expect("a document");
        document["timings"]["clock_speed"] = serde_json::json!(1e9);
        let refused = crate::scenario::Scenario::from_json(&document.to_string()).expect_err("refused");
        assert!(
            refused.contains("timings.clock_speed: expected emulated seconds per real second, from 0 to 86400"),
            "{refused}"
        );
        document["timings"]["clock_speed"] = serde_json::json!(86_400);
        assert!(crate::scenario::Scenario::from_json(&document.to_string()).is_ok());
    }

    #[test]
    fn a_speed_is_valid_from_0_to_a_day_a_second() {
        for valid in [0.0, 1.0, 0.5, super::MAX_SPEED] {
            assert!(super::speed_is_valid(valid), "{valid}");
        }
        for invalid in [-0.001, -1.0, super::MAX_SPEED + 1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!super::speed_is_valid(invalid), "{invalid}");
        }
    }

    use super::{Clock, RealTime};

    const T: RealTime = RealTime::from_unix_millis(1_800_000_000_000);

    #[test]
    fn emulated_time_follows_the_real_time_told() {
        let mut clock = Clock::new(60.0, T);
        assert_eq!(clock.now(), T.unix_millis());
        clock.tell(T.plus_millis(1_000));
        assert_eq!(clock.now(), T.unix_millis() + 60_000, "a minute a second");
        clock.advance(30.0);
        assert_eq!(clock.now(), T.unix_millis() + 90_000);
        clock.set_speed(0.0);
        clock.tell(T.plus_millis(5_000));
        assert_eq!(clock.now(), T.unix_millis() + 90_000, "stopped");
        assert_eq!(clock.real_elapsed_ms(), 5_000);
    }

    #[test]
    fn a_time_told_out_of_order_never_moves_it_back() {
        let mut clock = Clock::new(1.0, T);
        clock.tell(T.plus_millis(2_000));
        clock.tell(T.plus_millis(1_000));
        assert_eq!(clock.real(), T.plus_millis(2_000));
        assert_eq!(clock.now(), T.unix_millis() + 2_000);
    }

    #[test]
    fn microseconds_count_at_high_speeds() {
        let mut clock = Clock::new(86_400.0, T);
        clock.tell(RealTime::from_unix_micros(T.unix_micros() + 500));
        assert_eq!(clock.now(), T.unix_millis() + 43_200, "half a millisecond is 43.2 s at a day a second");
    }
}
