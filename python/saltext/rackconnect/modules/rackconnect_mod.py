"""
Rackspace RackConnect: wait for automation the right way, manage load-balancer pool membership
and public IPs (v3), repeatably.

:depends: rackconnect (the Python package, whose wheel also ships this extension)

Configuration
-------------
Every function takes the connection settings as keyword arguments; missing ones are read with
``config.get`` under the ``rackconnect`` key (minion configuration, grains, pillar). Keep the
API key in pillar, not on the command line:

.. code-block:: yaml

    rackconnect:
      username: myuser
      api_key: 0123456789abcdef        # or password: ...
      region: dfw                      # default: the user's default region
      tenant: "123456"                 # optional: scope the token to this account
      identity_url: us                 # us (default), uk, or a URL (an emulator)
      v2_url: https://dfw.api.rackconnect.rackspace.com   # v2 only; default: from region
      source_address: 10.176.1.2       # v2 only; default: the system's choice

RackConnect v2 (``status``, ``details``, ``gateway_ip``, ``features``, ``wait``) needs no
credentials: it answers only the server that asks, so these functions describe the minion they
run on. v2 allows 30 requests a minute per server; the waits stay within it.

The waits and the ``ensure_*`` functions return the core's result with a ``success`` key added;
when it is false (FAILED, a timeout, an error met while waiting such as an unknown server id,
...) salt-call exits with 1 and still prints the details (an error under ``error``). Errors
before any result (bad credentials, bad arguments, no connection, an unknown id in a list or
show function) raise ``CommandExecutionError`` with the core's message, which never contains a
credential.
"""

import logging

from saltext.rackconnect.utils import rackconnect as rcutils

log = logging.getLogger(__name__)

__virtualname__ = "rackconnect"


def __virtual__():
    reason = rcutils.unavailable_reason()
    if reason:
        return False, reason
    return __virtualname__


def _settings(connection_args):
    return rcutils.connection_settings(__salt__["config.get"], connection_args)


def _session(connection_args):
    return rcutils.session(__context__, _settings(connection_args))


def _v2(connection_args):
    return rcutils.v2_client(_settings(connection_args))


# RackConnect v2, asked from the minion itself.


def status(**connection_args):
    """
    The RackConnect v2 automation status of this minion: ``DEPLOYING``, ``DEPLOYED``,
    ``FAILED`` (or another value, as the service gives it).

    connection_args
        ``region``, ``v2_url``, ``source_address`` (see the module's documentation).

    CLI Example:

    .. code-block:: bash

        salt '*' rackconnect.status
        salt '*' rackconnect.status region=lon
    """
    client = _v2(connection_args)
    with rcutils.translated_errors():
        return rcutils.v2_value(client.status(), "automation_status")


def details(**connection_args):
    """
    The RackConnect v2 automation status of this minion with its tasks:
    ``{"automation_status": ..., "tasks": [{"name": ..., "status": ...}, ...]}``.

    connection_args
        ``region``, ``v2_url``, ``source_address`` (see the module's documentation).

    CLI Example:

    .. code-block:: bash

        salt '*' rackconnect.details
    """
    client = _v2(connection_args)
    with rcutils.translated_errors():
        return rcutils.v2_value(client.details(), "automation_status/details")


def gateway_ip(**connection_args):
    """
    The gateway IP of this minion's RackConnect network, or None while none is assigned yet.

    connection_args
        ``region``, ``v2_url``, ``source_address`` (see the module's documentation).

    CLI Example:

    .. code-block:: bash

        salt '*' rackconnect.gateway_ip
    """
    client = _v2(connection_args)
    with rcutils.translated_errors():
        return rcutils.v2_value(client.gateway_ip(), "gateway_ip")


def features(**connection_args):
    """
    Which RackConnect v2 automation features are on for this minion:
    ``{"features": [{"name": "configure_network_stack", "status": "ENABLED"}, ...]}``.

    connection_args
        ``region``, ``v2_url``, ``source_address`` (see the module's documentation).

    CLI Example:

    .. code-block:: bash

        salt '*' rackconnect.features
    """
    client = _v2(connection_args)
    with rcutils.translated_errors():
        return rcutils.v2_value(client.features(), "automation_features")


