"""Every ``test-case-name`` header names test modules that exist.

The header tells a reader (and ``trial``) which tests cover a file; a name that does not
resolve sends them nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = re.compile(r"test-case-name:\s*([\w.,\s]+?)\s*(?:-\*-|$)", re.MULTILINE)


def _named_modules() -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for path in sorted((ROOT / "switchboard").rglob("*.py")) + sorted(
        (ROOT / "tests").rglob("*.py")
    ):
        head = "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:25])
        for match in HEADER.finditer(head):
            for name in match.group(1).split(","):
                if name.strip():
                    named.setdefault(name.strip(), []).append(str(path.relative_to(ROOT)))
    return named


def test_every_test_case_name_header_names_an_existing_test_module() -> None:
    named = _named_modules()
    assert named, "no test-case-name header found: is the pattern still right?"
    missing = {
        name: files
        for name, files in named.items()
        if not (ROOT / name.replace(".", "/")).with_suffix(".py").is_file()
        and not (ROOT / name.replace(".", "/")).is_dir()
    }
    assert not missing, f"headers naming test modules that do not exist: {missing}"
