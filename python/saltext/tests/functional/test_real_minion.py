"""A real master and minion (salt-factories daemons on free ports, in temporary directories,
torn down after): the minion's beacon loop fires one event per final status, which the master
receives, within the core's pace."""

from __future__ import annotations

import time

import pytest
import rackconnect
from saltfactories.utils import random_string

from conftest import V2_DEPLOYED, V2_FAILED, V2_UNPROCESSABLE, WEB1
from functional.conftest import demo_settings

BUILDING = "127.0.0.31"
RACKCONNECT_USER_TASK = 'Cloud Server Created: Add "rackconnect" user'


@pytest.fixture(scope="module")
def master(salt_factories):
    return salt_factories.salt_master_daemon(random_string("master-"), overrides={"interface": "127.0.0.1"})


def test_the_minions_beacon_fires_each_final_status_once(
    master, emulator_url, emulator_control, emulator_requests, event_listener
) -> None:
    building = emulator_control(
        "servers",
        {
            "name": "minion-building",
            "source_ip": BUILDING,
            "automation": {"tasks": [{"name": RACKCONNECT_USER_TASK, "seconds": 36000}]},
        },
    )

    def watch(source):
        return [{"beacon_module": "rackconnect"}, {"source_address": source}]

    minion = master.salt_minion_daemon(
        random_string("minion-"),
        overrides={
            "rackconnect": demo_settings(emulator_url),
            "beacons": {
                "rc_deployed": watch(V2_DEPLOYED),
                "rc_failed": watch(V2_FAILED),
                "rc_unprocessable": watch(V2_UNPROCESSABLE),
                "rc_building": watch(BUILDING),
                "rc_managed": [
                    {"beacon_module": "rackconnect"},
                    {"automation": False},
                    {"managed": True},
                    {"server_id": WEB1},
                ],
            },
        },
    )
    prefix = f"salt/beacon/{minion.id}"
    finals = {
        f"{prefix}/rc_deployed/automation/deployed": True,
        f"{prefix}/rc_failed/automation/failed": False,
        f"{prefix}/rc_unprocessable/automation/unprocessable": True,
        f"{prefix}/rc_managed/managed/complete": True,
    }
    emulator_requests.clear()
    started = time.time()
    with master.started(start_timeout=120), minion.started(start_timeout=120):
        seen = event_listener.wait_for_events(
            [(master.id, tag) for tag in finals], after_time=started, timeout=60
        )
        assert seen.found_all_events, seen.missed
        for event in seen.matches:
            assert event.data["ok"] is finals[event.tag], event
            assert event.data["id"] == minion.id, event
        failed = next(e for e in seen.matches if e.tag.endswith("/failed"))
        assert RACKCONNECT_USER_TASK in failed.data["reason"], failed

        # The server still building: looked at, no event; then it ends, and the event follows.
        assert emulator_requests.v2(BUILDING), "the beacon looked at the building server"
        finished = time.time()
        emulator_control(f"servers/{building['id']}/automation", {"outcome": "DEPLOYED", "finish_now": True})
        done = event_listener.wait_for_events(
            [(master.id, f"{prefix}/rc_building/automation/deployed")],
            after_time=finished,
            timeout=rackconnect.WATCH_INTERVAL + 15,
        )
        assert done.found_all_events, done.missed

        # Once: another interval later, no event repeats and no final server is asked again.
        asked = {source: len(emulator_requests.v2(source)) for source in (V2_DEPLOYED, V2_FAILED, BUILDING)}
        time.sleep(rackconnect.WATCH_INTERVAL + 2)
        assert {source: len(emulator_requests.v2(source)) for source in asked} == asked
        fired = event_listener.get_events([(master.id, f"{prefix}/*")], after_time=started)
        tags = sorted(e.tag for e in fired)
        assert tags == sorted(list(finals) + [f"{prefix}/rc_building/automation/deployed"]), tags

    # The pace: the building server was asked at most once per the core's interval.
    sent = [r["real_ms"] for r in emulator_requests.v2(BUILDING)]
    assert all(b - a >= rackconnect.WATCH_INTERVAL * 1000 - 50 for a, b in zip(sent, sent[1:])), sent
