"""Who a noun phrase stands for: the organizations and states behind an argument of an event.

"Kazakhtelecom and Huawei" (conjuncts), "the Chinese company's local office, Huawei Technologies Tajikistan"
(apposition), "the governments of Russia and Tajikistan", "Uzbek authorities" (a state), "Russian President
Putin", "his Turkmen counterpart" (an office held for a state), "Minister of Digital Technologies Sherzod
Shermatov" (an office of a ministry), "the two companies", "the company" (parties named before), "several
nations, including Kazakhstan and Russia" (members of a group). Read on the language-independent view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.countries import CountryLexicon
from nlp.events.lexicon import Lexicon
from nlp.events.view import CountryRef, DocView, OrgRef, Tok
from nlp.gazetteer import Organization
from nlp.records import EventParty

# Pronouns that may stand for a party named before.
_PRONOUNS = frozenset({"it", "they", "он", "она", "оно", "они"})
# Singular references to a body that only a body of that name can resolve ("the court").
_BODY_REFERENCES = frozenset(
    {"court", "ministry", "committee", "agency", "service", "суд", "министерство", "комитет"}
)

# The state of a body or office whose country is not named: the document's main country, chosen later.
UNNAMED_STATE = "?STATE"


@dataclass
class Group:
    """A plural noun that names no member ("Russian telecommunications companies"): resolved from context."""

    token: int
    lemma: str
    kind: str
    country: str | None = None


@dataclass
class Found:
    """The parties an argument stands for, and the groups it leaves open."""

    parties: list[EventParty] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    refused: bool = False  # parties were named, and none of them can be the actor the frame wants

    def extend(self, other: Found) -> None:
        self.parties += other.parties
        self.groups += other.groups


def party_key(party: EventParty) -> str:
    """Identity of a party across mentions: its code, else its folded name."""
    return party.code or f"name:{party.canonical.casefold()}"


def dedupe(parties: list[EventParty]) -> list[EventParty]:
    seen: set[str] = set()
    result = []
    for party in parties:
        key = party_key(party)
        if key not in seen:
            seen.add(key)
            result.append(party)
    return result


class PartyResolver:
    """Resolves arguments to parties on one document's view."""

    def __init__(self, view: DocView, lexicon: Lexicon, countries: CountryLexicon) -> None:
        self.view = view
        self.lexicon = lexicon
        self.countries = countries
        common = lexicon["common"]
        self.government_nouns = common["government_nouns"]
        self.offices = common["state_offices"]
        self.plural_refs = common.map("plural_references")
        self.singular_refs = common["singular_references"]
        self.member_cues = common["member_cues"]

    # --- parties of mentions ------------------------------------------------------------------------------

    def org_party(self, ref: OrgRef) -> EventParty:
        if ref.org is None:
            return EventParty(name=ref.surface, canonical=ref.canonical, kind="organization", code=None)
        return EventParty(name=ref.surface, canonical=ref.org.name, kind="organization", code=ref.org.id)

    def country_party(self, code: str, surface: str) -> EventParty:
        if code == UNNAMED_STATE:
            return EventParty(name=surface, canonical=surface, kind="country", code=UNNAMED_STATE)
        return EventParty(name=surface, canonical=self.countries.name_of(code), kind="country", code=code)

    def gazetteer_org(self, party: EventParty) -> Organization | None:
        """The gazetteer entry of an organization party, if it has one."""
        if party.kind != "organization" or not party.code:
            return None
        for ref in self.view.orgs:
            if ref.org is not None and ref.org.id == party.code:
                return ref.org
        return None

    def from_country(self, ref: CountryRef) -> EventParty:
        return self.country_party(ref.code, ref.text)

    # --- arguments -----------------------------------------------------------------------------------------

    def parties_of(self, token: Tok, *, demonyms: bool = False, depth: int = 0) -> Found:
        """The parties a noun (with its conjuncts) stands for."""
        found = Found()
        items = (
            self.view.conjuncts(token) if token.rel != "conj" else [token, *self.view.kids(token.i, "conj")]
        )
        if token.i in self.view.org_at:
            ref = self.view.org_at[token.i]
            # The parser may hang "and ZTE" on any word of "Beeline Kyrgyzstan".
            for i in range(ref.start, ref.end):
                items += [t for t in self.view.kids(i, "conj") if t not in items]
            # "ГКНБ Кыргызстана и ФСБ России": the parser hangs the second body on the first one's state.
            for state in self.view.kids(token.i, "nmod"):
                if state.i in self.view.country_at and state.case in {"of", ""}:
                    items += [
                        t
                        for t in self.view.kids(state.i, "conj")
                        if t.i in self.view.org_at and t not in items
                    ]
        seen_refs: set[int] = set()
        for item in items:
            ref_org = self.view.org_at.get(item.i)
            if ref_org is not None:
                if ref_org.start not in seen_refs:
                    seen_refs.add(ref_org.start)
                    found.parties.append(self.org_party(ref_org))
                continue
            found.extend(self._one(item, demonyms=demonyms, depth=depth))
        found.parties = dedupe(found.parties)
        return found

    def _one(self, token: Tok, *, demonyms: bool, depth: int) -> Found:
        view = self.view
        found = Found()
        country = view.country_at.get(token.i)
        if country is not None:
            if country.how != "demonym" or demonyms:
                found.parties.append(self.from_country(country))
            return found
        if depth > 3:
            return found
        # A named member given by apposition or a compound: "the operator Kcell", "provider—Turkmentelecom",
        # "the lower chamber of parliament, the Mazhilis".
        named = view.kids(token.i, "appos", "compound")
        named += [
            a for n in view.kids(token.i, "nmod") if n.case in {"of", ""} for a in view.kids(n.i, "appos")
        ]
        for child in named:
            if child.i in view.org_at or child.i in view.country_at:
                inner = self.parties_of(child, demonyms=False, depth=depth + 1)
                if inner.parties:
                    found.extend(inner)
        if found.parties:
            group = self._group(token)
            # "between Tajikistan and Russian telecommunications companies": the companies are still unnamed.
            if group is not None and not any(p.kind == group.kind for p in found.parties):
                found.groups.append(group)
            return found
        if token.pos == "PRON" and token.lower in _PRONOUNS:
            found.parties += self._pronoun(token)
            return found
        lemma = token.lemma
        if lemma in self.government_nouns or token.lower in self.government_nouns:
            found.parties += self._state_of(token) or [self.country_party(UNNAMED_STATE, token.text)]
            return found
        if self._is_office(token) or token.i in view.person_at:
            found.parties += self._office_holder(token)
            return found
        reference = self._reference(token)
        if reference is not None:
            found.extend(reference)
            return found
        # "a unit of Kazakhtelecom", "nations, including Kazakhstan and Russia".
        for child in view.kids(token.i, "nmod", "obl", "appos"):
            # "employees of the GKNB", "сотрудники ГКНБ" (a genitive without a preposition).
            genitive = child.case in {"of"} or (
                view.language == "ru" and not child.case and child.gram_case == "Gen"
            )
            if child.case in self.member_cues or (genitive and child.i in view.org_at):
                found.extend(self.parties_of(child, demonyms=False, depth=depth + 1))
        for child in view.kids(token.i, "acl", "relcl"):
            # "nations, including Kazakhstan" where the parser made "including" a verb.
            if child.lemma in self.member_cues:
                for obj in view.kids(child.i, "obj", "obl", "nmod"):
                    found.extend(self.parties_of(obj, demonyms=False, depth=depth + 1))
        if not found.parties:
            group = self._group(token)
            if group is not None:
                found.groups.append(group)
        return found

    def _group(self, token: Tok) -> Group | None:
        """A plural noun of organizations or states that names none of them ("Russian companies")."""
        if not token.plural or token.pos != "NOUN" or token.definite:
            return None
        kind = self.plural_refs.get(token.lemma) or self.plural_refs.get(token.lower)
        if kind is None:
            return None
        return Group(token.i, token.lemma, kind, self._country_modifier(token))

    def members_after(self, token: Tok) -> list[EventParty]:
        """The names that follow a plural noun before its clause's verb: "The two companies in question, Cifra and
        Piter IX, will provide …"."""
        view = self.view
        end = view.sentences[token.sent][1]
        for i in range(token.i + 1, min(end, token.i + 12)):
            t = view.tokens[i]
            if t.pos in {"VERB", "AUX"}:
                break
            if i in view.org_at:
                return self.parties_of(t).parties
        return []

    def _pronoun(self, token: Tok) -> list[EventParty]:
        """ "Uztelecom announced that it had signed …": "it" is the subject of the clause it is reported in, or
        the organization named last before it; "they" the last two."""
        view = self.view
        plural = token.lower in {"they", "они"}
        node = token
        for _ in range(4):
            head = view.head_of(node)
            if head is None:
                break
            if head.pos in {"VERB", "AUX"} and node.rel in {"ccomp", "advcl", "xcomp", "conj"}:
                for subject in view.kids(head.i, "subj"):
                    if subject.i != token.i and (subject.i in view.org_at or subject.i in view.country_at):
                        return self.parties_of(subject).parties
            node = head
        if plural:
            # "The GKNB and the FSB signed … the two services will exchange … Telegram channels. They also
            # agreed …": "they" is the last group that was the subject of a clause, not the last two names.
            group = self._last_plural_subject(token)
            if group:
                return group
        recent = [p for p in self.recent(token.i) if p.kind == "organization"]
        return recent[-2:] if plural and len(recent) >= 2 else recent[-1:]

    def _last_plural_subject(self, token: Tok) -> list[EventParty]:
        view = self.view
        first = view.sentences[max(0, token.sent - 2)][0]
        for i in range(token.i - 1, first - 1, -1):
            candidate = view.tokens[i]
            if candidate.rel not in {"subj", "subj_pass"}:
                continue
            if candidate.pos == "PRON" and candidate.lower not in {"they", "они"}:
                continue
            parties = self.parties_of(candidate, depth=2).parties
            if len({p.code or p.canonical for p in parties}) >= 2:
                return parties
        return []

    def _country_modifier(self, token: Tok) -> str | None:
        for child in self.view.kids(token.i, "amod", "compound", "nmod", "poss"):
            ref = self.view.country_at.get(child.i)
            if ref is not None:
                return ref.code
        return None

    def _state_of(self, token: Tok) -> list[EventParty]:
        """ "the Tajik government", "the governments of Russia and Tajikistan", "Правительство Казахстана"."""
        view = self.view
        parties: list[EventParty] = []
        for child in view.kids(token.i, "amod", "compound", "poss", "nmod", "det"):
            if child.rel == "nmod" and child.case not in {"of", ""} and view.language == "en":
                continue
            for item in view.conjuncts(child):
                ref = view.country_at.get(item.i)
                if ref is not None:
                    parties.append(self.from_country(ref))
                elif item is not child and item.i in view.org_at:
                    # "the Government of the Kyrgyz Republic and Huawei": the parser hangs the company on the state.
                    parties.append(self.org_party(view.org_at[item.i]))
        # "Russia's government", "Kyrgyz authorities" written before the noun as one mention.
        if not parties and token.i > 0:
            before = view.country_at.get(token.i - 1)
            if before is not None:
                parties.append(self.from_country(before))
        return dedupe(parties)

    def _is_office(self, token: Tok) -> bool:
        if token.lemma in self.offices or token.lower in self.offices:
            return True
        head = view_head = self.view.head_of(token)
        return bool(
            view_head is not None
            and token.rel == "compound"
            and f"{token.lower} {head.lower}" in self.offices  # type: ignore[union-attr]
        )

    def _office_holder(self, token: Tok) -> list[EventParty]:
        """The state or body an office holder acts for: "Russian President Putin", "his Turkmen counterpart",
        "President of Tajikistan", "Minister of Digital Technologies Sherzod Shermatov" (→ the ministry)."""
        view = self.view
        modifiers = ("compound", "appos", "amod", "nmod", "poss")
        nodes = [token, *view.kids(token.i, *modifiers)]
        nodes += [
            grandchild
            for child in nodes[1:]
            for grandchild in view.kids(child.i, "amod", "compound", "nmod", "poss")
        ]
        head = view.head_of(token)
        if head is not None and token.rel in {"compound", "appos"}:
            nodes.append(head)
            nodes += view.kids(head.i, *modifiers)
        parties: list[EventParty] = []
        is_office = any(self._is_office(n) for n in nodes)
        for node in nodes:
            org = view.org_at.get(node.i)
            if org is not None and org.org is not None and org.org.is_state_body:
                return [self.org_party(org)]
            ref = view.country_at.get(node.i)
            if ref is not None:
                parties.append(self.from_country(ref))
        if not is_office:
            return []
        return dedupe(parties) or [self.country_party(UNNAMED_STATE, token.text)]

    def _reference(self, token: Tok) -> Found | None:
        """Parties named before, for "the two companies", "both sides", "the latter", "the company"."""
        view = self.view
        lemma = token.lemma
        numbered = any(
            c.lower in {"two", "both", "два", "две", "обе", "оба"}
            for c in view.kids(token.i, "nummod", "det", "amod")
        )
        start = view.sentences[token.sent][0]
        if token.lower in {"latter", "former"}:
            recent = self.recent(start)
            index = -1 if token.lower == "latter" else -2
            return Found([recent[index]]) if len(recent) >= -index else None
        kind = self.plural_refs.get(lemma) or self.plural_refs.get(token.lower)
        if (
            kind is not None
            and (numbered or token.definite or lemma in {"two", "sides", "parties", "сторона"})
            and (token.plural or lemma == "two")
        ):
            recent = [p for p in self.recent(start) if kind == "any" or p.kind == kind]
            return Found(recent[-2:]) if len(recent) >= 2 else None
        if lemma in self.singular_refs and token.definite and not token.plural:
            recent = [p for p in self.recent(start) if p.kind == "organization"]
            # "the court" is the last court named; "the company" the last organization.
            named = [
                p for p in recent if lemma in p.name.lower().split() or lemma in p.canonical.lower().split()
            ]
            if named:
                return Found(named[-1:])
            if lemma in _BODY_REFERENCES:
                return None
            return Found(recent[-1:]) if recent else None
        return None

    def recent(self, before: int) -> list[EventParty]:
        """Parties named before token `before`, oldest first, each once (its latest mention counts)."""
        view = self.view
        found: list[EventParty] = []
        for i in range(before):
            org = view.org_at.get(i)
            if org is not None and org.start == i:
                found.append(self.org_party(org))
                continue
            country = view.country_at.get(i)
            if country is not None and country.start == i and country.how != "demonym":
                found.append(self.from_country(country))
        return list(reversed(dedupe(list(reversed(found)))))

    def sentence_parties(self, sentence: int, exclude: set[int] | None = None) -> list[EventParty]:
        """Every organization and named state of a sentence (but those at `exclude`), in order."""
        start, end = self.view.sentences[sentence]
        parties = []
        for i in range(start, end):
            if exclude and i in exclude:
                continue
            org = self.view.org_at.get(i)
            if org is not None and org.start == i:
                parties.append(self.org_party(org))
                continue
            country = self.view.country_at.get(i)
            if country is not None and country.start == i and country.how != "demonym":
                parties.append(self.from_country(country))
        return dedupe(parties)
