#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: server_wait
short_description: Wait for a cloud server's RackConnect and Managed Operations automation, from anywhere
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
  - Returns the address the server is reachable at once automation is done, its C(accessIPv4). Under
    RackConnect v2 that is the RackConnect public IP, not the address the server was built with.
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
    description: The cloud server's id.
    type: str
    required: true
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
  returned: always
  type: str
  sample: Complete
reason:
  description: Why the wait did not end done, when known.
  returned: always
  type: str
  sample: "Managed Operations: Build Error"
reachable_ipv4:
  description: The server's C(accessIPv4) as last read; after RackConnect v2 automation, the RackConnect public IP.
  returned: always
  type: str
  sample: 198.51.100.101
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

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import seconds
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def main():
    module = RackConnectModule(
        auth=True,
        argument_spec=dict(
            server_id=dict(type="str", required=True),
            rackconnect=dict(type="bool", default=True),
            managed=dict(type="bool", default=False),
            timeout=dict(type="float"),
            grace=dict(type="float"),
            not_applicable=dict(type="str", choices=["ok", "fail"], default="ok"),
        ),
    )
    params = module.params
    if not params["rackconnect"] and not params["managed"]:
        module.fail_json(msg="nothing to wait for: set rackconnect, managed, or both to true")

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


if __name__ == "__main__":
    main()
