"""``static/i18n.js`` under node: ``window.t`` answers from the page's JSON catalogue and
falls back to the msgid; a broken block does not break the page. Skipped without node
(the seat's browser tests run it in chromium as well)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from switchboard.web.static import STATIC_DIR

NODE = shutil.which("node")

# A window and a document with just what i18n.js touches.
HARNESS = """
const vm = require("vm");
const fs = require("fs");
const [source, block] = [fs.readFileSync(process.argv[1], "utf8"), process.argv[2]];
const window = {};
const document = {
  getElementById: (id) =>
    id === "sb-catalogue" && block !== "none" ? { textContent: block } : null,
};
vm.runInNewContext(source, { window, document, JSON, Object });
process.stdout.write(JSON.stringify([window.t("Log in"), window.t("Not in the catalogue")]));
"""


def _t(block: str) -> list[str]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", HARNESS, str(STATIC_DIR / "i18n.js"), block],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answers: list[str] = json.loads(done.stdout)
    return answers


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_t_translates_from_the_embedded_catalogue_and_falls_back_to_the_msgid() -> None:
    assert _t(json.dumps({"Log in": "登录"})) == ["登录", "Not in the catalogue"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("block", ["{not json", "none"])
def test_a_missing_or_broken_catalogue_leaves_the_msgids(block: str) -> None:
    assert _t(block) == ["Log in", "Not in the catalogue"]
