"""Values from outside on their way into AMI: refused where Asterisk would split them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.cti.ami import actions, values
from switchboard.cti.ami.frames import AmiParser, HeaderInjectionError, encode_message
from tests.fuzz_budget import budget

# The caller ID from issue 9: Asterisk splits each Variable: value on commas
# (man_do_variable_value in main/manager.c, via AST_STANDARD_APP_ARGS, whose
# __ast_app_separate_args in main/app.c also drops '"' and '\'), so this would set a
# second variable through the DB() dialplan function.
INJECTION = "5551234,DB(sw/owned)=1"


def test_a_comma_in_a_variable_value_is_refused_with_the_reason() -> None:
    with pytest.raises(values.UnsafeValue, match=r"CALLBACK_NUMBER holds ','"):
        values.variable("CALLBACK_NUMBER", INJECTION)


@pytest.mark.parametrize("bad", ['"', "\\", "\0", "\r", "\n"])
def test_characters_asterisk_drops_or_cuts_are_refused(bad: str) -> None:
    with pytest.raises(values.UnsafeValue):
        values.variable("NAME", f"a{bad}b")


@pytest.mark.parametrize("name", ["DB(sw/owned)", "A=B", "A,B", "", "1ABC", "A B"])
def test_variable_names_must_be_plain(name: str) -> None:
    with pytest.raises(values.UnsafeValue, match="plain variable name"):
        values.variable(name, "x")


def test_plain_values_and_inherited_names_pass() -> None:
    assert values.variable("__SWITCHBOARD_QUEUE", "sales (vip)=1") == (
        "__SWITCHBOARD_QUEUE=sales (vip)=1"
    )


def test_originate_refuses_the_injection_before_anything_is_encoded() -> None:
    with pytest.raises(values.UnsafeValue):
        actions.originate("PJSIP/a1", exten="dial", variables={"CALLBACK_NUMBER": INJECTION})


def test_caller_id_name_is_cleaned_and_number_checked() -> None:
    assert values.caller_id('Eve" <666> \\x', "+15551234") == '"Eve 666 x" <+15551234>'
    with pytest.raises(values.UnsafeValue, match="caller ID number"):
        values.caller_id("Callback", "555>1234")


@pytest.mark.parametrize("number", [INJECTION, "555 1234", "", "alice", "+", "1" * 33])
def test_phone_numbers_are_digits_with_an_optional_plus(number: str) -> None:
    with pytest.raises(values.UnsafeValue, match="not a phone number"):
        values.phone_number(number)


def test_the_encoder_refuses_nul_like_the_agi_codec() -> None:
    with pytest.raises(HeaderInjectionError, match="'\\\\x00'"):
        encode_message([("Action", "Setvar"), ("Value", "a\0b")])
    with pytest.raises(HeaderInjectionError):
        encode_message([("Na\0me", "x")])


@pytest.mark.parametrize("header", ["Action", "action", "ActionID", "UserEvent"])
def test_user_event_refuses_headers_that_would_change_the_action(header: str) -> None:
    with pytest.raises(HeaderInjectionError, match="reserved"):
        actions.user_event("Hello", {header: "Originate"})


def test_no_builder_accepts_an_action_header_among_its_headers() -> None:
    with pytest.raises(HeaderInjectionError, match="reserved"):
        actions.action("Ping", ("ActionID", "theirs"))


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@budget(200)
@given(_text)
def test_an_accepted_variable_reaches_asterisk_as_one_variable(value: str) -> None:
    try:
        header = values.variable("V", value)
    except values.UnsafeValue:
        return
    [msg] = AmiParser(expect_banner=False).feed(
        actions.action("Originate", ("Variable", header)).encode()
    )
    # What Asterisk's separate_args would see: no separator, nothing it would drop.
    sent = msg.get("Variable")
    assert sent == f"V={value}" and not set(sent) & set(',"\\')


@budget(200)
@given(_text, _text)
def test_an_accepted_caller_id_has_exactly_one_quoted_name_and_one_number(
    name: str, number: str
) -> None:
    try:
        text = values.caller_id(name, number)
    except values.UnsafeValue:
        return
    assert text.count('"') == 2 and text.count("<") == 1 and text.endswith(f"<{number}>")
