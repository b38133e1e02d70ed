# -*- test-case-name: tests.ivr.test_engine -*-
"""Which handler runs which step type."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows._actions import ACTION_HANDLERS
from switchboard.ivr_flows._input import CollectHandler, KeyHandler

__all__ = ["HANDLERS"]

_keys = KeyHandler()
HANDLERS: Final[Mapping[type[m.Step], Any]] = MappingProxyType(
    {
        **ACTION_HANDLERS,
        m.Menu: _keys,
        m.Language: _keys,
        m.Survey: _keys,
        m.Collect: CollectHandler(),
    }
)
assert set(HANDLERS) == set(m.STEP_TYPES.values()), "every step type needs a handler"
