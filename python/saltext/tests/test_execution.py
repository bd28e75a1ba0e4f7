"""The execution module ``rackconnect``, called as ``salt-call --local rackconnect.FUNCTION``."""

from __future__ import annotations

from typing import List

from conftest import (
    API_POOL,
    APP_FAILED,
    DB_AUTH_ERROR,
    DB_BUILD_ERROR,
    UNMANAGED,
    V2_DEPLOYED,
    V2_FAILED,
    V2_UNPROCESSABLE,
    WEB1,
    WEB_POOL,
    Salt,
)

RACKCONNECT_USER_TASK = 'Cloud Server Created: Add "rackconnect" user'


def node_servers(salt: Salt, pool: str) -> List[str]:
    return sorted(n["cloud_server"]["id"].lower() for n in salt("rackconnect.list_nodes", pool).data)


def test_v2_answers_about_the_minion_itself(salt: Salt) -> None:
    # The configured source_address is web1's: DEPLOYED, with a gateway.
    assert salt("rackconnect.status").data == "DEPLOYED"
    details = salt("rackconnect.details").data
    assert details["automation_status"] == "DEPLOYED", details
    assert details["tasks"] and all(t["status"] == "COMPLETE" for t in details["tasks"]), details
    assert salt("rackconnect.gateway_ip").data == "10.1.2.1"
    features = salt("rackconnect.features").data["features"]
    assert {f["name"]: f["status"] for f in features} == {
        "configure_network_stack": "ENABLED",
        "manage_software_firewall": "ENABLED",
        "provision_public_ip": "ENABLED",
    }, features
    # Another minion (source address): FAILED, and no gateway assigned.
    assert salt("rackconnect.status", f"source_address={V2_FAILED}").data == "FAILED"
    assert salt("rackconnect.gateway_ip", f"source_address={V2_FAILED}").data is None


def test_v2_wait_deployed_failed_and_not_applicable(salt: Salt) -> None:
    deployed = salt("rackconnect.wait", "timeout=60").data
    assert deployed["outcome"] == "done" and deployed["status"] == "DEPLOYED", deployed
    assert deployed["success"] is True

    # FAILED ends the wait at once, names the task, and makes salt-call exit 1.
    failed = salt("rackconnect.wait", f"source_address={V2_FAILED}", "timeout=60", ok=False)
    assert failed.data["outcome"] == "failed" and failed.data["success"] is False, failed
    assert RACKCONNECT_USER_TASK in failed.data["reason"], failed
    assert any(t["status"] == "FAILED" for t in failed.data["tasks"]), failed

    # UNPROCESSABLE: success by default, a failure when asked.
    na = salt("rackconnect.wait", f"source_address={V2_UNPROCESSABLE}").data
    assert na["outcome"] == "not_applicable" and na["success"] is True, na
    strict = salt(
        "rackconnect.wait", f"source_address={V2_UNPROCESSABLE}", "not_applicable_ok=False", ok=False
    )
    assert strict.data["outcome"] == "not_applicable" and strict.data["success"] is False


def test_server_wait_and_show_from_metadata(salt: Salt) -> None:
    done = salt("rackconnect.server_wait", WEB1, "managed=True", "timeout=60").data
    assert done["outcome"] == "done" and done["success"] is True, done
    # The RackConnect address, not the original public one.
    assert done["reachable_ipv4"] == "198.51.100.101", done

    failed = salt("rackconnect.server_wait", APP_FAILED, "timeout=60", ok=False).data
    assert failed["outcome"] == "failed" and failed["status"] == "FAILED", failed

    # RackConnect DEPLOYED, then Managed Operations ends with Build Error: a failure.
    build_error = salt(
        "rackconnect.server_wait", DB_BUILD_ERROR, "managed=True", "timeout=60", ok=False
    ).data
    assert build_error["outcome"] == "failed" and "Build Error" in build_error["status"], build_error

    shown = salt("rackconnect.server_show", WEB1).data
    assert shown["id"] == WEB1 and shown["rackconnect"]["automation_status"] == "DEPLOYED", shown
    assert shown["rackconnect"]["managed_status"] == "Complete", shown


