# -*- test-case-name: tests.ivr.test_prompt_files -*-
"""The sound files a prompt manifest promises, and which of them a sounds folder lacks.

Paths are relative to Asterisk's sounds folder and carry no extension, as Asterisk is
asked to play them: ``switchboard/zh_CN/welcome`` for a flow prompt (``<base>/<dir>/<name>``)
and ``zh_CN/switchboard-queue-callback-offer`` for a prompt the ACD plays by bare name in
the channel's language (``<dir>/<name>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from switchboard.ivr_flows.errors import FlowProblem
from switchboard.ivr_flows.model import FlowSet
from switchboard.ivr_flows.prompts import RAW_PREFIX, PromptCatalog
from switchboard.ivr_flows.validate import step_prompts

__all__ = ["PromptFile", "SoundsFolder", "manifest_files", "missing_sounds"]

# Files in a sounds folder that are not sounds (Asterisk's description files).
_NOT_SOUNDS = frozenset({".txt"})


@dataclass(frozen=True, slots=True)
class PromptFile:
    """One file of one prompt in one language; ``text`` is "" when the site records it."""

    name: str
    language: str
    path: str
    text: str = ""
    voice: str = ""
    line: int = 0  # the manifest line naming the prompt
    acd: bool = False  # played by bare name, in the channel's language


def manifest_files(catalog: PromptCatalog) -> list[PromptFile]:
    """Every file the manifest promises, flow prompts first, in manifest order."""
    files: list[PromptFile] = []
    for section, acd in ((catalog.texts, False), (catalog.acd_prompts, True)):
        for name, texts in section.items():
            for code, text in texts.items():
                info = catalog.languages[code]
                parts = (info.dir, name) if acd else (catalog.base, info.dir, name)
                files.append(
                    PromptFile(
                        name=name,
                        language=code,
                        path="/".join(p for p in parts if p),
                        text=text,
                        voice=info.synth_voice,
                        line=catalog.lines.get(name, 0),
                        acd=acd,
                    )
                )
    return files


class SoundsFolder:
    """A folder laid out like Asterisk's sounds folder; a file exists in any format."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._stems: dict[Path, frozenset[str]] = {}

    def has(self, path: str) -> bool:
        target = self.root / path
        folder = target.parent
        if folder not in self._stems:
            try:
                found = {
                    p.stem for p in folder.iterdir() if p.is_file() and p.suffix not in _NOT_SOUNDS
                }
            except OSError:
                found = set()
            self._stems[folder] = frozenset(found)
        return target.name in self._stems[folder]


def _flow_uses(flows: FlowSet) -> Iterator[tuple[FlowProblem, str, str, str]]:
    """(where, prompt, language, path) for each prompt a flow plays, in every language."""
    catalog = flows.prompts
    codes = list(catalog.languages) or [""]
    for flow in flows.flows.values():
        for step in flow.steps.values():
            for prompt, field in step_prompts(step):
                if prompt.startswith(RAW_PREFIX) or "${" in prompt:
                    continue  # Asterisk's own sounds; a name known only at run time
                where = FlowProblem(
                    flow.file, step.line_of(field), "missing_sound", "", "", flow.name, step.id
                )
                paths: dict[str, str] = {}
                for code in codes:
                    paths.setdefault(catalog.resolve(prompt, code), code)
                for path, code in paths.items():
                    yield where, prompt, code, path


def missing_sounds(flows: FlowSet, folder: SoundsFolder) -> list[FlowProblem]:
    """Every prompt file a flow (or the ACD) would play that ``folder`` lacks."""
    promised = {f.path: f for f in manifest_files(flows.prompts)}

    def fix(path: str) -> str:
        if path in promised and promised[path].text:
            return (
                f"run 'switchboard prompts build --out {folder.root}' (or record it) and "
                "copy the files into Asterisk's sounds folder"
            )
        return (
            "record it (the manifest has no text to synthesise; for queue-* install "
            "Asterisk's core sounds of that language)"
        )

    problems: list[FlowProblem] = []
    for where, prompt, code, path in _flow_uses(flows):
        if not folder.has(path):
            language = f" ({code})" if code else ""
            problems.append(
                FlowProblem(
                    where.file,
                    where.line,
                    "missing_sound",
                    f"prompt '{prompt}'{language}: no sound file {path}.* in {folder.root}",
                    fix(path),
                    where.flow,
                    where.step,
                )
            )
    problems.extend(
        FlowProblem(
            flows.prompts.file,
            f.line,
            "missing_sound",
            f"ACD prompt '{f.name}' ({f.language}): no sound file {f.path}.* in {folder.root}",
            fix(f.path),
        )
        for f in promised.values()
        if f.acd and not folder.has(f.path)
    )
    return problems
