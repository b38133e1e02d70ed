"""The pure engine, driven with scripted results: each step type, type-ahead, sub-flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.ivr_flows.effects import (
    Answer,
    CustomerView,
    Dial,
    Done,
    Entered,
    ExecApp,
    Finish,
    GetData,
    GotoExtension,
    HangupCall,
    Played,
    SaveCallback,
    SaveSurvey,
    SayDate,
    SayDigits,
    SayNumber,
    StreamFile,
    WaitForDigit,
)
from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.simulate import walk
from switchboard.ivr_flows.state import CallInfo
from tests.ivr.helpers import EXAMPLES, NATIONAL_DAY_10AM, TUESDAY_10AM, TUESDAY_11PM, engine

MENU = """\
    steps:
      menu:
        type: menu
        prompts: [m1, m2]
        invalid_prompts: [bad]
        timeout_prompts: [quiet]
        timeout_s: 4
        retries: 1
        options:
          "1": {next: sales, set: {reason: buy}}
          "2": support
        fallback: operator
        on_timeout: silent
      sales: {type: queue, queue: sales}
      support: {type: queue, queue: support}
      operator: {type: queue, queue: operator}
      silent: {type: hangup}
    """
CALL = CallInfo(call_id="c1", caller_number="13800138000", channel="SIP/1-0001")


def test_start_answers_then_plays_with_type_ahead(tmp_path: Path) -> None:
    eng = engine(tmp_path, main=MENU)
    state, effect = eng.start("main", CALL, 100.0)
    assert effect == Answer()
    state, effect = eng.resume(state, Done(), 100.5)
    assert effect == StreamFile("m1", "0123456789*#")
    state, effect = eng.resume(state, Played(None), 101.0)
    assert effect == StreamFile("m2", "0123456789*#")
    state, effect = eng.resume(state, Played(None), 102.0)
    assert effect == WaitForDigit(4000)
    state, effect = eng.resume(state, Played("1"), 103.0)
    assert state.variables["reason"] == "buy" and state.variables["menu_choice"] == "1"
    assert state.queue == "sales"


def test_menu_digit_during_prompt_is_the_choice(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=MENU), "main", ["2"])
    assert result.state.outcome == "queued" and result.variables_set["SWITCHBOARD_QUEUE"] == (
        "support"
    )
    assert result.played == ["m1"]  # m2 never played: the key stopped m1


def test_menu_invalid_then_retry_then_fallback(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=MENU), "main", ["9", "7"])
    assert result.played == ["m1", "bad"]  # 7 was pressed during the "invalid" notice
    events = [t.event for t in result.state.trace if t.step == "menu"]
    assert events.count("invalid") == 2 and "gave_up" in events
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "operator"


def test_menu_silence_goes_to_the_timeout_path(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=MENU), "main", ["-", "-"])
    assert result.played == ["m1", "m2", "quiet", "m1", "m2"]
    assert isinstance(result.effects[-2], HangupCall) and result.state.outcome == "hangup"


def test_menu_without_fallback_ends_for_the_dialplan(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          menu:
            type: menu
            retries: 0
            options: {"1": q}
          q: {type: queue, queue: q}
        """,
    )
    assert walk(eng, "main", ["5"]).state.outcome == "menu_failed"


COLLECT = """\
    steps:
      account:
        type: collect
        var: account
        prompts: [intro, enter]
        min_digits: 4
        max_digits: 8
        pattern: "[0-9]+"
        retries: 1
        invalid_prompts: [bad]
        fallback: nope
      ok: {type: queue, queue: "q${account}"}
      nope: {type: hangup}
    """


def test_collect_uses_get_data_on_the_last_prompt(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=COLLECT), "main", ["12345#"])
    assert [e for e in result.effects if isinstance(e, GetData)] == [GetData("enter", 5000, 8)]
    assert result.state.variables["account"] == "12345"
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "q12345"


