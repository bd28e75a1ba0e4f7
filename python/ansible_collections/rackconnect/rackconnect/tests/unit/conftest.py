# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""Runs modules in-process: module arguments as Ansible passes them, and exit_json/fail_json
turned into exceptions that carry the result. The rackconnect package is the real one."""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19: the arguments are a module global
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


class Exited(Exception):
    """exit_json was called; ``result`` is what it was given."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


class Failed(Exception):
    """fail_json was called; ``result`` is what it was given (with ``msg``)."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class Exits:
    """What the ``exits`` fixture gives: the two exception classes (conftest is not importable
    from the tests themselves)."""

    Exited = Exited
    Failed = Failed


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    def exit_json(self, **result):
        raise Exited(result)

    def fail_json(self, msg, **result):
        raise Failed(dict(result, msg=msg))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    return Exits


@pytest.fixture(autouse=True)
def no_rax_environment(monkeypatch):
    """The tests choose the RAX_* variables the modules see."""
    for name in ("RAX_USERNAME", "RAX_API_KEY", "RAX_PASSWORD", "RAX_REGION", "RAX_TENANT",
                 "RAX_IDENTITY_URL", "RAX_RACKCONNECT_V2_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def module_args():
    """``with module_args({...}):`` runs the block with those module arguments."""
    return patch_module_args
