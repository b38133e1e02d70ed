# -*- test-case-name: tests.crm.test_import -*-
"""One imported row: which column is which field, and a row checked into a customer's
fields or the problems that refuse it (column and reason each).

Columns are matched to fields by a mapping (column header -> field) or by their header:
a field's name, an identifier kind, or a common Chinese header (姓名, 手机, 身份证 ...).
Any other column is kept as a free field (``attributes``) under its header; a column
mapped to ``ignore`` is left out on purpose. Nothing is dropped without being asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Final

from switchboard.crm.identifiers import IdentifierError, IdentifierRules
from switchboard.crm.reading import MAX_CELL

__all__ = ["FIELDS", "ColumnPlan", "Problem", "Row", "check_row", "plan_columns"]

FIELDS: Final = ("name", "language", "vip_tier", "tags", "notes", "last_contact", "ignore")
ALIASES: Final[Mapping[str, str]] = {
    alias.lower(): target
    for target, aliases in {
        "name": ("姓名", "客户名称", "客户姓名", "名称", "客户"),
        "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "mobile", "tel"),
        "account": ("账号", "帐号", "账户", "客户编号"),
        "id_card": ("身份证", "身份证号", "身份证号码", "证件号码"),
        "plate": ("车牌", "车牌号", "车牌号码"),
        "member_card": ("会员卡", "会员卡号"),
        "order": ("订单", "订单号"),
        "email": ("邮箱", "电子邮件", "e-mail"),
        "language": ("语言",),
        "vip_tier": ("vip", "vip等级", "会员等级", "等级"),
        "tags": ("标签",),
        "notes": ("备注",),
        "last_contact": ("最近联系", "最近联系时间", "最后联系"),
    }.items()
    for alias in aliases
}
_SPLIT: Final = re.compile(r"[;；,，、/|]+")
_DATE_FORMATS: Final = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True, slots=True)
class Problem:
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """For each column index: a field, an identifier kind, or ``attr:<header>``."""

    headers: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(slots=True)
class Row:
    name: str
    identifiers: list[tuple[str, str, str]] = field(default_factory=list)  # kind, value, column
    language: str = ""
    vip_level: int | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    last_contact: datetime | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def plan_columns(
    headers: Sequence[str], rules: IdentifierRules, mapping: Mapping[str, str] | None = None
) -> ColumnPlan:
    """Which field each column fills (``ValueError`` naming a bad mapping or no name column)."""
    known = (*FIELDS, *rules.kinds)
    if mapping:
        missing = sorted(set(mapping) - set(headers))
        if missing:
            raise ValueError(
                f"the mapping names column {missing[0]!r}, which the file does not have; "
                f"its columns: {', '.join(h for h in headers if h)}"
            )
        wrong = sorted(v for v in mapping.values() if v not in known)
        if wrong:
            raise ValueError(
                f"the mapping's field {wrong[0]!r} is unknown; use: {', '.join(known)}"
            )
    targets = []
    for header in headers:
        if mapping and header in mapping:
            targets.append(mapping[header])
        elif header.lower() in known:
            targets.append(header.lower())
        elif ALIASES.get(header.lower()) in known:
            targets.append(ALIASES[header.lower()])
        else:
            targets.append(f"attr:{header}" if header else "ignore")
    if "name" not in targets:
        raise ValueError(
            "no column holds the name: call it name or 姓名, or map it in a mapping file"
        )
    single = [t for t in targets if t in FIELDS and t != "ignore"]
    if len(set(single)) != len(single):
        twice = next(t for t in single if single.count(t) > 1)
        raise ValueError(f"two columns fill {twice!r}; map one of them to ignore")
    return ColumnPlan(tuple(headers), tuple(targets))


def check_row(
    cells: Sequence[str],
    plan: ColumnPlan,
    rules: IdentifierRules,
    vip_tiers: Sequence[str],
    zone: tzinfo,
) -> Row | list[Problem]:
    """The row's fields, or every problem with it (a row is taken whole or not at all)."""
    problems: list[Problem] = []
    if len(cells) > len(plan.headers) and any(c.strip() for c in cells[len(plan.headers) :]):
        problems.append(
            Problem(f"#{len(plan.headers) + 1}", "more cells than the header has columns")
        )
    row = Row(name="")
    for header, target, raw in zip(plan.headers, plan.targets, cells, strict=False):
        text = raw.strip()
        column = header or "(unnamed)"
        if "\x00" in text or len(text) > MAX_CELL:
            problems.append(Problem(column, f"longer than {MAX_CELL} characters or binary"))
            continue
        if not text or target == "ignore":
            continue
        problem = _fill(row, target, text, column, rules, vip_tiers, zone)
        if problem:
            problems.append(Problem(column, problem))
    name_column = plan.headers[plan.targets.index("name")]
    if not row.name and not any(p.column == name_column for p in problems):
        problems.append(Problem(name_column, "the name is empty"))
    if not row.identifiers and not problems:
        kinds = ", ".join(rules.kinds)
        problems.append(
            Problem("(identifiers)", f"no identifier to find the customer by; fill one of {kinds}")
        )
    return problems or row


def _fill(
    row: Row,
    target: str,
    text: str,
    column: str,
    rules: IdentifierRules,
    vip_tiers: Sequence[str],
    zone: tzinfo,
) -> str | None:
    """Put one cell in the row; the reason it cannot be, if so."""
    if target.startswith("attr:"):
        row.attributes[target[5:]] = text
    elif target == "name":
        if len(text) > 200:
            return "the name is longer than 200 characters"
        row.name = text
    elif target in rules.kinds:
        for value in _SPLIT.split(text) if rules.kinds[target] == "phone" else [text]:
            if not value.strip():
                continue
            try:
                row.identifiers.append((target, rules.validate(target, value), column))
            except IdentifierError as exc:
                return str(exc)
    elif target == "language":
        if len(text) > 16:
            return "a language code such as zh-CN or en (at most 16 characters)"
        row.language = text
    elif target == "vip_tier":
        lowered = [t.lower() for t in vip_tiers]
        if text.lower() in lowered:
            row.vip_level = lowered.index(text.lower())
        elif text.isdigit() and int(text) < len(vip_tiers):
            row.vip_level = int(text)
        else:
            return f"unknown VIP tier {text!r}; tiers: {', '.join(vip_tiers)}"
    elif target == "tags":
        tags = tuple(dict.fromkeys(t.strip() for t in _SPLIT.split(text) if t.strip()))
        if any(len(t) > 64 for t in tags):
            return "a tag is longer than 64 characters"
        row.tags = tags
    elif target == "notes":
        row.notes = text
    elif target == "last_contact":
        when = _date(text)
        if when is None:
            return f"{text!r} is not a date; write 2026-11-20 or 2026-11-20 14:30"
        row.last_contact = when.replace(tzinfo=zone)
    return None


def _date(text: str) -> datetime | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
