"""rackconnect: build every Rackspace RackConnect request and parse every answer.

Bring your own HTTP: ``build_request`` gives the method, URL, headers and body of an operation,
``parse_response`` reads the answer into plain Python values or raises the error's class from
``rackconnect.exceptions``; ``token_from_response`` keeps an Identity token as a ``Secret`` (which
``build_request`` accepts as ``token``). ``Session`` (Identity, Cloud Servers, v3), ``V2`` and ``wait_v2`` do the HTTP too (blocking, the GIL
released while they wait). The work is done by the Rust core (``rackconnect._native``).
Results are typed for type checkers: ``rackconnect.types`` names their shapes (import it where you
annotate; this module does not, to keep its import cheap).
"""

from rackconnect._native import (
    QUICK_LOOK_TIMEOUT,
    STATUS_CACHE_TTL,
    V2,
    Secret,
    WATCH_INTERVAL,
    Session,
    __version__,
    build_request,
    parse_response,
    terminal_safe,
    token_from_response,
    wait_v2,
)
from rackconnect.exceptions import (
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    MfaRequiredError,
    NotFoundError,
    ParseError,
    RackConnectError,
    RateLimitedError,
    ServerError,
    CancelledError,
    TransportError,
    UnauthorizedError,
    UnexpectedStatusError,
)

__all__ = [
    "__version__",
    "build_request",
    "parse_response",
    "Session",
    "V2",
    "wait_v2",
    "terminal_safe",
    "token_from_response",
    "Secret",
    "WATCH_INTERVAL",
    "STATUS_CACHE_TTL",
    "QUICK_LOOK_TIMEOUT",
    "RackConnectError",
    "InvalidInputError",
    "ParseError",
    "ApiError",
    "BadRequestError",
    "UnauthorizedError",
    "MfaRequiredError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "UnexpectedStatusError",
    "TransportError",
    "CancelledError",
]
