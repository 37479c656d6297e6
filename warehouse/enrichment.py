"""Articles for the NLP to read, and its analyses stored: organizations, countries, events, topics.

The analysis is the dict of docs/architecture.md ("NLP"). Saving an article's analysis replaces whatever was
stored for it before, in one transaction, so saving twice leaves the same rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import duckdb

from warehouse.db import id_list, staged, write_transaction
from warehouse.errors import LoadError, one_line

__all__ = [
    "articles_of",
    "articles_to_enrich",
    "claim_articles",
    "claimed_by_others",
    "count_to_enrich",
    "delete_enrichment_of",
    "event_id",
    "ids_to_enrich",
    "save_enrichment",
    "save_enrichments",
    "unknown_org_id",
]

EVENT_TYPES = ("agreement", "censorship")
PARTY_KINDS = ("organization", "country")
_EVENT_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_QUOTES = re.compile(r"[\"'«»“”„`‘’]")
_WHITESPACE = re.compile(r"\s+")


# The articles the NLP has still to read: not copies, never enriched (or, with the first parameter true, enriched by
# another NLP version than the second parameter).
_TO_ENRICH = "duplicate_of IS NULL AND (nlp_version IS NULL OR (? AND nlp_version <> ?))"


def articles_to_enrich(
    conn: duckdb.DuckDBPyConnection, nlp_version: str, *, reprocess: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """Articles never enriched, plus (with `reprocess`) those enriched by another NLP version; copies skipped.

    Each is `{id, title, text, published_date (date|None), language}`, oldest first.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    cursor = conn.execute(
        f"SELECT id, title, text, published_date, language FROM articles WHERE {_TO_ENRICH} "
        "ORDER BY first_seen_at, id LIMIT ?",
        [reprocess, nlp_version, limit],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def ids_to_enrich(
    conn: duckdb.DuckDBPyConnection, nlp_version: str, *, reprocess: bool = False, limit: int | None = None
) -> list[str]:
    """The ids of the articles `articles_to_enrich` returns, in its order: the texts are then read a few at a
    time (`articles_of`), so that a backfill of 100,000 articles is not held in memory at once."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    rows = conn.execute(
        f"SELECT id FROM articles WHERE {_TO_ENRICH} ORDER BY first_seen_at, id LIMIT ?",
        [reprocess, nlp_version, limit],
    ).fetchall()
    return [row[0] for row in rows]


def articles_of(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The articles `ids` as `articles_to_enrich` gives them, in the order of `ids` (those gone left out)."""
    if not ids:
        return []
    wanted, params = id_list(ids)
    cursor = conn.execute(
        f"SELECT id, title, text, published_date, language FROM articles WHERE id IN {wanted}", params
    )
    columns = [d[0] for d in cursor.description]
    found = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    return [found[article_id] for article_id in ids if article_id in found]


def count_to_enrich(conn: duckdb.DuckDBPyConnection, nlp_version: str, *, reprocess: bool = False) -> int:
    """How many articles `articles_to_enrich` would return (without a limit)."""
    row = conn.execute(
        f"SELECT count(*) FROM articles WHERE {_TO_ENRICH}", [reprocess, nlp_version]
    ).fetchone()
    return int(row[0]) if row else 0


def claim_articles(
    conn: duckdb.DuckDBPyConnection,
    worker: str,
    nlp_version: str,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    reprocess: bool = False,
) -> list[dict[str, Any]]:
    """Up to `limit` articles to enrich (as `articles_to_enrich`) that no live claim holds, claimed for `worker`
    at `now`, in one write transaction: two workers asking at once get different articles (on a lake the second
    one's claim loses its commit and asks again). A claim older than `lease` is taken over."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    with write_transaction(conn):
        cursor = conn.execute(
            f"""
            SELECT id, title, text, published_date, language FROM articles AS a
            WHERE {_TO_ENRICH}
                AND NOT EXISTS (SELECT 1 FROM enrich_claims AS c WHERE c.article_id = a.id AND c.claimed_at > ?)
            ORDER BY first_seen_at, id
            LIMIT ?
            """,
            [reprocess, nlp_version, now - lease, limit],
        )
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        if rows:
            with staged(conn, {"id": [row["id"] for row in rows]}, {"id": "VARCHAR"}) as claimed:
                conn.execute(
                    f"""
                    MERGE INTO enrich_claims USING {claimed} AS n ON enrich_claims.article_id = n.id
                    WHEN MATCHED THEN UPDATE SET worker = ?, claimed_at = ?
                    WHEN NOT MATCHED THEN INSERT (article_id, worker, claimed_at) VALUES (n.id, ?, ?)
                    """,
                    [worker, now, worker, now],
                )
    return rows


def claimed_by_others(
    conn: duckdb.DuckDBPyConnection, worker: str, *, now: datetime, lease: timedelta
) -> int:
    """How many articles other workers hold live claims on (they are being enriched, or will be once the
    claims expire)."""
    row = conn.execute(
        "SELECT count(*) FROM enrich_claims WHERE worker <> ? AND claimed_at > ?", [worker, now - lease]
    ).fetchone()
    return int(row[0]) if row else 0


def unknown_org_id(name: str) -> str:
    """The id of an organization not in the gazetteer: `unk:` + its name case-folded, quotes and extra spaces gone."""
    cleaned = _WHITESPACE.sub(" ", _QUOTES.sub("", unicodedata.normalize("NFKC", name).casefold())).strip()
    if not cleaned:
        raise LoadError(f"organization name {name!r} is empty once cleaned; it cannot be given an id")
    return f"unk:{cleaned}"


def event_id(article_id: str, event_type: str, sentence: str, subtype: str | None) -> str:
    """A stable event id: the same event read again from the same article keeps its id."""
    key = "\x1f".join((article_id, event_type, sentence, subtype or ""))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def delete_enrichment_of(conn: duckdb.DuckDBPyConnection, article_ids: list[str]) -> None:
    """Remove everything the NLP stored for these articles, in a few statements (inside the caller's
    transaction)."""
    conn.execute(
        "DELETE FROM event_parties WHERE event_id IN "
        "(SELECT id FROM events WHERE article_id IN (SELECT unnest(?::VARCHAR[])))",
        [article_ids],
    )
    for table in ("events", "article_organizations", "article_countries", "article_topics"):
        conn.execute(
            f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",  # table names are ours
            [article_ids],
        )


def save_enrichment(
    conn: duckdb.DuckDBPyConnection, article_id: str, analysis: dict[str, Any], nlp_version: str
) -> None:
    """Replace the stored analysis of `article_id` with `analysis` and mark the article enriched.

    Raises `LoadError` when the analysis does not follow the contract or the article is unknown; nothing is
    written then.
    """
    failed = save_enrichments(conn, [(article_id, analysis)], nlp_version)
    if failed:
        raise LoadError(failed[0][1])


def save_enrichments(
    conn: duckdb.DuckDBPyConnection, analyses: list[tuple[str, dict[str, Any]]], nlp_version: str
) -> list[tuple[str, str]]:
    """`save_enrichment` for a batch of (article id, analysis), in one transaction: what a DuckLake warehouse
    wants (each commit is a snapshot in its catalog, and concurrent writers take turns at commit). Returns the
    (article id, error) of the analyses that break the contract or whose article is unknown: those are left out,
    the others saved. Saving them one by one in this order stores the same rows."""
    failed: list[tuple[str, str]] = []
    valid: list[tuple[str, dict[str, list[tuple[Any, ...]]]]] = []
    for article_id, analysis in analyses:
        try:
            valid.append((article_id, _analysis_rows(article_id, analysis)))
        except LoadError as exc:
            failed.append((article_id, str(exc)))
    if valid:
        marks = ", ".join("?" for _ in valid)
        known = {
            row[0]
            for row in conn.execute(
                f"SELECT id FROM articles WHERE id IN ({marks})", [a for a, _ in valid]
            ).fetchall()
        }
        for article_id, _ in valid:
            if article_id not in known:
                failed.append(
                    (
                        article_id,
                        f"no article {article_id} in the warehouse; load it before saving its analysis",
                    )
                )
        valid = [(a, rows) for a, rows in valid if a in known]
    if not valid:
        return failed
    ids = [article_id for article_id, _ in valid]
    gazetteer: dict[str, tuple[Any, ...]] = {}
    others: dict[str, tuple[Any, ...]] = {}
    tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name, _ in _ROW_TABLES}
    for _, rows in valid:
        for row in rows["gazetteer_orgs"]:
            gazetteer[row[0]] = row  # the gazetteer's entry: the same whichever article names it
        for row in rows["other_orgs"]:
            others.setdefault(row[0], row)  # the first name an organization was seen under stays
        for name, _ in _ROW_TABLES:
            tables[name].extend(rows[name])
    marks = ", ".join("?" for _ in ids)
    try:
        with write_transaction(conn):
            delete_enrichment_of(conn, ids)
            if gazetteer:
                _merge_organizations(conn, [(*row, True) for row in gazetteer.values()], update=True)
            if others:
                _merge_organizations(conn, list(others.values()), update=False)
            for name, width in _ROW_TABLES:
                _insert_rows(conn, name, width, tables[name])
            conn.execute(
                f"UPDATE articles SET nlp_version = ?, enriched_at = current_timestamp WHERE id IN ({marks})",
                [nlp_version, *ids],
            )
            conn.execute(f"DELETE FROM enrich_claims WHERE article_id IN ({marks})", ids)  # done: unclaimed
    except duckdb.Error as exc:
        what = (
            f"the analysis of article {ids[0]}" if len(ids) == 1 else f"the analyses of {len(ids)} articles"
        )
        raise LoadError(f"cannot save {what}: {one_line(exc)}") from exc
    return failed


# The tables of an analysis's rows, with their widths, in the order they are written.
_ROW_TABLES = (
    ("article_organizations", 4),
    ("article_countries", 4),
    ("events", 10),
    ("event_parties", 6),
    ("article_topics", 2),
)
# Rows a single INSERT … VALUES takes at most (DuckDB binds every value as a parameter).
_VALUES_PER_INSERT = 500


def _merge_organizations(
    conn: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]], *, update: bool
) -> None:
    """MERGE organizations (id, name, kind, country, in_gazetteer): gazetteer entries update a known row
    (`update`), other names only add a new one."""
    matched = (
        "WHEN MATCHED THEN UPDATE SET name = o.name, kind = o.kind, country = o.country, in_gazetteer = true "
        if update
        else ""
    )
    for start in range(0, len(rows), _VALUES_PER_INSERT):
        part = rows[start : start + _VALUES_PER_INSERT]
        values = ", ".join("(?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::BOOLEAN)" for _ in part)
        conn.execute(
            f"""
            MERGE INTO organizations USING (VALUES {values}) AS o(id, name, kind, country, in_gazetteer)
            ON organizations.id = o.id
            {matched}WHEN NOT MATCHED THEN INSERT (id, name, kind, country, in_gazetteer)
                VALUES (o.id, o.name, o.kind, o.country, o.in_gazetteer)
            """,
            [value for row in part for value in row],
        )


def _insert_rows(
    conn: duckdb.DuckDBPyConnection, table: str, width: int, rows: list[tuple[Any, ...]]
) -> None:
    """Rows into `table` a few hundred a statement (on a lake, each statement has its own cost in the catalog)."""
    placeholders = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), _VALUES_PER_INSERT):
        part = rows[start : start + _VALUES_PER_INSERT]
        conn.execute(
            f"INSERT INTO {table} VALUES {', '.join(placeholders for _ in part)}",  # table names are ours
            [value for row in part for value in row],
        )


def _analysis_rows(article_id: str, analysis: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Check the analysis against the contract and turn it into rows, merging what maps to one key."""
    where = f"analysis of article {article_id}"
    if not isinstance(analysis, dict):
        raise LoadError(f"{where}: expected a dict, not {type(analysis).__name__}")
    if analysis.get("id", article_id) != article_id:
        raise LoadError(f"{where}: it is the analysis of article {analysis.get('id')!r}")
    lists = {
        key: _get(analysis, key, list, where) for key in ("organizations", "countries", "events", "topics")
    }

    gazetteer_orgs: dict[str, tuple[Any, ...]] = {}
    other_orgs: dict[str, tuple[Any, ...]] = {}
    mentions: dict[str, list[Any]] = {}
    for n, org in enumerate(lists["organizations"]):
        at = f"{where}: organizations[{n}]"
        name = _get(org, "name", str, at)
        canonical = _get(org, "canonical", str, at, nullable=True) or name
        gaz_id = _get(org, "id", str, at, nullable=True)
        kind = _get(org, "kind", str, at, nullable=True)
        country = _get(org, "country", str, at, nullable=True)
        count = _get(org, "mentions", int, at)
        org_id = gaz_id or unknown_org_id(canonical)
        if gaz_id:
            gazetteer_orgs.setdefault(org_id, (org_id, canonical, kind, country))
        else:
            other_orgs.setdefault(org_id, (org_id, canonical, kind, country, False))
        mentions.setdefault(org_id, [article_id, org_id, name, 0])[3] += count

    countries: dict[str, list[Any]] = {}
    for n, country_mention in enumerate(lists["countries"]):
        at = f"{where}: countries[{n}]"
        code = _get(country_mention, "code", str, at).upper()
        entry = countries.setdefault(code, [article_id, code, _get(country_mention, "name", str, at), 0])
        entry[3] += _get(country_mention, "mentions", int, at)

    events: dict[str, tuple[Any, ...]] = {}
    parties: list[tuple[Any, ...]] = []
    for n, event in enumerate(lists["events"]):
        at = f"{where}: events[{n}]"
        event_type = _get(event, "type", str, at)
        if event_type not in EVENT_TYPES:
            raise LoadError(f"{at}: type {event_type!r} is not one of {', '.join(EVENT_TYPES)}")
        sentence = _get(event, "sentence", str, at)
        subtype = _get(event, "subtype", str, at, nullable=True)
        date = _get(event, "date", str, at, nullable=True)
        if date is not None and not _EVENT_DATE.match(date):
            raise LoadError(f"{at}: date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        eid = event_id(article_id, event_type, sentence, subtype)
        if eid in events:  # the same act read twice from one sentence is one event
            continue
        confidence = _get(event, "confidence", (int, float), at, nullable=True)
        events[eid] = (
            eid,
            article_id,
            event_type,
            subtype,
            _get(event, "status", str, at, nullable=True),
            date,
            _get(event, "date_text", str, at, nullable=True),
            _get(event, "subject", str, at, nullable=True),
            sentence,
            None if confidence is None else float(confidence),
        )
        for position, party in enumerate(_get(event, "parties", list, at)):
            pat = f"{at}.parties[{position}]"
            kind = _get(party, "kind", str, pat)
            if kind not in PARTY_KINDS:
                raise LoadError(f"{pat}: kind {kind!r} is not one of {', '.join(PARTY_KINDS)}")
            name = _get(party, "name", str, pat)
            canonical = _get(party, "canonical", str, pat, nullable=True) or name
            code = _get(party, "code", str, pat, nullable=True)
            if kind == "organization":
                # Party codes join organizations.id, so an organization outside the gazetteer gets its unk: id.
                org_id = code or unknown_org_id(canonical)
                if org_id not in gazetteer_orgs:
                    other_orgs.setdefault(org_id, (org_id, canonical, None, None, code is not None))
                code = org_id
            parties.append((eid, position, kind, code, name, canonical))

    topics = dict.fromkeys(_get(t, None, str, f"{where}: topics") for t in lists["topics"])
    return {
        "gazetteer_orgs": list(gazetteer_orgs.values()),
        "other_orgs": list(other_orgs.values()),
        "article_organizations": [tuple(v) for v in mentions.values()],
        "article_countries": [tuple(v) for v in countries.values()],
        "events": list(events.values()),
        "event_parties": parties,
        "article_topics": [(article_id, topic) for topic in topics],
    }


def _get(
    obj: Any, key: str | None, types: type | tuple[type, ...], where: str, *, nullable: bool = False
) -> Any:
    """`obj[key]` (or `obj` itself when key is None) checked against `types`; LoadError names what is wrong."""
    if key is not None:
        if not isinstance(obj, dict):
            raise LoadError(f"{where}: expected an object, not {type(obj).__name__}")
        if key not in obj:
            raise LoadError(f"{where}: missing {key!r}")
        value = obj[key]
    else:
        value = obj
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, types):
        label = f"{key!r}" if key else "value"
        raise LoadError(f"{where}: {label} is {type(value).__name__}, expected {_type_names(types)}")
    return value


def _type_names(types: type | tuple[type, ...]) -> str:
    names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
    return " or ".join(names)
