# -*- test-case-name: tests.ivr.test_prompt_build -*-
"""``switchboard prompts``: synthesise the manifest's prompts into Asterisk's layout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from switchboard.config import Settings

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    prompts = subparsers.add_parser("prompts", help="prompt sound files: build")
    sub = prompts.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    build = sub.add_parser(
        "build",
        help="speak every prompt of the manifest (espeak-ng + sox) into --out, "
        "laid out as Asterisk's sounds folder",
    )
    build.add_argument("--out", required=True, type=Path, help="folder to write into")
    build.add_argument(
        "--dir", help="flows directory with _prompts.yaml (default: settings [flows] dir)"
    )
    build.add_argument("--espeak", default="espeak-ng", help="espeak-ng executable")
    build.add_argument("--sox", default="sox", help="sox executable")
    build.set_defaults(run=_build)


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.ivr_flows.load import check_directory
    from switchboard.ivr_flows.prompts import MANIFEST_NAME
    from switchboard.prompts.build import PromptBuildError, Tools, build_prompts
    from switchboard.prompts.files import manifest_files

    directory = Path(args.dir) if args.dir else settings.flows.dir
    flows, problems = check_directory(directory)
    for problem in problems:
        print(problem)
    if flows is None:
        return 1
    files = manifest_files(flows.prompts)
    if not files:
        print(f"{directory}: no {MANIFEST_NAME} with prompts: nothing to build")
        return 1
    try:
        written = build_prompts(files, args.out, tools=Tools(args.espeak, args.sox))
    except PromptBuildError as exc:
        print(f"error: {exc}")
        return 1
    recorded = sorted({f.path for f in files if not f.text})
    print(f"{args.out}: {len(written)} files for {len(files) - len(recorded)} prompts")
    if recorded:
        print(
            f"not synthesised (no text: recorded by the site or Asterisk's core sounds): "
            f"{', '.join(recorded)}"
        )
    return 0
