"""Static assets under content-hashed names (``seat.3f2a9c1b0e4d.js``), cached for a year.

Every file in ``static/`` is read and hashed once at start; a changed file gets a new
name, so browsers never run stale code. Templates ask :meth:`StaticFiles.url`.
"""

# test-case-name: tests.web.test_static

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CACHE_FOREVER", "STATIC_DIR", "Asset", "StaticFiles"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str


class StaticFiles:
    def __init__(self, folder: Path = STATIC_DIR, prefix: str = "/static/") -> None:
        self._prefix = prefix
        self._hashed: dict[str, str] = {}  # seat.js -> seat.<hash>.js
        self._assets: dict[str, Asset] = {}  # seat.<hash>.js -> its bytes
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            kind = _TYPES.get(path.suffix) or mimetypes.guess_type(name)[0]
            self._hashed[name] = hashed
            self._assets[hashed] = Asset(body, kind or "application/octet-stream")

    def url(self, name: str) -> str:
        """The hashed URL of ``static/<name>``; a template naming a missing file fails."""
        try:
            return self._prefix + self._hashed[name]
        except KeyError:
            raise KeyError(
                f"no static file {name!r} in switchboard/web/static/ (have: "
                f"{', '.join(sorted(self._hashed))})"
            ) from None

    def get(self, hashed_name: str) -> Asset | None:
        return self._assets.get(hashed_name)
