"""Document-level decisions: from sentence drafts to the document's events.

- **Groups**: "agreements … inked between Tajikistan and Russian telecommunications companies. The two
  companies in question, Cifra and Piter IX, …": a plural noun that names no member takes the members the
  next sentence gives it.
- **One event per counterparty**: plural agreements with several counterparties ("similar agreements with
  Kazakhstan, Russia, the United States and Germany", "Huawei и ZTE заключили контракты с Узбекистаном") are
  separate documents (annotation guidelines 3.1).
- **Anaphora**: "the agreement was ratified by …", "the MoU calls for …", "the block" refer to an agreement or
  act already reported: they update it (status, date) and never start one.
- **Two parties**: an agreement needs two sides; a ministry and its own state are one side.
- **The state acts**: a censorship act whose actor the text does not name ("access was restricted",
  "authorities blocked") is the act of the state the story is about.
- **One act, many mentions**: mentions of the same agreement or act fold into one event; "once again",
  another date or other targets make another.
"""

from __future__ import annotations

from collections import Counter

from nlp.countries import CountryLexicon
from nlp.events.frames import Draft
from nlp.events.lexicon import Lexicon
from nlp.events.parties import UNNAMED_STATE, PartyResolver, dedupe, party_key
from nlp.events.view import DocView
from nlp.gazetteer import Gazetteer
from nlp.records import Event, EventParty

_STATUS_RANK = {"planned": 0, "signed": 1, "in_force": 2, "ratified": 3, "reported": 0, "ongoing": 1}
_AGAIN = frozenset({"again", "снова", "вновь", "опять", "повторно"})


