"""How hard the parser properties try: bounded in the suite, larger under ``make fuzz``.

``SWITCHBOARD_FUZZ_FACTOR`` (default 1) multiplies every property's example count; ``make
fuzz`` sets it so the same properties run long before a release, never in CI.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FACTOR = max(1, int(os.environ.get("SWITCHBOARD_FUZZ_FACTOR", "1") or "1"))


def budget(examples: int) -> settings:
    """Settings for a parser property: ``examples`` cases in the suite, more when fuzzing."""
    return settings(
        max_examples=examples * FACTOR,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
