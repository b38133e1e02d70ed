# -*- test-case-name: tests.recorder.test_paths -*-
"""Where a recording Asterisk named is on this machine, and whether a path may be served.

Asterisk may write ``/var/spool/asterisk/monitor/x.wav`` while switchboard reads the same
file as ``/mnt/pbx/monitor/x.wav`` (another machine, a mount): ``[recorder] path_map``
maps the Asterisk prefix to the local one, the longest prefix first. The index keeps the
name as Asterisk gave it (what AMI says); the mapping applies when the file is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

__all__ = ["PathMap"]


class PathMap:
    def __init__(self, mapping: Mapping[str, Path | str]) -> None:
        pairs = [(str(PurePosixPath(k)), Path(v)) for k, v in mapping.items()]
        self._pairs = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def local(self, asterisk_path: str) -> Path:
        """The file as this machine sees it (unmapped paths are taken as they are)."""
        pure = PurePosixPath(asterisk_path)
        for prefix, local in self._pairs:
            if pure == PurePosixPath(prefix) or pure.is_relative_to(prefix):
                return local / pure.relative_to(prefix)
        return Path(asterisk_path)

    def local_text(self, asterisk_path: str) -> str:
        """:meth:`local` on plain strings, for a reindex that maps a million rows: a clean
        absolute name (as Asterisk reports them) maps the same way, far cheaper."""
        for prefix, local in self._pairs:
            if asterisk_path == prefix or asterisk_path.startswith(prefix + "/"):
                return str(local) + asterisk_path[len(prefix) :]
        return asterisk_path

    def roots(self) -> tuple[Path, ...]:
        """The local folders recordings are mapped into."""
        return tuple(local for _prefix, local in self._pairs)


def inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """``path`` resolved (symlinks and ``..`` followed) lies under one of ``roots``."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)
