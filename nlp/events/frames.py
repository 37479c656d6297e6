"""Sentence-level event frames: a trigger, its clause, and the parties its arguments stand for.

One skeleton for every event type and language: `Frame.drafts` finds the triggers of a sentence in the
language's lexicon and reads each one's clause on the view (governing verb, subjects, agents, counterparts,
status, date). An event type is a lexicon section plus a small `Frame` subclass saying which words trigger it,
who its parties are and what its status is (`AgreementFrame`, `CensorshipFrame`). Document-level decisions
(anaphora, one event per counterparty, merging) are in `nlp.events.discourse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nlp.dates import Prefer, resolve_date
from nlp.events.lexicon import Lexicon
from nlp.events.parties import UNNAMED_STATE, Found, Group, PartyResolver, dedupe
from nlp.events.view import DocView, Tok
from nlp.records import EventParty

_VERBAL = frozenset({"VERB", "AUX"})
_NOMINAL = frozenset({"NOUN", "PROPN"})
_QUOTES = frozenset({"«", "»", "“", "”", '"', "„"})
# Relations through which a noun hangs on the verb that reports it.
_NOUN_TO_VERB = frozenset({"obj", "subj_pass", "subj", "obl", "nmod", "conj", "appos", "iobj", "xcomp"})
# Relations that carry a verb up to the verb it complements ("plans to sign", "agreed to build").
_CHAIN_UP = frozenset({"xcomp", "ccomp", "conj", "advcl", "relcl", "acl"})
# Verbs that impose or report an act named by a noun ("introduced restrictions", "a shutdown was detected").
_IMPOSING = frozenset(
    {
        "impose",
        "introduce",
        "enforce",
        "tighten",
        "extend",
        "order",
        "announce",
        "detect",
        "record",
        "report",
        "observe",
        "register",
        "confirm",
        "begin",
        "start",
        "continue",
        "carry",
        "ввести",
        "вводить",
        "ужесточить",
        "ужесточать",
        "объявить",
        "зафиксировать",
        "продлить",
        "начаться",
        "продолжаться",
        "закручивать",
    }
)
# Nouns that make what depends on them a generalisation ("a persistent trend of authorities … restricting").
_GENERIC_NOUNS = frozenset(
    {
        "trend",
        "practice",
        "pattern",
        "habit",
        "tendency",
        "tradition",
        "tool",
        "tools",
        "history",
        "record",
        "тенденция",
        "практика",
        "инструмент",
    }
)
# Nouns for people that an arrest or a fine may be of.
_PEOPLE = frozenset(
    {
        "journalist",
        "journalists",
        "blogger",
        "bloggers",
        "activist",
        "activists",
        "reporter",
        "reporters",
        "editor",
        "editors",
        "user",
        "users",
        "man",
        "men",
        "woman",
        "women",
        "people",
        "person",
        "persons",
        "resident",
        "residents",
        "citizen",
        "citizens",
        "administrator",
        "administrators",
        "critic",
        "critics",
        "author",
        "authors",
        "poet",
        "writer",
        "member",
        "members",
        "staff",
        "employee",
        "employees",
        "colleague",
        "colleagues",
        "сотрудник",
        "student",
        "students",
        "teenager",
        "owner",
        "owners",
        "журналист",
        "блогер",
        "активист",
        "пользователь",
        "житель",
        "гражданин",
        "администратор",
        "автор",
        "человек",
        "мужчина",
        "женщина",
        "редактор",
        "студент",
        "подросток",
        "владелец",
        "критик",
    }
)
# Subjects that make a proposed ban a bill, and the verbs of proposing one.
_LEGISLATORS = frozenset(
    {
        "deputy",
        "deputies",
        "lawmaker",
        "lawmakers",
        "legislator",
        "legislators",
        "mp",
        "mps",
        "parliament",
        "senator",
        "senators",
        "депутат",
        "парламент",
        "сенатор",
    }
)
_PROPOSING = frozenset(
    {"propose", "draft", "initiate", "submit", "introduce", "предложить", "внести", "инициировать"}
)
# Verbs of wishing an act that someone else would do ("urged … to block", "heeding requests to block").
_WISH_VERBS = frozenset(
    {
        "heed",
        "urge",
        "call",
        "ask",
        "demand",
        "want",
        "seek",
        "try",
        "attempt",
        "appeal",
        "petition",
        "призвать",
        "просить",
        "попросить",
        "требовать",
        "хотеть",
        "пытаться",
        "добиваться",
    }
)
# Verbs that give a power rather than use it ("allow regulators to block").
_POWER_VERBS = frozenset(
    {
        "allow",
        "permit",
        "enable",
        "authorize",
        "authorise",
        "empower",
        "let",
        "разрешить",
        "позволить",
        "разрешать",
        "позволять",
        "предусматривать",
    }
)
# Verbs of asking another to act ("were requested to block"): the one who asks is the state when unnamed.
_REQUEST_VERBS = frozenset(
    {
        "request",
        "ask",
        "order",
        "instruct",
        "require",
        "demand",
        "oblige",
        "direct",
        "tell",
        "потребовать",
        "обязать",
        "поручить",
        "попросить",
        "предписать",
    }
)
# Words in the name of an organization the gazetteer does not know that make it a body that may censor.
_BODY_WORDS = frozenset(
    {
        "court",
        "ministry",
        "committee",
        "service",
        "agency",
        "inspectorate",
        "prosecutor",
        "prosecutor's",
        "police",
        "parliament",
        "senate",
        "mazhilis",
        "government",
        "telecom",
        "telecommunications",
        "суд",
        "министерство",
        "комитет",
        "служба",
        "агентство",
        "прокуратура",
        "инспекция",
        "телеком",
        "мажилис",
    }
)
# Verbs whose object does what their complement says ("allow X to sign", "разрешить агентству заключить").
_OBJECT_CONTROL = frozenset(
    {
        "allow",
        "authorize",
        "authorise",
        "permit",
        "instruct",
        "order",
        "enable",
        "help",
        "entrust",
        "task",
        "разрешить",
        "поручить",
        "позволить",
        "обязать",
        "доверить",
        "предписать",
        "предписывать",
    }
)


@dataclass
class Draft:
    """One trigger's reading of an event, before the document-level decisions."""

    type: str
    subtype: str
    status: str
    sentence: int
    trigger: int
    parties: list[EventParty] = field(default_factory=list)
    sides: tuple[list[EventParty], list[EventParty]] = field(default_factory=lambda: ([], []))
    groups: list[Group] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    subject: str | None = None
    specific: bool = True  # the subtype is said, not guessed
    anaphoric: bool = False  # "the agreement", "the block": refers to one mentioned before
    plural: bool = False  # "agreements", "contracts": one per counterparty
    targets: list[str] = field(default_factory=list)
    needs_actor: bool = False  # no actor named: the document's state acts (censorship)


