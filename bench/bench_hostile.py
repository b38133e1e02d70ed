"""Parser cost of the hostile input shapes of issue 9, at growing sizes.

Linear parsing means the time per KB stays flat as the input grows; the former parsers
grew with the square of the size (an AGI reply of 64 KB took seconds, an unterminated
AMI ``Response: Follows`` of 1 MB about two minutes). Figures only; nothing is asserted.

    .venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from switchboard.cti.agi.wire import AgiParser, parse_reply_line
from switchboard.cti.ami.frames import AmiParser


def _agi_parentheses(size: int) -> None:
    parse_reply_line("200 result=1 (" + ") a=b" * (size // 5) + " !")


def _agi_long_word(size: int) -> None:
    parse_reply_line("200 result=1 " + "a" * size)


def _agi_byte_by_byte(size: int) -> None:
    parser = AgiParser(max_line_bytes=size + 64, expect_env=False)
    line = b"200 result=1 (" + b"x" * size + b")\n"
    for i in range(len(line)):
        parser.feed(line[i : i + 1])


def _ami_follows(size: int) -> None:
    body = b"Response: Follows\r\nActionID: c\r\n" + b"line\r\n\r\n" * (size // 8)
    parser = AmiParser(expect_banner=False)
    for i in range(0, len(body), 4096):
        parser.feed(body[i : i + 4096])


CASES: list[tuple[str, Callable[[int], None], list[int]]] = [
    ("AGI reply, many ')'", _agi_parentheses, [16_000, 32_000, 64_000]),
    ("AGI reply, one long word", _agi_long_word, [16_000, 32_000, 64_000]),
    ("AGI line, one byte per read", _agi_byte_by_byte, [16_000, 32_000, 64_000]),
    ("AMI Follows, no end, 4 KB reads", _ami_follows, [256_000, 512_000, 1_048_576]),
]


def main() -> None:
    print(f"{'shape':34} {'size':>10} {'ms':>9} {'us/KB':>8}")
    for name, case, sizes in CASES:
        for size in sizes:
            start = time.perf_counter()
            case(size)
            elapsed = time.perf_counter() - start
            per_kb_us = elapsed * 1e6 / (size / 1024)
            print(f"{name:34} {size:>10} {elapsed * 1e3:>9.1f} {per_kb_us:>8.1f}")


if __name__ == "__main__":
    main()