def test_collect_type_ahead_keeps_the_interrupting_digit(tmp_path: Path) -> None:
    eng = engine(tmp_path, main=COLLECT)
    state, _ = eng.start("main", CALL, 0)
    state, effect = eng.resume(state, Done(), 0)
    assert effect == StreamFile("intro", "0123456789*#")
    state, effect = eng.resume(state, Played("9"), 1)
    assert effect == GetData("silence/1", 5000, 7)
    state, effect = eng.resume(state, Entered("876"), 2)
    assert state.variables["account"] == "9876"


def test_collect_type_ahead_from_a_play_step(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          hello: {type: play, prompts: [hello]}
          pin: {type: collect, var: pin, min_digits: 2, max_digits: 4}
          q: {type: queue, queue: "${pin}"}
        """,
    )
    state, _ = eng.start("main", CALL, 0)
    state, effect = eng.resume(state, Done(), 0)
    state, effect = eng.resume(state, Played("4"), 1)
    assert state.pending == "" and effect == GetData("silence/1", 5000, 3)


def test_collect_invalid_length_then_fallback(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=COLLECT), "main", ["12#", "1#"])
    assert result.state.outcome == "hangup"
    checks = [t.data.get("check") for t in result.state.trace if t.event == "invalid"]
    assert checks == ["length", "length"]


def test_collect_luhn(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          card: {type: collect, var: card, luhn: true, retries: 0, fallback: bad}
          ok: {type: queue, queue: ok}
          bad: {type: queue, queue: bad}
        """,
    )
    assert walk(eng, "main", ["79927398713#"]).variables_set["SWITCHBOARD_QUEUE"] == "ok"
    assert walk(eng, "main", ["79927398710#"]).variables_set["SWITCHBOARD_QUEUE"] == "bad"


def test_say_digits_number_date(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        variables: {amount: "1234.56", day: "2026-03-10", word: "abc"}
        steps:
          d: {type: say, digits: "${caller_number}"}
          n: {type: say, number: "${amount}"}
          t: {type: say, date: "${day}", interruptible: false}
          skip: {type: say, number: "${word}"}
        """,
    )
    result = walk(eng, "main", call=CALL)
    said = [e for e in result.effects if isinstance(e, SayDigits | SayNumber | SayDate)]
    assert said == [
        SayDigits("13800138000", "0123456789*#"),
        SayNumber(1234, "0123456789*#"),
        SayDate(1773144000, ""),
    ]
    assert any(t.event == "say_skipped" for t in result.state.trace)
    assert result.state.outcome == "completed"


def test_set_and_branch(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          s: {type: set, set: {tier: "3", name: "x${caller_number}"}}
          b:
            type: branch
            cases:
              - {var: tier, gte: 5, next: high}
              - {var: name, matches: "x138.*", next: mobile}
            default: other
          high: {type: queue, queue: high}
          mobile: {type: queue, queue: mobile}
          other: {type: queue, queue: other}
        """,
    )
    assert walk(eng, "main", call=CALL).variables_set["SWITCHBOARD_QUEUE"] == "mobile"


HOURS = """\
    steps:
      h:
        type: hours
        timezone: Asia/Shanghai
        schedule: {mon-fri: ["09:00-18:00"]}
        holidays: [2026-10-01..2026-10-07]
        workdays: [2026-10-10]
        open: o
        closed: c
        holiday: x
      o: {type: queue, queue: open}
      c: {type: queue, queue: closed}
      x: {type: queue, queue: holiday}
    """


@pytest.mark.parametrize(
    ("now", "queue"),
    [
        (TUESDAY_10AM, "open"),
        (TUESDAY_11PM, "closed"),
        (NATIONAL_DAY_10AM, "holiday"),
        (NATIONAL_DAY_10AM + 9 * 86400, "open"),  # Saturday 10 Oct: a make-up working day
        (NATIONAL_DAY_10AM + 10 * 86400, "closed"),  # Sunday 11 Oct
    ],
)
def test_time_conditions(tmp_path: Path, now: float, queue: str) -> None:
    result = walk(engine(tmp_path, main=HOURS), "main", now=now)
    assert result.variables_set["SWITCHBOARD_QUEUE"] == queue


