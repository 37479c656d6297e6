"""Organization names as real news writes them: span repair and the open-world path (spaCy component).

The statistical NER of a small model and the gazetteer together miss or mangle names in real text in a few
recurring ways; each rule below mends one way, for any name:

- **boundaries**: "the", a possessive country ("Kazakhstan's Ministry of Information"), a description
  ("Kazakh company National Information Technologies"), a trailing preposition, comma, "'s" or line break
  ("Uzbekspace in", "Qurium's") are not part of the name; a body's name goes on through "of <place>" and
  "under the Government of …" ("Lenin District Court of Bishkek") and starts at its first capitalised word
  ("State Communications Service");
- **one name or two**: "Gazprom and Lukoil" are two names, "Information and Mass Media Agency" one;
- **labels**: an acronym or a word ending in "-bank" is no person; a name tagged ORG once in a document is an
  organization everywhere in it; a name the document never gives a first name or a title is no person;
  "Azamat Ishenbekov" (a surname ending of the region) is no organization;
- **names NER misses**: Title Case runs ending in an organization noun ("Kishlok Qurilish Bank"), names that open
  with one and go on with "of"/"for" ("Agency for Space Research and Technologies"), site names
  ("newsru.com"), and the other names of a list whose members are organizations ("Facebook, Instagram,
  LinkedIn, Moi Mir and YouTube");
- **not organizations**: names of projects, events and documents ("the Digital CASA project"), internal units
  ("Management Board"), technologies ("DNS"), and Title Case headline words no body sentence repeats.

The word classes come from `data/org_names.yaml`; nothing here names one organization.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.countries import CountryLexicon, load_countries
from nlp.doc_ext import text_of
from nlp.gazetteer import Gazetteer, load_gazetteer
from nlp.org_components import TITLE_END_KEY
from nlp.text import alias_key, is_acronym

ORG_NAMES_FILE = Path(__file__).resolve().parent / "data" / "org_names.yaml"
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_OPENERS = frozenset({"(", "[", "«", "“", '"'})
_CLOSERS = {"(": ")", "[": "]", "«": "»", "“": "”", '"': '"'}
_TRAILING_WORDS = frozenset({"in", "of", "at", "for", "on", "to", "and", "or", "the", "by", "with", "from"})
_EXTENSION_OPENERS = frozenset({"of", "under", "for", "to", "on", "at"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these"})
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.([a-z]{2,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class OrgNameData:
    """The word classes of `data/org_names.yaml`."""

    head_nouns: frozenset[str]
    leading_heads: frozenset[str]
    joiners: frozenset[str]
    suffixes: tuple[str, ...]
    thing_heads: frozenset[str]
    thing_nouns: frozenset[str]
    type_nouns: frozenset[str]
    descriptors: frozenset[str]
    units: frozenset[str]
    technologies: frozenset[str]
    roles: frozenset[str]
    surname_endings: tuple[str, ...]
    site_domains: frozenset[str]


def load_org_names(path: Path | None = None) -> OrgNameData:
    """Read and check the word classes."""
    data = yaml.safe_load((path or ORG_NAMES_FILE).read_text(encoding="utf-8"))
    keys = {f for f in OrgNameData.__dataclass_fields__}
    missing = keys - set(data)
    if missing:
        raise ValueError(f"{path or ORG_NAMES_FILE}: missing lists {sorted(missing)}")
    lower = {
        "joiners",
        "descriptors",
        "suffixes",
        "surname_endings",
        "site_domains",
        "thing_nouns",
        "type_nouns",
    }
    values: dict[str, Any] = {}
    for key in keys:
        if any(not isinstance(w, str) for w in data[key]):
            raise ValueError(
                f"{path or ORG_NAMES_FILE}: {key}: every entry must be a word (quote on/off/yes/no)"
            )
        words = list(data[key])
        if key in lower:
            words = [w.lower() for w in words]
        values[key] = tuple(words) if key in {"suffixes", "surname_endings"} else frozenset(words)
    return OrgNameData(**values)


class OrgSpans:
    """Repairs ORG spans and adds the organizations NER missed; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "stanwire_org_spans_v1") -> None:
        self.name = name
        self.names: OrgNameData | None = None
        self.gazetteer: Gazetteer | None = None
        self.lexicon: CountryLexicon | None = None

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        org_names_path: str | None = None,
        organizations_path: str | None = None,
        countries_path: str | None = None,
    ) -> None:
        """Load the word classes, the gazetteer and the country vocabulary."""
        self.names = load_org_names(Path(org_names_path) if org_names_path else None)
        self.gazetteer = load_gazetteer(Path(organizations_path) if organizations_path else None)
        self.lexicon = load_countries(Path(countries_path) if countries_path else None)

    def _ready(self) -> tuple[OrgNameData, Gazetteer, CountryLexicon]:
        if self.names is None or self.gazetteer is None or self.lexicon is None:
            self.initialize()
        assert self.names is not None
        assert self.gazetteer is not None
        assert self.lexicon is not None
        return self.names, self.gazetteer, self.lexicon

    def __call__(self, doc: Doc) -> Doc:
        names, gazetteer, lexicon = self._ready()
        rules = _Rules(doc, names, gazetteer, lexicon)
        ents = rules.relabel(list(doc.ents))
        repaired: list[Span] = []
        for ent in ents:
            if ent.label_ != "ORG":
                repaired.append(ent)
                continue
            for part in rules.split(ent):
                fixed = rules.repair(part)
                if fixed is not None:
                    repaired.append(fixed)
        repaired = rules.merge_coordinated(repaired)
        found, replaced = rules.missed(repaired)
        gone = {(e.start, e.end, e.label_) for e in replaced}
        repaired = [e for e in repaired if (e.start, e.end, e.label_) not in gone] + found
        rules.note_things(repaired)
        kept = [ent for ent in repaired if ent.label_ != "ORG" or rules.is_organization(ent)]
        kept = rules.consistent(kept)
        doc.ents = filter_spans(kept)
        return doc


