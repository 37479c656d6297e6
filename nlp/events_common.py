"""What the English and Russian event rules share: parties, drafts, confidence and merging.

Rules produce one `EventDraft` per trigger; `merge_drafts` folds repeated mentions of the same agreement or the
same censorship act into one `Event` per document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.countries import CountryLexicon
from nlp.gazetteer import Gazetteer, Organization
from nlp.records import CountryMention, Event, EventParty, EventType

AGREEMENT_SUBTYPES = ("memorandum", "contract", "loan", "cooperation", "treaty", "agreement")
CENSORSHIP_SUBTYPES = ("block", "throttle", "shutdown", "vpn_ban", "law", "arrest", "fine")
AGREEMENT_STATUSES = ("planned", "signed", "ratified", "in_force", "terminated")
CENSORSHIP_STATUSES = ("planned", "in_force", "lifted")
# Several mentions report the latest state of one act: a later, more advanced status wins when merging.
_STATUS_RANK = {status: rank for rank, status in enumerate(AGREEMENT_STATUSES)} | {"lifted": 5}
_GENERIC_SUBTYPE = "agreement"


# When an agreement noun has several telling modifiers, the first subtype here wins.
_MODIFIER_PRECEDENCE = ("treaty", "loan", "cooperation", "contract")


def subtype_from_modifiers(
    modifiers: set[str], table: dict[str, str], parties: list[EventParty]
) -> tuple[str, bool]:
    """Subtype of an "agreement" from its modifiers; between states only, a treaty unless said otherwise.

    Returns the subtype and whether the text said it (False when only inferred, so a more explicit mention of
    the same agreement wins when mentions are merged).
    """
    found = {table[word] for word in modifiers if word in table}
    states_only = len(parties) >= 2 and all(p.kind == "country" for p in parties)
    for subtype in _MODIFIER_PRECEDENCE:
        # An agreement between states on construction is a treaty, not a construction contract.
        if subtype in found and not (subtype == "contract" and states_only):
            return subtype, True
    if states_only:
        return "treaty", False
    return "agreement", False


def organization_party(org: Organization | None, surface: str) -> EventParty:
    """A party for an organization, known (gazetteer id) or not (code None, surface name)."""
    if org is None:
        return EventParty(name=surface, canonical=surface, kind="organization", code=None)
    return EventParty(name=surface, canonical=org.name, kind="organization", code=org.id)


def country_party(code: str, surface: str, lexicon: CountryLexicon) -> EventParty:
    """A party for a state, by its ISO alpha-2 code."""
    return EventParty(name=surface, canonical=lexicon.name_of(code), kind="country", code=code)


def party_key(party: EventParty) -> str:
    """Identity of a party across mentions: its code, else its lower-cased name."""
    return party.code or f"name:{party.name.casefold()}"


def add_state_countries(
    parties: list[EventParty], gazetteer: Gazetteer, lexicon: CountryLexicon
) -> list[EventParty]:
    """Follow the annotation guidelines' state-body convention: a ministry or agency brings its country along."""
    result: list[EventParty] = []
    seen: set[str] = set()
    for party in parties:
        extra: list[EventParty] = []
        org = gazetteer.by_id.get(party.code or "") if party.kind == "organization" else None
        if org is not None and org.is_state_body and org.country:
            extra.append(country_party(org.country, lexicon.name_of(org.country), lexicon))
        for item in (party, *extra):
            key = party_key(item)
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result


def ratified_parties(
    parties: list[EventParty], gazetteer: Gazetteer, lexicon: CountryLexicon
) -> list[EventParty]:
    """A ratified treaty's parties are the states: the ratifying parliament or ministry becomes its country."""
    result: list[EventParty] = []
    for party in parties:
        org = gazetteer.by_id.get(party.code or "") if party.kind == "organization" else None
        if org is not None and org.is_state_body and org.country:
            result.append(country_party(org.country, lexicon.name_of(org.country), lexicon))
        else:
            result.append(party)
    return dedupe_parties(result)


def dedupe_parties(parties: list[EventParty]) -> list[EventParty]:
    """Parties in first-seen order without repeats."""
    seen: set[str] = set()
    unique = []
    for party in parties:
        key = party_key(party)
        if key not in seen:
            seen.add(key)
            unique.append(party)
    return unique