def test_wait_servers_ends_each_server_of_a_batch_on_its_own_status(salt: Salt, emulator_control) -> None:
    # The batch, built now: DEPLOYED (then Managed Complete), FAILED, UNPROCESSABLE, and
    # a Managed Build Error.
    batch = {
        "salt-batch-ok": {},
        "salt-batch-failed": {"automation": {"outcome": "FAILED", "failed_task": 1}},
        "salt-batch-unprocessable": {"automation": {"outcome": "UNPROCESSABLE", "unprocessable_reason": "wrong region"}},
        "salt-batch-managed-error": {"managed": {"outcome": "Build Error"}},
    }
    for name, spec in batch.items():
        emulator_control("servers", {"name": name, "region": "DFW", **spec})
    waited = salt(
        "rackconnect.wait_servers", "servers=" + ",".join(batch), "managed=True", "timeout=120", ok=False
    ).data
    assert waited["success"] is False and waited["outcome"] == "failed", waited
    assert {s["name"]: s["outcome"] for s in waited["servers"]} == {
        "salt-batch-ok": "done",
        "salt-batch-failed": "failed",
        "salt-batch-unprocessable": "not_applicable",
        "salt-batch-managed-error": "failed",
    }, waited
    assert waited["summary"].startswith("FAILED: 4 servers: 1 done, 2 FAILED, 1 not applicable; "), waited
    ok = next(s for s in waited["servers"] if s["name"] == "salt-batch-ok")
    assert ok["reachable_ip"].startswith("198.51.100."), ok
    # The batch without its failures ends well; not applicable counts unless told otherwise.
    fine = salt("rackconnect.wait_servers", "servers=salt-batch-ok,salt-batch-unprocessable", "timeout=60").data
    assert fine["success"] is True and fine["outcome"] == "not_applicable", fine
    strict = salt(
        "rackconnect.wait_servers", "servers=salt-batch-ok,salt-batch-unprocessable", "not_applicable_ok=False", ok=False
    ).data
    assert strict["success"] is False, strict
    neither = salt("rackconnect.wait_servers", ok=False)
    assert "the servers to wait for (servers) or a window (built_within)" in neither.output, neither
    assert 'found "neither"' in neither.output, neither
    both = salt("rackconnect.wait_servers", "servers=salt-batch-ok", "built_within=60", ok=False)
    assert "not both" in both.output and 'found "both"' in both.output, both


def test_v3_lists(salt: Salt) -> None:
    networks = salt("rackconnect.list_networks").data
    assert {n["name"] for n in networks} == {"dfw-app-net", "dfw-db-net"}, networks
    pools = salt("rackconnect.list_pools").data
    assert {WEB_POOL, API_POOL} <= {p["id"] for p in pools}, pools
    assert WEB1 in node_servers(salt, WEB_POOL)
    ips = salt("rackconnect.list_public_ips", f"server_id={WEB1}").data
    assert [ip["public_ip_v4"] for ip in ips] == ["198.51.100.101"], ips
    retained = salt("rackconnect.list_public_ips", "retain=True").data
    assert [ip["public_ip_v4"] for ip in retained] == ["198.51.100.150"], retained
    # Another region, by argument.
    iad = salt("rackconnect.list_networks", "region=iad").data
    assert [n["name"] for n in iad] == ["iad-app-net"], iad


def test_credentials_from_pillar(config_variant, emulator_url: str) -> None:
    # No rackconnect: in the minion configuration; a password instead of the API key.
    pillar_only = config_variant(
        "conf-pillar",
        None,
        pillar=f"""\
            rackconnect:
              identity_url: {emulator_url}
              username: demo
              password: demo-password
              region: DFW
            """,
    )
    pools = pillar_only("rackconnect.list_pools").data
    assert {WEB_POOL, API_POOL} <= {p["id"] for p in pools}, pools


def test_ensure_pool_members_plans_converges_and_removes(salt: Salt) -> None:
    members = f"servers={DB_AUTH_ERROR}", f"pools={API_POOL}"
    planned = salt("rackconnect.ensure_pool_members", *members, "dry_run=True").data
    assert planned["outcome"] == "done" and planned["changed"] is True, planned
    assert [p["server_id"] for p in planned["plan"]["add"]] == [DB_AUTH_ERROR], planned
    assert DB_AUTH_ERROR not in node_servers(salt, API_POOL)  # a dry run changes nothing

    added = salt("rackconnect.ensure_pool_members", *members, "timeout=120").data
    assert added["outcome"] == "done" and added["changed"] is True and added["added"], added
    again = salt("rackconnect.ensure_pool_members", *members).data
    assert again["changed"] is False and again["plan"]["unchanged"], again
    assert DB_AUTH_ERROR in node_servers(salt, API_POOL)

    removed = salt("rackconnect.ensure_pool_members", *members, "present=False", "timeout=120").data
    assert removed["outcome"] == "done" and removed["removed"], removed
    assert DB_AUTH_ERROR not in node_servers(salt, API_POOL)


def test_ensure_public_ip_plans_then_creates_once(salt: Salt) -> None:
    planned = salt("rackconnect.ensure_public_ip", UNMANAGED, "dry_run=True").data
    assert planned["plan"]["action"] == "create" and planned["changed"] is True, planned
    assert salt("rackconnect.list_public_ips", f"server_id={UNMANAGED}").data == []

    created = salt("rackconnect.ensure_public_ip", UNMANAGED, "timeout=120").data
    assert created["outcome"] == "done" and created["changed"] is True, created
    assert created["public_ip"]["public_ip_v4"].startswith("198.18."), created
    again = salt("rackconnect.ensure_public_ip", UNMANAGED).data
    assert again["changed"] is False and again["plan"]["action"] == "none", again
