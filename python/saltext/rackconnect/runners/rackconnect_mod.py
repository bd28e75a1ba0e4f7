"""
Rackspace RackConnect from the master: wait for a batch of servers at once, for an orchestration
to go on with the servers that are ready.

:depends: rackconnect (``pip install rackconnect``, which also ships this extension)

Configuration
-------------
The connection settings are the execution module's, under the ``rackconnect:`` key of the
**master** configuration (any argument overrides them); keep the API key out of the command line:

.. code-block:: yaml

    rackconnect:
      username: myuser
      api_key: 0123456789abcdef        # or password: ...
      region: dfw

In an orchestration (``salt-run state.orchestrate orch.build``), the state fails when any server
did not end well, and the result (each server with its reachable IP) is in its changes:

.. code-block:: yaml

    wait_for_the_batch:
      salt.runner:
        - name: rackconnect.wait_servers
        - servers: [web1, web2, web3]
        - managed: true

    configure_them:
      salt.state:
        - tgt: 'web*'
        - highstate: true
        - require:
          - salt: wait_for_the_batch
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
    return __virtualname__


def _config_get(key, default=None):
    """``config.get`` for the master: its configuration (runners have no minion configuration)."""
    return __opts__.get(key, default)


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
    Wait for a batch of servers at once through ``servers/detail`` pages (one request per 100
    servers a poll), each server ending on its own status with its reachable IP: the execution
    module's ``rackconnect.wait_servers``, run on the master. When any server did not end well,
    ``success`` is false, ``retcode`` is 1 (salt-run's exit code) and an orchestration's
    ``salt.runner`` state fails. A mistake (an unknown server name, a window with no server, a
    refused key) is returned the same way, with the core's message as ``comment``.

    servers
        The servers: ids, or names only one server of the region has (a list, or
        comma-separated on the command line).

    built_within
        Instead of ``servers``: every server of the region built at most this many seconds ago.

    rackconnect, managed, timeout, grace, not_applicable_ok
        As for the execution module's ``server_wait``.

    CLI Example:

    .. code-block:: bash

        salt-run rackconnect.wait_servers servers=web1,web2,web3 managed=True
        salt-run rackconnect.wait_servers built_within=1800
    """
    try:
        settings = rcutils.connection_settings(_config_get, connection_args)
        client = rcutils.session(__context__, settings)
        result = rcutils.wait_servers(
            client, servers, built_within, rackconnect, managed, timeout, grace, not_applicable_ok
        )
    except SaltException as err:
        # A mistake (an unknown name, a window with no server, a refused key) is the result,
        # said once: salt-run would print an exception raised here with its whole traceback.
        log.error("rackconnect.wait_servers: %s", err)
        __context__["retcode"] = 1
        return {"success": False, "comment": str(err), "retcode": 1}
    # What salt-run exits with (the result's ``retcode``) and what an orchestration's
    # ``salt.runner`` state reads (the runner's ``__context__["retcode"]``).
    result["retcode"] = 0 if result["success"] else 1
    if not result["success"]:
        __context__["retcode"] = 1
    return result
