#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: automation_wait
short_description: Wait on the cloud server itself for RackConnect v2 automation to end
version_added: 0.1.0
description:
  - Polls RackConnect v2 from the cloud server the module runs on (or the one O(source_address) is)
    until automation ends.
  - V(DEPLOYED) succeeds. V(FAILED) fails at once, listing the failed tasks. V(UNPROCESSABLE)
    (RackConnect does not apply to this server) succeeds with a warning, or fails with
    O(not_applicable=fail). Reaching O(timeout) fails, saying the last status seen.
  - Stays within RackConnect v2's limit of 30 requests per minute per server (polling about every
    2 seconds), and reads a 403 as rate limiting first, waiting for the next minute, before
    concluding the server is not a RackConnect server.
  - Never changes anything, so it reports C(changed=false); in check mode it looks once instead of waiting.
  - To wait from anywhere with credentials (RackConnect and Managed Operations), use
    M(rackconnect.rackconnect.server_wait).
author:
  - The rackconnect developers (@rackconnect)
requirements:
  - rackconnect (the Python package, on the target host)
extends_documentation_fragment:
  - rackconnect.rackconnect.v2
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
  timeout:
    description:
      - How long to wait, in seconds, before failing.
      - RackConnect automation usually takes a few minutes, longer when many servers are built at once.
      - Left out, the rackconnect core's default applies (1800 seconds).
    type: float
  not_applicable:
    description:
      - What an V(UNPROCESSABLE) status (RackConnect does not apply to this server, for example one built
        in a region the RackConnect configuration does not cover) means.
      - V(ok) succeeds with a warning that carries the reason, as the rackconnect command does;
        V(fail) fails the task.
    type: str
    choices: [ok, fail]
    default: ok
"""

EXAMPLES = r"""
- name: Wait for RackConnect automation before changing the firewall or the root password
  rackconnect.rackconnect.automation_wait:
    region: "{{ rackspace_region }}"
    timeout: 3600

- name: Treat "RackConnect does not apply" as a failure
  rackconnect.rackconnect.automation_wait:
    region: dfw
    not_applicable: fail
  register: automation

- name: Say how long it took
  ansible.builtin.debug:
    msg: "{{ automation.status }} after {{ automation.elapsed }} s and {{ automation.requests }} requests"
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
  description: The last automation status seen.
  returned: always
  type: str
  sample: DEPLOYED
reason:
  description: Why the wait did not end V(DEPLOYED), when known.
  returned: always
  type: str
  sample: 'automation FAILED; failed tasks: Cloud Server Created: Add "rackconnect" user'
tasks:
  description: For a V(FAILED) automation, its tasks with their status (read from the status details); otherwise empty.
  returned: always
  type: list
  elements: dict
  sample:
    - name: 'Cloud Server Created: Add "rackconnect" user'
      status: FAILED
    - name: 'Cloud Server Created: Update access on dedicated network devices'
      status: PENDING
elapsed:
  description: Seconds from the first request to the end.
  returned: always
  type: float
  sample: 132.5
requests:
  description: Requests sent to RackConnect v2.
  returned: always
  type: int
  sample: 61
"""

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import seconds
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule


def main():
    module = RackConnectModule(
        v2=True,
        argument_spec=dict(
            timeout=dict(type="float"),
            not_applicable=dict(type="str", choices=["ok", "fail"], default="ok"),
        ),
    )
    client = module.v2_client()

    doing = "waiting for RackConnect v2 automation"
    # The verdict (and whether "not applicable" is fine) is the core's: ``ok`` and ``summary``.
    not_applicable_ok = module.params["not_applicable"] == "ok"
    waited = module.call(doing, client.wait, timeout=module.wait_timeout(), not_applicable_ok=not_applicable_ok)
    result = dict(
        changed=False,
        outcome=waited["outcome"],
        status=waited["status"],
        reason=waited["reason"],
        tasks=waited["tasks"],
        elapsed=seconds(waited["elapsed_ms"]),
        requests=waited["requests"],
    )
    module.exit_if_would_wait(doing, waited, **result)

    if waited["ok"]:
        if waited["outcome"] == "not_applicable":
            module.warn(waited["summary"])
        module.exit_json(summary=waited["summary"], **result)
    result.pop("outcome")
    module.fail_unfinished(doing, waited, **result)


if __name__ == "__main__":
    main()
