"""
Rackspace RackConnect states: wait for automation, keep servers in load-balancer pools and give
them public IPs (v3), idempotently.

:depends: rackconnect (the Python package, whose wheel also ships this extension)

The connection settings come from the ``rackconnect:`` configuration (minion configuration or
pillar, see the ``rackconnect`` execution module), or from the state's own arguments
(``username``, ``api_key``, ``region``, ...).

Under ``test=True`` nothing is changed: the states ask the service what they would do and
report it (result None, the planned changes in ``changes``), and ``automation_deployed`` looks
at the status once instead of waiting.

.. code-block:: yaml

    rackconnect_ready:
      rackconnect.automation_deployed: []

    web_pool:
      rackconnect.pool_member_present:
        - name: 00000001-cccc-4ccc-8ccc-000000000001
        - pools:
          - 00000001-bbbb-4bbb-8bbb-dfw000000001
        - require:
          - rackconnect: rackconnect_ready

    public_ip:
      rackconnect.public_ip_present:
        - name: 0000000a-cccc-4ccc-8ccc-00000000000a
        - retain: True
"""

import logging

from salt.exceptions import SaltException

from saltext.rackconnect.utils import rackconnect as rcutils

log = logging.getLogger(__name__)

__virtualname__ = "rackconnect"


def __virtual__():
    reason = rcutils.unavailable_reason()
    if reason:
        return False, reason
    if "rackconnect.ensure_pool_members" not in __salt__:
        return False, "the rackconnect execution module is not loaded"
    return __virtualname__


def _ret(name):
    return {"name": name, "result": True, "changes": {}, "comment": ""}


def _shown_safely(state):
    """A state's comment names what the user typed and quotes the API: both can hold terminal
    escapes, which the minion's output shows escaped instead of running them."""

    def safe(*args, **kwargs):
        ret = state(*args, **kwargs)
        ret["comment"] = rcutils.terminal_safe(ret["comment"])
        return ret

    return safe


def _shown(pair, what):
    """``name (id)`` when the run knows the name (the state named it), else the id."""
    name = pair.get(what + "_name")
    return "{} ({})".format(name, pair[what + "_id"]) if name else pair[what + "_id"]


def _pairs(pairs, relation="in"):
    return ", ".join("{} {} {}".format(_shown(p, "server"), relation, _shown(p, "pool")) for p in pairs)


@_shown_safely
def _membership(name, pools, servers, present, wait, timeout, connection_args):
    ret = _ret(name)
    test = bool(__opts__["test"])
    key, verb, done_verb = ("added", "add", "Added") if present else ("removed", "remove", "Removed")
    try:
        server_ids = rcutils.as_list(servers, "servers") if servers else [str(name)]
        result = __salt__["rackconnect.ensure_pool_members"](
            server_ids,
            rcutils.as_list(pools, "pools"),
            present=present,
            dry_run=test,
            wait=wait,
            timeout=timeout,
            **connection_args
        )
    except SaltException as err:
        ret.update(result=False, comment=str(err))
        return ret

    todo = result["plan"][verb]
    if not result["success"]:
        # A partial change (a node added, then ADD_FAILED) is still a change: report it.
        if result[key]:
            ret["changes"] = {key: result[key]}
        ret.update(result=False, comment="Pool membership failed: {}".format(rcutils.failure_reason(result)))
        return ret
    if not todo:
        ret["comment"] = "Already as wanted, nothing to change: {}.".format(
            _pairs(result["plan"]["unchanged"], "in" if present else "not in")
        )
        return ret
    if test:
        ret.update(
            result=None,
            changes={key: todo},
            comment="Would {} {} membership(s): {}.".format(verb, len(todo), _pairs(todo)),
        )
        return ret
    ret.update(
        changes={key: result[key]},
        comment="{} {} membership(s): {}.".format(done_verb, len(result[key]), _pairs(result[key])),
    )
    return ret


def pool_member_present(name, pools, servers=None, wait=True, timeout=None, **connection_args):
    """
    Ensure that a server (or every server of ``servers``) is a member of every pool of
    ``pools``. Pairs already in place are left alone; new nodes are waited for until ACTIVE.

    name
        The server's id (or a label, when ``servers`` is given).

    pools
        The load-balancer pools, each by id or by the name of one pool in the region (a list, or a comma-separated string).

    servers
        Several server ids instead of ``name``.

    wait
        Wait for the new nodes to become ACTIVE (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    .. code-block:: yaml

        web1_in_web_pool:
          rackconnect.pool_member_present:
            - name: 00000001-cccc-4ccc-8ccc-000000000001
            - pools:
              - 00000001-bbbb-4bbb-8bbb-dfw000000001
    """
    return _membership(name, pools, servers, True, wait, timeout, connection_args)


