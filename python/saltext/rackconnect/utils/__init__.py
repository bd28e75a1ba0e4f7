"""Helpers shared by the ``rackconnect`` execution and state modules."""
