"""What the ``rackconnect`` execution and state modules share: where the connection settings come
from, the cached ``rackconnect.Session``, and the one place where errors of the ``rackconnect``
package become Salt errors.

The connection settings are looked up under the ``rackconnect:`` key with ``config.get`` (minion
configuration, then grains, then pillar, then master configuration); a setting passed to a
function wins over the configured one.
"""

import hashlib
import logging
import math
from contextlib import contextmanager

import salt.utils.args
from salt.exceptions import CommandExecutionError
from salt.exceptions import SaltInvocationError

try:
    import rackconnect

    IMPORT_ERROR = None
except ImportError as err:  # the modules' __virtual__ reports it
    rackconnect = None
    IMPORT_ERROR = str(err)

log = logging.getLogger(__name__)

CONFIG_KEY = "rackconnect"
CONNECTION_KEYS = (
    "identity_url",
    "username",
    "api_key",
    "password",
    "region",
    "tenant",
    "v2_url",
    "source_address",
)
SECRET_KEYS = ("api_key", "password")
_SESSIONS = "rackconnect.sessions"


def unavailable_reason():
    """Why the modules cannot load (the ``rackconnect`` package is missing), or None."""
    if rackconnect is None:
        return (
            "the rackconnect Python package cannot be imported ({}): "
            "install the rackconnect wheel into Salt's Python (pip, or salt-pip on onedir; "
            "rackconnect is not on PyPI yet)".format(IMPORT_ERROR)
        )
    return None


def connection_settings(config_get, connection_args):
    """The connection settings: ``connection_args`` over the configured ``rackconnect:`` mapping.

    ``config_get`` is ``__salt__["config.get"]``. Unknown arguments are refused by name, so that a
    misspelt state argument fails loudly instead of being ignored.
    """
    given = salt.utils.args.clean_kwargs(**connection_args)
    unknown = sorted(set(given) - set(CONNECTION_KEYS))
    if unknown:
        raise SaltInvocationError(
            "unknown argument(s): {}; the connection settings are: {}".format(
                ", ".join(unknown), ", ".join(CONNECTION_KEYS)
            )
        )
    configured = config_get(CONFIG_KEY, {}) or {}
    if not isinstance(configured, dict):
        raise SaltInvocationError(
            "the `rackconnect` configuration must be a mapping of {}, got {}".format(
                ", ".join(CONNECTION_KEYS), type_name(configured)
            )
        )
    # Each value is checked where it comes from, so that the message names the key to fix; a
    # configured value that an argument replaces is not used, so not checked.
    sources = {key: ("{}:{}".format(CONFIG_KEY, key), configured.get(key)) for key in CONNECTION_KEYS}
    given = {key: value for key, value in given.items() if value is not None}
    if any(key in given for key in SECRET_KEYS):
        # A credential given with the call replaces the configured one as a whole: an api_key
        # argument must not meet a configured password (the core takes exactly one of them).
        for key in SECRET_KEYS:
            sources[key] = (key, None)
    sources.update((key, ("argument {}".format(key), value)) for key, value in given.items())
    return {key: setting(value, where) for key, (where, value) in sources.items()}


def type_name(value):
    """How a message names the type of ``value`` (never the value: it may be a secret)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    return "a {}".format(type(value).__name__)


def setting(value, where):
    """A connection setting as the text the core takes, or None when it is not set.

    ``where`` names the key in messages (``rackconnect:api_key``, ``argument region``). A value
    of another type is refused, never coerced: an api_key given as a list would otherwise be
    sent as its Python text and come back as a 401 after a round trip to Identity.
    """
    if value is None:
        return None
    # YAML reads an all-digit tenant, key or password as a number: that is still what was typed.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise SaltInvocationError("{} must be a string, got {}".format(where, type_name(value)))
    return value


def flag(value, name):
    """A true/false argument: a boolean only (``bool("no")`` would be True)."""
    if not isinstance(value, bool):
        raise SaltInvocationError("{} must be True or False, got {}".format(name, type_name(value)))
    return value


def optional_flag(value, name):
    """``flag`` of a value that may be left out (None)."""
    return None if value is None else flag(value, name)


def ident(value, name):
    """An id (or a name) as text: a string, or an all-digit one YAML read as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else type_name(value)
        raise SaltInvocationError("{} must be an id (a string), got {}".format(name, shown))
    return value.strip()


def optional_ident(value, name):
    """``ident`` of a value that may be left out (None)."""
    return None if value is None else ident(value, name)


@contextmanager
def translated_errors():
    """Turns every ``rackconnect`` error into a ``CommandExecutionError`` with the core's message.

    The core's messages never carry credentials, so they are passed on as they are.
    """
    try:
        yield
    except rackconnect.RackConnectError as err:
        raise CommandExecutionError(describe_error(err)) from err


def describe_error(err):
    """The message shown for a ``rackconnect`` error: the core's text, plus a hint for the
    errors a Salt user fixes in the configuration."""
    message = "RackConnect: {}".format(rackconnect.terminal_safe(str(err)))
    if isinstance(err, rackconnect.MfaRequiredError):
        return message + " (this user needs multi-factor authentication: use an API key instead)"
    if isinstance(err, rackconnect.UnauthorizedError):
        return message + " (check rackconnect:username and rackconnect:api_key or password)"
    if isinstance(err, rackconnect.TransportError):
        return message + " (check rackconnect:identity_url, v2_url and region)"
    return message


