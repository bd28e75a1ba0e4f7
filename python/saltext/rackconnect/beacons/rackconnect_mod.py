"""
Fires an event when this minion's RackConnect automation ends, once, so that a reactor can start
the highstate: the post-build trigger Rackspace recommends, driven by an event instead of a
wait.

:depends: rackconnect (the Python package, whose wheel also ships this extension)

What it watches
---------------
``automation`` (default on)
    RackConnect v2 automation, asked from the minion itself (no credentials): one look per
    interval; the core judges each look (as ``rackconnect.wait`` with ``timeout=0``). Final:
    ``DEPLOYED``, ``FAILED``, ``UNPROCESSABLE``.

``managed`` (default off)
    Managed Operations, read from the minion's Cloud Servers metadata, with the credentials of
    the ``rackconnect:`` configuration (pillar). Needs ``server_id``. Final: ``Complete``,
    ``Build Error``, ``Authentication Error``. Only on Managed accounts: without the metadata key
    it never fires.

Each watch fires once, then stops looking; the marker is kept in the minion's cache
(``<cachedir>/rackconnect/beacon-<beacon name>.json``), so a restarted minion does not fire
(and start a highstate) again. Delete that file to watch again.

Pace: at most one look per ``rackconnect.WATCH_INTERVAL`` seconds (10, the core's: 6 of v2's 30
requests a minute per server, leaving the rest to waits and commands), whatever Salt's
``loop_interval``; a larger ``interval`` is honoured, a smaller one is refused.

Events
------
Tag ``salt/beacon/<minion id>/<beacon name>/automation/<status>`` with ``<status>`` one of
``deployed``, ``failed``, ``unprocessable``, and ``salt/beacon/<minion id>/<beacon
name>/managed/<status>`` with ``complete``, ``build_error``, ``authentication_error``. Data:
``watch`` (``automation`` or ``managed``), ``status`` (as the service wrote it), ``outcome``
(``done``, ``failed``, ``not_applicable``), ``ok`` (the core's verdict; ``not_applicable_ok``
decides UNPROCESSABLE), ``summary``, ``reason``, ``tasks`` (the failed task of a FAILED
automation), ``server_id`` (managed only).

A configuration the service refuses (bad settings, bad credentials, an error retrying cannot fix)
fires ``.../<beacon name>/error`` once with ``watch`` and ``error``, and that watch stops. A
service that cannot be reached is looked at again at the next interval.

Configuration
-------------
.. code-block:: yaml

    beacons:
      rackconnect:
        - managed: True                          # also watch Managed Operations
        - server_id: 3f2a...-this-server-id      # needed by managed
        - not_applicable_ok: True                # UNPROCESSABLE is ok (the default)
        - interval: 30                           # Salt's option: at least 10 (the core's minimum)

The connection settings (``region``, ``v2_url``, ``source_address``, ``identity_url``,
``username``, ``tenant``) may be given in the beacon's configuration too; otherwise they come
from ``rackconnect:`` (minion configuration or pillar). Credentials (``api_key``, ``password``)
are refused here: ``beacons.list`` shows a beacon's configuration, so they belong in pillar.

A reactor that starts the highstate once RackConnect is done:

.. code-block:: yaml

    # /etc/salt/master.d/reactor.conf
    reactor:
      - 'salt/beacon/*/rackconnect/automation/deployed':
        - /srv/reactor/highstate.sls

    # /srv/reactor/highstate.sls
    highstate_after_rackconnect:
      local.state.apply:
        - tgt: {{ data['id'] }}
"""

import json
import logging
import os
import time

import salt.utils.beacons
from salt.exceptions import SaltException

from saltext.rackconnect.utils import rackconnect as rcutils

log = logging.getLogger(__name__)

__virtualname__ = "rackconnect"

