"""English token adapter: a spaCy `Doc` (ClearNLP dependency labels) as the language-independent `DocView`.

The one structural change: ClearNLP hangs a prepositional object under its preposition ("signed" → "with" →
"Huawei"); the view hangs it under the word the preposition attaches to, as Universal Dependencies does, with
the preposition in `case` ("signed" → "Huawei", rel obl, case "with").
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Token

from nlp.countries import CountryLexicon
from nlp.doc_ext import country_hits, text_of
from nlp.events.view import CountryRef, DocView, OrgRef, Tok
from nlp.gazetteer import Gazetteer

_RELS = {
    "nsubj": "subj",
    "csubj": "subj",
    "nsubjpass": "subj_pass",
    "csubjpass": "subj_pass",
    "dobj": "obj",
    "attr": "obj",
    "dative": "iobj",
    "poss": "poss",
    "compound": "compound",
    "nmod": "compound",
    "amod": "amod",
    "appos": "appos",
    "conj": "conj",
    "cc": "cc",
    "aux": "aux",
    "auxpass": "aux",
    "neg": "neg",
    "xcomp": "xcomp",
    "ccomp": "ccomp",
    "advcl": "advcl",
    "relcl": "relcl",
    "acl": "acl",
    "det": "det",
    "predet": "det",
    "nummod": "nummod",
    "quantmod": "nummod",
    "mark": "mark",
    "ROOT": "root",
    "npadvmod": "obl",
    "advmod": "advmod",
    "prt": "prt",
    "punct": "punct",
}
_DEFINITE = frozenset({"the", "this", "that", "these", "those", "such"})


def _prepositional(token: Token) -> bool:
    """A preposition heading its object: "prep", "agent", and a "dative" that is the word "to" ("lend $40
    million to Tajik Telecom", where the object hangs under "to")."""
    return token.dep_ in {"prep", "agent"} or (token.dep_ == "dative" and token.pos_ == "ADP")


def _relation(token: Token) -> tuple[str, int, str]:
    """(rel, head index, case) of a token in the view."""
    dep = token.dep_
    if dep == "pobj" and _prepositional(token.head) and token.head.head is not token.head:
        prep = token.head
        governor = prep.head
        if prep.dep_ == "agent":
            return "agent", governor.i, "by"
        rel = "obl" if governor.pos_ in {"VERB", "AUX"} else "nmod"
        return rel, governor.i, prep.lower_
    if _prepositional(token):
        objects = [c for c in token.children if c.dep_ == "pobj"]
        if objects:
            return "case", objects[0].i, ""
        return "other", token.head.i if token.head is not token else -1, ""
    head = token.head.i if token.head is not token else -1
    return _RELS.get(dep, "other"), head, ""


def view_of(
    doc: Doc, gazetteer: Gazetteer, lexicon: CountryLexicon, published: date | None, title_end: int = 0
) -> DocView:
    """The view of a parsed English document (after the stanwire components have run)."""
    sentences = [(s.start, s.end) for s in doc.sents] if doc.has_annotation("SENT_START") else [(0, len(doc))]
    sent_of = {}
    for index, (start, end) in enumerate(sentences):
        for i in range(start, end):
            sent_of[i] = index
    tokens = []
    for token in doc:
        rel, head, case = _relation(token)
        tokens.append(
            Tok(
                i=token.i,
                text=token.text,
                lower=token.lower_,
                lemma=token.lemma_.lower(),
                pos=token.pos_,
                rel=rel,
                head=head,
                sent=sent_of.get(token.i, 0),
                start=token.idx,
                end=token.idx + len(token.text),
                case=case,
                plural=token.tag_ in {"NNS", "NNPS"},
                past=token.tag_ in {"VBD", "VBN"},
                participle=token.tag_ == "VBN",
                definite=any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in token.children),
            )
        )
    orgs = []
    for ent in doc.ents:
        if ent.label_ != "ORG":
            continue
        start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
        surface = doc[start : ent.end].text
        org = gazetteer.by_id.get(ent.kb_id_)
        orgs.append(OrgRef(start, ent.end, org, surface, org.name if org else surface))
    countries = [CountryRef(h.start, h.end, h.code, h.text, h.how) for h in country_hits(doc)]
    people = [(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"]
    places = [
        (e.start, e.end, code)
        for e in doc.ents
        if e.label_ in {"GPE", "LOC", "FAC"} and (code := lexicon.place_country(e.text)) is not None
    ]
    dates = [(e.start, e.end) for e in doc.ents if e.label_ == "DATE"]
    return DocView(
        text=text_of(doc),
        language="en",
        tokens=tokens,
        sentences=sentences,
        published=published,
        orgs=orgs,
        countries=countries,
        people=people,
        dates=dates,
        places=places,
        title_end=title_end,
    )
