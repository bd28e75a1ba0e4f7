"""rackconnect.aio, the asyncio driver: the driver traces (``tests/traces``, which the Rust and
JavaScript drivers replay too) on a scripted transport and a scripted clock, then the session
over real HTTP against the emulator, and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest

import rackconnect
from rackconnect import _native, aio

REPO = Path(__file__).resolve().parent.parent.parent
TRACES = sorted((REPO / "tests" / "traces").glob("*.json"))
WEB1 = "00000001-cccc-4ccc-8ccc-000000000001"


def subset(expected: Any, actual: Any) -> bool:
    """Every field of ``expected`` is in ``actual`` with the same value (lists of equal length)."""
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            subset(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def exchange_of(setup: Dict[str, Any], driver: str) -> Any:
    task = setup["task"]
    if "call_v2" in task:
        return _native.Exchange.call_v2(task["call_v2"], json.dumps(task["input"]), driver)
    if "v2_wait" in task:
        return _native.Exchange.wait_v2(json.dumps(task["v2_wait"]), driver)
    auth = _native.Auth(json.dumps(setup["auth"]))
    if "call" in task:
        return _native.Exchange.call(auth, task["call"], json.dumps(task["input"]), driver)
    if "wait" in task:
        return _native.Exchange.wait(auth, json.dumps(task["wait"]), driver)
    if "ensure" in task:
        return _native.Exchange.ensure(auth, json.dumps(task["ensure"]), driver)
    if "all_servers" in task:
        return _native.Exchange.all_servers(auth, driver)
    raise AssertionError("unknown task %r" % task)


async def replay(name: str, trace: Dict[str, Any]) -> None:
    setup = trace["setup"]
    start = float(setup["start"])
    clock = {"now": start, "timeout_ms": 0.0}
    steps: List[Dict[str, Any]] = list(trace["steps"])
    driver = json.dumps({k: v for k, v in (("region", setup.get("region")), ("seed", setup["seed"])) if v is not None})

    def handler(request: httpx.Request) -> httpx.Response:
        assert steps and "expect" in steps[0], "%s: an unexpected request %s %s" % (name, request.method, request.url)
        step = steps.pop(0)
        expect = step["expect"]
        assert request.method == expect["method"], name
        assert str(request.url) == expect["url"], name
        if "token" in expect:
            assert request.headers.get("x-auth-token") == expect["token"], name
        at = clock["now"] - start
        if "not_before" in step:
            assert at >= step["not_before"], "%s: sent at %s, before %s" % (name, at, step["not_before"])
        if "not_after" in step:
            assert at <= step["not_after"], "%s: sent at %s, after %s" % (name, at, step["not_after"])
        if "fail" in step:
            if step.get("takes_timeout"):
                if "max_timeout_ms" in expect:
                    assert clock["timeout_ms"] <= expect["max_timeout_ms"], name
                clock["now"] += clock["timeout_ms"]
            kind, detail = step["fail"]["kind"], step["fail"]["detail"]
            if kind == "timeout":
                raise httpx.ReadTimeout(detail, request=request)
            if kind == "connect":
                raise httpx.ConnectError(detail, request=request)
            raise httpx.ReadError(detail, request=request)
        respond = step["respond"]
        return httpx.Response(respond["status"], headers=respond["headers"], content=respond["body"].encode("utf-8"))

    async def pause(ms: float) -> None:
        at = clock["now"] + max(1.0, ms)
        if steps and "cancel_at" in steps[0] and start + steps[0]["cancel_at"] <= at:
            step = steps.pop(0)
            clock["now"] = max(clock["now"], start + step["cancel_at"])
            raise asyncio.CancelledError()
        clock["now"] = max(clock["now"], at)

    outcome: Dict[str, Any]
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        try:
            watching = Watching(exchange_of(setup, driver), clock)
            outcome = {"ok": await aio.drive(watching, client, now=lambda: clock["now"], pause=pause)}
        except asyncio.CancelledError as exc:
            outcome = {"ok": getattr(exc, "rackconnect_result", None), "cancelled": True}
        except rackconnect.RackConnectError as exc:
            outcome = {"error": exc.data}
    assert steps == [], "%s: steps left over: %s" % (name, steps)
    if "ok" in trace["result"]:
        assert "error" not in outcome, "%s: %s" % (name, outcome)
        assert subset(trace["result"]["ok"], outcome["ok"]), "%s: %s\nexpected %s" % (name, outcome, trace["result"]["ok"])
    else:
        assert "error" in outcome, "%s: expected an error, got %s" % (name, outcome)
        assert subset(trace["result"]["error"], outcome["error"]), "%s: %s" % (name, outcome["error"])
    if "max_elapsed_ms" in trace:
        assert clock["now"] - start <= trace["max_elapsed_ms"], "%s: ended after %s ms" % (name, clock["now"] - start)


class Watching:
    """The exchange, noting the timeout of each request it asks for (a timing-out step moves the
    scripted clock by it)."""

    def __init__(self, exchange: Any, clock: Dict[str, float]) -> None:
        self.exchange, self.clock = exchange, clock

    def poll(self, now: float) -> str:
        text: str = self.exchange.poll(now)
        step = json.loads(text)
        if step["step"] == "send":
            self.clock["timeout_ms"] = float(step["timeout_ms"])
        return text

    def on_response(self, *args: Any) -> str:
        text: str = self.exchange.on_response(*args)
        return text

    def on_transport_error(self, *args: Any) -> str:
        text: str = self.exchange.on_transport_error(*args)
        return text

    def cancel(self) -> None:
        self.exchange.cancel()


def test_there_are_traces_to_replay() -> None:
    assert len(TRACES) >= 25


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_trace(path: Path) -> None:
    asyncio.run(replay(path.stem, json.loads(path.read_text(encoding="utf-8"))))


# --- Against the emulator, over real HTTP --------------------------------------------------------


@contextlib.contextmanager
def running_emulator(*args: str) -> Iterator[str]:
    binary = os.environ.get("RACKCONNECT_EMULATOR") or str(REPO / "target" / "debug" / "rackconnect-emulator")
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line
    try:
        yield line.split("listening on ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    with running_emulator("--clock-speed", "60") as url:
        yield url


@pytest.fixture(scope="module")
def frozen_url() -> Iterator[str]:
    """The demo world with its clock stopped: two reads of it a moment apart see the same world."""
    with running_emulator("--clock-speed", "0") as url:
        yield url


def session(url: str, **kwargs: Any) -> aio.Session:
    return aio.Session(url, username="demo", api_key="demo-api-key", region="dfw", **kwargs)


def test_the_session_lists_waits_and_plans(emulator_url: str) -> None:
    async def main() -> None:
        async with session(emulator_url) as s:
            assert "demo-api-key" not in repr(s)
            pools = await s.list_pools()
            assert len(pools) == 3
            servers = await s.list_servers()
            assert WEB1 in {server["id"] for server in servers}
            events: List[Dict[str, Any]] = []
            done = await s.wait_server(WEB1, managed=True, timeout=30, progress=events.append)
            assert done["ok"] and done["outcome"] == "done" and done["reachable_ipv4"], done
            assert events, "progress events reach the callback"
            api_pool = next(p["id"] for p in pools if p["name"] == "dfw-api-443")
            before = await s.call("v3.list_nodes", pool_id=api_pool)
            planned = await s.ensure_pool_members((WEB1,), ("dfw-api-443",), dry_run=True)
            assert planned["plan"]["add"] and planned["changed"], planned  # what a real run would change
            assert await s.call("v3.list_nodes", pool_id=api_pool) == before, "a dry run changes nothing"
            assert (await s.call("v3.get_pool", pool_id="dfw-api-443"))["id"] == api_pool, "a pool by its name"
        log = httpx.get(emulator_url + "/__emulator/requests").json()["requests"]
        assert sum(1 for e in log if e["path"].startswith("/v2.0/tokens")) == 1, "one sign-in for the session"

    asyncio.run(main())


def test_the_lists_and_the_public_ip_ensure(emulator_url: str) -> None:
    async def main() -> None:
        async with session(emulator_url) as s:
            assert await s.list_networks()
            assert await s.list_nodes("dfw-web-80"), "a pool by its name"
            ips = await s.list_public_ips(server_id="web1")
            assert len(ips) == 1 and ips[0]["cloud_server"]["id"] == WEB1, ips
            assert (await s.show_server("web1"))["id"] == WEB1
            kept = await s.ensure_public_ip(WEB1)
            assert kept["ok"] and not kept["changed"], kept
            planned = await s.ensure_public_ip(WEB1, present=False, dry_run=True)
            assert planned["changed"] and await s.list_public_ips(server_id=WEB1) == ips, planned
            with pytest.raises(rackconnect.InvalidInputError):
                await s.ensure_public_ip(WEB1, present=False, retain=False, unassign=True)

    asyncio.run(main())


def test_a_batch_is_waited_for_as_the_blocking_session_waits_for_it() -> None:
    """The issue's batch (DEPLOYED, FAILED, UNPROCESSABLE, a Managed Build Error), built now: by
    name through aio, then by "built within" through both drivers, which end alike."""
    with running_emulator("--clock-speed", "60") as url:
        # An hour on: the demo's own fresh servers are no longer "just built".
        httpx.post(url + "/__emulator/clock", json={"advance_seconds": 3600}).raise_for_status()
        specs: Dict[str, Dict[str, Any]] = {
            "batch-ok": {},
            "batch-failed": {"automation": {"outcome": "FAILED", "failed_task": 1}},
            "batch-unprocessable": {"automation": {"outcome": "UNPROCESSABLE", "unprocessable_reason": "wrong region"}},
            "batch-managed-error": {"managed": {"outcome": "Build Error"}},
        }
        for name, spec in specs.items():
            httpx.post(url + "/__emulator/servers", json={"name": name, "region": "DFW", **spec}).raise_for_status()

        async def main() -> Tuple[Dict[str, Any], Dict[str, Any], List[Dict[str, Any]]]:
            events: List[Dict[str, Any]] = []
            async with session(url) as s:
                by_name = await s.wait_servers(list(specs), managed=True, timeout=120, progress=events.append)
                recent = await s.wait_servers(built_within=1800, managed=True, timeout=120)
                # The core names this method's arguments, not its own spec's fields.
                with pytest.raises(rackconnect.InvalidInputError, match=r"neither") as neither:
                    await s.wait_servers()
                assert "built_within)" in str(neither.value) and "built_within_ms" not in str(neither.value)
                with pytest.raises(rackconnect.InvalidInputError, match="not both") as both:
                    await s.wait_servers(["web1"], built_within=60)
                assert "built_within_ms" not in str(both.value)
                with pytest.raises(TypeError, match=r"built_within: expected a number of seconds, found str '30m'"):
                    await s.wait_servers(built_within="30m")  # type: ignore[arg-type]
                with pytest.raises(rackconnect.InvalidInputError) as negative:
                    await s.wait_servers(built_within=-5)
                assert negative.value.data["field"] == "built_within", negative.value.data
                with pytest.raises(TypeError, match="a single id goes in a list"):
                    await s.wait_servers("web1")
            return by_name, recent, events

        by_name, recent, events = asyncio.run(main())
        outcomes = {s["name"]: s["outcome"] for s in by_name["servers"]}
        assert outcomes == {
            "batch-ok": "done", "batch-failed": "failed", "batch-unprocessable": "not_applicable",
            "batch-managed-error": "failed",
        }, by_name
        assert by_name["outcome"] == "failed" and not by_name["ok"], by_name
        assert by_name["summary"].startswith("FAILED: 4 servers: 1 done, 2 FAILED, 1 not applicable; "), by_name
        assert sum(1 for e in events if e["event"] == "server_ended") == 4, events
        blocking = rackconnect.Session(url, username="demo", api_key="demo-api-key", region="dfw")
        same = blocking.wait_servers(built_within=1800, managed=True, timeout=120)
        def strip(result: Any) -> List[Tuple[str, str, str, Optional[str]]]:
            return [(s["id"], s["outcome"], s["summary"], s["reachable_ip"]) for s in result["servers"]]

        assert strip(recent) == strip(same), (recent, same)
        assert [s["name"] for s in recent["servers"]] == sorted(specs)
        assert recent["summary"] == same["summary"]


def test_a_node_added_by_a_call_is_waited_for_until_active(emulator_url: str) -> None:
    unmanaged = "0000000a-cccc-4ccc-8ccc-00000000000a"

    async def main() -> None:
        async with session(emulator_url) as s:
            node = await s.call("v3.add_node", pool_id="dfw-web-80", server_id=unmanaged)
            events: List[Dict[str, Any]] = []
            done = await s.wait_nodes([("dfw-web-80", node["id"])], timeout=60, progress=events.append)
            assert done["ok"] and done["outcome"] == "done" and not done["failures"], done
            assert any(e.get("status") == "ACTIVE" for e in events), events
            await s.call("v3.remove_node", pool_id="dfw-web-80", node_id=node["id"])
            gone = await s.wait_nodes([("dfw-web-80", node["id"])], target="gone", timeout=60)
            assert gone["ok"], gone
            ip = (await s.list_public_ips(server_id=WEB1))[0]
            assert (await s.wait_public_ip(ip["id"], timeout=10))["ok"]

    asyncio.run(main())


def test_errors_are_the_packages_classes(emulator_url: str) -> None:
    async def main() -> None:
        async with aio.Session(emulator_url, username="demo", api_key="wrong", region="dfw") as s:
            with pytest.raises(rackconnect.UnauthorizedError):
                await s.list_pools()
        with pytest.raises(rackconnect.TransportError, match="insecure"):
            async with aio.Session("http://rackconnect.example.test", username="demo", api_key="k") as s:
                await s.list_pools()

    asyncio.run(main())


def test_v2_wait_from_a_bound_source_address(emulator_url: str) -> None:
    async def main() -> Dict[str, Any]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.4")
        async with httpx.AsyncClient(transport=transport) as client:
            return await aio.wait_v2(emulator_url, timeout=10, client=client)

    failed = asyncio.run(main())
    assert failed["outcome"] == "failed" and not failed["ok"], failed


def test_cancelling_the_task_stops_a_wait_at_once(emulator_url: str) -> None:
    async def main() -> Optional[Dict[str, Any]]:
        # A server whose automation takes ten emulated hours: the wait sleeps between polls.
        built = httpx.post(emulator_url + "/__emulator/servers", json={
            "name": "aio-slow", "region": "DFW", "automation": {"tasks": [{"name": "slow", "seconds": 36000}]}})
        assert built.status_code == 201, built.text
        async with session(emulator_url) as s:
            task = asyncio.create_task(s.wait_server(built.json()["id"], timeout=600))
            await asyncio.sleep(0.5)
            started = asyncio.get_running_loop().time()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as cancelled:
                await task
            assert asyncio.get_running_loop().time() - started < 1.0, "stopped within a second"
            result: Optional[Dict[str, Any]] = getattr(cancelled.value, "rackconnect_result", None)
            return result

    result = asyncio.run(main())
    assert result is not None and result["outcome"] == "cancelled", result


# --- The inventory: the blocking session's, driven from asyncio ------------------------------------


def requests_log(url: str) -> List[Tuple[str, str]]:
    """The emulator's requests so far: (method, path and query)."""
    log = httpx.get(url + "/__emulator/requests").json()["requests"]
    return [(e["method"], e["path"] + ("?" + e["query"] if e.get("query") else "")) for e in log]


