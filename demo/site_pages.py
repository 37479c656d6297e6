"""What the demo outlets' pages look like: the records the site renders and the HTML templates of each theme.

Used by build_site.py beside it. Every text is html-escaped; every absolute URL starts with BASE.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE = "http://stanwire.test"  # the demo server rewrites this to its own address in every text response


@dataclass(frozen=True)
class Section:
    slug: str
    title: str


@dataclass(frozen=True)
class Outlet:
    name: str
    title: str
    language: str
    country: str | None
    style: str
    feed_format: str
    feed_items: int
    sections: tuple[Section, ...]
    page_size: int
    broken: str | None = None
    variant: str | None = None  # `alt`: the same style with other class names and layout (a second CMS theme)

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)


@dataclass
class Article:
    file: Path
    outlet: Outlet
    slug: str
    title: str
    published: datetime
    authors: tuple[str, ...]
    section: Section
    markup: str
    summary: str | None
    body: str | None  # None until a syndicated copy is resolved
    syndicated_from: str | None = None
    intro: str | None = None

    @property
    def path(self) -> str:
        """Root-relative URL path of the article page; each style has its own URL pattern."""
        o, d = self.outlet.name, self.published
        if self.outlet.style == "regional":
            return f"/{o}/{d:%Y}/{d:%m}/{self.slug}/"
        if self.outlet.style == "wire":
            return f"/{o}/news/{d:%Y%m%d}-{self.slug}.html"
        return f"/{o}/news/{self.section.slug}/{self.slug}.html"

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def where(self) -> str:
        """How validation messages name the article."""
        return f"{self.file}: article '{self.slug}'"


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a corpus body (separated by blank lines), each on one line."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]


# key, English, Russian. `{outlet}` is the outlet's title.
_LABEL_ROWS = (
    ("home", "Home", "Главная"),
    ("search", "Search", "Найти"),
    ("search_hint", "Search stories…", "Поиск по сайту"),
    ("cookie", "We use cookies to understand how our stories are read and to show you relevant content.",
     "Мы используем файлы cookie, чтобы сайт работал лучше. Оставаясь на сайте, вы соглашаетесь с этим."),
    ("accept", "Accept all", "Принять"),
    ("privacy", "Privacy policy", "Политика конфиденциальности"),
    ("about", "About us", "О редакции"),
    ("share", "Share", "Поделиться:"),
    ("read_also", "Read also:", "Читайте также:"),
    ("related", "Related stories", "Другие новости по теме"),
    ("tags", "Tags:", "Теги:"),
    ("by", "By", "Автор:"),
    ("and", "and", "и"),
    ("staff", "{outlet} staff", "Редакция {outlet}"),
    ("newsletter", "Get {outlet} in your inbox", "Подпишитесь на рассылку {outlet}"),
    ("newsletter_text", "One email every Friday with the week's key stories from Central Asia. No spam.",
     "Главные новости недели — каждую пятницу на вашу почту."),
    ("email", "Your email address", "Ваш e-mail"),
    ("subscribe", "Subscribe", "Подписаться"),
    ("next", "Next →", "Следующая →"),
    ("prev", "← Previous", "← Предыдущая"),
    ("page", "Page {n} of {total}", "Страница {n} из {total}"),
    ("latest", "Latest stories", "Последние новости"),
    ("empty", "No stories yet.", "Публикаций пока нет."),
    ("tagged", "Stories tagged “{tag}”", "Материалы по тегу «{tag}»"),
    ("rights", "All rights reserved.", "Все права защищены. При использовании материалов ссылка обязательна."),
    ("about_text", "{outlet} is an independent newsroom covering politics, business and technology.",
     "{outlet} — независимое интернет-издание о жизни страны и региона."),
    ("privacy_text", "We store a cookie to remember your consent choice and count visits anonymously.",
     "Мы храним файл cookie, чтобы запомнить ваш выбор, и обезличенно считаем посещения."),
    ("maintenance", "Site under maintenance", "Сайт на обслуживании"),
    ("back_soon", "We'll be back soon", "Скоро вернёмся"),
    ("maintenance_text", "{outlet} is undergoing scheduled maintenance. Please check again later.",
     "На сайте {outlet} идут технические работы. Зайдите позже."),
)  # fmt: skip
LABELS = {"en": {k: en for k, en, _ in _LABEL_ROWS}, "ru": {k: ru for k, _, ru in _LABEL_ROWS}}
SHARE = {
    "en": (("Facebook", "https://www.facebook.com/sharer/sharer.php?u="), ("X", "https://x.com/intent/post?url="),
           ("Telegram", "https://t.me/share/url?url=")),
    "ru": (("ВКонтакте", "https://vk.com/share.php?url="), ("Telegram", "https://t.me/share/url?url="),
           ("WhatsApp", "https://wa.me/?text=")),
}  # fmt: skip
# Class names per theme, in ROLES order: what a site-specific parser would have to know about each CMS.
ROLES = "cookie header logo nav search crumbs article title byline share body also tags related newsletter footer river pager"
SKINS = {
    "regional": "cookie-consent site-header site-logo primary-nav site-search breadcrumbs story story__headline "
    "story__byline share-bar story__body inline-readalso story__tags related-stories newsletter-signup site-footer "
    "story-list pagination",
    "wire": "consent-bar wire-masthead wire-brand wire-desks wire-search wire-path wire-story wire-story-title "
    "wire-story-meta wire-share wire-story-text wire-see-also wire-topics wire-more wire-alerts wire-footer "
    "wire-list wire-pager",
    "ru-news": "cookies-notice header header__logo header__menu header__search breadcrumbs news-item "
    "news-item__title news-item__info social-share news-item__text also-read news-item__tags news-related "
    "subscribe-block footer news-list pager",
    "ru-news/alt": "gdpr-popup dl-top dl-top-logo dl-rubrics dl-find dl-crumbs dl-material dl-material-h "
    "dl-material-meta dl-soc dl-material-content dl-inline-link dl-material-tags dl-same-topic dl-digest "
    "dl-bottom dl-feed dl-pages",
}
# Order of the parts of an article; the alt theme puts date and rubric above the headline.
ORDER = {
    "regional": ("title", "byline", "share", "body", "tags"),
    "wire": ("title", "byline", "body", "tags", "share"),
    "ru-news": ("title", "byline", "share", "body", "tags"),
    "ru-news/alt": ("byline", "title", "body", "share", "tags"),
}
# slug, English label, Russian label (empty: same), pattern: tag links for names and topics an article mentions.
TAG_KEYWORDS = [
    (slug, en, ru or en, re.compile(pattern))
    for slug, en, ru, pattern in (
        ("huawei", "Huawei", "", r"\bHuawei\b"), ("zte", "ZTE", "", r"\bZTE\b"),
        ("ericsson", "Ericsson", "", r"\bEricsson\b"), ("nokia", "Nokia", "", r"\bNokia\b"),
        ("starlink", "Starlink", "", r"\bStarlink\b"), ("oneweb", "OneWeb", "", r"\bOneWeb\b"),
        ("beeline", "Beeline", "Билайн", r"\bBeeline\b|Билайн"),
        ("kazakhtelecom", "Kazakhtelecom", "Казахтелеком", r"Kazakhtelecom|Казахтелеком"),
        ("uztelecom", "Uztelecom", "Узтелеком", r"Uztelecom|Узтелеком"),
        ("megacom", "Megacom", "Мегаком", r"Megacom|Мегаком"),
        ("5g", "5G", "", r"\b5G\b"), ("vpn", "VPN", "", r"\bVPNs?\b"),
        ("shutdowns", "Internet shutdowns", "Отключения интернета", r"\bshutdowns?\b|отключени\w+ интернет"),
        ("blocking", "Blocking", "Блокировки", r"\bblock(?:ed|s|ing)?\b|блокир"),
        ("data-centres", "Data centres", "Дата-центры", r"\bdata cent(?:re|er)s?\b|дата-центр|ЦОД"),
        ("fibre", "Fibre", "Оптоволокно", r"\bfib(?:re|er)\b|оптоволок|ВОЛС"),
    )
]  # fmt: skip
EN_MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()  # noqa: SIM905


def _theme(outlet: Outlet) -> str:
    return f"{outlet.style}/{outlet.variant}" if outlet.variant else outlet.style


def _css(outlet: Outlet, role: str) -> str:
    return dict(zip(ROLES.split(), SKINS[_theme(outlet)].split(), strict=True))[role]


def _text(value: str) -> str:
    """Escape text content; quotes stay as typed (only attribute values need them escaped)."""
    return escape(value, quote=False)


def _label(outlet: Outlet, key: str, **values: Any) -> str:
    """A label in the outlet's language, escaped as text content."""
    return _text(LABELS[outlet.language][key].format(outlet=outlet.title, **values))


