"""Unit tests with salt-factories' loader fixture (``configure_loader_modules``): the checks that
end a bad configuration at once, before any request. The real ``rackconnect`` package is used;
only Salt's ``config.get`` is given here (the configuration under test)."""

from __future__ import annotations

import pytest
import rackconnect
from salt.exceptions import SaltInvocationError

from saltext.rackconnect.beacons import rackconnect_mod as beacon_mod
from saltext.rackconnect.modules import rackconnect_mod as module_mod
from saltext.rackconnect.utils import rackconnect as rcutils

# Where nothing listens: a check that let a bad value through would fail to connect instead of
# raising the message the test expects.
NOWHERE = "http://127.0.0.1:9"
CONFIGURED = {"identity_url": NOWHERE, "username": "demo", "api_key": "k", "v2_url": NOWHERE}


def config_get(configured):
    def get(key, default=None):
        assert key == "rackconnect", key
        return configured

    return get


@pytest.fixture
def configure_loader_modules(request):
    configured = getattr(request, "param", CONFIGURED)
    loader_globals = {"__salt__": {"config.get": config_get(configured)}, "__context__": {}, "__opts__": {}}
    return {module_mod: loader_globals, beacon_mod: loader_globals}


@pytest.mark.parametrize(
    "configure_loader_modules, message",
    [
        ({**CONFIGURED, "api_key": ["a", "b"]}, "rackconnect:api_key must be a string, got a list"),
        ({**CONFIGURED, "password": {"x": 1}, "api_key": None}, "rackconnect:password must be a string, got a mapping"),
        ({**CONFIGURED, "region": True}, "rackconnect:region must be a string, got a boolean"),
        ({**CONFIGURED, "tenant": 1.5}, "rackconnect:tenant must be a string, got a number"),
        (["not", "a", "mapping"], "the `rackconnect` configuration must be a mapping"),
    ],
    indirect=["configure_loader_modules"],
)
def test_a_setting_of_the_wrong_type_fails_at_once_naming_the_key(configure_loader_modules, message) -> None:
    with pytest.raises(SaltInvocationError) as raised:
        module_mod.list_servers()
    assert message in str(raised.value)


def test_an_argument_of_the_wrong_type_is_named_as_an_argument() -> None:
    with pytest.raises(SaltInvocationError, match="argument api_key must be a string, got a list"):
        module_mod.list_pools(api_key=["x"])
    with pytest.raises(SaltInvocationError, match="argument source_address must be a string, got a number"):
        module_mod.status(source_address=1.5)


def test_the_secret_never_appears_in_the_message() -> None:
    with pytest.raises(SaltInvocationError) as raised:
        module_mod.list_pools(api_key=["sekrit-0123"])
    assert "sekrit" not in str(raised.value)


def test_all_digit_values_read_by_yaml_as_numbers_are_kept_as_typed() -> None:
    settings = rcutils.connection_settings(config_get({"tenant": 123456, "password": 42}), {})
    assert settings["tenant"] == "123456" and settings["password"] == "42"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: module_mod.wait(not_applicable_ok="no"), "not_applicable_ok must be True or False, got a string"),
        (lambda: module_mod.server_wait(["a"]), "server_id must be an id (a string), got a list"),
        (lambda: module_mod.server_wait("s", managed="yes"), "managed must be True or False, got a string"),
        (lambda: module_mod.server_wait("s", timeout=True), "timeout must be a number of seconds, got a boolean"),
        (lambda: module_mod.server_wait("s", timeout=-1), "timeout must be a number of seconds, 0 or more"),
        (lambda: module_mod.list_nodes({"id": "p"}), "pool_id must be an id (a string), got a mapping"),
        (lambda: module_mod.list_public_ips(retain="false"), "retain must be True or False, got a string"),
        (
            lambda: module_mod.ensure_pool_members([{"id": "s"}], "p"),
            "each item of servers must be an id (a string), got a mapping",
        ),
        (lambda: module_mod.ensure_pool_members("s", 5), "pools must be a list of ids (or a comma-separated string), got a number"),
        (lambda: module_mod.ensure_public_ip("s", dry_run=1), "dry_run must be True or False, got a number"),
    ],
)
def test_arguments_are_checked_by_type_before_any_request(call, message) -> None:
    with pytest.raises(SaltInvocationError) as raised:
        call()
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "config, message",
    [
        ({"managed": True}, "not a list"),
        ([{"api_key": "x"}], "do not put api_key in the beacon's configuration"),
        ([{"password": "x"}], "do not put password in the beacon's configuration"),
        ([{"manged": True}], "unknown option(s) manged"),
        ([{"managed": "yes"}], "managed must be True or False, got a string"),
        ([{"source_address": ["127.0.0.2"]}], "source_address must be a string, got a list"),
        ([{"managed": True}], "managed: True needs server_id"),
        ([{"automation": False}], "nothing to watch"),
        ([{"interval": "10"}], "interval must be a number of seconds, got a string"),
    ],
)
def test_the_beacon_refuses_a_bad_configuration_with_a_clear_message(config, message) -> None:
    valid, reason = beacon_mod.validate(config)
    assert valid is False
    if message == "not a list":
        message = "must be a list of single-key mappings (e.g. `- managed: True`), got a mapping"
    assert message in reason, reason


def test_the_beacon_interval_cannot_go_below_the_cores_minimum() -> None:
    minimum = rackconnect.WATCH_INTERVAL
    assert minimum >= 2, "the core's minimum keeps a beacon well within v2's 30 requests a minute"
    valid, reason = beacon_mod.validate([{"interval": minimum - 1}])
    assert valid is False and "interval must be at least {:g} seconds".format(minimum) in reason, reason
    assert beacon_mod.validate([{"interval": minimum}]) == (True, "Valid beacon configuration")
    assert beacon_mod.validate([{"managed": True}, {"server_id": "s"}, {"automation": False}])[0] is True
