"""The controls other fakes' users ask for, from the wheel: faults by operation with a probability
and a latency, the seed, the state snapshot (and ``state=`` / ``--state`` across runs), per-kind
transitions, the operations table and the dashboard's URL, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import pytest

from rackconnect.testing import ControlError, Emulator

POOL = "00000001-bbbb-4bbb-8bbb-dfw000000001"
UNMANAGED = "0000000a-cccc-4ccc-8ccc-00000000000a"
V3 = "/rackconnect/DFW/v3/123456"
CREDENTIALS = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}}


def call(
    port: int, method: str, path: str, body: Optional[Dict[str, Any]] = None, token: Optional[str] = None
) -> Tuple[int, Any, Dict[str, str]]:
    """One request, as it comes: the status, the JSON body (None when empty) and the headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["X-Auth-Token"] = token
    connection.request(method, path, None if body is None else json.dumps(body), headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None, dict(response.getheaders())


def sign_in(port: int) -> str:
    status, access, _ = call(port, "POST", "/v2.0/tokens", CREDENTIALS)
    assert status == 200
    token: str = access["access"]["token"]["id"]
    return token


def add_node(port: int, token: str, server: str = UNMANAGED) -> Dict[str, Any]:
    status, node, _ = call(port, "POST", f"{V3}/load_balancer_pools/{POOL}/nodes", {"cloud_server": {"id": server}}, token)
    assert status == 201, node
    added: Dict[str, Any] = node
    return added


def node_status(port: int, token: str, node_id: str) -> str:
    status, node, _ = call(port, "GET", f"{V3}/load_balancer_pools/{POOL}/nodes/{node_id}", token=token)
    assert status == 200, node
    found: str = node["status"]
    return found


def test_a_fault_by_operation_with_a_latency_and_a_probability() -> None:
    with Emulator(seed=1) as emulator:
        token = sign_in(emulator.port)
        assert any(o["name"] == "v3.pools.list" for o in emulator.operations())
        pending = emulator.inject_fault("status", status=502, operation="v3.pools.list", latency_ms=200)
        assert [(f["operation"], f["latency_ms"]) for f in pending] == [("v3.pools.list", 200)]
        assert call(emulator.port, "GET", f"{V3}/public_ips", token=token)[0] == 200, "another operation"
        started = time.monotonic()
        assert call(emulator.port, "GET", f"{V3}/load_balancer_pools", token=token)[0] == 502
        assert time.monotonic() - started >= 0.2
        assert emulator.requests()["requests"][-1]["operation"] == "v3.pools.list"
        # Half the matching requests, and the same ones again with the same seed.
        emulator.clear_faults()

        def flips() -> list[int]:
            emulator.set_seed(5)
            emulator.inject_fault("status", count=100, operation="v3.pools.", probability=0.5)
            statuses = [call(emulator.port, "GET", f"{V3}/load_balancer_pools", token=token)[0] for _ in range(60)]
            emulator.clear_faults()
            return statuses

        first = flips()
        assert 15 <= first.count(503) <= 45, first
        assert flips() == first
        with pytest.raises(ControlError, match="unknown operation"):
            emulator.inject_fault("status", operation="v3.nothing")


def test_the_same_seed_gives_the_same_ids_and_tokens() -> None:
    answers = []
    for _ in range(2):
        with Emulator(seed=99) as emulator:
            token = sign_in(emulator.port)
            answers.append((token, emulator.build_server(name="seeded")["id"], add_node(emulator.port, token)["id"]))
    assert answers[0] == answers[1]
    with Emulator(seed=100) as other:
        assert sign_in(other.port) != answers[0][0]


def test_the_state_goes_out_comes_back_and_persists_in_a_file(tmp_path: Path) -> None:
    file = tmp_path / "world.json"
    with Emulator(state=file) as emulator:
        token = sign_in(emulator.port)
        built = emulator.build_server(name="kept")
    assert json.loads(file.read_text())["servers"][-1]["name"] == "kept", "written by stop()"
    assert file.stat().st_mode & 0o077 == 0, "readable by its owner only"
    with Emulator(state=file) as again:
        assert built["id"] in [s["id"] for s in again.summary()["servers"]]
        assert call(again.port, "GET", f"{V3}/load_balancer_pools", token=token)[0] == 200, "the token too"
        state = again.state()
    with Emulator() as third:
        assert "kept" not in [s["name"] for s in third.summary()["servers"]]
        third.load_state(state)
        assert "kept" in [s["name"] for s in third.summary()["servers"]]
        third.reset()
        assert "kept" in [s["name"] for s in third.summary()["servers"]], "reset returns to the state loaded"
        with pytest.raises(ControlError, match="expected a scenario document"):
            third.load_state({"accounts": 1})


def test_transitions_immediate_timed_and_manual() -> None:
    with Emulator() as emulator:
        token = sign_in(emulator.port)
        assert emulator.set_transitions(pool_nodes="manual", automation="manual")["pool_nodes"] == "manual"
        node = add_node(emulator.port, token)
        assert node_status(emulator.port, token, node["id"]) == "ADDING"
        emulator.advance(3600)
        assert node_status(emulator.port, token, node["id"]) == "ADDING"
        assert emulator.advance_transitions(node["id"]) == 1
        assert node_status(emulator.port, token, node["id"]) == "ACTIVE"
        # "fresh" was building when automation turned manual: held until advanced, by name.
        assert emulator.v2("fresh").status() == {"outcome": "answer", "value": "DEPLOYING"}
        assert emulator.advance_transitions("fresh") == 1
        assert emulator.v2("fresh").status() == {"outcome": "answer", "value": "DEPLOYED"}
        assert emulator.set_transitions(pool_nodes="immediate")["pool_nodes"] == "immediate"
        second = add_node(emulator.port, token, "00000003-cccc-4ccc-8ccc-000000000003")
        assert node_status(emulator.port, token, second["id"]) == "ACTIVE"
        assert emulator.transitions()["automation"] == "manual"
        assert emulator.advance_transitions(kind="public_ips") == 0
        with pytest.raises(ControlError, match="immediate"):
            emulator.set_transitions(pool_nodes="soon")  # type: ignore[arg-type]


def test_the_dashboard_answers_a_browser() -> None:
    with Emulator() as emulator:
        emulator.v2("web1").status()
        assert emulator.dashboard_url == emulator.url + "/__emulator/"
        connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=20)
        connection.request("GET", "/__emulator/", headers={"Accept": "text/html"})
        response = connection.getresponse()
        page = response.read().decode()
        assert response.getheader("Content-Type", "").startswith("text/html")
        assert "<td>web1</td>" in page and "web1 (ACTIVE)" in page
        assert call(emulator.port, "GET", "/__emulator/")[1]["servers"], "JSON for other clients"


def test_the_command_line_takes_a_seed_and_keeps_its_state(tmp_path: Path) -> None:
    file = tmp_path / "state.json"

    def start(*args: str) -> Tuple[subprocess.Popen[str], int]:
        process = subprocess.Popen(
            [sys.executable, "-m", "rackconnect.emulator", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("listening on http://"), first
        return process, int(first.strip().rsplit(":", 1)[1])

    def stop(process: subprocess.Popen[str], how: int = signal.SIGTERM) -> None:
        process.send_signal(how)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err

    tokens = []
    for _ in range(2):
        process, port = start("--seed", "4")
        tokens.append(sign_in(port))
        stop(process)
    assert tokens[0] == tokens[1]

    process, port = start("--state", str(file))
    status, built, _ = call(port, "POST", "/__emulator/servers", {"name": "survivor"})
    assert status == 201
    stop(process, signal.SIGINT)
    process, port = start("--state", str(file))
    names = [s["name"] for s in call(port, "GET", "/__emulator/")[1]["servers"]]
    stop(process)
    assert "survivor" in names
