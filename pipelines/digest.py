"""The weekly digest: which ISO week to report on, what it says (`build_digest`), and its Markdown.

The HTML version (pipelines.digest_html) renders the same `Digest`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pipelines.errors import ConfigError

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def resolve_week(week: str | None, *, today: date, latest: date | None) -> tuple[str, date]:
    """Return (label, Monday) for `2026-W47`, `latest` (the newest week with articles) or None (last complete week)."""
    if week is None:
        monday = today - timedelta(days=today.isoweekday() - 1) - timedelta(days=7)
    elif week == "latest":
        base = latest or today
        monday = base - timedelta(days=base.isoweekday() - 1)
    else:
        match = WEEK_RE.match(week.strip())
        if not match:
            raise ConfigError(f"--week {week!r}: expected an ISO week like 2026-W47, or 'latest'")
        try:
            monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError as exc:
            raise ConfigError(f"--week {week!r}: {exc}") from exc
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}", monday


@dataclass
class ReportedEvent:
    """One agreement or censorship act, however many articles of the week reported it."""

    date: str
    parties: str
    subtype: str
    subject: str
    status: str
    outlets: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, url)


@dataclass
class Digest:
    """What the digest of one week says; rendered as Markdown here and as HTML by pipelines.digest_html."""

    label: str
    week_start: date
    week_end: date
    articles: int
    outlets: int
    previous_articles: int
    previous_outlets: int
    agreements: list[ReportedEvent]
    censorship_events: list[ReportedEvent]
    top_organizations: list[dict[str, Any]]
    top_countries: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    new_organizations: list[dict[str, Any]]
    outlet_coverage: list[dict[str, Any]]
    articles_per_day: list[dict[str, Any]]

    @property
    def silent_outlets(self) -> list[str]:
        return [row["source"] for row in self.outlet_coverage if not row["articles"]]


def build_digest(label: str, week_start: date, data: Any) -> Digest:
    """Turn `warehouse.queries.digest_data` into what the digest shows (events reported twice shown once)."""
    return Digest(
        label=label,
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        articles=data.articles,
        outlets=data.outlets,
        previous_articles=data.previous_articles,
        previous_outlets=data.previous_outlets,
        agreements=group_events(data.agreements),
        censorship_events=group_events(data.censorship_events),
        top_organizations=data.top_organizations,
        top_countries=data.top_countries,
        stories=data.stories,
        new_organizations=data.new_organizations,
        outlet_coverage=data.outlet_coverage,
        articles_per_day=data.articles_per_day,
    )


def group_events(rows: list[dict[str, Any]]) -> list[ReportedEvent]:
    """One entry per act: rows of v_agreements / v_censorship_events are already one per act (the warehouse
    groups the reports of several outlets and languages); each entry lists every outlet and article."""
    events = []
    for row in rows:
        urls = list(row.get("urls") or [row.get("url")])
        titles = list(row.get("titles") or [row.get("title")])
        links: list[tuple[str, str]] = []
        for title, url in zip(titles, urls, strict=False):
            link = (str(title or url or ""), str(url or ""))
            if link not in links:
                links.append(link)
        outlets = [str(s) for s in (row.get("sources") or [row.get("source")]) if s]
        events.append(
            ReportedEvent(
                date=str(row.get("date") or row.get("published_date") or ""),
                parties=str(row.get("parties") or ""),
                subtype=str(row.get("subtype") or ""),
                subject=str(row.get("subject") or ""),
                status=str(row.get("status") or ""),
                outlets=list(dict.fromkeys(outlets)),
                links=links,
            )
        )
    return sorted(events, key=lambda e: (e.date, e.parties))


def change(now: int, before: int) -> str:
    """Week-over-week change as text: "+3", "−2", "=" or "new"."""
    if not before:
        return "new" if now else "="
    difference = now - before
    return "=" if difference == 0 else f"{difference:+d}".replace("-", "−")


def _md(text: Any) -> str:
    """Make a value safe inside a Markdown table cell."""
    if text is None:
        return ""
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").strip()


def _link(title: Any, url: Any) -> str:
    label = _md(title) or _md(url)
    label = label.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({_md(url).replace(' ', '%20').replace(')', '%29')})" if url else label


def render_markdown(digest: Digest) -> str:
    """The digest as Markdown: tables for events, organizations, countries, stories and outlets."""
    d = digest
    lines = [
        f"# stanwire weekly digest — {d.label}",
        "",
        f"{d.week_start:%d %b %Y} – {d.week_end:%d %b %Y}",
        "",
        "## The week in numbers",
        "",
        f"- **{d.articles}** articles from **{d.outlets}** outlets "
        f"({change(d.articles, d.previous_articles)} articles on the week before: {d.previous_articles})",
        f"- **{len(d.agreements)}** agreements, **{len(d.censorship_events)}** censorship or shutdown events, "
        f"**{len(d.new_organizations)}** organizations named for the first time",
        "",
    ]
    if d.articles == 0:
        lines += [
            "No articles published in this week are in the warehouse"
            + (
                f"; outlets that wrote the weeks before: {', '.join(d.silent_outlets)}."
                if d.silent_outlets
                else "."
            )
            + " Nothing else to report.",
            "",
        ]
        return "\n".join(lines)
    lines += _events_md("Agreements", d.agreements, "parties", "No agreements reported this week.")
    lines += _events_md(
        "Censorship and shutdowns",
        d.censorship_events,
        "who",
        "No censorship or shutdown events reported this week.",
    )
    lines += ["## Most-mentioned organizations", ""]
    if d.top_organizations:
        lines += ["| organization | kind | articles | change |", "| --- | --- | ---: | ---: |"]
        lines += [
            f"| {_md(r['name'])} | {_md(r['kind'])} | {r['articles']} | {change(r['articles'], r['previous_articles'])} |"
            for r in d.top_organizations
        ]
    else:
        lines.append("No organizations found this week.")
    lines += ["", "## Most-mentioned countries", ""]
    if d.top_countries:
        lines += ["| country | code | articles | change |", "| --- | --- | ---: | ---: |"]
        lines += [
            f"| {_md(r['name'])} | {_md(r['code'])} | {r['articles']} | {change(r['articles'], r['previous_articles'])} |"
            for r in d.top_countries
        ]
    else:
        lines.append("No countries found this week.")
    lines += ["", "## Top stories", "", "| story | outlets | articles |", "| --- | --- | ---: |"]
    lines += [
        f"| {_link(r['title'], r['url'])} | {_md(', '.join(r['outlets']))} | {r['articles']} |"
        for r in d.stories
    ]
    lines += ["", "## New organizations", ""]
    if d.new_organizations:
        lines += [
            f"- {_md(r['name'])} ({_md(r['kind'] or 'not in the gazetteer')}"
            f"{', ' + _md(r['country']) if r['country'] else ''}) — {r['articles']} article(s)"
            for r in d.new_organizations
        ]
    else:
        lines.append("No organization was named for the first time this week.")
    lines += [
        "",
        "## Coverage per outlet",
        "",
        "| outlet | articles | change | last article |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [
        f"| {_md(r['source'])}{' (silent this week)' if not r['articles'] else ''} | {r['articles']} "
        f"| {change(r['articles'], r['previous_articles'])} | {_md(r['last_published'])} |"
        for r in d.outlet_coverage
    ]
    lines.append("")
    return "\n".join(lines)


def _events_md(title: str, events: list[ReportedEvent], who: str, empty: str) -> list[str]:
    lines = [f"## {title}", ""]
    if not events:
        return [*lines, empty, ""]
    lines += [
        f"| date | {who} | what | status | outlets | articles |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in events:
        what = " — ".join(x for x in (_md(e.subtype), _md(e.subject)) if x)
        links = "; ".join(_link(title, url) for title, url in e.links)
        lines.append(
            f"| {_md(e.date)} | {_md(e.parties)} | {what} | {_md(e.status)} | {_md(', '.join(e.outlets))} | {links} |"
        )
    return [*lines, ""]
