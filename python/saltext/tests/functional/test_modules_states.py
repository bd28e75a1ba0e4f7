"""The execution and state modules through Salt's loaders (salt-factories ``Loaders``): the
lists, and the states under ``test=True``."""

from __future__ import annotations

import pytest
from conftest import API_POOL, UNMANAGED, V2_DEPLOYED, WEB1, WEB_POOL


def test_list_servers_shows_each_servers_rackconnect_status(modules) -> None:
    servers = {s["id"]: s for s in modules.rackconnect.list_servers()}
    assert servers[WEB1]["name"] == "web1", servers[WEB1]
    assert servers[WEB1]["rackconnect"]["automation_status"] == "DEPLOYED", servers[WEB1]
    assert servers[WEB1]["access_ipv4"] == "198.51.100.101", servers[WEB1]
    # Only DFW's servers: the configured region.
    assert all(s["name"] not in ("app-unprocessable", "lon-web1") for s in servers.values()), sorted(
        s["name"] for s in servers.values()
    )


def test_list_node_details_shows_each_members_server_and_pool(modules) -> None:
    details = modules.rackconnect.list_node_details(WEB_POOL)
    by_server = {d["cloud_server"]["id"].lower(): d for d in details}
    assert WEB1 in by_server, details
    assert by_server[WEB1]["cloud_server"]["name"] == "web1", by_server[WEB1]
    assert by_server[WEB1]["load_balancer_pool"]["id"].lower() == WEB_POOL, by_server[WEB1]


def test_every_list_of_the_python_session_is_a_function() -> None:
    import rackconnect

    lists = {name for name in dir(rackconnect.Session) if name.startswith("list_")}
    from saltext.rackconnect.modules import rackconnect_mod

    assert lists and lists <= set(dir(rackconnect_mod)), sorted(lists - set(dir(rackconnect_mod)))


def test_pool_member_present_with_test_true_plans_and_changes_nothing(states, modules) -> None:
    before = modules.rackconnect.list_nodes(API_POOL)
    ret = states.rackconnect.pool_member_present(name=UNMANAGED, pools=[API_POOL], test=True)
    assert ret.result is None, ret
    assert [p["server_id"].lower() for p in ret.changes["added"]] == [UNMANAGED], ret
    assert "Would add 1 membership" in ret.comment, ret
    assert modules.rackconnect.list_nodes(API_POOL) == before


def test_public_ip_present_with_test_true_says_what_it_would_create(states, modules) -> None:
    ret = states.rackconnect.public_ip_present(name=UNMANAGED, retain=True, test=True)
    assert ret.result is None and ret.changes["action"] == "create", ret
    assert "Would give server" in ret.comment, ret
    assert modules.rackconnect.list_public_ips(server_id=UNMANAGED) == []


def test_automation_deployed_with_test_true_looks_once(states, emulator_requests) -> None:
    emulator_requests.clear()
    ret = states.rackconnect.automation_deployed(name="this minion", test=True)
    assert ret.result is True, ret
    assert len(emulator_requests.v2(V2_DEPLOYED)) == 1, emulator_requests.v2(V2_DEPLOYED)


def test_a_state_with_a_bad_argument_type_fails_with_the_argument_named(states) -> None:
    ret = states.rackconnect.pool_member_present(name=UNMANAGED, pools=[API_POOL], wait="no", test=True)
    assert ret.result is False and "wait must be True or False, got a string" in ret.comment, ret
