"""spaCy component `stanwire_paragraphs_v1`: line breaks and datelines end a sentence.

Titles, paragraphs and list lines carry no final full stop often enough that the parser would run them into the
next sentence ("… sign 5G memorandum Kazakhtelecom and Huawei signed …"); a dateline ("Dushanbe, 18 November -")
would make the city the subject of the story's first verb. Both then give wrong parties and wrong evidence.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from nlp.doc_ext import text_of

# "Dushanbe, 18 November - ", "TASHKENT (Reuters) — ": capitalised words, numbers and a source, then a dash.
_DATELINE = re.compile(r"(?m)^[A-ZА-ЯЁ][^\n.!?]{0,60}?\s[-–—]{1,2}\s+")
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


_ORDINAL = re.compile(r"^\d{1,2}(st|nd|rd|th)$", re.IGNORECASE)


def _is_dateline(prefix: str) -> bool:
    words = re.findall(r"[^\W\d_]+", prefix)
    if not all(w[0].isupper() or w.lower() in _MONTHS for w in words):
        return False
    # "Kcell - the largest operator" is prose: a dateline has a comma, a date, a source or a city in capitals.
    return (
        any(c in prefix for c in ",(")
        or any(c.isdigit() for c in prefix)
        or (len(words[0]) > 1 and words[0].isupper())
    )


def dateline_ends(text: str) -> list[int]:
    """Character offsets where the story starts after a dateline."""
    return [m.end() for m in _DATELINE.finditer(text) if _is_dateline(m.group(0))]


@Language.component("stanwire_paragraphs_v1", assigns=["token.is_sent_start"])
def mark_paragraph_starts(doc: Doc) -> Doc:
    """Mark the first token after a line break or a dateline as a sentence start (add it before the parser)."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if not token.is_space and ((before.is_space and "\n" in before.text) or "\n" in before.whitespace_):
            token.is_sent_start = True
    for offset in dateline_ends(text_of(doc)):
        span = doc.char_span(offset, offset + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            doc[span.start].is_sent_start = True
    for token in doc[1:]:
        # "announced on 17th May the signing …": a month after its day never opens a sentence (the parser
        # reads "May" as the modal verb).
        before = doc[token.i - 1]
        if (
            token.lower_ in _MONTHS
            and (before.like_num or _ORDINAL.match(before.text))
            and not token.is_sent_start
        ):
            token.is_sent_start = False
    return doc
