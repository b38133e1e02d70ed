"""[wallboard]: thresholds for every queue, a queue's own, and the mistakes named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from switchboard.config.model import WallboardSettings


def test_a_queue_has_its_own_thresholds_and_the_others_share_the_defaults() -> None:
    settings = WallboardSettings(
        amber_below_pct=85, queue_colours={"sales": {"amber_below_pct": 95, "red_below_pct": 90}}
    )
    assert settings.colours.amber_below_pct == 85
    assert settings.queue_colours["sales"].red_below_pct == 90
    assert settings.queue_colours["sales"].red_wait_s == 60.0


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"red_below_pct": 90}, "red_below_pct (90.0) must not be above amber_below_pct"),
        ({"amber_wait_s": 90}, "red_wait_s (60.0) must not be below amber_wait_s"),
        ({"queue_colours": {"sales": {"red_below_pct": 99}}}, "red_below_pct (99.0)"),
    ],
)
def test_thresholds_in_the_wrong_order_are_refused_with_the_fields_named(
    fields: dict[str, object], named: str
) -> None:
    with pytest.raises(ValidationError, match=named.replace("(", r"\(").replace(")", r"\)")):
        WallboardSettings.model_validate(fields)
