#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: server_wait
short_description: Wait for cloud servers' RackConnect and Managed Operations automation, from anywhere
version_added: 0.1.0
description:
  - Polls the server's Cloud Servers metadata, with an Identity token, until the automation asked for has
    ended; works from any host (typically C(localhost)), unlike M(rackconnect.rackconnect.automation_wait).
  - RackConnect (C(rackconnect_automation_status)) and Managed Operations (C(rax_service_level_automation))
    are each optional. RackConnect runs first; Managed Operations V(Complete) is the documented signal
    that post-build work may start.
  - V(DEPLOYED) and V(Complete) succeed; V(FAILED), V(Build Error) and V(Authentication Error) fail at once.
    V(UNPROCESSABLE), or a metadata key that never appears within O(grace), means the automation does not
    apply, which is a warning by default and a failure with O(not_applicable=fail).
  - Returns the address the server is reachable at once automation is done, by the inventory's rule. Under
    RackConnect v2 that is its C(accessIPv4), the RackConnect public IP, not the address the server was built
    with; otherwise its active RackConnect v3 public IP (read once, after the wait, where the region has
    RackConnect v3), else its C(accessIPv4) or a network's address.
  - With O(servers) (or O(built_within)) it waits for a batch at once, as Rackspace asks RackConnect
    customers to build (up to 30 Linux or 20 Windows servers at a time), with one C(servers/detail) page (100
    servers) per poll instead of one request per server. Each server ends on its own status (V(FAILED) at
    once, V(UNPROCESSABLE) as not applicable, a missing key as pending within O(grace)); the task fails when
    any server did not end well, and returns every server with its reachable IP (RV(servers), RV(by_id)).
    Use it once for the play's hosts (C(run_once)), not once per host.
  - Only reads, so it reports C(changed=false); in check mode it looks once instead of waiting.
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
    description:
      - In check mode the status is looked at once (one request), as Salt's C(test=True) does. Ended well, the
        module succeeds; failed, it fails; still running, it succeeds with RV(outcome=timed_out) and a summary
        saying that a real run would wait.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff to show.
