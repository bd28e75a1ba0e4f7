"""The exceptions of rackconnect, one class per core error kind.

Every exception carries the error's JSON form as ``err.data`` (``kind``, ``message`` and the
fields of its kind, see ``tests/corpus/README.md``); ``str(err)`` is the message. The native
module raises them from one mapping function (``python/src/lib.rs``).
"""

from __future__ import annotations

# `typing` would be most of this package's import time; annotations are strings here anyway.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional

__all__ = [
    "from_data",
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


class RackConnectError(Exception):
    """The root of every rackconnect error."""

    data: Dict[str, Any]
    """The error's JSON form: ``kind``, ``message`` and the fields of its kind."""

    def __init__(self, message: str, data: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.data = data if data is not None else {"kind": None, "message": message}

    @property
    def kind(self) -> Optional[str]:
        """The stable snake_case kind, e.g. ``json`` or ``conflict``."""
        return self.data.get("kind")

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidInputError(RackConnectError, ValueError):
    """An input given to a request builder was rejected (``field``, ``expected``, ``found``)."""


class ParseError(RackConnectError, ValueError):
    """A response body could not be read: kinds ``json``, ``xml``, ``xml_doctype``, ``text``,
    ``body_too_large``, ``too_deep`` and ``missing_header``."""


class ApiError(RackConnectError):
    """The service answered with an error status (``status``, ``fault``, ``messages``,
    ``conflicts``, ``retry_after``, ``mfa_factor``, ``raw``)."""

    @property
    def status(self) -> Optional[int]:
        """The HTTP status code."""
        return self.data.get("status")


class BadRequestError(ApiError):
    """400: the request was malformed."""


class UnauthorizedError(ApiError):
    """401: missing, bad or expired token or credentials."""


class MfaRequiredError(UnauthorizedError):
    """401 with ``WWW-Authenticate: OS-MF``: Identity requires a second factor (``mfa_factor``)."""


class ForbiddenError(ApiError):
    """403: the user is disabled, lacks a role, or must set up MFA."""


class NotFoundError(ApiError):
    """404: the object does not exist."""


class ConflictError(ApiError):
    """409: a conflict; ``data["conflicts"]`` classifies each message."""


class RateLimitedError(ApiError):
    """413/429, a v2 403 or Nova's ``overLimit``: slow down (``retry_after``)."""


class ServerError(ApiError):
    """5xx: the service failed."""


class UnexpectedStatusError(ApiError):
    """Any other status the operation does not expect."""


class TransportError(RackConnectError):
    """A request could not be carried through (``transport_kind``, ``detail``)."""


def from_data(data: Mapping[str, object]) -> RackConnectError:
    """The exception for an error in its JSON form, such as the ``error`` of a wait or ensure
    result that ended on an error (``if result["error"]: raise from_data(result["error"])``; any
    ``rackconnect.types`` error shape will do). The class is chosen by the same mapping that
    raises every other error (in the native module)."""
    from rackconnect._native import exception_from_data

    exception: RackConnectError = exception_from_data(dict(data))
    return exception


class CancelledError(RackConnectError):
    """The work was cancelled before it ended (kind ``cancelled``)."""
