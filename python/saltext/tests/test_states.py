"""The state module ``rackconnect``, applied with ``salt-call --local state.apply`` from sls files:
first run changes, second run changes nothing, ``test=True`` changes nothing, failures read
clearly and never show a secret."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from conftest import (
    API_POOL,
    DB_BUILD_ERROR,
    MISSING_POOL,
    SECRET,
    UNMANAGED,
    V2_FAILED,
    V2_UNPROCESSABLE,
    WEB1,
    WEB_POOL,
    Salt,
)

WEB_ADD_FAILS = "00000008-cccc-4ccc-8ccc-000000000008"  # v3 adds end ADD_FAILED
SLOW_BUILD_V2 = "127.0.0.20"  # a server the test builds, whose automation takes 10 emulated hours


def api_pool_members(salt: Salt) -> List[str]:
    nodes = salt("rackconnect.list_nodes", API_POOL).data
    return sorted(n["cloud_server"]["id"].lower() for n in nodes if n["status"] != "REMOVING")


def public_ips(salt: Salt, server: str) -> List[str]:
    return [ip["id"] for ip in salt("rackconnect.list_public_ips", f"server_id={server}").data]


def assert_all(states: Dict[str, dict], result, changed: bool) -> None:
    for sid, ret in states.items():
        assert ret["result"] is result, (sid, ret)
        assert bool(ret["changes"]) is changed, (sid, ret)


def test_pool_members_and_public_ip_converge(salt: Salt, sls) -> None:
    present = sls(
        "rc_present",
        f"""\
        api_pool_members:
          rackconnect.pool_member_present:
            - servers:
              - {UNMANAGED}
              - {DB_BUILD_ERROR}
            - pools:
              - {API_POOL}
            - timeout: 120

        db_build_error_public_ip:
          rackconnect.public_ip_present:
            - name: {DB_BUILD_ERROR}
            - timeout: 120
        """,
    )
    absent = sls(
        "rc_absent",
        f"""\
        api_pool_members_gone:
          rackconnect.pool_member_absent:
            - servers: {UNMANAGED},{DB_BUILD_ERROR}
            - pools: {API_POOL}
            - timeout: 120

        db_build_error_public_ip_gone:
          rackconnect.public_ip_absent:
            - name: {DB_BUILD_ERROR}
            - timeout: 120
        """,
    )
    members = sorted([UNMANAGED, DB_BUILD_ERROR])
    assert api_pool_members(salt) == []

    # test=True: planned changes, result None, and nothing changed.
    planned = salt("state.apply", present, "test=True").states()
    assert_all(planned, None, True)
    assert len(planned["api_pool_members"]["changes"]["added"]) == 2, planned
    assert "Would add 2" in planned["api_pool_members"]["comment"], planned
    assert planned["db_build_error_public_ip"]["changes"]["action"] == "create", planned
    assert api_pool_members(salt) == [] and public_ips(salt, DB_BUILD_ERROR) == []

    first = salt("state.apply", present).states()
    assert_all(first, True, True)
    address = first["db_build_error_public_ip"]["changes"]["public_ip_v4"]
    assert address.startswith("198.18."), first
    assert address in first["db_build_error_public_ip"]["comment"], first
    second = salt("state.apply", present).states()
    assert_all(second, True, False)
    assert all("nothing to change" in ret["comment"] for ret in second.values()), second
    assert api_pool_members(salt) == members
    assert len(public_ips(salt, DB_BUILD_ERROR)) == 1

    planned_removal = salt("state.apply", absent, "test=True").states()
    assert_all(planned_removal, None, True)
    assert api_pool_members(salt) == members and len(public_ips(salt, DB_BUILD_ERROR)) == 1

    removed = salt("state.apply", absent).states()
    assert_all(removed, True, True)
    assert len(removed["api_pool_members_gone"]["changes"]["removed"]) == 2, removed
    # The IP is named by its address in the test run and in the real run alike.
    would, gone = planned_removal["db_build_error_public_ip_gone"], removed["db_build_error_public_ip_gone"]
    assert would["comment"] == f"Would remove the public IP {address} of server {DB_BUILD_ERROR}.", would
    assert gone["comment"] == f"Removed the public IP {address} of server {DB_BUILD_ERROR}.", gone
    assert would["changes"]["public_ip_v4"] == gone["changes"]["public_ip_v4"] == address, (would, gone)
    again = salt("state.apply", absent).states()
    assert_all(again, True, False)
    assert api_pool_members(salt) == [] and public_ips(salt, DB_BUILD_ERROR) == []


def test_pools_are_named_as_people_know_them(salt: Salt, sls) -> None:
    named = sls(
        "rc_named",
        f"""\
        named_members:
          rackconnect.pool_member_present:
            - servers: unmanaged
            - pools: dfw-api-443
        """,
    )
    planned = salt("state.apply", named, "test=True").states()["named_members"]
    assert f"unmanaged ({UNMANAGED}) in dfw-api-443 ({API_POOL})" in planned["comment"], planned

    by_name = salt("rackconnect.list_nodes", "dfw-web-80").data
    assert by_name and by_name == salt("rackconnect.list_nodes", WEB_POOL).data, by_name
    unknown = salt("rackconnect.list_nodes", "no-such-pool", ok=False)
    assert "dfw-web-80" in unknown.stderr, unknown
    # Servers too, where only one has the name.
    assert salt("rackconnect.list_public_ips", "server_id=web1").data == salt(
        "rackconnect.list_public_ips", f"server_id={WEB1}"
    ).data


def test_public_ip_unassigned_keeps_the_retained_ip(salt: Salt, sls) -> None:
    web2 = "00000002-cccc-4ccc-8ccc-000000000002"
    retained = sls(
        "rc_retained",
        f"""\
        web2_retained_ip:
          rackconnect.public_ip_present:
            - name: {web2}
            - retain: True
            - timeout: 120
        """,
    )
    unassigned = sls(
        "rc_unassigned",
        f"""\
        web2_keeps_no_ip:
          rackconnect.public_ip_unassigned:
            - name: {web2}
            - timeout: 120
        """,
    )
    created = salt("state.apply", retained).states()
    assert_all(created, True, True)
    ip_id = created["web2_retained_ip"]["changes"]["id"]

    planned = salt("state.apply", unassigned, "test=True").states()
    assert_all(planned, None, True)
    assert planned["web2_keeps_no_ip"]["changes"]["action"] == "unassign", planned
    assert "Would unassign" in planned["web2_keeps_no_ip"]["comment"], planned
    assert public_ips(salt, web2) == [ip_id]

    done = salt("state.apply", unassigned).states()
    assert_all(done, True, True)
    assert "Unassigned" in done["web2_keeps_no_ip"]["comment"], done
    assert public_ips(salt, web2) == []
    kept = [ip for ip in salt("rackconnect.list_public_ips", "retain=True").data if ip["id"] == ip_id]
    assert kept and kept[0]["cloud_server"] is None, kept
    again = salt("state.apply", unassigned).states()
    assert_all(again, True, False)


def test_automation_deployed(salt: Salt, sls, emulator_control) -> None:
    slow = emulator_control(
        "servers",
        {
            "name": "salt-slow-build",
            "source_ip": SLOW_BUILD_V2,
            "automation": {"tasks": [{"name": "Cloud Server Created: Add \"rackconnect\" user", "seconds": 36000}]},
        },
    )
    waits = sls(
        "rc_automation",
        f"""\
        this_minion:
          rackconnect.automation_deployed: []

        web1_with_managed_operations:
          rackconnect.automation_deployed:
            - server_id: {WEB1}
            - managed: True

        unprocessable:
          rackconnect.automation_deployed:
            - source_address: {V2_UNPROCESSABLE}

        slow_build_v2:
          rackconnect.automation_deployed:
            - source_address: {SLOW_BUILD_V2}
            - timeout: 3

        slow_build_metadata:
          rackconnect.automation_deployed:
            - server_id: {slow["id"]}
            - timeout: 3

        failed_minion:
          rackconnect.automation_deployed:
            - source_address: {V2_FAILED}

        managed_build_error:
          rackconnect.automation_deployed:
            - server_id: {DB_BUILD_ERROR}
            - managed: True
        """,
    )
    expected = {
        "this_minion": True,
        "web1_with_managed_operations": True,
        "unprocessable": True,
        "slow_build_v2": False,
        "slow_build_metadata": False,
        "failed_minion": False,
        "managed_build_error": False,
    }
    # test=True looks once and waits for nothing: the slow build "would wait".
    preview = salt("state.apply", waits, "test=True", ok=False).states()
    assert {sid: ret["result"] for sid, ret in preview.items()} == dict(
        expected, slow_build_v2=None, slow_build_metadata=None
    ), preview
    assert "Would wait" in preview["slow_build_v2"]["comment"], preview

    for _ in range(2):  # waiting changes nothing, so a second run reads the same
        run = salt("state.apply", waits, ok=False).states()
        assert {sid: ret["result"] for sid, ret in run.items()} == expected, run
        assert all(ret["changes"] == {} for ret in run.values()), run
    assert "198.51.100.101" in run["web1_with_managed_operations"]["comment"], run
    assert run["unprocessable"]["warnings"] and "UNPROCESSABLE" in run["unprocessable"]["comment"], run
    assert 'Add "rackconnect" user' in run["failed_minion"]["comment"], run
    assert "Build Error" in run["managed_build_error"]["comment"], run
    assert "timed out after " in run["slow_build_v2"]["comment"], run
    assert "the last status seen was DEPLOYING" in run["slow_build_v2"]["comment"], run
    assert "timed out" in run["slow_build_metadata"]["comment"], run


def test_failures_read_clearly_and_leak_no_secret(
    salt: Salt, sls, config_variant, emulator_url: str, work: Path
) -> None:
    failures = sls(
        "rc_failures",
        f"""\
        wrong_key:
          rackconnect.pool_member_present:
            - name: {UNMANAGED}
            - pools: {WEB_POOL}
            - api_key: {SECRET}

        missing_pool:
          rackconnect.pool_member_present:
            - name: {UNMANAGED}
            - pools: {MISSING_POOL}

        add_fails:
          rackconnect.pool_member_present:
            - name: {WEB_ADD_FAILS}
            - pools: {WEB_POOL}
            - timeout: 120

        misspelt_argument:
          rackconnect.public_ip_present:
            - name: {UNMANAGED}
            - retian: True

        unknown_server:
          rackconnect.public_ip_present:
            - name: 0000dead-cccc-4ccc-8ccc-00000000dead
            - timeout: 600

        escape_in_pool_name:
          rackconnect.pool_member_present:
            - name: {UNMANAGED}
            - pools: "web\\e[2J\\e]0;PWNED\\a"
        """,
    )
    run = salt("state.apply", failures, ok=False)
    states = run.states()
    assert all(ret["result"] is False for ret in states.values()), states
    assert "401 unauthorized" in states["wrong_key"]["comment"], states
    assert "api_key" in states["wrong_key"]["comment"], states  # the hint says what to check
    assert f"Load Balancer Pool {MISSING_POOL} does not exist" in states["missing_pool"]["comment"], states
    assert "ADD_FAILED" in states["add_fails"]["comment"], states
    assert "Unable to communicate with network device" in states["add_fails"]["comment"], states
    assert states["add_fails"]["changes"]["added"], states  # the node was added, then failed
    assert "unknown argument(s): retian" in states["misspelt_argument"]["comment"], states
    unknown = "server 0000dead-cccc-4ccc-8ccc-00000000dead not found in region DFW"
    assert unknown in states["unknown_server"]["comment"], states
    # A dry run says so too, instead of planning a change.
    planned = salt("rackconnect.ensure_public_ip", "0000dead-cccc-4ccc-8ccc-00000000dead", "dry_run=True", ok=False).data
    assert planned["outcome"] == "failed" and planned["changed"] is False and unknown in planned["summary"], planned
    waited = salt("rackconnect.server_wait", "0000dead-cccc-4ccc-8ccc-00000000dead", ok=None)
    assert unknown in waited.output, waited
    escaped = states["escape_in_pool_name"]["comment"]
    assert "web\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}" in escaped and "\x1b" not in escaped, states
    assert SECRET not in run.output

    # The wrong key on the command line: a one-line error, exit 1.
    cli = salt("rackconnect.list_pools", f"api_key={SECRET}", ok=False)
    assert "Error running 'rackconnect.list_pools': RackConnect: HTTP 401 unauthorized" in cli.stderr, cli
    assert SECRET not in cli.output

    # A bad argument is named.
    bad = salt("rackconnect.wait", "timeout=soon", ok=False)
    assert "timeout must be a number of seconds, not 'soon'" in bad.stderr, bad

    # The wrong key in the minion configuration, where keys usually live.
    wrong = config_variant(
        "conf-wrong-key",
        f"""\
        identity_url: {emulator_url}
        username: demo
        api_key: {SECRET}
        region: DFW
        """,
    )
    waited = wrong("rackconnect.server_wait", WEB1, ok=False)
    assert "401 unauthorized" in waited.stderr, waited
    assert SECRET not in waited.output
    logs = list(work.glob("*/minion.log")) + list(work.glob("*/root/minion.log"))
    assert logs
    for log in logs:
        assert SECRET not in log.read_text(errors="replace"), log
