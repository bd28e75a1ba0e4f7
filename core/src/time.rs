//! Timestamps as these APIs write them.
//!
//! RackConnect v3 writes `YYYY-MM-DDTHH:MM:SSZ`; its how-to shows `2014-09-12T13:26:54.45` (a
//! fraction and no zone); Identity writes milliseconds and `Z`. All of these parse; a missing
//! zone means UTC. A timestamp serializes back in one canonical UTC form
//! (`2014-09-12T13:26:54.45Z`: the fraction without trailing zeros, `Z` always).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// An instant, to the nanosecond, in UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp {
    unix_seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// An instant from seconds since the Unix epoch.
    pub fn from_unix(unix_seconds: i64, nanos: u32) -> Self {
        Self { unix_seconds: unix_seconds + i64::from(nanos / 1_000_000_000), nanos: nanos % 1_000_000_000 }
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.unix_seconds * 1000 + i64::from(self.nanos / 1_000_000)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]` (a space may replace the `T`).
    pub fn parse(text: &str) -> Result<Self> {
        parse(text).ok_or_else(|| {
            Error::invalid(
                "timestamp",
                "YYYY-MM-DDTHH:MM:SS with an optional fraction and an optional Z or ±HH:MM",
                text,
            )
        })
    }
}

impl Timestamp {
    /// Parses an HTTP date in the form RFC 9110 requires of senders (IMF-fixdate,
    /// `Sun, 06 Nov 1994 08:49:37 GMT`): the time a service answered, from its `Date` header.
    pub fn parse_http_date(text: &str) -> Result<Self> {
        parse_http_date(text)
            .ok_or_else(|| Error::invalid("Date", "an HTTP date such as \"Sun, 06 Nov 1994 08:49:37 GMT\"", text))
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn parse_http_date(text: &str) -> Option<Timestamp> {
    // "Www, DD Mon YYYY HH:MM:SS GMT": the weekday is redundant and not checked.
    let (_, rest) = text.trim().split_once(", ")?;
    let b = rest.as_bytes();
    if b.len() != 24 || &rest[20..] != " GMT" || b[2] != b' ' || b[6] != b' ' || b[11] != b' ' {
        return None;
    }
    let day = digits(b, 0, 2)?;
    let month = MONTHS.iter().position(|m| *m == &rest[3..6])? as i64 + 1;
    let year = digits(b, 7, 4)?;
    let iso = format!("{year:04}-{month:02}-{day:02}T{}Z", &rest[12..20]);
    parse(&iso)
}

fn digits(bytes: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = bytes.get(at..at + n)?;
    slice.iter().try_fold(0i64, |acc, b| b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0')))
}

fn parse(text: &str) -> Option<Timestamp> {
    let b = text.trim().as_bytes();
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // 60 admits a leap second, folded into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos: u32 = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        let len = at - start;
        if len == 0 {
            return None;
        }
        for _ in len..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == at + 6 && b[at + 3] == b':' => {
            let (h, m) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let total = (h * 60 + m) * 60;
            if *sign == b'+' { total } else { -total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let unix = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(Timestamp { unix_seconds: unix, nanos })
}

/// True when `text` is a timestamp already in the canonical form (`Display`'s): then it reads
/// and writes back unchanged, and the one-pass reader copies it without either. Seconds stop at
/// 59 (a leap second is written as the next minute) and a fraction has no trailing zero.
pub(crate) fn is_canonical(text: &[u8]) -> bool {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1, rest @ ..] = text else {
        return false;
    };
    let all_digits = [y0, y1, y2, y3, m0, m1, d0, d1, h0, h1, n0, n1, s0, s1].iter().all(|b| b.is_ascii_digit());
    if !all_digits {
        return false;
    }
    let two = |a: u8, b: u8| i64::from(a - b'0') * 10 + i64::from(b - b'0');
    let (year, month, day) = (two(*y0, *y1) * 100 + two(*y2, *y3), two(*m0, *m1), two(*d0, *d1));
    let fits = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && two(*h0, *h1) <= 23
        && two(*n0, *n1) <= 59
        && two(*s0, *s1) <= 59;
    fits && match rest {
        [b'Z'] => true,
        [b'.', fraction @ .., b'Z'] => {
            (1..=9).contains(&fraction.len())
                && fraction.iter().all(u8::is_ascii_digit)
                && fraction.last() != Some(&b'0')
        }
        _ => false,
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl Timestamp {
    /// The canonical form written digit by digit into `buf`, for years 0 to 9999 (every time an
    /// API sends); `None` for others, which `Display` writes through `fmt`. Parsers write tens of
    /// thousands of timestamps per answer, and `fmt`'s padding machinery costs more than the parse.
    fn canonical_in<'b>(&self, buf: &'b mut [u8; 30]) -> Option<&'b str> {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        fn digits(out: &mut [u8], mut n: i64) {
            for slot in out.iter_mut().rev() {
                *slot = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        digits(&mut buf[0..4], y);
        buf[4] = b'-';
        digits(&mut buf[5..7], m);
        buf[7] = b'-';
        digits(&mut buf[8..10], d);
        buf[10] = b'T';
        digits(&mut buf[11..13], secs / 3600);
        buf[13] = b':';
        digits(&mut buf[14..16], secs % 3600 / 60);
        buf[16] = b':';
        digits(&mut buf[17..19], secs % 60);
        let mut len = 19;
        if self.nanos > 0 {
            buf[19] = b'.';
            digits(&mut buf[20..29], i64::from(self.nanos));
            len = 29;
            while buf[len - 1] == b'0' {
                len -= 1;
            }
        }
        buf[len] = b'Z';
        std::str::from_utf8(&buf[..=len]).ok()
    }

    /// Appends the canonical form to `out`, as `Display` writes it.
    pub(crate) fn write_canonical(&self, out: &mut Vec<u8>) {
        match self.canonical_in(&mut [0; 30]) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => out.extend_from_slice(self.to_string().as_bytes()),
        }
    }

    /// The canonical form through `fmt`, for any year.
    fn fmt_slow(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)?;
        if self.nanos > 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.canonical_in(&mut [0; 30]) {
            Some(text) => f.write_str(text),
            None => self.fmt_slow(f),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.canonical_in(&mut [0; 30]) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An instant in one canonical UTC form, e.g. `2014-09-12T13:26:54.45Z` (a fraction without trailing zeros, always `Z`), whatever form the service wrote."
        })
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        crate::format::json::checked_string(deserializer, |text| Timestamp::parse(&text).map_err(|e| e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `fmt_slow` writes, for comparing the fast path against.
    struct Slow(Timestamp);

    impl fmt::Display for Slow {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_slow(f)
        }
    }

    #[test]
    fn the_fast_canonical_form_is_the_fmt_one() {
        let mut checked = 0;
        // Every day from year -1 to 10001 at varied times of day and fractions, and the edges.
        let mut seconds = -62_198_755_200_i64; // -0001-01-01
        let mut n = 0_u32;
        while seconds < 253_433_923_200 {
            let nanos = [0, 1, 10, 450_000_000, 999_999_999, 123_456_789, 100_000_000][(n % 7) as usize];
            let at = Timestamp::from_unix(seconds + i64::from(n % 86_400), nanos);
            let fast = at.to_string();
            assert_eq!(fast, Slow(at).to_string(), "{seconds} {nanos}");
            assert_eq!(serde_json::to_string(&at).expect("a string"), format!("\"{fast}\""));
            seconds += 3 * 86_400 + 3_601;
            n = n.wrapping_mul(31).wrapping_add(7_919);
            checked += 1;
        }
        assert!(checked > 1_000_000);
    }

    /// `is_canonical` only ever says so of a text that reads and writes back unchanged, and
    /// says so of every canonical text.
    #[test]
    fn a_canonical_text_writes_back_unchanged() {
        let mut said = 0;
        let fields = [
            &["0000", "0001", "1970", "2000", "2014", "2016", "2100", "9999", "20a4"][..],
            &["00", "01", "02", "09", "12", "13"],
            &["00", "01", "28", "29", "30", "31", "32"],
            &["T", "t", " "],
            &["00", "23", "24"],
            &["00", "59", "60"],
            &["00", "59", "60", "61"],
            &["Z", "z", ".45Z", ".450Z", ".0Z", ".000000001Z", ".1234567891Z", ".Z", "", "+00:00", "Zx", ".123456789Z"],
        ];
        let mut index = [0usize; 8];
        loop {
            let [y, mo, d, t, h, mi, s, tail] = std::array::from_fn(|i| fields[i][index[i]]);
            let text = format!("{y}-{mo}-{d}{t}{h}:{mi}:{s}{tail}");
            let unchanged = Timestamp::parse(&text).is_ok_and(|at| at.to_string() == text);
            assert_eq!(is_canonical(text.as_bytes()), unchanged, "{text}");
            said += usize::from(unchanged);
            // The next combination, like an odometer.
            let mut i = 0;
            while i < 8 {
                index[i] += 1;
                if index[i] < fields[i].len() {
                    break;
                }
                index[i] = 0;
                i += 1;
            }
            if i == 8 {
                break;
            }
        }
        assert!(said > 1_000);
    }

    fn canon(text: &str) -> String {
        Timestamp::parse(text).map(|t| t.to_string()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn http_dates_in_the_form_senders_must_use() {
        let at = |text: &str| Timestamp::parse_http_date(text).map(|t| t.to_string());
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT").expect("a date"), "1994-11-06T08:49:37Z");
        assert_eq!(at("Thu, 03 Dec 2026 05:18:35 GMT").expect("a date"), "2026-12-03T05:18:35Z");
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
        ] {
            assert!(at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_form_the_apis_write() {
        assert_eq!(canon("2014-09-12T13:26:54Z"), "2014-09-12T13:26:54Z");
        assert_eq!(canon("2014-09-12T13:26:54.45"), "2014-09-12T13:26:54.45Z");
        assert_eq!(canon("2015-06-05T16:24:57.637Z"), "2015-06-05T16:24:57.637Z");
        assert_eq!(canon("2015-06-05T18:24:57.637+02:00"), "2015-06-05T16:24:57.637Z");
        assert_eq!(canon("2000-02-29T00:00:00"), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp::parse("1970-01-01T00:00:01.5Z").map(|t| t.unix_millis()).ok(), Some(1500));
    }

    #[test]
    fn bad_forms_name_the_expected_shape() {
        for bad in [
            "",
            "2014-09-12",
            "2014-13-01T00:00:00Z",
            "2014-02-30T00:00:00Z",
            "2014-09-12T25:00:00Z",
            "2014-09-12T13:26:54.Z",
            "2014-09-12T13:26:54ZZ",
            "2014-09-12T13:26:54+2",
            "２０１４",
        ] {
            let err = Timestamp::parse(bad).expect_err(bad);
            assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
        }
    }
}
