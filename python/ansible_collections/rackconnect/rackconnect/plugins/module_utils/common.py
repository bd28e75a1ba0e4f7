# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""What any plugin of the collection can share, module or not: the guarded import of the
rackconnect package and the reading of its errors. Modules use them through
``_rackconnect_module.RackConnectModule``.

The work itself (requests, parsing, waiting, planning) is done by the Rust core behind the
rackconnect package; the plugins only convert options in and results out.
"""

from __future__ import annotations

import traceback

try:
    import rackconnect
except ImportError:
    rackconnect = None
    RACKCONNECT_IMPORT_ERROR = traceback.format_exc()
else:
    RACKCONNECT_IMPORT_ERROR = None


# What each error means to someone running a playbook, by class of rackconnect.exceptions (the
# most specific first). The error's own message follows the hint.
_FAILURES = (
    ("MfaRequiredError",
     "Identity requires multi-factor authentication for this user; use api_key instead of password"),
    ("UnauthorizedError", "authentication failed; check username, and api_key or password"),
    ("ForbiddenError", "refused; the user may be disabled or lack the RackConnect role for this region"),
    ("NotFoundError", "not found"),
    ("ConflictError", "RackConnect refused the change"),
    ("RateLimitedError", "rate limited by the service; try again later"),
    ("ServerError", "the service failed; try again later"),
    ("BadRequestError", "the service rejected the request"),
    ("UnexpectedStatusError", "the service gave an unexpected answer"),
    ("TransportError", "the service could not be reached"),
    ("InvalidInputError", "invalid option value"),
    ("ParseError", "the service's answer could not be read"),
)

# The fields of an error's data worth returning; `raw` (the whole body) is left out.
_ERROR_FIELDS = ("kind", "status", "fault", "messages", "conflicts", "retry_after", "mfa_factor",
                 "field", "expected", "found", "transport_kind")


def hint_for_exception(exc):
    """What a rackconnect exception means to someone running a playbook."""
    for class_name, hint in _FAILURES:
        if isinstance(exc, getattr(rackconnect, class_name)):
            return hint
    return "failed"


def error_summary(data):
    """The returnable part of a rackconnect error's data (`err.data`, or a result's `error`)."""
    return dict((key, data[key]) for key in _ERROR_FIELDS if data.get(key) is not None)


def terminal_safe(text):
    """``text`` with its control characters shown escaped (the core's rule, through the package):
    names the user typed and text from the API reach terminals and logs."""
    return rackconnect.terminal_safe(text)


def seconds(milliseconds):
    """The core counts milliseconds; Ansible users read seconds."""
    return round(milliseconds / 1000.0, 3)
