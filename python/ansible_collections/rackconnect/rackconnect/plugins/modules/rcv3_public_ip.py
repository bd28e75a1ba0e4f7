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
    support: full
    description:
      - The diff shows the server's public IP (C(id), C(public_ip_v4), C(retain)) before and after, headed by
        RV(summary). Outside check mode the server's IPs are read once more first, for the "before".
      - In check mode the "after" is the plan's; a new IP's address (or a moved one's) is V(null) there.
options:
  server_id:
    description: The cloud server's id (or a name only one server of the region has).
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
summary:
  description: One line saying how it ended (in check mode, what a real run would do), in the words of every rackconnect front door.
  returned: always
  type: str
  sample: "dry run: would create a public IP"
diff:
  description: With C(--diff), the server's public IP before and after (V({}) for none).
  returned: in diff mode
  type: dict
  sample:
    before: {}
    after: {id: null, public_ip_v4: null, retain: false}
    before_header: public IP of server 00000006-cccc-4ccc-8ccc-000000000006
    after_header: "dry run: would create a public IP"
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

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import seconds
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def shown(public_ip, server_id):
    """What the diff shows of the server's public IP: {} when the server holds none.
    ``server_id`` is the core's (a name given resolved to its id); ids compare without case."""
    holder = (public_ip or {}).get("cloud_server") or {}
    if not public_ip or (holder.get("id") or "").lower() != server_id.lower():
        return {}
    return dict((key, public_ip.get(key)) for key in ("id", "public_ip_v4", "retain"))


def planned(before, plan):
    """The "after" of a check-mode run: the core's plan applied to what was read."""
    action = plan["action"]
    if action == "none":
        return before
    if action == "set_retain":
        return dict(before, retain=plan["retain"])
    if action in ("create", "move"):
        # The address comes with the IP: a new one has none yet, a moved one is not read.
        return dict(id=plan.get("id"), public_ip_v4=None, retain=plan["retain"])
    # delete, unassign: the server holds none.
    return {}


def public_ip_diff(server, before_ip, ensured, check_mode):
    """Ansible's diff of the server's public IP: before (as read), after (as left, or as planned).
    ``server`` as the task gave it (an id or a name), for the header."""
    server_id = ensured["server_id"]
    before = shown(before_ip, server_id)
    after = planned(before, ensured["plan"]) if check_mode else shown(ensured["public_ip"], server_id)
    return dict(before=before, after=after, before_header="public IP of server %s" % server,
                after_header=ensured["summary"])


def main():
    module = RackConnectModule(
        auth=True,
        argument_spec=dict(
            server_id=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent", "unassigned"], default="present"),
            retain=dict(type="bool"),
            move_ip=dict(type="str"),
            wait=dict(type="bool", default=True),
            timeout=dict(type="float"),
        ),
    )
    params = module.params
    present = params["state"] == "present"
    unassign = params["state"] == "unassigned"
    session = module.session()

    verb = "ensuring" if present else "unassigning" if unassign else "removing"
    doing = "%s a public IP of server %s" % (verb, params["server_id"])
    options = dict(present=present, retain=params["retain"], move_ip=params["move_ip"], unassign=unassign,
                   wait=params["wait"], timeout=params["timeout"])
    before_ip = None
    if module._diff and not module.check_mode:
        # The "before" of the diff: the server's IP as a dry run reads it (the core's choice of IP).
        before_ip = module.call(doing, session.ensure_public_ip, params["server_id"], dry_run=True,
                                **options)["public_ip"]
    ensured = module.call(doing, session.ensure_public_ip, params["server_id"], dry_run=module.check_mode,
                          **options)
    if module.check_mode:
        before_ip = ensured["public_ip"]
    public_ip = ensured["public_ip"]
    result = dict(
        changed=ensured["changed"],
        public_ip=public_ip,
        public_ip_v4=public_ip["public_ip_v4"] if public_ip else None,
        plan=ensured["plan"],
        elapsed=seconds(ensured["elapsed_ms"]),
        requests=ensured["requests"],
    )
    if module._diff:
        result["diff"] = public_ip_diff(params["server_id"], before_ip, ensured, module.check_mode)
    # The verdict is the core's: ``ok`` and ``summary``.
    if ensured["ok"]:
        module.exit_json(summary=ensured["summary"], **result)
    module.fail_unfinished(doing, ensured, **result)


if __name__ == "__main__":
    main()
