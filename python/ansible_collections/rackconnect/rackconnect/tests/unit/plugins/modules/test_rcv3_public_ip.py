# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""rcv3_public_ip's diff: the server's public IP before and after, from public IPs the real
rackconnect package parsed (the I1 answer of the API reference) and the core's plan shapes."""

from __future__ import annotations

import json

import pytest

import rackconnect

from ansible_collections.rackconnect.rackconnect.plugins.modules.rcv3_public_ip import public_ip_diff

SERVER = "00000006-cccc-4ccc-8ccc-000000000006"
OTHER = "00000007-cccc-4ccc-8ccc-000000000007"


def parsed_ip(server_id, retain):
    body = json.dumps([{
        "id": "d8277b1f-3eae-4cc8-ae68-1f4ea6b562f1", "public_ip_v4": "198.18.0.1", "retain": retain,
        "status": "ACTIVE", "status_detail": None, "created": "2026-11-22T17:25:20Z", "updated": None,
        "cloud_server": None if server_id is None else {
            "id": server_id, "name": "db", "created": "2026-11-22T14:29:00Z", "updated": None,
            "cloud_network": {"id": "n1", "name": "net", "cidr": "192.168.10.0/24", "private_ip_v4": "192.168.10.16",
                              "created": "2014-05-27T17:18:23Z", "updated": None}},
    }])
    return rackconnect.parse_response("v3.list_public_ips", 200, [], body)[0]


def ensured(plan, public_ip, summary="done"):
    # The core's result names the server by its id, a name given resolved to it.
    return dict(plan=plan, public_ip=public_ip, summary=summary, server_id=SERVER)


SHOWN = {"id": "d8277b1f-3eae-4cc8-ae68-1f4ea6b562f1", "public_ip_v4": "198.18.0.1", "retain": False}


@pytest.mark.parametrize(
    "before_ip, plan, after",
    [
        (None, {"action": "create", "retain": True}, {"id": None, "public_ip_v4": None, "retain": True}),
        (parsed_ip(SERVER, False), {"action": "none"}, SHOWN),
        (parsed_ip(SERVER, False), {"action": "set_retain", "id": SHOWN["id"], "retain": True}, dict(SHOWN, retain=True)),
        (parsed_ip(SERVER, True), {"action": "unassign", "id": SHOWN["id"], "retain": True}, {}),
        (parsed_ip(SERVER, False), {"action": "delete", "id": SHOWN["id"]}, {}),
        (None, {"action": "move", "id": "r1", "retain": True}, {"id": "r1", "public_ip_v4": None, "retain": True}),
    ],
)
def test_check_mode_shows_the_plan_applied_to_what_was_read(before_ip, plan, after):
    diff = public_ip_diff(SERVER, before_ip, ensured(plan, before_ip, "dry run: ..."), check_mode=True)
    assert diff["after"] == after
    assert diff["before"] == ({} if before_ip is None else dict(SHOWN, retain=before_ip["retain"]))
    assert diff["before_header"] == "public IP of server %s" % SERVER
    # The header of the "after" is the core's summary: what a real run would do.
    assert diff["after_header"] == "dry run: ..."


def test_a_real_run_shows_the_ip_as_left():
    diff = public_ip_diff(SERVER, None, ensured({"action": "create", "retain": False}, parsed_ip(SERVER, False)),
                          check_mode=False)
    assert diff["before"] == {}
    assert diff["after"] == SHOWN


def test_an_ip_on_no_server_or_another_is_not_the_servers():
    unassigned = public_ip_diff(SERVER, parsed_ip(SERVER, True),
                                ensured({"action": "unassign", "id": SHOWN["id"], "retain": True}, parsed_ip(None, True)),
                                check_mode=False)
    assert unassigned["after"] == {}
    assert public_ip_diff(SERVER, parsed_ip(OTHER, False), ensured({"action": "none"}, None), False)["before"] == {}


def test_a_server_given_by_name_or_in_capitals_is_found_by_the_cores_id():
    real = ensured({"action": "set_retain", "id": SHOWN["id"], "retain": True}, parsed_ip(SERVER, True))
    for given in ("db", SERVER.upper()):
        diff = public_ip_diff(given, parsed_ip(SERVER, False), real, check_mode=False)
        assert (diff["before"], diff["after"]) == (SHOWN, dict(SHOWN, retain=True)), given
        assert diff["before_header"] == "public IP of server %s" % given
