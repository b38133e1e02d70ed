"""The ACD's pure core: frozen values, the router, statistics. No Twisted, no I/O, no clock.

Events and ``now`` in, :class:`~.decisions.Decisions` out (:mod:`.router`); the facts fold
into live figures (:mod:`.stats`) and are recomputed from stored visits (:mod:`.history`).
"""
