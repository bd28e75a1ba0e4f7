"""
Grains with this minion's RackConnect v2 state, for targeting (``salt -G
'rackconnect_automation_status:DEPLOYED' ...``) and templates:

``rackconnect_automation_status``
    ``DEPLOYING``, ``DEPLOYED``, ``FAILED`` (or another value, as v2 gives it).

``rackconnect_gateway_ip``
    The gateway of the minion's RackConnect network (left out while none is assigned).

:depends: rackconnect (the Python package, whose wheel also ships this extension)

They are asked of v2 only when the minion configuration (not pillar: grains are read before
pillar) sets ``rackconnect:v2_url`` or ``rackconnect:region`` (and ``source_address`` if
needed); otherwise no request is made and there are no such grains.

Cost and bounds: answers are kept in ``<cachedir>/rackconnect/grains.json``. A grains refresh
that finds the last look younger than ``rackconnect.STATUS_CACHE_TTL`` (60 s, the core's) asks
nothing; otherwise it asks v2 for one value, the one looked at longest ago (status first), so a
refresh costs at most one v2 request a minute, and both values are fresh within two minutes.
Each look is bounded by ``rackconnect.QUICK_LOOK_TIMEOUT`` (3 s, the core's): a v2 that does not
answer (not a RackConnect server, no ServiceNet) cannot hold up a minion start, and counts as a
look, so it is not asked again for a minute. The names are flat (not a ``rackconnect:`` grain)
so that they never shadow the ``rackconnect:`` settings that ``config.get`` also reads from
grains.
"""

import json
import logging
import os
import threading
import time

from saltext.rackconnect.utils import rackconnect as rcutils

log = logging.getLogger(__name__)

__virtualname__ = "rackconnect"

# grain name -> the V2 client's method
VALUES = (("rackconnect_automation_status", "status"), ("rackconnect_gateway_ip", "gateway_ip"))


def __virtual__():
    reason = rcutils.unavailable_reason()
    if reason:
        return False, reason
    return __virtualname__


def _settings():
    """The v2 settings of the minion configuration, or None when v2 is not configured."""
    configured = __opts__.get(rcutils.CONFIG_KEY)
    if not configured:
        return None
    settings = rcutils.connection_settings(lambda key, default=None: configured, {})
    if not (settings["v2_url"] or settings["region"]):
        return None
    return settings


def _cache_path():
    return os.path.join(__opts__["cachedir"], "rackconnect", "grains.json")


def _load(path, target):
    try:
        with open(path, encoding="utf-8") as cached:
            cache = json.load(cached)
    except (OSError, ValueError):
        return {"target": target}
    # Answers about another endpoint or address (the configuration changed) do not count.
    return cache if isinstance(cache, dict) and cache.get("target") == target else {"target": target}


def _save(path, cache):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            json.dump(cache, out)
        os.replace(path + ".tmp", path)
    except OSError as err:
        log.warning("rackconnect grains: cannot keep %s (%s)", path, err)


def _bounded_look(settings, method):
    """One v2 request on a side thread, given up after ``QUICK_LOOK_TIMEOUT``: the request's
    own timeout bounds connecting and answering; the thread also bounds a wait for the shared
    v2 budget. Gives the answer, or None."""
    limit = rcutils.rackconnect.QUICK_LOOK_TIMEOUT
    box = {}

    def look():
        try:
            client = rcutils.v2_client(settings, request_timeout=limit)
            box["answer"] = getattr(client, method)()
        except Exception as err:  # pylint: disable=broad-except
            box["error"] = err

    worker = threading.Thread(target=look, name="rackconnect-grains", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        log.info("rackconnect grains: v2 did not answer within %g s", limit)
        return None
    if "error" in box:
        log.info("rackconnect grains: %s", box["error"])
        return None
    return box["answer"]


def rackconnect_v2():
    """
    The minion's RackConnect v2 automation status and gateway IP, from the cache or (at most
    one request a minute) from v2.
    """
    try:
        settings = _settings()
    except Exception as err:  # pylint: disable=broad-except
        # Grains must never stop a minion: a bad setting is logged, and the execution module
        # reports it with the same words.
        log.error("rackconnect grains: %s", err)
        return {}
    if settings is None:
        return {}
    target = "{}|{}".format(settings["v2_url"] or settings["region"], settings["source_address"])
    path = _cache_path()
    cache = _load(path, target)
    now = time.time()
    looked_at = cache.get("looked_at", 0)
    if not looked_at <= now < looked_at + rcutils.rackconnect.STATUS_CACHE_TTL:
        # The value looked at longest ago (never: 0; a tie: status first).
        grain, method = min(VALUES, key=lambda v: cache.get(v[0], {}).get("at", 0))
        # The look counts even when it fails or times out: a v2 that is not there is not
        # asked again within the minute.
        cache["looked_at"] = now
        answer = _bounded_look(settings, method)
        if answer and answer.get("outcome") == "answer":
            cache[grain] = {"value": answer["value"], "at": now}
        elif answer and answer.get("outcome") == "not_assigned":
            cache[grain] = {"value": None, "at": now}
        _save(path, cache)
    return {
        grain: cache[grain]["value"]
        for grain, _ in VALUES
        if grain in cache and cache[grain].get("value") is not None
    }
