# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
name: reachable_ip
short_description: The address a cloud server is reachable at, by the same rule as the inventory
version_added: 0.1.0
description:
  - For each term (a server's id or name; C(*) and C(?) match any servers, case is ignored), the address of
    every matching server of the region, by the rule of the P(rackconnect.rackconnect.servers#inventory)
    inventory - the RackConnect public IP once RackConnect v2 automation is V(DEPLOYED), then the server's
    active RackConnect v3 public IP, then C(accessIPv4), the V(public) network, another cloud network and
    ServiceNet; or the address on O(access_network).
  - A term that matches no server, or a server without an address, is an error.
author:
  - The rackconnect developers (@rackconnect)
extends_documentation_fragment:
  - rackconnect.rackconnect.controller_auth
options:
  _terms:
    description: Server ids or names (patterns).
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
    description: The network whose address is wanted - V(public), V(private) (ServiceNet) or a cloud network's label.
    type: str
  ip_version:
    description: Which address family.
    type: int
    choices: [4, 6]
    default: 4
"""

EXAMPLES = r"""
- name: Point the application at the database by its reachable address
  ansible.builtin.template:
    src: app.conf.j2
    dest: /etc/app.conf
  vars:
    db_host: "{{ lookup('rackconnect.rackconnect.reachable_ip', 'db1', region='dfw') }}"

- name: Every web server's ServiceNet address
  ansible.builtin.debug:
    msg: "{{ query('rackconnect.rackconnect.reachable_ip', 'web*', access_network='private') }}"
"""

RETURN = r"""
_raw:
  description: The addresses, one per matching server (by region, then name).
  type: list
  elements: str
"""

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.rackconnect.rackconnect.plugins.plugin_utils.inventory import read_inventory


class LookupModule(LookupBase):
    NAME = "rackconnect.rackconnect.reachable_ip"

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        region = self.get_option("region")
        addresses = []
        for term in terms:
            hosts = read_inventory(
                self.NAME,
                self.get_option,
                [region] if region else None,
                access_network=self.get_option("access_network"),
                ip_version=self.get_option("ip_version"),
                filters={"server": term},
            )["hosts"]
            if not hosts:
                raise AnsibleError("%s: no server matches %r" % (self.NAME, term))
            unreachable = [host for host in hosts if not host["address"]]
            if unreachable:
                raise AnsibleError(self.no_address(unreachable))
            addresses.extend(host["address"] for host in hosts)
        return addresses

    def no_address(self, hosts):
        """Every server without an address, with the networks it has when one was asked for."""
        network = self.get_option("access_network")
        if not network:
            names = ", ".join(host["name"] for host in hosts)
            return "%s: no address to reach %s by" % (self.NAME, names)
        prefix = "rackconnect_"
        described = []
        for host in hosts:
            networks = sorted((host["vars"].get(prefix + "addresses") or {}).keys())
            described.append("%s (its networks: %s)" % (host["name"], ", ".join(networks) or "none"))
        return "%s: no address on the network %r (access_network, IPv%s) for %s" % (
            self.NAME, network, self.get_option("ip_version"), "; ".join(described))
