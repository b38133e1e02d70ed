"""The demo's queue figures, counted from the real captured AMI stream."""

from __future__ import annotations

from pathlib import Path

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.demo_tally import CallTally

CAPTURE = (
    Path(__file__).parents[1]
    / "fixtures/asterisk-22/scenario-6calls/ami-scenario-6calls.from-asterisk.raw"
)


def test_the_six_call_scenario_is_tallied_as_the_capture_readme_describes() -> None:
    tally = CallTally(service_level_s=20)
    lines = []
    for item in AmiParser().feed(CAPTURE.read_bytes()):
        if isinstance(item, Message) and (line := tally.observe(item)):
            lines.append(line)
    summary = tally.summary()
    # Alice, Carol -> sales; Bob, Dan, Frank -> support; Eve hung up in the IVR.
    assert summary["sales"]["offered"] == 2 and summary["sales"]["answered"] == 2
    assert summary["support"]["offered"] == 3
    assert summary["support"]["answered"] == 2 and summary["support"]["abandoned"] == 1
    assert summary["support"]["abandon_rate_pct"] == 33.3
    assert summary["sales"]["ring_no_answer"] >= 1  # agent1001 never answers Alice
    assert any(line.startswith("5551006 abandoned support") for line in lines)
