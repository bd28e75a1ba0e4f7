# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations


class ModuleDocFragment:
    # The Identity options of every module that needs a token (Cloud Servers, RackConnect v3).
    # The environment variables are the ones the rackconnect command reads.
    DOCUMENTATION = r"""
options:
  identity_url:
    description:
      - Where to authenticate. V(us) is Rackspace Identity, V(uk) its London endpoint; any other
        value is the base URL of an Identity v2.0 service (for example a local rackconnect emulator).
      - If not set, the value of the E(RAX_IDENTITY_URL) environment variable is used, then V(us).
    type: str
    default: us
  username:
    description:
      - The Rackspace user name. Required, here or in the environment.
      - If not set, the value of the E(RAX_USERNAME) environment variable is used.
    type: str
  api_key:
    description:
      - The user's API key.
      - If not set, the value of the E(RAX_API_KEY) environment variable is used.
      - Exactly one of O(api_key) and O(password) must be given (or found in the environment).
    type: str
  password:
    description:
      - The user's password, instead of O(api_key).
      - If not set, the value of the E(RAX_PASSWORD) environment variable is used.
      - Accounts that require multi-factor authentication cannot log in with a password here; use O(api_key).
    type: str
  region:
    description:
      - The region to work in (V(dfw), V(hkg), V(iad), V(lon), V(ord) or V(syd), in any case).
      - If not set, the value of the E(RAX_REGION) environment variable is used, then the user's default region.
    type: str
  tenant:
    description:
      - The tenant (account number) to scope the token to, for users of several accounts.
      - If not set, the value of the E(RAX_TENANT) environment variable is used, then the user's own tenant.
    type: str
notes:
  - Secrets are never returned or logged. Prefer the environment (E(RAX_API_KEY)) or Ansible Vault to
    writing a key into a playbook.
"""
