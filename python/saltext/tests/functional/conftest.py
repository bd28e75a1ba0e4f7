"""Functional tests with salt-factories: the extension loaded by Salt's real loaders (through the
wheel's entry point) in this process, talking real HTTP to the emulator that ``tests/run``
started. Each minion configuration is made by ``salt_factories`` in a temporary root."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict

import pytest
import salt.loader
from saltfactories.utils import random_string
from saltfactories.utils.functional import Loaders

from conftest import V2_DEPLOYED


def demo_settings(url: str, **more: Any) -> Dict[str, Any]:
    """The ``rackconnect:`` settings of the emulator's demo account."""
    settings = {
        "identity_url": url,
        "username": "demo",
        "api_key": "demo-api-key",
        "region": "DFW",
        "tenant": "123456",
        "v2_url": url,
        "source_address": V2_DEPLOYED,
    }
    settings.update(more)
    return {key: value for key, value in settings.items() if value is not None}


@pytest.fixture(scope="module")
def minion_config_overrides(emulator_url: str) -> Dict[str, Any]:
    return {"rackconnect": demo_settings(emulator_url)}


@pytest.fixture(scope="module")
def minion_opts(salt_factories, minion_config_overrides, tmp_path_factory) -> Dict[str, Any]:
    state_tree = tmp_path_factory.mktemp("state-tree")
    overrides = {"file_client": "local", "file_roots": {"base": [str(state_tree)]}}
    overrides.update(minion_config_overrides)
    factory = salt_factories.salt_minion_daemon(random_string("functional-"), overrides=overrides)
    return factory.config.copy()


@pytest.fixture(scope="module")
def loaders(minion_opts) -> Loaders:
    return Loaders(minion_opts)


@pytest.fixture(autouse=True)
def reset_loaders_state(loaders):
    try:
        yield
    finally:
        loaders.reset_state()


@pytest.fixture
def modules(loaders):
    return loaders.modules


@pytest.fixture
def states(loaders):
    return loaders.states


@pytest.fixture
def beacons(loaders):
    """The beacon modules, as the minion's beacon loop loads them."""
    return salt.loader.beacons(loaders.opts, loaders.modules, context=loaders.context)


@pytest.fixture
def emulator_requests(emulator_url: str):
    """The emulator's request log: ``clear()`` empties it, ``since()`` gives it."""

    class Log:
        def _call(self, method: str) -> Any:
            request = urllib.request.Request(f"{emulator_url}/__emulator/requests", method=method)
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(request, timeout=10) as answer:
                body = answer.read()
            return json.loads(body) if body else None

        def clear(self) -> None:
            self._call("DELETE")

        def get(self) -> Dict[str, Any]:
            return self._call("GET")

        def v2(self, source_ip: str):
            return [r for r in self.get()["requests"] if r.get("source_ip") == source_ip and r["path"].startswith("/v1/")]

    return Log()