def _link(outlet: Outlet, path: str, text: str, rel: str | None = None) -> str:
    """An internal link. The wire's CMS writes absolute links, the others root-relative ones: crawlers meet both."""
    href = BASE + path if outlet.style == "wire" else path
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a href="{escape(href)}"{rel_attr}>{text}</a>'


def visible_date(outlet: Outlet, d: datetime) -> str:
    """The date as readers see it in the outlet's byline and listings."""
    if outlet.language == "ru":
        return f"{d.day} {RU_MONTHS[d.month - 1]} {d.year}{' в ' if outlet.variant else ', '}{d:%H:%M}"
    if outlet.style == "wire":
        offset = d.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        return f"{EN_MONTHS[d.month - 1][:3]} {d.day}, {d.year} {d:%H:%M} GMT{hours:+d}"
    return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}, {d:%H:%M}"


def _time(outlet: Outlet, d: datetime) -> str:
    return f'<time datetime="{d.isoformat()}">{_text(visible_date(outlet, d))}</time>'


def _page(outlet: Outlet, title: str, main: list[str], head: list[str] | None = None) -> str:
    """A whole page of the outlet: head, cookie banner, header with navigation and search, main, footer."""
    o, css = outlet.name, lambda role: _css(outlet, role)
    feed_type = "application/rss+xml" if outlet.feed_format == "rss2" else "application/atom+xml"
    nav = [_link(outlet, f"/{o}/", _label(outlet, "home"))]
    nav += [_link(outlet, f"/{o}/{s.slug}/", _text(s.title)) for s in outlet.sections]
    privacy = _link(outlet, f"/{o}/privacy/", _label(outlet, "privacy"))
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{outlet.language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(title)}</title>",
        *(head or []),
        f'<link rel="alternate" type="{feed_type}" title="{escape(outlet.title)}" href="{BASE}/{o}/feed.xml">',
        "</head>",
        f'<body class="{_theme(outlet).replace("/", "-")}">',
        f'<div class="{css("cookie")}" role="dialog" aria-live="polite"><p>{_label(outlet, "cookie")} {privacy}</p>'
        f'<button type="button">{_label(outlet, "accept")}</button></div>',
        f'<header class="{css("header")}">',
        f'<a class="{css("logo")}" href="/{o}/">{_text(outlet.title)}</a>',
        f'<nav class="{css("nav")}"><ul>{"".join(f"<li>{item}</li>" for item in nav)}</ul></nav>',
        f'<form class="{css("search")}" action="/{o}/search" method="get" role="search">'
        f'<input type="search" name="q" placeholder="{escape(LABELS[outlet.language]["search_hint"])}">'
        f'<button type="submit">{_label(outlet, "search")}</button></form>',
        "</header>",
        "<main>",
        *main,
        "</main>",
        f'<footer class="{css("footer")}">',
        f'<nav>{_link(outlet, f"/{o}/about/", _label(outlet, "about"))} {privacy} '
        f'<a href="{BASE}/{o}/feed.xml">RSS</a></nav>',
        f"<p>© 2014–2026 {_text(outlet.title)}. {_label(outlet, 'rights')}</p>",
        "</footer>",
        "</body>",
        "</html>",
        "",
    ])  # fmt: skip


