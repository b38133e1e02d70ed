"""Per-command time allowances derived from the command's own arguments."""

from __future__ import annotations

import pytest

from switchboard.cti.agi.timeouts import TimeoutPolicy, command_timeout_s

POLICY = TimeoutPolicy(default_s=30.0, long_s=3600.0, margin_s=5.0)


@pytest.mark.parametrize(
    ("words", "seconds"),
    [
        (["ANSWER"], 30.0),
        (["STREAM", "FILE", "x", ""], 30.0),
        (["EXEC", "Dial", "Local/a@b/n,12"], 12 + 3600 + 5),
        (["EXEC", "Dial", "Local/a@b/n,12,gS(90)"], 12 + 90 + 5),
        (["EXEC", "Dial", "Local/a@b/n"], 3600 + 3600 + 5),
        (["EXEC", "MixMonitor", "/x.wav,b"], 30.0),
        (["RECORD", "FILE", "m", "wav", "#", "20000"], 25.0),
        (["RECORD", "FILE", "m", "wav", "#", "-1"], 3605.0),
        (["WAIT", "FOR", "DIGIT", "500"], 5.5),
        (["WAIT", "FOR", "DIGIT", "-1"], 3605.0),
        (["GET", "DATA", "beep", "4000", "4"], 30 + 16 + 5),
        (["GET", "DATA", "beep"], 30 + 5 + 5),
    ],
)
def test_allowance(words: list[str], seconds: float) -> None:
    assert command_timeout_s(words, POLICY) == pytest.approx(seconds)
