# -*- test-case-name: tests.crm.test_identifiers -*-
"""Identifier kinds and how each is normalised: one stored form per key, whatever was typed.

A kind follows a *rule*: ``phone`` (``phonenumbers``, numbers of the default region in
their national digits, others in E.164), ``cn_id`` (the 18-character resident ID, its
checksum checked by ``python-stdnum``), ``upper`` (plates, accounts, cards, orders: upper
case, no spaces or dashes), ``lower`` (e-mail) or ``text`` (trimmed). Kinds are
configurable (``[crm] identifier_kinds``); :data:`DEFAULT_KINDS` is the shipped set.

:meth:`IdentifierRules.normalize` is lenient (a lookup with junk finds nothing, never
fails); :meth:`IdentifierRules.validate` is strict and says what is wrong (import, forms).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "DEFAULT_KINDS",
    "DEFAULT_REGION",
    "DEFAULT_RULES",
    "MAX_IDENTIFIER",
    "RULES",
    "IdentifierError",
    "IdentifierRules",
    "Rule",
]

Rule = Literal["phone", "cn_id", "upper", "lower", "text"]
RULES: Final = ("phone", "cn_id", "upper", "lower", "text")
DEFAULT_REGION: Final = "CN"
MAX_IDENTIFIER: Final = 128
DEFAULT_KINDS: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        "phone": "phone",
        "account": "upper",
        "id_card": "cn_id",
        "plate": "upper",
        "member_card": "upper",
        "order": "upper",
        "email": "lower",
    }
)
_SEPARATORS: Final = frozenset(" -\t\u3000")


class IdentifierError(ValueError):
    """A value that is not a usable identifier of its kind; the message says why."""


@dataclass(frozen=True, slots=True)
class IdentifierRules:
    kinds: Mapping[str, Rule] = field(default_factory=lambda: DEFAULT_KINDS)
    region: str = DEFAULT_REGION

    def rule(self, kind: str) -> Rule:
        try:
            return self.kinds[kind]
        except KeyError:
            raise IdentifierError(
                f"unknown identifier kind {kind!r}; known: {', '.join(self.kinds)}"
            ) from None

    def normalize(self, kind: str, value: str) -> str:
        """The stored form, or ``""`` when nothing usable is left (lenient)."""
        try:
            return self.validate(kind, value, strict=False)
        except IdentifierError:
            return ""

    def validate(self, kind: str, value: str, *, strict: bool = True) -> str:
        """The stored form; :class:`IdentifierError` naming the problem when unusable."""
        rule = self.rule(kind)
        text = value.strip()
        if not text:
            raise IdentifierError(f"the {kind} is empty")
        if len(text) > MAX_IDENTIFIER:
            raise IdentifierError(f"the {kind} is longer than {MAX_IDENTIFIER} characters")
        if rule == "phone":
            return self._phone(text, strict)
        if rule == "lower":
            return text.lower()
        if rule == "text":
            return text
        compact = "".join(ch for ch in text if ch not in _SEPARATORS).upper()
        if rule == "cn_id" and strict:
            _check_cn_id(compact)
        return compact

    def _phone(self, text: str, strict: bool) -> str:
        import phonenumbers

        digits = "".join(ch for ch in text if ch.isdigit())
        try:
            number = phonenumbers.parse(text, self.region)
        except phonenumbers.NumberParseException:
            if strict or not digits:
                raise IdentifierError(f"{text!r} is not a phone number") from None
            return digits
        if strict and not phonenumbers.is_possible_number(number):
            raise IdentifierError(
                f"{text!r} is not a possible phone number (default region {self.region})"
            )
        if phonenumbers.region_code_for_number(number) == self.region or (
            number.country_code == phonenumbers.country_code_for_region(self.region)
        ):
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            return "".join(ch for ch in national if ch.isdigit())
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_cn_id(compact: str) -> None:
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    try:
        ric.validate(compact)
    except ValidationError as exc:
        raise IdentifierError(
            f"{compact!r} is not a valid resident ID number ({exc}); "
            "check the 18 characters against the card"
        ) from None


DEFAULT_RULES: Final = IdentifierRules()
