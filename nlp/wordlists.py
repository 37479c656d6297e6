"""Word lists kept as data: `data/filters.yaml` (what is not an organization) and `data/topics.yaml`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import GazetteerError
from nlp.text import alias_key

DATA_DIR = Path(__file__).resolve().parent / "data"
FILTERS_FILE = DATA_DIR / "filters.yaml"
TOPICS_FILE = DATA_DIR / "topics.yaml"
EVENT_WORDS_FILE = DATA_DIR / "event_words.yaml"
TOPIC_NAMES = ("telecom", "censorship", "surveillance", "cybersecurity", "infrastructure")


@dataclass(frozen=True)
class Filters:
    """Lists the organization filter uses; words are stored as `alias_key`s except `chrome_line_starts`."""

    chrome_words: frozenset[str]
    chrome_line_starts: tuple[str, ...]
    person_titles: frozenset[str]
    not_organizations: frozenset[str]
    government_nouns: frozenset[str]


@dataclass(frozen=True)
class Topic:
    """Keywords (tuples of lower-case lemmas) and entity kinds / event types that count as hits for a topic."""

    name: str
    min_hits: int
    en: tuple[tuple[str, ...], ...]
    ru: tuple[tuple[str, ...], ...]
    kinds: frozenset[str]
    events: frozenset[str]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(path, None, f"cannot read word list: {exc}") from exc
    if not isinstance(data, dict):
        raise GazetteerError(path, None, "expected a mapping at the top level")
    return data


def _strings(data: dict[str, Any], key: str, path: Path) -> list[str]:
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
        raise GazetteerError(path, None, f"'{key}' must be a list of strings")
    return [str(v) for v in values]


@lru_cache(maxsize=4)
def load_filters(path: Path | None = None) -> Filters:
    """Load `filters.yaml`."""
    path = Path(path) if path else FILTERS_FILE
    data = _read_yaml(path)
    return Filters(
        chrome_words=frozenset(alias_key(w) for w in _strings(data, "chrome_words", path)),
        chrome_line_starts=tuple(_strings(data, "chrome_line_starts", path)),
        person_titles=frozenset(alias_key(w) for w in _strings(data, "person_titles", path)),
        not_organizations=frozenset(alias_key(w) for w in _strings(data, "not_organizations", path)),
        government_nouns=frozenset(alias_key(w) for w in _strings(data, "government_nouns", path)),
    )


@lru_cache(maxsize=4)
def load_topics(path: Path | None = None) -> tuple[Topic, ...]:
    """Load `topics.yaml`; every topic in `TOPIC_NAMES` must be defined."""
    path = Path(path) if path else TOPICS_FILE
    data = _read_yaml(path).get("topics")
    if not isinstance(data, dict) or set(data) != set(TOPIC_NAMES):
        raise GazetteerError(path, None, f"'topics' must define exactly {list(TOPIC_NAMES)}")
    topics = []
    for name in TOPIC_NAMES:
        entry = data[name]
        min_hits = entry.get("min_hits", 2)
        if not isinstance(min_hits, int) or min_hits < 1:
            raise GazetteerError(path, None, f"topics.{name}.min_hits must be a positive integer")
        topics.append(
            Topic(
                name=name,
                min_hits=min_hits,
                en=tuple(tuple(str(t).lower().split()) for t in _strings(entry, "en", path)),
                ru=tuple(
                    tuple(str(t).lower().replace("ё", "е").split()) for t in _strings(entry, "ru", path)
                ),
                kinds=frozenset(_strings(entry, "kinds", path)),
                events=frozenset(_strings(entry, "events", path)),
            )
        )
    return tuple(topics)


@dataclass(frozen=True)
class WordSection:
    """One section of `event_words.yaml` ("en_context", "ru_context") with typed accessors."""

    name: str
    entries: dict[str, Any]
    path: Path

    def words(self, key: str) -> frozenset[str]:
        """A word list as a set; a missing or malformed key is a data error naming the section and key."""
        value = self.entries.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise GazetteerError(self.path, None, f"{self.name}.{key} must be a list of words")
        return frozenset(value)

    def mapping(self, key: str) -> dict[str, str]:
        """A word -> subtype mapping."""
        value = self.entries.get(key)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise GazetteerError(self.path, None, f"{self.name}.{key} must map words to strings")
        return dict(value)


@lru_cache(maxsize=4)
def load_event_words(path: Path | None = None) -> dict[str, WordSection]:
    """Load `event_words.yaml`: the trigger and context words of the event rules, by section."""
    path = Path(path) if path else EVENT_WORDS_FILE
    data = _read_yaml(path)
    sections = {}
    for name, entries in data.items():
        if not isinstance(entries, dict):
            raise GazetteerError(path, None, f"section {name!r} must be a mapping of word lists")
        sections[str(name)] = WordSection(str(name), entries, path)
    return sections


def event_words(section: str) -> WordSection:
    """A section of the packaged `event_words.yaml`."""
    sections = load_event_words()
    if section not in sections:
        raise GazetteerError(EVENT_WORDS_FILE, None, f"missing section {section!r}")
    return sections[section]


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """Short hash of every data file, so any change to the gazetteer or word lists changes `NLP_VERSION`."""
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):  # the event lexicons live in data/events/
        if path.is_file() and path.suffix in {".jsonl", ".yaml", ".yml", ".json"}:
            digest.update(path.relative_to(data_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]