def wait(timeout=None, not_applicable_ok=True, **connection_args):
    """
    Wait until RackConnect v2 automation of this minion ends: ``DEPLOYED`` (success),
    ``FAILED`` (failure, with the failed task in ``reason`` and ``tasks``) or ``UNPROCESSABLE``
    (RackConnect does not apply). Stays within v2's 30 requests a minute.

    Returns the wait's result: ``outcome`` (``done``, ``failed``, ``not_applicable``,
    ``timed_out``, ``forbidden``, ``error``), ``status``, ``reason``, ``tasks``, ``requests``,
    ``elapsed_ms`` and ``success``.

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    not_applicable_ok
        Whether ``UNPROCESSABLE`` counts as success (default True); the core's verdict
        (``ok``, ``summary``) takes it into account.

    connection_args
        ``region``, ``v2_url``, ``source_address`` (see the module's documentation).

    CLI Example:

    .. code-block:: bash

        salt '*' rackconnect.wait
        salt '*' rackconnect.wait timeout=600 not_applicable_ok=False
    """
    client = _v2(connection_args)
    with rcutils.translated_errors():
        result = client.wait(
            timeout=rcutils.optional_seconds(timeout, "timeout"),
            not_applicable_ok=rcutils.flag(not_applicable_ok, "not_applicable_ok"),
            progress=rcutils.log_progress,
        )
    return rcutils.mark_success(result)


# Cloud Servers metadata: any server's status, with credentials.


def server_wait(
    server_id,
    rackconnect=True,
    managed=False,
    timeout=None,
    grace=None,
    not_applicable_ok=True,
    **connection_args
):
    """
    Wait on a server's metadata for RackConnect automation and/or Managed Operations, from
    anywhere (with credentials). RackConnect runs first; Managed Operations (``managed=True``)
    ends with ``Complete`` or ``Build Error``/``Authentication Error``.

    Returns the wait's result (as ``wait``) plus ``reachable_ipv4``: the address to reach the
    server at once automation is done, by the inventory's rule (RackConnect v2 replaces the
    original public IP; a RackConnect v3 server's active public IP comes next), and
    ``reached_by``: where it came from.

    server_id
        The Cloud Server's id (or a name only one server of the region has).

    rackconnect
        Wait for RackConnect automation (default True).

    managed
        Wait for Managed Operations automation too (default False; only on Managed accounts).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    grace
        How long a missing status key means "not written yet" (left out: the core's default,
        300 seconds); after that, RackConnect is taken as not applicable.

    not_applicable_ok
        Whether ``UNPROCESSABLE`` (or a key that never appears) counts as success (default True).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.server_wait 3f2a...-server-id
        salt-call rackconnect.server_wait 3f2a...-server-id managed=True timeout=3600
    """
    server_id = rcutils.ident(server_id, "server_id")
    options = dict(
        managed=rcutils.flag(managed, "managed"),
        rackconnect=rcutils.flag(rackconnect, "rackconnect"),
        timeout=rcutils.optional_seconds(timeout, "timeout"),
        grace=rcutils.optional_seconds(grace, "grace"),
        not_applicable_ok=rcutils.flag(not_applicable_ok, "not_applicable_ok"),
    )
    client = _session(connection_args)
    with rcutils.translated_errors():
        result = client.wait_server(
            server_id,
            **options,
            progress=rcutils.log_progress,
        )
    return rcutils.mark_success(result)


