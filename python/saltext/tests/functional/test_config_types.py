"""Settings of the wrong type, from pillar and from the minion configuration, end at once with a
message naming the key, before any request (never coerced and sent: an api_key given as a list
used to reach Identity as its Python text and come back as a 401)."""

from __future__ import annotations

import pytest
from salt.exceptions import SaltInvocationError

from conftest import SECRET


@pytest.fixture(scope="module")
def minion_config_overrides(tmp_path_factory, emulator_url: str):
    pillar_root = tmp_path_factory.mktemp("pillar")
    (pillar_root / "top.sls").write_text("base:\n  '*':\n    - rackconnect\n")
    (pillar_root / "rackconnect.sls").write_text(
        f"rackconnect:\n  identity_url: {emulator_url}\n  username: demo\n  region: DFW\n"
        f"  v2_url: {emulator_url}\n  source_address: 127.0.0.2\n  api_key:\n    - {SECRET}\n"
    )
    # No rackconnect: in the minion configuration: config.get finds the pillar's.
    return {"pillar_roots": {"base": [str(pillar_root)]}}


def test_the_settings_come_from_pillar_alone(loaders) -> None:
    assert "rackconnect" not in loaders.opts


def test_an_api_key_given_as_a_list_in_pillar_fails_at_once(modules, emulator_requests) -> None:
    emulator_requests.clear()
    with pytest.raises(SaltInvocationError) as raised:
        modules.rackconnect.list_servers()
    assert "rackconnect:api_key must be a string, got a list" in str(raised.value)
    assert SECRET not in str(raised.value)
    # Refused before anything was sent: no token was asked for, nothing was retried.
    assert emulator_requests.get()["requests"] == []


def test_a_v2_function_fails_on_the_bad_setting_too(modules, emulator_requests) -> None:
    # The configuration is wrong as a whole: every function says so, v2 ones too.
    emulator_requests.clear()
    with pytest.raises(SaltInvocationError, match="rackconnect:api_key must be a string, got a list"):
        modules.rackconnect.status()
    assert emulator_requests.get()["requests"] == []


def test_an_argument_replaces_the_bad_setting(modules) -> None:
    # The call's own api_key replaces the configured list, which is then not used.
    pools = modules.rackconnect.list_pools(api_key="demo-api-key")
    assert any(p["name"] for p in pools), pools


def test_a_state_reports_the_bad_setting_as_its_comment(states) -> None:
    ret = states.rackconnect.public_ip_present(name="00000001-cccc-4ccc-8ccc-000000000001", test=True)
    assert ret.result is False, ret
    assert "rackconnect:api_key must be a string, got a list" in ret.comment, ret
    assert SECRET not in str(ret.comment)
