# -*- test-case-name: tests.reports.test_scorecard -*-
"""Agent scorecards: per interval (day, week, month) and agent, a score out of 100
weighted from components (``[reports] scorecard_weights``: quality 60, efficiency 30,
CSAT 10 as shipped) less a penalty per missed offer. Every component is a column, so
the score can be checked and exported with its parts.

* quality: switchboard has no QA grading yet, so what stands in is the share of the
  agent's handled calls they set a disposition on and no complaint ticket is about;
* efficiency: the mean of an AHT score (the team's median AHT / the agent's, at most 100:
  as fast as the median or faster is full marks) and occupancy;
* CSAT: the mean survey score scaled to 0..100 (1 is 0, the top of the scale 100).

A component with nothing to measure (no calls handled, no answers) is left out and the
others' weights count in its place. docs/reports.md has the definitions.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.agent_report import BUSY_STATES
from switchboard.reports.agent_source import LOGGED_IN
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.scorecard_source import ScorecardPieces, read_scorecard_pieces
from switchboard.reports.table import Cell, Column, Report

__all__ = ["build_scorecard", "scorecard", "weighted_score"]


@dataclass(slots=True)
class _Tally:
    handled: int = 0
    handle_sum: float = 0.0
    good: int = 0  # a disposition and no complaint
    complaints: int = 0
    busy_s: float = 0.0
    ready_s: float = 0.0
    offers: int = 0
    missed: int = 0
    scores: list[int] = field(default_factory=list)
    logged_in: bool = False


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def weighted_score(
    components: Mapping[str, float | None], weights: Mapping[str, float], penalty: float
) -> float | None:
    """Σ weight × component / Σ weight over the components measured, less ``penalty``
    (never below 0); None when nothing was measured."""
    measured = {k: w for k, w in weights.items() if w > 0 and components.get(k) is not None}
    total = sum(measured.values())
    if not total:
        return None
    score = sum(w * (components[k] or 0.0) for k, w in measured.items()) / total
    return max(score - penalty, 0.0)


def _tallies(query: ReportQuery, pieces: ScorecardPieces) -> dict[tuple[int, str], _Tally]:
    spans = query.spans()
    starts = [s.start_s for s in spans]
    tallies: dict[tuple[int, str], _Tally] = defaultdict(_Tally)

    def index(at: float) -> int:  # the pieces were read within the range
        return bisect.bisect_right(starts, at) - 1

    for call in pieces.calls:
        t = tallies[(index(call.handled), call.agent)]
        t.handled += 1
        t.handle_sum += call.handle_s
        t.good += call.disposed and not call.complained
        t.complaints += call.complained
    for answer in pieces.answers:
        tallies[(index(answer.at), answer.agent)].scores.append(answer.score)
    for i, agent, offers, misses in pieces.agent.offers:
        tallies[(i, agent)].offers += offers
        tallies[(i, agent)].missed += misses
    for i, agent, state, _reason, seconds in pieces.agent.seconds:
        t = tallies[(i, agent)]
        if state == LOGGED_IN:
            t.logged_in = True
        elif state in BUSY_STATES:
            t.busy_s += seconds
        elif state == "ready":
            t.ready_s += seconds
    return tallies


def scorecard(query: ReportQuery, pieces: ScorecardPieces, settings: ReportSettings) -> Report:
    """The scorecards from what was read (pure)."""
    spans = query.spans()
    tallies = _tallies(query, pieces)
    if query.agents:
        names = sorted(query.agents)
    else:
        names = sorted(
            {a for (_, a), t in tallies.items() if t.handled or t.offers or t.scores}
            | {a for (_, a), t in tallies.items() if t.logged_in and not query.queues}
        )
    names = [n for n in names if n]
    weights = settings.scorecard_weights
    penalty = settings.scorecard_missed_offer_penalty
    columns = (
        Column("interval", "Interval", "interval"),
        Column("agent", "Agent", "text"),
        Column("score", "Score", "score"),
        Column("quality_pct", "Quality", "pct"),
        Column("efficiency_pct", "Efficiency", "pct"),
        Column("csat_pct", "CSAT (0-100)", "pct"),
        Column("missed_offers", "Missed offers", "count"),
        Column("penalty", "Penalty", "score"),
        Column("handled", "Calls handled", "count"),
        Column("disposed_no_complaint", "Calls with a disposition and no complaint", "count"),
        Column("complaints", "Calls complained about", "count"),
        Column("aht_s", "Average handling time", "s"),
        Column("team_median_aht_s", "Team median AHT", "s"),
        Column("aht_score_pct", "AHT score", "pct"),
        Column("occupancy_pct", "Occupancy", "pct"),
        Column("csat_avg", "CSAT average", "score"),
        Column("csat_responses", "CSAT responses", "count"),
    )
    scale = settings.csat_scale
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        # The team: every agent who handled calls here (in the queues asked for).
        ahts = [t.handle_sum / t.handled for (j, _), t in tallies.items() if j == i and t.handled]
        median = statistics.median(ahts) if ahts else None
        for agent in names:
            t = tallies.get((i, agent)) or _Tally()
            aht = t.handle_sum / t.handled if t.handled else None
            aht_score = None
            if aht is not None and median is not None:
                aht_score = 100.0 if aht <= median else 100.0 * median / aht
            available = t.busy_s + t.ready_s
            occupancy = 100.0 * t.busy_s / available if available > 0 else None
            parts = [p for p in (aht_score, occupancy) if p is not None]
            quality = 100.0 * t.good / t.handled if t.handled else None
            efficiency = sum(parts) / len(parts) if parts else None
            mean = sum(t.scores) / len(t.scores) if t.scores else None
            csat = None if mean is None else 100.0 * (mean - 1) / (scale - 1)
            components = {"quality": quality, "efficiency": efficiency, "csat": csat}
            rows.append(
                (
                    span.start,
                    agent,
                    _round(weighted_score(components, weights, penalty * t.missed)),
                    _round(quality),
                    _round(efficiency),
                    _round(csat),
                    t.missed,
                    _round(penalty * t.missed),
                    t.handled,
                    t.good,
                    t.complaints,
                    _round(aht),
                    _round(median),
                    _round(aht_score),
                    _round(occupancy),
                    _round(mean),
                    len(t.scores),
                )
            )
    parameters = {
        **query_parameters(query),
        **{f"weight_{k}": w for k, w in weights.items()},
        "missed_offer_penalty": penalty,
        "csat_scale": scale,
    }
    return Report("scorecard", "Agent scorecards", columns, tuple(rows), parameters)


def build_scorecard(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    pieces = read_scorecard_pieces(session, query.spans(), query.now, query.agents, query.queues)
    return scorecard(query, pieces, settings)
