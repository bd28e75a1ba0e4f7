"""The blocking clients (``Session``, ``wait_v2``) against a real emulator process on 127.0.0.1.

The emulator binary is ``$RACKCONNECT_EMULATOR``, else ``<repo>/target/debug/rackconnect-emulator``
(``cargo build -p rackconnect-emulator``); without it these tests are skipped, unless
``$RACKCONNECT_EMULATOR`` names it (as ``scripts/test`` does): then a missing binary is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

import pytest

import rackconnect

from rackconnect import (
    InvalidInputError,
    RackConnectError,
    Session,
    UnauthorizedError,
    V2,
    wait_v2,
)

if TYPE_CHECKING:
    from rackconnect.types import ProgressEvent, Request

REPO = Path(__file__).resolve().parent.parent.parent
WEB1 = "00000001-cccc-4ccc-8ccc-000000000001"
WEB2 = "00000002-cccc-4ccc-8ccc-000000000002"
BUILD_ERROR = "00000005-cccc-4ccc-8ccc-000000000005"
AUTH_ERROR = "00000006-cccc-4ccc-8ccc-000000000006"
UNMANAGED = "0000000a-cccc-4ccc-8ccc-00000000000a"
DFW_API_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000002"
SECRET = "sekrit-0123-not-the-key"


@contextlib.contextmanager
def running_emulator(*args: str) -> Iterator[str]:
    """A separate emulator process (``args`` after ``--listen``), its URL."""
    binary = Path(
        os.environ.get("RACKCONNECT_EMULATOR")
        or REPO / "target" / "debug" / "rackconnect-emulator"
    )
    if not binary.is_file():
        if os.environ.get("RACKCONNECT_EMULATOR"):
            pytest.fail(f"RACKCONNECT_EMULATOR names {binary}, which does not exist")
        pytest.skip(
            f"no emulator at {binary}: run `cargo build -p rackconnect-emulator` "
            "or set RACKCONNECT_EMULATOR"
        )
    proc = subprocess.Popen(
        [str(binary), "--listen", "127.0.0.1:0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "listening on "
        assert line.startswith(prefix), f"unexpected first line: {line!r}"
        yield line[len(prefix) :]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    with running_emulator("--clock-speed", "60") as url:
        yield url


def control(url: str, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
    """A call to the emulator's control API (``/__emulator/…``), its JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + "/__emulator/" + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def build_batch(url: str) -> Dict[str, str]:
    """The batch the issue describes, built now: DEPLOYED (then Managed Complete), FAILED,
    UNPROCESSABLE, and a Managed Build Error; their ids by name."""
    specs: Dict[str, Dict[str, Any]] = {
        "batch-ok": {},
        "batch-failed": {"automation": {"outcome": "FAILED", "failed_task": 1}},
        "batch-unprocessable": {"automation": {"outcome": "UNPROCESSABLE", "unprocessable_reason": "built in the wrong region"}},
        "batch-managed-error": {"managed": {"outcome": "Build Error"}},
    }
    return {
        name: control(url, "POST", "servers", {"name": name, "region": "DFW", **spec})["id"]
        for name, spec in specs.items()
    }


@pytest.fixture(scope="module")
def session(emulator_url: str) -> Session:
    return Session(
        emulator_url,
        username="demo",
        api_key="demo-api-key",
        region="DFW",
        tenant="123456",
    )


def node_servers(session: Session, pool: str) -> List[str]:
    return sorted(n["cloud_server"]["id"] for n in session.list_nodes(pool))


def test_list_pools_and_servers(session: Session) -> None:
    pools = session.list_pools()
    assert len(pools) == 3
    assert all(isinstance(p, dict) and p["id"] for p in pools)
    servers = session.list_servers()
    ids = {s["id"] for s in servers}
    assert {WEB1, WEB2, UNMANAGED} <= ids
    shown = session.show_server(WEB1)
    assert shown["id"] == WEB1