LOOKUP = """\
    steps:
      who:
        type: lookup
        by: caller
        vip: {3: gold, 1: silver}
        found: known
        not_found: stranger
      gold: {type: queue, queue: "gold", priority: "10"}
      silver: {type: queue, queue: "silver-${customer.name}"}
      known: {type: queue, queue: known}
      stranger: {type: queue, queue: stranger}
    """


@pytest.mark.parametrize(("vip", "queue"), [(5, "gold"), (1, "silver-Li"), (0, "known")])
def test_lookup_by_caller_with_vip_branches(tmp_path: Path, vip: int, queue: str) -> None:
    customers = {("phone", "+86 138 0013 8000"): CustomerView(7, "Li", vip, "", {})}
    result = walk(engine(tmp_path, main=LOOKUP), "main", call=CALL, customers=customers)
    assert result.variables_set["SWITCHBOARD_QUEUE"] == queue
    assert result.variables_set["SWITCHBOARD_CUSTOMER_ID"] == "7"
    if vip >= 3:
        assert result.variables_set["QUEUE_PRIO"] == "10"


def test_lookup_not_found(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=LOOKUP), "main", call=CALL)
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "stranger"


def test_language_choice_drives_prompt_files(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        _prompts="""\
        base: sb
        fallback: cmn
        languages:
          cmn: {dir: zh_CN}
          yue: {dir: zh_HK, required: false}
          en: {dir: en}
        prompts:
          pick: [cmn, en]
          hi: [cmn, yue, en]
          menu: [cmn, en]
        """,
        main="""\
        steps:
          lang:
            type: language
            prompts: [pick]
            options: {"1": cmn, "2": yue, "3": en}
          hi: {type: play, prompts: [hi, menu]}
          q: {type: queue, queue: "q-${language}"}
        """,
    )
    result = walk(eng, "main", ["-", "2"])  # silence, then Cantonese on the retry
    assert result.played == ["sb/zh_CN/pick", "sb/zh_CN/pick", "sb/zh_HK/hi", "sb/zh_CN/menu"]
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "q-yue"
    call = CallInfo(call_id="c2", language="en_US")
    assert walk(eng, "main", ["3"], call=call).played[0] == "sb/en/pick"


def test_goto_with_return_and_without(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          sub: {type: goto, flow: sub, return: true}
          after: {type: queue, queue: "back-${from_sub}"}
        """,
        sub="""\
        steps:
          s: {type: set, set: {from_sub: "yes"}}
          r: {type: return}
        """,
    )
    result = walk(eng, "main")
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "back-yes"
    assert [t.flow for t in result.state.trace if t.event == "entered"] == [
        "main",
        "sub",
        "sub",
        "main",
    ]


def test_queue_dial_target_and_no_answer(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          q:
            type: queue
            queue: sales
            dial: "Local/${queue_target}@agents"
            dial_timeout_s: 20
            on_no_answer: vm
          vm: {type: voicemail, mailbox: "sales@default"}
        """.replace("${queue_target}", "1001"),
    )
    answered = walk(eng, "main")
    assert Dial("Local/1001@agents", 20) in answered.effects
    assert answered.state.outcome == "answered"
    missed = walk(eng, "main", dial_status="NOANSWER")
    assert ExecApp("VoiceMail", "sales@default,u") in missed.effects
    assert missed.state.outcome == "voicemail"


def test_callback_window(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          cb: {type: callback, queue: support, window: "14:00-18:00", timezone: Asia/Shanghai}
          bye: {type: hangup}
        """,
    )
    result = walk(eng, "main", call=CALL, now=TUESDAY_10AM, step_s=0)
    request = next(e for e in result.effects if isinstance(e, SaveCallback)).request
    assert request.number == "13800138000" and request.queue == "support"
    assert request.window_start == TUESDAY_10AM + 4 * 3600
    assert request.window_end == TUESDAY_10AM + 8 * 3600
    late = walk(eng, "main", call=CALL, now=TUESDAY_11PM, step_s=0)
    request = next(e for e in late.effects if isinstance(e, SaveCallback)).request
    assert request.window_start == TUESDAY_10AM + 28 * 3600  # tomorrow 14:00


def test_transfer_and_hangup(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          t: {type: transfer, extension: "8${caller_number}", context: internal}
        """,
    )
    result = walk(eng, "main", call=CallInfo(call_id="x", caller_number="01"))
    assert GotoExtension("internal", "801", 1) in result.effects
    assert result.state.outcome == "transferred"


