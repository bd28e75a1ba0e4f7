# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
name: pool_members
short_description: The cloud servers in RackConnect v3 load balancer pools, as inventory hosts
version_added: 0.1.0
description:
  - For each term (a pool's id or name; C(*) and C(?) match any pools, case is ignored), the servers of the
    region that are members of a matching pool, each as the P(rackconnect.rackconnect.servers#inventory)
    inventory describes a host - C(name), C(address) (the reachable address), C(groups) (its automation's
    state) and C(vars) (the C(rackconnect_*) variables, C(rackconnect_pools) among them).
  - A term that matches no member gives nothing (a pool may be empty).
author:
  - The rackconnect developers (@rackconnect)
extends_documentation_fragment:
  - rackconnect.rackconnect.controller_auth
options:
  _terms:
    description: Pool ids or names (patterns).
    required: true
    type: list
    elements: str
  region:
    description:
      - The region (V(dfw), V(hkg), V(iad), V(lon), V(ord), V(syd), in any case).
      - If not set, the value of the E(RAX_REGION) environment variable is used, then the user's default region.
    type: str
    env:
      - name: RAX_REGION
  access_network:
    description: The network whose address C(address) is - V(public), V(private) (ServiceNet) or a cloud network's label.
    type: str
"""

EXAMPLES = r"""
- name: A backend list for a proxy, from the pool's members that automation is done with
  ansible.builtin.template:
    src: upstreams.conf.j2
    dest: /etc/nginx/conf.d/upstreams.conf
  vars:
    backends: >-
      {{ query('rackconnect.rackconnect.pool_members', 'web')
         | selectattr('groups', 'contains', 'rackconnect_done')
         | map(attribute='address') | list }}
"""

RETURN = r"""
_raw:
  description: The members, each with C(name), C(address), C(groups) and C(vars), one per server.
  type: list
  elements: dict
"""

from ansible.plugins.lookup import LookupBase

from ansible_collections.rackconnect.rackconnect.plugins.plugin_utils.inventory import read_inventory


class LookupModule(LookupBase):
    NAME = "rackconnect.rackconnect.pool_members"

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        region = self.get_option("region")
        members = []
        for term in terms:
            members.extend(read_inventory(
                self.NAME,
                self.get_option,
                [region] if region else None,
                access_network=self.get_option("access_network"),
                filters={"pool": term},
            )["hosts"])
        return members
