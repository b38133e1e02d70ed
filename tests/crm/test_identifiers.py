"""Identifiers are stored in one form whatever was typed; bad ones are refused with a reason."""

from __future__ import annotations

import pytest

from switchboard.crm.identifiers import DEFAULT_RULES, IdentifierError, IdentifierRules


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("phone", "+86 138-0013-8000", "13800138000"),
        ("phone", "008613800138000", "13800138000"),
        ("phone", "010-6234 5678", "01062345678"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("plate", "粤b 12345", "粤B12345"),
        ("id_card", " 110105 19491231002x", "11010519491231002X"),
        ("member_card", "vip-0042 17", "VIP004217"),
        ("email", " Li.Lei@Example.COM ", "li.lei@example.com"),
    ],
)
def test_values_are_normalised(kind: str, typed: str, stored: str) -> None:
    assert DEFAULT_RULES.validate(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed", "reason"),
    [
        ("id_card", "110105194912310021", "not a valid resident ID"),
        ("id_card", "12345", "not a valid resident ID"),
        ("phone", "12", "not a possible phone number"),
        ("phone", "call me", "not a phone number"),
        ("plate", "   ", "empty"),
        ("account", "9" * 129, "longer than 128"),
        ("shoe_size", "42", "unknown identifier kind 'shoe_size'"),
    ],
)
def test_bad_values_are_refused_naming_why(kind: str, typed: str, reason: str) -> None:
    with pytest.raises(IdentifierError, match=reason):
        DEFAULT_RULES.validate(kind, typed)


def test_lookups_are_lenient() -> None:
    # The IVR looks up what a caller keyed in: a wrong checksum finds nothing, never fails.
    assert DEFAULT_RULES.normalize("id_card", "1101 0519 4912 3100 21") == "110105194912310021"
    assert DEFAULT_RULES.normalize("phone", "call me") == ""


def test_kinds_and_region_are_configurable() -> None:
    rules = IdentifierRules({"mobile": "phone", "passport": "upper"}, region="GB")
    assert rules.validate("mobile", "020 7946 0958") == "02079460958"
    assert rules.validate("mobile", "+86 138 0013 8000") == "+8613800138000"
    assert rules.validate("passport", "e 1234567") == "E1234567"
    with pytest.raises(IdentifierError, match="known: mobile, passport"):
        rules.validate("phone", "1")
