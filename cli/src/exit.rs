//! The exit codes, documented in `--help` and the README.

use rackconnect::wait::Outcome;

/// Done: the wait reached its target, the change was made or nothing was needed.
pub const DONE: u8 = 0;
/// Automation failed (FAILED, Build Error, ADD_FAILED …), an ensure could not converge, or the
/// result could not be written to stdout.
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
pub const HELP: &str = "Exit codes: 0 done, 1 failed (automation, change, or writing the result), 2 usage, 3 timed out, \
4 not applicable (with --not-applicable fail), 5 authentication, 6 transport, 130 interrupted. \
Results go to stdout, errors to stderr (with --output json, one JSON line: {\"error\": {\"kind\", \"message\", …}, \"exit_code\"}).";

/// The main manual page's own sections (roff): exit status, errors with --output json,
/// environment, files.
pub const MAN_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
0
done: the wait reached its target, the change was made or nothing was needed
.TP
1
failed: automation failed (FAILED, Build Error, ADD_FAILED ...), an ensure could not converge, or the
result could not be written to standard output (a reader that closed the pipe early is not an error)
.TP
2
usage: the command line was wrong (an unknown option, an insecure URL, an unknown region ...)
.TP
3
timed out: the deadline passed first
.TP
4
not applicable (UNPROCESSABLE, or the key never appeared) with \-\-not\-applicable fail
.TP
5
authentication: credentials were refused, MFA is required, or the user lacks the role
.TP
6
transport: the service could not be reached, or answered in a way that could not be read
.TP
130
interrupted (Ctrl\-C)
.SH ERRORS
Results go to standard output, errors to standard error. With \fB\-\-output json\fR an error is one
line of JSON on standard error:
.PP
.nf
{"error": {"kind": "not_found", "message": "...", ...}, "exit_code": 1}
.fi
.PP
\fBerror.kind\fR and \fBerror.message\fR are always there; an error the service or the library
raised adds \fBclass\fR, \fBconfiguration\fR and its own fields. A wait or ensure that ends
badly is a result, not an error: its JSON (with \fBok\fR, \fBoutcome\fR and \fBsummary\fR) goes to
standard output and the exit code says how it ended. Command lines that clap itself refuses
are reported as text.
.SH ENVIRONMENT
.TP
\fBRAX_USERNAME\fR, \fBRAX_API_KEY\fR, \fBRAX_PASSWORD\fR
credentials (after \-\-username with \-\-api\-key or \-\-password, and after \-\-credentials FILE)
.TP
\fBRAX_CREDS_FILE\fR
a credentials file, used when nothing above gives credentials
.TP
\fBRAX_REGION\fR, \fBRAX_TENANT\fR, \fBRAX_IDENTITY_URL\fR, \fBRAX_RACKCONNECT_V2_URL\fR
as \-\-region, \-\-tenant, \-\-identity\-url and \-\-v2\-url
.SH FILES
.TP
\fI~/.rackspace_cloud_credentials\fR
the pyrax\-style credentials file ([rackspace_cloud] with username, and api_key or password);
a warning is printed when its group or others can read it (chmod 600)
"#;

/// The `kind` of a failure that the core did not raise, by its exit code (`--output json`).
pub fn kind(code: u8) -> &'static str {
    match code {
        USAGE => "usage",
        TIMED_OUT => "timed_out",
        NOT_APPLICABLE => "not_applicable",
        AUTHENTICATION => "authentication",
        TRANSPORT => "transport",
        CANCELLED => "cancelled",
        _ => "failed",
    }
}

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
