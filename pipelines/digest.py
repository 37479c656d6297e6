"""The weekly digest: which ISO week to report on, and its Markdown."""

from __future__ import annotations

import re
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


def _md(text: Any) -> str:
    """Make a value safe inside a Markdown table cell."""
    if text is None:
        return ""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _link(title: Any, url: Any) -> str:
    label = _md(title) or _md(url)
    label = label.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url})" if url else label


def _get(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, dict) else getattr(row, key)


def render_markdown(label: str, week_start: date, data: Any) -> str:
    """Render the digest of one week from `warehouse.queries.digest_data`."""
    week_end = week_start + timedelta(days=6)
    lines = [
        f"# stanwire weekly digest — {label}",
        "",
        f"{week_start:%d %b %Y} – {week_end:%d %b %Y} · {data.articles} articles from {data.outlets} outlets",
        "",
    ]
    if data.articles == 0:
        lines += ["No articles were published in this week in the warehouse.", ""]
        return "\n".join(lines)

    lines += ["## Agreements", ""]
    if data.agreements:
        lines += ["| date | parties | what | status | article |", "| --- | --- | --- | --- | --- |"]
        for row in data.agreements:
            what = " — ".join(x for x in (_md(_get(row, "subtype")), _md(_get(row, "subject"))) if x)
            lines.append(
                f"| {_md(_get(row, 'date') or _get(row, 'published_date'))} | {_md(_get(row, 'parties'))} | {what} "
                f"| {_md(_get(row, 'status'))} | {_link(_get(row, 'title'), _get(row, 'url'))} ({_md(_get(row, 'source'))}) |"
            )
    else:
        lines.append("No agreements reported this week.")
    lines += ["", "## Censorship and shutdowns", ""]
    if data.censorship_events:
        lines += ["| date | who | what | status | article |", "| --- | --- | --- | --- | --- |"]
        for row in data.censorship_events:
            what = " — ".join(x for x in (_md(_get(row, "subtype")), _md(_get(row, "subject"))) if x)
            lines.append(
                f"| {_md(_get(row, 'date') or _get(row, 'published_date'))} | {_md(_get(row, 'parties'))} | {what} "
                f"| {_md(_get(row, 'status'))} | {_link(_get(row, 'title'), _get(row, 'url'))} ({_md(_get(row, 'source'))}) |"
            )
    else:
        lines.append("No censorship or shutdown events reported this week.")

    lines += ["", "## Most-mentioned organizations", ""]
    if data.top_organizations:
        lines += ["| organization | kind | articles | mentions |", "| --- | --- | ---: | ---: |"]
        for row in data.top_organizations:
            lines.append(
                f"| {_md(_get(row, 'name'))} | {_md(_get(row, 'kind'))} | {_get(row, 'articles')} "
                f"| {_get(row, 'mentions')} |"
            )
    else:
        lines.append("No organizations found this week.")
    lines += ["", "## Most-mentioned countries", ""]
    if data.top_countries:
        lines += ["| country | code | articles |", "| --- | --- | ---: |"]
        for row in data.top_countries:
            lines.append(f"| {_md(_get(row, 'name'))} | {_md(_get(row, 'code'))} | {_get(row, 'articles')} |")
    else:
        lines.append("No countries found this week.")
    lines += ["", "## Articles", ""]
    for row in data.article_list:
        lines.append(
            f"- {_md(_get(row, 'published_date'))} · {_md(_get(row, 'source'))} · "
            f"{_link(_get(row, 'title'), _get(row, 'url'))}"
        )
    lines.append("")
    return "\n".join(lines)