def wait_servers(
    servers=None,
    built_within=None,
    rackconnect=True,
    managed=False,
    timeout=None,
    grace=None,
    not_applicable_ok=True,
    **connection_args
):
    """
    Wait for a batch of servers at once, from anywhere (with credentials): one ``servers/detail``
    page (100 servers) a poll instead of a request per server, as Rackspace asks RackConnect
    customers to build in batches and wait for each. Each server ends on its own status (FAILED
    and Managed errors at once, UNPROCESSABLE as not applicable, a missing key as pending within
    ``grace``), with its reachable IP.

    Returns the batch's result: ``servers`` (each with ``outcome``, ``summary``, ``status``,
    ``managed_status``, ``reason`` and ``reachable_ip``), ``counts``, ``outcome``, ``summary``, and
    ``success`` (false when any server did not end well). From the master, the runner of the same
    name does the same (``salt-run rackconnect.wait_servers``, or ``salt.runner`` in an
    orchestration).

    servers
        The servers: ids, or names only one server of the region has (a list, or
        comma-separated on the command line).

    built_within
        Instead of ``servers``: every server of the region built at most this many seconds ago
        (Nova's ``created`` against the region's own clock).

    rackconnect, managed, timeout, grace, not_applicable_ok
        As for ``server_wait``.

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.wait_servers servers=web1,web2,web3 managed=True
        salt-call rackconnect.wait_servers built_within=1800
    """
    return rcutils.wait_servers(
        _session(connection_args), servers, built_within, rackconnect, managed, timeout, grace, not_applicable_ok
    )


def server_show(server_id, **connection_args):
    """
    A server as Cloud Servers shows it, with its RackConnect and Managed Operations status read
    from the metadata (``rackconnect.automation_status``, ``rackconnect.managed_status``, ...).

    server_id
        The Cloud Server's id (or a name only one server of the region has).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.server_show 3f2a...-server-id
    """
    server_id = rcutils.ident(server_id, "server_id")
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.show_server(server_id)


def list_servers(**connection_args):
    """
    Every Cloud Server of the region (all pages), each with its RackConnect and Managed
    Operations status read from the metadata (``rackconnect.automation_status``,
    ``rackconnect.managed_status``, ...) and ``access_ipv4``, the address to reach it at once
    RackConnect automation is done.

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_servers
        salt-call rackconnect.list_servers region=iad
    """
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_servers()


# RackConnect v3, with credentials.


def list_networks(**connection_args):
    """
    The RackConnect v3 cloud networks of the region.

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_networks
        salt-call rackconnect.list_networks region=iad
    """
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_networks()


def list_pools(**connection_args):
    """
    The RackConnect v3 load-balancer pools of the region (configured by Rackspace; the API
    cannot create them).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_pools
    """
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_pools()


def list_nodes(pool_id, **connection_args):
    """
    The nodes (member servers) of a RackConnect v3 load-balancer pool.

    pool_id
        The pool's id, or its name in the region (exactly, then ignoring case).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_nodes 00000001-bbbb-4bbb-8bbb-dfw000000001
        salt-call rackconnect.list_nodes dfw-web-80
    """
    pool_id = rcutils.ident(pool_id, "pool_id")
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_nodes(pool_id)


def list_node_details(pool_id, **connection_args):
    """
    The nodes of a RackConnect v3 load-balancer pool, each with its server (name, cloud
    network, private IP) and the pool in full.

    pool_id
        The pool's id, or its name in the region (exactly, then ignoring case).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_node_details dfw-web-80
    """
    pool_id = rcutils.ident(pool_id, "pool_id")
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_node_details(pool_id)


def list_public_ips(server_id=None, retain=None, **connection_args):
    """
    The RackConnect v3 public IPs of the region, optionally only a server's, or only the
    retained (or not retained) ones.

    server_id
        Only this server's public IPs.

    retain
        True or False: only retained or only not retained IPs.

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.list_public_ips
        salt-call rackconnect.list_public_ips server_id=3f2a...-server-id
        salt-call rackconnect.list_public_ips retain=True
    """
    server_id = rcutils.optional_ident(server_id, "server_id")
    retain = rcutils.optional_flag(retain, "retain")
    client = _session(connection_args)
    with rcutils.translated_errors():
        return client.list_public_ips(server_id=server_id, retain=retain)


