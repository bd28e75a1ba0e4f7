# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""RackConnectModule: the shared options and their environment fallbacks, the credential and
region messages, and rackconnect errors turned into failures (real rackconnect calls, no network)."""

from __future__ import annotations

import pytest

import rackconnect

from ansible_collections.rackconnect.rackconnect.plugins.module_utils import _rackconnect_module
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule

KEY = "unit-test-api-key-7d2e"


def test_auth_options_fall_back_to_the_environment(exits, module_args, monkeypatch):
    monkeypatch.setenv("RAX_USERNAME", "demo")
    monkeypatch.setenv("RAX_API_KEY", KEY)
    monkeypatch.setenv("RAX_REGION", "lon")
    monkeypatch.setenv("RAX_IDENTITY_URL", "http://127.0.0.1:9")
    with module_args({}):
        module = RackConnectModule(auth=True)
    assert module.params["username"] == "demo"
    assert module.params["api_key"] == KEY
    assert module.params["region"] == "lon"
    assert module.params["identity_url"] == "http://127.0.0.1:9"
    assert module.params["tenant"] is None
    # The real Session (it authenticates on its first call, so no request is made here).
    assert isinstance(module.session(), rackconnect.Session)


def test_an_option_wins_over_the_environment(exits, module_args, monkeypatch):
    monkeypatch.setenv("RAX_REGION", "lon")
    with module_args({"region": "dfw"}):
        module = RackConnectModule(v2=True)
    assert module.params["region"] == "dfw"


def test_a_variable_exported_empty_counts_as_unset(exits, module_args, monkeypatch):
    monkeypatch.setenv("RAX_RACKCONNECT_V2_URL", "")
    monkeypatch.setenv("RAX_REGION", "  ")
    monkeypatch.setenv("RAX_IDENTITY_URL", "")
    with module_args({}):
        module = RackConnectModule(v2=True, auth=True)
    assert module.params["base_url"] is None
    assert module.params["region"] is None
    assert module.params["identity_url"] == "us", "the option's default"
    # An empty value given in the task is the task's own, and left for the core to refuse.
    monkeypatch.delenv("RAX_RACKCONNECT_V2_URL")
    with module_args({"base_url": ""}):
        module = RackConnectModule(v2=True)
    assert module.params["base_url"] == ""


def test_module_options_join_the_shared_ones_and_check_mode_is_supported(exits, module_args):
    with module_args({"username": "demo", "api_key": KEY, "server_id": "s1", "_ansible_check_mode": True}):
        module = RackConnectModule(auth=True, argument_spec=dict(server_id=dict(type="str", required=True),
                                                                 timeout=dict(type="float")))
    assert module.params["server_id"] == "s1"
    assert module.check_mode
    # A wait in check mode looks once (timeout 0), whatever the task says.
    assert module.wait_timeout() == 0


def test_the_secrets_are_no_log(exits, module_args):
    with module_args({"username": "demo", "api_key": KEY}):
        module = RackConnectModule(auth=True)
    assert KEY in module.no_log_values


@pytest.mark.parametrize(
    "args, environment, message",
    [
        ({"api_key": KEY}, {}, "a username is needed: the username option or RAX_USERNAME"),
        ({"username": "demo"}, {},
         "a secret is needed: api_key (or RAX_API_KEY) or password (or RAX_PASSWORD)"),
        ({"username": "demo", "api_key": KEY}, {"RAX_PASSWORD": "pw-from-env"},
         "give api_key or password, not both: found api_key and password (from RAX_PASSWORD)"),
        ({"username": "demo", "password": "pw"}, {"RAX_API_KEY": KEY},
         "give api_key or password, not both: found api_key (from RAX_API_KEY) and password"),
    ],
)
def test_credential_messages_name_options_and_variables(exits, module_args, monkeypatch, args, environment, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with module_args(args):
        module = RackConnectModule(auth=True)
    with pytest.raises(exits.Failed) as failed:
        module.session()
    assert failed.value.result["msg"] == message


def test_no_region_names_the_options_and_variables_that_supply_one(exits, module_args):
    with module_args({}):
        module = RackConnectModule(v2=True)
    with pytest.raises(exits.Failed) as failed:
        module.v2_client()
    msg = failed.value.result["msg"]
    # The core decides that neither is an error, and says so; the module adds where they come from.
    assert msg.startswith("preparing the RackConnect v2 client: invalid option value: invalid base_url: "
                          "expected a base URL or a region")
    assert msg.endswith("; set region (or RAX_REGION), or base_url (or RAX_RACKCONNECT_V2_URL)")
    assert failed.value.result["error"]["field"] == "base_url"
    assert failed.value.result["error"]["kind"] == "invalid_input"


def test_a_region_from_the_environment_is_enough_for_v2(exits, module_args, monkeypatch):
    monkeypatch.setenv("RAX_REGION", "dfw")
    with module_args({}):
        module = RackConnectModule(v2=True)
    assert isinstance(module.v2_client(), rackconnect.V2)


def test_a_bad_region_is_the_cores_message_without_advice(exits, module_args):
    with module_args({"region": "atlantis"}):
        module = RackConnectModule(v2=True)
    with pytest.raises(exits.Failed) as failed:
        module.v2_client()
    assert failed.value.result["msg"] == (
        'preparing the RackConnect v2 client: invalid option value: invalid region: expected one of '
        'dfw, hkg, iad, lon, ord, syd, found "atlantis"'
    )


def test_call_turns_a_rackconnect_error_into_a_failure_with_its_hint(exits, module_args):
    with module_args({"username": "demo", "api_key": KEY, "region": "atlantis"}):
        module = RackConnectModule(auth=True)
    with pytest.raises(exits.Failed) as failed:
        module.session()
    result = failed.value.result
    assert result["msg"].startswith("preparing the Identity session: invalid option value: invalid region")
    assert result["error"] == {"kind": "invalid_input", "field": "region",
                               "expected": "one of dfw, hkg, iad, lon, ord, syd", "found": "atlantis"}


def test_escapes_in_messages_are_shown_not_run(exits, module_args):
    with module_args({"region": "dfw", "source_address": "10.0.0.1\x1b[2J"}):
        module = RackConnectModule(v2=True)
    with pytest.raises(exits.Failed) as failed:
        module.v2_client()
    assert "\x1b" not in failed.value.result["msg"]
    assert "u{1b}[2J" in failed.value.result["msg"]


def test_a_missing_rackconnect_package_fails_at_construction(exits, module_args, monkeypatch):
    monkeypatch.setattr(_rackconnect_module, "rackconnect", None)
    with module_args({}):
        with pytest.raises(exits.Failed) as failed:
            RackConnectModule(v2=True)
    assert "Failed to import the required Python library (rackconnect)" in failed.value.result["msg"]
