"""Russian documents through natasha: organizations in oblique cases, countries, events (invented news)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import nlp
from nlp.formmatch import FormMatcher, PhraseEntry, phrase_token, stems, token_matches

Analyze = Callable[..., nlp.DocumentAnalysis]


def ru(analyze_text: Analyze, text: str) -> nlp.DocumentAnalysis:
    return analyze_text(text, language="ru")


def test_organizations_in_oblique_cases_map_to_gazetteer_ids(analyze_text: Analyze) -> None:
    text = (
        "Представители ГКНБ Кыргызстана встретились с руководством «Казахтелекома» и Мегакомом. "
        "Сотрудники Госкомитета национальной безопасности Таджикистана проверили Tcell."
    )
    analysis = ru(analyze_text, text)
    assert [(o.name, o.id) for o in analysis.organizations] == [
        ("ГКНБ", "kyrgyzstan-gknb"),
        ("Казахтелеком", "kazakhtelecom"),
        ("Мегаком", "megacom"),
        ("Госкомитет национальной безопасности", "tajikistan-gknb"),
        ("Tcell", "tcell"),
    ]
    assert analysis.organizations[1].canonical == "Kazakhtelecom"


def test_countries_from_lemmas_not_languages(analyze_text: Analyze) -> None:
    text = (
        "Делегация Кыргызстана провела переговоры с Китаем. Российский оператор расширил сеть. "
        "Статья вышла на казахском и узбекском языках."
    )
    assert [c.code for c in ru(analyze_text, text).countries] == ["KG", "CN", "RU"]


def test_capital_as_government_but_not_as_place(analyze_text: Analyze) -> None:
    analysis = ru(analyze_text, "Ташкент настаивает на своих условиях. Форум прошёл в Астане.")
    assert [c.code for c in analysis.countries] == ["UZ"]


def test_common_word_name_needs_its_capital(analyze_text: Analyze) -> None:
    analysis = ru(analyze_text, "Цифры продаж выросли. Российская «Цифра» поставит программы для шахт.")
    assert [o.id for o in analysis.organizations] == ["zyfra"]


def test_signed_memorandum_between_security_services(analyze_text: Analyze) -> None:
    text = "ГКНБ Кыргызстана и ФСБ России в понедельник подписали меморандум о сотрудничестве в сфере информационной безопасности."
    [event] = ru(analyze_text, text).events
    assert (event.type, event.subtype, event.status) == ("agreement", "memorandum", "signed")
    assert [p.code for p in event.parties] == ["kyrgyzstan-gknb", "KG", "fsb", "RU"]
    assert (event.date, event.date_text) == ("2026-03-09", "в понедельник")
    assert event.subject == "сотрудничество в сфере информационной безопасности"


def test_ratified_agreement_has_states_as_parties(analyze_text: Analyze) -> None:
    text = "Жогорку Кенеш ратифицировал соглашение с Казахстаном о строительстве оптоволоконной линии."
    [event] = ru(analyze_text, text).events
    assert (event.subtype, event.status, [p.code for p in event.parties]) == (
        "intergovernmental",
        "ratified",
        ["KG", "KZ"],
    )


def test_planned_contract(analyze_text: Analyze) -> None:
    [event] = ru(analyze_text, "«Казахтелеком» и Мегаком планируют подписать контракт в июне.").events
    assert (event.subtype, event.status, event.date) == ("contract", "planned", "2026-06")
    assert [p.code for p in event.parties] == ["kazakhtelecom", "megacom"]


def test_loan_from_a_bank_to_a_state(analyze_text: Analyze) -> None:
    text = "Азиатский банк развития выделил Таджикистану кредит на развитие широкополосного доступа."
    [event] = ru(analyze_text, text).events
    assert (event.subtype, event.status, [p.code for p in event.parties]) == ("loan", "signed", ["adb", "TJ"])
    assert event.subject == "развитие широкополосного доступа"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Роскомнадзор заблокировал доступ к сайту «Азаттыка».",
            ("block", "reported", ["roskomnadzor", "RU"], "сайт «Азаттыка»"),
        ),
        ("Власти Таджикистана замедлили интернет в ГБАО.", ("throttling", "reported", ["TJ"], "интернет")),
        (
            "Власти Узбекистана отключили мобильный интернет в Каракалпакстане.",
            ("shutdown", "reported", ["UZ"], "мобильный интернет в Каракалпакстане"),
        ),
        # Legislators proposing to ban something propose a bill.
        ("Депутаты Узбекистана предложили запретить VPN.", ("law", "planned", ["UZ"], "VPN")),
        ("В Кыргызстане блогера оштрафовали за пост в Facebook.", ("fine", "reported", ["KG"], "блогер")),
        (
            "Жогорку Кенеш принял закон о ложной информации.",
            ("law", "in_force", ["jogorku-kenesh", "KG"], "ложной информации"),
        ),
    ],
)
def test_censorship_events(analyze_text: Analyze, text: str, expected: tuple) -> None:
    [event] = ru(analyze_text, text).events
    assert event.type == "censorship"
    assert (event.subtype, event.status, [p.code for p in event.parties], event.subject) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Банк заблокировал карту клиента.",
        "Более 12 тысяч жителей подписали петицию против новой вышки.",
        "Дороги заблокировал снег.",
        # An unblocking is not an act of censorship; nor is an act without any actor or state to name.
        "Министерство культуры и информации Казахстана разблокировало сайт Vlast.kz во вторник.",
        "Блогера оштрафовали за пост в Facebook.",
    ],
)
def test_hard_negatives(analyze_text: Analyze, text: str) -> None:
    assert ru(analyze_text, text).events == []


def test_cyrillic_text_without_language_goes_through_the_russian_analyzer(analyze_text: Analyze) -> None:
    analysis = analyze_text("Роскомнадзор заблокировал Telegram.", language=None)
    assert analysis.language == "ru"
    assert [o.id for o in analysis.organizations] == ["roskomnadzor", "telegram"]


class Word:
    """A stand-in for a text token: only `text`, `lower` and `forms` are used by the matcher."""

    def __init__(self, text: str, forms: set[str] | None = None) -> None:
        self.text = text
        self.lower = text.lower()
        self.forms = frozenset(forms or {self.lower})


def test_case_endings_match_names_pymorphy_does_not_know() -> None:
    assert "мегаком" in stems("мегакомом")
    word = phrase_token("Мегаком", frozenset())
    assert token_matches(Word("Мегакома"), word)
    assert token_matches(Word("Мегакомом"), word)
    assert not token_matches(Word("Мегафон"), word)
    assert not token_matches(Word("гкнб"), phrase_token("ГКНБ", frozenset()))


def test_form_matcher_prefers_the_longest_phrase() -> None:
    short = PhraseEntry((phrase_token("Билайн", frozenset()),), "beeline")
    long = PhraseEntry(
        (phrase_token("Билайн", frozenset()), phrase_token("Казахстан", frozenset())), "beeline-kz"
    )
    matcher = FormMatcher([short, long])
    words = [Word("Абоненты"), Word("Билайна"), Word("Казахстана")]
    assert matcher.match(words, [0]) == [(1, 3, "beeline-kz")]
