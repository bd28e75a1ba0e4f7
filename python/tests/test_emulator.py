"""The emulator from the wheel: ``rackconnect.testing.Emulator`` (its control API, and the HTTP/1.1
server of threads around the engine carrying out what the engine says), the pytest fixtures through
the wheel's entry point, and ``python -m rackconnect.emulator``. No emulator binary is involved.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest

import rackconnect
from rackconnect.testing import BUILT_IN_SCENARIOS, ControlError, Emulator

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WEB1 = "00000001-cccc-4ccc-8ccc-000000000001"
CREDENTIALS = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"}}}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def connect(emulator: Emulator, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", emulator.port), timeout=20, source_address=(source, 0))
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def exchange(emulator: Emulator, raw: bytes) -> bytes:
    """Sends raw bytes on a new connection and reads until the server closes it."""
    with connect(emulator) as sock:
        sock.sendall(raw)
        return read_all(sock)


def post(path: str, body: bytes, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: emulator.test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
    ).encode() + body


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# -- the Python API -------------------------------------------------------------------------------


def test_the_demo_account_and_its_urls(emulator: Emulator) -> None:
    assert emulator.running and emulator.url == f"http://127.0.0.1:{emulator.port}"
    assert emulator.identity_url == emulator.v2_url == emulator.url
    assert (emulator.username, emulator.api_key, emulator.password) == ("demo", "demo-api-key", "demo-password")
    assert (emulator.tenant_id, emulator.region) == ("123456", "DFW")
    assert repr(emulator) == f"Emulator(url='{emulator.url}', running=True)"
    session = emulator.session()
    assert session.show_server(WEB1)["name"] == "web1"
    assert emulator.v2("web1").status() == {"outcome": "answer", "value": "DEPLOYED"}
    assert emulator.v2("127.0.0.3").status() == {"outcome": "answer", "value": "DEPLOYING"}
    # Every request reached the engine through the server, from the address it was sent from.
    log = emulator.requests()["requests"]
    assert log[0]["path"] == "/v2.0/tokens" and log[0]["source_ip"] == "127.0.0.1"
    assert [(r["source_ip"], r["server_id"]) for r in log if r["path"].startswith("/v1/automation_status")] == [
        ("127.0.0.2", WEB1),
        ("127.0.0.3", "00000002-cccc-4ccc-8ccc-000000000002"),
    ]


def test_every_control_call_goes_through_the_engine(emulator: Emulator) -> None:
    assert emulator.set_clock_speed(0)["speed"] == 0
    now = emulator.clock()["now_ms"]
    assert emulator.advance(90)["now_ms"] == now + 90_000
    built = emulator.build_server(name="ci-1", region="iad")
    assert (built["name"], built["region"], built["tenant"]) == ("ci-1", "IAD", "123456")
    assert emulator.set_automation("ci-1", outcome="UNPROCESSABLE", unprocessable_reason="no", finish_now=True) == {
        "id": built["id"],
        "automation_status": "UNPROCESSABLE",
    }
    emulator.delete_server(built["id"])
    assert "ci-1" not in [s["name"] for s in emulator.summary()["servers"]]
    pending = emulator.inject_fault("delay", delay_ms=5, count=2, path_prefix="/v1/")
    assert [(f["kind"], f["count"], f["delay_ms"], f["path_prefix"]) for f in pending] == [("delay", 2, 5, "/v1/")]
    emulator.clear_faults()
    assert emulator.faults() == []
    emulator.session().list_pools()
    assert emulator.expire_tokens() == 1
    assert emulator.requests()["requests"]
    emulator.clear_requests()
    assert emulator.requests() == {"requests": [], "servers": {}}
    assert emulator.control("GET", "clock")["speed"] == 0
    # Refusals raise with the emulator's own words and status.
    with pytest.raises(ControlError, match="speed: expected emulated seconds per real second, from 0 to 86400") as refused:
        emulator.set_clock_speed(1e9)
    assert refused.value.status == 400
    with pytest.raises(ControlError, match="no server nope") as missing:
        emulator.set_automation("nope", outcome="FAILED")
    assert missing.value.status == 404
    with pytest.raises(ControlError, match="kind must be"):
        emulator.inject_fault("explode")  # type: ignore[arg-type]


def test_a_reset_builds_the_scenario_again(emulator: Emulator) -> None:
    token_session = emulator.session()
    token_session.list_pools()
    emulator.advance(86_400)
    emulator.build_server(name="extra")
    summary = emulator.reset()
    assert "extra" not in [s["name"] for s in summary["servers"]]
    assert abs(summary["clock"]["now_ms"] - time.time() * 1000) < 60_000
    # The session's token is gone with the world: the core signs in again once, by itself.
    assert token_session.list_pools()
    assert [r["status"] for r in emulator.requests()["requests"]][:2] == [401, 200]


def test_scenarios_by_name_path_and_dict(tmp_path: Path) -> None:
    assert BUILT_IN_SCENARIOS == ("demo", "failing-automation", "fleet")
    with Emulator("fleet") as fleet:
        assert (fleet.username, fleet.api_key, fleet.tenant_id) == ("fleet", "fleet-key", "222")
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"accounts": [{"tenant": "7", "users": [{"username": "u", "password": "p"}]}]}))
    for given in (path, str(path)):
        with Emulator(given) as from_file:
            assert (from_file.username, from_file.api_key, from_file.password) == ("u", None, "p")
            assert from_file.region is None
    with Emulator({"accounts": [{"tenant": "8", "users": [{"username": "x"}]}]}) as from_dict:
        with pytest.raises(ValueError, match="neither an API key nor a password"):
            from_dict.session()
    with pytest.raises(ValueError, match=r"built-in scenario \(demo, failing-automation, fleet\).*'nope'"):
        Emulator("nope")
    with pytest.raises(ValueError, match="invalid scenario: unknown field `acounts`.*line 1 column"):
        Emulator({"acounts": []})
    with pytest.raises(FileNotFoundError):
        Emulator(str(tmp_path / "missing.json"))


def test_loopback_unless_public_and_a_sane_clock() -> None:
    with pytest.raises(ValueError, match=r"listen 0\.0\.0\.0:0 is not a loopback address.*public=True"):
        Emulator(listen="0.0.0.0:0")
    with pytest.raises(ValueError, match="listen: expected ADDRESS:PORT"):
        Emulator(listen="localhost")
    with pytest.raises(ValueError, match="clock_speed"):
        Emulator(clock_speed=-1)
    with Emulator(listen="0.0.0.0:0", public=True) as public:
        assert public.url.startswith("http://0.0.0.0:")
        reached = http.client.HTTPConnection("127.0.0.1", public.port, timeout=10)
        reached.request("GET", "/__emulator/clock")
        assert reached.getresponse().status == 200
    with Emulator(listen="[::1]:0") as six:
        assert six.url.startswith("http://[::1]:")
        assert six.clock()


def test_stop_closes_the_port_and_every_connection_and_keeps_the_log() -> None:
    emulator = Emulator()
    idle = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    idle.request("GET", "/nowhere")
    assert idle.getresponse().read()
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 2 and not emulator.running
    emulator.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", emulator.port), timeout=5)
    # The kept-alive connection was closed too.
    idle.request("GET", "/nowhere")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        idle.getresponse()
    assert [r["path"] for r in emulator.requests()["requests"]] == ["/nowhere"]


# -- the HTTP/1.1 server: what the engine says, carried out -------------------------------------


def test_keep_alive_head_and_204(emulator: Emulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    connection.request("POST", "/v2.0/tokens", json.dumps(CREDENTIALS), {"Content-Type": "application/json"})
    answer = connection.getresponse()
    assert answer.status == 200 and json.loads(answer.read())["access"]["token"]["id"]
    first_socket = connection.sock
    connection.request("HEAD", "/__emulator/clock")
    head = connection.getresponse()
    assert head.status in (200, 404, 405) and head.read() == b""
    connection.request("DELETE", "/__emulator/faults")
    deleted = connection.getresponse()
    assert (deleted.status, deleted.getheader("Content-Length"), deleted.read()) == (204, None, b"")
    assert connection.sock is first_socket, "the connection was kept alive"
    # The engine's headers come through: Date in emulated time, Content-Type.
    connection.request("GET", "/__emulator/clock")
    clock = connection.getresponse()
    assert clock.getheader("Content-Type") == "application/json" and clock.getheader("Date")
    assert clock.read()


def test_injected_faults_are_carried_out(emulator: Emulator) -> None:
    emulator.inject_fault("delay", delay_ms=400, path_prefix="/nowhere")
    started = time.monotonic()
    answer = exchange(emulator, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert time.monotonic() - started >= 0.4 and status_of(answer) == 404

    emulator.inject_fault("status", status=503, retry_after=7)
    answer = exchange(emulator, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n") and b"\r\nRetry-After: 7\r\n" in answer
    assert answer.endswith(b'{"errors":["Injected fault"]}')

    emulator.inject_fault("reset")
    assert exchange(emulator, b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n") == b""

    emulator.inject_fault("truncate")
    answer = exchange(emulator, post("/v2.0/tokens", json.dumps(CREDENTIALS).encode()))
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1])
    assert status_of(answer) == 200 and 0 < len(body) == length // 2

    faults = [(r["fault"], r["status"]) for r in emulator.requests()["requests"]]
    assert faults == [("delay", 404), ("status", 503), ("reset", 0), ("truncate", 200)]


def test_a_delay_does_not_outlive_stop() -> None:
    emulator = Emulator()
    emulator.inject_fault("delay", delay_ms=60_000)
    answers: List[bytes] = []
    waiting = threading.Thread(target=lambda: answers.append(exchange(emulator, b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")))
    waiting.start()
    time.sleep(0.3)
    started = time.monotonic()
    emulator.stop()
    waiting.join(10)
    assert not waiting.is_alive() and answers == [b""] and time.monotonic() - started < 2


def test_bodies_within_the_limit_chunked_and_100_continue(emulator: Emulator) -> None:
    body = json.dumps(CREDENTIALS).encode()
    chunked = (
        b"POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + b"".join(b"%x;ext=1\r\n%s\r\n" % (len(body[i : i + 10]), body[i : i + 10]) for i in range(0, len(body), 10))
        + b"0\r\nTrailer: yes\r\n\r\n"
    )
    assert status_of(exchange(emulator, chunked)) == 200
    with connect(emulator) as sock:
        sock.sendall(post("/v2.0/tokens", b"", "Expect: 100-continue\r\n").replace(b"Length: 0", b"Length: %d" % len(body)))
        assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        assert status_of(read_all(sock)) == 200


def test_bodies_over_1_mib_are_refused_unread(emulator: Emulator) -> None:
    # Announced: answered at once, without a byte of it read, and the connection closed.
    started = time.monotonic()
    with connect(emulator) as sock:
        sock.sendall(b"POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n")
        answer = read_all(sock)
    assert status_of(answer) == 413 and b"Connection: close" in answer and time.monotonic() - started < 2
    assert b"Request body larger than 1048576 bytes" in answer
    # Chunked past the limit: read up to it, then refused.
    huge = b"100000\r\n" + b" " * 0x100000 + b"\r\n" + b"1\r\n \r\n0\r\n\r\n"
    chunked = b"POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with connect(emulator) as sock:
        sock.sendall(chunked)
        try:
            sock.sendall(huge)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert status_of(read_all(sock)) == 413


def test_malformed_heads_and_framing_get_400_or_431(emulator: Emulator) -> None:
    assert status_of(exchange(emulator, b"NOT HTTP AT ALL\r\n\r\n")) == 400
    assert status_of(exchange(emulator, b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")) == 400
    assert status_of(exchange(emulator, b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")) == 400
    assert status_of(exchange(emulator, b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")) == 400
    assert status_of(exchange(emulator, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) == 400
    many = b"".join(b"X-%d: y\r\n" % i for i in range(101))
    assert status_of(exchange(emulator, b"GET / HTTP/1.1\r\n" + many + b"\r\n")) == 431
    with connect(emulator) as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nX: " + b"y" * 70_000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert status_of(read_all(sock)) == 431
    # HTTP/1.0: answered, then closed.
    answer = exchange(emulator, b"GET /__emulator/clock HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 200 and b"Connection: close" in answer
    assert emulator.clock()  # still serving


def test_slow_heads_are_dropped_and_late_bodies_get_408(emulator: Emulator) -> None:
    # Both at once: the head limit is 5 s, the body's 10 s.
    idle, late = connect(emulator), connect(emulator)
    started = time.monotonic()
    late.sendall(b"POST /v2.0/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    idle.sendall(b"GET / HTTP/1.1\r\n")
    assert read_all(idle) == b""
    assert 4.5 < time.monotonic() - started < 8
    answer = read_all(late)
    assert status_of(answer) == 408 and 9.5 < time.monotonic() - started < 14
    idle.close()
    late.close()


def test_many_clients_at_once(emulator: Emulator) -> None:
    statuses: List[int] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=20)
        for _ in range(10):
            connection.request("GET", "/__emulator/clock")
            answer = connection.getresponse()
            answer.read()
            with lock:
                statuses.append(answer.status)

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * 160


# -- the pytest plugin, as installed ------------------------------------------------------------


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_suite_that_uses_only_the_fixture_passes(tmp_path: Path) -> None:
    shutil.copy(HERE / "emulator_fixture_suite.py", tmp_path / "test_suite.py")
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 passed" in done.stdout, done.stdout
    # The fixture comes from the entry point named rackconnect: without it, there is none.
    without = run_pytest(tmp_path, "-p", "no:rackconnect")
    assert without.returncode != 0 and "fixture 'rackconnect_emulator' not found" in without.stdout
    markers = subprocess.run(
        [sys.executable, "-m", "pytest", "--markers", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "@pytest.mark.rackconnect_emulator(scenario=None" in markers.stdout


# -- python -m rackconnect.emulator -------------------------------------------------------------


def start_command(*args: str, command: Optional[List[str]] = None) -> Tuple[subprocess.Popen[str], str, str]:
    """Starts the command line, waits for its two lines: the process, its URL, its second line."""
    process = subprocess.Popen(
        [*(command or [sys.executable, "-m", "rackconnect.emulator"]), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("listening on http://"), first + (process.stderr.read() if process.stderr else "")
    return process, first.strip().removeprefix("listening on "), process.stdout.readline().strip()


def test_the_command_line_serves_until_sigterm_or_ctrl_c() -> None:
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        process, url, account = start_command("--listen", "127.0.0.1:0", "--clock-speed", "60")
        try:
            assert url.startswith("http://127.0.0.1:")
            assert account == "sign in as user demo, tenant 123456, region DFW"
            session = rackconnect.Session(url, username="demo", api_key="demo-api-key", region="dfw")
            assert session.list_pools()
            # The clock runs at the speed asked for.
            port = int(url.rsplit(":", 1)[1])
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/__emulator/clock")
            assert json.loads(connection.getresponse().read())["speed"] == 60
        finally:
            process.send_signal(stop_signal)
            out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert err.strip() == "rackconnect-emulator: stopped"
        # No secret in what it prints.
        assert "demo-api-key" not in out + err and "demo-password" not in out + err


def test_the_console_script_and_its_options(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "rackconnect-emulator"
    assert script.is_file(), "the wheel installs the rackconnect-emulator command"
    process, url, account = start_command("--listen", "127.0.0.1:0", "--scenario", "fleet", command=[str(script)])
    process.terminate()
    process.communicate(timeout=10)
    assert account == "sign in as user fleet, tenant 222, region ORD" and process.returncode == 0

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60)

    usage = run("--help")
    assert usage.returncode == 0 and "--public" in usage.stdout and "API key demo-api-key" in usage.stdout
    refused = run("--listen", "0.0.0.0:0")
    assert refused.returncode == 2
    assert "is not a loopback address" in refused.stderr and "add --public" in refused.stderr
    assert run("--scenario", "nope").returncode == 2
    misspelt = run("--listen", "localhost")
    assert misspelt.returncode == 2 and "--listen: expected ADDRESS:PORT (127.0.0.1:0)" in misspelt.stderr
    assert json.loads(run("--print-scenario", "--scenario", "fleet").stdout)["accounts"][0]["tenant"] == "222"
    assert json.loads(run("--print-scenario").stdout)["accounts"][0]["tenant"] == "123456"
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    invalid = run("--scenario", str(broken), "--listen", "127.0.0.1:0")
    assert invalid.returncode == 2 and "invalid scenario" in invalid.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run("--listen", f"127.0.0.1:{taken.getsockname()[1]}")
    assert busy.returncode == 1 and "cannot listen on 127.0.0.1:" in busy.stderr

    process, url, _ = start_command("--listen", "0.0.0.0:0", "--public", command=[str(script)])
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert url.startswith("http://0.0.0.0:") and "warning: listening on 0.0.0.0:0, beyond this machine" in err


def test_the_readme_examples_run(tmp_path: Path) -> None:
    # python/README.md, "Testing with the emulator": the in-process example, and the fixture
    # examples (their bodies made to do something) as a suite run through the installed plugin.
    readme = (REPO / "python" / "README.md").read_text()
    section = readme[readme.index("## Testing with the emulator") : readme.index("### Size")]
    example, fixtures, controls = re.findall(r"```python\n(.*?)```", section, re.S)
    done = subprocess.run([sys.executable, "-c", controls], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.endswith("saved\n"), done.stdout + done.stderr
    assert json.loads((tmp_path / "world.json").read_text())["seed"] == 7
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "\ndone\n{'outcome': 'answer', 'value': 'FAILED'}\n" in done.stdout, done.stdout
    suite = fixtures.replace("    ...\n", "    assert rackconnect_emulator.username == 'fleet'\n")
    (tmp_path / "test_readme.py").write_text(suite)
    ran = run_pytest(tmp_path)
    assert ran.returncode == 0 and "3 passed" in ran.stdout, ran.stdout + ran.stderr


def test_the_docs_page_pytest_example_runs(tmp_path: Path) -> None:
    # docs/emulator.md, "pytest": the suite as written, run through the installed plugin.
    page = (REPO / "docs" / "emulator.md").read_text()
    section = page[page.index("## pytest") : page.index("## Ansible and Salt in CI")]
    (suite,) = re.findall(r"```python\n(.*?)```", section, re.S)
    (tmp_path / "test_docs_page.py").write_text(suite)
    ran = run_pytest(tmp_path)
    assert ran.returncode == 0 and "2 passed" in ran.stdout, ran.stdout + ran.stderr
