"""Russian token adapter: natasha's Universal Dependencies parse (`nlp.russian.RuDoc`) as the `DocView`.

natasha already writes Universal Dependencies; the adapter folds its subtypes (nsubj:pass, acl:relcl, flat:name)
into the view's relations, puts the preposition of an oblique argument in `case` ("с Huawei" → case "с"), reads
number, case, tense and aspect from the morphology, and finds dates ("17 ноября", "в июне 2026 года").
"""

from __future__ import annotations

import re
from datetime import date

from nlp.countries import CountryLexicon
from nlp.events.view import CountryRef, DocView, OrgRef, Tok
from nlp.russian import RuDoc

_RELS = {
    "nsubj": "subj",
    "csubj": "subj",
    "nsubj:pass": "subj_pass",
    "obj": "obj",
    "iobj": "iobj",
    "obl": "obl",
    "obl:agent": "agent",
    "nmod": "nmod",
    "amod": "amod",
    "appos": "appos",
    "conj": "conj",
    "cc": "cc",
    "aux": "aux",
    "aux:pass": "aux",
    "xcomp": "xcomp",
    "ccomp": "ccomp",
    "advcl": "advcl",
    "acl": "acl",
    "acl:relcl": "relcl",
    "det": "det",
    "nummod": "nummod",
    "nummod:gov": "nummod",
    "case": "case",
    "mark": "mark",
    "root": "root",
    "flat": "compound",
    "flat:name": "compound",
    "flat:foreign": "compound",
    "compound": "compound",
    "advmod": "advmod",
    "punct": "punct",
}
_DEFINITE = frozenset({"этот", "данный", "указанный", "тот", "такой", "настоящий"})
DATE_RU = re.compile(
    r"\b\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
    r"(?:\s+\d{4}(?:\s+года)?)?"
    r"|\bв?о?\s*(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b"
    r"|\b(?:в\s+)?(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре)"
    r"(?:\s+\d{4}\s+года)?"
    r"|\b(?:вчера|сегодня|завтра|позавчера)\b"
    r"|\bв\s+\d{4}\s+году\b"
    r"|\b\d{1,2}\.\d{1,2}\.\d{4}\b",
    re.IGNORECASE,
)


def view_of(doc: RuDoc, lexicon: CountryLexicon, published: date | None, title_end: int = 0) -> DocView:
    """The view of a parsed Russian document (after organizations and countries have been found)."""
    tokens: list[Tok] = []
    for token in doc.tokens:
        rel = _RELS.get(token.rel, "other")
        feats = token.feats
        case = ""
        if rel in {"obl", "nmod"}:
            prepositions = [
                doc.tokens[c] for c in doc.children.get(token.i, []) if doc.tokens[c].rel == "case"
            ]
            case = " ".join(p.lemma for p in prepositions)
            if not case and rel == "obl" and feats.get("Case") == "Ins" and _passive_head(doc, token.head):
                rel = "agent"  # "подписан министерством": the instrumental of a passive is its agent
        tokens.append(
            Tok(
                i=token.i,
                text=token.text,
                lower=token.lower,
                lemma=token.lemma,
                pos=token.pos,
                rel=rel,
                head=token.head,
                sent=token.sent,
                start=token.start,
                end=token.stop,
                case=case,
                gram_case=feats.get("Case", ""),
                plural=feats.get("Number") == "Plur",
                finite_future=feats.get("Tense") == "Fut",
                past=feats.get("Tense") == "Past",
                participle=feats.get("VerbForm") == "Part",
                definite=any(
                    doc.tokens[c].rel == "det" and doc.tokens[c].lemma in _DEFINITE
                    for c in doc.children.get(token.i, [])
                ),
            )
        )
    orgs = [
        OrgRef(h.start, h.end, h.org, h.surface, h.org.name if h.org else h.name)
        for h in doc.orgs
        if h.end > h.start
    ]
    countries = [CountryRef(h.start, h.end, h.code, h.text, h.how) for h in doc.countries]
    return DocView(
        text=doc.text,
        language="ru",
        tokens=tokens,
        sentences=list(doc.sentences),
        published=published,
        orgs=orgs,
        countries=countries,
        people=[p for p in doc.people if p[1] > p[0]],
        dates=_dates(doc),
        places=[
            (t.i, t.i + 1, code)
            for t in doc.tokens
            if t.text[:1].isupper() and (code := lexicon.place_country(t.lemma)) is not None
        ],
        title_end=title_end,
    )


def _passive_head(doc: RuDoc, index: int) -> bool:
    if index < 0:
        return False
    head = doc.tokens[index]
    return head.feats.get("Voice") == "Pass" or (
        head.feats.get("VerbForm") == "Part" and head.feats.get("Voice") == "Pass"
    )


def _dates(doc: RuDoc) -> list[tuple[int, int]]:
    spans = []
    for match in DATE_RU.finditer(doc.text):
        inside = [t.i for t in doc.tokens if t.start >= match.start() and t.stop <= match.end()]
        if inside:
            spans.append((inside[0], inside[-1] + 1))
    return spans
