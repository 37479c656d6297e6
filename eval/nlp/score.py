"""Scoring NLP output against the gold set: pure functions, no NLP imports.

Matching rules (docs/annotation-guidelines.md says what the gold annotations mean):

- **Organizations.** A gold organization with an id is matched by a predicted organization with the same id
  (``org_match="id"``); one without an id is matched by name: the predicted ``name`` or ``canonical``
  equals the gold ``name`` or one of its ``aliases`` after normalisation (case-folded, quotes and a leading
  "the" dropped, whitespace collapsed). A system without ids (the baseline) is scored with
  ``org_match="name"``: every gold organization is then matched by name. Matching is one-to-one, so a second
  prediction for an organization already matched (an uncanonicalised alias) is a false positive.
- **Countries.** ISO 3166-1 alpha-2 codes, compared as sets.
- **Events**, per type (agreement, censorship). A predicted party stands for a gold party when its ``code``
  equals the gold code or its ``name`` matches the gold organization's names. A predicted event matches a gold
  event of the same type when their party sets overlap by at least 50 % both ways:
  ``|G ∩ P| / |G| >= 0.5`` and ``|G ∩ P| / |P| >= 0.5``. A gold event with no parties (no actor in the text)
  is matched by any predicted event of its type; a predicted event with no parties matches only such an event.
  Matching is one-to-one (maximum matching), so duplicate predictions of one event are false positives. On
  matched events, subtype, status and (where gold has a date) date are scored as accuracies.
- **Topics.** Sets of topic names; a system that predicts none (``topics=None``) is not scored on them.

Precision, recall and F1 are micro-averaged over documents, overall and per gold language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eval.nlp.gold_set import EVENT_TYPES, GoldDocument, GoldEvent, GoldOrganization

CATEGORIES = ("organizations", "countries", "agreement_events", "censorship_events", "topics")
EVENT_CATEGORY = {"agreement": "agreement_events", "censorship": "censorship_events"}
OrgMatch = Literal["id", "name"]

_QUOTES = re.compile(r"[\"'«»“”„‟‘’`]")
_SPACES = re.compile(r"\s+")


class PredictionFormatError(ValueError):
    """An NLP output record does not have the shape of docs/architecture.md."""


def normalize_name(name: str) -> str:
    """Fold a name for comparison: NFKC, case-folded, quotes and a leading 'the' removed, spaces collapsed."""
    folded = _QUOTES.sub("", unicodedata.normalize("NFKC", name)).casefold()
    folded = _SPACES.sub(" ", folded).strip(" .,;:")
    return folded.removeprefix("the ")


@dataclass(frozen=True)
class PredictedOrganization:
    """An organization as predicted: its id (None outside the gazetteer) and its names."""

    id: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class PredictedParty:
    """An event party as predicted: org id or ISO code, and its name."""

    code: str | None
    name: str | None


@dataclass(frozen=True)
class PredictedEvent:
    """An event as predicted, reduced to what is scored."""

    type: str
    subtype: str | None
    status: str | None
    parties: tuple[PredictedParty, ...]
    date: str | None = None


@dataclass(frozen=True)
class Prediction:
    """One document's NLP output, reduced to what is scored."""

    id: str
    organizations: tuple[PredictedOrganization, ...] = ()
    countries: tuple[str, ...] = ()
    events: tuple[PredictedEvent, ...] = ()
    topics: tuple[str, ...] | None = ()


