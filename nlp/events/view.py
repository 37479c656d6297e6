"""The language-independent view of a parsed document that the event rules read.

English (spaCy, ClearNLP labels) and Russian (natasha, Universal Dependencies) parses are turned into one shape
by `nlp.events.adapt_en` and `nlp.events.adapt_ru`: tokens with a Universal-Dependencies-like relation, the
preposition (or Russian preposition) that marks an oblique argument in `case`, a morphological number and
case, and the organization, country, person and date mentions by token. The rules in `frames`, `parties` and
`discourse` only ever see this view, so they are written once for every language.

Relations (`Tok.rel`): subj, subj_pass, obj, iobj, obl (an oblique argument of a verb, `case` says which
preposition), nmod (the same on a noun), agent (the "by" of a passive), poss, compound, amod, appos, conj, cc,
aux, neg, xcomp, ccomp, advcl, acl, relcl, det, nummod, case, mark, root, other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from nlp.gazetteer import Organization
from nlp.trees import subtree_indexes


@dataclass
class Tok:
    """One token of the view."""

    i: int
    text: str
    lower: str
    lemma: str
    pos: str  # Universal POS: NOUN, PROPN, VERB, AUX, ADJ, DET, ADP, PRON, NUM, CCONJ, PART, PUNCT, …
    rel: str
    head: int  # -1 for a sentence root
    sent: int
    start: int  # character offsets in the document text
    end: int
    case: str = ""  # the preposition of an obl/nmod/agent argument, lower-cased ("with", "между")
    gram_case: str = ""  # Russian morphological case (Nom, Gen, Dat, Acc, Ins, Loc); "" in English
    plural: bool = False
    finite_future: bool = False  # a verb form that is itself future ("подпишут")
    past: bool = False
    participle: bool = False  # a past participle ("signed", "подписанный")
    definite: bool = False  # "the"/"this" (English), "этот"/"данный" (Russian)


@dataclass(frozen=True)
class OrgRef:
    """An organization mention: its tokens, gazetteer entry (None when unknown) and names."""

    start: int
    end: int
    org: Organization | None
    surface: str
    canonical: str


@dataclass(frozen=True)
class CountryRef:
    """A country mention: its tokens, ISO code, text and how it names the country (name, demonym, capital, ner)."""

    start: int
    end: int
    code: str
    text: str
    how: str


@dataclass
class DocView:
    """A parsed document as the event rules read it."""

    text: str
    language: str
    tokens: list[Tok]
    sentences: list[tuple[int, int]]
    published: date | None
    orgs: list[OrgRef] = field(default_factory=list)
    countries: list[CountryRef] = field(default_factory=list)
    people: list[tuple[int, int]] = field(default_factory=list)
    dates: list[tuple[int, int]] = field(default_factory=list)
    # Regions and cities with the country they lie in ("Karakalpakstan" → UZ): where a story happens.
    places: list[tuple[int, int, str]] = field(default_factory=list)
    title_end: int = 0  # character offset where the title ends (0: no title)

    def __post_init__(self) -> None:
        self.children: dict[int, list[int]] = {}
        for token in self.tokens:
            if token.head >= 0 and token.head != token.i:
                self.children.setdefault(token.head, []).append(token.i)
        self.org_at = {i: ref for ref in self.orgs for i in range(ref.start, ref.end)}
        self.country_at = {i: ref for ref in self.countries for i in range(ref.start, ref.end)}
        self.person_at = {i for start, end in self.people for i in range(start, end)}
        self.date_at = {i: (start, end) for start, end in self.dates for i in range(start, end)}

    # --- navigation -----------------------------------------------------------------------------------

    def kids(self, index: int, *rels: str) -> list[Tok]:
        """Children of a token, all or those with one of `rels`, in text order."""
        found = [self.tokens[c] for c in self.children.get(index, [])]
        return [t for t in found if not rels or t.rel in rels]

    def head_of(self, token: Tok) -> Tok | None:
        return (
            self.tokens[token.head] if 0 <= token.head < len(self.tokens) and token.head != token.i else None
        )

    def ancestors(self, token: Tok, limit: int = 6) -> Iterator[Tok]:
        """The token's heads, nearest first (bounded: a parse may contain a cycle)."""
        seen = {token.i}
        node = self.head_of(token)
        while node is not None and node.i not in seen and limit > 0:
            yield node
            seen.add(node.i)
            node = self.head_of(node)
            limit -= 1

    def subtree(self, index: int) -> list[int]:
        """Token indexes of the subtree of a token, sorted."""
        return subtree_indexes(self.children, index)

    def conjuncts(self, token: Tok) -> list[Tok]:
        """The token and the tokens coordinated with it ("A, B and C"), in text order."""
        root = token
        for _ in range(8):
            head = self.head_of(root)
            if root.rel != "conj" or head is None:
                break
            root = head
        found: list[Tok] = []
        stack = [root]
        while stack:
            node = stack.pop()
            if node in found:
                continue
            found.append(node)
            stack.extend(self.kids(node.i, "conj"))
        return sorted(found, key=lambda t: t.i)

    def sentence_of(self, token: Tok) -> tuple[int, int]:
        return self.sentences[token.sent]

    def sentence_text(self, index: int) -> str:
        start, end = self.sentences[index]
        return self.text[self.tokens[start].start : self.tokens[end - 1].end].strip()

    def span_text(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def in_title(self, token: Tok) -> bool:
        return token.start < self.title_end

    def date_text_near(self, sentence: int, anchors: list[Tok]) -> list[str]:
        """The date expressions of the anchors' clause: those in the anchors' own subtrees (without the
        clauses of coordinated nouns: "a memorandum signed in 2021 and a roadmap agreement signed in February"
        has two dates), else those of the sentence."""
        start, end = self.sentences[sentence]
        spans = sorted({self.date_at[i] for i in range(start, end) if i in self.date_at})
        near: set[int] = set()
        for anchor in anchors:
            own = set(self.subtree(anchor.i))
            for conj in self.kids(anchor.i, "conj"):
                own -= set(self.subtree(conj.i))
            near |= own
        close = [span for span in spans if set(range(*span)) & near]
        return [self.span_text(s, e) for s, e in (close or spans)]
