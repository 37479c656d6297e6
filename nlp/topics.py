"""Topics of a document (telecom, censorship, surveillance, cybersecurity, infrastructure) from keyword hits.

Keywords live in `data/topics.yaml`; organizations of a topic's kinds (operators for telecom, security services
for surveillance) and events of its types count as hits too. A topic needs `min_hits` hits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nlp.wordlists import Topic


def _count_phrases(words: Sequence[tuple[str, str]], phrases: Iterable[tuple[str, ...]]) -> int:
    """Occurrences of the phrases in a sequence of (lower-case text, lemma) pairs; each token counts once."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    hits = 0
    position = 0
    while position < len(words):
        text, lemma = words[position]
        candidates = by_first.get(text, []) + by_first.get(lemma, [])
        step = 1
        for phrase in sorted(candidates, key=len, reverse=True):
            window = words[position : position + len(phrase)]
            if len(window) == len(phrase) and all(w in pair for w, pair in zip(phrase, window, strict=True)):
                hits += 1
                step = len(phrase)
                break
        position += step
    return hits


def document_topics(
    topics: Sequence[Topic],
    words: Sequence[tuple[str, str]],
    language: str,
    org_kinds: Iterable[str],
    event_types: Iterable[str],
) -> list[str]:
    """Topic names whose hits reach their threshold, in the order of `topics`."""
    kinds = list(org_kinds)
    events = list(event_types)
    found = []
    for topic in topics:
        phrases = topic.ru if language == "ru" else topic.en
        hits = _count_phrases(words, phrases)
        # An operator (or several) is one sign of a telecom story, a censorship event is a strong one.
        hits += 1 if any(kind in topic.kinds for kind in kinds) else 0
        hits += 2 if any(event in topic.events for event in events) else 0
        if hits >= topic.min_hits:
            found.append(topic.name)
    return found