@dataclass
class EventDraft:
    """One trigger's reading of an event before mentions are merged."""

    type: EventType
    subtype: str
    status: str
    parties: list[EventParty] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    subject: str | None = None
    sentence: str = ""
    specific: bool = True
    parse_parties: bool = True
    evidence_score: float = -1.0
    # A mention that only refers back ("the restrictions also …"): it may complete an event, never start one.
    needs_antecedent: bool = False

    def confidence(self) -> float:
        """0-1 by how many slots the rules filled: parties (two count most), subtype, date, subject."""
        score = 0.3
        score += 0.25 if len(self.parties) >= 2 else 0.1 if self.parties else 0.0
        score += 0.15 if self.specific else 0.0
        score += 0.15 if self.date else 0.0
        score += 0.15 if self.subject else 0.0
        if not self.parse_parties:
            # Parties guessed from the whole sentence rather than read from the parse.
            score -= 0.1
        return round(max(0.0, min(1.0, score)), 2)

    def to_event(self) -> Event:
        return Event(
            type=self.type,
            subtype=self.subtype,
            status=self.status,
            parties=list(self.parties),
            date=self.date,
            date_text=self.date_text,
            subject=self.subject,
            sentence=self.sentence,
            confidence=self.confidence(),
        )


def _subtypes_compatible(a: EventDraft, b: EventDraft) -> bool:
    if a.subtype == b.subtype:
        return True
    # A guessed agreement subtype ("agreement", or "treaty" only because both parties are states) gives way.
    return a.type == "agreement" and not (a.specific and b.specific)


def _parties_compatible(a: EventDraft, b: EventDraft, countries: dict[str, str]) -> bool:
    keys_a = {party_key(p) for p in a.parties}
    keys_b = {party_key(p) for p in b.parties}
    if not keys_a or not keys_b:
        # A censorship mention without an actor ("the block was lifted") belongs to the act of the same kind.
        return a.type == "censorship"
    if keys_a <= keys_b or keys_b <= keys_a:
        return True
    # A headline names the states ("Kyrgyzstan and China sign …"), the body the ministry and the company.
    for states, other in ((a, b), (b, a)):
        if all(p.kind == "country" for p in states.parties):
            projected = {countries.get(party_key(p), party_key(p)) for p in other.parties}
            if {party_key(p) for p in states.parties} == projected:
                return True
    return len(keys_a & keys_b) / len(keys_a | keys_b) >= 0.5


def _subjects_compatible(a: EventDraft, b: EventDraft) -> bool:
    if a.type == "agreement" or not a.subject or not b.subject:
        return True
    x, y = a.subject.casefold(), b.subject.casefold()
    return x in y or y in x or bool(set(x.split()) & set(y.split()) - {"the", "a", "of", "access", "to"})


def _absorb(into: EventDraft, other: EventDraft) -> None:
    # The evidence is the sentence that says most about the event (not a bare headline that came first).
    if into.evidence_score < 0:
        into.evidence_score = into.confidence()
    if other.confidence() > into.evidence_score:
        into.sentence, into.evidence_score = other.sentence, other.confidence()
    into.parties = dedupe_parties(into.parties + other.parties)
    if not into.specific and (other.specific or into.subtype == _GENERIC_SUBTYPE):
        into.subtype, into.specific = other.subtype, other.specific
    if into.date is None and other.date is not None:
        into.date, into.date_text = other.date, other.date_text
    into.subject = into.subject or other.subject
    if _STATUS_RANK.get(other.status, 0) > _STATUS_RANK.get(into.status, 0):
        into.status = other.status
    into.parse_parties = into.parse_parties or other.parse_parties


def merge_drafts(drafts: list[EventDraft], gazetteer: Gazetteer) -> list[Event]:
    """One event per distinct agreement or censorship act; agreements without any party are dropped."""
    countries = {org.id: org.country for org in gazetteer.organizations if org.country}
    merged: list[EventDraft] = []
    for draft in drafts:
        for existing in merged:
            if (
                existing.type == draft.type
                and _subtypes_compatible(existing, draft)
                and _parties_compatible(existing, draft, countries)
                and _subjects_compatible(existing, draft)
            ):
                _absorb(existing, draft)
                break
        else:
            if not draft.needs_antecedent:
                merged.append(draft)
    return [d.to_event() for d in merged if d.parties or d.type == "censorship"]


