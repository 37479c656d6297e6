"""Page chrome: menu strips, share bars and tag lists that survive text extraction.

An organization or country named only in chrome ("Share: Facebook Telegram WhatsApp", "Asia Business Central
Asia China") is not something the article reports, so both language paths drop mentions inside these lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlp.text import alias_key
from nlp.wordlists import Filters

_WORD = re.compile(r"[^\W_][\w'’.\-]*")
_SENTENCE_END = (".", "!", "?", '"', "”", "»", ":")
_SEPARATORS = ("|", "•", "·", "/", "»")


def _starts_with_marker(line: str, filters: Filters) -> bool:
    lowered = line.casefold()
    for marker in filters.chrome_line_starts:
        start = marker.casefold()
        if lowered.startswith(start):
            rest = line[len(start) :]
            # A real sentence can start with "Related" or "Follow": then it ends like a sentence.
            ends_like_sentence = line.rstrip().endswith(_SENTENCE_END) and not rest.lstrip().startswith(":")
            if rest[:1] in ("", ":", " ", "|", "\u00a0") and not ends_like_sentence:
                return True
    return False


def is_chrome_line(line: str, filters: Filters, is_known_name: Callable[[str], bool]) -> bool:
    """True when a line of text is navigation rather than prose."""
    stripped = line.strip()
    if not stripped:
        return False
    if _starts_with_marker(stripped, filters):
        return True
    if stripped.endswith(_SENTENCE_END[:3]):
        return False
    words = _WORD.findall(stripped)
    if len(words) < 3:
        return False
    if sum(stripped.count(sep) for sep in _SEPARATORS) >= 2:
        return True
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    known = sum(1 for w in words if alias_key(w) in filters.chrome_words or is_known_name(w))
    return capitalised >= 0.8 * len(words) and known >= 0.5 * len(words)


def chrome_line_ranges(
    text: str, filters: Filters, is_known_name: Callable[[str], bool], *, skip_until: int = 0
) -> list[tuple[int, int]]:
    """Character ranges of the chrome lines of a text; lines starting before `skip_until` (the title) are kept."""
    ranges: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if start >= skip_until and is_chrome_line(line, filters, is_known_name):
            ranges.append((start, end))
    return ranges


def in_ranges(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    """True when the character span [start, end) lies inside one of `ranges`."""
    return any(lo <= start and end <= hi for lo, hi in ranges)
