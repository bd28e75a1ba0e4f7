#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: rcv3_pool_member
short_description: Make cloud servers members of RackConnect v3 load balancer pools, or not
version_added: 0.1.0
description:
  - Ensures that every server of O(servers) is a member of every pool of O(pools) (O(state=present)),
    or of none of them (O(state=absent)).
  - Reads each pool's nodes first and changes only what differs, in one bulk request for all pairs.
    Pairs already as wanted are left alone, so a second run reports C(changed=false).
  - Conflicts that clear up by themselves (a server built moments ago that RackConnect does not know yet,
    a pool that is not C(ACTIVE) for a while) are retried until O(timeout); a pool that does not exist
    fails the task, naming it.
  - With O(wait=true), waits until every added node is C(ACTIVE) and every removed one is gone; a node
    that ends C(ADD_FAILED) fails the task with RackConnect's reason.
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
    description: In check mode the pools are read and the plan is reported; nothing is changed.
  diff_mode:
    support: full
    description: The diff shows the membership of the requested pairs, by pool id, before and after.
options:
  servers:
    description: The cloud servers' ids (or names only one server of the region has).
    type: list
    elements: str
    required: true
  pools:
    description: The load balancer pools, each by id or by the name of one pool in the region (see M(rackconnect.rackconnect.rcv3_info) to list them).
    type: list
    elements: str
    required: true
  state:
    description: Whether the servers should be members of the pools (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until the added nodes are C(ACTIVE) and the removed ones are gone.
    type: bool
    default: true
  timeout:
    description:
      - How long to retry and wait, in seconds, before failing.
      - Left out, the rackconnect core's default applies (1800 seconds).
    type: float
"""

EXAMPLES = r"""
- name: Put both web servers into the HTTP and HTTPS pools
  rackconnect.rackconnect.rcv3_pool_member:
    servers: "{{ web_servers | map(attribute='id') | list }}"
    pools:
      - "{{ http_pool_id }}"
      - "{{ https_pool_id }}"
    region: dfw
  delegate_to: localhost

- name: Take a server out of a pool before maintenance, without waiting for the node to go
  rackconnect.rackconnect.rcv3_pool_member:
    servers: ["{{ server_id }}"]
    pools: ["{{ http_pool_id }}"]
    state: absent
    wait: false
"""

RETURN = r"""
plan:
  description: What the first reading of the pools found, as lists of C(server_id)/C(pool_id) pairs.
  returned: always
  type: dict
  contains:
    add:
      description: Pairs to add (with O(state=present)).
      type: list
      elements: dict
      returned: always
    remove:
      description: Pairs to remove (with O(state=absent)).
      type: list
      elements: dict
      returned: always
    unchanged:
      description: Pairs already as wanted.
      type: list
      elements: dict
      returned: always
  sample:
    add:
      - server_id: 0000000a-cccc-4ccc-8ccc-00000000000a
        pool_id: 00000001-bbbb-4bbb-8bbb-dfw000000001
    remove: []
    unchanged:
      - server_id: 00000001-cccc-4ccc-8ccc-000000000001
        pool_id: 00000001-bbbb-4bbb-8bbb-dfw000000001
added:
  description: Pairs this run added (empty in check mode).
  returned: always
  type: list
  elements: dict
  sample:
    - server_id: 0000000a-cccc-4ccc-8ccc-00000000000a
      pool_id: 00000001-bbbb-4bbb-8bbb-dfw000000001
removed:
  description: Pairs this run removed (empty in check mode).
  returned: always
  type: list
  elements: dict
  sample: []
failures:
  description: Pairs that could not be brought to the wanted state, each with C(pair) and C(reason).
  returned: always
  type: list
  elements: dict
  sample:
    - pair:
        server_id: 00000008-cccc-4ccc-8ccc-000000000008
        pool_id: 00000001-bbbb-4bbb-8bbb-dfw000000002
      reason: "ADD_FAILED: Unable to communicate with network device"
elapsed:
  description: Seconds from the first request to the end.
  returned: always
  type: float
  sample: 2.004
requests:
  description: Requests sent to RackConnect v3.
  returned: always
  type: int
  sample: 4
diff:
  description: With C(--diff), the members of each pool among the requested servers, before and after.
  returned: in diff mode
  type: dict
  sample:
    before: {"00000001-bbbb-4bbb-8bbb-dfw000000001": []}
    after: {"00000001-bbbb-4bbb-8bbb-dfw000000001": ["0000000a-cccc-4ccc-8ccc-00000000000a"]}
"""

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import seconds
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def membership_diff(plan, present):
    """Before/after members of each planned pool, among the requested servers only."""
    # Unchanged pairs are members when membership is wanted, and non-members otherwise.
    kept = plan["unchanged"] if present else []
    pools = sorted(set(pair["pool_id"] for group in plan.values() for pair in group))

    def members(pairs):
        by_pool = dict((pool_id, []) for pool_id in pools)
        for pair in pairs:
            by_pool[pair["pool_id"]].append(pair["server_id"])
        return dict((pool_id, sorted(servers)) for pool_id, servers in by_pool.items())

    return dict(before=members(kept + plan["remove"]), after=members(kept + plan["add"]))


def main():
    module = RackConnectModule(
        auth=True,
        argument_spec=dict(
            servers=dict(type="list", elements="str", required=True),
            pools=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=True),
            timeout=dict(type="float"),
        ),
    )
    params = module.params
    present = params["state"] == "present"
    session = module.session()

    doing = "making servers %s of pools %s" % ("members" if present else "not members", ", ".join(params["pools"]))
    ensured = module.call(
        doing,
        session.ensure_pool_members,
        params["servers"],
        params["pools"],
        present=present,
        dry_run=module.check_mode,
        wait=params["wait"],
        timeout=params["timeout"],
    )
    result = dict(
        changed=ensured["changed"],
        plan=ensured["plan"],
        added=ensured["added"],
        removed=ensured["removed"],
        failures=ensured["failed"],
        elapsed=seconds(ensured["elapsed_ms"]),
        requests=ensured["requests"],
    )
    if module._diff:
        result["diff"] = membership_diff(ensured["plan"], present)

    # The verdict is the core's: ``ok`` and ``summary``.
    if ensured["ok"]:
        module.exit_json(summary=ensured["summary"], **result)
    module.fail_unfinished(doing, ensured, **result)


if __name__ == "__main__":
    main()
