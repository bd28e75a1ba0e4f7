"""The beacon and the grains through Salt's loaders, against the emulator: what each look costs
in v2 requests (the emulator's request log), the events, and the bounds."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import rackconnect
import salt.loader

from conftest import V2_DEPLOYED, V2_FAILED, V2_UNPROCESSABLE

RACKCONNECT_USER_TASK = 'Cloud Server Created: Add "rackconnect" user'


def beacon_config(**options):
    return [{key: value} for key, value in options.items()]


@pytest.mark.parametrize(
    "source, tag, outcome, ok",
    [
        (V2_DEPLOYED, "automation/deployed", "done", True),
        (V2_FAILED, "automation/failed", "failed", False),
        (V2_UNPROCESSABLE, "automation/unprocessable", "not_applicable", True),
    ],
)
def test_the_beacon_fires_once_at_a_final_status(beacons, emulator_requests, source, tag, outcome, ok) -> None:
    config = beacon_config(source_address=source, _beacon_name="rc")
    emulator_requests.clear()
    events = beacons["rackconnect.beacon"](config)
    assert len(events) == 1, events
    event = events[0]
    assert event["tag"] == tag and event["outcome"] == outcome and event["ok"] is ok, event
    assert event["watch"] == "automation" and event["status"] == tag.split("/")[1].upper(), event
    if outcome == "failed":
        assert RACKCONNECT_USER_TASK in event["reason"], event
        assert any(t["status"] == "FAILED" for t in event["tasks"]), event
    looked = len(emulator_requests.v2(source))
    assert looked >= 1
    # Called again at once (Salt's loop_interval is 1 s): nothing, and nothing asked.
    assert beacons["rackconnect.beacon"](config) == []
    assert len(emulator_requests.v2(source)) == looked


def test_the_beacon_does_not_fire_again_after_a_restart(loaders, emulator_requests) -> None:
    config = beacon_config(source_address=V2_FAILED, _beacon_name="rc_restart")
    first = salt.loader.beacons(loaders.opts, loaders.modules, context={})
    assert [e["tag"] for e in first["rackconnect.beacon"](config)] == ["automation/failed"]
    marker = Path(loaders.opts["cachedir"]) / "rackconnect" / "beacon-rc_restart.json"
    assert json.loads(marker.read_text())["automation"]["status"] == "FAILED"
    # A new minion process: a new loader and context, the same cache.
    emulator_requests.clear()
    restarted = salt.loader.beacons(loaders.opts, loaders.modules, context={})
    assert restarted["rackconnect.beacon"](config) == []
    assert emulator_requests.v2(V2_FAILED) == []
    # Watching another minion (address) is another target: the marker does not hold it back.
    other = beacon_config(source_address=V2_DEPLOYED, _beacon_name="rc_restart")
    reconfigured = salt.loader.beacons(loaders.opts, loaders.modules, context={})
    assert [e["tag"] for e in reconfigured["rackconnect.beacon"](other)] == ["automation/deployed"]


def test_the_beacon_waits_through_deploying_at_the_cores_pace(beacons, emulator_control, emulator_requests) -> None:
    building = emulator_control(
        "servers",
        {
            "name": "beacon-building",
            "source_ip": "127.0.0.30",
            "automation": {"tasks": [{"name": RACKCONNECT_USER_TASK, "seconds": 36000}]},
        },
    )
    config = beacon_config(source_address="127.0.0.30", _beacon_name="rc_building")
    emulator_requests.clear()
    assert beacons["rackconnect.beacon"](config) == []  # DEPLOYING: nothing yet
    assert len(emulator_requests.v2("127.0.0.30")) == 1
    emulator_control(f"servers/{building['id']}/automation", {"outcome": "DEPLOYED", "finish_now": True})
    # Within the core's interval the beacon does not look, however often Salt calls it.
    assert beacons["rackconnect.beacon"](config) == []
    assert len(emulator_requests.v2("127.0.0.30")) == 1
    time.sleep(rackconnect.WATCH_INTERVAL + 0.5)
    events = beacons["rackconnect.beacon"](config)
    assert [e["tag"] for e in events] == ["automation/deployed"], events
    sent = [r["real_ms"] for r in emulator_requests.v2("127.0.0.30")]
    assert len(sent) == 2 and sent[1] - sent[0] >= rackconnect.WATCH_INTERVAL * 1000, sent


def test_the_beacon_watches_managed_operations_from_metadata(beacons) -> None:
    from conftest import DB_AUTH_ERROR, DB_BUILD_ERROR, WEB1

    for server, tag, ok in [
        (WEB1, "managed/complete", True),
        (DB_BUILD_ERROR, "managed/build_error", False),
        (DB_AUTH_ERROR, "managed/authentication_error", False),
    ]:
        config = beacon_config(automation=False, managed=True, server_id=server, _beacon_name="m" + server[:8])
        events = beacons["rackconnect.beacon"](config)
        assert [(e["tag"], e["ok"], e["server_id"]) for e in events] == [(tag, ok, server)], events


def test_a_beacon_without_v2_settings_fires_one_error_and_stops(loaders, emulator_requests) -> None:
    opts = dict(loaders.opts, rackconnect={"username": "demo"})
    beacons = salt.loader.beacons(opts, salt.loader.minion_mods(opts), context={})
    config = beacon_config(_beacon_name="rc_unset")
    events = beacons["rackconnect.beacon"](config)
    assert [e["tag"] for e in events] == ["error"], events
    assert "needs rackconnect:region (or rackconnect:v2_url)" in events[0]["error"], events
    assert beacons["rackconnect.beacon"](config) == []


def paths(requests):
    return [r["path"].split("?")[0] for r in requests]


def grain_funcs(opts):
    funcs = salt.loader.grain_funcs(opts)
    return lambda: funcs["rackconnect.rackconnect_v2"]()


def test_salt_loads_the_grains(loaders) -> None:
    grains = salt.loader.grains(loaders.opts, force_refresh=True)
    assert grains["rackconnect_automation_status"] == "DEPLOYED", {
        k: v for k, v in grains.items() if k.startswith("rackconnect")
    }


def test_grains_cost_at_most_one_v2_request_a_minute(loaders, emulator_requests) -> None:
    grains = grain_funcs(loaders.opts)
    cache = Path(loaders.opts["cachedir"]) / "rackconnect" / "grains.json"
    cache.unlink(missing_ok=True)
    emulator_requests.clear()
    assert grains() == {"rackconnect_automation_status": "DEPLOYED"}
    for _ in range(5):
        assert grains() == {"rackconnect_automation_status": "DEPLOYED"}
    assert paths(emulator_requests.v2(V2_DEPLOYED)) == ["/v1/automation_status"]
    # A minute later (the cache says so): one request, for the value asked longest ago.
    kept = json.loads(cache.read_text())
    kept["looked_at"] -= rackconnect.STATUS_CACHE_TTL
    cache.write_text(json.dumps(kept))
    assert grains() == {"rackconnect_automation_status": "DEPLOYED", "rackconnect_gateway_ip": "10.1.2.1"}
    assert grains() == {"rackconnect_automation_status": "DEPLOYED", "rackconnect_gateway_ip": "10.1.2.1"}
    assert paths(emulator_requests.v2(V2_DEPLOYED)) == ["/v1/automation_status", "/v1/gateway_ip"]


def test_grains_ask_nothing_without_v2_settings(loaders, emulator_requests) -> None:
    opts = dict(loaders.opts, rackconnect={"username": "demo", "api_key": "x"})
    emulator_requests.clear()
    assert grain_funcs(opts)() == {}
    assert emulator_requests.get()["requests"] == []


def test_grains_never_hold_up_a_minion_start(loaders) -> None:
    # A v2 that accepts connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                pass

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        url = "http://127.0.0.1:{}".format(silent.getsockname()[1])
        opts = dict(loaders.opts, rackconnect={"v2_url": url}, cachedir=loaders.opts["cachedir"] + "-silent")
        grains = grain_funcs(opts)
        started = time.monotonic()
        assert grains() == {}
        took = time.monotonic() - started
        assert took < rackconnect.QUICK_LOOK_TIMEOUT + 1.0, took
        assert accepted, "the grain did try v2"
        # The given-up look ends on its side thread (its request timeout, one retry) ...
        time.sleep(2 * rackconnect.QUICK_LOOK_TIMEOUT + 1.0)
        tried = len(accepted)
        # ... and within the minute a refresh does not try again: no wait, no connection.
        started = time.monotonic()
        assert grains() == {}
        assert time.monotonic() - started < 0.5
        time.sleep(0.5)
        assert len(accepted) == tried
    finally:
        stop.set()
        acceptor.join(2)
        for conn in accepted:
            conn.close()
        silent.close()