def both_inventories(url: str, *args: Any, region: Optional[str] = "dfw", username: str = "demo",
                     api_key: str = "demo-api-key", **kwargs: Any) -> Tuple[Any, Any]:
    """The same inventory from the blocking session and from aio's, each with the requests it made
    (sign-ins left out: each session signs in once)."""
    blocking = rackconnect.Session(url, username=username, api_key=api_key, region=region)
    before = len(requests_log(url))
    expected = blocking.inventory(*args, **kwargs)
    asked = [r for r in requests_log(url)[before:] if "/tokens" not in r[1]]

    async def main() -> Any:
        async with aio.Session(url, username=username, api_key=api_key, region=region) as s:
            return await s.inventory(*args, **kwargs)

    before = len(requests_log(url))
    actual = asyncio.run(main())
    asked_aio = [r for r in requests_log(url)[before:] if "/tokens" not in r[1]]
    assert asked_aio == asked, "the same requests in the same order"
    return expected, actual


def test_the_inventory_is_the_blocking_sessions(frozen_url: str) -> None:
    cases: List[Tuple[Tuple[Any, ...], Dict[str, Any]]] = [
        ((), {}),
        ((["dfw", "iad"],), {}),
        ((("IAD",),), {"rackconnect_v3": False, "hostnames": "id", "access_network": "public"}),
        ((), {"filters": {"name": ("WEB?", "app*"), "automation": "done"}, "ip_version": 6}),
    ]
    for args, kwargs in cases:
        expected, actual = both_inventories(frozen_url, *args, **kwargs)
        assert actual == expected, (args, kwargs)
    # Not equal by being empty: the groups, hosts and variables of the demo account.
    inventory, _ = both_inventories(frozen_url, ["dfw", "iad"])
    hosts = {h["name"]: h for h in inventory["hosts"]}
    assert hosts["web1"]["groups"] == ["rackconnect_done"]
    assert hosts["web1"]["vars"]["rackconnect_reached_by"] == "rackconnect_v2"
    assert [p["name"] for p in hosts["web1"]["vars"]["rackconnect_pools"]] == ["dfw-web-80"]
    assert hosts["app-unprocessable"]["groups"] == ["rackconnect_not_applicable"]
    assert inventory["regions"] == {"dfw": True, "iad": True}


