# -*- test-case-name: tests.sim.test_headers,tests.sim.test_caller -*-
"""Build AMI events in the exact header layout of the Asterisk 22 captures.

Layouts come from the generated :mod:`switchboard.sim._headers` table: a field list
with ``@<prefix>`` markers for channel snapshots and ``%`` for a bridge snapshot.
:func:`build_event` picks the layout whose fields are exactly the ones given, so a
simulated event can never carry a header set Asterisk did not send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from switchboard.sim._headers import EVENT_LAYOUTS, PRIVILEGES
from switchboard.sim.channels import Bridge, Channel

Headers = tuple[tuple[str, str], ...]
EventSink = Callable[[Headers], None]


class LayoutError(ValueError):
    """No captured layout of this event has exactly the given fields."""


def build_event(
    name: str,
    snapshots: Mapping[str, Channel] | None = None,
    bridge: Bridge | None = None,
    **fields: object,
) -> Headers:
    """One event: ``Event`` then the captured layout, values from the model.

    Args:
        name: the event name, e.g. ``"Newchannel"``.
        snapshots: channel per snapshot prefix (``""``, ``"Dest"``, ``"LocalOne"`` ...).
        bridge: the bridge for ``%`` layouts.
        fields: the remaining headers by name; ``Cause_txt`` stands for ``Cause-txt``.
            ``Privilege`` defaults to the captured value.
    """
    snaps = dict(snapshots or {})
    values = {k.replace("_txt", "-txt"): str(v) for k, v in fields.items()}
    if name in PRIVILEGES:
        values.setdefault("Privilege", PRIVILEGES[name])
    for layout in EVENT_LAYOUTS.get(name, ()):
        markers = {f[1:] for f in layout if f.startswith("@")}
        plain = {f for f in layout if not f.startswith(("@", "%"))}
        if markers != set(snaps) or ("%" in layout) != (bridge is not None):
            continue
        if plain != set(values):
            continue
        out: list[tuple[str, str]] = [("Event", name)]
        for f in layout:
            if f.startswith("@"):
                out.extend(snaps[f[1:]].snapshot(f[1:]))
            elif f == "%":
                assert bridge is not None
                out.extend(bridge.snapshot())
            else:
                out.append((f, values[f]))
        return tuple(out)
    raise LayoutError(
        f"no captured layout of {name!r} has snapshots {sorted(snaps)} and fields {sorted(values)}"
    )


def build_plain(name: str, **fields: object) -> Headers:
    """An event without snapshots (list items, OriginateResponse, Cdr ...)."""
    return build_event(name, None, None, **fields)
