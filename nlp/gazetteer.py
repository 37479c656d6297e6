"""The organization gazetteer: load and validate `data/organizations.jsonl`, look names up.

Each line is one organization: `id` (slug), `name` (canonical English), `kind`, `country` (ISO alpha-2 or null),
`aliases` (English, Russian nominative, local spellings, acronyms) and optionally `ambiguous_aliases` (a name
several organizations share, such as "GKNB" or "Beeline": every organization using it must list it there) and
`common_word_aliases` (names that are also ordinary words, such as "Signal" or "Цифра": matched only with their
capital letter and not at the start of a sentence).

Lookup order for a name found in text: exact canonical name, alias, acronym derived from a long name, then fuzzy
(rapidfuzz token_sort_ratio at or above `FUZZY_THRESHOLD`). Shared names are resolved by the countries of the
sentence and the document; without such context they stay unresolved rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pycountry
from rapidfuzz import fuzz, process

from nlp.errors import GazetteerError
from nlp.text import alias_key, initials, is_acronym, strip_legal_forms

DATA_DIR = Path(__file__).resolve().parent / "data"
ORGANIZATIONS_FILE = DATA_DIR / "organizations.jsonl"

ORG_KINDS = frozenset(
    {
        "operator",
        "vendor",
        "regulator",
        "ministry",
        "security_service",
        "international",
        "satellite",
        "rights_group",
        "media",
        "isp",
        "exchange",
        "government",
        "company",
    }
)
# Bodies of a state: in events they bring their country along as a party (see docs/annotation-guidelines.md).
STATE_KINDS = frozenset({"regulator", "ministry", "security_service", "government"})

# Measured on tests/nlp/test_canonicalize.py's labelled variants: spelling variants of real names score 90-100,
# different organizations that share words ("Beeline Tajikistan" vs "Beeline Kazakhstan") score at most 84.
FUZZY_THRESHOLD = 88.0
# Shorter keys are acronyms or brand names where one letter makes a different organization ("Tcell"/"Ucell").
FUZZY_MIN_LENGTH = 8

_REQUIRED = ("id", "name", "kind", "country", "aliases")
_OPTIONAL = ("ambiguous_aliases", "common_word_aliases")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ACRONYM_STOPWORDS = frozenset(["of", "for", "the", "and", "in", "on", "under", "de", "at", "to", "by"])
_DIGITS = re.compile(r"\d+")

MatchMethod = Literal["exact", "alias", "acronym", "fuzzy"]


@dataclass(frozen=True)
class Organization:
    """One gazetteer entry."""

    id: str
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...] = ()
    ambiguous_aliases: tuple[str, ...] = ()
    common_word_aliases: tuple[str, ...] = ()

    @property
    def is_state_body(self) -> bool:
        """True for ministries, regulators, security services and other government bodies."""
        return self.kind in STATE_KINDS


@dataclass(frozen=True)
class SurfaceForm:
    """A name as written, with the organizations it may refer to (several when shared)."""

    text: str
    org_ids: tuple[str, ...]
    common_word: bool = False

    @property
    def ambiguous(self) -> bool:
        return len(self.org_ids) > 1


@dataclass(frozen=True)
class OrgMatch:
    """The organization a name refers to, how it was found and the fuzzy score (100 for exact methods)."""

    org: Organization
    method: MatchMethod
    score: float = 100.0


class Gazetteer:
    """Organizations with their lookup indexes; build it with `load_gazetteer`."""

    def __init__(self, organizations: Sequence[Organization], surface_forms: Sequence[SurfaceForm]) -> None:
        self.organizations = tuple(organizations)
        self.by_id = {org.id: org for org in self.organizations}
        self.surface_forms = tuple(surface_forms)
        self._names = {alias_key(org.name): org.id for org in self.organizations}
        self._aliases: dict[str, tuple[str, ...]] = {}
        for form in self.surface_forms:
            self._aliases.setdefault(alias_key(form.text), form.org_ids)
        # Spacing varies in transliteration ("Uz Telecom", "Kazakh Telecom"): compare without spaces too.
        self._compact: dict[str, tuple[str, ...]] = {}
        for key, ids in self._aliases.items():
            if len(key) >= 5:
                self._compact.setdefault(key.replace(" ", ""), ids)
        self._acronyms = self._derive_acronyms()
        self._fuzzy_keys = [key for key in self._aliases if len(key) >= FUZZY_MIN_LENGTH]

    def __len__(self) -> int:
        return len(self.organizations)

    def _derive_acronyms(self) -> dict[str, str]:
        """Acronyms of long names ("EBRD") that no alias claims and only one organization produces."""
        owners: dict[str, set[str]] = {}
        for org in self.organizations:
            # Canonical names only: aliases such as "Huawei Technologies Co" would derive other firms' acronyms.
            if len(org.name.split()) >= 3:
                acronym = initials(org.name, _ACRONYM_STOPWORDS)
                if len(acronym) >= 3:
                    owners.setdefault(acronym, set()).add(org.id)
        return {
            acronym: next(iter(ids))
            for acronym, ids in owners.items()
            if len(ids) == 1 and alias_key(acronym) not in self._aliases
        }

    def candidates(self, text: str) -> tuple[tuple[str, ...], MatchMethod | None]:
        """The organization ids a name may refer to and the method that found them."""
        key = alias_key(text)
        for variant in dict.fromkeys((key, strip_legal_forms(key))):
            if variant in self._names:
                return (self._names[variant],), "exact"
            if variant in self._aliases:
                return self._aliases[variant], "alias"
            if variant.replace(" ", "") in self._compact:
                return self._compact[variant.replace(" ", "")], "alias"
        stripped = text.strip(" .,()«»\"'")
        if is_acronym(stripped) and stripped.upper() in self._acronyms:
            return (self._acronyms[stripped.upper()],), "acronym"
        return (), None

    def fuzzy(self, text: str) -> tuple[tuple[str, ...], float]:
        """Organization ids of the closest long alias at or above `FUZZY_THRESHOLD`, with its score."""
        key = strip_legal_forms(alias_key(text))
        if len(key) < FUZZY_MIN_LENGTH:
            return (), 0.0
        best = process.extractOne(
            key, self._fuzzy_keys, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD
        )
        if best is None:
            return (), 0.0
        choice, score, _ = best
        # A different number or first letter makes a different organization ("Tele2"/"T2", "Ucell"/"Tcell").
        if choice[0] != key[0] or _DIGITS.findall(choice) != _DIGITS.findall(key):
            return (), 0.0
        return self._aliases[choice], float(score)

    def lookup(self, text: str, context: Mapping[str, float] | None = None) -> OrgMatch | None:
        """The organization a name refers to, or None; `context` weighs country codes for shared names."""
        ids, method = self.candidates(text)
        score = 100.0
        if not ids:
            ids, score = self.fuzzy(text)
            method = "fuzzy"
        if not ids or method is None:
            return None
        org = self.resolve(ids, context or {})
        return OrgMatch(org, method, score) if org else None

    def resolve(self, org_ids: Sequence[str], context: Mapping[str, float]) -> Organization | None:
        """Pick one of several organizations sharing a name by the country weights in `context`."""
        if len(org_ids) == 1:
            return self.by_id[org_ids[0]]
        weights = [(context.get(self.by_id[i].country or "", 0.0), i) for i in org_ids]
        weights.sort(reverse=True)
        best, runner_up = weights[0], weights[1]
        if best[0] > 0 and best[0] > runner_up[0]:
            return self.by_id[best[1]]
        return None


def _string_list(value: Any, field: str, path: Path, line: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GazetteerError(path, line, f"'{field}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_organization(record: Any, path: Path, line: int) -> Organization:
    """Validate one decoded JSONL record and turn it into an `Organization`."""
    if not isinstance(record, dict):
        raise GazetteerError(path, line, "each line must be a JSON object")
    missing = [f for f in _REQUIRED if f not in record]
    if missing:
        raise GazetteerError(path, line, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise GazetteerError(path, line, f"unknown field(s) {unknown}; allowed: {_REQUIRED + _OPTIONAL}")
    org_id, name, kind, country = record["id"], record["name"], record["kind"], record["country"]
    if not isinstance(org_id, str) or not _SLUG.match(org_id):
        raise GazetteerError(
            path, line, f"id {org_id!r} is not a slug (lower-case ASCII words joined by '-')"
        )
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(path, line, f"organization {org_id!r} has an empty name")
    if kind not in ORG_KINDS:
        raise GazetteerError(
            path, line, f"unknown kind {kind!r} for {org_id!r}; expected one of {sorted(ORG_KINDS)}"
        )
    if country is not None and (
        not isinstance(country, str)
        or len(country) != 2
        or not country.isupper()
        or pycountry.countries.get(alpha_2=country) is None
    ):
        raise GazetteerError(
            path, line, f"bad country code {country!r} for {org_id!r}; use ISO 3166-1 alpha-2 or null"
        )
    return Organization(
        id=org_id,
        name=name.strip(),
        kind=kind,
        country=country,
        aliases=_string_list(record["aliases"], "aliases", path, line),
        ambiguous_aliases=_string_list(record.get("ambiguous_aliases", []), "ambiguous_aliases", path, line),
        common_word_aliases=_string_list(
            record.get("common_word_aliases", []), "common_word_aliases", path, line
        ),
    )


def read_organizations(path: Path) -> list[tuple[int, Organization]]:
    """Parse every line of an organizations JSONL file, with its line number."""
    entries: list[tuple[int, Organization]] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise GazetteerError(path, line_no, f"invalid JSON: {exc.msg} (column {exc.colno})") from exc
            entries.append((line_no, parse_organization(record, path, line_no)))
    if not entries:
        raise GazetteerError(path, None, "no organizations in file")
    return entries


def build_surface_forms(entries: Iterable[tuple[int, Organization]], path: Path) -> list[SurfaceForm]:
    """Collect every name of every organization, rejecting duplicate ids and names shared without consent."""
    first_line: dict[str, int] = {}
    # key -> (text as first written, owners [(org id, line)], shared by consent, common word)
    owners: dict[str, tuple[str, list[tuple[str, int]], bool, bool]] = {}
    for line, org in entries:
        if org.id in first_line:
            raise GazetteerError(
                path, line, f"duplicate id {org.id!r} (first defined on line {first_line[org.id]})"
            )
        first_line[org.id] = line
        forms = [(org.name, False, False)]
        forms += [(a, False, False) for a in org.aliases]
        forms += [(a, False, True) for a in org.common_word_aliases]
        forms += [(a, True, False) for a in org.ambiguous_aliases]
        for text, shared, common in forms:
            key = alias_key(text)
            if not key:
                raise GazetteerError(path, line, f"alias {text!r} of {org.id!r} is empty once normalised")
            if key not in owners:
                owners[key] = (text, [(org.id, line)], shared, common)
                continue
            first_text, holders, was_shared, was_common = owners[key]
            if any(holder == org.id for holder, _ in holders):
                # The same name listed twice ("Signal" as name and common word): keep the stricter reading.
                owners[key] = (first_text, holders, was_shared or shared, was_common or common)
                continue
            if not (shared and was_shared):
                other, other_line = holders[0]
                raise GazetteerError(
                    path,
                    line,
                    f"alias {text!r} of {org.id!r} also names {other!r} (line {other_line}); list it under "
                    "'ambiguous_aliases' of both organizations if the name is really shared",
                )
            holders.append((org.id, line))
            owners[key] = (first_text, holders, True, was_common or common)
    return [
        SurfaceForm(text, tuple(holder for holder, _ in holders), common)
        for text, holders, _shared, common in owners.values()
    ]


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load and validate the organizations file (default: the packaged `data/organizations.jsonl`)."""
    path = Path(path) if path else ORGANIZATIONS_FILE
    if not path.is_file():
        raise GazetteerError(path, None, "organizations file not found")
    entries = read_organizations(path)
    forms = build_surface_forms(entries, path)
    return Gazetteer([org for _, org in entries], forms)
