# -*- test-case-name: tests.ivr.test_parse -*-
"""Prompt files per language: the ``_prompts.yaml`` manifest and resolution with fallback.

Flows name prompts logically (``welcome``); the catalogue turns a name and the caller's
language into the file Asterisk plays (``switchboard/zh_CN/welcome``), falling back to the
fallback language when the caller's language lacks it. ``sound:beep`` plays Asterisk's own
``beep`` untouched. With no manifest, names pass through unchanged and nothing is checked.

Manifest::

    base: switchboard            # folder under Asterisk's sounds directory
    fallback: cmn
    languages:
      cmn: {dir: zh_CN, required: true, aliases: [zh, zh_CN], voice: cmn}
      yue: {dir: zh_HK, required: false, aliases: [zh_HK]}
      en:  {dir: en, required: true, aliases: [en_US, en_GB]}
    prompts:
      welcome:                   # the text of each language, for `switchboard prompts build`
        cmn: 您好，欢迎致电。
        en: Welcome.
      studio-only: [cmn, en]     # recorded by the site: checked, never synthesised
    acd_prompts:                 # played by bare name: sounds/<channel language>/<name>
      switchboard-queue-callback-offer: {cmn: ..., en: ...}
      queue-youarenext: {cmn: ..., en: ~}   # ~: no text (Asterisk's core sounds have it)

``voice`` is the espeak-ng voice (default: the language code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from switchboard.ivr_flows.errors import FlowProblem
from switchboard.yamlines import LineDict, LineList, line_of

__all__ = ["MANIFEST_NAME", "RAW_PREFIX", "LanguageInfo", "PromptCatalog", "parse_manifest"]

MANIFEST_NAME: Final = "_prompts.yaml"
RAW_PREFIX: Final = "sound:"


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    code: str
    dir: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    voice: str = ""  # espeak-ng voice; "" means the language code

    @property
    def synth_voice(self) -> str:
        return self.voice or self.code


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


# A prompt's text per language; "" when there is a recording but no text to synthesise.
Texts = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PromptCatalog:
    """Which prompt exists in which language; empty means "pass names through"."""

    languages: Mapping[str, LanguageInfo] = field(default_factory=_empty)
    fallback: str = ""
    base: str = ""
    available: Mapping[str, frozenset[str]] = field(default_factory=_empty)
    texts: Mapping[str, Texts] = field(default_factory=_empty)
    acd_prompts: Mapping[str, Texts] = field(default_factory=_empty)
    lines: Mapping[str, int] = field(default_factory=_empty)  # prompt name -> manifest line
    file: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.languages)

    def language_for(self, code: str) -> str | None:
        """The configured language a code or alias names (``zh_CN`` -> ``cmn``), else None."""
        if not code:
            return None
        for candidate in (code, code.replace("-", "_").split("_")[0]):
            for info in self.languages.values():
                if candidate in (info.code, info.dir) or candidate in info.aliases:
                    return info.code
        return None

    def resolve(self, name: str, language: str) -> str:
        """The file to play for prompt ``name`` in ``language``."""
        if name.startswith(RAW_PREFIX):
            return name[len(RAW_PREFIX) :]
        if not self.enabled:
            return name
        have = self.available.get(name, frozenset())
        for code in (language, self.fallback):
            info = self.languages.get(code)
            if info is not None and code in have:
                return "/".join(part for part in (self.base, info.dir, name) if part)
        return name

    def missing_languages(self, name: str) -> tuple[str, ...]:
        """Required languages (and the fallback) that lack prompt ``name``."""
        if name.startswith(RAW_PREFIX) or not self.enabled or "${" in name:
            return ()
        have = self.available.get(name, frozenset())
        needed = [c for c, info in self.languages.items() if info.required or c == self.fallback]
        return tuple(code for code in needed if code not in have)


def parse_manifest(data: Any, file: str) -> tuple[PromptCatalog, list[FlowProblem]]:
    """Build a catalogue from the manifest's parsed YAML, collecting every problem."""
    problems: list[FlowProblem] = []

    def problem(line: int, message: str, fix: str) -> None:
        problems.append(FlowProblem(file, line, "invalid_manifest", message, fix))

    if not isinstance(data, LineDict):
        problem(
            line_of(data),
            "the prompt manifest must be a mapping",
            "write 'languages:', 'fallback:' and 'prompts:' keys",
        )
        return PromptCatalog(), problems
    languages: dict[str, LanguageInfo] = {}
    raw_languages = data.get("languages")
    if not isinstance(raw_languages, LineDict) or not raw_languages:
        problem(
            data.line_of("languages"),
            "'languages' must map language codes to settings",
            "e.g. languages: {en: {dir: en, required: true}}",
        )
        raw_languages = LineDict()
    for code, spec in raw_languages.items():
        spec = spec if isinstance(spec, dict) else {}
        aliases = spec.get("aliases", [])
        languages[str(code)] = LanguageInfo(
            code=str(code),
            dir=str(spec.get("dir", code)),
            required=bool(spec.get("required", True)),
            aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
            voice=str(spec.get("voice") or ""),
        )
    fallback = str(data.get("fallback", next(iter(languages), "")))
    if languages and fallback not in languages:
        problem(
            data.line_of("fallback"),
            f"fallback language '{fallback}' is not configured",
            f"use one of: {', '.join(languages)}",
        )
    texts = _prompt_section(data, "prompts", languages, problem)
    acd_prompts = _prompt_section(data, "acd_prompts", languages, problem)
    lines = {
        name: line
        for section in ("prompts", "acd_prompts")
        for name, line in _section_lines(data, section).items()
    }
    catalog = PromptCatalog(
        languages=MappingProxyType(languages),
        fallback=fallback,
        base=str(data.get("base", "")),
        available=MappingProxyType({n: frozenset(t) for n, t in texts.items()}),
        texts=MappingProxyType(texts),
        acd_prompts=MappingProxyType(acd_prompts),
        lines=MappingProxyType(lines),
        file=file,
    )
    return catalog, problems


def _section_lines(data: LineDict, key: str) -> dict[str, int]:
    section = data.get(key)
    if not isinstance(section, LineDict):
        return {}
    return {str(name): section.line_of(name) for name in section}


def _prompt_section(
    data: LineDict, key: str, languages: Mapping[str, LanguageInfo], problem: Any
) -> dict[str, Texts]:
    """``name: [languages]`` or ``name: {language: text}`` entries of one section."""
    found: dict[str, Texts] = {}
    raw = data.get(key, LineDict())
    if not isinstance(raw, LineDict):
        problem(
            data.line_of(key),
            f"'{key}' must map prompt names to their languages",
            "e.g. welcome: {cmn: 欢迎致电, en: Welcome} or welcome: [cmn, en]",
        )
        return found
    for name, spec in raw.items():
        line = raw.line_of(name)
        if isinstance(spec, LineList):
            entry = {str(code): "" for code in spec}
        elif isinstance(spec, LineDict):
            entry = {
                str(code): "" if text is None else str(text).strip() for code, text in spec.items()
            }
        else:
            problem(
                line,
                f"prompt '{name}' must give its text per language (or list its languages)",
                f"{name}: {{cmn: 欢迎, en: Welcome}}",
            )
            continue
        unknown = [code for code in entry if code not in languages]
        if unknown:
            problem(
                line,
                f"prompt '{name}' names unknown language(s) {', '.join(unknown)}",
                f"configure them under 'languages' or use: {', '.join(languages)}",
            )
        found[str(name)] = MappingProxyType({c: t for c, t in entry.items() if c in languages})
    return found
