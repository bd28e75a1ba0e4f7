"""Runs real ``salt-call --local`` for the tests. ``tests/run`` sets everything up: the venv with
salt and the rackconnect wheel, the emulator, and a minion configuration (``$SALTEXT_RC_CONF``)
whose ``rackconnect:`` settings hold the demo account."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

# The demo account of the emulator (emulator/README.md).
WEB1 = "00000001-cccc-4ccc-8ccc-000000000001"  # DEPLOYED, Managed Complete, in the web pool, v2 127.0.0.2
APP_FAILED = "00000003-cccc-4ccc-8ccc-000000000003"  # FAILED, v2 127.0.0.4
DB_BUILD_ERROR = "00000005-cccc-4ccc-8ccc-000000000005"  # DEPLOYED, Managed Build Error
DB_AUTH_ERROR = "00000006-cccc-4ccc-8ccc-000000000006"  # DEPLOYED, Managed Authentication Error
UNMANAGED = "0000000a-cccc-4ccc-8ccc-00000000000a"  # DEPLOYED, no Managed Operations
WEB_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000001"
API_POOL = "00000001-bbbb-4bbb-8bbb-dfw000000002"
MISSING_POOL = "00000001-bbbb-4bbb-8bbb-dfw0000000ff"
V2_DEPLOYED, V2_FAILED, V2_UNPROCESSABLE = "127.0.0.2", "127.0.0.4", "127.0.0.5"
SECRET = "sekrit-salt-0123-not-the-key"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through python/saltext/tests/run")
    return value


@dataclass
class Called:
    """One salt-call: its exit code, output, and the parsed ``local`` value (None if none)."""

    args: List[str]
    returncode: int
    stdout: str
    stderr: str
    data: Any

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def states(self) -> Dict[str, Dict[str, Any]]:
        """A state run's results, by state id."""
        assert isinstance(self.data, dict), self
        return {ret["__id__"]: ret for ret in self.data.values()}


class Salt:
    """``salt-call --local -c CONF --out json``, against one configuration directory."""

    def __init__(self, conf: Path) -> None:
        self.conf = conf
        self.salt_call = Path(_env("SALTEXT_RC_VENV")) / "bin" / "salt-call"

    def __call__(
        self, *args: str, ok: Optional[bool] = True, env: Optional[Dict[str, str]] = None
    ) -> Called:
        """Runs ``salt-call``; ``ok`` True/False asserts success/failure, None asserts nothing."""
        argv = [str(self.salt_call), "--local", "-c", str(self.conf), "--out", "json", *args]
        proc = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, env=env
        )
        try:
            data = json.loads(proc.stdout)["local"]
        except ValueError:  # nothing, or salt's usage text after invalid arguments
            data = None
        called = Called(list(args), proc.returncode, proc.stdout, proc.stderr, data)
        if ok is not None:
            assert (proc.returncode == 0) == ok, called
        return called


@pytest.fixture(scope="session")
def work() -> Path:
    return Path(_env("SALTEXT_RC_WORK"))


@pytest.fixture(scope="session")
def emulator_url() -> str:
    return _env("SALTEXT_RC_URL")


@pytest.fixture(scope="session")
def salt() -> Salt:
    return Salt(Path(_env("SALTEXT_RC_CONF")))


@pytest.fixture(scope="session")
def minion_config() -> str:
    return (Path(_env("SALTEXT_RC_CONF")) / "minion").read_text()


@pytest.fixture(scope="session")
def config_variant(work: Path, minion_config: str):
    """Makes another configuration directory from the main one: ``rackconnect:`` replaced by
    ``settings`` (or dropped), optionally with a pillar. Shares the file roots."""

    def make(name: str, settings: Optional[str], pillar: Optional[str] = None) -> Salt:
        conf = work / name
        conf.mkdir(exist_ok=True)
        base, _, _ = minion_config.partition("rackconnect:\n")
        text = base.replace(str(work / "root"), str(work / name / "root"))
        if settings is not None:
            text += "rackconnect:\n" + textwrap.indent(textwrap.dedent(settings).strip(), "  ") + "\n"
        if pillar is not None:
            pillar_root = conf / "pillar"
            pillar_root.mkdir(exist_ok=True)
            (pillar_root / "top.sls").write_text("base:\n  '*':\n    - rackconnect\n")
            (pillar_root / "rackconnect.sls").write_text(textwrap.dedent(pillar))
            text += f"pillar_roots:\n  base:\n    - {pillar_root}\n"
        (conf / "minion").write_text(text)
        return Salt(conf)

    return make


@pytest.fixture(scope="session")
def sls(work: Path):
    """Writes ``file_roots/NAME.sls`` and gives the name, for ``state.apply NAME``."""

    def write(name: str, text: str) -> str:
        (work / "file_roots" / f"{name}.sls").write_text(textwrap.dedent(text))
        return name

    return write


@pytest.fixture(scope="session")
def emulator_control(emulator_url: str):
    """POSTs JSON to the emulator's control API (``/__emulator/...``) and gives the answer."""

    def post(path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        request = urllib.request.Request(
            f"{emulator_url}/__emulator/{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        # No proxy from the environment: the emulator is on 127.0.0.1.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as answer:
            return json.loads(answer.read())

    return post


# pytest-salt-factories: its daemons, configuration files and listeners stay on 127.0.0.1 and
# under the run's work directory (removed by tests/run).


def pytest_sessionfinish(session):
    # Salt queues every log record in a temporary handler and writes the queue to stderr at exit,
    # when pytest has closed it ("Logging error" by the dozen): hand the queue over now.
    import salt._logging.impl

    salt._logging.impl.shutdown_temp_handler()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionstart(session):
    log_server = session.config.pluginmanager.get_plugin("saltfactories-log-server")
    if log_server is not None:
        log_server.log_host = "127.0.0.1"
    return (yield)


@pytest.fixture(scope="session")
def salt_factories_config(work: Path) -> Dict[str, Any]:
    return {"root_dir": work / "factories", "inject_sitecustomize": False, "start_timeout": 120}


@pytest.fixture(scope="session")
def event_listener():
    """salt-factories' listener of the masters' events, on 127.0.0.1 (its default is every
    interface)."""
    from saltfactories.plugins.event_listener import EventListener

    listener = EventListener()
    listener.host = "127.0.0.1"
    listener.address = f"tcp://127.0.0.1:{listener.port}"
    with listener:
        yield listener
