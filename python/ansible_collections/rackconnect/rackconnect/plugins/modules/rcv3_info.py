#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: rcv3_info
short_description: Read RackConnect v3 cloud networks, load balancer pools, pool nodes and public IPs
version_added: 0.1.0
description:
  - Lists what RackConnect v3 knows in one region of the account. Its cloud networks, its load balancer
    pools, the nodes (server memberships) of some or all pools, and its public IPs.
  - Pools are set up by Rackspace; use M(rackconnect.rackconnect.rcv3_pool_member) to change their members
    and M(rackconnect.rackconnect.rcv3_public_ip) to give servers public IPs.
author:
  - The rackconnect developers (@rackconnect)
requirements:
  - rackconnect (the Python package, on the host that runs the module)
extends_documentation_fragment:
  - rackconnect.rackconnect.auth
  - rackconnect.rackconnect.action_group
attributes:
  check_mode:
    support: full
    description: The module only reads, so it runs in check mode too.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff to show.
options:
  gather:
    description: What to list.
    type: list
    elements: str
    choices: [networks, pools, nodes, public_ips]
    default: [networks, pools, nodes, public_ips]
  pools:
    description:
      - The pools whose nodes to list, each by id or by its name in the region (exactly, then ignoring case).
        By default, the nodes of every pool of the region.
    type: list
    elements: str
  node_details:
    description:
      - List each node with its server (name, network, private IP) and its pool in full, instead of their ids only.
    type: bool
    default: false
  server_id:
    description: Only the public IPs of this cloud server.
    type: str
"""

EXAMPLES = r"""
- name: Everything RackConnect v3 knows in DFW (credentials from RAX_USERNAME and RAX_API_KEY)
  rackconnect.rackconnect.rcv3_info:
    region: dfw
  register: rcv3

- name: The ids of the pools on port 443
  ansible.builtin.debug:
    msg: "{{ rcv3.pools | selectattr('port', 'equalto', 443) | map(attribute='id') | list }}"

- name: The members of one pool, with their servers' private IPs
  rackconnect.rackconnect.rcv3_info:
    gather: [nodes]
    pools: ["{{ web_pool_id }}"]
    node_details: true
  register: web_pool

- name: The public IP of one server
  rackconnect.rackconnect.rcv3_info:
    gather: [public_ips]
    server_id: "{{ server.id }}"
"""

RETURN = r"""
networks:
  description: The cloud networks of the region that RackConnect knows.
  returned: when networks are gathered
  type: list
  elements: dict
  sample:
    - id: 00000001-aaaa-4aaa-8aaa-dfw000000001
      name: dfw-app-net
      cidr: 192.168.10.0/24
      created: "2014-05-27T17:18:23Z"
      updated: "2014-05-27T17:18:23Z"
pools:
  description:
    - The load balancer pools of the region. C(node_counts) lags changes by up to a minute.
  returned: when pools are gathered
  type: list
  elements: dict
  sample:
    - id: 00000001-bbbb-4bbb-8bbb-dfw000000001
      name: dfw-web-80
      port: 80
      virtual_ip: 198.51.100.10
      status: ACTIVE
      status_detail: null
      node_counts: {cloud_servers: 1, external: 0, total: 1}
nodes:
  description:
    - The nodes of the pools, each a server's membership of one pool, in pool order.
    - C(id) is the node's id, not the server's; the server is C(cloud_server.id), the pool C(load_balancer_pool.id).
    - With O(node_details=true), C(cloud_server) and C(load_balancer_pool) are given in full.
  returned: when nodes are gathered
  type: list
  elements: dict
  sample:
    - id: 07614350-af89-45c4-a0e6-39867ca47dff
      cloud_server: {id: 00000001-cccc-4ccc-8ccc-000000000001}
      load_balancer_pool: {id: 00000001-bbbb-4bbb-8bbb-dfw000000001}
      status: ACTIVE
      status_detail: null
      created: "2026-11-21T16:29:00Z"
      updated: "2026-11-21T16:29:00Z"
public_ips:
  description:
    - The public IPs of the region (or of O(server_id)). C(public_ip_v4) is V(null) until allocated;
      C(cloud_server) is V(null) for a retained IP that is not assigned.
  returned: when public IPs are gathered
  type: list
  elements: dict
  sample:
    - id: 81eaa795-10fc-4775-8bed-2414e37d8d8b
      public_ip_v4: 198.51.100.150
      retain: true
      status: ACTIVE
      status_detail: null
      created: "2026-11-21T16:29:00Z"
      updated: "2026-11-21T16:29:00Z"
      cloud_server: null
"""

from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def main():
    module = RackConnectModule(
        auth=True,
        argument_spec=dict(
            gather=dict(
                type="list",
                elements="str",
                choices=["networks", "pools", "nodes", "public_ips"],
                default=["networks", "pools", "nodes", "public_ips"],
            ),
            pools=dict(type="list", elements="str"),
            node_details=dict(type="bool", default=False),
            server_id=dict(type="str"),
        ),
    )
    params = module.params
    gather = params["gather"]
    session = module.session()

    result = dict(changed=False)
    if "networks" in gather:
        result["networks"] = module.call("listing the cloud networks", session.list_networks)
    pools = None
    if "pools" in gather or ("nodes" in gather and params["pools"] is None):
        pools = module.call("listing the load balancer pools", session.list_pools)
        if "pools" in gather:
            result["pools"] = pools
    if "nodes" in gather:
        pool_ids = params["pools"] if params["pools"] is not None else [pool["id"] for pool in pools]
        list_nodes = session.list_node_details if params["node_details"] else session.list_nodes
        result["nodes"] = []
        for pool_id in pool_ids:
            result["nodes"].extend(module.call("listing the nodes of pool %s" % pool_id, list_nodes, pool_id))
    if "public_ips" in gather:
        result["public_ips"] = module.call(
            "listing the public IPs", session.list_public_ips, server_id=params["server_id"]
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