def _same_period(a: str | None, b: str | None) -> bool:
    """Dates that can describe one act: either unknown, or one a prefix of the other (2025 ⊇ 2025-05-12)."""
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def consolidate_censorship(
    events: list[Event], countries: list[CountryMention], lexicon: CountryLexicon
) -> list[Event]:
    """Give actorless censorship acts the document's main country, then fold acts another one subsumes.

    A story about one country's restrictions often says "access was blocked" without naming who blocked it;
    the state the story is about is then the actor (annotation guidelines: the state acts when no body is
    named). Once actors are known, "Kyrgyzstan blocked X" and "the ministry (KG) blocked X" are one act when
    they agree on kind and period: the one whose parties the other's include is folded into it.
    """
    main = _main_country(countries)
    for event in events:
        if event.type == "censorship" and not event.parties and main is not None:
            event.parties = [country_party(main, lexicon.name_of(main), lexicon)]
            event.confidence = round(max(0.0, event.confidence - 0.1), 2)
    kept: list[Event] = []
    # Richer events first, so a thinner one is folded into the richest act that subsumes it.
    for event in sorted(events, key=lambda e: (e.type != "censorship", -len(e.parties))):
        if event.type == "censorship":
            keys = {party_key(p) for p in event.parties}
            host = next(
                (
                    k
                    for k in kept
                    if k.type == "censorship"
                    and k.subtype == event.subtype
                    and keys <= {party_key(p) for p in k.parties}
                    and _same_period(k.date, event.date)
                ),
                None,
            )
            if host is not None:
                host.date = host.date or event.date
                host.date_text = host.date_text or event.date_text
                host.subject = host.subject or event.subject
                continue
        kept.append(event)
    order = {id(e): i for i, e in enumerate(events)}
    return sorted(kept, key=lambda e: order[id(e)])


def _main_country(countries: list[CountryMention]) -> str | None:
    """The country a document is mostly about: the most mentioned one, if no other is mentioned as often."""
    ranked = sorted(countries, key=lambda c: -c.mentions)
    if not ranked or (len(ranked) > 1 and ranked[1].mentions == ranked[0].mentions):
        return None
    return ranked[0].code


def consolidate_agreements(events: list[Event], gazetteer: Gazetteer) -> list[Event]:
    """Fold a states-only reading of an agreement into the fuller reading of the same deal.

    A headline or lead names the states ("Turkmenistan and Afghanistan sign memorandum"), the body the operators
    that signed; the rules read them as two events. When one event's parties are all states and the other's
    parties belong to those states (organizations by their home country), and kind, status and period agree,
    they are one agreement. Two agreements between companies of the same two countries are never folded: one
    side must be states only.
    """
    home = {org.id: org.country for org in gazetteer.organizations if org.country}
    kept: list[Event] = []
    for event in events:
        if event.type == "agreement":
            host = next((k for k in kept if _same_agreement(k, event, home)), None)
            if host is not None:
                _fold_agreement(host, event)
                continue
        kept.append(event)
    return kept


def _projected(event: Event, home: dict[str, str]) -> set[str]:
    return {home.get(party_key(p), party_key(p)) for p in event.parties}


def _same_agreement(a: Event, b: Event, home: dict[str, str]) -> bool:
    if a.type != "agreement" or a.status != b.status or not _same_period(a.date, b.date):
        return False
    keys_a, keys_b = {party_key(p) for p in a.parties}, {party_key(p) for p in b.parties}
    if not keys_a or not keys_b:
        return False
    if keys_a == keys_b:
        return True  # one deal read twice with two subtypes ("cooperation" and "treaty")
    if a.subtype != b.subtype and _GENERIC_SUBTYPE not in {a.subtype, b.subtype}:
        return False
    for states, other in ((a, b), (b, a)):
        if all(p.kind == "country" for p in states.parties):
            state_codes = {party_key(p) for p in states.parties}
            if _projected(other, home) <= state_codes:
                return True
    return False


def _fold_agreement(host: Event, other: Event) -> None:
    if host.subtype == _GENERIC_SUBTYPE or (
        other.subtype == "treaty" and all(p.kind == "country" for p in host.parties + other.parties)
    ):
        host.subtype = other.subtype
    organizations_first = sorted(host.parties + other.parties, key=lambda p: p.kind == "country")
    host.parties = dedupe_parties(organizations_first)
    host.date, host.date_text = host.date or other.date, host.date_text or other.date_text
    host.subject = host.subject or other.subject
    if other.confidence > host.confidence:
        host.sentence, host.confidence = other.sentence, other.confidence
