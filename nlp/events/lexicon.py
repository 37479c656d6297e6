"""Per-language lexicons of the event rules: `data/events/<language>.yaml`, every file with the same keys."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

EVENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "events"
LANGUAGES = ("en", "ru")

# section -> {key: "words" (a list) | "map" (word -> value)}
SCHEMA: dict[str, dict[str, str]] = {
    "common": {
        "government_nouns": "words",
        "state_offices": "words",
        "plural_references": "map",
        "singular_references": "words",
        "member_cues": "words",
        "definite": "words",
        "habitual": "words",
        "comparison": "words",
        "future_aux": "words",
        "plan_verbs": "words",
        "negation": "words",
    },
    "agreement": {
        "nouns": "map",
        "weak_nouns": "map",
        "signing_verbs": "words",
        "verbs": "words",
        "ratify_verbs": "words",
        "ratify_nouns": "words",
        "in_force_words": "words",
        "in_force_verbs": "words",
        "terminate_verbs": "words",
        "counterpart_cases": "words",
        "lend_verbs": "words",
        "money_words": "words",
        "borrower_cases": "words",
        "lender_cases": "words",
        "subtype_modifiers": "map",
        "not_objects": "words",
        "sport_words": "words",
        "subject_cases": "words",
    },
    "censorship": {
        "verbs": "map",
        "particle_verbs": "map",
        "nouns": "map",
        "lift_words": "words",
        "law_acts": "words",
        "law_context": "words",
        "net_words": "words",
        "vpn_words": "words",
        "shutdown_objects": "words",
        "speech_words": "words",
        "order_nouns": "words",
        "executor_nouns": "words",
        "private_kinds": "words",
        "topic_cases": "words",
    },
}


class LexiconError(ValueError):
    """A lexicon file is missing a key or has one of the wrong shape."""


@dataclass(frozen=True)
class Section:
    """One section of a lexicon: word lists as frozensets, mappings as dicts."""

    words: dict[str, frozenset[str]]
    maps: dict[str, dict[str, Any]]

    def __getitem__(self, key: str) -> frozenset[str]:
        return self.words[key]

    def map(self, key: str) -> dict[str, Any]:
        return self.maps[key]


@dataclass(frozen=True)
class Lexicon:
    """A language's lexicon: `common`, `agreement`, `censorship`."""

    language: str
    sections: dict[str, Section]

    def __getitem__(self, section: str) -> Section:
        return self.sections[section]


def _norm(word: Any, where: str = "") -> str:
    if not isinstance(word, str):
        # YAML reads on/off/yes/no as booleans: a word must be quoted to stay a word.
        raise LexiconError(f"{where}: {word!r} is not a word (quote it)")
    return word.lower().replace("ё", "е")


def parse_lexicon(data: Any, language: str, where: str) -> Lexicon:
    """Check a decoded lexicon against `SCHEMA` and build it."""
    if not isinstance(data, dict):
        raise LexiconError(f"{where}: expected a mapping of sections {sorted(SCHEMA)}")
    sections: dict[str, Section] = {}
    for name, keys in SCHEMA.items():
        raw = data.get(name)
        if not isinstance(raw, dict):
            raise LexiconError(f"{where}: missing section {name!r}")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise LexiconError(f"{where}: section {name!r} has unknown keys {unknown}")
        words: dict[str, frozenset[str]] = {}
        maps: dict[str, dict[str, Any]] = {}
        for key, shape in keys.items():
            value = raw.get(key)
            if shape == "words":
                if not isinstance(value, list):
                    raise LexiconError(f"{where}: {name}.{key} must be a list of words")
                words[key] = frozenset(_norm(w, f"{where}: {name}.{key}") for w in value)
            else:
                if not isinstance(value, dict):
                    raise LexiconError(f"{where}: {name}.{key} must be a mapping")
                maps[key] = {_norm(k, f"{where}: {name}.{key}"): v for k, v in value.items()}
                for v in maps[key].values():
                    if isinstance(v, list):
                        for w in v:
                            _norm(w, f"{where}: {name}.{key}")
                words[key] = frozenset(maps[key])
        sections[name] = Section(words, maps)
    return Lexicon(language, sections)


@lru_cache(maxsize=8)
def load_lexicon(language: str, path: Path | None = None) -> Lexicon:
    """The lexicon of `language` (`en`, `ru`), from `path` or the packaged file."""
    file = path or EVENTS_DIR / f"{language}.yaml"
    if not file.is_file():
        raise LexiconError(f"{file}: no event lexicon for language {language!r}")
    return parse_lexicon(yaml.safe_load(file.read_text(encoding="utf-8")), language, str(file))
