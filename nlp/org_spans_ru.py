"""Russian organization names as news writes them: span repair and the open-world path.

The Russian counterpart of `nlp.org_spans`, on natasha's tokens and the gazetteer hits of
`nlp.russian.RussianAnalyzer`:

- a body's name goes on through its country in the genitive, its quoted brand and "при <body>":
  «Национальным информационным агентством Таджикистана «Ховар»», «агентства транспорта и коммуникаций при
  Кабинете министров Туркменистана» (the names inside it are part of it, not organizations of their own);
- two names natasha glues together are two: «агентству Туркменсвязь | агентства транспорта …»;
- names natasha misses: a generic organization noun before a capitalised or quoted name («хозяйственным
  обществом Баш бина», «оператор «Казахтелеком»»), foreign brands written in Latin letters («Global Check»,
  «Beeline»: Russian news transliterates people's names, not brands), and site names («orda.kz»);
- technologies («Интернет», «VPN») are not organizations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from nlp.gazetteer import Gazetteer, Organization

# Generic nouns of organizations (lemmas): before a name they introduce it, inside a span they start a new one.
ORG_NOUNS_RU = frozenset(
    {
        "агентство",
        "министерство",
        "комитет",
        "служба",
        "компания",
        "общество",
        "оператор",
        "издание",
        "газета",
        "телеканал",
        "радиостанция",
        "портал",
        "сайт",
        "сервис",
        "банк",
        "фонд",
        "корпорация",
        "концерн",
        "холдинг",
        "предприятие",
        "организация",
        "ассоциация",
        "союз",
        "центр",
        "инспекция",
        "управление",
        "департамент",
        "провайдер",
        "мессенджер",
        "соцсеть",
        "платформа",
        "телерадиокомпания",
        "информагентство",
    }
)
# Nouns after which a name is not a name: "в рамках программы «Цифровой Узбекистан»".
THING_NOUNS_RU = frozenset(
    {"программа", "проект", "стратегия", "форум", "конференция", "выставка", "закон", "кодекс"}
)
TECHNOLOGIES_RU = frozenset(
    {"интернет", "vpn", "впн", "wi-fi", "5g", "4g", "3g", "lte", "ip", "dns", "sim", "it", "ит"}
)
_LATIN = re.compile(r"^[A-Z][A-Za-z0-9&'’.-]*$")
_DOMAIN = re.compile(r"^(?:www\.)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.([a-z]{2,6})$")
_SITE_DOMAINS = frozenset(
    {"com", "net", "org", "info", "news", "media", "tv", "asia", "io", "ru", "kz", "kg", "uz", "tj", "tm"}
)
_OPEN_QUOTES = frozenset({"«", "“", '"', "„"})
_CLOSE_QUOTES = frozenset({"»", "”", '"', "“"})


class TokenView(Protocol):
    """What these rules read of a Russian token (nlp.russian.RuToken has these attributes)."""

    i: int
    text: str
    lemma: str
    pos: str
    feats: dict[str, str]
    sent: int
    start: int
    stop: int


@dataclass
class Hit:
    """An organization mention: token range, gazetteer entry or None, and the ids a shared name may mean."""

    start: int
    end: int
    org: Organization | None
    org_ids: tuple[str, ...] = ()
    normal: str | None = None  # nominative of the name where natasha gave one


def repair(
    tokens: Sequence[TokenView],
    text: str,
    hits: list[Hit],
    *,
    country_tokens: set[int],
    gazetteer: Gazetteer,
    blocked: set[int],
) -> list[Hit]:
    """The hits with their spans repaired and the names natasha missed added, sorted by position."""
    rules = _Rules(tokens, text, country_tokens, gazetteer, blocked)
    split = [part for hit in hits for part in rules.split(hit)]
    extended = rules.extend(split)
    found = rules.missed(extended)
    return sorted((h for h in extended + found if rules.is_organization(h)), key=lambda h: h.start)


def surface(tokens: Sequence[TokenView], text: str, hit: Hit) -> str:
    """The mention as written."""
    return text[tokens[hit.start].start : tokens[hit.end - 1].stop]


class _Rules:
    def __init__(
        self,
        tokens: Sequence[TokenView],
        text: str,
        country_tokens: set[int],
        gazetteer: Gazetteer,
        blocked: set[int],
    ) -> None:
        self.tokens = tokens
        self.text = text
        self.country_tokens = country_tokens
        self.gazetteer = gazetteer
        self.blocked = blocked

    def capitalised(self, token: TokenView) -> bool:
        return token.text[:1].isupper()

    def split(self, hit: Hit) -> list[Hit]:
        """ "Туркменсвязь агентства транспорта …": a capitalised name, then a lower-case organization noun."""
        if hit.org is not None:
            return [hit]
        for k in range(hit.start + 1, hit.end):
            token = self.tokens[k]
            before = self.tokens[k - 1]
            if (
                token.lemma in ORG_NOUNS_RU
                and token.text[:1].islower()
                and self.capitalised(before)
                and before.pos == "PROPN"
            ):
                return [Hit(hit.start, k, None), Hit(k, hit.end, None)]
        return [hit]

    def extend(self, hits: list[Hit]) -> list[Hit]:
        """Each hit over its country in the genitive, its quoted brand and "при <body>"; hits inside absorbed."""
        hits = sorted(hits, key=lambda h: h.start)
        result: list[Hit] = []
        for hit in hits:
            if result and hit.end <= result[-1].end:
                outer = result[-1]
                # «Национальным информационным агентством Таджикистана «Ховар»»: the brand names the whole body.
                if outer.org is None and hit.org is not None and not outer.org_ids:
                    outer.org, outer.org_ids = hit.org, hit.org_ids
                continue
            end = self._extension_end(hit)
            if end > hit.end:
                # A gazetteer match of the whole longer name wins over the parts.
                hit = Hit(hit.start, end, hit.org, hit.org_ids, hit.normal)
            result.append(hit)
        return result

    def _extension_end(self, hit: Hit) -> int:
        tokens = self.tokens
        head = tokens[hit.start]
        if hit.org is not None or hit.org_ids:
            return hit.end  # a gazetteer name is the whole name ("Казахтелеком", "ГКНБ")
        end = hit.end
        for _ in range(6):
            if end >= len(tokens) or tokens[end].sent != head.sent:
                break
            token = tokens[end]
            if end in self.country_tokens and token.feats.get("Case") == "Gen":
                while end < len(tokens) and end in self.country_tokens:
                    end += 1
                continue
            if token.text in _OPEN_QUOTES:
                close = self._quote_end(end)
                if close is None:
                    break
                end = close
                continue
            if token.lemma == "при" and end + 1 < len(tokens) and self.capitalised(tokens[end + 1]):
                end = self._noun_phrase_end(end + 1)
                continue
            break
        return end

    def _quote_end(self, start: int) -> int | None:
        """End (after the closing quote) of a short quoted name starting at `start`, or None."""
        tokens = self.tokens
        for k in range(start + 1, min(start + 8, len(tokens))):
            if tokens[k].text in _CLOSE_QUOTES:
                inside = tokens[start + 1 : k]
                if inside and self.capitalised(inside[0]):
                    return k + 1
                return None
            if tokens[k].sent != tokens[start].sent:
                return None
        return None

    def _noun_phrase_end(self, start: int) -> int:
        """ "Кабинете министров Туркменистана": a noun, its genitive complements, within the sentence."""
        tokens = self.tokens
        end = start + 1
        while (
            end < len(tokens)
            and tokens[end].sent == tokens[start].sent
            and tokens[end].pos in {"NOUN", "PROPN", "ADJ"}
            and (tokens[end].feats.get("Case") == "Gen" or end in self.country_tokens)
        ):
            end += 1
        return end

    def missed(self, hits: list[Hit]) -> list[Hit]:
        taken = {i for h in hits for i in range(h.start, h.end)} | self.blocked
        found: list[Hit] = []
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            if i in taken:
                i += 1
                continue
            token = tokens[i]
            # A generic organization noun before a capitalised or quoted name: «обществом Баш бина».
            if token.lemma in ORG_NOUNS_RU and i + 1 < len(tokens) and (i + 1) not in taken:
                end = self._introduced_name_end(i + 1)
                if end is not None:
                    quoted = tokens[i + 1].text in _OPEN_QUOTES
                    start, stop = (i + 2, end - 1) if quoted else (i + 1, end)
                    if stop > start and not taken & set(range(start, stop)):
                        found.append(Hit(start, stop, self._lookup(start, stop)))
                        taken.update(range(i + 1, end))
                        i = end
                        continue
            site_end = self._site_name_end(i)
            if site_end is not None and not taken & set(range(i, site_end)):
                found.append(Hit(i, site_end, self._lookup(i, site_end)))
                taken.update(range(i, site_end))
                i = site_end
                continue
            if self._latin_name(token) or self._site_name(token):
                end = self._latin_run_end(i, taken)
                # «Huawei International PTE., Ltd»: the words after a known brand are the rest of its name.
                before = next(
                    (h for h in [*hits, *found] if h.end == i and self._latin_name(tokens[h.end - 1])), None
                )
                if before is not None:
                    before.end = end
                else:
                    found.append(Hit(i, end, self._lookup(i, end)))
                taken.update(range(i, end))
                i = end
                continue
            i += 1
        return found

    def _introduced_name_end(self, start: int) -> int | None:
        """End of the name a generic organization noun introduces: a quoted name, or up to four capitalised
        words ("Баш бина": natasha may read the second word of a foreign name as a lower-case noun)."""
        tokens = self.tokens
        first = tokens[start]
        if first.text in _OPEN_QUOTES:
            return self._quote_end(start)
        if (
            not self.capitalised(first)
            or start in self.country_tokens
            or first.pos not in {"PROPN", "NOUN", "X", "ADJ"}
        ):
            return None
        if first.feats.get("Animacy") == "Anim" and first.pos == "PROPN":
            return None  # a person: "директор Субхиддин Шамсиддинзода"
        end = start + 1
        while end < len(tokens) and tokens[end].sent == first.sent and end - start < 4:
            word = tokens[end]
            foreign_second_word = (
                end == start + 1
                and first.pos == "PROPN"
                and word.text[:1].islower()
                and word.pos in {"NOUN", "X", "PROPN"}
                and word.lemma not in ORG_NOUNS_RU
            )
            if (self.capitalised(word) and end not in self.country_tokens) or foreign_second_word:
                end += 1
                continue
            break
        return end

    def _latin_run_end(self, i: int, taken: set[int]) -> int:
        """Latin words of one name, with the dots and commas of a legal form between them ("PTE., Ltd")."""
        tokens = self.tokens
        end = i + 1
        while end < len(tokens) and end not in taken and tokens[end].sent == tokens[i].sent:
            if self._latin_name(tokens[end]):
                end += 1
                continue
            if (
                tokens[end].text in {".", ",", "&"}
                and end + 1 < len(tokens)
                and self._latin_name(tokens[end + 1])
                and tokens[end - 1].stop == tokens[end].start
            ):
                end += 1
                continue
            break
        while end > i + 1 and tokens[end - 1].text in {".", ",", "&"}:
            end -= 1
        return end

    def _latin_name(self, token: TokenView) -> bool:
        return (
            bool(_LATIN.match(token.text))
            and token.text.lower() not in TECHNOLOGIES_RU
            and len(token.text) > 1
        )

    def _site_name_end(self, i: int) -> int | None:
        """ "orda.kz" as the tokenizer leaves it: "orda" "." "kz", written without spaces."""
        tokens = self.tokens
        if (
            i + 2 >= len(tokens)
            or tokens[i + 1].text != "."
            or tokens[i + 2].text.lower() not in _SITE_DOMAINS
        ):
            return None
        if not (tokens[i].stop == tokens[i + 1].start and tokens[i + 1].stop == tokens[i + 2].start):
            return None
        return i + 3 if re.match(r"^[A-Za-z0-9-]+$", tokens[i].text) else None

    def _site_name(self, token: TokenView) -> bool:
        match = _DOMAIN.match(token.text)
        return match is not None and match.group(1).lower() in _SITE_DOMAINS

    def _lookup(self, start: int, end: int) -> Organization | None:
        name = self.text[self.tokens[start].start : self.tokens[end - 1].stop]
        match = self.gazetteer.lookup(name)
        return match.org if match else None

    def is_organization(self, hit: Hit) -> bool:
        tokens = self.tokens
        words = tokens[hit.start : hit.end]
        if hit.org is not None:
            return True
        if all(t.lemma in TECHNOLOGIES_RU or t.text.lower() in TECHNOLOGIES_RU for t in words):
            return False
        before = tokens[hit.start - 1] if hit.start > 0 else None
        if before is not None and before.text in _OPEN_QUOTES and hit.start > 1:
            before = tokens[hit.start - 2]
        return not (before is not None and before.lemma in THING_NOUNS_RU)
