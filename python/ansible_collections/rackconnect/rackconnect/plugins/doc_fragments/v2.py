# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations


class ModuleDocFragment:
    # The options of the modules that ask RackConnect v2 from the server itself.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The server's region, V(dfw), V(hkg), V(iad), V(lon), V(ord) or V(syd). RackConnect v2 is
        asked at C(https://REGION.api.rackconnect.rackspace.com), reachable over ServiceNet only.
      - If not set, the value of the E(RAX_REGION) environment variable is used.
      - One of O(region) and O(base_url) is needed; O(base_url) wins when both are set.
    type: str
  base_url:
    description:
      - The RackConnect v2 base URL, instead of O(region) (for example a local rackconnect emulator).
      - If not set, the value of the E(RAX_RACKCONNECT_V2_URL) environment variable is used.
    type: str
  source_address:
    description:
      - The local IP address to send the requests from. RackConnect v2 tells servers apart by the
        address a request comes from, so every answer is about the server that owns this address.
      - By default the operating system chooses, which is right on a cloud server.
    type: str
notes:
  - RackConnect v2 answers only about the server the request comes from. Run these modules on the
    cloud server itself (not delegated to C(localhost)), or set O(source_address).
  - RackConnect v2 allows 30 requests per minute per server and answers HTTP 403 above that.
"""