def ensure_pool_members(
    servers, pools, present=True, dry_run=False, wait=True, timeout=None, **connection_args
):
    """
    Make every server a member of every pool (or, with ``present=False``, of none), converging:
    pairs already in place are left alone, right-after-build refusals are retried, and with
    ``wait`` each new node is waited for until ACTIVE (or gone).

    Returns the planner's result: ``outcome``, ``changed``, ``plan`` (``add``, ``remove``,
    ``unchanged`` pairs), ``added``, ``removed``, ``failed`` (pairs with a reason), ``reason``
    and ``success``.

    servers
        Server ids (or names only one server of the region has): a list, or a comma-separated string.

    pools
        Pools, each by id or by the name of one pool in the region: a list, or a comma-separated string.

    present
        True (default) to add, False to remove.

    dry_run
        Only plan: report what would change, change nothing.

    wait
        Wait for the nodes to become ACTIVE (or to be gone) (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.ensure_pool_members servers=SERVER_ID pools=POOL1,POOL2
        salt-call rackconnect.ensure_pool_members servers='[S1, S2]' pools=POOL1 present=False dry_run=True
    """
    servers, pools = rcutils.as_list(servers, "servers"), rcutils.as_list(pools, "pools")
    options = dict(
        present=rcutils.flag(present, "present"),
        dry_run=rcutils.flag(dry_run, "dry_run"),
        wait=rcutils.flag(wait, "wait"),
        timeout=rcutils.optional_seconds(timeout, "timeout"),
    )
    client = _session(connection_args)
    with rcutils.translated_errors():
        result = client.ensure_pool_members(
            servers,
            pools,
            **options,
            progress=rcutils.log_progress,
        )
    return rcutils.mark_success(result)


def ensure_public_ip(
    server_id,
    present=True,
    retain=None,
    move_ip=None,
    unassign=False,
    dry_run=False,
    wait=True,
    timeout=None,
    **connection_args
):
    """
    Give a server a RackConnect v3 public IP (or take it away, or take its retained IP off it
    while keeping the IP), converging: an IP already
    there is kept (its ``retain`` set if asked), and with ``wait`` the change is waited for
    until ACTIVE (or gone).

    Returns the planner's result: ``outcome``, ``changed``, ``plan`` (``action``: ``none``,
    ``create``, ``set_retain``, ``move``, ``unassign``, ``delete``), ``public_ip`` (with ``public_ip_v4``
    once allocated), ``reason`` and ``success``.

    server_id
        The Cloud Server's id (or a name only one server of the region has).

    present
        True (default) for a public IP, False for none.

    retain
        True or False: whether the IP outlives the server; unset leaves it as it is.

    move_ip
        The id of a retained public IP to move to this server instead of creating one.

    unassign
        True: take the server's retained public IP off it but keep the IP, on no server, for
        another server later (implies ``present=False``; with ``retain=True`` a non-retained IP
        is retained first).

    dry_run
        Only plan: report what would change, change nothing.

    wait
        Wait for the IP to become ACTIVE (or to be gone) (default True).

    timeout
        Give up after this many seconds (left out: the core's default, 1800).

    CLI Example:

    .. code-block:: bash

        salt-call rackconnect.ensure_public_ip SERVER_ID
        salt-call rackconnect.ensure_public_ip SERVER_ID retain=True
        salt-call rackconnect.ensure_public_ip SERVER_ID present=False dry_run=True
        salt-call rackconnect.ensure_public_ip SERVER_ID unassign=True
    """
    server_id = rcutils.ident(server_id, "server_id")
    options = dict(
        present=rcutils.flag(present, "present"),
        retain=rcutils.optional_flag(retain, "retain"),
        move_ip=rcutils.optional_ident(move_ip, "move_ip"),
        unassign=rcutils.flag(unassign, "unassign"),
        dry_run=rcutils.flag(dry_run, "dry_run"),
        wait=rcutils.flag(wait, "wait"),
        timeout=rcutils.optional_seconds(timeout, "timeout"),
    )
    client = _session(connection_args)
    with rcutils.translated_errors():
        result = client.ensure_public_ip(
            server_id,
            **options,
            progress=rcutils.log_progress,
        )
    return rcutils.mark_success(result)
