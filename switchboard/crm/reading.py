# -*- test-case-name: tests.crm.test_import -*-
"""Read a customer file as centres export them: CSV in UTF-8 (with or without BOM) or
GB18030/GBK, or an XLSX workbook's first sheet. Yields each row with its line number.

Encoding detection: a UTF-8 BOM wins; else the file is UTF-8 if all of it decodes as
UTF-8, otherwise GB18030 (a superset of GBK and GB2312, what Excel writes on Chinese
Windows). ``--encoding`` overrides it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

__all__ = ["MAX_CELL", "ReadError", "SourceFile", "detect_encoding", "open_source"]

MAX_CELL: Final = 4000
_SAMPLE: Final = 1 << 20


class ReadError(ValueError):
    """The file cannot be read as a customer table; the message says what to do."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    headers: tuple[str, ...]
    encoding: str  # "xlsx" for workbooks

    def rows(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """``(line, cells)`` of every data row (the header is line 1); blank rows skipped."""
        if self.encoding == "xlsx":
            yield from _xlsx_rows(self.path)
            return
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, tuple(cells)


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(len(codecs.BOM_UTF8))
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_SAMPLE):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def open_source(path: Path, encoding: str | None = None) -> SourceFile:
    """The file's header and how to read it (:class:`ReadError` when it cannot be)."""
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        headers = next((cells for _line, cells in _xlsx_rows(path, header=True)), ())
        return SourceFile(path, _headers(path, headers), "xlsx")
    if path.suffix.lower() == ".xls":
        raise ReadError(f"{path}: old .xls workbooks are not read; save it as .xlsx or CSV")
    chosen = encoding or detect_encoding(path)
    try:
        codecs.lookup(chosen)
        with path.open(encoding=chosen, newline="") as handle:
            headers = tuple(next(csv.reader(handle), []))
    except LookupError:
        raise ReadError(f"unknown encoding {chosen!r}; try utf-8, utf-8-sig or gb18030") from None
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path} is not {chosen} ({exc.reason} at byte {exc.start}); "
            "give the right one with --encoding"
        ) from None
    except csv.Error as exc:
        raise ReadError(f"{path}: not a CSV file ({exc})") from None
    return SourceFile(path, _headers(path, headers), chosen)


def _headers(path: Path, headers: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(h.strip() for h in headers)
    if not any(cleaned):
        raise ReadError(f"{path}: the first row must name the columns; it is empty")
    seen = [h for h in cleaned if h]
    if len(set(seen)) != len(seen):
        twice = next(h for h in seen if seen.count(h) > 1)
        raise ReadError(f"{path}: column {twice!r} appears twice in the header; rename one")
    return cleaned


def _xlsx_rows(path: Path, header: bool = False) -> Iterator[tuple[int, tuple[str, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header != (line == 1):
                if header:
                    return
                continue
            cells = tuple(_cell_text(v) for v in values)
            if header or any(c.strip() for c in cells):
                yield line, cells
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as the text a person sees: 13800138000 not 13800138000.0, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ") if value.time() != datetime.min.time() else str(value.date())
        )
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL + 1]
