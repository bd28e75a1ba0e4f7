"""A pytest suite that uses nothing but the wheel: the ``rackconnect_emulator`` fixtures, found
through the wheel's ``pytest11`` entry point (no conftest, no plugin named on the command line).

``test_emulator.py`` copies it into an empty folder as ``test_suite.py`` and runs pytest there in a
subprocess, so that what is tested is what a user who ran ``pip install rackconnect`` gets. (Its
name keeps it out of the main run's collection.)
"""

from __future__ import annotations

from typing import List

import pytest

import rackconnect
from rackconnect.testing import ControlError, Emulator, EmulatorFactory

SEEN: List[Emulator] = []


def test_the_demo_account_signs_in_and_lists_its_pools(rackconnect_emulator: Emulator) -> None:
    SEEN.append(rackconnect_emulator)
    assert rackconnect_emulator.url.startswith("http://127.0.0.1:")
    assert (rackconnect_emulator.username, rackconnect_emulator.tenant_id) == ("demo", "123456")
    session = rackconnect_emulator.session()
    assert {"dfw-web-80", "dfw-api-443"} <= {pool["name"] for pool in session.list_pools()}


def test_each_test_gets_an_emulator_of_its_own(rackconnect_emulator: Emulator) -> None:
    # The previous test's is stopped, and this one starts from the scenario.
    assert SEEN and not SEEN[0].running
    assert rackconnect_emulator.running and rackconnect_emulator.url != SEEN[0].url
    assert rackconnect_emulator.requests()["requests"] == []


@pytest.mark.rackconnect_emulator(clock_speed=60)
def test_a_server_being_built_is_waited_for_at_60x(rackconnect_emulator: Emulator) -> None:
    # web2's automation takes two emulated minutes: two seconds here.
    done = rackconnect_emulator.session().wait_server("web2", timeout=600)
    assert done["outcome"] == "done", done
    assert rackconnect_emulator.clock()["speed"] == 60


def test_an_outcome_set_by_hand_ends_a_v2_wait(rackconnect_emulator: Emulator) -> None:
    state = rackconnect_emulator.set_automation("web2", outcome="FAILED", failed_task=1, finish_now=True)
    assert state["automation_status"] == "FAILED"
    failed = rackconnect_emulator.v2("web2").wait(timeout=60)
    assert failed["outcome"] == "failed" and not failed["ok"], failed


def test_a_server_built_now_and_the_clock_moved_on(rackconnect_emulator: Emulator) -> None:
    built = rackconnect_emulator.build_server(name="ci-1", source_ip="127.0.0.50")
    assert rackconnect_emulator.v2("ci-1").status() == {"outcome": "answer", "value": "DEPLOYING"}
    before = rackconnect_emulator.clock()["now_ms"]
    assert rackconnect_emulator.advance(3600)["now_ms"] >= before + 3_600_000
    assert rackconnect_emulator.v2(built["id"]).status() == {"outcome": "answer", "value": "DEPLOYED"}
    with pytest.raises(ControlError) as refused:
        rackconnect_emulator.advance(-1)
    assert refused.value.status == 400 and "advance_seconds" in str(refused.value)


def test_an_injected_503_is_retried_by_the_core_and_logged(rackconnect_emulator: Emulator) -> None:
    rackconnect_emulator.inject_fault("status", status=503, path_prefix="/rackconnect/")
    assert rackconnect_emulator.faults()[0]["status"] == 503
    assert rackconnect_emulator.session().list_pools()
    pools = [r for r in rackconnect_emulator.requests()["requests"] if r["path"].startswith("/rackconnect/")]
    assert [(r["status"], r["fault"]) for r in pools] == [(503, "status"), (200, None)]


def test_a_reset_gives_back_the_scenario(rackconnect_emulator: Emulator) -> None:
    start = rackconnect_emulator.summary()
    rackconnect_emulator.build_server(name="extra")
    rackconnect_emulator.delete_server("web1")
    rackconnect_emulator.inject_fault("reset", count=3)
    after = rackconnect_emulator.reset()
    assert [s["name"] for s in after["servers"]] == [s["name"] for s in start["servers"]]
    assert after["faults"] == [] and after["requests_logged"] == 0


@pytest.mark.rackconnect_emulator("fleet", clock_speed=120)
def test_a_built_in_scenario_by_name(rackconnect_emulator: Emulator) -> None:
    assert (rackconnect_emulator.username, rackconnect_emulator.region) == ("fleet", "ORD")
    assert len(rackconnect_emulator.summary()["servers"]) == 10
    assert rackconnect_emulator.session().list_pools()


@pytest.mark.rackconnect_emulator(
    {
        "accounts": [
            {
                "tenant": "9",
                "rackconnect_v3_regions": ["IAD"],
                "users": [{"username": "ci", "api_key": "ci-key", "default_region": "IAD"}],
            }
        ]
    }
)
def test_a_scenario_given_as_a_dict(rackconnect_emulator: Emulator) -> None:
    assert (rackconnect_emulator.username, rackconnect_emulator.tenant_id) == ("ci", "9")
    assert rackconnect_emulator.session().list_pools() == []


def test_the_factory_starts_several(rackconnect_emulator_factory: EmulatorFactory) -> None:
    demo = rackconnect_emulator_factory()
    failing = rackconnect_emulator_factory("failing-automation", clock_speed=30)
    assert demo.url != failing.url and failing.username == "ci"
    assert rackconnect_emulator_factory is not None and isinstance(demo.session(), rackconnect.Session)
