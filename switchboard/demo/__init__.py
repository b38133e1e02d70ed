"""``switchboard demo``: the simulated PBX and what ``switchboard serve`` runs, on loopback.

:mod:`.site` starts a site: the demo's settings, the simulated PBX, and ``app.build`` of
those settings (the same composition root as ``serve``, with a scaled clock); :mod:`.cli`
is the command (callers, the live line, the summary); :mod:`.tally` counts the summary
from the hub's facts.
"""

from switchboard.demo.cli import add_commands, run

__all__ = ["add_commands", "run"]
