# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
name: servers
short_description: Rackspace cloud servers as hosts, grouped by their RackConnect and Managed Operations automation
version_added: 0.1.0
description:
  - Reads every cloud server of one or more regions, with its RackConnect v2 and Managed Operations status and,
    where the region has RackConnect v3, its load balancer pools and public IPs.
  - Sets C(ansible_host) to the address the server is reachable at, by one rule (the rackconnect core's) -
    with O(access_network), that network's address; otherwise the RackConnect public IP once RackConnect v2
    automation is V(DEPLOYED), then the server's active RackConnect v3 public IP, then C(accessIPv4), the
    V(public) network, another cloud network, and ServiceNet (V(private)) last. O(compose) may set
    C(ansible_host) otherwise.
  - Puts every host in the group of its automation's state - V(rackconnect_done) (built, and every automation
    that reports on it finished well), V(rackconnect_running) (still building, or an automation still runs),
    V(rackconnect_failed) (the build, RackConnect or Managed Operations failed) or
    V(rackconnect_not_applicable) (RackConnect V(UNPROCESSABLE)). Only V(rackconnect_done) hosts are ready for
    post-build configuration.
  - A key missing from a server's metadata is judged as the waits judge it - within 5 minutes of the build
    (Cloud Servers' C(created) against the time of its answer) it is still to come and the server is running;
    after that, a RackConnect status that the region's other servers have means RackConnect does not apply.
  - Host variables are named C(rackconnect_*) - C(rackconnect_server_id), C(rackconnect_server_name),
    C(rackconnect_region), C(rackconnect_status) (Nova's), C(rackconnect_automation) (the state above),
    C(rackconnect_automation_status), C(rackconnect_unprocessable_reason), C(rackconnect_managed_status),
    C(rackconnect_reachable_ip), C(rackconnect_reached_by), C(rackconnect_access_ipv4),
    C(rackconnect_access_ipv6), C(rackconnect_addresses), C(rackconnect_pools) (each with C(id), C(name),
    C(node_id), C(node_status)), C(rackconnect_public_ips) (each with C(id), C(address), C(retain),
    C(status)), C(rackconnect_v3_read) and C(rackconnect_metadata).
  - Hosts are named after their servers; servers that share a name get the first 8 characters of their id
    appended, so that none is merged into another.
  - The inventory file's name must end in C(rackconnect.yml) or C(rackconnect.yaml).
author:
  - The rackconnect developers (@rackconnect)
extends_documentation_fragment:
  - rackconnect.rackconnect.controller_auth
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; it must be V(rackconnect.rackconnect.servers).
    required: true
    type: str
    choices: [rackconnect.rackconnect.servers]
  regions:
    description:
      - The regions to read (V(dfw), V(hkg), V(iad), V(lon), V(ord), V(syd), in any case).
      - If not set, the value of the E(RAX_REGION) environment variable is used (one region, or several
        separated by commas), then the user's default region.
    type: list
    elements: str
    default: []
    env:
      - name: RAX_REGION
  access_network:
    description:
      - The network whose address C(ansible_host) is set to - V(public), V(private) (ServiceNet) or a cloud
        network's label. A host without an address on it gets no C(ansible_host).
      - Left out, the rule in the description applies.
    type: str
    env:
      - name: RAX_ACCESS_NETWORK
  ip_version:
    description: Which address family C(ansible_host) is taken from.
    type: int
    choices: [4, 6]
    default: 4
    env:
      - name: RAX_ACCESS_IP_VERSION
  rackconnect_v3:
    description:
      - Read RackConnect v3's pools and public IPs, in the regions whose service catalog has RackConnect v3.
      - Costs one request for the public IPs, one for the pools and one per pool.
    type: bool
    default: true
  hostnames:
    description: Name hosts after the server's V(name) or its V(id).
    type: str
    choices: [name, id]
    default: name
  filters:
    description:
      - Only the servers that match every filter. Keys are V(name), V(id), V(server) (its id or name), V(status) (Nova's), V(automation),
        V(automation_status), V(managed_status), V(pool) (a pool's id or name) and V(region); a value is a
        pattern or a list of patterns, any of which may match. Patterns take C(*) and C(?) and ignore case.
    type: dict
    default: {}
"""

EXAMPLES = r"""
# servers.rackconnect.yml: every server of DFW and IAD; credentials from RAX_USERNAME and RAX_API_KEY.
plugin: rackconnect.rackconnect.servers
regions: [dfw, iad]
keyed_groups:
  # managed_Complete, managed_Build_Error, ...
  - key: rackconnect_managed_status | default('none', true)
    prefix: managed
  # pool_web, pool_api, ...: one group per RackConnect v3 pool
  - key: rackconnect_pools | map(attribute='name') | list
    prefix: pool
groups:
  web: rackconnect_server_name.startswith('web')
filters:
  name: ["web*", "app*"]
# Reach the hosts over ServiceNet instead of the RackConnect address:
# access_network: private
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-rackconnect
cache_timeout: 300

# Then configure only what automation has finished with:
#   - hosts: rackconnect_done:&web
"""

from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.rackconnect.rackconnect.plugins.plugin_utils.inventory import read_inventory


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Hosts and groups from the rackconnect core's inventory; Ansible's constructed options and
    cache on top. The plugin only converts: the core reads the regions, decides each host's
    name, address, state and groups, and checks the options."""

    NAME = "rackconnect.rackconnect.servers"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ("rackconnect.yml", "rackconnect.yaml")
        )

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        result = None
        if use_cache:
            try:
                result = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if result is None:
            result = self._read_inventory()
        if update_cache:
            self._cache[cache_key] = result
        self._populate(result)

    def _read_inventory(self):
        return read_inventory(
            self.NAME,
            self.get_option,
            self.get_option("regions"),
            access_network=self.get_option("access_network"),
            ip_version=self.get_option("ip_version"),
            rackconnect_v3=self.get_option("rackconnect_v3"),
            hostnames=self.get_option("hostnames"),
            filters=self.get_option("filters"),
        )

    def _populate(self, result):
        strict = self.get_option("strict")
        for group in result["groups"]:
            self.inventory.add_group(group)
        for host in result["hosts"]:
            name = host["name"]
            self.inventory.add_host(name)
            for group in host["groups"]:
                self.inventory.add_child(group, name)
            for key, value in host["vars"].items():
                self.inventory.set_variable(name, key, value)
            if host["address"]:
                self.inventory.set_variable(name, "ansible_host", host["address"])
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