def _crumbs(outlet: Outlet, trail: list[tuple[str, str | None]]) -> str:
    """Breadcrumbs from the home page; the last step (path None) is the current page, not a link."""
    steps = [_link(outlet, f"/{outlet.name}/", _label(outlet, "home"))]
    steps += [
        _link(outlet, path, _text(text)) if path else f"<span>{_text(text)}</span>" for text, path in trail
    ]
    return f'<nav class="{_css(outlet, "crumbs")}" aria-label="Breadcrumb">{" › ".join(steps)}</nav>'


def _river(outlet: Outlet, articles: list[Article]) -> list[str]:
    """A list of article teasers: headline link, date, summary."""
    if not articles:
        return [f"<p>{_label(outlet, 'empty')}</p>"]
    items = [
        f"<li>{_link(outlet, a.path, _text(a.title))} {_time(outlet, a.published)}<p>{_text(a.summary or '')}</p></li>"
        for a in articles
    ]
    return [f'<ul class="{_css(outlet, "river")}">', *items, "</ul>"]


def render_listing(
    outlet: Outlet, section: Section | None, articles: list[Article], number: int, total: int
) -> str:
    """The outlet's home page (section None) or page `number` of a section listing, with rel=prev/next links."""
    base = f"/{outlet.name}/{section.slug}/" if section else f"/{outlet.name}/"
    paths = {n: base if n == 1 else f"{base}page/{n}/" for n in (number - 1, number, number + 1)}
    head, pager = [f'<link rel="canonical" href="{BASE}{paths[number]}">'], []
    if number > 1:
        head.append(f'<link rel="prev" href="{BASE}{paths[number - 1]}">')
        pager.append(_link(outlet, paths[number - 1], _label(outlet, "prev"), rel="prev"))
    pager.append(f"<span>{_label(outlet, 'page', n=number, total=total)}</span>")
    if number < total:
        head.append(f'<link rel="next" href="{BASE}{paths[number + 1]}">')
        pager.append(_link(outlet, paths[number + 1], _label(outlet, "next"), rel="next"))
    if section is None:
        main = [
            f"<h1>{_text(outlet.title)}</h1>",
            f"<h2>{_label(outlet, 'latest')}</h2>",
            *_river(outlet, articles),
        ]
        return _page(outlet, f"{outlet.title} — {LABELS[outlet.language]['latest']}", main, head)
    main = [
        _crumbs(outlet, [(section.title, None)]),
        f"<h1>{_text(section.title)}</h1>",
        *_river(outlet, articles),
    ]
    main.append(f'<nav class="{_css(outlet, "pager")}" aria-label="Pagination">{" ".join(pager)}</nav>')
    suffix = f" — {LABELS[outlet.language]['page'].format(n=number, total=total)}" if number > 1 else ""
    return _page(outlet, f"{section.title}{suffix} | {outlet.title}", main, head)


