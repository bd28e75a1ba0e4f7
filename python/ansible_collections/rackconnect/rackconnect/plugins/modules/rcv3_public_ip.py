#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: rcv3_public_ip
short_description: Give a cloud server a RackConnect v3 public IP, or take it away
version_added: 0.1.0
description:
  - Ensures that a cloud server has a RackConnect v3 public IP (O(state=present)) or none (O(state=absent)),
    or that its retained IP is taken off it but kept, on no server, for another server later
    (O(state=unassigned)). A server has at most one.
  - Reads the server's public IPs first and changes only what differs, so a second run reports C(changed=false).
  - O(retain) keeps the IP in the account after the server is deleted (at most 5 retained IPs per account
    by default); setting it on an existing IP updates that IP. O(move_ip) moves a retained IP to the server
    instead of creating a new one.
  - A server built moments ago, which RackConnect does not know yet, is retried for a grace period (after
    Cloud Servers, asked once, has said it exists; a server it does not have fails at once, in check mode too).
  - With O(wait=true), waits until the new IP is C(ACTIVE) (and has its address) or the removed one is gone.
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
    description: In check mode the server's public IPs are read and the planned action is reported; nothing is changed.
  diff_mode:
    support: none
    description: No diff is returned; RV(plan) says what changes.
options:
  server_id:
    description: The cloud server's id.
    type: str
    required: true
  state:
    description:
      - Whether the server should have a public IP (V(present)), none (V(absent), which deletes the IP),
        or none while its retained IP is kept for another server (V(unassigned)).
      - V(unassigned) needs the IP to be retained, already or by O(retain=true) in the same run; a
        server without a public IP is already unassigned.
    type: str
    choices: [present, absent, unassigned]
    default: present
  retain:
    description:
      - Whether the public IP outlives the server. By default, a new IP is not retained and an existing
        one is left as it is.
      - With O(state=absent) the IP is deleted whatever its O(retain); O(state=unassigned) refuses O(retain=false).
    type: bool
  move_ip:
    description:
      - The id of a retained public IP (see M(rackconnect.rackconnect.rcv3_info)) to move to this server,
        instead of creating a new one. Only with O(state=present).
      - RackConnect refuses to move an IP to a server that already has one.
    type: str
  wait:
    description: Wait until a new or moved IP is C(ACTIVE), or a deleted one is gone.
    type: bool
    default: true
  timeout:
    description:
      - How long to retry and wait, in seconds, before failing.
      - Left out, the rackconnect core's default applies (1800 seconds).
    type: float
"""

EXAMPLES = r"""
- name: Give the server a public IP and print it
  rackconnect.rackconnect.rcv3_public_ip:
    server_id: "{{ server.id }}"
    region: dfw
  delegate_to: localhost
  register: public

- name: Show the address
  ansible.builtin.debug:
    msg: "{{ public.public_ip_v4 }}"

- name: Keep the address when the server is rebuilt
  rackconnect.rackconnect.rcv3_public_ip:
    server_id: "{{ server.id }}"
    retain: true

- name: Move a retained address to the replacement server
  rackconnect.rackconnect.rcv3_public_ip:
    server_id: "{{ replacement.id }}"
    move_ip: "{{ retained_ip_id }}"

- name: Take the public IP away
  rackconnect.rackconnect.rcv3_public_ip:
    server_id: "{{ server.id }}"
    state: absent

- name: Take the retained IP off the server before deleting it, keeping the address
  rackconnect.rackconnect.rcv3_public_ip:
    server_id: "{{ server.id }}"
    state: unassigned
"""

RETURN = r"""
public_ip_v4:
  description: The server's public IPv4 address; V(null) when it has none (or, with O(wait=false), before it is allocated).
  returned: always
  type: str
  sample: 198.18.0.1
public_ip:
  description: The public IP object as last read; V(null) when the server has none.
  returned: always
  type: dict
  sample:
    id: d8277b1f-3eae-4cc8-ae68-1f4ea6b562f1
    public_ip_v4: 198.18.0.1
    retain: false
    status: ACTIVE
    status_detail: null
    created: "2026-11-22T17:25:20Z"
    updated: "2026-11-22T17:25:24Z"
    cloud_server:
      id: 00000006-cccc-4ccc-8ccc-000000000006
      name: db-auth-error
      created: "2026-11-22T14:29:00Z"
      updated: "2026-11-22T14:29:00Z"
      cloud_network:
        id: 00000001-aaaa-4aaa-8aaa-dfw000000001
        name: dfw-app-net
        cidr: 192.168.10.0/24
        private_ip_v4: 192.168.10.16
        created: "2014-05-27T17:18:23Z"
        updated: "2014-05-27T17:18:23Z"
plan:
  description:
    - The change planned, C(action) being V(none), V(create) (with C(retain)), V(set_retain) (with C(id)
      and C(retain)), V(move) (with C(id) and C(retain)), V(unassign) (with C(id) and C(retain)) or V(delete)
      (with C(id)).
  returned: always
  type: dict
  sample: {action: create, retain: false}
elapsed:
  description: Seconds from the first request to the end.
  returned: always
  type: float
  sample: 2.008
requests:
  description: Requests sent to RackConnect v3.
  returned: always
  type: int
  sample: 4
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import (
    auth_argument_spec,
    call,
    fail_unfinished,
    require_rackconnect,
    seconds,
    session_from_params,
)


def main():
    argument_spec = auth_argument_spec()
    argument_spec.update(
        server_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent", "unassigned"], default="present"),
        retain=dict(type="bool"),
        move_ip=dict(type="str"),
        wait=dict(type="bool", default=True),
        timeout=dict(type="float"),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )
    require_rackconnect(module)
    params = module.params
    present = params["state"] == "present"
    unassign = params["state"] == "unassigned"
    session = session_from_params(module)

    verb = "ensuring" if present else "unassigning" if unassign else "removing"
    doing = "%s a public IP of server %s" % (verb, params["server_id"])
    ensured = call(
        module,
        doing,
        session.ensure_public_ip,
        params["server_id"],
        present=present,
        retain=params["retain"],
        move_ip=params["move_ip"],
        unassign=unassign,
        dry_run=module.check_mode,
        wait=params["wait"],
        timeout=params["timeout"],
    )
    public_ip = ensured["public_ip"]
    result = dict(
        changed=ensured["changed"],
        public_ip=public_ip,
        public_ip_v4=public_ip["public_ip_v4"] if public_ip else None,
        plan=ensured["plan"],
        elapsed=seconds(ensured["elapsed_ms"]),
        requests=ensured["requests"],
    )
    # The verdict is the core's: ``ok`` and ``summary``.
    if ensured["ok"]:
        module.exit_json(summary=ensured["summary"], **result)
    fail_unfinished(module, doing, ensured, **result)


if __name__ == "__main__":
    main()
