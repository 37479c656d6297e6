"""Country vocabulary: pycountry names plus `data/countries.yaml` (demonyms, capitals, Russian names).

The lexicon only says which words *may* refer to a country; the spaCy component and the Russian analyzer decide
from context whether they do (a capital counts only when it acts as a government, a demonym not when it names a
language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pycountry
import yaml

from nlp.errors import GazetteerError
from nlp.text import alias_key, is_all_caps

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "countries.yaml"

TermKind = Literal["name", "demonym", "capital"]
_COUNTRY_FIELDS = ("name", "names", "demonyms", "capitals", "ru_names", "ru_demonyms", "ru_capitals")


@dataclass(frozen=True)
class CountryTerm:
    """A word or phrase that may refer to a country.

    `cased` terms ("US", "РФ") match only as written; `needs_ner` ones ("Jordan", "Chad") only where the
    statistical NER calls them a place.
    """

    text: str
    code: str
    kind: TermKind
    cased: bool = False
    needs_ner: bool = False


@dataclass
class CountryLexicon:
    """Everything the country detection needs, in English and Russian."""

    names: dict[str, str]
    en_terms: list[CountryTerm]
    ru_terms: list[CountryTerm]
    language_after_en: frozenset[str]
    language_before_en: frozenset[str]
    language_after_ru: frozenset[str]
    not_countries: frozenset[str]
    regions: dict[str, str | None]
    _by_key: dict[str, CountryTerm] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for term in self.en_terms + self.ru_terms:
            self._by_key.setdefault(alias_key(term.text), term)

    def name_of(self, code: str) -> str:
        """English short name of a country code ("RU" -> "Russia")."""
        if code in self.names:
            return self.names[code]
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            return code
        return str(getattr(country, "common_name", None) or country.name)

    def term_for(self, text: str) -> CountryTerm | None:
        """The country term a whole phrase is ("Tajikistan", "Chinese", "Москва"), if any."""
        key = alias_key(text)
        if not key or key in self.not_countries:
            return None
        return self._by_key.get(key)

    def code_for(self, text: str) -> str | None:
        """ISO code of a country name or demonym (not a capital: those need context)."""
        term = self.term_for(text)
        if term is not None:
            return term.code if term.kind != "capital" else None
        key = alias_key(text)
        if len(key) < 4 or key in self.not_countries or key in self.regions:
            return None
        try:
            return str(pycountry.countries.lookup(text.strip()).alpha_2)
        except LookupError:
            return None

    def region_country(self, text: str) -> str | None:
        """The state a region or city lies in ("Karakalpakstan" -> "UZ"), None if unknown or supra-national."""
        return self.regions.get(alias_key(text))

    def place_country(self, text: str) -> str | None:
        """The state of a capital or region used as a place ("in Bishkek" -> "KG"): context for shared names."""
        term = self.term_for(text)
        if term is not None and term.kind == "capital":
            return term.code
        return self.region_country(text)

    def is_place(self, text: str) -> bool:
        """True for a country, capital or region name: places are never organizations."""
        key = alias_key(text)
        return key in self.regions or (key in self._by_key and self._by_key[key].kind != "demonym")


def _terms(values: Any, code: str, kind: TermKind, where: str, path: Path) -> list[CountryTerm]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise GazetteerError(path, None, f"{where} must be a list of non-empty strings")
    return [CountryTerm(v.strip(), code, kind, cased=is_all_caps(v) and len(v) <= 5) for v in values]


def _string_set(data: dict[str, Any], key: str, path: Path) -> frozenset[str]:
    values = data.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise GazetteerError(path, None, f"'{key}' must be a list of strings")
    return frozenset(alias_key(v) for v in values)


def _regions(data: dict[str, Any], path: Path) -> dict[str, str | None]:
    regions = data.get("regions") or {}
    if not isinstance(regions, dict):
        raise GazetteerError(path, None, "'regions' must map region names to an ISO alpha-2 code or null")
    result: dict[str, str | None] = {}
    for name, code in regions.items():
        if code is not None and (not isinstance(code, str) or pycountry.countries.get(alpha_2=code) is None):
            raise GazetteerError(path, None, f"region {name!r} has a bad country code {code!r}")
        result[alias_key(str(name))] = code
    return result


def _key_lines(path: Path) -> list[int]:
    """Line numbers of the entries under `countries:`, in file order, so errors can name them."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == "countries" and isinstance(value_node, yaml.MappingNode):
                return [code_node.start_mark.line + 1 for code_node, _ in value_node.value]
    return []


@lru_cache(maxsize=4)
def load_countries(path: Path | None = None) -> CountryLexicon:
    """Load and validate the countries file (default: the packaged `data/countries.yaml`)."""
    path = Path(path) if path else COUNTRIES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(path, None, f"cannot read countries file: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("countries"), dict):
        raise GazetteerError(path, None, "expected a mapping with a 'countries' mapping of ISO codes")
    lines = _key_lines(path)
    markers = data.get("language_markers") or {}
    ambiguous = _string_set(data, "ambiguous_names", path)
    names: dict[str, str] = {}
    en_terms: list[CountryTerm] = []
    ru_terms: list[CountryTerm] = []
    for index, (code, entry) in enumerate(data["countries"].items()):
        line = lines[index] if index < len(lines) else None
        if not isinstance(code, str) or pycountry.countries.get(alpha_2=code) is None:
            hint = " (quote it: YAML reads a bare NO as false)" if code is False else ""
            raise GazetteerError(path, line, f"bad country code {code!r}; use ISO 3166-1 alpha-2{hint}")
        if not isinstance(entry, dict):
            raise GazetteerError(path, line, f"entry of {code} must be a mapping")
        unknown = sorted(set(entry) - set(_COUNTRY_FIELDS))
        if unknown:
            raise GazetteerError(
                path, line, f"unknown field(s) {unknown} for {code}; allowed: {_COUNTRY_FIELDS}"
            )
        if "name" in entry:
            names[code] = str(entry["name"])
        en_terms += _terms(entry.get("names"), code, "name", f"{code}.names", path)
        en_terms += _terms(entry.get("demonyms"), code, "demonym", f"{code}.demonyms", path)
        en_terms += _terms(entry.get("capitals"), code, "capital", f"{code}.capitals", path)
        ru_terms += _terms(entry.get("ru_names"), code, "name", f"{code}.ru_names", path)
        ru_terms += _terms(entry.get("ru_demonyms"), code, "demonym", f"{code}.ru_demonyms", path)
        ru_terms += _terms(entry.get("ru_capitals"), code, "capital", f"{code}.ru_capitals", path)
    known = {alias_key(t.text) for t in en_terms}
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", country.name)}:
            # "Korea, Republic of" is a catalogue form nobody writes; the YAML carries the usual names.
            if "," in name or alias_key(name) in known:
                continue
            known.add(alias_key(name))
            en_terms.append(
                CountryTerm(name, country.alpha_2, "name", needs_ner=alias_key(name) in ambiguous)
            )
    en_terms = [
        CountryTerm(t.text, t.code, t.kind, t.cased, needs_ner=alias_key(t.text) in ambiguous)
        for t in en_terms
    ]
    return CountryLexicon(
        names=names,
        en_terms=en_terms,
        ru_terms=ru_terms,
        language_after_en=frozenset(alias_key(w) for w in markers.get("en_after", [])),
        language_before_en=frozenset(alias_key(w) for w in markers.get("en_before", [])),
        language_after_ru=frozenset(alias_key(w) for w in markers.get("ru_after", [])),
        not_countries=_string_set(data, "not_countries", path),
        regions=_regions(data, path),
    )
