"""``salt-call --local`` against the emulator of the rackconnect wheel, started as a Salt user's CI
would: ``python -m rackconnect.emulator`` in Salt's own Python (where the wheel is installed), with
no emulator binary involved. Stopped with SIGTERM, it must end cleanly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from conftest import API_POOL, UNMANAGED, Salt

WEB2 = "00000002-cccc-4ccc-8ccc-000000000002"  # being built: two emulated minutes


@pytest.fixture(scope="module")
def pip_emulator() -> Iterator[str]:
    python = Path(os.environ["SALTEXT_RC_VENV"]) / "bin" / "python"
    process = subprocess.Popen(
        [str(python), "-m", "rackconnect.emulator", "--listen", "127.0.0.1:0", "--clock-speed", "60"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        assert first.startswith("listening on http://127.0.0.1:"), first
        yield first.strip()[len("listening on ") :]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert err.strip() == "rackconnect-emulator: stopped", err
    assert "demo-api-key" not in out + err


@pytest.fixture(scope="module")
def pip_salt(pip_emulator: str, config_variant) -> Salt:
    return config_variant(
        "pip-emulator",
        f"""\
        identity_url: {pip_emulator}
        username: demo
        api_key: demo-api-key
        region: DFW
        tenant: "123456"
        v2_url: {pip_emulator}
        source_address: 127.0.0.2
        """,
    )


def test_execution_functions_against_the_pip_emulator(pip_salt: Salt) -> None:
    assert pip_salt("rackconnect.status").data == "DEPLOYED"
    pools = {pool["name"] for pool in pip_salt("rackconnect.list_pools").data}
    assert {"dfw-web-80", "dfw-api-443"} <= pools, pools
    done = pip_salt("rackconnect.server_wait", WEB2, "timeout=600").data
    assert done["outcome"] == "done" and done["success"] is True, done


def test_a_state_converges_against_the_pip_emulator(pip_salt: Salt, sls) -> None:
    name = sls(
        "pip_emulator_present",
        f"""\
        api_pool_member:
          rackconnect.pool_member_present:
            - servers:
              - {UNMANAGED}
            - pools:
              - {API_POOL}
            - timeout: 120
        """,
    )
    first = pip_salt("state.apply", name).states()["api_pool_member"]
    assert first["result"] is True and first["changes"], first
    second = pip_salt("state.apply", name).states()["api_pool_member"]
    assert second["result"] is True and not second["changes"], second