def _field(record: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in record:
        raise PredictionFormatError(f"{where}: missing field {key!r}")
    return record[key]


def prediction_from_analysis(record: Mapping[str, Any]) -> Prediction:
    """Read a ``DocumentAnalysis`` as a dict (``dataclasses.asdict``, the JSON of ``stanwire extract``)."""
    where = f"analysis {record.get('id', '?')!r}"
    doc_id = str(_field(record, "id", where))
    organizations = tuple(
        PredictedOrganization(
            id=org.get("id"),
            names=tuple(
                n for n in (org.get("name"), org.get("canonical")) if isinstance(n, str) and n.strip()
            ),
        )
        for org in _field(record, "organizations", where)
    )
    countries = tuple(str(c["code"]).upper() for c in _field(record, "countries", where) if c.get("code"))
    events = tuple(
        PredictedEvent(
            type=_field(event, "type", where),
            subtype=event.get("subtype"),
            status=event.get("status"),
            parties=tuple(
                PredictedParty(code=p.get("code"), name=p.get("canonical") or p.get("name"))
                for p in _field(event, "parties", where)
            ),
            date=event.get("date"),
        )
        for event in _field(record, "events", where)
    )
    topics = tuple(_field(record, "topics", where))
    return Prediction(doc_id, organizations, countries, events, topics)


@dataclass
class Counts:
    """True positives, false positives and false negatives of one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        # Nothing predicted and nothing to find is perfect; nothing predicted with gold to find is zero.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if self.fn == 0 else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if self.fp == 0 else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class AttributeCounts:
    """Subtype, status and date agreement on matched events of one type."""

    matched: int = 0
    subtype_correct: int = 0
    status_correct: int = 0
    dated: int = 0
    date_correct: int = 0

    def add(self, other: AttributeCounts) -> None:
        self.matched += other.matched
        self.subtype_correct += other.subtype_correct
        self.status_correct += other.status_correct
        self.dated += other.dated
        self.date_correct += other.date_correct

    @property
    def subtype_accuracy(self) -> float | None:
        return self.subtype_correct / self.matched if self.matched else None

    @property
    def status_accuracy(self) -> float | None:
        return self.status_correct / self.matched if self.matched else None

    @property
    def date_accuracy(self) -> float | None:
        return self.date_correct / self.dated if self.dated else None

    def to_dict(self) -> dict[str, float | int | None]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "matched": self.matched,
            "subtype_accuracy": rounded(self.subtype_accuracy),
            "status_accuracy": rounded(self.status_accuracy),
            "dated": self.dated,
            "date_accuracy": rounded(self.date_accuracy),
        }


def max_matching(
    n_gold: int,
    n_pred: int,
    compatible: Callable[[int, int], bool],
    preference: Callable[[int, int], tuple[float, ...]] | None = None,
) -> list[tuple[int, int]]:
    """Maximum one-to-one matching (Kuhn's augmenting paths); returns (gold index, prediction index) pairs.

    ``preference`` orders each gold item's candidates (higher first), so that among matchings of the same size
    the closer pairs tend to be chosen; it never changes how many pairs are found.
    """
    candidates = [[j for j in range(n_pred) if compatible(i, j)] for i in range(n_gold)]
    if preference is not None:
        for i, row in enumerate(candidates):
            row.sort(key=lambda j, i=i: preference(i, j), reverse=True)
    owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for j in candidates[i]:
            if j not in visited:
                visited.add(j)
                if j not in owner or augment(owner[j], visited):
                    owner[j] = i
                    return True
        return False

    for i in range(n_gold):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def _gold_names(org: GoldOrganization) -> set[str]:
    return {normalize_name(n) for n in (org.name, *org.aliases)}


def score_organizations(
    gold: Sequence[GoldOrganization], predicted: Sequence[PredictedOrganization], org_match: OrgMatch = "id"
) -> Counts:
    """Count matched, spurious and missed organizations of one document."""

    def compatible(i: int, j: int) -> bool:
        g, p = gold[i], predicted[j]
        if g.id is not None and org_match == "id":
            return p.id == g.id
        return bool(_gold_names(g) & {normalize_name(n) for n in p.names})

    matched = len(max_matching(len(gold), len(predicted), compatible))
    return Counts(tp=matched, fp=len(predicted) - matched, fn=len(gold) - matched)


def score_set(gold: Iterable[str], predicted: Iterable[str]) -> Counts:
    """Counts for two sets of labels (country codes, topics)."""
    gold_set, predicted_set = set(gold), set(predicted)
    return Counts(
        tp=len(gold_set & predicted_set), fp=len(predicted_set - gold_set), fn=len(gold_set - predicted_set)
    )


def _resolve_party(party: PredictedParty, party_names: Mapping[str, set[str]]) -> str:
    """The gold party code a predicted party stands for, or a key of its own when it stands for none."""
    code = (party.code or "").casefold()
    name = normalize_name(party.name) if party.name else ""
    for gold_code in party_names:
        if code and code == gold_code.casefold():
            return gold_code
    for gold_code, names in party_names.items():
        if name and name in names:
            return gold_code
    return f"\x00{code or name}"  # cannot collide with a gold code


def events_match(gold_parties: set[str], predicted_parties: set[str]) -> bool:
    """The overlap rule: at least half of the gold parties found, at least half of the predicted ones right."""
    if not gold_parties:
        return True
    if not predicted_parties:
        return False
    common = len(gold_parties & predicted_parties)
    return common * 2 >= len(gold_parties) and common * 2 >= len(predicted_parties)


def score_events(
    gold: Sequence[GoldEvent],
    predicted: Sequence[PredictedEvent],
    event_type: str,
    organizations: Sequence[GoldOrganization],
) -> tuple[Counts, AttributeCounts]:
    """Match events of one type in one document; count them and score attributes of matched pairs."""
    gold_events = [e for e in gold if e.type == event_type]
    predicted_events = [e for e in predicted if e.type == event_type]
    party_names: dict[str, set[str]] = {}
    for event in gold_events:
        for code in event.parties:
            party_names[code] = {normalize_name(code)}
    for org in organizations:
        if org.key in party_names:
            party_names[org.key] |= _gold_names(org)
    gold_sets = [set(e.parties) for e in gold_events]
    predicted_sets = [{_resolve_party(p, party_names) for p in e.parties} for e in predicted_events]

    def closeness(i: int, j: int) -> tuple[float, ...]:
        # Among duplicates of one event, score the one with the most parties and attributes in common.
        g, p = gold_events[i], predicted_events[j]
        union = len(gold_sets[i] | predicted_sets[j]) or 1
        agreeing = (
            (g.subtype == p.subtype) + (g.status == p.status) + (g.date is not None and g.date == p.date)
        )
        return (len(gold_sets[i] & predicted_sets[j]) / union, agreeing)

    pairs = max_matching(
        len(gold_events),
        len(predicted_events),
        lambda i, j: events_match(gold_sets[i], predicted_sets[j]),
        closeness,
    )
    attributes = AttributeCounts(matched=len(pairs))
    for i, j in pairs:
        g, p = gold_events[i], predicted_events[j]
        attributes.subtype_correct += g.subtype == p.subtype
        attributes.status_correct += g.status == p.status
        if g.date is not None:
            attributes.dated += 1
            attributes.date_correct += g.date == p.date
    counts = Counts(tp=len(pairs), fp=len(predicted_events) - len(pairs), fn=len(gold_events) - len(pairs))
    return counts, attributes


@dataclass
class DocumentScore:
    """Counts per category (topics absent when not predicted) and event attributes of one document."""

    id: str
    language: str
    counts: dict[str, Counts]
    attributes: dict[str, AttributeCounts]


def score_document(gold: GoldDocument, prediction: Prediction, org_match: OrgMatch = "id") -> DocumentScore:
    """Score one document's prediction against its gold annotations."""
    counts = {
        "organizations": score_organizations(gold.organizations, prediction.organizations, org_match),
        "countries": score_set(gold.countries, prediction.countries),
    }
    attributes = {}
    for event_type in EVENT_TYPES:
        event_counts, attributes[event_type] = score_events(
            gold.events, prediction.events, event_type, gold.organizations
        )
        counts[EVENT_CATEGORY[event_type]] = event_counts
    if prediction.topics is not None:
        counts["topics"] = score_set(gold.topics, prediction.topics)
    return DocumentScore(gold.id, gold.language, counts, attributes)


@dataclass
class Report:
    """Micro-averaged counts overall and per language, plus event attribute accuracies."""

    documents: int = 0
    overall: dict[str, Counts] = field(default_factory=dict)
    by_language: dict[str, dict[str, Counts]] = field(default_factory=dict)
    attributes: dict[str, AttributeCounts] = field(default_factory=dict)

    def f1(self, category: str, language: str | None = None) -> float | None:
        """F1 of a category overall or for one language; None when the category was not scored."""
        table = self.overall if language is None else self.by_language.get(language, {})
        return table[category].f1 if category in table else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "overall": {c: n.to_dict() for c, n in self.overall.items()},
            "by_language": {
                lang: {c: n.to_dict() for c, n in table.items()}
                for lang, table in sorted(self.by_language.items())
            },
            "event_attributes": {t: a.to_dict() for t, a in self.attributes.items()},
        }


def aggregate(scores: Iterable[DocumentScore]) -> Report:
    """Sum document scores into a report."""
    report = Report()
    for score in scores:
        report.documents += 1
        language_table = report.by_language.setdefault(score.language, {})
        for category, counts in score.counts.items():
            report.overall.setdefault(category, Counts()).add(counts)
            language_table.setdefault(category, Counts()).add(counts)
        for event_type, attributes in score.attributes.items():
            report.attributes.setdefault(event_type, AttributeCounts()).add(attributes)
    return report


def score_all(
    gold: Sequence[GoldDocument], predictions: Mapping[str, Prediction], org_match: OrgMatch = "id"
) -> Report:
    """Score every gold document; a document without a prediction is an error, not a silent zero."""
    missing = [doc.id for doc in gold if doc.id not in predictions]
    if missing:
        raise PredictionFormatError(f"no prediction for {len(missing)} gold documents: {missing[:5]}")
    return aggregate(score_document(doc, predictions[doc.id], org_match) for doc in gold)
