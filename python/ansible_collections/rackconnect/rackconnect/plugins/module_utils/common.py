# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""What every module of the collection shares: the guarded import of the rackconnect package,
the argument specs of the doc fragments, the clients built from module params, and the one place
where rackconnect errors and unfinished waits become fail_json messages.

The work itself (requests, parsing, waiting, planning) is done by the Rust core behind the
rackconnect package; the modules only convert options in and results out.
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

try:
    import rackconnect
except ImportError:
    rackconnect = None
    RACKCONNECT_IMPORT_ERROR = traceback.format_exc()
else:
    RACKCONNECT_IMPORT_ERROR = None


def require_rackconnect(module):
    """Fails the module when the rackconnect package cannot be imported on the target."""
    if rackconnect is None:
        module.fail_json(msg=missing_required_lib("rackconnect"), exception=RACKCONNECT_IMPORT_ERROR)


def auth_argument_spec():
    """The options of the `rackconnect.rackconnect.auth` doc fragment (with their environment fallbacks)."""
    return dict(
        identity_url=dict(type="str", default="us", fallback=(env_fallback, ["RAX_IDENTITY_URL"])),
        # Checked in session_from_params rather than by Ansible, whose messages cannot mention
        # the environment variables the values may come from.
        username=dict(type="str", fallback=(env_fallback, ["RAX_USERNAME"])),
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["RAX_API_KEY"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["RAX_PASSWORD"])),
        region=dict(type="str", fallback=(env_fallback, ["RAX_REGION"])),
        tenant=dict(type="str", fallback=(env_fallback, ["RAX_TENANT"])),
    )


def v2_argument_spec():
    """The options of the `rackconnect.rackconnect.v2` doc fragment."""
    return dict(
        region=dict(type="str", fallback=(env_fallback, ["RAX_REGION"])),
        base_url=dict(type="str", fallback=(env_fallback, ["RAX_RACKCONNECT_V2_URL"])),
        source_address=dict(type="str"),
    )


def _source(params, option, variable):
    """Where an option's value came from, for messages: the task or the environment."""
    from_env = os.environ.get(variable)
    return "%s (from %s)" % (option, variable) if from_env is not None and params[option] == from_env else option


def check_credentials(module):
    """Fails with a message naming options and environment variables alike, as Ansible's own
    required/mutually-exclusive checks cannot."""
    params = module.params
    if not params["username"]:
        module.fail_json(msg="a username is needed: the username option or RAX_USERNAME")
    key, password = params["api_key"], params["password"]
    if key is None and password is None:
        module.fail_json(msg="a secret is needed: api_key (or RAX_API_KEY) or password (or RAX_PASSWORD)")
    if key is not None and password is not None:
        module.fail_json(
            msg="give api_key or password, not both: found %s and %s"
            % (_source(params, "api_key", "RAX_API_KEY"), _source(params, "password", "RAX_PASSWORD"))
        )


def session_from_params(module):
    """A rackconnect.Session from the auth options (authentication happens on its first call)."""
    check_credentials(module)
    params = module.params
    return call(
        module,
        "preparing the Identity session",
        rackconnect.Session,
        params["identity_url"],
        username=params["username"],
        api_key=params["api_key"],
        password=params["password"],
        region=params["region"],
        tenant=params["tenant"],
    )


def v2_from_params(module):
    """A rackconnect.V2 client from the v2 options."""
    params = module.params
    return call(
        module,
        "preparing the RackConnect v2 client",
        rackconnect.V2,
        params["base_url"],
        region=params["region"],
        source_address=params["source_address"],
    )


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


def _hint_for_exception(exc):
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


def fail_with_error(module, doing, exc, **result):
    """Fails the module for a rackconnect exception raised while `doing` something."""
    module.fail_json(
        # What was being done names what the user typed, and the error quotes the API: both can
        # hold escapes, which are shown, not run.
        msg=terminal_safe("%s: %s: %s" % (doing, _hint_for_exception(exc), str(exc))),
        error=error_summary(getattr(exc, "data", None) or {}),
        **result
    )


def call(module, doing, function, *args, **kwargs):
    """Calls into rackconnect; any rackconnect error fails the module with a message saying what was being done."""
    try:
        return function(*args, **kwargs)
    except rackconnect.RackConnectError as exc:
        fail_with_error(module, doing, exc)


def wait_timeout(module):
    """The timeout a wait runs with: in check mode 0, so that the core looks once and judges what
    it saw (as Salt's ``test=True`` does); else the task's (``None``: the core's default)."""
    return 0 if module.check_mode else module.params["timeout"]


def exit_if_would_wait(module, doing, waited, **result):
    """In check mode, a wait whose one look found it still running reports what it saw and
    succeeds: running it for real would wait. Anything else is judged as usual."""
    if module.check_mode and waited["outcome"] == "timed_out":
        now = waited.get("status") or "not reported yet"
        result["outcome"] = waited["outcome"]
        module.exit_json(summary=terminal_safe("check mode: %s would wait; now %s" % (doing, now)), **result)


def seconds(milliseconds):
    """The core counts milliseconds; Ansible users read seconds."""
    return round(milliseconds / 1000.0, 3)


def fail_unfinished(module, doing, result, **returned):
    """Fails the module for a wait or an ensure whose verdict (the core's ``ok``) is false, in the
    core's words (``summary``): the CLI, Salt and npm say the same.

    An error carried in the result (``error``) adds the hint of its exception class.
    """
    # API text (names, messages) reaches terminals and logs: its escapes are shown, not run.
    msg = terminal_safe("%s: %s" % (doing, result.get("summary") or ""))
    error = result.get("error")
    if error:
        # An error inside a result travels as data; the package gives back its exception class.
        msg += " (%s)" % _hint_for_exception(rackconnect.exceptions.from_data(error))
        returned["error"] = error_summary(error)
    returned.setdefault("outcome", result.get("outcome"))
    module.fail_json(msg=msg, **returned)
