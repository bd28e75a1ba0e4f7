# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations


class ModuleDocFragment:
    # Every module of the collection is in the action group `rackconnect` (meta/runtime.yml), so
    # that a play sets credentials and region once, in module_defaults.
    DOCUMENTATION = r"""
attributes:
  action_group:
    description:
      - Use C(group/rackconnect.rackconnect.rackconnect) in C(module_defaults) to set the credentials, the region
        and any other option once for every module of the collection.
    support: full
    membership:
      - rackconnect.rackconnect.rackconnect
"""
