# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""What the controller-side plugins (the inventory, the lookups) share: a rackconnect session
from the rackconnect.rackconnect.controller_auth options, and the core's inventory read through
it. The core decides names, addresses, groups and filters; these only convert."""

from __future__ import annotations

from ansible.errors import AnsibleError

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import hint_for_exception

try:
    import rackconnect
except ImportError:
    rackconnect = None


def read_inventory(plugin_name, get_option, regions=None, **options):
    """The core's inventory (``rackconnect.Session.inventory``) of ``regions`` (None: the
    session's), with the plugin's credentials; any rackconnect error becomes an AnsibleError in
    the core's words, which never hold a secret."""
    if rackconnect is None:
        raise AnsibleError("%s needs the rackconnect Python package on the controller: install its wheel there "
                           "(rackconnect is not on PyPI yet)" % plugin_name)
    username = get_option("username")
    if not username:
        raise AnsibleError("%s: a username is needed: the username option or RAX_USERNAME" % plugin_name)
    try:
        session = rackconnect.Session(
            get_option("identity_url"),
            username=username,
            api_key=get_option("api_key"),
            password=get_option("password"),
            tenant=get_option("tenant"),
        )
        return session.inventory(regions or None, **options)
    except rackconnect.RackConnectError as exc:
        # What it was doing and what the failure means, as the modules say it; API text is
        # shown escaped: it reaches terminals.
        message = "%s: reading the servers: %s: %s" % (plugin_name, hint_for_exception(exc), exc)
        raise AnsibleError(rackconnect.terminal_safe(message))
