# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations


class ModuleDocFragment:
    # The Identity options of the plugins that run on the controller (inventory, lookups): the
    # same names and environment variables as the modules' rackconnect.rackconnect.auth.
    DOCUMENTATION = r"""
options:
  identity_url:
    description:
      - Where to authenticate. V(us) is Rackspace Identity, V(uk) its London endpoint; any other value is the
        base URL of an Identity v2.0 service (for example a local rackconnect emulator).
    type: str
    default: us
    env:
      - name: RAX_IDENTITY_URL
  username:
    description: The Rackspace user name. Required, here or in the environment.
    type: str
    env:
      - name: RAX_USERNAME
  api_key:
    description:
      - The user's API key. Exactly one of O(api_key) and O(password) must be given (or found in the environment).
      - Prefer the environment or Ansible Vault to writing a key into a file.
    type: str
    env:
      - name: RAX_API_KEY
  password:
    description: The user's password, instead of O(api_key).
    type: str
    env:
      - name: RAX_PASSWORD
  tenant:
    description: The tenant (account number) to scope the token to, for users of several accounts.
    type: str
    env:
      - name: RAX_TENANT
requirements:
  - rackconnect (the Python package, on the controller)
"""