class Frame:
    """The shared skeleton: triggers, governing verb, status, date. Subclasses give the type's words."""

    type = ""

    def __init__(self, view: DocView, lexicon: Lexicon, resolver: PartyResolver) -> None:
        self.view = view
        self.lexicon = lexicon
        self.common = lexicon["common"]
        self.words = lexicon[self.type]
        self.resolver = resolver

    def drafts(self, sentence: int) -> list[Draft]:  # pragma: no cover - overridden
        raise NotImplementedError

    # --- clause ----------------------------------------------------------------------------------------

    def governing_verb(self, noun: Tok, verbs: frozenset[str] = frozenset()) -> Tok | None:
        """The verb that reports a noun: a participle on it ("a deal signed by …"), else the nearest verb above."""
        view = self.view
        for child in view.kids(noun.i, "acl", "relcl"):
            # "a deal signed by …", "agreements inked in December", "a memorandum the two companies concluded";
            # not "a contract … to extend the system" (a purpose) nor "a bill that would allow" (its content).
            if child.pos not in _VERBAL or (verbs and child.lemma not in verbs):
                continue
            has_to = any(c.lower == "to" for c in view.kids(child.i, "aux", "mark", "other"))
            if (child.participle and not has_to) or (
                child.rel == "relcl" and verbs and view.kids(child.i, "subj")
            ):
                return child
        node = noun
        for _ in range(4):
            head = view.head_of(node)
            if head is None or node.rel not in _NOUN_TO_VERB:
                break
            if head.pos in _VERBAL:
                return head
            node = head
        return None

    def chain(self, verb: Tok | None) -> list[Tok]:
        """The verb and the verbs it is a complement of ("expected" ← "to sign")."""
        chain: list[Tok] = []
        node = verb
        while node is not None and len(chain) < 4 and node not in chain:
            chain.append(node)
            if node.rel not in _CHAIN_UP:
                break
            node = self.view.head_of(node)
        return chain

    def subjects(self, verb: Tok) -> list[Tok]:
        """Subjects of a verb, climbing through complements ("plans to sign") and relative clauses."""
        view = self.view
        node: Tok | None = verb
        for _ in range(4):
            if node is None:
                return []
            rels = ("subj",) if node is verb else ("subj", "subj_pass")
            found = view.kids(node.i, *rels)
            if found:
                return found
            if node.rel in {"relcl", "acl"}:
                head = view.head_of(node)
                return [head] if head is not None else []
            head = view.head_of(node)
            if node.rel == "other" and head is not None and head.pos == "ADP":
                # "has approved in the first reading a bill": a gerund under a preposition (a misparse) is
                # part of the clause of the verb above it.
                node = view.head_of(head)
                continue
            if node.rel not in {"xcomp", "conj"}:
                # "Khovar reports that … was signed": the reporter is not a party.
                return []
            head = view.head_of(node)
            if node.rel == "xcomp" and head is not None and head.lemma in _OBJECT_CONTROL:
                # "allowed the agency to conclude", "разрешить агентству заключить": the object acts.
                controllers = view.kids(head.i, "iobj", "obj") or [
                    t for t in view.kids(head.i, "obl") if t.gram_case == "Dat" and not t.case
                ]
                if controllers:
                    return controllers
            node = head
        return []

    def is_future(self, chain: list[Tok]) -> bool:
        """A future or hypothetical chain: "will sign", "is to be signed", "could block", "подпишут"."""
        view = self.view
        future = self.common["future_aux"]
        for token in chain:
            if token.finite_future:
                return True
            for child in view.kids(token.i, "aux"):
                if child.lower in future or (child.lemma in future and view.language == "en"):
                    return True
                if view.language == "ru" and child.lemma == "быть" and child.finite_future:
                    return True
            head = view.head_of(token)
            # "is to be signed", "are to be blocked": to + infinitive after "be".
            if (
                view.language == "en"
                and token.rel == "xcomp"
                and head is not None
                and head.lemma == "be"
                and any(c.lower == "to" for c in view.kids(token.i))
            ):
                return True
        return False

    def planned(self, chain: list[Tok], own: Tok | None = None) -> bool:
        plan = self.common["plan_verbs"]
        lemmas = {t.lemma for t in chain if t is not own}
        return self.is_future(chain) or bool(lemmas & plan)

    def negated(self, chain: list[Tok]) -> bool:
        negation = self.common["negation"]
        return any(c.lower in negation for t in chain for c in self.view.kids(t.i, "neg", "advmod", "other"))

    def habitual(self, sentence: int, chain: list[Tok]) -> bool:
        """ "Tajikistan frequently blocks sites", "has blocked … previously", "a persistent trend of authorities
        … not being afraid to restrict": no one act."""
        habitual = self.common["habitual"]
        view = self.view
        for token in chain:
            for child in view.kids(token.i, "advmod", "obl", "other"):
                if child.lower in habitual or child.lemma in habitual:
                    return True
        return bool(chain) and any(t.lemma in _GENERIC_NOUNS for t in view.ancestors(chain[0], 5))

    def clause_date(self, sentence: int, anchors: list[Tok], prefer: Prefer) -> tuple[str | None, str | None]:
        for text in self.view.date_text_near(sentence, anchors):
            resolved = resolve_date(text, self.view.published, self.view.language, prefer)
            if resolved:
                return resolved, text
        return None, None

    def phrase(self, head: Tok, limit: int = 12) -> str | None:
        """The contiguous noun phrase of `head` without clauses, for a subject or target."""
        view = self.view
        keep = {head.i}
        stack = [head]
        while stack:
            node = stack.pop()
            for child in view.kids(node.i):
                if child.i in keep:
                    continue  # a parse with a cycle (two words heading each other): each word once
                if child.rel == "appos" and child.i in view.org_at and abs(child.i - node.i) <= 2:
                    pass  # "сайт «Азаттыка»", "the news site Kloop": the name is part of the phrase
                elif child.rel == "punct" and child.text in _QUOTES:
                    pass
                elif child.rel in {
                    "relcl",
                    "acl",
                    "advcl",
                    "appos",
                    "punct",
                    "cc",
                    "conj",
                    "mark",
                    "obl",
                    "other",
                }:
                    continue
                if child.rel == "nmod" and child.case in {"with", "between", "by", "с", "между"}:
                    continue
                keep.add(child.i)
                stack.append(child)
        indexes = sorted(keep)
        start = end = indexes.index(head.i)
        while start > 0 and indexes[start - 1] == indexes[start] - 1:
            start -= 1
        while end + 1 < len(indexes) and indexes[end + 1] == indexes[end] + 1:
            end += 1
        tokens = [view.tokens[i] for i in indexes[start : end + 1]]
        while tokens and tokens[0].pos in {"DET", "PRON", "ADP", "CCONJ", "PUNCT"}:
            tokens = tokens[1:]
        while tokens and tokens[-1].pos in {"ADP", "CCONJ", "PUNCT", "DET"} and not self._closes(tokens):
            tokens = tokens[:-1]
        if not tokens:
            return None
        tokens = tokens[:limit]
        text = view.span_text(tokens[0].i, tokens[-1].i + 1)
        first = tokens[0]
        if (
            view.language == "ru"
            and first is head
            and head.pos == "NOUN"
            and head.gram_case not in {"Nom", ""}
        ):
            # "доступ к сайту «Азаттыка»" → "сайт «Азаттыка»": the head in its dictionary form (words before
            # the head would agree with it, so only a phrase that starts with its head is normalised).
            text = head.lemma + text[len(head.text) :]
        return text

    @staticmethod
    def _closes(tokens: list[Tok]) -> bool:
        """The last token closes a quote or bracket opened inside the phrase ("«Азаттыка»")."""
        pairs = {"»": "«", ")": "(", "”": "“", '"': '"'}
        opener = pairs.get(tokens[-1].text)
        return opener is not None and any(t.text == opener for t in tokens[:-1])

    def in_mention(self, token: Tok) -> bool:
        return token.i in self.view.org_at or token.i in self.view.country_at

    def sentence_words(self, sentence: int) -> set[str]:
        start, end = self.view.sentences[sentence]
        tokens = self.view.tokens[start:end]
        return words_of(tokens)