def test_survey_scores_and_retries(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        channel_variables: {agent: MEMBERNAME}
        steps:
          ask: {type: survey, prompts: [q], agent: "${agent}", queue: support, retries: 1}
          thanks: {type: play, prompts: [thanks]}
        """,
    )
    result = walk(eng, "main", ["8", "4"], channel_variables={"MEMBERNAME": "Bob"})
    saved = [e.answer for e in result.effects if isinstance(e, SaveSurvey)]
    assert [(a.score, a.agent, a.queue) for a in saved] == [(4, "Bob", "support")]
    silent = walk(eng, "main", ["-", "-"])
    assert not any(isinstance(e, SaveSurvey) for e in silent.effects)
    assert silent.state.outcome == "completed"


def test_every_step_may_set_variables(tmp_path: Path) -> None:
    eng = engine(
        tmp_path,
        main="""\
        steps:
          p: {type: play, prompts: [x], set: {seen: "p"}}
          q: {type: queue, queue: "${seen}", set: {seen: "${seen}q"}}
        """,
    )
    assert walk(eng, "main").variables_set["SWITCHBOARD_QUEUE"] == "pq"


def test_hung_up_marks_where_the_caller_left(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, main=MENU), "main", ["-", "hangup"])
    assert result.state.outcome == "caller_hangup" and result.state.step == "menu"
    assert result.state.trace[-1].event == "caller_hung_up"


def test_finish_is_final(tmp_path: Path) -> None:
    eng = engine(tmp_path, main="steps: {bye: {type: hangup}}\n")
    state, effect = eng.start("main", CALL, 0)
    state, effect = eng.resume(state, Done(), 0)
    state, effect = eng.resume(state, Done(), 0)
    assert effect == Finish("hangup")
    with pytest.raises(RuntimeError):
        eng.resume(state, Done(), 0)


def test_examples_walk(tmp_path: Path) -> None:
    from switchboard.ivr_flows.load import load_flows

    eng = Engine(load_flows(EXAMPLES))
    vip = {("phone", "13800138000"): CustomerView(1, "Wang", 2, "", {})}
    fast = walk(eng, "main-menu", ["1"], call=CALL, customers=vip, now=TUESDAY_10AM)
    assert fast.variables_set["SWITCHBOARD_QUEUE"] == "support"
    assert fast.variables_set["QUEUE_PRIO"] == "10"
    night = walk(eng, "main-menu", ["3", "1", "1"], call=CALL, now=TUESDAY_11PM)
    assert any(isinstance(e, SaveCallback) for e in night.effects)
    assert night.state.outcome == "hangup"
    holiday = walk(eng, "main-menu", ["-", "2"], call=CALL, now=NATIONAL_DAY_10AM)
    assert "holiday" in [t.step for t in holiday.state.trace]
    assert holiday.state.outcome == "voicemail"


def test_a_mailbox_that_would_split_into_options_is_not_sent(tmp_path: Path) -> None:
    # VoiceMail splits its data on commas: "100,s" would add the 's' option (skip the
    # greeting checks) that the flow never asked for. The flow ends as unavailable instead.
    eng = engine(
        tmp_path,
        main="""\
        steps:
          s: {type: set, set: {box: "100,s"}}
          vm: {type: voicemail, mailbox: "${box}@default"}
        """,
    )
    result = walk(eng, "main")
    assert not any(isinstance(e, ExecApp) for e in result.effects)
    assert result.state.outcome == "voicemail_unavailable"
