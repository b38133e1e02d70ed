# -*- test-case-name: tests.queue.test_router -*-
"""Routing decisions per second and per-decision time, at call-centre scale.

2,000 agents and 10,000 waiting calls across 50 queues with 20 skills and 3 languages:

  * ``arrive``: 10,000 calls join while every agent is paused (each call is filed);
  * ``ready``: the 2,000 agents become ready one by one; each takes the best call it may
    take across its queues (effective priority, then wait);
  * ``churn``: steady state with ~8,000 calls still waiting: an agent answers, hangs up
    (no wrap-up), takes the next call, and a new call arrives to replace the one served;
  * ``tick``: the clock moves on, firing announcements and overflow stages for the
    waiting calls.

Each ``Router.handle`` call is one decision; figures are printed, never asserted.

    .venv/bin/python bench/bench_routing.py [--seed 1] [--churn 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from switchboard.queue import (
    Agent,
    AgentLoggedIn,
    AgentReady,
    CallArrived,
    CallEnded,
    OfferAnswered,
    OfferCall,
    OverflowRule,
    Queue,
    Router,
    Strategy,
    Tick,
    WaitingCall,
    frozen_map,
)

QUEUES, AGENTS, CALLS, SKILLS = 50, 2_000, 10_000, 20
LANGUAGES = ("cmn", "yue", "en")
START = 1_790_000_000.0


def build(rnd: random.Random) -> tuple[list[Queue], list[Agent]]:
    strategies = list(Strategy)
    queues = [
        Queue(
            name=f"q{n}",
            required_skills=frozen_map({f"s{n % SKILLS}": rnd.randint(1, 3)}),
            strategy=strategies[n % len(strategies)],
            wrap_up_s=0,
            aging_per_min=n % 3,
            announce_interval_s=60,
            ring_timeout_s=20,
            weight=n % 2,
            overflow=(
                OverflowRule(120, min_level=1),
                OverflowRule(300, add_agents_of=(f"q{(n + 1) % QUEUES}",)),
            ),
        )
        for n in range(QUEUES)
    ]
    agents = []
    for n in range(AGENTS):
        mine = rnd.sample(range(QUEUES), 3)
        skills = {f"s{q % SKILLS}": rnd.randint(1, 5) for q in mine}
        skills.update({f"s{rnd.randrange(SKILLS)}": rnd.randint(1, 5)})
        agents.append(
            Agent(
                id=f"a{n}",
                device=f"PJSIP/{n}",
                skills=frozen_map(skills),
                languages=frozenset(rnd.sample(LANGUAGES, rnd.randint(1, 2))),
                queues=tuple(f"q{q}" for q in mine),
            )
        )
    return queues, agents


def timed(label: str, timings: list[float]) -> None:
    timings.sort()
    total = sum(timings)
    print(
        f"{label:>8}: {len(timings):>6} decisions  {len(timings) / total:>10,.0f}/s   "
        f"mean {statistics.fmean(timings) * 1e6:7.1f} µs   "
        f"p50 {timings[len(timings) // 2] * 1e6:7.1f} µs   "
        f"p99 {timings[int(len(timings) * 0.99)] * 1e6:7.1f} µs   "
        f"max {timings[-1] * 1e6:8.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--churn", type=int, default=20_000)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    queues, agents = build(rnd)
    router = Router(queues, agents, seed=args.seed)
    clock = time.perf_counter
    now = START
    offers: list[OfferCall] = []
    served = 0

    def run(event: object, at: float) -> float:
        started = clock()
        out = router.handle(event, at)  # type: ignore[arg-type]
        spent = clock() - started
        offers.extend(c for c in out.commands if isinstance(c, OfferCall))
        return spent

    def new_call(n: int, at: float) -> CallArrived:
        language = rnd.choice(LANGUAGES) if rnd.random() < 0.3 else ""
        return CallArrived(
            WaitingCall(
                f"c{n}",
                f"q{rnd.randrange(QUEUES)}",
                at,
                priority=rnd.choice((0, 0, 0, 1, 5)),
                language=language,
            )
        )

    for agent in agents:
        router.handle(AgentLoggedIn(agent.id), now)
    timed("arrive", [run(new_call(n, now + n * 0.01), now + n * 0.01) for n in range(CALLS)])
    now += CALLS * 0.01
    timed("ready", [run(AgentReady(a.id), now) for a in agents])
    calls = CALLS
    churn: list[float] = []
    while len(churn) < args.churn and offers:
        offer = offers.pop(0)
        now += 0.005
        churn.append(run(OfferAnswered(offer.call_id, offer.agent_id), now))
        churn.append(run(CallEnded(offer.call_id), now))
        churn.append(run(new_call(calls, now), now))
        calls += 1
        served += 1
    timed("churn", churn)
    waiting = sum(router.waiting.waiting_in(q.name) for q in queues)
    print(f"served {served} calls in churn; {waiting} calls waiting after it")
    ticks, fired = [], 0
    for _ in range(30):
        now += 10.0
        started = clock()
        out = router.handle(Tick(), now)
        ticks.append(clock() - started)
        fired += len(out.commands) + len(out.facts)
    timed("tick", ticks)
    print(
        f"    each tick: {fired / len(ticks):,.0f} commands and facts (announcements, ring "
        f"timeouts, overflow stages): {sum(ticks) / max(1, fired) * 1e6:.1f} µs each"
    )


if __name__ == "__main__":
    main()
