"""Phrase matching on Russian word forms: a name matches whatever case the text puts it in.

A word of a phrase matches a token of the text when they are equal, share a normal form (pymorphy2), or the token
is the word plus a case ending ("Мегаком" → "Мегакомом", which pymorphy2 does not know).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from nlp.text import is_acronym

T = TypeVar("T")

# Noun case endings, longest first, for names pymorphy2 does not know.
CASE_ENDINGS = (
    "ами",
    "ями",
    "ому",
    "ему",
    "ом",
    "ем",
    "ой",
    "ей",
    "ов",
    "ев",
    "ам",
    "ям",
    "ах",
    "ях",
    "а",
    "у",
    "е",
    "ы",
    "и",
    "ю",
    "я",
)
_MIN_STEM = 3


class TokenLike(Protocol):
    text: str
    forms: frozenset[str]

    @property
    def lower(self) -> str: ...


@dataclass(frozen=True)
class PhraseToken:
    """One word of a phrase to find; `cased` words (acronyms) match only as written."""

    text: str
    lower: str
    forms: frozenset[str]
    cased: bool


@dataclass(frozen=True)
class PhraseEntry(Generic[T]):
    """A phrase and what it stands for; `common_word` phrases need a capital and no sentence start."""

    tokens: tuple[PhraseToken, ...]
    payload: T
    common_word: bool = False


def phrase_token(word: str, forms: frozenset[str], *, cased: bool = False) -> PhraseToken:
    """A `PhraseToken` for a word; acronyms ("ГКНБ", "МТС") are always matched case-sensitively."""
    lower = word.lower().replace("ё", "е")
    return PhraseToken(word, lower, forms | {lower}, cased or is_acronym(word))


def stems(lower: str) -> list[str]:
    """The word without each case ending it may carry ("мегакомом" → "мегаком")."""
    return [lower[: -len(e)] for e in CASE_ENDINGS if lower.endswith(e) and len(lower) - len(e) >= _MIN_STEM]


def token_matches(token: TokenLike, word: PhraseToken) -> bool:
    """True when a text token is a form of a phrase word."""
    if word.cased:
        return token.text == word.text
    lower = token.lower
    if lower == word.lower or token.forms & word.forms:
        return True
    return len(word.lower) > _MIN_STEM and word.lower in stems(lower)


class FormMatcher(Generic[T]):
    """Finds phrases in a token sequence, longest match first, without overlaps."""

    def __init__(self, entries: Sequence[PhraseEntry[T]]) -> None:
        self._index: dict[str, list[PhraseEntry[T]]] = {}
        for entry in entries:
            if not entry.tokens:
                continue
            first = entry.tokens[0]
            keys = {first.text} if first.cased else {first.lower, *first.forms}
            for key in keys:
                self._index.setdefault(key, []).append(entry)

    def _candidates(self, token: TokenLike) -> list[PhraseEntry[T]]:
        keys = {token.text, token.lower, *token.forms, *stems(token.lower)}
        found: dict[int, PhraseEntry[T]] = {}
        for key in keys:
            for entry in self._index.get(key, []):
                found[id(entry)] = entry
        return sorted(found.values(), key=lambda e: -len(e.tokens))

    def match(self, tokens: Sequence[TokenLike], sentence_starts: Sequence[int]) -> list[tuple[int, int, T]]:
        """(start, end, payload) of every phrase found, left to right."""
        starts = set(sentence_starts)
        results: list[tuple[int, int, T]] = []
        position = 0
        while position < len(tokens):
            token = tokens[position]
            for entry in self._candidates(token):
                end = position + len(entry.tokens)
                if end > len(tokens) or not self._first_word_ok(tokens, position, entry, starts):
                    continue
                if all(token_matches(tokens[position + k], w) for k, w in enumerate(entry.tokens)):
                    results.append((position, end, entry.payload))
                    position = end - 1
                    break
            position += 1
        return results

    @staticmethod
    def _first_word_ok(
        tokens: Sequence[TokenLike], position: int, entry: PhraseEntry[T], starts: set[int]
    ) -> bool:
        text = tokens[position].text
        if entry.common_word:
            # "Цифра" the programme, not "цифры" (figures): a capital letter in mid-sentence or inside quotes.
            quoted = position > 0 and tokens[position - 1].text in {"«", '"', "“", "„"}
            return text[:1].isupper() and (position not in starts or quoted)
        if entry.tokens[0].text[:1].isupper():
            return text[:1].isupper() or text[:1].isdigit()
        return True
