"""Text normalisation shared by the English and Russian paths (no spaCy, no natasha here)."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "«": " ",
        "»": " ",
        "“": " ",
        "”": " ",
        "„": " ",
        '"': " ",
        "‘": "'",
        "’": "'",
        "ʻ": "'",
        "ʼ": "'",
        "`": "'",
    }
)
_DASHES = re.compile(r"[\u2010-\u2015\-]+")
_POSSESSIVE = re.compile(r"'s\b")
_SEPARATORS = re.compile(r"[\s,;:()\[\]]+")
_LEADING_ARTICLE = re.compile(r"^the\s+")
# Legal forms say nothing about which organization is meant: "Kcell JSC" is Kcell, «АО Казахтелеком» is Kazakhtelecom.
_LEGAL_FORMS = frozenset(
    [
        "jsc",
        "llc",
        "llp",
        "ltd",
        "plc",
        "inc",
        "corp",
        "co",
        "pjsc",
        "ojsc",
        "cjsc",
        "ag",
        "sa",
        "gmbh",
        "ab",
        "oy",
        "nv",
        "bv",
        "spa",
        "group",
        "holding",
        "company",
        "ао",
        "оао",
        "зао",
        "пао",
        "ооо",
        "тоо",
        "осоо",
        "гуп",
        "ип",
        "компания",
    ]
)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


def alias_key(text: str) -> str:
    """The lookup key of a name: case-folded, quotes and dashes unified, possessive and article removed."""
    key = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().replace("ё", "е")
    key = _DASHES.sub(" ", key)
    key = _POSSESSIVE.sub("", key)
    key = _SEPARATORS.sub(" ", key).strip(" .")
    return _LEADING_ARTICLE.sub("", key)


def strip_legal_forms(key: str) -> str:
    """Drop legal-form words ("jsc", "ао") from a key made by `alias_key`."""
    words = [w for w in key.split() if w.strip(".") not in _LEGAL_FORMS]
    return " ".join(words) if words else key


def is_acronym(text: str) -> bool:
    """True for all-capital short names such as "GKNB", "ГКНБ", "RFE/RL", "MSK-IX", "O!"."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(text) <= 8 and " " not in text and all(c.isupper() for c in letters)


def is_all_caps(text: str) -> bool:
    """True when every letter is a capital ("ARTICLE 19", "UN"): such names are matched case-sensitively."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def is_cyrillic_dominant(text: str) -> bool:
    """True when most letters of the text are Cyrillic."""
    sample = text[:5000]
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    return cyrillic > latin and cyrillic > 0


def initials(name: str, stopwords: frozenset[str]) -> str:
    """Upper-case initials of the content words of a name ("Asian Development Bank" -> "ADB")."""
    words = [w for w in re.split(r"[\s,\-/]+", name) if w and w.casefold() not in stopwords]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()
