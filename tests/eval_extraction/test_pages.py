"""The evaluation pages and their hand-written expectations are complete and agree with each other.

The expected bodies were typed by hand; these checks catch a typo that would make a correct extractor look
wrong: every expected paragraph and the title must be text that a reader actually sees on the page.
"""

import json
import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from eval.extraction.gold import LANGUAGES, PAGES_DIR, REQUIRED_KEYS, load_pages

PAGES = sorted(PAGES_DIR.glob("*.html"))
_SPACES = re.compile(r"\s+")


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1251")  # the two legacy pages; see README.md


def _normal(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _visible_text(path: Path) -> str:
    tree = lxml.html.fromstring(_decoded(path))
    for element in tree.xpath("//script|//style|//template"):
        element.drop_tree()
    return _normal(tree.text_content())


def test_set_is_large_and_mixed() -> None:
    pages = load_pages()
    languages = [page.expected.language for page in pages]
    assert len(pages) >= 36
    assert 0.35 <= languages.count("ru") / len(pages) <= 0.5


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_every_page_has_its_json_with_all_keys(path: Path) -> None:
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert set(REQUIRED_KEYS) <= set(record)
    assert all(isinstance(record[key], str) and record[key].strip() for key in REQUIRED_KEYS)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["published"])
    assert record["language"] in LANGUAGES
    assert record["url"].startswith("https://")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_expected_body_and_title_are_on_the_page(path: Path) -> None:
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    visible = _visible_text(path)
    paragraphs = record["body"].split("\n\n")
    assert all(p == p.strip() and p for p in paragraphs), "empty or padded paragraph"
    missing = [p[:60] for p in paragraphs if _normal(p) not in visible]
    assert not missing
    assert _normal(record["title"]) in visible
    assert len(record["body"]) >= 600


def test_windows_1251_pages_really_are_not_utf8() -> None:
    legacy = [PAGES_DIR / "kg-portal-cp1251-ru.html", PAGES_DIR / "tj-portal-koi8r-declared-ru.html"]
    for path in legacy:
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        text = data.decode("windows-1251")
        assert "Кыргызстан" in text or "Таджикистан" in text
    assert b"charset=windows-1251" in legacy[0].read_bytes().lower()
    assert b"koi8-r" in legacy[1].read_bytes().lower()


def test_wrong_charset_page_is_utf8_declaring_windows_1251() -> None:
    data = (PAGES_DIR / "kz-portal-wrong-charset-ru.html").read_bytes()
    assert "Казахстан" in data.decode("utf-8")
    assert b"windows-1251" in data.lower()