def session(context, settings):
    """A ``rackconnect.Session`` for these settings, kept in ``__context__`` so that the states of
    one run share a token."""
    if not settings["username"]:
        raise SaltInvocationError(
            "RackConnect needs a username: set rackconnect:username in the minion configuration "
            "or pillar, or pass username=..."
        )
    if not (settings["api_key"] or settings["password"]):
        raise SaltInvocationError(
            "RackConnect needs rackconnect:api_key (or rackconnect:password) in the minion "
            "configuration or pillar"
        )
    secret = settings["api_key"] or settings["password"]
    key = (
        settings["identity_url"],
        settings["username"],
        "api_key" if settings["api_key"] else "password",
        # Only a digest of the secret is kept beside the session, never the secret as a key.
        hashlib.sha256(secret.encode()).hexdigest(),
        settings["region"],
        settings["tenant"],
    )
    sessions = context.setdefault(_SESSIONS, {})
    if key not in sessions:
        with translated_errors():
            sessions[key] = rackconnect.Session(
                settings["identity_url"] or "us",
                username=settings["username"],
                api_key=settings["api_key"],
                password=settings["password"],
                region=settings["region"],
                tenant=settings["tenant"],
            )
    return sessions[key]


def v2_client(settings, request_timeout=None):
    """A ``rackconnect.V2`` client: at ``v2_url``, else the region's ServiceNet endpoint.
    ``request_timeout`` (seconds) bounds each request; left out, the core's defaults apply."""
    if not (settings["v2_url"] or settings["region"]):
        raise SaltInvocationError(
            "RackConnect v2 needs rackconnect:region (or rackconnect:v2_url) in the minion "
            "configuration or pillar, or region=... / v2_url=..."
        )
    with translated_errors():
        return rackconnect.V2(
            settings["v2_url"],
            region=settings["region"],
            source_address=settings["source_address"],
            request_timeout=request_timeout,
        )


def v2_value(answer, what):
    """The value of a v2 answer; None for a gateway not assigned yet; an error for a 403."""
    outcome = answer.get("outcome")
    if outcome == "answer":
        return answer["value"]
    if outcome == "not_assigned":
        return None
    if outcome == "rate_limited":
        raise CommandExecutionError(
            "RackConnect v2 refused {} with HTTP 403: more than 30 requests this minute "
            "(try again in a minute), or this machine is not a RackConnect v2 server".format(what)
        )
    raise CommandExecutionError("RackConnect v2 gave an unexpected answer to {}: {}".format(what, answer))


def log_progress(event):
    """The progress callback of waits and planners: each event goes to the minion's log."""
    log.debug("rackconnect: %s", event)


def mark_success(result):
    """Adds ``success`` to a wait's or planner's result: the core's verdict (``ok``, which already
    took the caller's ``not_applicable_ok``). salt-call exits 1 when a returned mapping has a
    false ``success``, so a FAILED automation fails the command while its details still print."""
    result["success"] = bool(result.get("ok"))
    return result


def terminal_safe(text):
    """``text`` with its control characters shown escaped (the core's rule, through the package)."""
    return rackconnect.terminal_safe(text)


def failure_reason(result):
    """Why a wait or planner did not succeed: the core's one-line ``summary`` (the same words
    as the CLI, Ansible and npm)."""
    # API text (names, messages) reaches the minion's terminal: its escapes are shown, not run.
    return rackconnect.terminal_safe(result.get("summary") or "it ended {}".format(result.get("outcome")))


def optional_seconds(value, name):
    """``seconds`` of a value that may be left out (``None``: the core's default applies)."""
    return None if value is None else seconds(value, name)


def seconds(value, name):
    """A duration in seconds, as a float, from a number or a numeric string."""
    if isinstance(value, bool):  # float(True) is 1.0: a flag given where a duration belongs
        raise SaltInvocationError("{} must be a number of seconds, got a boolean".format(name))
    try:
        duration = float(value)
    except (TypeError, ValueError):
        raise SaltInvocationError("{} must be a number of seconds, not {!r}".format(name, value)) from None
    if not math.isfinite(duration) or duration < 0:
        raise SaltInvocationError("{} must be a number of seconds, 0 or more, not {!r}".format(name, value))
    return duration


def as_list(value, name):
    """A list of ids from a list or a comma-separated string (as typed on the command line)."""
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = [ident(part, "each item of {}".format(name)) for part in value]
    else:
        raise SaltInvocationError(
            "{} must be a list of ids (or a comma-separated string), got {}".format(name, type_name(value))
        )
    items = [item for item in items if item]
    if not items:
        raise SaltInvocationError("{} must name at least one id".format(name))
    return items


def wait_servers(client, servers, built_within, rackconnect, managed, timeout, grace, not_applicable_ok):
    """The core's fleet wait (``Session.wait_servers``) with the arguments as Salt gives them, for
    the execution module and the runner alike: ``servers`` a list or a comma-separated string
    (ids or names), or ``built_within`` seconds; the result with ``success``. Which of the two
    was given is the core's to judge, before anything is sent."""
    options = dict(
        built_within=optional_seconds(built_within, "built_within"),
        managed=flag(managed, "managed"),
        rackconnect=flag(rackconnect, "rackconnect"),
        timeout=optional_seconds(timeout, "timeout"),
        grace=optional_seconds(grace, "grace"),
        not_applicable_ok=flag(not_applicable_ok, "not_applicable_ok"),
    )
    listed = None if servers is None else as_list(servers, "servers")
    with translated_errors():
        result = client.wait_servers(listed, **options, progress=log_progress)
    return mark_success(result)