WATCHES = ("automation", "managed")
FLAGS = ("automation", "managed", "not_applicable_ok")
SETTINGS = ("region", "v2_url", "source_address", "identity_url", "username", "tenant")
# Options Salt's beacon loop itself reads (and `_beacon_name`, which it adds).
SALT_OPTIONS = ("interval", "beacon_module", "disable_during_state_run", "run_once", "enabled")
FINAL = ("done", "failed", "not_applicable")
# The core's word that looking again cannot help (a refusal, an error retrying cannot fix).
STOP = ("forbidden", "error")


def __virtual__():
    reason = rcutils.unavailable_reason()
    if reason:
        return False, reason
    return __virtualname__


def _as_dict(config):
    """The beacon's list of single-key mappings as one mapping, or a reason it is not one."""
    if not isinstance(config, list) or not all(isinstance(item, dict) for item in config):
        return None, (
            "the rackconnect beacon's configuration must be a list of single-key mappings "
            "(e.g. `- managed: True`), got {}".format(rcutils.type_name(config))
        )
    return salt.utils.beacons.list_to_dict(config), None


def validate(config):
    """Checks the beacon's configuration: each message names the key and what it must be."""
    conf, reason = _as_dict(config)
    if reason:
        return False, reason
    conf.pop("_beacon_name", None)
    for key in rcutils.SECRET_KEYS:
        if key in conf:
            return False, (
                "rackconnect beacon: do not put {0} in the beacon's configuration (beacons.list "
                "shows it): set rackconnect:{0} in pillar".format(key)
            )
    unknown = sorted(set(conf) - set(FLAGS) - set(SETTINGS) - set(SALT_OPTIONS) - {"server_id"})
    if unknown:
        return False, "rackconnect beacon: unknown option(s) {}; the options are: {}".format(
            ", ".join(unknown), ", ".join(FLAGS + ("server_id",) + SETTINGS + ("interval",))
        )
    for key in FLAGS:
        if key in conf and not isinstance(conf[key], bool):
            return False, "rackconnect beacon: {} must be True or False, got {}".format(
                key, rcutils.type_name(conf[key])
            )
    for key in SETTINGS + ("server_id",):
        if key in conf and not isinstance(conf[key], str):
            return False, "rackconnect beacon: {} must be a string, got {}".format(
                key, rcutils.type_name(conf[key])
            )
    if "interval" in conf:
        interval = conf["interval"]
        minimum = rcutils.rackconnect.WATCH_INTERVAL
        if isinstance(interval, bool) or not isinstance(interval, (int, float)):
            return False, "rackconnect beacon: interval must be a number of seconds, got {}".format(
                rcutils.type_name(interval)
            )
        if interval < minimum:
            return False, (
                "rackconnect beacon: interval must be at least {:g} seconds (RackConnect v2 allows "
                "30 requests a minute per server, shared with waits and grains), got {:g}".format(
                    minimum, interval
                )
            )
    if not any(conf.get(watch, watch == "automation") for watch in WATCHES):
        return False, "rackconnect beacon: nothing to watch: automation and managed are both False"
    if conf.get("managed") and not conf.get("server_id"):
        return False, (
            "rackconnect beacon: managed: True needs server_id (this minion's Cloud Server id: "
            "Managed Operations is read from its metadata)"
        )
    return True, "Valid beacon configuration"


def _marker_path(name):
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return os.path.join(__opts__["cachedir"], "rackconnect", "beacon-{}.json".format(safe))


def _fired(name):
    """The watches this beacon already fired for (kept across minion restarts)."""
    try:
        with open(_marker_path(name), encoding="utf-8") as marker:
            fired = json.load(marker)
        return fired if isinstance(fired, dict) else {}
    except (OSError, ValueError):
        return {}


def _remember(name, fired):
    path = _marker_path(name)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as marker:
            json.dump(fired, marker)
        os.replace(path + ".tmp", path)
    except OSError as err:
        # The event still fires; only a restart could fire it again.
        log.warning("rackconnect beacon: cannot keep %s (%s)", path, err)


