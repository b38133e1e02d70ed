# -*- test-case-name: tests.crm.test_search -*-
"""The searchable forms of a name: full pinyin and initials (``张伟`` -> ``zhangwei``, ``zw``).

Letters and digits outside Chinese characters pass through lower-cased, so ``Tom 李`` is
``tomli`` / ``tl``. Polyphonic characters take ``pypinyin``'s most common reading.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["fold", "pinyin_forms"]


def fold(text: str) -> str:
    """Lower case, letters and digits only: the form a pinyin query is compared in."""
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


@lru_cache(maxsize=65536)  # names repeat (张伟 is a common name) and pypinyin is slowish
def pinyin_forms(name: str) -> tuple[str, str]:
    """``(full pinyin, initials)`` of ``name``, both folded."""
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name)  # non-Chinese runs come back as they are
    full = fold("".join(syllables))
    initials = "".join(fold(s)[:1] for s in syllables if fold(s))
    return full[:400], initials[:200]
