"""The web tier's fixture: :func:`tests.web.stack.make_stack` for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.stack import Stack, make_stack


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    made = make_stack(tmp_path)
    yield made
    made.database.close()