# --- agreements ---------------------------------------------------------------------------------------------


class AgreementFrame(Frame):
    """Signing, concluding, ratifying or planning an agreement, memorandum, contract, deal or loan."""

    type = "agreement"

    def drafts(self, sentence: int) -> list[Draft]:
        view = self.view
        start, end = view.sentences[sentence]
        words = self.sentence_words(sentence)
        if words & self.words["sport_words"] and not words & {"bank", "government", "ministry", "loan"}:
            return []
        drafts: list[Draft] = []
        used_verbs: set[int] = set()
        for token in view.tokens[start:end]:
            draft = self._noun_draft(token, used_verbs)
            if draft is not None:
                drafts.append(draft)
        for token in view.tokens[start:end]:
            if token.i in used_verbs or token.pos not in _VERBAL:
                continue
            draft = self._loan_draft(token) or self._verb_draft(token)
            if draft is not None:
                drafts.append(draft)
                used_verbs.add(token.i)
        return drafts

    def _noun_kind(self, token: Tok) -> tuple[str, bool] | None:
        """(subtype, strong) of an agreement noun."""
        if token.pos not in _NOMINAL:
            return None
        nouns, weak = self.words.map("nouns"), self.words.map("weak_nouns")
        for key in (token.lemma, token.lower):
            if key in nouns:
                return str(nouns[key]), True
            if key in weak:
                return str(weak[key]), False
        return None

    def _noun_draft(self, noun: Tok, used_verbs: set[int]) -> Draft | None:
        view = self.view
        kind = self._noun_kind(noun)
        if kind is None or noun.i in view.org_at:
            return None
        subtype, strong = kind
        head = view.head_of(noun)
        if head is not None and noun.rel in {"nmod", "compound"} and self._noun_kind(head):
            return None  # "memorandum of cooperation agreements", "roadmap agreement": one agreement, named twice
        # "under the agreement", "в рамках соглашения": the legal basis of something else.
        if noun.case in {
            "under",
            "within",
            "per",
            "according",
            "в рамках",
            "согласно",
            "по",
        } and noun.rel in {"obl", "nmod"}:
            return None
        verb = self.governing_verb(noun, self.words["signing_verbs"] | self.words["terminate_verbs"])
        # "the memorandum of understanding signed by …": the participle may hang on the "of" complement.
        if verb is None or verb.lemma not in self.words["signing_verbs"]:
            for complement in view.kids(noun.i, "nmod"):
                if complement.case in {"of", ""}:
                    participle = self.governing_verb(complement, self.words["signing_verbs"])
                    if (
                        participle is not None
                        and participle.rel in {"acl", "relcl"}
                        and view.head_of(participle) is complement
                    ):
                        verb = participle
                        break
        signing = verb is not None and (
            verb.lemma in self.words["signing_verbs"] or verb.lower in self.words["signing_verbs"]
        )
        if not strong and not signing:
            return None
        chain = self.chain(verb)
        if verb is not None:
            used_verbs.add(verb.i)
            if any(t.lemma in self.words["terminate_verbs"] for t in chain):
                return None
            if self._not_an_agreement(verb):
                return None
        subject_side = Found()
        other_side = Found()
        reports = signing or (
            verb is not None
            and noun.rel in {"obj", "subj_pass"}
            and (
                verb.lemma in self.words["verbs"]
                # "АБР выделил Таджикистану кредит": who allocates a loan lends it.
                or (subtype == "loan" and verb.lemma in self.words["lend_verbs"])
            )
        )
        if verb is not None and reports:
            for subject in self.subjects(verb):
                if subject.i != noun.i:
                    subject_side.extend(self.resolver.parties_of(subject))
            for agent in view.kids(verb.i, "agent"):
                subject_side.extend(self.resolver.parties_of(agent))
                subject_side.extend(self._misparsed_conjuncts(verb, agent))
        for head in self._counterpart_heads(noun, verb):
            for arg in view.kids(head.i, "obl", "nmod"):
                if arg.case in self.words["counterpart_cases"]:
                    other_side.extend(self.resolver.parties_of(arg))
        # "Kcell's contract", "a Huawei-Kcell deal", "the Kazakh-Chinese agreement", "соглашение Казахстана".
        for child in view.kids(noun.i, "poss", "compound", "amod", "nmod"):
            if child.rel == "nmod" and (child.case or view.language == "en") and child.case not in {"of", ""}:
                continue
            if child.rel == "nmod" and view.language == "ru" and child.gram_case != "Gen":
                continue
            other_side.extend(self.resolver.parties_of(child, demonyms=True))
        if subtype == "loan":
            self._loan_sides(verb, noun, subject_side, other_side)
        anaphoric = self._anaphoric(noun, verb, signing) and not (
            # "the December 2019 memorandum … signed by Uzbekistan and JBIC": it says which one, and who signed.
            signing and verb is not None and verb.rel in {"acl", "relcl"} and subject_side.parties
        )
        named = subject_side.parties or other_side.parties or subject_side.groups or other_side.groups
        fallback = signing and not anaphoric and not named
        if fallback:
            other_side.parties = self._fallback_parties(noun)
        status = self._status(noun, verb, chain)
        if status == "ratified":
            subject_side.parties = self.ratified_parties(subject_side.parties)
        date_value, date_text = self.clause_date(
            noun.sent, [t for t in (noun, verb) if t is not None], "future" if status == "planned" else "past"
        )
        subtype, specific = self._subtype(noun, subtype, subject_side.parties + other_side.parties)
        return Draft(
            type="agreement",
            subtype=subtype,
            status=status,
            sentence=noun.sent,
            trigger=noun.i,
            parties=dedupe(subject_side.parties + other_side.parties),
            sides=(dedupe(subject_side.parties), dedupe(other_side.parties)),
            groups=subject_side.groups + other_side.groups,
            date=date_value,
            date_text=date_text,
            subject=self._subject(noun, verb),
            specific=specific,
            anaphoric=anaphoric,
            plural=noun.plural and not fallback,  # parties guessed from the sentence are not counterparties
        )

    def _misparsed_conjuncts(self, verb: Tok, arg: Tok) -> Found:
        """ "signed by Uzbekistan and JBIC" where the parser made "JBIC" a verb coordinated with "signed": a
        name right after "and" that ends the argument belongs to it."""
        view = self.view
        found = Found()
        end = max(view.subtree(arg.i)) + 1
        for conj in view.kids(verb.i, "conj"):
            if (
                conj.i == end + 1
                and view.tokens[end].rel == "cc"
                and (conj.i in view.org_at or conj.i in view.country_at)
            ):
                found.extend(self.resolver.parties_of(conj))
        return found

    def _counterpart_heads(self, noun: Tok, verb: Tok | None) -> list[Tok]:
        """Where "with X" / "between A and B" may hang: the verb, the noun, its apposition ("Memorandum of
        Understanding (MoU) with Uzbekspace"), the noun it depends on ("the signing of an MoU with …")."""
        view = self.view
        heads = [t for t in (verb, noun) if t is not None]
        heads += view.kids(noun.i, "appos")
        # "a memorandum on financing with Kazakhstan and Azerbaijan": on the noun's own complement
        heads += [c for c in view.kids(noun.i, "nmod") if c.case not in self.words["counterpart_cases"]]
        head = view.head_of(noun)
        if head is not None and head.pos in _NOMINAL and noun.rel == "nmod" and head not in heads:
            heads.append(head)
        return heads

    def _fallback_parties(self, noun: Tok) -> list[EventParty]:
        """The organizations and states of the sentence, when a signing clause names none the parse can read
        ("During 12 years … Kazakhtelecom and ChinaTelecom signed 6 agreements", "based on a memorandum signed
        in 2021"): two or three of them, or nothing."""
        view = self.view
        start, end = view.sentences[noun.sent]
        located = {
            i
            for t in view.tokens[start:end]
            if t.rel in {"obl", "nmod"} and t.case in {"in", "at", "across", "throughout", "в", "на", "по"}
            for i in view.subtree(t.i)
        }
        # Organizations, and states that are not only where something is ("the PoP … in Hong-Kong").
        parties = [
            p
            for p in self.resolver.sentence_parties(noun.sent, exclude=located)
            if p.kind == "organization" or p.code
        ]
        return parties if 2 <= len(parties) <= 3 else []

    def _anaphoric(self, noun: Tok, verb: Tok | None, signing: bool) -> bool:
        """ "The agreement was ratified", "the MoU calls for …", "Документ предписывает …": an agreement already
        mentioned. A definite noun, or one that is the subject of a verb that does not report its signing."""
        if noun.definite:
            return True
        if verb is not None and not signing and noun.rel in {"subj", "subj_pass"}:
            return True
        return self.view.language == "ru" and noun.rel in {"subj", "subj_pass"} and not signing

    def _not_an_agreement(self, verb: Tok) -> bool:
        view = self.view
        not_objects = self.words["not_objects"]
        for child in view.kids(verb.i, "obj"):
            if child.i in view.person_at or child.lemma in not_objects:
                return True
        return False

    def _status(self, noun: Tok | None, verb: Tok | None, chain: list[Tok]) -> str:
        view = self.view
        ancestors = {t.lemma for t in view.ancestors(noun, 3)} if noun is not None else set()
        own = chain[0] if chain else None
        if self.planned(
            chain, own if own is not None and own.lemma not in self.common["plan_verbs"] else None
        ):
            return "planned"
        if noun is not None and any(
            c.lower in {"draft", "proposed", "future", "planned", "potential"}
            for c in view.kids(noun.i, "amod")
        ):
            return "planned"
        if self._ratifying(chain) or ancestors & self.words["ratify_nouns"]:
            return "ratified"
        # "The agreement … entered into force": the verb, or a participle the parser hung on the noun.
        candidates = [verb] if verb is not None else []
        if noun is not None:
            candidates += view.kids(noun.i, "acl", "relcl")
        for candidate in candidates:
            if candidate.lemma in self.words["in_force_verbs"]:
                inside = {view.tokens[i].lemma for i in view.subtree(candidate.i)}
                if inside & self.words["in_force_words"]:
                    return "in_force"
        return "signed"

    def _ratifying(self, chain: list[Tok]) -> bool:
        """ "ratified", or "approved"/"endorsed" by a parliament, a president, a state (a bank approving a loan
        lends it)."""
        if any(t.lemma == "ratify" or t.lemma == "ратифицировать" for t in chain):
            return True
        for verb in chain:
            if verb.lemma not in self.words["ratify_verbs"]:
                continue
            for subject in self.subjects(verb):
                for party in self.resolver.parties_of(subject).parties:
                    org = self.resolver.gazetteer_org(party)
                    if party.kind == "country" or (org is not None and org.is_state_body):
                        return True
        return False

    def ratified_parties(self, parties: list[EventParty]) -> list[EventParty]:
        """A treaty's parties are its states: the parliament or ministry that ratified it stands for its state."""
        result = []
        for party in parties:
            org = self.resolver.gazetteer_org(party)
            if org is not None and org.is_state_body and org.country:
                result.append(self.resolver.country_party(org.country, org.country))
            else:
                result.append(party)
        return dedupe(result)

    def _subtype(self, noun: Tok, subtype: str, parties: list[EventParty]) -> tuple[str, bool]:
        if subtype == "deal" and len(parties) >= 2 and all(p.kind == "country" for p in parties):
            return "intergovernmental", False
        if subtype != "agreement":
            return subtype, True
        modifiers = self.words.map("subtype_modifiers")
        view = self.view
        states_only = len(parties) >= 2 and all(p.kind == "country" for p in parties)
        for child in view.kids(noun.i, "compound", "amod", "nmod"):
            found = [str(modifiers.get(child.lemma) or modifiers.get(child.lower) or "")]
            found += [
                str(modifiers[g.lemma])
                for g in view.kids(child.i, "compound", "amod", "nmod")
                if g.lemma in modifiers
            ]
            for value in found:
                if value == "contract" and states_only:
                    return "intergovernmental", False  # an agreement between states on building a line
                if value:
                    return value, True
        if states_only:
            return "intergovernmental", False
        return "agreement", False

    def _subject(self, noun: Tok, verb: Tok | None) -> str | None:
        cases = self.words["subject_cases"]
        view = self.view
        candidates = [
            arg
            for head in [noun, *([verb] if verb is not None else [])]
            for arg in view.kids(head.i, "nmod", "obl")
            if arg.case in cases
            and not self.in_mention(arg)
            and arg.i not in view.date_at
            and arg.lemma not in {"understanding", "intent", "взаимопонимание", "намерение"}
        ]
        # "on 5G base stations" before "of cooperation"
        candidates.sort(key=lambda arg: arg.case in {"of", ""})
        return self.phrase(candidates[0]) if candidates else None

    def _loan_sides(self, verb: Tok | None, noun: Tok, lenders: Found, borrowers: Found) -> None:
        view = self.view
        heads = [t for t in (verb, noun) if t is not None]
        # "lend $145M in funding to Uzbektelecom": the borrower may hang on the money or funding noun.
        heads += [a for h in list(heads) for a in view.kids(h.i, "obj", "obl") if a not in heads]
        for head in heads:
            for arg in view.kids(head.i, "obl", "nmod", "iobj"):
                if (
                    arg.case in self.words["borrower_cases"]
                    or arg.rel == "iobj"
                    or (view.language == "ru" and arg.gram_case == "Dat")
                ):
                    borrowers.extend(self.resolver.parties_of(arg))
                elif arg.case in self.words["lender_cases"]:
                    lenders.extend(self.resolver.parties_of(arg))

    def _loan_draft(self, verb: Tok) -> Draft | None:
        """ "JBIC and MUFG will lend $145M to Uzbektelecom", "IDA allocated $50 million to the Kyrgyz Republic"."""
        view = self.view
        if verb.lemma not in self.words["lend_verbs"]:
            return None
        objects = view.kids(verb.i, "obj")
        money = self.words["money_words"]
        if not any(
            {view.tokens[i].lower for i in view.subtree(o.i)} & money or o.lemma in money for o in objects
        ) and verb.lemma not in {"lend", "loan", "кредитовать"}:
            return None
        lenders, borrowers = Found(), Found()
        for subject in self.subjects(verb):
            lenders.extend(self.resolver.parties_of(subject))
        for agent in view.kids(verb.i, "agent"):
            lenders.extend(self.resolver.parties_of(agent))
        self._loan_sides(verb, verb, lenders, borrowers)
        if not lenders.parties or not borrowers.parties:
            return None
        chain = self.chain(verb)
        status = "planned" if self.planned(chain) else "signed"
        date_value, date_text = self.clause_date(
            verb.sent, [verb], "future" if status == "planned" else "past"
        )
        return Draft(
            type="agreement",
            subtype="loan",
            status=status,
            sentence=verb.sent,
            trigger=verb.i,
            parties=dedupe(lenders.parties + borrowers.parties),
            sides=(dedupe(lenders.parties), dedupe(borrowers.parties)),
            groups=lenders.groups + borrowers.groups,
            date=date_value,
            date_text=date_text,
        )

    def _verb_draft(self, verb: Tok) -> Draft | None:
        """ "Kazakhtelecom and Huawei signed …", "agreed to build", "teamed up with": no agreement noun."""
        view = self.view
        if verb.lemma not in self.words["verbs"]:
            return None
        if verb.lemma in {"team"} and not any(c.lower == "up" for c in view.kids(verb.i)):
            return None
        if verb.lemma == "agree" and not (
            view.kids(verb.i, "xcomp") or any(a.case in {"on", "upon"} for a in view.kids(verb.i, "obl"))
        ):
            return None
        if self._not_an_agreement(verb):
            return None
        subject_side, other_side = Found(), Found()
        for subject in self.subjects(verb):
            subject_side.extend(self.resolver.parties_of(subject))
        for arg in view.kids(verb.i, "obl"):
            if arg.case in self.words["counterpart_cases"]:
                other_side.extend(self.resolver.parties_of(arg))
        # "agreed to sell its subsidiary to Sarmoya Holding", "agreed to buy … from X": the other side of the deal
        for complement in view.kids(verb.i, "xcomp"):
            for arg in view.kids(complement.i, "obl", "iobj"):
                if arg.case in self.words["counterpart_cases"] | {"to", "from", "у"}:
                    other_side.extend(self.resolver.parties_of(arg))
        parties = dedupe(subject_side.parties + other_side.parties)
        if len(parties) < 2 and not (subject_side.groups or other_side.groups):
            return None
        chain = self.chain(verb)
        status = self._status(None, verb, chain)
        date_value, date_text = self.clause_date(
            verb.sent, [verb], "future" if status == "planned" else "past"
        )
        subtype = (
            "intergovernmental" if parties and all(p.kind == "country" for p in parties) else "cooperation"
        )
        return Draft(
            type="agreement",
            subtype=subtype,
            status=status,
            sentence=verb.sent,
            trigger=verb.i,
            parties=parties,
            sides=(dedupe(subject_side.parties), dedupe(other_side.parties)),
            groups=subject_side.groups + other_side.groups,
            date=date_value,
            date_text=date_text,
            specific=False,
        )


