"""The weekly digest as one self-contained HTML file: inline CSS, charts as inline SVG (matplotlib), every text
from the warehouse HTML-escaped by the template engine (Jinja2 with autoescaping)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: render to SVG only
import matplotlib.pyplot as plt
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from matplotlib.axis import Axis
from matplotlib.ticker import MaxNLocator

from pipelines.digest import Digest, change

TEMPLATES = Path(__file__).with_name("templates")
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)
_ENV.globals["change"] = change
# Text in the SVG stays text (searchable, crisp when printed); a fixed hash salt keeps the output reproducible.
plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "stanwire", "font.size": 9})


def render_html(digest: Digest) -> str:
    """The digest page."""
    charts = {}
    if digest.articles:
        charts = {"per_day": _per_day_chart(digest), "organizations": _organizations_chart(digest)}
    return _ENV.get_template("digest.html.j2").render(d=digest, charts=charts)


def _svg(figure: plt.Figure) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG sits inside HTML
    # matplotlib escapes the labels it writes, so the SVG is safe to embed as it is.
    return Markup(svg.replace('width="', 'class="chart" data-w="', 1))


def _per_day_chart(digest: Digest) -> Markup:
    per_day = {row["day"]: row["articles"] for row in digest.articles_per_day}
    days = [digest.week_start + timedelta(days=i) for i in range(7)]
    figure, axes = plt.subplots(figsize=(6, 2.2))
    axes.bar([f"{d:%a %d}" for d in days], [per_day.get(d, 0) for d in days], color="#2f6f8f")
    axes.set_ylabel("articles")
    axes.spines[["top", "right"]].set_visible(False)
    _integer_ticks(axes.yaxis)
    return _svg(figure)


def _integer_ticks(axis: Axis) -> None:
    """Counts are whole: no tick at 0.5 articles (the default locator is a MaxNLocator)."""
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def _organizations_chart(digest: Digest) -> Markup:
    rows = list(reversed(digest.top_organizations[:8]))
    figure, axes = plt.subplots(figsize=(6, 0.35 * max(len(rows), 1) + 0.6))
    axes.barh([r["name"][:40] for r in rows], [r["articles"] for r in rows], color="#8f5a2f")
    axes.set_xlabel("articles this week")
    axes.spines[["top", "right"]].set_visible(False)
    _integer_ticks(axes.xaxis)
    return _svg(figure)
