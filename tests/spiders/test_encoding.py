"""Page decoding when the declared charset lies: UTF-8 declared as windows-1251, windows-1251 declared as koi8-r."""

from __future__ import annotations

import pytest

from spiders.htmlmeta import decode_html

TEXT = "Операторов связи Казахстана обяжут хранить метаданные абонентов три года, сообщили в министерстве."


def page(charset: str) -> str:
    return f'<html><head><meta charset="{charset}"><title>Новости</title></head><body><p>{TEXT}</p></body></html>'


@pytest.mark.parametrize(
    ("declared_in_page", "bytes_in", "http_header"),
    [
        ("windows-1251", "utf-8", None),  # a site moved to UTF-8 and kept the old template
        ("koi8-r", "cp1251", None),  # the wrong Cyrillic codepage declared
        ("windows-1251", "koi8_r", None),  # …and the other way round
        ("utf-8", "utf-8", "windows-1251"),  # a wrong HTTP header
        ("windows-1251", "cp1251", None),  # an honest legacy page
        ("koi8-r", "koi8_r", "koi8-r"),
    ],
)
def test_russian_text_comes_out_readable(
    declared_in_page: str, bytes_in: str, http_header: str | None
) -> None:
    decoded = decode_html(page(declared_in_page).encode(bytes_in), http_header)
    assert TEXT in decoded


def test_plain_ascii_and_text_input_are_left_alone() -> None:
    assert decode_html(b"<p>Tcell and Huawei</p>") == "<p>Tcell and Huawei</p>"
    assert decode_html("<p>уже текст</p>") == "<p>уже текст</p>"