def render_tag(outlet: Outlet, label: str, articles: list[Article]) -> str:
    """A tag page: every article of the outlet carrying the tag, newest first."""
    heading = LABELS[outlet.language]["tagged"].format(tag=label)
    main = [_crumbs(outlet, [(heading, None)]), f"<h1>{_text(heading)}</h1>", *_river(outlet, articles)]
    return _page(outlet, f"{heading} | {outlet.title}", main)


def render_static(outlet: Outlet, kind: str) -> str:
    """The outlet's `about` or `privacy` page."""
    heading = LABELS[outlet.language][kind]
    main = [
        _crumbs(outlet, [(heading, None)]),
        f"<h1>{_text(heading)}</h1>",
        f"<p>{_label(outlet, f'{kind}_text')}</p>",
    ]
    return _page(outlet, f"{heading} | {outlet.title}", main)


def render_maintenance(outlet: Outlet) -> str:
    """What a broken outlet answers everywhere, its feed URL included: a plain HTML maintenance page."""
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{outlet.language}">', "<head>", '<meta charset="utf-8">',
        f"<title>{_label(outlet, 'maintenance')} — {_text(outlet.title)}</title>", "</head>", "<body>",
        f"<h1>{_label(outlet, 'back_soon')}</h1>", f"<p>{_label(outlet, 'maintenance_text')}</p>",
        "</body>", "</html>", "",
    ])  # fmt: skip


def render_root(outlets: list[Outlet]) -> str:
    """The site's front door: the outlets, with links to their home pages and feeds."""
    items = [
        f'<li><a href="/{o.name}/">{_text(o.title)}</a> (<a href="/{o.name}/feed.xml">feed</a>)</li>'
        for o in outlets
    ]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        "<title>stanwire demo outlets</title>", "</head>", "<body>", "<h1>stanwire demo outlets</h1>",
        "<p>Invented news sites for the stanwire demo. Every story here is fiction.</p>", "<ul>", *items, "</ul>",
        "</body>", "</html>", "",
    ])  # fmt: skip


def article_tags(article: Article) -> list[tuple[str, str]]:
    """Tag links of an article as (slug, label): up to four names and topics it mentions, else its section."""
    text, ru = f"{article.title}\n{article.body}", article.outlet.language == "ru"
    found = [
        (slug, ru_label if ru else en) for slug, en, ru_label, pattern in TAG_KEYWORDS if pattern.search(text)
    ]
    return found[:4] or [(article.section.slug, article.section.title)]


