"""Asterisk-emulating FastAGI load generator (asyncio), started by ``bench_agi.py``.

    python bench/agi_load.py PORT INFLIGHT SECONDS [WARMUP_S]

The fallback for machines without a C compiler; ``agi_load.c`` is the same generator in C
and the two must stay in step. Keeps INFLIGHT sessions open against 127.0.0.1:PORT: each
sends an ``agi_*`` environment, answers every command as Asterisk 22 would, and reconnects
when the server closes. Prints one JSON object: sessions/s, command turnaround p50/p99 in
ms (measured after the warm-up, 1 s by default), the count of failed sessions, and the CPU
seconds the generator used.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

ENV = (
    b"agi_network: yes\nagi_network_script: main-menu\n"
    b"agi_request: agi://127.0.0.1:4573/main-menu\n"
    b"agi_channel: Local/s@switchboard-ivr-00000001;2\nagi_language: en\nagi_type: Local\n"
    b"agi_uniqueid: 1795369105.20\nagi_version: 22.10.1\nagi_callerid: 5551001\n"
    b"agi_calleridname: Load Test\nagi_context: switchboard-ivr\nagi_extension: s\n"
    b"agi_priority: 2\nagi_accountcode: \nagi_arg_1: 5551001\nagi_arg_2: en\n\n"
)
ANSWERS = {
    b"ANSWER": b"200 result=0\n",
    b"STREAM": b"200 result=49 endpos=13440\n",
    b"GET DATA": b"200 result=\n",
    b"SET": b"200 result=1\n",
    b"GET VARIABLE": b"200 result=1 (sales)\n",
    b"VERBOSE": b"200 result=1\n",
}


def answer(line: bytes) -> bytes:
    if line.startswith(b"GET "):
        return ANSWERS[line[:12] if line.startswith(b"GET VARIABLE") else b"GET DATA"]
    return ANSWERS.get(line.split(b" ", 1)[0], b"510 Invalid or unknown command\n")


class Stats:
    def __init__(self, warmup_until: float) -> None:
        self.warmup_until = warmup_until
        self.sessions = 0
        self.errors = 0
        self.samples: list[float] = []


class AsteriskSide(asyncio.Protocol):
    def __init__(self, stats: Stats, done: asyncio.Future[None]) -> None:
        self.stats, self.done = stats, done
        self.buffer = b""
        self.commands = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.sent_at = time.perf_counter()
        self.transport.write(ENV)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        while (newline := self.buffer.find(b"\n")) >= 0:
            line, self.buffer = self.buffer[:newline], self.buffer[newline + 1 :]
            if now >= self.stats.warmup_until:
                self.stats.samples.append(now - self.sent_at)
            self.commands += 1
            self.sent_at = time.perf_counter()
            self.transport.write(answer(line))  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() >= self.stats.warmup_until:
            if self.commands == 7:
                self.stats.sessions += 1
            else:
                self.stats.errors += 1
        if not self.done.done():
            self.done.set_result(None)


async def worker(port: int, stats: Stats, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while time.perf_counter() < deadline:
        done: asyncio.Future[None] = loop.create_future()
        try:
            await loop.create_connection(
                lambda done=done: AsteriskSide(stats, done),
                "127.0.0.1",
                port,  # type: ignore[misc]
            )
            await done
        except OSError:
            stats.errors += 1
            await asyncio.sleep(0.01)


async def main(port: int, inflight: int, seconds: float, warmup_s: float) -> None:
    start = time.perf_counter()
    stats = Stats(start + warmup_s)
    deadline = start + warmup_s + seconds
    await asyncio.gather(*(worker(port, stats, deadline) for _ in range(inflight)))
    measured = time.perf_counter() - stats.warmup_until
    samples = sorted(stats.samples) or [0.0]
    print(
        json.dumps(
            {
                "sessions_per_s": stats.sessions / measured,
                "p50_ms": samples[len(samples) // 2] * 1000,
                "p99_ms": samples[int(len(samples) * 0.99)] * 1000,
                "errors": stats.errors,
                "commands": len(stats.samples),
                "load_cpu_s": time.process_time(),
            }
        )
    )


if __name__ == "__main__":
    warmup = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), warmup))
