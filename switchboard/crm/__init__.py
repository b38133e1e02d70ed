# -*- test-case-name: tests.ivr.test_store -*-
"""Customers and the identifiers callers are known by (phone, account, ID card, plate ...).

Minimal for the IVR's lookups; the screen pop, tickets and dispositions extend it later.
:mod:`.models` holds the tables, :mod:`.directory` the lookups.
"""

__all__ = ["directory", "models"]
