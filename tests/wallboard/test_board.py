"""The board's figures: the same as a recomputation from the stored records, after a
restart as before it, with callers, agents, colours and the 15-minute series."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from switchboard.config.model import WallboardColours
from switchboard.queue.core.decisions import CallAnswered
from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.wallboard.board import AGENTS as AGENT_ROWS
from switchboard.wallboard.board import Board, tile_level
from switchboard.wallboard.replay import stored_facts
from tests.wallboard.scenario import AGENTS, QUEUES, T, morning

UTC = ZoneInfo("UTC")
NOW = T + 1000


def board() -> Board:
    return Board(QUEUES, AGENTS, timezone=UTC)


def test_every_queue_figure_equals_a_recomputation_from_the_records() -> None:
    live = board()
    live.apply(morning())
    history = HistoryBuilder()
    history.apply(morning())
    queues, agents = recompute(history.visits, history.periods, QUEUES, AGENTS, NOW, timezone=UTC)
    assert live.stats.queues(NOW) == queues
    assert live.stats.agents(NOW) == agents
    sales = live.queue_json("sales", NOW)["tile"]
    assert (sales["offered"], sales["answered"], sales["abandoned"]) == (5, 1, 2)
    assert sales["short_abandons"] == 1
    # answered 1 in 20 s; counted = answered + abandoned - short = 2
    assert sales["service_level_pct"] == 50.0
    assert sales["abandoned_pct"] == 50.0
    assert sales["waiting"] == 2 and sales["longest_wait_s"] == 50.0
    support = live.queue_json("support", NOW)["tile"]
    assert support["service_level_pct"] == 0.0  # answered after 45 s against 30 s
    assert support["callbacks_pending"] == 1
    assert support["asa_s"] == 45.0


def test_a_board_rebuilt_from_the_stored_records_shows_the_same_day() -> None:
    before = board()
    before.apply(morning())
    history = HistoryBuilder()
    history.apply(morning())
    details = {("c1", "sales"): ("zh", 2), ("c6", "sales"): ("zh", 3)}
    after = board()  # a restart: nothing in memory, the records read back
    after.apply(stored_facts(history.visits, history.periods, details, cutoff=NOW))
    for name in ("sales", "support"):
        assert after.queue_json(name, NOW) == before.queue_json(name, NOW)
    assert after.agent_rows(NOW, None) == before.agent_rows(NOW, None)


def test_waiting_callers_are_ranked_by_priority_then_place_and_callbacks_listed_apart() -> None:
    live = board()
    live.apply(morning())
    waiting = live.queue_json("sales", NOW)["waiting"]
    assert [(c["call_id"], c["position"], c["vip_tier"], c["language"]) for c in waiting] == [
        ("c6", 1, 3, "zh"),
        ("c7", 2, 0, ""),
    ]
    support = live.queue_json("support", NOW)["waiting"]
    assert [(c["call_id"], c["callback"], c["position"]) for c in support] == [("c5", True, None)]


def test_agents_show_state_reason_time_in_state_and_current_call() -> None:
    live = board()
    touched = live.apply(morning())
    assert AGENT_ROWS in touched
    rows = {r["agent_id"]: r for r in live.agent_rows(NOW, None)}
    assert rows["1002"]["state"] == "on_call"
    assert rows["1002"]["call"] == {"queue": "support", "since": T + 75}
    assert rows["1003"]["reason"] == "lunch" and rows["1003"]["since"] == T + 1
    assert rows["1001"]["call"] is None and rows["1001"]["name"] == "王小明"


def test_a_supervisor_sees_only_the_agents_of_their_queues() -> None:
    live = board()
    live.apply(morning())
    assert {r["agent_id"] for r in live.agent_rows(NOW, {"sales"})} == {"1001", "1002"}
    assert {r["agent_id"] for r in live.agent_rows(NOW, {"support"})} == {"1002", "1003"}
    assert live.visible_queues({"support", "unknown"}) == ["support"]
    assert live.agent_rows(NOW, set()) == []


def test_the_15_minute_series_has_each_intervals_service_level_and_peak_waiting() -> None:
    live = board()
    live.apply(morning())
    series = live.queue_json("sales", NOW)["series"]
    nine = 36  # 09:00-09:15 is the 37th interval of the day
    assert series["step_s"] == 900.0 and len(series["service_level_pct"]) == nine + 2
    assert series["service_level_pct"][nine] == 50.0  # c1 in time, c4 abandoned
    assert series["service_level_pct"][nine + 1] is None  # nothing answered or abandoned
    assert series["waiting"][nine] == 1 and series["waiting"][nine + 1] == 2
    live.apply([CallAnswered("c6", "sales", "1001", NOW + 5, 55.0)])
    later = live.queue_json("sales", NOW + 5)["series"]
    assert later["service_level_pct"][nine + 1] == 0.0
    assert later["waiting"][nine + 1] == 2  # the peak stays


def test_a_tile_turns_amber_then_red_by_its_queues_thresholds() -> None:
    colours = WallboardColours(amber_below_pct=90, red_below_pct=70, amber_wait_s=20, red_wait_s=40)
    assert tile_level(colours, 95.0, 5.0) == "ok"
    assert tile_level(colours, None, 0.0) == "ok"  # an empty queue is not in trouble
    assert tile_level(colours, 80.0, 5.0) == "amber"
    assert tile_level(colours, 95.0, 30.0) == "amber"
    assert tile_level(colours, 60.0, 5.0) == "red"
    assert tile_level(colours, 95.0, 41.0) == "red"
    live = Board(QUEUES, AGENTS, timezone=UTC, colours={"sales": colours})
    live.apply(morning())
    assert live.queue_json("sales", NOW)["tile"]["level"] == "red"
    assert live.queue_json("sales", NOW)["tile"]["colours"]["amber_below_pct"] == 90


def test_an_empty_queue_shows_zeros_and_no_figures_rather_than_nothing() -> None:
    tile = board().queue_json("support", T)["tile"]
    assert tile["waiting"] == 0 and tile["offered"] == 0
    assert tile["service_level_pct"] is None and tile["asa_s"] is None
    assert tile["agents"] == {"ready": 0, "busy": 0, "not_ready": 0}
