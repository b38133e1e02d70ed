# -*- test-case-name: tests.ivr.test_e2e_sim -*-
"""Simulated callers walk the shipped example flows over real FastAGI on 127.0.0.1.

Each test places scripted callers on the simulated PBX (``switchboard.sim``), which
runs ``AGI(agi://127.0.0.1:<port>/main-menu)`` against the real FastAGI server and
:class:`FlowHandlers` on ``switchboard/ivr_flows/examples``, then the captured test
PBX's dialplan (``Queue(${SWITCHBOARD_QUEUE})``). Callers press keys while a prompt
plays, as people do (Asterisk drops keys pressed between AGI commands). Assertions are
on what a caller hears (the STREAM FILE names the PBX was asked to play), what a
supervisor sees (app_queue's events) and what the centre keeps (stored records).
Simulated time runs ``SPEED`` times faster; trial's ``timeout`` bounds each test.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import URL, select
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.trial.unittest import TestCase

from switchboard.config.model import AmiSettings
from switchboard.crm.directory import add_customer
from switchboard.cti.ami import actions
from switchboard.cti.ami.service import AmiClient
from switchboard.ivr_flows.effects import CustomerView
from switchboard.ivr_flows.records import CallbackRequestRow, sessions_for_call
from switchboard.ivr_flows.services import DatabaseServices, MemoryServices
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from tests.ivr.helpers import NATIONAL_DAY_10AM, TUESDAY_10AM, TUESDAY_11PM
from tests.ivr.simulated import FlowsOnSimulatedPbx

ENGLISH = KeyPress("3", 0.5, "choose-language")


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


def _caller(number: str, *keys: KeyPress, **script: Any) -> ScriptedCall:
    return ScriptedCall(at_s=0.0, number=number, name=f"Caller {number}", keys=keys, **script)


def _menu(digits: str) -> KeyPress:
    """Press ``digits`` half a second into the main menu prompt."""
    return KeyPress(digits, 0.5, "main-menu")


class SimulatedCallersTest(TestCase):
    timeout = 30

    def setUp(self) -> None:
        self.services = MemoryServices()
        self.centre = FlowsOnSimulatedPbx(_reactor(), self.services)
        self.addCleanup(lambda: Deferred.fromCoroutine(self.centre.stop()))

    def call(
        self,
        *calls: ScriptedCall,
        at: float = TUESDAY_10AM,
        sessions: int | None = None,
        survey_script: str = "",
    ) -> Deferred[None]:
        async def go() -> None:
            await self.centre.start(list(calls), at=at, survey_script=survey_script)
            await self.centre.until_done(len(calls), sessions)

        return ensureDeferred(go())

    async def test_right_digit_reaches_the_right_queue(self) -> None:
        await self.call(
            _caller("13800000001", ENGLISH, _menu("2")),
            _caller("13800000002", ENGLISH, _menu("0")),
        )
        centre = self.centre
        self.assertEqual(centre.queue_joined("13800000001"), ["support"])
        self.assertEqual(centre.queue_joined("13800000002"), ["sales"])
        self.assertIn("switchboard/en/main-menu", centre.heard("13800000001"))
        self.assertIn("switchboard/en/transfer-operator", centre.heard("13800000002"))
        # Both reached an agent of that queue, and the IVR trace says how.
        answered = {e["CallerIDNum"]: e["Queue"] for e in centre.named("AgentConnect")}
        self.assertEqual(answered, {"13800000001": "support", "13800000002": "sales"})
        record = centre.session_of("13800000001")
        self.assertEqual((record.outcome, record.queue, record.digits), ("queued", "support", "32"))

    async def test_wrong_digit_hears_the_retry_prompt_then_gets_through(self) -> None:
        await self.call(_caller("13800000003", ENGLISH, _menu("7"), _menu("2")))
        heard = self.centre.heard("13800000003")
        menu = heard.index("switchboard/en/main-menu")
        self.assertEqual(
            heard[menu : menu + 3],
            [
                "switchboard/en/main-menu",
                "switchboard/en/invalid-choice",
                "switchboard/en/main-menu",
            ],
        )
        self.assertEqual(self.centre.queue_joined("13800000003"), ["support"])

    async def test_silence_takes_the_timeout_path_to_the_operator(self) -> None:
        await self.call(_caller("13800000004"))
        heard = self.centre.heard("13800000004")
        # No language chosen: the flow's default (Mandarin); twice "no input", then the
        # menu's fallback, the operator queue.
        self.assertEqual(heard.count("switchboard/zh_CN/no-input"), 2)
        self.assertEqual(heard.count("switchboard/zh_CN/main-menu"), 3)
        self.assertEqual(heard[-1], "switchboard/zh_CN/transfer-operator")
        self.assertEqual(self.centre.queue_joined("13800000004"), ["sales"])

    async def test_hang_up_mid_menu_ends_the_flow_cleanly(self) -> None:
        # Menu from ~6 s (welcome, language choice); still in it at 12 s with silence.
        await self.call(_caller("13800000005", behaviour="abandon", abandon_after_s=12.0))
        record = self.centre.session_of("13800000005")
        self.assertEqual((record.outcome, record.last_step), ("caller_hangup", "menu"))
        self.assertEqual(record.trace[-1]["event"], "caller_hung_up")
        self.assertEqual(self.centre.variable("13800000005", "AGISTATUS"), ["HANGUP"])
        self.assertEqual(self.centre.queue_joined("13800000005"), [])
        # until_done also waited for: no channel left, no FastAGI session open.
        self.assertEqual(self.centre.sim.dialplan.agi_sessions, set())  # type: ignore[union-attr]

    async def test_out_of_hours_caller_books_a_callback(self) -> None:
        await self.call(
            _caller("13800000006", ENGLISH, KeyPress("1", 0.5, "after-hours-menu"), callback=True),
            at=TUESDAY_11PM,
        )
        heard = self.centre.heard("13800000006")
        self.assertIn("switchboard/en/closed", heard)
        self.assertIn("switchboard/en/callback-booked", heard)
        self.assertNotIn("switchboard/en/main-menu", heard)
        [request] = self.services.callbacks
        self.assertEqual((request.number, request.queue), ("13800000006", "support"))
        self.assertEqual(request.window_end - request.window_start, 7200)
        self.assertEqual(self.centre.queue_joined("13800000006"), [])
        self.assertEqual(self.centre.session_of("13800000006").outcome, "hangup")

    async def test_holiday_caller_leaves_a_voicemail(self) -> None:
        await self.call(
            _caller("13800000007", KeyPress("2", 0.5, "after-hours-menu")), at=NATIONAL_DAY_10AM
        )
        heard = self.centre.heard("13800000007")
        # No language chosen: the flow's default, Mandarin.
        self.assertIn("switchboard/zh_CN/holiday", heard)
        self.assertNotIn("switchboard/zh_CN/closed", heard)
        self.assertIn("switchboard/zh_CN/leave-message", heard)
        self.assertIn("EXEC VoiceMail support@default,u", self.centre.commands("13800000007"))
        self.assertEqual(self.centre.session_of("13800000007").outcome, "voicemail")
        self.assertEqual(self.centre.queue_joined("13800000007"), [])

    async def test_vip_takes_the_fast_path(self) -> None:
        self.services.add_customer(CustomerView(42, "Gold", 2, "", {}), phone="13900000000")
        await self.call(
            _caller("13900000000", ENGLISH), _caller("13800000008", ENGLISH, _menu("0"))
        )
        heard = self.centre.heard("13900000000")
        self.assertIn("switchboard/en/vip-welcome", heard)
        self.assertNotIn("switchboard/en/main-menu", heard)
        self.assertEqual(self.centre.queue_joined("13900000000"), ["support"])
        self.assertEqual(self.centre.variable("13900000000", "SWITCHBOARD_PRIORITY"), ["10"])
        self.assertEqual(self.centre.session_of("13900000000").customer_id, 42)
        # An unknown caller at the same time hears the ordinary menu.
        self.assertIn("switchboard/en/main-menu", self.centre.heard("13800000008"))
        self.assertNotIn("switchboard/en/vip-welcome", self.centre.heard("13800000008"))

    async def test_language_choice_picks_the_prompts(self) -> None:
        calls = {
            "1": ("13800000011", "zh_CN"),
            "2": ("13800000012", "zh_HK"),
            "3": ("13800000013", "en"),
        }
        await self.call(
            *(
                _caller(number, KeyPress(key, 0.5, "choose-language"), _menu("2"))
                for key, (number, _) in calls.items()
            )
        )
        for number, folder in calls.values():
            heard = self.centre.heard(number)
            self.assertIn(f"switchboard/{folder}/main-menu", heard)
            self.assertEqual(
                [p for p in heard if "/main-menu" in p], [f"switchboard/{folder}/main-menu"]
            )
            self.assertEqual(self.centre.queue_joined(number), ["support"])
        languages = {n: self.centre.variable(n, "SWITCHBOARD_LANGUAGE") for n, _ in calls.values()}
        self.assertEqual(
            languages, {"13800000011": ["cmn"], "13800000012": ["yue"], "13800000013": ["en"]}
        )

    async def test_callback_request_from_the_menu_is_stored(self) -> None:
        await self.call(_caller("13800000009", ENGLISH, _menu("3"), callback=True))
        heard = self.centre.heard("13800000009")
        self.assertIn("switchboard/en/callback-confirm-number", heard)
        self.assertIn("switchboard/en/callback-booked", heard)
        [request] = self.services.callbacks
        self.assertEqual(request.number, "13800000009")
        self.assertEqual(request.call_id, self.centre.session_of("13800000009").call_id)

    async def test_survey_score_is_stored_against_the_call_and_agent(self) -> None:
        await self.call(
            _caller("13800000010", ENGLISH, _menu("2"), csat=4), sessions=2, survey_script="csat"
        )
        self.assertEqual(self.centre.queue_joined("13800000010"), ["support"])
        self.assertIn("switchboard/en/csat-question", self.centre.heard("13800000010"))
        [answer] = self.services.surveys
        self.assertEqual((answer.score, answer.agent, answer.queue), (4, "Agent 2001", "support"))
        self.assertEqual(answer.call_id, self.centre.session_of("13800000010").call_id)

    async def test_redirect_out_of_the_menu_closes_the_session_and_runs_the_new_context(
        self,
    ) -> None:
        """A supervisor redirects a caller who is still in the menu to the sales queue."""
        centre = self.centre
        number = "13800000014"
        await centre.start([_caller(number)], at=TUESDAY_10AM)
        assert centre.sim is not None
        client = AmiClient(
            AmiSettings(host="127.0.0.1", port=centre.sim.ami_port, secret="switchboard"),
            centre.reactor,
        )
        client.startService()
        self.addCleanup(client.stopService)
        await client.when_ready(fail_after_failures=1)
        playing = await centre.until(
            lambda e: (
                e.get("Event") == "AGIExecStart"
                and e.get("CallerIDNum") == number
                and "main-menu" in e.get("Command", "")
            )
        )
        reply = await client.send(
            actions.redirect(playing["Channel"], "switchboard-transfer", "sales", 1)
        )
        self.assertEqual(reply.get("Response"), "Success")
        await centre.until_done(1)
        # The flow saw the caller leave its menu (HANGUP) and its session closed ...
        record = centre.session_of(number)
        self.assertEqual((record.outcome, record.last_step), ("caller_hangup", "menu"))
        self.assertEqual(record.queue, "")
        # ... and the channel went on in the new context: the sales queue, an agent.
        [joined] = centre.named("QueueCallerJoin", number)
        self.assertEqual((joined["Queue"], joined["Context"]), ("sales", "switchboard-transfer"))
        self.assertEqual([e["Queue"] for e in centre.named("AgentConnect", number)], ["sales"])


class SimulatedCallersOnSqliteTest(TestCase):
    """The same run with the production services: SQLite, off the reactor thread."""

    timeout = 30

    async def test_vip_from_the_crm_and_the_records_stored(self) -> None:
        reactor = _reactor()
        folder = Path(tempfile.mkdtemp(prefix="switchboard-ivr-e2e-db-"))
        self.addCleanup(shutil.rmtree, folder, True)
        url = URL.create("sqlite", database=str(folder / "switchboard.db"))
        upgrade_database(url)
        database = Database(create_database_engine(url), reactor, threads=2)
        self.addCleanup(database.close)
        await database.run(
            lambda s: add_customer(s, "Han Meimei", {"phone": "13900000001"}, vip_level=2)
        )
        centre = FlowsOnSimulatedPbx(reactor, DatabaseServices(database))
        self.addCleanup(lambda: Deferred.fromCoroutine(centre.stop()))
        await centre.start(
            [
                _caller("13900000001", ENGLISH),
                _caller("13800000015", ENGLISH, _menu("3"), callback=True),
            ],
            at=TUESDAY_10AM,
        )
        await centre.until_done(2)
        self.assertIn("switchboard/en/vip-welcome", centre.heard("13900000001"))
        self.assertEqual(centre.queue_joined("13900000001"), ["support"])
        vip = centre.session_of("13900000001")
        callback = centre.session_of("13800000015")

        def stored(session: Any) -> tuple[list[dict[str, Any]], list[str]]:
            numbers = [r.number for r in session.scalars(select(CallbackRequestRow))]
            return sessions_for_call(session, vip.call_id), numbers

        rows, numbers = await database.run(stored)
        self.assertEqual([(r["outcome"], r["queue"]) for r in rows], [("queued", "support")])
        self.assertIsNotNone(rows[0]["customer_id"])
        self.assertEqual(numbers, ["13800000015"])
        self.assertEqual(callback.outcome, "hangup")