def test_the_inventory_judges_the_grace_by_the_answers_date(tmp_path: Path) -> None:
    # Built an hour, a quarter of an hour and a minute ago (emulated time, stopped): only the
    # last is within the grace, by Cloud Servers' Date against its created.
    scenario = {
        "accounts": [{"tenant": "111", "rackconnect_v2": True, "rackconnect_v3_regions": [],
                      "users": [{"username": "ci", "api_key": "ci-key", "default_region": "DFW"}]}],
        "servers": [
            {"id": "s1", "tenant": "111", "region": "DFW", "name": "deployed", "original_ipv4": "203.0.113.1",
             "built_seconds_ago": 3600},
            {"id": "s2", "tenant": "111", "region": "DFW", "name": "never-reached", "original_ipv4": "203.0.113.2",
             "built_seconds_ago": 900, "automation": {"metadata_delay_seconds": 100000}},
            {"id": "s3", "tenant": "111", "region": "DFW", "name": "just-built", "original_ipv4": "203.0.113.3",
             "built_seconds_ago": 60, "automation": {"metadata_delay_seconds": 100000}},
        ],
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with running_emulator("--clock-speed", "0", "--scenario", str(path)) as url:
        # No region: the user's default, in both.
        expected, actual = both_inventories(url, region=None, username="ci", api_key="ci-key")
    assert actual == expected
    groups = actual["groups"]
    assert groups["rackconnect_done"] == ["deployed"], groups
    assert groups["rackconnect_running"] == ["just-built"], groups
    assert groups["rackconnect_not_applicable"] == ["never-reached"], groups
    assert actual["regions"] == {"dfw": False}


@pytest.mark.parametrize("args,kwargs", [
    ((), {"filters": {"colour": "blue"}}),
    ((), {"filters": {"name": []}}),
    ((), {"ip_version": 5}),
    ((), {"ip_version": "4"}),
    ((), {"hostnames": "nick"}),
    ((), {"access_network": " "}),
    ((["mars"],), {}),
    (("dfw",), {}),
    (([1],), {}),
])
def test_inventory_mistakes_are_refused_before_any_request(frozen_url: str, args: Any, kwargs: Any) -> None:
    blocking = rackconnect.Session(frozen_url, username="demo", api_key="demo-api-key", region="dfw")
    before = len(requests_log(frozen_url))
    with pytest.raises(Exception) as expected:
        blocking.inventory(*args, **kwargs)

    async def main() -> None:
        async with session(frozen_url) as s:
            await s.inventory(*args, **kwargs)

    with pytest.raises(Exception) as refused:
        asyncio.run(main())
    assert len(requests_log(frozen_url)) == before, "nothing is asked, not even a token"
    assert type(refused.value) is type(expected.value)
    assert str(refused.value) == str(expected.value)
    if isinstance(expected.value, rackconnect.RackConnectError):
        assert isinstance(refused.value, rackconnect.RackConnectError)
        assert refused.value.data == expected.value.data


def test_cancelling_an_inventory_mid_read_stops_it_at_once(frozen_url: str) -> None:
    # RackConnect v3's next answer takes 25 seconds: the inventory is cancelled while it waits.
    fault = {"kind": "delay", "delay_ms": 25000, "count": 1, "path_prefix": "/rackconnect/"}
    assert httpx.post(frozen_url + "/__emulator/faults", json=fault).status_code == 201

    async def main() -> None:
        async with session(frozen_url) as s:
            logged = len(requests_log(frozen_url))
            task = asyncio.create_task(s.inventory(["dfw"]))
            # The fault is taken when its request arrives (the log has it only once answered).
            while httpx.get(frozen_url + "/__emulator/faults").json()["faults"]:
                await asyncio.sleep(0.05)
            answered = requests_log(frozen_url)[logged:]
            assert any(p.endswith("/servers/detail?limit=100") for _, p in answered), "the servers were read"
            assert not any(p.startswith("/rackconnect/") for _, p in answered), "not answered yet"
            started = asyncio.get_running_loop().time()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert asyncio.get_running_loop().time() - started < 1.0, "stopped within a second"
            # The session goes on: the next inventory is whole.
            assert (await s.inventory(["dfw"]))["regions"] == {"dfw": True}

    asyncio.run(main())


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))


def test_a_connection_idle_past_the_cores_limit_is_not_reused() -> None:
    # A server that keeps connections open and counts them: a server closing an idle connection
    # on its own clock (Apache's 5 s, httpx's own keep-alive limit too) could get a request just
    # as it closes, so the session's client reuses none idle past the core's limit.
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: List[socket.socket] = []

    def answer(conn: socket.socket) -> None:
        with conn:
            buffered = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buffered += chunk
                while b"\r\n\r\n" in buffered:
                    _, buffered = buffered.split(b"\r\n\r\n", 1)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    url = "http://127.0.0.1:%d/ping" % listener.getsockname()[1]

    async def main() -> None:
        session = aio.Session("http://127.0.0.1:9/v2.0", username="demo", api_key="demo-api-key", region="DFW")
        try:
            client = session._http()
            for _ in range(3):
                assert (await client.get(url)).status_code == 200
            assert len(accepted) == 1, "requests close together share one connection"
            await asyncio.sleep(_native.IDLE_REUSE + 0.5)
            assert (await client.get(url)).status_code == 200
            assert len(accepted) == 2, "a connection idle past IDLE_REUSE was reused"
        finally:
            await session.aclose()

    try:
        asyncio.run(main())
    finally:
        listener.close()