# --- censorship ---------------------------------------------------------------------------------------------


class CensorshipFrame(Frame):
    """Blocking, shutdowns, throttling, VPN bans, arrests for posts and the laws that allow them."""

    type = "censorship"

    def drafts(self, sentence: int) -> list[Draft]:
        view = self.view
        start, end = view.sentences[sentence]
        words = self.sentence_words(sentence)
        online = bool(words & self.words["net_words"]) or self._names_platform(sentence)
        drafts: list[Draft] = []
        covered: set[int] = set()
        for token in view.tokens[start:end]:
            if token.i in covered:
                continue
            draft = self._draft(token, words, online)
            if draft is not None:
                drafts.append(draft)
                covered.update(view.subtree(token.i) if draft.subtype == "law" else [token.i])
        return drafts

    def _names_platform(self, sentence: int) -> bool:
        start, end = self.view.sentences[sentence]
        return any(
            ref.org is not None and ref.org.kind in {"company", "media", "platform"}
            for ref in {
                self.view.org_at[i].start: self.view.org_at[i]
                for i in range(start, end)
                if i in self.view.org_at
            }.values()
        )

    def _base(self, token: Tok) -> str | None:
        verbs, nouns = self.words.map("verbs"), self.words.map("nouns")
        if token.pos in _VERBAL:
            base = verbs.get(token.lemma) or verbs.get(token.lower)
            if base is None:
                return None
            particles = self.words.map("particle_verbs").get(token.lemma)
            if particles and not any(c.lower in particles for c in self.view.kids(token.i)):
                # "Mobile internet cut in Gorno-Badakhshan", "internet slowed": the network itself as the
                # argument makes the verb the act without its particle.
                arguments = self.view.kids(token.i, "subj", "subj_pass", "obj")
                objects = self.words["shutdown_objects"]
                if not any(a.lemma in objects or a.lower in objects for a in arguments):
                    return None
            if base == "arrest" and token.lemma == "charge" and not self._people_argument(token):
                return None  # "charge several dollars a month": a price
            return str(base)
        if token.pos in _NOMINAL and token.rel != "amod":
            base = nouns.get(token.lemma) or nouns.get(token.lower)
            return str(base) if base is not None else None
        return None

    def _draft(self, trigger: Tok, words: set[str], online: bool) -> Draft | None:
        view = self.view
        base = self._base(trigger)
        if base is None or trigger.i in view.org_at:
            return None
        if trigger.lemma in self.words["lift_words"] or trigger.lower in self.words["lift_words"]:
            return None
        verb = trigger if trigger.pos in _VERBAL else self.governing_verb(trigger)
        chain = self.chain(verb)
        lifted = any(
            t.lemma in self.words["lift_words"] or t.lower in self.words["lift_words"] for t in chain
        )
        if lifted and not self._ended_act(trigger):
            return None  # "unblocked Twitter", "restored access": the end of an act is not an act
        if verb is not None and (self.negated([verb]) or self.habitual(trigger.sent, chain)):
            return None
        if trigger.pos in _VERBAL and (self._wished(trigger) or self._power(trigger)):
            return None
        if trigger.pos in _NOMINAL and trigger.rel in {"compound", "amod"}:
            return None  # "a block list", "blockage-busting technology": a modifier of another noun
        local = self._local_words(trigger, verb)
        if base in {"block", "throttling", "shutdown"} and not self._online_target(trigger, verb, local):
            return (
                None  # "banned Group 24 as extremist": not online information, whatever the sentence mentions
            )
        if base in {"arrest", "fine"} and not self._people_argument(verb if verb is not None else trigger):
            return None  # "an arrest was placed on the bureau's accounts": property, not people
        if self._in_law_clause(trigger, chain):
            return None  # "the draft would oblige operators to block the app": what a law would do
        subtype = self._subtype(base, trigger, verb, words, local, online)
        if subtype in {"block", "vpn_ban"} and self._legislators_propose(trigger, chain):
            subtype = "law"  # "deputies propose a TikTok ban": a bill
        if subtype is None:
            return None
        if subtype == "law" and not self._law_acted_on(trigger, chain):
            return None
        actors = self._actors(trigger, verb)
        status = self._status(trigger, verb, chain, subtype)
        date_value, date_text = self.clause_date(
            trigger.sent,
            [t for t in (trigger, verb) if t is not None],
            "future" if status == "planned" else "past",
        )
        if actors.refused:
            return None  # "helped the bank block card payments": a company's own blocking is not censorship
        mention_only = trigger.pos in _NOMINAL and not (
            self._reports_act(trigger, verb, actors, date_value) or self._ended_act(trigger)
        )
        if lifted:
            status = "reported"
        if verb is not None and (verb.lemma in {"remain", "остаться", "оставаться"} or self._remains(verb)):
            status = "ongoing"
        return Draft(
            type="censorship",
            subtype=subtype,
            status=status,
            sentence=trigger.sent,
            trigger=trigger.i,
            parties=dedupe(actors.parties),
            sides=(dedupe(actors.parties), []),
            groups=actors.groups,
            date=date_value,
            date_text=date_text,
            subject=(
                self._law_topic(trigger, verb)
                if subtype == "law" and trigger.pos in _NOMINAL
                else self._target(trigger, verb)
            ),
            targets=self._targets(trigger, verb),
            anaphoric=trigger.pos in _NOMINAL and (trigger.definite or mention_only),
            needs_actor=not actors.parties,
        )

    def _local_words(self, trigger: Tok, verb: Tok | None) -> set[str]:
        """Words of the trigger's own phrase and of the verb's objects: what was blocked, what the law is about
        (not the rest of the sentence: "access … coincided, now without a VPN they cannot be opened")."""
        view = self.view
        indexes = set(view.subtree(trigger.i))
        if verb is not None and verb is not trigger:
            for child in view.kids(verb.i, "obj", "subj_pass", "xcomp"):
                indexes |= set(view.subtree(child.i))
            if trigger.rel in {"obj", "subj_pass"}:
                # "adopted a law on false information": the parser often hangs the noun's topic on the verb.
                for child in view.kids(verb.i, "obl"):
                    if child.case in self.words["topic_cases"]:
                        indexes |= set(view.subtree(child.i))
        if trigger.pos in _VERBAL:
            indexes = {trigger.i}
            for child in view.kids(
                trigger.i, "obj", "subj_pass", "subj", "obl", "nmod", "prt", "advmod", "xcomp"
            ):
                indexes |= set(view.subtree(child.i))
            head = view.head_of(trigger)
            if (
                head is not None
                and trigger.rel in {"other", "xcomp"}
                and head.lemma in {"be", "remain", "become", "stay", "остаться", "оставаться", "быть"}
            ):
                # "TikTok remains restricted": the subject hangs on the copula
                for child in view.kids(head.i, "subj", "subj_pass"):
                    indexes |= set(view.subtree(child.i))
        tokens = [view.tokens[i] for i in indexes]
        return words_of(tokens)

    def _neighbour_words(self, sentence: int) -> set[str]:
        words: set[str] = set()
        for index in (sentence - 1, sentence + 1):
            if 0 <= index < len(self.view.sentences):
                words |= self.sentence_words(index)
        return words

    def _wished(self, trigger: Tok) -> bool:
        """ "requests to block some Russian content", "calls to ban Telegram": wished for, not done."""
        view = self.view
        head = view.head_of(trigger)
        to = any(c.lower in {"to"} for c in view.kids(trigger.i, "aux", "mark", "other"))
        if head is None or not to:
            return False
        if head.pos in _NOMINAL and trigger.rel in {"acl", "relcl", "xcomp"}:
            return True
        # "heeding European requests to block", "urged the authorities to ban": someone's wish.
        return head.lemma in _WISH_VERBS or any(
            o.lemma in self.words["order_nouns"] | {"call", "appeal"} for o in view.kids(head.i, "obj")
        )

    def _online_target(self, trigger: Tok, verb: Tok | None, local: set[str]) -> bool:
        """What is blocked is online: a site, an app, the internet, a platform or outlet named."""
        if local & (self.words["net_words"] | self.words["vpn_words"] | self.words["shutdown_objects"]):
            return True
        view = self.view
        nodes = [trigger] + ([verb] if verb is not None and verb is not trigger else [])
        for node in nodes:
            for i in view.subtree(node.i):
                ref = view.org_at.get(i)
                if (
                    ref is not None
                    and ref.org is not None
                    and ref.org.kind in {"company", "media", "platform", "isp"}
                ):
                    return True
        # "the block", "restrictions": a noun alone may stand for the act the sentence describes
        return trigger.pos in _NOMINAL and not view.kids(trigger.i, "nmod", "obj")

    def _people_argument(self, token: Tok) -> bool:
        """An arrest or fine of people: a person named, or a noun for people ("eight journalists", "блогера")."""
        view = self.view
        arguments = view.kids(token.i, "obj", "subj_pass", "iobj", "nmod", "obl")
        if token.pos in _VERBAL and self.passive(token):
            arguments += view.kids(token.i, "subj")  # the parser often calls a passive's subject nsubj
        for child in arguments:
            for item in view.conjuncts(child):
                if item.i in view.person_at or item.lemma in _PEOPLE or item.lower in _PEOPLE:
                    return True
                if any(c.lemma in _PEOPLE for c in view.kids(item.i, "compound", "amod", "nmod")):
                    return True
        return token.pos in _NOMINAL and not view.kids(token.i, "nmod", "obl")

    def _in_law_clause(self, trigger: Tok, chain: list[Tok]) -> bool:
        """The act is what a law, bill or draft would do: the law is the event."""
        view = self.view
        nouns = self.words.map("nouns")
        for node in chain:
            for subject in view.kids(node.i, "subj", "subj_pass"):
                if subject is not trigger and (
                    nouns.get(subject.lemma) == "law" or subject.lemma in {"draft", "проект"}
                ):
                    return True
        if not chain or trigger.pos not in _VERBAL:
            return False
        head = view.head_of(chain[-1])
        return chain[-1].rel in {"relcl", "acl"} and head is not None and nouns.get(head.lemma) == "law"

    def _legislators_propose(self, trigger: Tok, chain: list[Tok]) -> bool:
        view = self.view
        proposing = [t for t in chain if t.lemma in _PROPOSING]
        for verb in proposing:
            for subject in view.kids(verb.i, "subj"):
                if subject.lemma in _LEGISLATORS or subject.lower in _LEGISLATORS:
                    return True
                ref = view.org_at.get(subject.i)
                if ref is not None and ref.org is not None and ref.org.kind == "government":
                    return True
        return False

    def _ended_act(self, trigger: Tok) -> bool:
        """ "lifted the ban", "restored after a five-day blackout": the text states the act that ended."""
        return trigger.pos in _NOMINAL and (
            trigger.rel in {"obj", "subj_pass"} or trigger.case in {"after", "после"}
        )

    def _power(self, trigger: Tok) -> bool:
        """ "proposed allowing regulators to block websites", "would allow authorities to shut down": a power a
        law gives (the law is the event), not an act."""
        view = self.view
        # "Согласно поправкам, сайты могут быть заблокированы …", "under the amendments … may be blocked": what a
        # law makes possible.
        modal = any(c.lemma in {"мочь", "may", "can", "could"} for c in view.kids(trigger.i, "aux")) or any(
            t.lemma == "мочь" for t in view.ancestors(trigger, 3)
        )
        if modal and self._cites_law(trigger.sent):
            return True
        node = trigger
        for _ in range(3):
            head = self.view.head_of(node)
            if head is None or node.rel in {"conj", "root", "relcl"}:
                return False
            if head.lemma in _POWER_VERBS:
                return True
            node = head
        return False

    def _cites_law(self, sentence: int) -> bool:
        start, end = self.view.sentences[sentence]
        nouns = self.words.map("nouns")
        return any(
            nouns.get(t.lemma) == "law" and t.case in {"согласно", "under", "according", "по"}
            for t in self.view.tokens[start:end]
        )

    def _remains(self, verb: Tok) -> bool:
        head = self.view.head_of(verb)
        return head is not None and head.lemma in {"remain", "остаться", "оставаться"}

    def _reports_act(self, trigger: Tok, verb: Tok | None, actors: Found, date_value: str | None) -> bool:
        """A censorship noun reports an act when the clause says who, when, or that it was imposed ("Kazakh
        authorities' blocking of …", "a shutdown was detected on February 28", "introduced restrictions");
        otherwise it only names one ("the blocking only harms development")."""
        if actors.parties or date_value:
            return True
        if verb is not None and verb.lemma in _IMPOSING:
            return True
        head = self.view.head_of(trigger)
        return bool(head is not None and head.lemma in _IMPOSING)

    def _subtype(
        self, base: str, trigger: Tok, verb: Tok | None, words: set[str], local: set[str], online: bool
    ) -> str | None:
        if base == "law":
            # The law's own words say what it allows ("a bill that would allow the blocking of social networks"),
            # not the sentence around it ("the blocking … stems from a data localization law").
            return "law" if local & self.words["law_context"] else None
        if base in {"arrest", "fine"}:
            if words & self.words["vpn_words"]:
                return "vpn_ban"  # fining or detaining people for using a VPN enforces a VPN ban
            return base if words & self.words["speech_words"] else None
        if not online:
            return None
        if base == "block" and local & self.words["vpn_words"]:
            return "vpn_ban"
        if base == "shutdown":
            if trigger.pos in _NOMINAL:
                return "shutdown"  # "the shutdown", "a blackout": the noun says it
            # "cut off access to Facebook" is a block; "shut down the internet", "networks … shut down" a shutdown.
            if local & self.words["shutdown_objects"] - {"access", "доступ", "service", "services"}:
                return "shutdown"
            return "block"
        return base

    def _law_acted_on(self, trigger: Tok, chain: list[Tok]) -> bool:
        """A law, bill or amendment is news when it is adopted, proposed, amended or takes effect, not when
        cited ("under the 2021 law")."""
        view = self.view
        if trigger.pos in _VERBAL:
            return True
        if any(
            c.lower in {"draft", "proposed", "new", "emergency"}
            for c in view.kids(trigger.i, "amod", "compound")
        ):
            return True
        lemmas = {t.lemma for t in chain}
        head = view.head_of(trigger)
        if head is not None and trigger.rel in {"subj", "subj_pass", "obj"}:
            lemmas.add(head.lemma)
        # "a bill that would allow the blocking of …": the bill acts in its own clause.
        for child in view.kids(trigger.i, "relcl", "acl"):
            lemmas.add(child.lemma)
        return bool(lemmas & self.words["law_acts"])

    def passive(self, verb: Tok) -> bool:
        """ "were blocked", "is restricted", "Blocked in Turkmenistan" (a headline's participle), "блокировались"."""
        view = self.view
        if any(t.rel == "subj_pass" for t in view.kids(verb.i)):
            return True
        if view.language == "ru":
            return verb.participle or verb.lemma.endswith(("ся", "сь"))
        aux = {c.lemma for c in view.kids(verb.i, "aux")}
        head = view.head_of(verb)
        copula = (
            head is not None
            and head.lemma in {"be", "remain", "become", "get"}
            and verb.rel in {"other", "xcomp"}
        )
        return verb.past and (bool(aux & {"be", "get", "become"}) or copula or (verb.participle and not aux))

    def _actors(self, trigger: Tok, verb: Tok | None) -> Found:
        """Who acts: the subject of an active verb, the agent of a passive, the body whose order or request it
        was ("at the request of the government", "the court's decision"), the operators that execute it ("all
        operators … inclusive Tcell were requested to block", "Kazakhstan ISPs blocked"). Only a state, a body
        of a state, a court or an operator censors: a platform or outlet named as the subject is what was
        blocked."""
        view = self.view
        found = Found()
        order_nouns = self.words["order_nouns"]
        if verb is not None:
            passive = self.passive(verb)
            for subject in self.subjects(verb):
                if subject.i == trigger.i:
                    continue
                if subject.lemma in order_nouns:
                    found.extend(self._order_owner(subject))
                elif passive or subject.rel == "subj_pass":
                    found.extend(self._executors(subject))  # otherwise the subject of a passive is its target
                elif self._is_executor(subject):
                    found.extend(self._executors(subject))
                else:
                    found.extend(self.resolver.parties_of(subject))
            for agent in view.kids(verb.i, "agent"):
                found.extend(self.resolver.parties_of(agent))
            for node in [verb, trigger, *self.chain(verb)[1:]]:
                for arg in view.kids(node.i, "obl", "nmod"):
                    if arg.lemma in order_nouns:
                        found.extend(self._order_owner(arg))
            for node in self.chain(verb)[1:]:
                # "operators … were requested to block", "providers were ordered to cut off".
                for subject in view.kids(node.i, "subj_pass", "subj"):
                    found.extend(self._executors(subject))
                if node.lemma in _REQUEST_VERBS and self.passive(node) and not view.kids(node.i, "agent"):
                    found.parties.append(self.resolver.country_party(UNNAMED_STATE, node.text))
        if trigger.pos in _NOMINAL:
            for child in view.kids(trigger.i, "poss", "amod", "compound", "nmod"):
                if child.rel == "nmod" and child.case not in {"by", "of", ""}:
                    continue
                if child.i in view.org_at or (child.i in view.country_at and child.rel != "nmod"):
                    found.extend(self.resolver.parties_of(child, demonyms=True))
        named = dedupe(found.parties)
        found.parties = [p for p in named if self._can_censor(p)]
        found.refused = (
            bool(named) and not found.parties and trigger.pos in _VERBAL and not self.passive(trigger)
        )
        return found

    def _order_owner(self, noun: Tok) -> Found:
        found = Found()
        for child in self.view.kids(noun.i, "poss", "nmod", "compound", "amod"):
            found.extend(self.resolver.parties_of(child, demonyms=True))
        return found

    def _is_executor(self, token: Tok) -> bool:
        executor_nouns = self.words["executor_nouns"]
        return any(t.lemma in executor_nouns or t.lower in executor_nouns for t in self.view.conjuncts(token))

    def _executors(self, subject: Tok) -> Found:
        """The operators that execute a block: those named in the subject ("all operators … inclusive Tcell",
        "The sole Internet provider in Turkmenistan—Turkmentelecom"), else the state of "Kazakhstan ISPs"."""
        view = self.view
        found = Found()
        if not self._is_executor(subject):
            return found
        for item in view.conjuncts(subject):
            for i in view.subtree(item.i):
                ref = view.org_at.get(i)
                if ref is not None and ref.start == i:
                    found.parties.append(self.resolver.org_party(ref))
        if not found.parties:
            for item in view.conjuncts(subject):
                for i in view.subtree(item.i):
                    country = view.country_at.get(i)
                    if country is not None and country.start == i:
                        found.parties.append(self.resolver.from_country(country))
        return found

    def _can_censor(self, party: EventParty) -> bool:
        """States, their bodies, courts, operators and providers; not platforms, outlets or rights groups."""
        if party.kind == "country":
            return True
        org = self.resolver.gazetteer_org(party)
        if org is not None:
            return org.kind not in self.words["private_kinds"] and org.kind not in {
                "company",
                "international",
            }
        return any(word in _BODY_WORDS for word in party.canonical.lower().split())

    def _status(self, trigger: Tok, verb: Tok | None, chain: list[Tok], subtype: str) -> str:
        view = self.view
        if self.planned(chain) or any(
            t.lemma in {"propose", "consider", "draft", "initiate", "предложить"} for t in chain
        ):
            return "planned"
        if subtype == "law":
            heads = {t.lemma for t in chain} | {c.lemma for c in view.kids(trigger.i, "relcl", "acl")}
            if heads & {"sign", "enter", "adopt", "enact", "подписать", "вступить", "принять"}:
                return "in_force"
            return "planned"
        if verb is not None:
            aux = {c.lower for c in view.kids(verb.i, "aux")}
            if (
                verb.lemma in {"remain", "остаться", "оставаться"}
                or aux & {"is", "are", "has", "have"}
                or (verb.pos == "VERB" and not verb.past and view.language == "en")
            ):
                return "ongoing"
        return "reported"

    def _targets(self, trigger: Tok, verb: Tok | None) -> list[str]:
        view = self.view
        targets: list[str] = []
        for node in [t for t in (verb, trigger) if t is not None]:
            for child in view.kids(node.i, "obj", "subj_pass", "nmod", "obl"):
                if child.rel in {"nmod", "obl"} and child.case not in {"to", "of", "к", ""}:
                    continue
                for item in view.conjuncts(child):
                    ref = view.org_at.get(item.i)
                    if ref is not None:
                        targets.append(ref.surface)
        return list(dict.fromkeys(targets))

    def _law_topic(self, trigger: Tok, verb: Tok | None) -> str | None:
        """What a law is about ("a law on false information"), else what its own clause restricts ("a bill that
        would ban VPN services"); not the word "bill"."""
        view = self.view
        holders = [trigger] + ([verb] if verb is not None and trigger.rel in {"obj", "subj_pass"} else [])
        for node in holders:
            for child in view.kids(node.i, "nmod", "obl"):
                if child.case in self.words["topic_cases"]:
                    return self.phrase(child)
        provided = None
        for clause in view.kids(trigger.i, "relcl", "acl"):
            for node in [clause, *view.kids(clause.i, "xcomp", "ccomp")]:
                for what in view.kids(node.i, "obj"):
                    if self._base(node) is not None:
                        return self.phrase(what)
                    # "законопроект, предусматривающий ответственность за …": what the bill provides for.
                    provided = provided or self.phrase(what)
        return provided

    def _target(self, trigger: Tok, verb: Tok | None) -> str | None:
        view = self.view
        for node in [t for t in (verb, trigger) if t is not None]:
            for child in view.kids(node.i, "obj", "subj_pass", "nmod"):
                if child.rel == "nmod" and child.case not in {"to", "of", "к", ""}:
                    continue
                if child.i in view.date_at:
                    continue
                if child.lemma in {"access", "доступ"}:
                    # "blocked access to TikTok": what was blocked is TikTok.
                    for what in view.kids(child.i, "nmod"):
                        if what.case in {"to", "к"}:
                            return self.phrase(what)
                return self.phrase(child)
        return None


FRAMES: tuple[type[Frame], ...] = (AgreementFrame, CensorshipFrame)


def words_of(tokens: list[Tok]) -> set[str]:
    """The forms and lemmas of tokens, with the parts of hyphenated compounds ("VPN-сервисов" gives "vpn",
    "интернет-ресурсы" gives "интернет")."""
    words = {t.lower for t in tokens} | {t.lemma for t in tokens}
    for word in list(words):
        if "-" in word.strip("-"):
            words.update(part for part in word.split("-") if part)
    return words


def sentence_drafts(view: DocView, lexicon: Lexicon, resolver: PartyResolver) -> list[Draft]:
    """Every frame's drafts of every sentence, in text order."""
    frames = [frame(view, lexicon, resolver) for frame in FRAMES]
    drafts: list[Draft] = []
    for sentence in range(len(view.sentences)):
        for frame in frames:
            drafts += frame.drafts(sentence)
    return drafts


def date_of(value: date | None) -> date | None:
    return value
