"""``[seat] disposition_labels`` and ``[queues] pause_reason_labels``: a site's own codes
named in the languages of the pages, checked when the settings load, each problem named
with its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config import ConfigError, load_settings

GOOD = """
[seat]
dispositions = ["resolved", "sold"]
queue_dispositions = { support = ["resolved", "escalated"] }

[seat.disposition_labels]
sold = { en = "Sold", "zh-CN" = "已成交" }
escalated = { "zh-CN" = "升级二线" }

[queues]
pause_reasons = ["lunch", "coaching"]

[queues.pause_reason_labels]
coaching = { en = "Coaching", "zh-CN" = "辅导" }
"""


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def test_labels_of_configured_codes_load_including_a_queues_own_code(tmp_path: Path) -> None:
    settings = _load(tmp_path, GOOD)
    assert settings.seat.disposition_labels["sold"] == {"en": "Sold", "zh-CN": "已成交"}
    assert settings.seat.disposition_labels["escalated"] == {"zh-CN": "升级二线"}
    assert settings.queues.pause_reason_labels == {"coaching": {"en": "Coaching", "zh-CN": "辅导"}}


@pytest.mark.parametrize(
    ("wrong", "right", "says"),
    [
        # A label for a code no list has: a typo would otherwise never show.
        (
            "sold = {",
            "sale = {",
            "'sale' has a label but is not configured: label one of resolved, sold, escalated",
        ),
        # gettext's folder name instead of the page's language tag.
        (
            '"zh-CN" = "已成交" }',
            'zh_CN = "已成交" }',
            'no pages in language \'zh_CN\': write one of "zh-CN", "en"',
        ),
        ('en = "Sold"', 'en = ""', "a label is 1 to 64 printable characters"),
        ('en = "Sold"', 'en = "Sold\\nout"', "a label is 1 to 64 printable characters"),
        ("coaching = {", "training = {", "pause reason 'training' has a label but is not"),
    ],
)
def test_a_bad_label_is_refused_naming_the_code_and_the_fix(
    tmp_path: Path, wrong: str, right: str, says: str
) -> None:
    assert wrong in GOOD
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, GOOD.replace(wrong, right, 1))
    text = str(caught.value)
    assert says in text, text
    assert "site.toml:" in text  # the file, so the operator knows where to look