def main_country(view: DocView) -> str | None:
    """The country the story is about: the most mentioned one, its regions and cities included."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    mentions = [(ref.start, ref.code) for ref in view.countries] + [
        (start, code) for start, _, code in view.places
    ]
    for start, code in mentions:
        # A title mention counts double; a region or city says its country too ("Karakalpakstan" → UZ).
        weight = 2 if view.tokens[start].start < view.title_end else 1
        counts[code] += weight
        first.setdefault(code, start)
    if not counts:
        return None
    return max(counts, key=lambda code: (counts[code], -first[code]))


class Discourse:
    """Turns the drafts of one document into its events."""

    def __init__(
        self,
        view: DocView,
        lexicon: Lexicon,
        resolver: PartyResolver,
        gazetteer: Gazetteer,
        countries: CountryLexicon,
    ) -> None:
        self.view = view
        self.lexicon = lexicon
        self.resolver = resolver
        self.gazetteer = gazetteer
        self.countries = countries
        self.main = main_country(view)

    def events(self, drafts: list[Draft]) -> list[Event]:
        agreements: list[Draft] = []
        acts: list[Draft] = []
        for draft in drafts:
            self._resolve_groups(draft)
            self._name_the_state(draft)
            if draft.type == "agreement":
                self._add_agreement(draft, agreements)
            else:
                self._add_act(draft, acts)
        kept = [d for d in agreements if self._sides(d.parties) >= 2] + [d for d in acts if d.parties]
        kept.sort(key=lambda d: (d.sentence, d.trigger))
        return [self._event(d) for d in kept]

    # --- parties ---------------------------------------------------------------------------------------

    def _resolve_groups(self, draft: Draft) -> None:
        """Members of "Russian telecommunications companies" from the sentence after it."""
        view = self.view
        for group in draft.groups:
            sentence = view.tokens[group.token].sent
            for index in (sentence, sentence + 1):
                if index >= len(view.sentences):
                    continue
                start, end = view.sentences[index]
                for token in view.tokens[max(start, group.token + 1) : end]:
                    if token.lemma != group.lemma:
                        continue
                    found = self.resolver.members_after(token)
                    members = [p for p in found if group.kind == "any" or p.kind == group.kind]
                    if len(members) >= 1:
                        draft.parties = dedupe(draft.parties + members)
                        draft.sides = (draft.sides[0], dedupe(draft.sides[1] + members))
                        draft.plural = draft.plural or len(members) > 1
                        break
                else:
                    continue
                break

    def _name_the_state(self, draft: Draft) -> None:
        """An unnamed state ("authorities", "the government", an office) is the document's main country."""

        def named(parties: list[EventParty]) -> list[EventParty]:
            result = []
            for party in parties:
                if party.code == UNNAMED_STATE:
                    if self.main is not None:
                        result.append(self.resolver.country_party(self.main, party.name))
                else:
                    result.append(party)
            return dedupe(result)

        draft.parties = named(draft.parties)
        draft.sides = (named(draft.sides[0]), named(draft.sides[1]))
        if draft.type == "censorship" and not draft.parties and self.main is not None:
            draft.parties = [self.resolver.country_party(self.main, self.countries.name_of(self.main))]

    def _home(self, party: EventParty) -> str:
        """A state body counts as its state when counting sides ("the ministry and Tajikistan" is one side)."""
        if party.kind == "organization" and party.code:
            org = self.gazetteer.by_id.get(party.code)
            if org is not None and org.is_state_body and org.country:
                return org.country
        return party_key(party)

    def _sides(self, parties: list[EventParty]) -> int:
        return len({self._home(p) for p in parties})

    # --- agreements ------------------------------------------------------------------------------------

    def _pieces(self, draft: Draft) -> list[Draft]:
        """One draft per counterparty of plural agreements."""
        first, other = draft.sides
        if not draft.plural:
            return [draft]
        many, few = (
            (other, first)
            if len(other) >= 2 and first
            else (first, other)
            if len(first) >= 2 and other
            else ([], [])
        )
        if not many:
            # "agreements between Tajikistan and companies A and B": the named state and each company.
            states = [p for p in other if p.kind == "country"]
            rest = [p for p in other if p.kind != "country"]
            if not first and len(states) == 1 and len(rest) >= 2:
                many, few = rest, states
            else:
                return [draft]
        pieces = []
        for party in many:
            piece = Draft(**{**draft.__dict__})
            piece.parties = dedupe([*few, party])
            piece.sides = ([party], list(few))
            piece.plural = False
            pieces.append(piece)
        return pieces

    def _add_agreement(self, draft: Draft, agreements: list[Draft]) -> None:
        if draft.anaphoric:
            # "The agreement was ratified …", "the MoU calls for …": the agreement already reported.
            host = self._antecedent(draft, agreements)
            if host is not None:
                self._absorb(host, draft, parties=False)
                return
            if self._sides(draft.parties) < 2:
                return
        for piece in self._pieces(draft):
            if self._sides(piece.parties) < 2:
                host = self._antecedent(piece, agreements) if piece.anaphoric else None
                if host is not None:
                    self._absorb(host, piece, parties=False)
                continue
            host = next((a for a in reversed(agreements) if self._same_agreement(a, piece)), None)
            if host is not None:
                self._absorb(host, piece, parties=True)
            else:
                agreements.append(piece)

    def _antecedent(self, draft: Draft, agreements: list[Draft]) -> Draft | None:
        keys = {self._home(p) for p in draft.parties}
        for host in reversed(agreements):
            host_keys = {self._home(p) for p in host.parties}
            if keys <= host_keys or not keys or keys & host_keys:
                return host
        return agreements[-1] if agreements and not keys else None

    def _same_agreement(self, a: Draft, b: Draft) -> bool:
        keys_a = {self._home(p) for p in a.parties}
        keys_b = {self._home(p) for p in b.parties}
        headline = self._headline_of(a, b)
        if not (keys_a <= keys_b or keys_b <= keys_a or headline):
            return False
        if a.subtype != b.subtype and a.specific and b.specific and not headline:
            return False
        return _same_period(a.date, b.date)

    def _headline_of(self, title: Draft, body: Draft) -> bool:
        """ "Kyrgyzstan and China sign agreement" over "The ministry and China's Huawei signed a contract": a
        headline names the states of the bodies and companies its story names."""
        view = self.view
        if not view.in_title(view.tokens[title.trigger]) or view.in_title(view.tokens[body.trigger]):
            return False
        states = {p.code for p in title.parties if p.kind == "country"}
        if len(states) != len(title.parties):
            return False
        return states <= {self._country_of(p) for p in body.parties}

    def _absorb(self, host: Draft, other: Draft, *, parties: bool) -> None:
        if parties:
            host.parties = dedupe(host.parties + other.parties)
        if _STATUS_RANK.get(other.status, 0) > _STATUS_RANK.get(host.status, 0):
            host.status = other.status
        if host.date is None and other.date is not None:
            host.date, host.date_text = other.date, other.date_text
        if not host.specific and other.specific:
            host.subtype, host.specific = other.subtype, True
        host.subject = host.subject or other.subject

    # --- censorship ------------------------------------------------------------------------------------

    def _again(self, draft: Draft) -> bool:
        start, end = self.view.sentences[draft.sentence]
        return any(t.lower in _AGAIN for t in self.view.tokens[start:end])

    def _add_act(self, draft: Draft, acts: list[Draft]) -> None:
        host = None
        if not self._again(draft):
            host = next((a for a in reversed(acts) if self._same_act(a, draft)), None)
        if host is not None:
            self._absorb(host, draft, parties=not draft.needs_actor)
            host.targets = list(dict.fromkeys(host.targets + draft.targets))
            return
        if draft.anaphoric:
            return  # "the blocking", "such restrictions": a mention of an act, not the report of one
        acts.append(draft)

    def _country_of(self, party: EventParty) -> str:
        """The state behind an actor: a body's or an operator's country ("Turkmentelecom" acts in Turkmenistan)."""
        if party.kind == "organization" and party.code:
            org = self.gazetteer.by_id.get(party.code)
            if org is not None and org.country:
                return org.country
        return party_key(party)

    def _same_act(self, a: Draft, b: Draft) -> bool:
        compatible = {a.subtype, b.subtype} <= {"block", "vpn_ban"} and (b.anaphoric or a.anaphoric)
        if a.subtype != b.subtype and not compatible:
            return False
        keys_a = {self._country_of(p) for p in a.parties} | {party_key(p) for p in a.parties}
        keys_b = {self._country_of(p) for p in b.parties} | {party_key(p) for p in b.parties}
        guessed = a.needs_actor or b.needs_actor  # an actor the text does not name fits any named one
        if keys_a and keys_b and not (keys_a & keys_b) and not (guessed and a.sentence == b.sentence):
            return False
        if not _same_period(a.date, b.date):
            return False
        # Two named, different targets are two acts, unless one of them only refers back.
        different_targets = bool(a.targets and b.targets and not set(a.targets) & set(b.targets))
        return not different_targets or a.anaphoric or b.anaphoric

    # --- records ---------------------------------------------------------------------------------------

    def _event(self, draft: Draft) -> Event:
        parties = self._with_states(draft.parties)
        confidence = 0.4 + (0.2 if len(parties) >= 2 else 0.0) + (0.15 if draft.date else 0.0)
        confidence += 0.15 if draft.subject else 0.0
        confidence -= 0.1 if draft.needs_actor else 0.0
        return Event(
            type=draft.type,  # type: ignore[arg-type]
            subtype=draft.subtype,
            status=draft.status,
            parties=parties,
            date=draft.date,
            date_text=draft.date_text,
            subject=draft.subject,
            sentence=self.view.sentence_text(draft.sentence),
            confidence=round(min(1.0, max(0.0, confidence)), 2),
        )

    def _with_states(self, parties: list[EventParty]) -> list[EventParty]:
        """A ministry or agency brings its state along (the annotation's state-body convention)."""
        result: list[EventParty] = []
        for party in parties:
            result.append(party)
            if party.kind == "organization" and party.code:
                org = self.gazetteer.by_id.get(party.code)
                if org is not None and org.is_state_body and org.country:
                    result.append(self.resolver.country_party(org.country, org.country))
        return dedupe(result)


def _same_period(a: str | None, b: str | None) -> bool:
    """Dates that can describe one act: either unknown, or one a prefix of the other (2025 ⊇ 2025-05-12)."""
    return a is None or b is None or a.startswith(b) or b.startswith(a)
