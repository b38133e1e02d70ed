# -*- test-case-name: tests.unit.test_hub_payloads -*-
"""Frozen dataclasses to and from plain JSON values, guided by their annotations.

A payload's JSON form is its fields by name: enums as their values, mappings and nested
dataclasses as objects, variadic tuples (``tuple[X, ...]``) as arrays. Fields the
constructor does not take (``init=False``, such as a call change's ``kind``) are derived
from the others and left out. Reading checks each field against its annotation, so a
message from a newer or broken publisher is refused with the field named, never half-read.
Unknown keys are ignored (a newer publisher may add optional fields within a version);
a missing field with a default takes the default.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

__all__ = ["PayloadFormatError", "from_fields", "to_fields"]


class PayloadFormatError(ValueError):
    """A JSON payload that does not have the documented form (see ``docs/events.md``)."""


def to_fields(value: Any) -> dict[str, Any]:
    """``value``'s fields as JSON values (a dataclass instance)."""
    return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_fields(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def from_fields(cls: type[Any], data: Any, where: str) -> Any:
    """An instance of the dataclass ``cls`` from ``data``; ``where`` names it in errors."""
    if not isinstance(data, Mapping):
        raise PayloadFormatError(f"{where}: expected a JSON object, found {_kind(data)}")
    hints = _hints(cls)  # type: ignore[arg-type]  # a class is hashable
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PayloadFormatError(f"{where}: the field {f.name!r} is missing")
            continue
        values[f.name] = _read(hints[f.name], data[f.name], f"{where}.{f.name}")
    return cls(**values)


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        problems = []
        for option in typing.get_args(hint):
            try:
                return _read(option, value, where)
            except PayloadFormatError as exc:
                problems.append(str(exc))
        raise PayloadFormatError(" or ".join(problems))
    if hint is type(None):
        if value is None:
            return None
        raise PayloadFormatError(f"{where}: expected null, found {_kind(value)}")
    if origin is tuple:
        item, *rest = typing.get_args(hint)
        if rest != [Ellipsis]:
            raise TypeError(f"{where}: no JSON form for the fixed-length tuple {hint!r}")
        if not isinstance(value, list):
            raise PayloadFormatError(f"{where}: expected a JSON array, found {_kind(value)}")
        return tuple(_read(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        _, item = typing.get_args(hint)
        if not isinstance(value, Mapping):
            raise PayloadFormatError(f"{where}: expected a JSON object, found {_kind(value)}")
        return types.MappingProxyType(
            {str(k): _read(item, v, f"{where}.{k}") for k, v in value.items()}
        )
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            valid = ", ".join(repr(m.value) for m in hint)
            raise PayloadFormatError(f"{where}: {value!r} is not one of {valid}") from None
    if dataclasses.is_dataclass(hint):
        return from_fields(hint, value, where)  # type: ignore[arg-type]
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"{where}: no JSON form for the annotation {hint!r}")
    raise PayloadFormatError(f"{where}: expected {hint.__name__}, found {_kind(value)}")


def _kind(value: Any) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r}"[:80]