def test_inventory_groups_and_reaches_hosts(session: Session) -> None:
    inventory = session.inventory(["dfw", "iad"], access_network=None)
    hosts = {h["name"]: h for h in inventory["hosts"]}
    web1 = hosts["web1"]
    assert web1["groups"] == ["rackconnect_done"]
    assert web1["address"] == web1["vars"]["rackconnect_access_ipv4"]
    assert web1["vars"]["rackconnect_reached_by"] == "rackconnect_v2"
    assert [p["name"] for p in web1["vars"]["rackconnect_pools"]] == ["dfw-web-80"]
    assert hosts["app-unprocessable"]["groups"] == ["rackconnect_not_applicable"]
    assert "app-failed" in inventory["groups"]["rackconnect_failed"]
    assert inventory["regions"] == {"dfw": True, "iad": True}
    # Filters are the core's: patterns, any case, a tuple where a list would do.
    some = session.inventory(filters={"name": ("WEB?",), "automation": "done"}, rackconnect_v3=False)
    assert sorted(h["name"] for h in some["hosts"]) == ["web1"]
    assert some["regions"] == {"dfw": False}
    with pytest.raises(InvalidInputError, match="filters.colour"):
        session.inventory(filters={"colour": "blue"})
    with pytest.raises(InvalidInputError, match="ip_version"):
        session.inventory(ip_version=5)
    with pytest.raises(InvalidInputError, match="region"):
        session.inventory(["mars"])


