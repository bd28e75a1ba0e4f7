"""rackconnect: build every Rackspace RackConnect request and parse every answer.

Bring your own HTTP: ``build_request`` gives the method, URL, headers and body of an operation,
``parse_response`` reads the answer into plain Python values or raises the error's class from
``rackconnect.exceptions``. The work is done by the Rust core (``rackconnect._native``).
"""

from rackconnect._native import __version__, build_request, parse_response
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
    TransportError,
    UnauthorizedError,
    UnexpectedStatusError,
)

__all__ = [
    "__version__",
    "build_request",
    "parse_response",
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
]
