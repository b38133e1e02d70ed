# -*- test-case-name: tests.reports.test_transfers_sim -*-
"""``BlindTransfer`` and ``AttendedTransfer`` as Asterisk 22 writes them.

The captures hold no transfer, so these layouts are not generated from them (as
:mod:`.events`' are): they follow main/stasis_bridges.c (``blind_transfer_to_ami``,
``attended_transfer_to_ami``): ``Result``, then the channel snapshots
(main/manager_channels.c field order) and bridge snapshots (main/manager_bridges.c)
with their prefixes, ``IsExternal`` and the destination fields, class ``call``.
"""

from __future__ import annotations

from switchboard.sim.channels import Bridge, Channel
from switchboard.sim.events import Headers

_PRIVILEGE = ("Privilege", "call,all")


def _bridge(bridge: Bridge | None, prefix: str) -> list[tuple[str, str]]:
    return [] if bridge is None else [(prefix + k, v) for k, v in bridge.snapshot()]


def blind_transfer(
    result: str,
    transferer: Channel,
    transferee: Channel | None,
    bridge: Bridge | None,
    context: str,
    exten: str,
) -> Headers:
    out = [("Event", "BlindTransfer"), _PRIVILEGE, ("Result", result)]
    out += transferer.snapshot("Transferer")
    out += transferee.snapshot("Transferee") if transferee is not None else []
    out += _bridge(bridge, "")
    out += [("IsExternal", "Yes"), ("Context", context), ("Extension", exten)]
    return tuple(out)


def attended_transfer(
    result: str,
    transferer: Channel,
    orig: Bridge | None,
    second: Bridge | None,
    transferee: Channel | None = None,
    target: Channel | None = None,
) -> Headers:
    """The atxfer feature's: the transferer is both Orig and Second; a success merges
    into the transferee's bridge (``DestType: Bridge``), a failure is ``DestType: Fail``."""
    out = [("Event", "AttendedTransfer"), _PRIVILEGE, ("Result", result)]
    out += transferer.snapshot("OrigTransferer") + _bridge(orig, "Orig")
    out += transferer.snapshot("SecondTransferer") + _bridge(second, "Second")
    out += transferee.snapshot("Transferee") if transferee is not None else []
    out += target.snapshot("TransferTarget") if target is not None else []
    out.append(("IsExternal", "No"))
    if result == "Success" and orig is not None:
        out += [("DestType", "Bridge"), ("DestBridgeUniqueid", orig.uniqueid)]
    else:
        out.append(("DestType", "Fail"))
    return tuple(out)