def _target(watch, conf, settings):
    """What a watch is about: a marker for another target (server, address) does not count."""
    if watch == "automation":
        return "{}|{}".format(settings["v2_url"] or settings["region"], settings["source_address"])
    return "{}|{}".format(settings["identity_url"], conf["server_id"])


def _look(watch, conf, settings):
    """One look, judged by the core: the wait's result with a timeout of 0."""
    not_applicable_ok = conf.get("not_applicable_ok", True)
    if watch == "automation":
        # The beacon runs in the minion's main loop: a v2 that does not answer must not hold it.
        client = rcutils.v2_client(settings, request_timeout=rcutils.rackconnect.QUICK_LOOK_TIMEOUT)
        with rcutils.translated_errors():
            return client.wait(timeout=0, not_applicable_ok=not_applicable_ok)
    client = rcutils.session(__context__, settings)
    with rcutils.translated_errors():
        # RackConnect is watched from v2; Managed Operations alone here.
        return client.wait_server(
            conf["server_id"], rackconnect=False, managed=True, timeout=0, not_applicable_ok=not_applicable_ok
        )


def _slug(status):
    return "_".join(str(status).lower().split())


def beacon(config):
    """
    Looks (at most once per ``rackconnect.WATCH_INTERVAL`` seconds per watch) at this minion's
    RackConnect automation and, with ``managed: True``, its Managed Operations, and fires one
    event for each when it reaches a final status.

    .. code-block:: yaml

        beacons:
          rackconnect: []
    """
    conf, reason = _as_dict(config)
    if reason:  # Salt validates first; this only guards a direct call
        raise SaltException(reason)
    name = conf.get("_beacon_name", __virtualname__)
    state = __context__.setdefault("rackconnect.beacon", {}).setdefault(
        name, {"fired": None, "next_look": {}}
    )
    if state["fired"] is None:
        state["fired"] = _fired(name)
    events = []
    for watch in WATCHES:
        if not conf.get(watch, watch == "automation"):
            continue
        now = time.monotonic()
        if now < state["next_look"].get(watch, 0):
            continue
        state["next_look"][watch] = now + rcutils.rackconnect.WATCH_INTERVAL
        try:
            settings = rcutils.connection_settings(
                __salt__["config.get"], {key: conf[key] for key in SETTINGS if key in conf}
            )
            if state["fired"].get(watch, {}).get("target") == _target(watch, conf, settings):
                continue
            result = _look(watch, conf, settings)
        except SaltException as err:
            if isinstance(err.__cause__, rcutils.rackconnect.TransportError):
                # Not reachable now (the network may come up later): the next interval looks again.
                log.warning("rackconnect beacon %s: %s", name, err)
                continue
            events.append(_stop(name, state, watch, str(err)))
            continue
        outcome = result.get("outcome")
        if outcome in FINAL:
            event = {
                "tag": "{}/{}".format(watch, _slug(result.get("status") or outcome)),
                "watch": watch,
                "status": result.get("status"),
                "outcome": outcome,
                "ok": result.get("ok"),
                "summary": rcutils.terminal_safe(result.get("summary") or ""),
                "reason": result.get("reason"),
                "tasks": result.get("tasks") or [],
            }
            if watch == "managed":
                event["server_id"] = conf["server_id"]
            state["fired"][watch] = {"target": _target(watch, conf, settings), "status": event["status"]}
            _remember(name, state["fired"])
            log.info("rackconnect beacon %s: %s", name, event["summary"])
            events.append(event)
        elif outcome in STOP:
            events.append(_stop(name, state, watch, rcutils.failure_reason(result)))
        else:
            # Still running (or not reachable right now): the next interval looks again.
            log.debug("rackconnect beacon %s: %s", name, result.get("summary"))
    return events


def _stop(name, state, watch, error):
    """A watch that looking again cannot help: one error event, then no more looks (until the
    minion restarts with another configuration)."""
    log.error("rackconnect beacon %s stops watching %s: %s", name, watch, error)
    state["next_look"][watch] = float("inf")
    return {"tag": "error", "watch": watch, "error": error}
