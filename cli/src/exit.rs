//! The exit codes, documented in `--help` and the README.

use rackconnect::wait::Outcome;

/// Done: the wait reached its target, the change was made or nothing was needed.
pub const DONE: u8 = 0;
/// Automation failed (FAILED, Build Error, ADD_FAILED …), or an ensure could not converge.
pub const FAILED: u8 = 1;
/// The command line was wrong (clap's own code).
pub const USAGE: u8 = 2;
/// The deadline passed first.
pub const TIMED_OUT: u8 = 3;
/// RackConnect or Managed Operations does not apply here (UNPROCESSABLE, or the key never
/// appeared), and `--not-applicable fail` was given.
pub const NOT_APPLICABLE: u8 = 4;
/// Credentials were refused, MFA is required, or the user lacks the role.
pub const AUTHENTICATION: u8 = 5;
/// The service could not be reached, or answered in a way that could not be read.
pub const TRANSPORT: u8 = 6;
/// Interrupted (Ctrl-C).
pub const CANCELLED: u8 = 130;

/// The text `--help` shows.
pub const HELP: &str = "Exit codes: 0 done, 1 failed (automation or change), 2 usage, 3 timed out, \
4 not applicable (with --not-applicable fail), 5 authentication, 6 transport, 130 interrupted.";

/// The exit code of a wait or ensure: 0 when the core's verdict is `ok`, else by its outcome.
pub fn of_verdict(ok: bool, outcome: Outcome) -> u8 {
    if ok {
        return DONE;
    }
    match outcome {
        Outcome::Failed | Outcome::Error | Outcome::Done => FAILED,
        Outcome::NotApplicable => NOT_APPLICABLE,
        Outcome::TimedOut => TIMED_OUT,
        Outcome::Cancelled => CANCELLED,
        Outcome::Forbidden => AUTHENTICATION,
    }
}

/// The exit code of an error, by the class the core gives it; a configuration error (an
/// insecure or malformed URL, an unknown region) is a usage error.
pub fn of_error(error: &rackconnect::Error) -> u8 {
    use rackconnect::ErrorClass as C;
    if error.is_configuration() {
        return USAGE;
    }
    match error.class() {
        C::UnauthorizedError | C::MfaRequiredError | C::ForbiddenError => AUTHENTICATION,
        C::TransportError | C::ParseError => TRANSPORT,
        C::InvalidInputError => USAGE,
        C::CancelledError => CANCELLED,
        C::BadRequestError
        | C::NotFoundError
        | C::ConflictError
        | C::RateLimitedError
        | C::ServerError
        | C::UnexpectedStatusError => FAILED,
    }
}