def _metadata(article: Article) -> list[str]:
    """Head elements carrying the article's metadata, as its `markup` says; `plain` carries none."""
    if article.markup == "plain":
        return []
    published = article.published.isoformat()
    head = [f'<link rel="canonical" href="{escape(article.url)}">']
    head.append(f'<meta name="description" content="{escape(article.summary or "")}">')
    if article.markup == "og":
        og = [
            ("og:site_name", article.outlet.title), ("og:type", "article"), ("og:title", article.title),
            ("og:description", article.summary or ""), ("og:url", article.url),
            ("og:locale", "ru_RU" if article.outlet.language == "ru" else "en_GB"),
            ("article:published_time", published), ("article:section", article.section.title),
        ]  # fmt: skip
        head += [f'<meta property="{p}" content="{escape(v)}">' for p, v in og]
        return head + [f'<meta name="author" content="{escape(name)}">' for name in article.authors]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": published,
        "dateModified": published,
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "publisher": {
            "@type": "Organization",
            "name": article.outlet.title,
            "url": f"{BASE}/{article.outlet.name}/",
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "articleSection": article.section.title,
        "inLanguage": article.outlet.language,
    }
    # "</" inside a script element would end it early; JSON allows the escaped form.
    ld_json = json.dumps(ld, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return [*head, f'<script type="application/ld+json">\n{ld_json}\n</script>']


def _article_parts(article: Article, read_also: Article | None) -> dict[str, str]:
    """The parts of the <article> element, by name (see ORDER)."""
    outlet, css = article.outlet, lambda role: _css(article.outlet, role)
    blocks = [f"<p>{_text(p)}</p>" for p in paragraphs(article.body or "")]
    if read_also is not None:  # a link block in mid-body: the classic boilerplate an extractor must drop
        also = f"<strong>{_label(outlet, 'read_also')}</strong> {_link(outlet, read_also.path, _text(read_also.title))}"
        blocks.insert(max(1, len(blocks) // 2), f'<aside class="{css("also")}">{also}</aside>')
    names = [f'<span class="author">{_text(n)}</span>' for n in article.authors]
    if len(names) > 1:
        names = [", ".join(names[:-1]) + f" {_label(outlet, 'and')} {names[-1]}"]
    by = f"{_label(outlet, 'by')} {names[0]}" if names else _label(outlet, "staff")
    date = f'<span class="date">{_text(visible_date(outlet, article.published))}</span>'
    if article.markup != "plain":  # a plain page has no machine-readable date: the extractor must read text
        date = _time(outlet, article.published)
    section = _link(outlet, f"/{outlet.name}/{article.section.slug}/", _text(article.section.title))
    share_url = quote(article.url, safe="")
    share = [
        f'<a href="{escape(url + share_url)}" rel="nofollow noopener">{_text(name)}</a>'
        for name, url in SHARE[outlet.language]
    ]
    tags = [
        _link(outlet, f"/{outlet.name}/tag/{slug}/", _text(label), rel="tag")
        for slug, label in article_tags(article)
    ]
    return {
        "title": f'<h1 class="{css("title")}">{_text(article.title)}</h1>',
        "byline": f'<div class="{css("byline")}">{by} · {date} · {section}</div>',
        "share": f'<div class="{css("share")}">{_label(outlet, "share")} {" ".join(share)}</div>',
        "body": "\n".join([f'<div class="{css("body")}">', *blocks, "</div>"]),
        "tags": f'<div class="{css("tags")}">{_label(outlet, "tags")} {" ".join(tags)}</div>',
    }


def render_article(article: Article, outlet_articles: list[Article]) -> str:
    """An article page with the boilerplate a real news page wraps around the story."""
    outlet, css = article.outlet, lambda role: _css(article.outlet, role)
    ordered = sorted(outlet_articles, key=lambda a: (a.published, a.slug))
    others = [a for a in ordered if a is not article]
    index = ordered.index(article)
    read_also = ordered[index - 1] if index > 0 else (others[0] if others else None)
    related = sorted(
        (a for a in others if a.section == article.section),
        key=lambda a: (abs((a.published - article.published).total_seconds()), a.slug),
    )[:3]
    parts = _article_parts(article, read_also)
    section_path = f"/{outlet.name}/{article.section.slug}/"
    main = [
        _crumbs(outlet, [(article.section.title, section_path), (article.title, None)]),
        f'<article class="{css("article")}">',
        *(parts[name] for name in ORDER[_theme(outlet)]),
        "</article>",
    ]
    if related:
        items = "".join(f"<li>{_link(outlet, a.path, _text(a.title))}</li>" for a in related)
        main.append(
            f'<section class="{css("related")}"><h2>{_label(outlet, "related")}</h2><ul>{items}</ul></section>'
        )
    main.append(
        f'<section class="{css("newsletter")}"><h2>{_label(outlet, "newsletter")}</h2>'
        f"<p>{_label(outlet, 'newsletter_text')}</p>"
        f'<form action="/{outlet.name}/newsletter" method="post"><input type="email" name="email" '
        f'placeholder="{escape(LABELS[outlet.language]["email"])}" required> <button type="submit">{_label(outlet, "subscribe")}</button>'
        "</form></section>"
    )
    return _page(outlet, f"{article.title} | {outlet.title}", main, _metadata(article))
