#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

from __future__ import annotations

DOCUMENTATION = r"""
module: automation_info
short_description: Read RackConnect v2 automation status, details, gateway and features of this server
version_added: 0.1.0
description:
  - Asks RackConnect v2 about the cloud server the module runs on (or the one O(source_address) is) for
    the automation status, its tasks, the gateway IP of the RackConnect network, and which automation
    features are enabled.
  - Each part is one request; RackConnect v2 allows 30 requests per minute per server.
  - To wait for automation to end, use M(rackconnect.rackconnect.automation_wait).
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
    description: The module only reads, so it runs in check mode too.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff to show.
options:
  gather:
    description:
      - What to read. V(status) is the automation status, V(details) the status with its tasks,
        V(gateway) the gateway IP, V(features) the automation features.
    type: list
    elements: str
    choices: [status, details, gateway, features]
    default: [status, details, gateway, features]
"""

EXAMPLES = r"""
- name: Read everything RackConnect v2 knows about this server
  rackconnect.rackconnect.automation_info:
    region: dfw
  register: rackconnect_v2

- name: Show the gateway of the RackConnect network
  ansible.builtin.debug:
    msg: "{{ rackconnect_v2.gateway_ip | default('not assigned yet', true) }}"

- name: Only the status, asked for the server that owns 10.0.0.5 (on a machine with several addresses)
  rackconnect.rackconnect.automation_info:
    region: dfw
    source_address: 10.0.0.5
    gather: [status]
"""

RETURN = r"""
automation_status:
  description:
    - V(DEPLOYING), V(DEPLOYED), V(FAILED), V(UNPROCESSABLE), or another value as the service wrote it.
    - Read with O(gather=status), or from the details with O(gather=details).
  returned: when status or details are gathered
  type: str
  sample: DEPLOYED
tasks:
  description: The automation's tasks, in order, each with its name and status (for example V(COMPLETE), V(IN_PROGRESS), V(PENDING), V(FAILED)).
  returned: when details are gathered
  type: list
  elements: dict
  contains:
    name:
      description: The task's name.
      type: str
      returned: always
      sample: 'Cloud Server Created: Add "rackconnect" user'
    status:
      description: The task's status.
      type: str
      returned: always
      sample: COMPLETE
  sample:
    - name: 'Cloud Server Created: Add "rackconnect" user'
      status: COMPLETE
gateway_ip:
  description: The gateway IP of the server's RackConnect network; V(null) while automation has not assigned it yet.
  returned: when the gateway is gathered
  type: str
  sample: 10.1.2.1
features:
  description: The automation features and whether each is enabled.
  returned: when features are gathered
  type: list
  elements: dict
  contains:
    name:
      description: The feature, for example V(configure_network_stack), V(manage_software_firewall), V(provision_public_ip).
      type: str
      returned: always
      sample: configure_network_stack
    status:
      description: V(ENABLED) or V(DISABLED).
      type: str
      returned: always
      sample: ENABLED
  sample:
    - name: configure_network_stack
      status: ENABLED
"""

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import terminal_safe
from ansible_collections.rackconnect.rackconnect.plugins.module_utils._rackconnect_module import RackConnectModule

# Each part: what V2 method reads it, and how a request for it is named in messages.
_PARTS = (
    ("status", "status", "automation_status"),
    ("details", "details", "automation_status/details"),
    ("gateway", "gateway_ip", "gateway_ip"),
    ("features", "features", "automation_features"),
)


def main():
    module = RackConnectModule(
        v2=True,
        argument_spec=dict(
            gather=dict(
                type="list",
                elements="str",
                choices=["status", "details", "gateway", "features"],
                default=["status", "details", "gateway", "features"],
            ),
        ),
    )
    client = module.v2_client()

    result = dict(changed=False)
    for part, method, path in _PARTS:
        if part not in module.params["gather"]:
            continue
        doing = "reading RackConnect v2 %s" % path
        answer = module.call(doing, getattr(client, method))
        if answer["outcome"] == "rate_limited":
            # A single 403 cannot tell "over 30 a minute" from "not a RackConnect server".
            body = (answer.get("body") or "").strip()
            module.fail_json(
                msg=terminal_safe(
                    "%s: RackConnect v2 answered 403: rate limited (30 requests a minute per server), "
                    "or this is not a RackConnect v2 server%s" % (doing, " (%s)" % body if body else "")
                ),
                **result
            )
        value = answer.get("value")
        if part == "status":
            result["automation_status"] = value
        elif part == "details":
            result.setdefault("automation_status", value["automation_status"])
            result["tasks"] = value["tasks"]
        elif part == "gateway":
            # A 404 before automation assigns the gateway is an answer, not an error.
            result["gateway_ip"] = value if answer["outcome"] == "answer" else None
        else:
            result["features"] = value["features"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