options:
  server_id:
    description:
      - The cloud server's id (or a name only one server of the region has).
      - Exactly one of O(server_id), O(servers) and O(built_within) is required.
    type: str
  servers:
    description:
      - A batch of cloud servers, by id (or by a name only one server of the region has), waited for at once
        through C(servers/detail) pages.
    type: list
    elements: str
    version_added: 0.2.0
  built_within:
    description:
      - Instead of naming them, every server of the region built at most this many seconds ago (Nova's
        C(created) against the region's own clock), waited for as a batch.
    type: float
    version_added: 0.2.0
  rackconnect:
    description: Wait for RackConnect automation.
    type: bool
    default: true
  managed:
    description: Wait for Managed Operations automation too (accounts with Managed Operations only).
    type: bool
    default: false
  timeout:
    description:
      - How long to wait, in seconds, before failing.
      - Left out, the rackconnect core's default applies (1800 seconds).
    type: float
  grace:
    description:
      - Seconds to allow for a metadata key to appear after the build. A key still missing after
        that means the automation does not apply to the server (see O(not_applicable)).
      - Left out, the rackconnect core's default applies (300 seconds).
    type: float
  not_applicable:
    description:
      - What "does not apply" means (V(UNPROCESSABLE), or a key missing after O(grace)).
      - V(ok) succeeds with a warning that carries the reason, as the rackconnect command does; V(fail) fails the task.
    type: str
    choices: [ok, fail]
    default: ok
"""

EXAMPLES = r"""
- name: Wait for the play's servers at once (one servers/detail page a poll, not one request per server)
  rackconnect.rackconnect.server_wait:
    servers: "{{ ansible_play_hosts | map('extract', hostvars, 'rackconnect_server_id') | list }}"
    managed: true
  run_once: true
  delegate_to: localhost
  register: batch

- name: Each host uses its own result (the inventory's hosts carry rackconnect_server_id)
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} is reachable at {{ batch.by_id[rackconnect_server_id].reachable_ip }}"

- name: Every server built in the last 30 minutes
  rackconnect.rackconnect.server_wait:
    built_within: 1800
  run_once: true
  delegate_to: localhost

- name: Wait for RackConnect and Managed Operations, then use the reachable address
  rackconnect.rackconnect.server_wait:
    server_id: "{{ server.id }}"
    managed: true
    region: dfw
  delegate_to: localhost
  register: ready

- name: Add the server under its RackConnect address
  ansible.builtin.add_host:
    name: "{{ ready.reachable_ipv4 }}"
    groups: built

- name: Managed Operations only (credentials from RAX_USERNAME and RAX_API_KEY)
  rackconnect.rackconnect.server_wait:
    server_id: "{{ server.id }}"
    rackconnect: false
    managed: true
"""

RETURN = r"""
outcome:
  description:
    - How the wait ended, V(done) or V(not_applicable) on success (V(failed), V(timed_out), V(forbidden), V(error)
      on failure); in check mode also V(timed_out) on success, when the one look found it still running.
  returned: always
  type: str
  sample: done
status:
  description: The last status seen (RackConnect's, then Managed Operations' once RackConnect is done).
  returned: when O(server_id) is given
  type: str
  sample: Complete
reason:
  description: Why the wait did not end done, when known.
  returned: always
  type: str
  sample: "Managed Operations FAILED: Build Error"
reachable_ipv4:
  description:
    - The address to reach the server by, by the inventory's rule; after RackConnect v2 automation, the RackConnect
      public IP (its C(accessIPv4)); else its active RackConnect v3 public IP, else its C(accessIPv4) or a network's
      address.
  returned: when O(server_id) is given
  type: str
  sample: 198.51.100.101
reached_by:
  description: Where RV(reachable_ipv4) came from.
  returned: when O(server_id) is given
  type: str
  sample: rackconnect_v2
summary:
  description: One line saying how the wait ended (for a batch, the counts and the servers that did not end well).
  returned: success
  type: str
  sample: "done: 3 servers: 3 done"
servers:
  description: Each server of a batch, in the order given (by name for O(built_within)), with how it ended.
  returned: when O(servers) or O(built_within) is given
  type: list
  elements: dict
  contains:
    id:
      description: The server's id.
      type: str
      sample: 00000001-cccc-4ccc-8ccc-000000000001
    name:
      description: The server's name.
      type: str
      sample: web1
    outcome:
      description: How its wait ended (V(done), V(failed), V(not_applicable), V(timed_out), V(error), ...).
      type: str
      sample: done
    ok:
      description: Whether it ended well.
      type: bool
      sample: true
    summary:
      description: One line saying how it ended.
      type: str
      sample: "done: Complete"
    status:
      description: RackConnect's status as last read.
      type: str
      sample: DEPLOYED
    managed_status:
      description: Managed Operations' status as last read.
      type: str
      sample: Complete
    reason:
      description: Why it failed or does not apply, when known.
      type: str
      sample: "UNPROCESSABLE: built in the wrong region"
    reachable_ip:
      description:
        - The address to reach it by, by the inventory's rule; the RackConnect v2 public IP once
          V(DEPLOYED), else its active RackConnect v3 public IP (read once, after the wait, where the
          region has RackConnect v3), else its C(accessIPv4) or a network's address.
      type: str
      sample: 198.51.100.101
by_id:
  description: The same servers as RV(servers), by id, for each host of a play to find its own.
  returned: when O(servers) or O(built_within) is given
  type: dict
  sample: {"00000001-cccc-4ccc-8ccc-000000000001": {"name": "web1", "outcome": "done", "reachable_ip": "198.51.100.101"}}
counts:
  description: How many servers of a batch ended each way.
  returned: when O(servers) or O(built_within) is given
  type: dict
  sample: {"total": 3, "done": 2, "failed": 1, "not_applicable": 0, "timed_out": 0, "cancelled": 0, "forbidden": 0, "error": 0}
elapsed:
  description: Seconds from the first request to the end.
  returned: always
  type: float
  sample: 95.2
requests:
  description: Requests sent to Cloud Servers.
  returned: always
  type: int
  sample: 40
"""

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import seconds, terminal_safe
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def main():
    module = RackConnectModule(
        auth=True,
        argument_spec=dict(
            server_id=dict(type="str"),
            servers=dict(type="list", elements="str"),
            built_within=dict(type="float"),
            rackconnect=dict(type="bool", default=True),
            managed=dict(type="bool", default=False),
            timeout=dict(type="float"),
            grace=dict(type="float"),
            not_applicable=dict(type="str", choices=["ok", "fail"], default="ok"),
        ),
        required_one_of=[("server_id", "servers", "built_within")],
        mutually_exclusive=[("server_id", "servers", "built_within")],
    )
    params = module.params
    if not params["rackconnect"] and not params["managed"]:
        module.fail_json(msg="nothing to wait for: set rackconnect, managed, or both to true")
    if params["server_id"] is None:
        wait_for_batch(module)

    session = module.session()
    doing = "waiting for server %s" % params["server_id"]
    waited = module.call(
        doing,
        session.wait_server,
        params["server_id"],
        managed=params["managed"],
        rackconnect=params["rackconnect"],
        timeout=module.wait_timeout(),
        grace=params["grace"],
        not_applicable_ok=params["not_applicable"] == "ok",
    )
    result = dict(
        changed=False,
        outcome=waited["outcome"],
        status=waited["status"],
        reason=waited["reason"],
        reachable_ipv4=waited["reachable_ipv4"],
        reached_by=waited["reached_by"],
        elapsed=seconds(waited["elapsed_ms"]),
        requests=waited["requests"],
    )
    module.exit_if_would_wait(doing, waited, **result)
    # The verdict (and whether "not applicable" is fine) is the core's: ``ok`` and ``summary``.
    if waited["ok"]:
        if waited["outcome"] == "not_applicable":
            module.warn("server %s: %s" % (params["server_id"], waited["summary"]))
        module.exit_json(summary=waited["summary"], **result)
    result.pop("outcome")
    module.fail_unfinished(doing, waited, **result)


def wait_for_batch(module):
    """A batch through the core's fleet wait: every server on its own status, one verdict."""
    params = module.params
    if params["servers"] is not None:
        count = len(params["servers"])
        doing = "waiting for %d server%s" % (count, "" if count == 1 else "s")
    else:
        doing = "waiting for the servers built in the last %g s" % params["built_within"]
    waited = module.call(
        doing,
        module.session().wait_servers,
        params["servers"],
        built_within=params["built_within"],
        managed=params["managed"],
        rackconnect=params["rackconnect"],
        timeout=module.wait_timeout(),
        grace=params["grace"],
        not_applicable_ok=params["not_applicable"] == "ok",
    )
    fields = ("id", "name", "outcome", "ok", "summary", "status", "managed_status", "reason", "reachable_ip")
    servers = [dict((field, server[field]) for field in fields) for server in waited["servers"]]
    result = dict(
        changed=False,
        outcome=waited["outcome"],
        reason=waited["reason"],
        servers=servers,
        by_id=dict((server["id"], server) for server in servers),
        counts=waited["counts"],
        elapsed=seconds(waited["elapsed_ms"]),
        requests=waited["requests"],
    )
    if module.check_mode and waited["outcome"] == "timed_out":
        # One look: what it saw, and that a real run would wait.
        now = waited["summary"].split(": ", 1)[-1]
        module.exit_json(summary=terminal_safe("check mode: %s would wait; now %s" % (doing, now)), **result)
    if waited["ok"]:
        for server in servers:
            if server["outcome"] == "not_applicable":
                module.warn(terminal_safe("server %s: %s" % (server["name"] or server["id"], server["summary"])))
        module.exit_json(summary=waited["summary"], **result)
    result.pop("outcome")
    module.fail_unfinished(doing, waited, **result)


if __name__ == "__main__":
    main()
