"""The seat-pop bench's in-memory part still opens real seat sockets (never time)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from bench_seat_pop import server_bytes_per_socket


def test_the_memory_figure_comes_from_sockets_that_opened():
    # It raises unless every upgrade is answered 101 (admitted, snapshot sent).
    assert server_bytes_per_socket(5) > 1024