def pool_member_absent(name, pools, servers=None, wait=True, timeout=None, **connection_args):
    """
    Ensure that a server (or every server of ``servers``) is a member of none of ``pools``.
    Removed nodes are waited for until gone.

    name
        The server's id (or a label, when ``servers`` is given).

    pools
        The load-balancer pools, each by id or by the name of one pool in the region (a list, or a comma-separated string).

    servers
        Several server ids instead of ``name``.

    wait
        Wait for the removed nodes to be gone (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    .. code-block:: yaml

        web1_out_of_api_pool:
          rackconnect.pool_member_absent:
            - name: 00000001-cccc-4ccc-8ccc-000000000001
            - pools: 00000001-bbbb-4bbb-8bbb-dfw000000002
    """
    return _membership(name, pools, servers, False, wait, timeout, connection_args)


def _ip_comment(action, plan, server, address, test):
    shown = address or "(to be allocated)"
    if action == "create":
        return ("Would give server {} a new public IP (retain: {})" if test else
                "Gave server {} the public IP {}").format(server, plan["retain"] if test else shown)
    if action == "set_retain":
        return "{} retain={} on public IP {} of server {}".format(
            "Would set" if test else "Set", plan["retain"], address or plan["id"], server
        )
    if action == "move":
        return "{} the retained public IP {} to server {}".format(
            "Would move" if test else "Moved", address or plan["id"], server
        )
    if action == "unassign":
        return "{} the retained public IP {} from server {} (the IP is kept)".format(
            "Would unassign" if test else "Unassigned", address or plan["id"], server
        )
    return "{} the public IP {} of server {}".format(
        "Would remove" if test else "Removed", address or plan["id"], server
    )


@_shown_safely
def _public_ip(name, present, retain, move_ip, wait, timeout, connection_args, unassign=False):
    ret = _ret(name)
    test = bool(__opts__["test"])
    try:
        result = __salt__["rackconnect.ensure_public_ip"](
            name,
            present=present,
            retain=retain,
            move_ip=move_ip,
            unassign=unassign,
            dry_run=test,
            wait=wait,
            timeout=timeout,
            **connection_args
        )
    except SaltException as err:
        ret.update(result=False, comment=str(err))
        return ret

    plan = dict(result["plan"])
    action = plan["action"]
    # A delete leaves no IP to read afterwards; the core keeps it as read before the delete.
    public_ip = result.get("public_ip") or result.get("deleted") or {}
    address = public_ip.get("public_ip_v4")
    # Real run: what was changed (even if it then failed); test run: what would be.
    if action != "none" and ((result["changed"] and not test) or (test and result["success"])):
        ret["changes"] = dict(plan, public_ip_v4=address)
        if public_ip.get("id"):
            ret["changes"].setdefault("id", public_ip["id"])
    if not result["success"]:
        ret.update(result=False, comment="Public IP failed: {}".format(rcutils.failure_reason(result)))
        return ret
    if action == "none":
        ret["comment"] = (
            "Server {} already has the public IP {}, nothing to change.".format(name, address)
            if present
            else "Server {} has no public IP, nothing to change.".format(name)
        )
        return ret
    ret["comment"] = _ip_comment(action, plan, name, address, test) + "."
    if test:
        ret["result"] = None
    return ret


def public_ip_present(name, retain=None, move_ip=None, wait=True, timeout=None, **connection_args):
    """
    Ensure that a server has a RackConnect v3 public IP (one per server), waited for until
    ACTIVE. An IP already there is kept; ``retain`` is set on it if given.

    name
        The server's id.

    retain
        True or False: whether the IP outlives the server; unset leaves it as it is.

    move_ip
        The id of a retained public IP to move to this server instead of creating one.

    wait
        Wait for the IP to become ACTIVE (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    .. code-block:: yaml

        app1_public_ip:
          rackconnect.public_ip_present:
            - name: 0000000a-cccc-4ccc-8ccc-00000000000a
            - retain: True
    """
    return _public_ip(name, True, retain, move_ip, wait, timeout, connection_args)


def public_ip_absent(name, wait=True, timeout=None, **connection_args):
    """
    Ensure that a server has no RackConnect v3 public IP, waited for until gone.

    name
        The server's id.

    wait
        Wait for the IP to be gone (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    .. code-block:: yaml

        app1_no_public_ip:
          rackconnect.public_ip_absent:
            - name: 0000000a-cccc-4ccc-8ccc-00000000000a
    """
    return _public_ip(name, False, None, None, wait, timeout, connection_args)


