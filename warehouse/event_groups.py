"""One agreement or censorship act reported by several articles is one event group.

Outlets report the same signing, in English and in Russian, on the same day or a few days apart; the NLP reads
each article alone, so the warehouse holds one `events` row per article. `regroup` puts the rows that report one
act into one group (`event_groups`), and v_agreements / v_censorship_events (and the digest) show each group
once, with all its articles.

Two events are one act when, across two different articles:
- they are of the same type, and their subtypes do not contradict (a "memorandum" is not a "loan"; a generic
  "agreement" or "deal" fits any agreement; censorship subtypes must be equal);
- their parties agree, compared through their states' eyes: a state body counts as its state (the Ministry of
  Digital Development of Kazakhstan is KZ). Agreements: one article's parties are a subset of the other's, at
  least two of them. Censorship acts: they share an actor;
- their dates agree: both dates as precise as the texts, one a prefix of the other ("2026-03" and
  "2026-03-05"); when one report gives no date, it was published in the other's period or at most
  `WINDOW_DAYS` after it; when neither does, the articles were published at most `WINDOW_DAYS` apart;
- for censorship acts, their targets do not contradict: two named targets (the subjects' words, Latin-script
  names when the languages differ) must share a word.

Groups grow greedily in publication order and every member must fit the group's first report (no chains of
resemblance). Syndicated copies (`articles.duplicate_of`) are left out, as in the views. The grouping is
recomputed from the events in full; it is cheap (events are few) and cannot go stale.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from warehouse.db import write_transaction

__all__ = ["WINDOW_DAYS", "EventReport", "regroup", "same_act"]

WINDOW_DAYS = 10
# Agreement subtypes that say nothing more than "an agreement": they fit any other.
_GENERIC_AGREEMENTS = frozenset({"agreement", "deal", "cooperation", "partnership", "intergovernmental", ""})
# Words of a censorship subject that do not say what was restricted.
_TARGET_FILLER = frozenset(
    {
        "access",
        "the",
        "and",
        "website",
        "websites",
        "site",
        "sites",
        "service",
        "services",
        "app",
        "доступ",
        "сайт",
        "сайты",
        "сайтов",
        "сайту",
        "сервис",
        "сервисы",
        "приложение",
    }
)
_WORD = re.compile(r"[\w.]+", re.UNICODE)
_LATIN = re.compile(r"^[a-z0-9.]+$")


@dataclass
class EventReport:
    """One article's report of an act, as the grouping compares it (`keys`: its parties through their states'
    eyes; `target`: the words of its subject)."""

    id: str
    article_id: str
    type: str
    subtype: str
    date: str | None
    published: dt.date | None
    language: str | None
    keys: frozenset[str]
    target: frozenset[str]


@dataclass
class _Group:
    order: int
    first: EventReport
    articles: set[str] = field(default_factory=set)


def regroup(conn: duckdb.DuckDBPyConnection, state_kinds: frozenset[str]) -> int:
    """Recompute `event_groups` from the stored events; return how many groups hold more than one article.

    `state_kinds` are the organization kinds that act for their state (ministries, regulators…: the NLP's
    gazetteer says which)."""
    events = _events(conn, state_kinds)
    groups: list[_Group] = []
    by_key: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    assignment: list[tuple[str, str]] = []
    for event in sorted(events, key=lambda e: (e.published or date.max, e.article_id, e.id)):
        candidates = {id(g): g for key in event.keys for g in by_key[(event.type, key)]}
        host = next(
            (
                g
                for g in sorted(candidates.values(), key=lambda g: g.order)
                if event.article_id not in g.articles and same_act(g.first, event)
            ),
            None,
        )
        if host is None:
            host = _Group(order=len(groups), first=event)
            groups.append(host)
            for key in event.keys:
                by_key[(event.type, key)].append(host)
        host.articles.add(event.article_id)
        assignment.append((event.id, host.first.id))
    with write_transaction(conn):
        conn.execute("DELETE FROM event_groups")
        if assignment:
            conn.executemany("INSERT INTO event_groups (event_id, group_id) VALUES (?, ?)", assignment)
    return sum(1 for g in groups if len(g.articles) > 1)


def _events(conn: duckdb.DuckDBPyConnection, state_kinds: frozenset[str]) -> list[EventReport]:
    parties: dict[str, set[str]] = defaultdict(set)
    rows = conn.execute(
        """
        SELECT p.event_id, p.kind, p.code, coalesce(p.canonical, p.name), o.kind, o.country
        FROM event_parties AS p
        LEFT JOIN organizations AS o ON o.id = p.code AND p.kind = 'organization'
        """
    ).fetchall()
    for event_id, kind, code, label, org_kind, org_country in rows:
        if kind == "country" and code:
            parties[event_id].add(code)
        elif org_kind in state_kinds and org_country:
            parties[event_id].add(org_country)  # the ministry acts for its state
        elif code:
            parties[event_id].add(code)
        else:
            parties[event_id].add("name:" + str(label).casefold())
    result = []
    for event_id, article_id, kind, subtype, when, published, language, subject in conn.execute(
        """
        SELECT e.id, e.article_id, e.type, coalesce(e.subtype, ''), e.date, a.published_date, a.language,
            e.subject
        FROM events AS e JOIN articles AS a ON a.id = e.article_id
        WHERE a.duplicate_of IS NULL
        """
    ).fetchall():
        words = {w for w in _WORD.findall(str(subject or "").casefold()) if len(w) > 2}
        result.append(
            EventReport(
                id=event_id,
                article_id=article_id,
                type=kind,
                subtype=subtype,
                date=when,
                published=published,
                language=language,
                keys=frozenset(parties.get(event_id, ())),
                target=frozenset(words - _TARGET_FILLER),
            )
        )
    return result


def same_act(a: EventReport, b: EventReport) -> bool:
    """Whether two events of two articles report one agreement or act (the rules in the module docstring)."""
    if a.type != b.type or a.article_id == b.article_id or not a.keys or not b.keys:
        return False
    if a.type == "agreement":
        if a.subtype != b.subtype and not {a.subtype, b.subtype} & _GENERIC_AGREEMENTS:
            return False
        small, large = sorted((a.keys, b.keys), key=len)
        if len(small) < 2 or not small <= large:
            return False
    else:
        if a.subtype != b.subtype or not a.keys & b.keys:
            return False
        if not _targets_agree(a, b):
            return False
    return _dates_agree(a, b)


def _dates_agree(a: EventReport, b: EventReport) -> bool:
    if a.date and b.date:
        return a.date.startswith(b.date) or b.date.startswith(a.date)
    if a.date or b.date:
        # One report dates the act, the other does not: the undated one was published during that period or
        # soon after ("signed on 17 November" and a report of 18 November; not a background "in 2021").
        dated, undated = (a, b) if a.date else (b, a)
        period = _period(str(dated.date))
        if period is None or undated.published is None:
            return False
        return period[0] <= undated.published <= period[1] + timedelta(days=WINDOW_DAYS)
    if a.published is None or b.published is None:
        return False
    return abs((a.published - b.published).days) <= WINDOW_DAYS


def _period(value: str) -> tuple[date, date] | None:
    """The days a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date covers."""
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - timedelta(days=1)
        day = date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    return day, day


def _targets_agree(a: EventReport, b: EventReport) -> bool:
    first, second = a.target, b.target
    if a.language != b.language:
        # Across languages only names written alike compare ("TikTok", "Kloop", "vlast.kz").
        first = frozenset(w for w in first if _LATIN.match(w))
        second = frozenset(w for w in second if _LATIN.match(w))
    return not (first and second) or bool(first & second)