def test_from_env_reads_what_the_command_reads(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("RAX_USERNAME", "RAX_API_KEY", "RAX_PASSWORD", "RAX_CREDS_FILE", "RAX_TENANT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.rackspace_cloud_credentials
    monkeypatch.setenv("RAX_IDENTITY_URL", emulator_url)
    monkeypatch.setenv("RAX_REGION", "iad")
    with pytest.raises(InvalidInputError, match="RAX_USERNAME.*credentials_file="):
        Session.from_env()
    # The environment: a real sign-in against the emulator, in RAX_REGION.
    monkeypatch.setenv("RAX_USERNAME", "demo")
    monkeypatch.setenv("RAX_API_KEY", "demo-api-key")
    session = Session.from_env()
    assert "demo-api-key" not in repr(session) and 'region="iad"' in repr(session)
    assert {p["name"] for p in session.list_pools()} == {"iad-web-80"}
    # A file named by the caller wins; one others can read draws a warning, and is still used.
    creds = tmp_path / "creds"
    creds.write_text("[rackspace_cloud]\nusername = demo\npassword = demo-password\n")
    creds.chmod(0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        from_file = Session.from_env(region="dfw", credentials_file=creds)
    assert len(from_file.list_pools()) == 3
    creds.chmod(0o600)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Session.from_env(credentials_file=str(creds))
    creds.write_text("[rackspace_cloud]\nusername = demo\nsecret-without-equals\n")
    with pytest.raises(InvalidInputError, match="line 3") as bad:
        Session.from_env(credentials_file=creds)
    assert "secret-without" not in str(bad.value)
    monkeypatch.setenv("RAX_REGION", "mars")
    with pytest.raises(InvalidInputError, match=r'^invalid RAX_REGION: expected one of dfw.*found "mars"'):
        Session.from_env()


def test_v2_from_env(emulator_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAX_RACKCONNECT_V2_URL", raising=False)
    monkeypatch.delenv("RAX_REGION", raising=False)
    with pytest.raises(InvalidInputError, match="RAX_RACKCONNECT_V2_URL.*RAX_REGION"):
        V2.from_env()
    monkeypatch.setenv("RAX_RACKCONNECT_V2_URL", emulator_url)
    assert V2.from_env(source_address="127.0.0.4").status() == {"outcome": "answer", "value": "FAILED"}


def test_bring_your_own_http_carries_the_token_as_a_secret(emulator_url: str) -> None:
    import json as json_module
    import pickle
    import urllib.request

    def send(request: Request) -> Tuple[int, List[Tuple[str, str]], bytes]:
        body = request["body"].encode() if request["body"] is not None else None
        sent = urllib.request.Request(request["url"], data=body, method=request["method"])
        for name, value in request["headers"]:
            sent.add_header(name, value)
        with urllib.request.urlopen(sent) as answer:
            return answer.status, list(answer.headers.items()), answer.read()

    status, headers, body = send(rackconnect.build_request(
        "identity.token", {"username": "demo", "api_key": "demo-api-key", "identity_url": emulator_url}))
    access = rackconnect.parse_response("identity.token", status, headers, body)
    assert access["token"]["id"] == "<redacted>"
    secret = rackconnect.token_from_response(status, headers, body)
    assert repr(secret) == "Secret('<redacted>')" and str(secret) == "<redacted>"
    assert secret.reveal() == json_module.loads(body)["access"]["token"]["id"]
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(secret)
    endpoint = next(e["publicURL"] for s in access["serviceCatalog"] if s["type"] == "rax:rackconnect"
                    for e in s["endpoints"] if e["region"] == "DFW")
    request = rackconnect.build_request("v3.list_pools", {"endpoint": endpoint, "token": secret})
    pools = rackconnect.parse_response("v3.list_pools", *send(request))
    assert len(pools) == 3
    with pytest.raises(rackconnect.UnauthorizedError):
        rackconnect.token_from_response(401, [], b'{"unauthorized": {"code": 401, "message": "no"}}')


def test_networks_and_node_details(session: Session) -> None:
    networks = session.list_networks()
    assert networks and all(n["id"] and "cidr" in n for n in networks), networks
    pool = session.list_pools()[0]["id"]
    details = session.list_node_details(pool)
    assert all(d["load_balancer_pool"]["id"].lower() == pool.lower() for d in details), details


def test_v2_answers(emulator_url: str) -> None:
    failed = V2(emulator_url, source_address="127.0.0.4")
    assert "127.0.0.4" in repr(failed)
    status = failed.status()
    assert status == {"outcome": "answer", "value": "FAILED"}, status
    answer = failed.details()
    assert answer["outcome"] == "answer", answer
    details = answer["value"]
    assert details["automation_status"] == "FAILED" and details["tasks"], details
    features = failed.features()
    assert features["outcome"] == "answer" and features["value"]["features"], features
    assert failed.gateway_ip()["outcome"] in ("answer", "not_assigned")
    with pytest.raises(InvalidInputError, match="source_address"):
        V2(emulator_url, source_address="not-an-ip")
    assert repr(V2(region="dfw")) == 'V2(base_url=None, region="dfw", source_address=None)'



def test_wait_server_managed(session: Session) -> None:
    events: List[ProgressEvent] = []
    result = session.wait_server(
        WEB2, managed=True, timeout=120.0, progress=events.append
    )
    assert result["outcome"] == "done", result
    reachable = result["reachable_ipv4"]
    assert reachable is not None and reachable.startswith("198.51.100."), result
    # The inventory's rule, said: RackConnect v2's address once DEPLOYED.
    assert result["reached_by"] == "rackconnect_v2", result
    assert events and all(isinstance(e, dict) and "event" in e for e in events)
    # Each status says which server it is about.
    assert any(e["event"] == "status" and e["id"] == WEB2 for e in events), events


def test_wait_servers_a_mixed_batch_each_on_its_own_status(session: Session, emulator_url: str) -> None:
    ids = build_batch(emulator_url)
    events: List[ProgressEvent] = []
    result = session.wait_servers(
        ["web1", "app-failed", BUILD_ERROR, *ids], managed=True, timeout=120.0, progress=events.append
    )
    assert result["outcome"] == "failed" and not result["ok"], result
    by_name = {s["name"]: s for s in result["servers"]}
    assert [s["name"] for s in result["servers"]] == [
        "web1", "app-failed", "db-build-error", "batch-ok", "batch-failed", "batch-unprocessable", "batch-managed-error"
    ]
    assert by_name["web1"]["outcome"] == "done" and by_name["web1"]["reachable_ip"] == "198.51.100.101"
    assert by_name["batch-ok"]["outcome"] == "done" and by_name["batch-ok"]["managed_status"] == "Complete"
    reachable = by_name["batch-ok"]["reachable_ip"]
    assert reachable is not None and reachable.startswith("198.51.100."), by_name["batch-ok"]
    assert by_name["batch-failed"]["summary"] == "RackConnect automation FAILED"
    assert by_name["batch-managed-error"]["summary"] == "Managed Operations FAILED: Build Error"
    unprocessable = by_name["batch-unprocessable"]
    assert unprocessable["outcome"] == "not_applicable" and unprocessable["ok"], unprocessable
    assert unprocessable["reason"] == "UNPROCESSABLE: built in the wrong region"
    counts = result["counts"]
    assert (counts["total"], counts["done"], counts["failed"], counts["not_applicable"]) == (7, 2, 4, 1), counts
    assert result["summary"].startswith("FAILED: 7 servers: 2 done, 4 FAILED, 1 not applicable; app-failed: "), result
    ended = [e for e in events if e["event"] == "server_ended"]
    assert len(ended) == 7 and ended[-1]["ended"] == 7 and all(e["total"] == 7 for e in ended), ended
    # Pages, not servers: the names were resolved from one listing, then a page a poll.
    assert result["requests"] < 10, result["requests"]


def test_wait_servers_built_within_and_its_mistakes() -> None:
    with running_emulator("--clock-speed", "60") as url:
        # An hour on: the demo's own fresh servers are no longer "just built".
        control(url, "POST", "clock", {"advance_seconds": 3600})
        ids = build_batch(url)
        session = Session(url, username="demo", api_key="demo-api-key", region="dfw")
        result = session.wait_servers(built_within=1800, managed=True, not_applicable_ok=False, timeout=120.0)
        assert sorted(s["id"] for s in result["servers"]) == sorted(ids.values()), result
        assert [s["name"] for s in result["servers"]] == sorted(ids), "by name"
        assert result["outcome"] == "failed", result
        assert not next(s for s in result["servers"] if s["name"] == "batch-unprocessable")["ok"]
        with pytest.raises(InvalidInputError, match="built_within"):
            session.wait_servers(["web1"], built_within=60)
        with pytest.raises(InvalidInputError, match="neither"):
            session.wait_servers()
        with pytest.raises(TypeError, match="a single id goes in a list"):
            session.wait_servers("web1")
        with pytest.raises(InvalidInputError, match="web1"):
            session.wait_servers(["web1", "no-such-server"])
        # A window that holds no server (the demo has none in IAD) is a mistake, raised as one.
        iad = Session(url, username="demo", api_key="demo-api-key", region="iad")
        with pytest.raises(InvalidInputError, match="a window in which a server of IAD was built") as empty:
            iad.wait_servers(built_within=60)
        assert empty.value.data["field"] == "built_within", empty.value.data


def test_ensure_pool_members_is_idempotent(session: Session) -> None:
    first = session.ensure_pool_members([UNMANAGED], [DFW_API_POOL], timeout=120.0)
    assert first["outcome"] == "done", first
    assert first["changed"] is True
    assert UNMANAGED in node_servers(session, DFW_API_POOL)
    second = session.ensure_pool_members([UNMANAGED], [DFW_API_POOL], timeout=120.0)
    assert second["outcome"] == "done", second
    assert second["changed"] is False


def test_dry_run_changes_nothing(session: Session) -> None:
    before = node_servers(session, DFW_API_POOL)
    result = session.ensure_pool_members((BUILD_ERROR,), (DFW_API_POOL,), dry_run=True)  # any sequence
    assert result["outcome"] == "done", result
    assert result["plan"]["add"], result
    assert node_servers(session, DFW_API_POOL) == before


def test_wrong_argument_types_say_which_argument(session: Session) -> None:
    with pytest.raises(TypeError, match=r"servers: expected a list of strings .*found str"):
        # A str is a Sequence[str] to a type checker; the package refuses it all the same.
        session.ensure_pool_members(UNMANAGED, [DFW_API_POOL])
    with pytest.raises(TypeError, match=r"pools\[1\]: expected a string, found int"):
        session.ensure_pool_members([UNMANAGED], [DFW_API_POOL, 5])  # type: ignore[list-item]
    # A body may be text as well as bytes.
    pools = rackconnect.parse_response("v3.list_pools", 200, [], '[{"id": "p1"}]')
    assert pools[0]["id"] == "p1"
    with pytest.raises(TypeError, match="body: expected bytes or str, found int"):
        rackconnect.parse_response("v3.list_pools", 200, [], 5)  # type: ignore[call-overload]


def test_pools_by_name(session: Session) -> None:
    by_name = session.list_nodes("dfw-web-80")
    assert by_name == session.list_nodes("00000001-bbbb-4bbb-8bbb-dfw000000001") and by_name, by_name
    assert session.list_node_details("DFW-WEB-80")[0]["load_balancer_pool"]["name"] == "dfw-web-80"
    with pytest.raises(InvalidInputError, match=r"pool_id.*dfw-api-443"):
        session.list_nodes("no-such-pool")
    result = session.ensure_pool_members([BUILD_ERROR], ["dfw-api-443"], dry_run=True)
    added = [{"server_id": BUILD_ERROR, "pool_id": DFW_API_POOL, "pool_name": "dfw-api-443"}]
    assert result["plan"]["add"] == added, result
    with pytest.raises(InvalidInputError, match=r"pools\[0\].*dfw-web-80"):
        session.ensure_pool_members([BUILD_ERROR], ["no-such-pool"], dry_run=True)


def test_servers_by_name(session: Session) -> None:
    assert session.show_server("WEB1")["id"] == WEB1
    assert session.wait_server("web1", timeout=60.0)["reachable_ipv4"] == "198.51.100.101"
    assert len(session.list_public_ips(server_id="web1")) == 1
    planned = session.ensure_pool_members(["unmanaged"], ["dfw-api-443"], dry_run=True)
    pairs = planned["plan"]["add"] + planned["plan"]["unchanged"]
    named = {"server_name": "unmanaged", "pool_name": "dfw-api-443"}
    assert pairs == [{"server_id": UNMANAGED, "pool_id": DFW_API_POOL, **named}], planned
    assert session.ensure_public_ip("db-build-error", dry_run=True)["plan"]["action"] == "create"
    with pytest.raises(InvalidInputError, match=r"servers\[0\].*web1"):
        session.ensure_pool_members(["nosuch"], ["dfw-api-443"], dry_run=True)


def test_an_unknown_server_fails_at_once_in_one_wording(session: Session) -> None:
    unknown = "0000dead-cccc-4ccc-8ccc-00000000dead"
    said = f"server {unknown} not found in region DFW"
    with pytest.raises(rackconnect.NotFoundError, match=said):
        session.show_server(unknown)
    waited = session.wait_server(unknown, timeout=60.0)
    assert waited["outcome"] == "error" and said in waited["summary"], waited
    planned = session.ensure_pool_members([unknown], [DFW_API_POOL], dry_run=True)
    assert planned["outcome"] == "failed" and planned["changed"] is False, planned
    assert planned["plan"]["add"] == [] and said in planned["failed"][0]["reason"], planned
    started = time.monotonic()
    ip = session.ensure_public_ip(unknown, timeout=600.0)
    assert ip["outcome"] == "failed" and said in ip["summary"], ip
    assert time.monotonic() - started < 20, "the post-build grace was spent on a server that is not there"


def test_unassign_keeps_the_retained_ip_on_no_server(session: Session) -> None:
    created = session.ensure_public_ip(WEB2, retain=True, timeout=120.0)
    assert created["outcome"] == "done", created
    ip = created["public_ip"]
    assert ip is not None
    planned = session.ensure_public_ip(WEB2, unassign=True, dry_run=True)
    assert planned["plan"] == {"action": "unassign", "id": ip["id"], "retain": False}, planned
    assert planned["changed"] is True and len(session.list_public_ips(server_id=WEB2)) == 1
    done = session.ensure_public_ip(WEB2, unassign=True, timeout=120.0)
    assert done["outcome"] == "done" and done["changed"] is True, done
    assert session.list_public_ips(server_id=WEB2) == []
    kept = [i for i in session.list_public_ips(retain=True) if i["id"] == ip["id"]]
    assert kept and kept[0]["cloud_server"] is None, kept
    assert session.ensure_public_ip(WEB2, unassign=True)["changed"] is False
    with pytest.raises(InvalidInputError, match="retain"):
        session.ensure_public_ip(WEB2, unassign=True, retain=False)


def test_ensure_public_ip_create_then_unchanged(session: Session) -> None:
    # The emulator answers as the API does for a server without one: 200 and no body at all.
    assert session.list_public_ips(server_id=AUTH_ERROR) == []
    first = session.ensure_public_ip(AUTH_ERROR, timeout=120.0)
    assert first["outcome"] == "done", first
    assert first["changed"] is True
    assert len(session.list_public_ips(server_id=AUTH_ERROR)) == 1
    second = session.ensure_public_ip(AUTH_ERROR, timeout=120.0)
    assert second["outcome"] == "done", second
    assert second["changed"] is False


def test_wait_v2_failed_with_tasks(emulator_url: str) -> None:
    events: List[ProgressEvent] = []
    result = wait_v2(
        emulator_url, source_address="127.0.0.4", timeout=60.0, progress=events.append
    )
    assert result["outcome"] == "failed", result
    assert result["tasks"], result
    assert events


def test_an_error_in_a_result_becomes_its_exception() -> None:
    from rackconnect.exceptions import ConflictError, ParseError, from_data

    # The class is the core's (every error's JSON form carries it), not a table of kinds here.
    data = {"kind": "conflict", "class": "ConflictError", "message": "409: already a member", "status": 409}
    conflict = from_data(data)
    assert isinstance(conflict, ConflictError) and str(conflict) == "409: already a member"
    assert conflict.data["status"] == 409
    assert isinstance(from_data({"kind": "json", "class": "ParseError", "message": "bad"}), ParseError)
    # A form without a class (or with one this version does not know) still raises something catchable.
    unknown = from_data({"kind": "something_new", "message": "?", "status": 418})
    assert type(unknown).__name__ == "ApiError"
    newer = from_data({"kind": "something_new", "class": "SomethingNewError", "message": "?"})
    assert type(newer).__name__ == "RackConnectError"
    assert type(from_data({"message": "no kind"})).__name__ == "RackConnectError"


def test_wait_v2_needs_an_endpoint() -> None:
    with pytest.raises(InvalidInputError):
        wait_v2()


def test_wrong_key_raises_unauthorized_without_the_secret(emulator_url: str) -> None:
    wrong = Session(emulator_url, username="demo", api_key=SECRET, region="DFW")
    assert SECRET not in repr(wrong) and SECRET not in str(wrong)
    with pytest.raises(UnauthorizedError) as caught:
        wrong.list_pools()
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.data)


def test_credentials_say_what_is_missing(emulator_url: str) -> None:
    with pytest.raises(InvalidInputError, match="found \"neither\""):
        Session(emulator_url, username="demo")
    shown = repr(Session(emulator_url, username="demo", api_key=SECRET, region="dfw"))
    assert shown == f'Session(identity_url="{emulator_url}", username="demo", region="dfw", tenant=None)'


def test_secrets_never_shown(emulator_url: str) -> None:
    with_password = Session(emulator_url, username="demo", password=SECRET)
    assert SECRET not in repr(with_password)
    with pytest.raises(RackConnectError) as caught:
        Session(emulator_url, username="demo", api_key=SECRET, password=SECRET)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value.data)


def test_an_exception_in_progress_stops_the_wait_and_raises(emulator_url: str) -> None:
    def progress(event: ProgressEvent) -> None:
        raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        wait_v2(emulator_url, source_address="127.0.0.3", progress=progress)


def test_ctrl_c_stops_a_wait_that_is_sleeping(emulator_url: str) -> None:
    # An unknown source address is answered 403 (rate limited, as v2 says it): the waiter then
    # pauses a full minute without a request or an event. Ctrl-C must still end it at once.
    code = (
        "import faulthandler, rackconnect, signal, sys\n"
        # Where it is, should it not end: every thread's stack on SIGUSR1.
        "faulthandler.register(signal.SIGUSR1, all_threads=True)\n"
        # Ctrl-C as a terminal gives it, even where this suite runs as a background job (which
        # starts with SIGINT ignored, and Python then keeps ignoring it).
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "print('waiting', flush=True)\n"
        f"rackconnect.wait_v2({emulator_url!r}, source_address='127.0.0.99', timeout=300)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(2.0)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        try:
            _, err = child.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGUSR1)
            time.sleep(1.0)
            child.kill()
            _, err = child.communicate()
            raise AssertionError("Ctrl-C did not end the wait; its threads:\n" + err) from None
        assert time.monotonic() - sent < 5.0, "Ctrl-C waited for the pause to end"
        assert child.returncode != 0 and "KeyboardInterrupt" in err, err
    finally:
        if child.poll() is None:
            child.kill()


def test_terminal_safe_shows_escapes_from_the_api() -> None:
    import rackconnect

    hostile = "web1\x1b[1A\x1b[2Kfake\x1b]0;PWNED\x07\nnext"
    shown = rackconnect.terminal_safe(hostile)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.endswith("\nnext") and "\\u{1b}[1A" in shown