def public_ip_unassigned(name, retain=None, wait=True, timeout=None, **connection_args):
    """
    Ensure that a server holds no RackConnect v3 public IP while its retained IP is kept, on
    no server, for another server later (the IP must be retained, already or by
    ``retain: True``); waited for until the IP is ACTIVE again.

    name
        The server's id.

    retain
        True to retain a non-retained IP in the same change; False is refused (the IP would
        be lost).

    wait
        Wait for the IP to be ACTIVE again (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    .. code-block:: yaml

        old_app_keeps_its_address:
          rackconnect.public_ip_unassigned:
            - name: 0000000a-cccc-4ccc-8ccc-00000000000a
    """
    return _public_ip(name, False, retain, None, wait, timeout, connection_args, unassign=True)


def automation_deployed(
    name,
    server_id=None,
    rackconnect=True,
    managed=False,
    timeout=None,
    grace=None,
    not_applicable_ok=True,
    **connection_args
):
    """
    Wait until RackConnect automation has ended well; fail at once when it FAILED (naming the
    failed task), never loop forever.

    Without ``server_id`` it waits for *this minion* through RackConnect v2 (no credentials
    needed: v2 answers only the server that asks), which is what a highstate on a freshly built
    server wants before touching the network. With ``server_id`` it waits on that server's
    metadata instead (credentials needed, works from anywhere, e.g. from an orchestration
    minion), and can wait for Managed Operations too.

    Waiting changes nothing, so ``changes`` is always empty. Under ``test=True`` the status is
    looked at once: result True when already ended well, None when it would wait, False when it
    failed.

    name
        A label (anything).

    server_id
        Wait on this server's metadata instead of asking v2 from this minion.

    rackconnect
        With ``server_id``: wait for RackConnect automation (default True).

    managed
        With ``server_id``: wait for Managed Operations automation too (default False).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    grace
        With ``server_id``: how long a missing status key means "not written yet" (left out: the
        core's default, 300).

    not_applicable_ok
        Whether ``UNPROCESSABLE`` (RackConnect does not apply to the server) is success
        (default True, with a warning carrying the reason).

    .. code-block:: yaml

        rackconnect_ready:
          rackconnect.automation_deployed:
            - timeout: 3600

        app1_ready:
          rackconnect.automation_deployed:
            - server_id: 0000000a-cccc-4ccc-8ccc-00000000000a
            - managed: True
    """
    return _automation_deployed(name, server_id, rackconnect, managed, timeout, grace, not_applicable_ok, connection_args)


@_shown_safely
def _automation_deployed(name, server_id, rackconnect, managed, timeout, grace, not_applicable_ok, connection_args):
    ret = _ret(name)
    test = bool(__opts__["test"])
    try:
        if server_id is None:
            if managed:
                ret.update(
                    result=False,
                    comment="managed=True needs server_id: Managed Operations status is in the "
                    "server's metadata, which v2 does not show",
                )
                return ret
            what = "RackConnect v2 automation of this minion"
            # Under test, a timeout of 0: the core looks once and judges the status itself.
            result = __salt__["rackconnect.wait"](
                timeout=0 if test else timeout, not_applicable_ok=not_applicable_ok, **connection_args
            )
        else:
            what = "automation of server {}".format(server_id)
            result = __salt__["rackconnect.server_wait"](
                server_id,
                rackconnect=rackconnect,
                managed=managed,
                timeout=0 if test else timeout,
                grace=grace,
                not_applicable_ok=not_applicable_ok,
                **connection_args
            )
    except SaltException as err:
        ret.update(result=False, comment=str(err))
        return ret

    if test and result["outcome"] == "timed_out":
        ret.update(
            result=None,
            comment="Would wait for the {}: now {}.".format(what, result.get("status") or "not reported yet"),
        )
        return ret

    if not result["success"]:
        reason = rcutils.failure_reason(result)
        failed_tasks = [t["name"] for t in result.get("tasks") or [] if t.get("status") == "FAILED"]
        if failed_tasks and not any(task in reason for task in failed_tasks):
            reason += " (failed task: {})".format("; ".join(failed_tasks))
        ret.update(result=False, comment="The {} did not end well: {}".format(what, reason))
        return ret
    if result["outcome"] == "not_applicable":
        # Success by the caller's choice (not_applicable_ok), with the reason as a warning.
        reason = rcutils.failure_reason(result)
        ret["warnings"] = [reason]
        ret["comment"] = "Nothing to wait for, the {} does not apply: {}".format(what, reason)
        return ret
    ret["comment"] = "The {} ended well ({}).".format(what, result.get("status") or "done")
    if result.get("reachable_ipv4"):
        ret["comment"] += " The server is reachable at {}.".format(result["reachable_ipv4"])
    return ret