class _Rules:
    """The rules, bound to one document."""

    def __init__(self, doc: Doc, names: OrgNameData, gazetteer: Gazetteer, lexicon: CountryLexicon) -> None:
        self.doc = doc
        self.names = names
        self.gazetteer = gazetteer
        self.lexicon = lexicon
        self.title_end = int(doc.user_data.get(TITLE_END_KEY, 0) or 0)
        self.body = text_of(doc)[self.title_end :]
        # Names the document uses for a project, an event or a road somewhere: never an organization in it.
        self.thing_names: set[str] = set()

    def note_things(self, ents: list[Span]) -> None:
        doc = self.doc
        for ent in ents:
            if ent.label_ != "ORG" or ent.kb_id_:
                continue
            if len(ent) > 1 and ent[-1].is_lower and ent[-1].lower_ in self.names.thing_nouns:
                # NER took the noun in: "Digital CASA project".
                self.thing_names.add(alias_key(ent[:-1].text))
                continue
            bracketed = ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")"
            if self._names_a_thing(ent, ent.end + 3 if bracketed else ent.end):
                self.thing_names.add(alias_key(ent.text))

    # --- word tests -------------------------------------------------------------------------------------

    def known(self, text: str) -> bool:
        return bool(self.gazetteer.candidates(text)[0])

    def is_country_word(self, token: Token) -> bool:
        return self.lexicon.term_for(token.text) is not None or self.lexicon.is_place(token.text)

    def is_capitalised(self, token: Token) -> bool:
        """ "Kazakhtelecom", "WeChat", "4Shared", "MUFG": a name's first letter (or digit) is a capital."""
        text = token.text
        return bool(text) and (text[0].isupper() or (text[0].isdigit() and any(c.isupper() for c in text)))

    def is_head(self, token: Token) -> bool:
        return token.text in self.names.head_nouns or token.text.rstrip(".") in self.names.head_nouns

    def has_suffix(self, token: Token) -> bool:
        lower = token.lower_
        return self.is_capitalised(token) and any(
            lower.endswith(s) and len(lower) > len(s) + 2 for s in self.names.suffixes
        )

    def is_site_name(self, token: Token) -> bool:
        match = _DOMAIN.match(token.text)
        if not match or match.group(1).lower() not in self.names.site_domains or "/" in token.text:
            return False
        # Inside a web address ("https://orda.kz/…") the word is an address, not a name.
        before = self.doc[token.i - 1].text if token.i > 0 else ""
        return not before.endswith(("/", ":", "@"))

    def surname_like(self, token: Token) -> bool:
        lower = token.lower_
        return token.is_title and len(lower) > 4 and lower.endswith(self.names.surname_endings)

    # --- labels -------------------------------------------------------------------------------------------

    def relabel(self, ents: list[Span]) -> list[Span]:
        """PERSON/NORP/PRODUCT spans that are organizations, and ORG spans that are people."""
        doc = self.doc
        org_texts = {alias_key(e.text) for e in ents if e.label_ == "ORG"}
        person_tokens = Counter(alias_key(e[-1].text) for e in ents if e.label_ == "PERSON" and len(e) > 1)
        titled = {
            alias_key(e[0].text)
            for e in ents
            if e.label_ == "PERSON" and e.start > 0 and doc[e.start - 1].text.rstrip(".") in _TITLES
        }
        result: list[Span] = []
        for ent in ents:
            label = ent.label_
            text = ent.text
            key = alias_key(text)
            if label in {"PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "GPE"} and not self._country_text(
                text
            ):
                single = len(ent) == 1
                if (
                    (single and is_acronym(text) and len(text) >= 2)
                    or self.has_suffix(ent[-1])
                    or (len(ent) > 1 and self.is_head(ent[-1]) and label == "PERSON")
                    or key in org_texts
                    or (
                        label == "PERSON"
                        and single
                        and ent[0].is_title
                        and key not in person_tokens
                        and key not in titled
                        and not self.surname_like(ent[0])
                        and not self._first_name_before(ent)
                        and self._acts_like_organization(ent)
                    )
                ):
                    result.append(Span(doc, ent.start, ent.end, label="ORG"))
                    continue
            if label == "ORG" and not ent.kb_id_ and self._person_name(ent):
                result.append(Span(doc, ent.start, ent.end, label="PERSON"))
                continue
            result.append(ent)
        return result

    def consistent(self, ents: list[Span]) -> list[Span]:
        """A name that is an organization once in the document is one at every mention ("Echo Moskvy")."""
        org_texts = {alias_key(e.text) for e in ents if e.label_ == "ORG"}
        return [
            Span(self.doc, e.start, e.end, label="ORG")
            if e.label_ in _RELABELABLE and alias_key(e.text) in org_texts and not self._country_text(e.text)
            else e
            for e in ents
        ]

    def _country_text(self, text: str) -> bool:
        return self.lexicon.term_for(text) is not None or self.lexicon.is_place(text)

    def _first_name_before(self, ent: Span) -> bool:
        before = self.doc[ent.start - 1] if ent.start > 0 else None
        return before is not None and before.is_title and before.ent_type_ == "PERSON"

    def _acts_like_organization(self, ent: Span) -> bool:
        """A one-word "person" the document treats as a body: possessed by a state, a subject of a clause
        without any personal pronoun around, or named with an organization word ("Rosatom will lead")."""
        doc = self.doc
        token = ent[0]
        before = doc[ent.start - 1] if ent.start > 0 else None
        if before is not None and before.lower_ in _POSSESSIVE and ent.start > 1:
            owner = doc[ent.start - 2]
            if self.lexicon.term_for(owner.text) is not None:
                return True  # "Russia's Rosatom"
        if before is not None and before.lower_ in self.names.descriptors:
            return True  # "state corporation Rosatom", "the operator Tcell"
        return token.i + 1 < len(doc) and doc[token.i + 1].lower_ in self.names.type_nouns

    def _person_name(self, ent: Span) -> bool:
        tokens = [t for t in ent if t.lower_ not in _DETERMINERS]
        if not 2 <= len(tokens) <= 3 or any(self.is_head(t) or self.known(t.text) for t in tokens):
            return False
        return all(t.is_title for t in tokens) and self.surname_like(tokens[-1])

    # --- boundaries ---------------------------------------------------------------------------------------

    def repair(self, ent: Span) -> Span | None:
        """The span trimmed to the name and extended over the rest of a body's name, or None if nothing is left."""
        doc = self.doc
        start, end = ent.start, ent.end
        # Trim the front: determiners, a possessive owner, descriptions and demonyms before the name.
        while start < end:
            token = doc[start]
            if token.lower_ in _DETERMINERS or token.is_space or (token.is_punct and token.text != "#"):
                start += 1
                continue
            if (
                start + 1 < end
                and doc[start + 1].lower_ in _POSSESSIVE
                and not self._possessive_is_name(start, end)
            ):
                start += 2
                continue
            if (token.is_lower and token.lower_ in self.names.descriptors) or self._describing_demonym(
                start, end
            ):
                start += 1
                continue
            break
        # Trim the back: line breaks, punctuation, "'s", a dangling preposition, an unclosed bracket.
        end = self._cut_unclosed(start, end)
        while end > start:
            token = doc[end - 1]
            if token.is_space or token.lower_ in _POSSESSIVE or token.lower_ in _TRAILING_WORDS:
                end -= 1
                continue
            if token.is_punct and token.text not in {")", "]", "»", "”", '"', "."}:
                end -= 1
                continue
            if (
                token.text == "."
                and end - 1 > start
                and not doc[end - 2].text.endswith(("Co", "Inc", "Ltd", "Corp"))
            ):
                end -= 1
                continue
            break
        if end <= start:
            return None
        start = self._extend_left(start, end)
        end = self._extend_run(end)
        end = self._extend_right(start, end)
        if (start, end) == (ent.start, ent.end):
            return ent
        same_name = alias_key(doc[start:end].text) == alias_key(ent.text)
        # "Huawei Technologies" + "Tajikistan": a local office is an alias of its brand (guidelines 1).
        local_office = start == ent.start and end == ent.end + 1 and self._country_name(doc[end - 1])
        kb_id = ent.kb_id_ if same_name or local_office else ""
        return Span(doc, start, end, label="ORG", kb_id=kb_id)

    def _describing_demonym(self, start: int, end: int) -> bool:
        """ "Kazakh company National Information Technologies", "Brazilian Flamarion": the demonym describes the
        name; in "Kazakh Grain Union" or "Kyrgyz National Conservatory" it is the first word of it."""
        doc = self.doc
        term = self.lexicon.term_for(doc[start].text)
        if term is None or term.kind != "demonym" or start + 1 >= end:
            return False
        rest = doc[start + 1 : end]
        if rest[0].is_lower or self.known(rest.text):
            return True
        return not (
            any(self.is_head(t) for t in rest)
            and all(t.is_title or t.lower_ in self.names.joiners for t in rest)
        )

    def _possessive_is_name(self, start: int, end: int) -> bool:
        """ "Prosecutor's Office", "People's Bank": the possessive belongs to the name when a head follows."""
        doc = self.doc
        owner = doc[start]
        if self.lexicon.term_for(owner.text) is not None:
            return False
        rest = doc[start + 2 : end]
        return (
            bool(rest)
            and owner.is_title
            and any(self.is_head(t) for t in rest)
            and not self.known(owner.text)
        )

    def _cut_unclosed(self, start: int, end: int) -> int:
        depth: list[str] = []
        for i in range(start, end):
            text = self.doc[i].text
            if depth and text == _CLOSERS[depth[-1]] and not (text == '"' and depth[-1] != '"'):
                depth.pop()
            elif text in _OPENERS:
                depth.append(text)
        if not depth:
            return end
        # Cut before the first bracket that never closes: "Outage Detection and Analysis (IODA".
        opened: list[int] = []
        for i in range(start, end):
            text = self.doc[i].text
            if opened and text == _CLOSERS[self.doc[opened[-1]].text]:
                opened.pop()
            elif text in _OPENERS:
                opened.append(i)
        return opened[0] if opened else end

    def _extend_left(self, start: int, end: int) -> int:
        """Over capitalised words of the same name: "State" + "Communications Service", "Oktyabrsky" + "District
        Court" (never over a sentence start, a demonym, a country or a person's title)."""
        doc = self.doc
        while start > 0:
            before = doc[start - 1]
            term = self.lexicon.term_for(before.text)
            if (
                term is not None
                and term.kind == "name"
                and self.is_head(doc[start])
                and not before.is_sent_start
            ):
                # "Japan" + "Bank for International Cooperation": a country's name directly before its bank.
                return start - 1
            if (
                before.is_sent_start
                or before.lower_ in _SENTENCE_ADVERBS
                or not before.is_title
                or before.ent_type_ in {"PERSON", "GPE", "NORP", "DATE", "ORG"}
                or self.is_country_word(before)
                or before.text.rstrip(".") in _TITLES
                or before.lower_ in self.names.descriptors
                or (before.tag_ and before.tag_ not in {"NNP", "NNPS"})
                or (before.idx < self.title_end <= doc[start].idx)
            ):
                break
            start -= 1
        return start

    def _extend_run(self, end: int) -> int:
        """Over capitalised words NER left out of the name: "Digital" + "CASA", "Kloop Media" + "Public"; and
        over the country of a local office named after it: "Huawei Technologies" + "Tajikistan"."""
        doc = self.doc
        end = self._extend_words(end)
        if (
            end < len(doc)
            and "\n" not in doc[end - 1].whitespace_
            and self._country_name(doc[end])
            and doc[end - 1].whitespace_
            and not (end + 1 < len(doc) and doc[end + 1].lower_ in _POSSESSIVE)
            and not doc[end - 1].is_punct
        ):
            end += 1
        return end

    def _extend_words(self, end: int) -> int:
        doc = self.doc
        while (
            end < len(doc)
            and "\n" not in doc[end - 1].whitespace_
            and self._run_word(doc[end])
            and doc[end].ent_type_ in {"", "ORG"}
            and doc[end].ent_iob_ != "B"
            and doc[end].tag_ in {"NNP", "NNPS"}
            and not self.is_country_word(doc[end])
        ):
            end += 1
        return end

    def _extend_right(self, start: int, end: int) -> int:
        """A body's name goes on through "of <place>", "of the Republic of X", "under the Government of X"."""
        doc = self.doc
        if not any(self.is_head(t) for t in doc[start:end]):
            return end
        best = end
        i = end
        steps = 0
        while i < len(doc) and steps < 12:
            token = doc[i]
            if token.lower_ not in _EXTENSION_OPENERS or "\n" in token.whitespace_:
                break
            j = i + 1
            while j < len(doc) and doc[j].lower_ == "the":
                j += 1
            k = j
            while k < len(doc) and self._name_word(doc[k]) and "\n" not in doc[k - 1].whitespace_:
                k += 1
            if k == j:
                break
            words = doc[j:k]
            # "of Bishkek", "of the Republic of Tajikistan", "under the Government of …", "of the Parliament".
            if (
                any(self.is_country_word(t) for t in words)
                or self.lexicon.is_place(words.text)
                or words[0].text
                in {"Republic", "Government", "Administration", "President", "Cabinet", "Parliament"}
                or (
                    token.lower_ in {"of", "for", "to", "on"}
                    and best == end
                    and self._continues_name(start, end, words)
                )
            ):
                best = k
                i = k
                steps += 1
                continue
            break
        return best

    def _continues_name(self, start: int, end: int, words: Span) -> bool:
        """ "Ministry" + "of Digital Development": a leading head followed by its Title Case complement."""
        doc = self.doc
        if doc[end - 1].text not in self.names.leading_heads:
            return False
        return all(self._name_word(t) for t in words) and not any(
            t.ent_type_ in {"PERSON", "DATE"} for t in words
        )

    def _name_word(self, token: Token) -> bool:
        return (
            (token.is_title or token.is_upper)
            and not token.is_punct
            and token.ent_type_ not in {"DATE", "PERSON"}
        )

    # --- one name or two ------------------------------------------------------------------------------------

    def split(self, ent: Span) -> list[Span]:
        """ "Gazprom and Lukoil" → two names; "Export and Investment Insurance" stays one."""
        doc = self.doc
        joints = [t.i for t in ent if t.lower_ in {"and", "&"} or t.text == ","]
        if not joints or ent.kb_id_:
            return [ent]
        parts: list[tuple[int, int]] = []
        begin = ent.start
        for joint in joints:
            parts.append((begin, joint))
            begin = joint + 1
        parts.append((begin, ent.end))
        parts = [(s, e) for s, e in parts if e > s]
        if len(parts) < 2:
            return [ent]
        pieces = [doc[s:e] for s, e in parts]
        separate = all(
            self.known(p.text)
            or (
                len(p) == 1
                and p[0].is_title
                and not self.is_head(p[0])
                and p[0].text not in self.names.head_nouns
            )
            for p in pieces
        )
        if not separate:
            return [ent]
        return [Span(doc, s, e, label="ORG") for s, e in parts]

    def merge_coordinated(self, ents: list[Span]) -> list[Span]:
        """ "Information" + "and" + "Mass Media Agency": the left part names nothing on its own."""
        doc = self.doc
        ents = sorted(ents, key=lambda e: e.start)
        merged: list[Span] = []
        for ent in ents:
            if (
                merged
                and ent.label_ == "ORG"
                and merged[-1].label_ == "ORG"
                and ent.start == merged[-1].end + 1
                and doc[merged[-1].end].lower_ in {"and", "&"}
                and self.is_head(ent[-1])
                and not any(self.is_head(t) for t in merged[-1])
                and not merged[-1].kb_id_
                and not ent.kb_id_
                and not self.known(merged[-1].text)
            ):
                merged[-1] = Span(doc, merged[-1].start, ent.end, label="ORG")
                continue
            merged.append(ent)
        return merged

    # --- names NER missed -----------------------------------------------------------------------------------

    def missed(self, ents: list[Span]) -> tuple[list[Span], list[Span]]:
        """Organization names NER did not give, and the entities they replace (a list member NER called a
        person, a name that goes on after a known one: "Kloop Media" + "Public Foundation")."""
        doc = self.doc
        taken = {i for e in ents for i in range(e.start, e.end)}
        org_ending_at = {e.end: e for e in ents if e.label_ == "ORG"}
        found: list[Span] = []
        replaced: list[Span] = []
        i = 0
        while i < len(doc):
            if i in taken:
                i += 1
                continue
            end = self._head_name_end(i, taken)
            if end is not None:
                before = org_ending_at.get(i)
                if before is not None:
                    replaced.append(before)
                    found.append(Span(doc, before.start, end, label="ORG"))
                else:
                    found.append(Span(doc, i, end, label="ORG"))
                taken.update(range(i, end))
                i = end
                continue
            token = doc[i]
            typed = self._typed_name_end(i, taken)
            if typed is not None:
                found.append(Span(doc, i, typed, label="ORG"))
                taken.update(range(i, typed))
                i = typed
                continue
            if self.has_suffix(token) or self.is_site_name(token):
                found.append(Span(doc, i, i + 1, label="ORG"))
                taken.add(i)
            i += 1
        members, overridden = self._list_members([*ents, *found], taken)
        return found + members, replaced + overridden

    def _run_word(self, token: Token) -> bool:
        text = token.text
        return (
            self.is_capitalised(token)
            and (token.is_alpha or (text[:1].isdigit() and text[1:2].isalpha()))
            and token.ent_type_ not in {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL"}
            and text not in _TITLES
            and not (len(text) == 1 and text.isalpha())
        )

    def _run_end(self, i: int, taken: set[int]) -> int:
        """End of the Title Case run at `i`: capitalised words, joined by "of", "and", "for" … or by a hyphen
        without spaces ("Ipoteka-Bank"), within one line."""
        doc = self.doc
        j = i
        last = None
        while j < len(doc) and j not in taken:
            if j > i and "\n" in doc[j - 1].whitespace_ + (doc[j - 1].text if doc[j - 1].is_space else ""):
                break
            token = doc[j]
            if self._run_word(token):
                last = j
                j += 1
                continue
            joined_by_hyphen = (
                token.text in {"-", "‑"} and not doc[j - 1].whitespace_ and not token.whitespace_
            )
            if (
                j > i
                and (token.lower_ in self.names.joiners or joined_by_hyphen)
                and j + 1 < len(doc)
                and self._run_word(doc[j + 1])
            ):
                j += 1
                continue
            break
        return (last + 1) if last is not None else i

    def _typed_name_end(self, i: int, taken: set[int]) -> int | None:
        """End of a name that a lower-case type noun follows: "Izvestiya newspapers", "Echo Moskvy radio
        station", "the Periscope live streaming service"."""
        doc = self.doc
        if not (self._run_word(doc[i]) or self.is_site_name(doc[i])) or doc[i].is_sent_start:
            return None
        end = self._run_end(i, taken) if self._run_word(doc[i]) else i + 1
        span = doc[i:end]
        if any(self.is_country_word(t) for t in span) or span.text in self.names.technologies:
            return None
        if any(t.ent_type_ in {"PERSON", "DATE", "GPE"} for t in span):
            return None
        k = end
        # "Meduza and newsru.com online publications": a coordinated name may come between.
        if (
            k + 1 < len(doc)
            and doc[k].lower_ in {"and", "or"}
            and (self._run_word(doc[k + 1]) or self.is_site_name(doc[k + 1]))
        ):
            k = self._run_end(k + 1, taken) if self._run_word(doc[k + 1]) else k + 2
        for m in range(k, min(k + 3, len(doc))):
            word = doc[m]
            if word.lower_ in self.names.type_nouns and word.is_lower:
                return end
            if not (word.is_lower and word.is_alpha and word.pos_ in {"ADJ", "NOUN"}):
                return None
        return None

    def _head_name_end(self, i: int, taken: set[int]) -> int | None:
        """End of a name starting at `i` that ends in an organization noun ("Kishlok Qurilish Bank", "Japan Bank
        for International Cooperation"), or opens with a leading head and goes on with "of/for …"."""
        doc = self.doc
        first = doc[i]
        if not self._run_word(first) or first.text in self.names.descriptors:
            return None
        end = self._run_end(i, taken)
        words = doc[i:end]
        if len(words) < 2 or all(self.is_country_word(t) for t in words):
            return None
        if words.text in self.names.units or first.text in _TITLES:
            return None
        # People and dates inside the run end it ("Ministry of Digital Development Minister Askar …").
        for t in words[1:]:
            if t.ent_type_ in {"PERSON", "DATE"} and not self.is_head(t):
                return None
        if self.is_head(words[-1]):
            # A run may start with its country ("Japan Bank …") but not with a lone demonym or a country alone.
            if self.is_country_word(first) and not (
                len(words) >= 2 and (self.is_head(words[1]) or words[1].is_title)
            ):
                return None
            return end
        # "Ministry of Digital Development", "Japan Bank for International Cooperation" (a country's name first).
        opener = words[1] if self._country_name(first) and len(words) > 2 else first
        if opener.text in self.names.leading_heads and any(
            t.lower_ in {"of", "for", "to", "on"} for t in words
        ):
            return end
        return None

    def _country_name(self, token: Token) -> bool:
        term = self.lexicon.term_for(token.text)
        return term is not None and term.kind == "name"

    def _list_members(self, ents: list[Span], taken: set[int]) -> tuple[list[Span], list[Span]]:
        """The other capitalised members of a list at least two thirds of whose members are organizations: the
        new ORG spans, and the entities (a "person" NER saw in "Echo Moskvy") they replace."""
        doc = self.doc
        org_at = {i: e for e in ents if e.label_ == "ORG" for i in range(e.start, e.end)}
        other_at = {i: e for e in ents if e.label_ in _RELABELABLE for i in range(e.start, e.end)}
        found: list[Span] = []
        replaced: list[Span] = []
        sentences = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
        for members in (items for sentence in sentences for items in self._list_items(sentence)):
            orgs = [m for m in members if any(i in org_at for i in range(*m))]
            if len(orgs) < 2 or len(orgs) * 2 < len(members):
                continue
            for start, end in members:
                if any(i in org_at for i in range(start, end)):
                    continue
                span = doc[start:end]
                if any(self.is_country_word(t) for t in span) or any(
                    t.ent_type_ in {"DATE", "NORP"} for t in span
                ):
                    continue
                if len(span) > 1 and self.surname_like(span[-1]):
                    continue
                others = {id(other_at[i]): other_at[i] for i in range(start, end) if i in other_at}
                if any(o.start < start or o.end > end for o in others.values()):
                    continue
                replaced += list(others.values())
                found.append(Span(doc, start, end, label="ORG"))
                taken.update(range(start, end))
        return found, replaced

    def _list_items(self, sentence: Span) -> list[list[tuple[int, int]]]:
        """The lists of the sentence ("A, B, C and D"), each as the (start, end) of its items: items of up to
        four capitalised words (a few lower-case words may describe one: "Echo Moskvy radio station"),
        separated by commas, "and" or "or"."""
        doc = self.doc
        lists: list[list[tuple[int, int]]] = []
        current: list[tuple[int, int]] = []
        i = sentence.start
        while i < sentence.end:
            j = i
            while j < sentence.end and j - i < 4 and (self._run_word(doc[j]) or self.is_site_name(doc[j])):
                j += 1
            if j == i:
                lists.append(current)
                current = []
                i += 1
                continue
            current.append((i, j))
            k = j
            m = k
            while (
                m < sentence.end
                and m - k < 3
                and doc[m].is_lower
                and doc[m].is_alpha
                and doc[m].pos_ in {"NOUN", "ADJ"}
            ):
                m += 1
            if m > k and m < sentence.end and (doc[m].text == "," or doc[m].lower_ in {"and", "or"}):
                k = m
            if k < sentence.end and doc[k].text == ",":
                k += 1
            if k < sentence.end and doc[k].lower_ in {"and", "or"}:
                k += 1
            if k == j:
                lists.append(current)
                current = []
            i = k if k > j else j
        lists.append(current)
        return [items for items in lists if len(items) >= 3]

    # --- not organizations ------------------------------------------------------------------------------

    def _names_a_thing(self, ent: Span, after_index: int) -> bool:
        """ "the Digital CASA project", "Bishkek-Manas highways": the name of what the next noun says."""
        doc = self.doc
        after = doc[after_index] if after_index < len(doc) else None
        if after is None or self.is_head(ent[-1]):
            return False
        return after.text in self.names.thing_heads or (
            after.is_lower and after.lower_ in self.names.thing_nouns
        )

    def is_organization(self, ent: Span) -> bool:
        doc = self.doc
        text = ent.text
        if ent.kb_id_:
            return True
        if text in self.names.technologies or text in self.names.units or text.rstrip(".") in _TITLES:
            return False
        if len(ent) == 1 and text in self.names.roles:
            return False
        if ent[-1].text in self.names.thing_heads or (
            ent[-1].is_lower and ent[-1].lower_ in self.names.thing_nouns
        ):
            return False
        after_index = ent.end
        # "the Internet Outage Detection and Analysis (IODA) project": look past a bracketed acronym.
        if after_index + 2 < len(doc) and doc[after_index].text == "(" and doc[after_index + 2].text == ")":
            after_index += 3
        if self._names_a_thing(ent, after_index) or alias_key(text) in self.thing_names:
            return False
        if ent.start_char < self.title_end and not self.known(text):
            # A Title Case headline capitalises every word: a name it alone gives is no name.
            head = ent[-1].text
            if text not in self.body and not (len(ent) > 1 and head in self.body and self.is_head(ent[-1])):
                return False
        return True


# Capitalised words that open a clause, not a name ("quotation Today Kazakhtelecom and China Telecom …").
_SENTENCE_ADVERBS = frozenset(
    {
        "today",
        "yesterday",
        "tomorrow",
        "meanwhile",
        "however",
        "also",
        "moreover",
        "earlier",
        "later",
        "now",
        "then",
        "still",
        "recently",
        "currently",
        "previously",
        "finally",
        "thus",
    }
)

# Entities NER may give a name that is an organization's.
_RELABELABLE = frozenset({"PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "GPE"})

# Titles before a person's name.
_TITLES = frozenset(
    {
        "President",
        "Prime",
        "Minister",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Deputy",
        "Chairman",
        "Chairwoman",
        "Director",
        "Ambassador",
        "Senator",
        "Governor",
        "Mayor",
        "Judge",
        "General",
        "Secretary",
        "Chancellor",
        "Professor",
        "Sheikh",
        "King",
        "Queen",
        "Prince",
        "CEO",
    }
)


@Language.factory(
    "stanwire_org_spans_v1",
    requires=["doc.ents", "token.dep", "token.tag"],
    assigns=["doc.ents"],
    default_config={},
)
def make_org_spans(nlp: Language, name: str) -> OrgSpans:
    """Span repair and open-world organization names; add it right after "ner"."""
    return OrgSpans(nlp, name)
