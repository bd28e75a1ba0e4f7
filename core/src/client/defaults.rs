//! Every default a client decides, in one place. A front door that is not given a value passes
//! "not given" and the core applies these; none restates them.

use crate::wait::Millis;

/// How long a wait (or an ensure, its wait included) may take: 30 minutes.
pub const WAIT_TIMEOUT_MS: Millis = 30 * 60 * 1000;
/// The pause between polls of a v2 or v3 wait while nothing is wrong: 2 s (the rate budget
/// may stretch it).
pub const WAIT_INTERVAL_MS: Millis = 2_000;
/// The pause between polls of a Cloud Servers metadata wait: 5 s (metadata changes slowly and
/// Cloud Servers limits its own rate).
pub const METADATA_INTERVAL_MS: Millis = 5_000;
/// How long a metadata key may be missing before RackConnect (or Managed Operations) is taken
/// not to apply: 5 minutes.
pub const METADATA_GRACE_MS: Millis = 5 * 60_000;
/// How long "server does not exist" or "is unprocessable" is retried for one server, by a
/// planner and by a single create alike: long enough for RackConnect to learn of a new build,
/// short enough that a mistyped id fails soon.
pub const POST_BUILD_GRACE_MS: Millis = 120_000;
/// The longest a kept connection may sit idle and still carry the next request. A server closes
/// idle connections on its own clock (Apache's default and the emulator's: 5 s), and a request
/// sent as it closes fails; a read is tried again, but a create (POST) is never sent twice. So a
/// connection is not reused once idle this long: 4 s, below any common server's limit, at the
/// cost of a new connection for polls further apart.
pub const IDLE_REUSE_MS: Millis = 4_000;
/// The longest a single request may take (connect, send, answer) when the caller gives none.
pub const REQUEST_TIMEOUT_MS: Millis = 30_000;
/// The shortest time a request is given, even close to a wait's deadline: a request cut
/// shorter would rarely be answered.
pub const MIN_REQUEST_TIMEOUT_MS: Millis = 2_000;
/// The pause before the one retry of a read.
pub const READ_RETRY_PAUSE_MS: Millis = 250;
/// The most of a `Retry-After` a single read (not a wait) honours before its one retry.
pub const READ_RETRY_AFTER_CAP_MS: Millis = 2_000;
/// The most of a `Retry-After` a wait honours for one pause (its deadline still applies).
pub const WAIT_RETRY_AFTER_CAP_MS: Millis = 120_000;
/// A cached token is renewed this long before Identity says it expires.
pub const REFRESH_MARGIN_MS: Millis = 5 * 60 * 1000;
/// Servers per `servers/detail` page when following pages.
pub const PAGE_SIZE: u32 = 100;
/// The Identity service asked when none is given (`us`; `uk` for London accounts).
pub const IDENTITY: &str = "us";
/// The shortest pause between two looks of a watcher that runs for as long as the machine does
/// (a Salt beacon): 10 s, 6 of v2's 30 requests a minute, leaving the rest to waits and commands.
pub const WATCH_INTERVAL_MS: Millis = 10_000;
/// How long a v2 answer shown as a property of the machine (Salt grains) is reused before v2 is
/// asked again: a minute, so that refreshing it costs at most one request a minute.
pub const STATUS_CACHE_MS: Millis = 60_000;
/// The longest a look that must not hold up its caller (Salt grains, read as a minion starts)
/// may take, connecting included; a service that does not answer within it counts as absent.
pub const QUICK_LOOK_TIMEOUT_MS: Millis = 3_000;
