"""Salt extension for Rackspace RackConnect, shipped inside the ``rackconnect`` wheel.

Salt finds it through the ``salt.loader`` entry point ``saltext.rackconnect``: the loader looks
for the ``modules``, ``states`` and ``utils`` folders next to this file. Nothing is imported
here, so that listing the entry point stays cheap and cannot fail.
"""
