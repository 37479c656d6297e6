"""The digest's content: an act with all its reports, week-over-week changes, Markdown escaping."""

from __future__ import annotations

from datetime import date

from pipelines.digest import Digest, change, group_events, render_markdown


def row(source: str, title: str, url: str, **extra: object) -> dict[str, object]:
    base = {
        "date": "2026-11-17",
        "published_date": date(2026, 11, 17),
        "parties": "Uztelecom; Huawei",
        "party_codes": ["uztelecom", "huawei"],
        "subtype": "contract",
        "subject": None,
        "status": "signed",
        "source": source,
        "title": title,
        "url": url,
    }
    return base | extra


def test_an_act_reported_by_two_outlets_is_one_entry_with_both() -> None:
    # v_agreements gives one row per act, with every report (warehouse.event_groups groups them).
    grouped = row(
        "silk-wire",
        "Uztelecom and Huawei sign",
        "http://w/a",
        subject="5G base stations",
        urls=["http://w/a", "http://s/b", "http://w/a"],
        titles=["Uztelecom and Huawei sign", "Uztelecom hands Huawei 5G", "Uztelecom and Huawei sign"],
        sources=["silk-wire", "steppe-dispatch"],
    )
    loan = row(
        "silk-wire", "Exim loan", "http://w/c", party_codes=["china-exim-bank", "uztelecom"], subtype="loan"
    )
    events = group_events([grouped, loan])
    assert len(events) == 2
    contract = next(e for e in events if e.subtype == "contract")
    assert contract.outlets == ["silk-wire", "steppe-dispatch"]
    assert [url for _, url in contract.links] == ["http://w/a", "http://s/b"]
    assert contract.subject == "5G base stations"
    [only] = [e for e in events if e.subtype == "loan"]
    assert (only.outlets, only.links) == (["silk-wire"], [("Exim loan", "http://w/c")])


def test_week_over_week_change() -> None:
    assert (change(5, 3), change(2, 4), change(3, 3), change(2, 0), change(0, 0)) == (
        "+2",
        "−2",
        "=",
        "new",
        "=",
    )


def empty_digest(**overrides: object) -> Digest:
    fields: dict[str, object] = {
        "label": "2026-W47",
        "week_start": date(2026, 11, 16),
        "week_end": date(2026, 11, 22),
        "articles": 0,
        "outlets": 0,
        "previous_articles": 7,
        "previous_outlets": 2,
        "agreements": [],
        "censorship_events": [],
        "top_organizations": [],
        "top_countries": [],
        "stories": [],
        "new_organizations": [],
        "outlet_coverage": [
            {"source": "dala", "articles": 0, "previous_articles": 4, "last_published": None}
        ],
        "articles_per_day": [],
    }
    return Digest(**(fields | overrides))  # type: ignore[arg-type]


def test_an_empty_week_says_so_and_names_the_silent_outlets() -> None:
    text = render_markdown(empty_digest())
    assert "No articles published in this week are in the warehouse" in text
    assert "dala" in text
    assert "## Agreements" not in text


def test_markdown_cells_cannot_break_the_table_or_inject_html() -> None:
    events = group_events([row("silk-wire", "A | B [x] <script>", "http://w/a b)")])
    text = render_markdown(empty_digest(articles=1, agreements=events))
    line = next(line for line in text.splitlines() if "A \\| B" in line)
    assert "\\[x\\]" in line
    assert "&lt;script>" in line
    assert "(http://w/a%20b%29)" in line
    assert line.count(" | ") == 5  # six cells, none split by the title's pipe
