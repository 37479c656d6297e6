"""Scoring functions on small hand-made inputs; every expected number was worked out by hand (see comments)."""

from collections import Counter

import pytest

from eval.extraction.score import (
    Expected,
    Extraction,
    TokenCounts,
    accuracy,
    date_correct,
    date_day,
    language_code,
    language_correct,
    macro_average,
    micro_average,
    normalize_title,
    score_page,
    summarize,
    title_correct,
    token_counts,
    token_differences,
    tokens,
    worst_pages,
)


def test_tokens_casefold_and_drop_punctuation_and_symbols() -> None:
    text = "Kazakhtelecom's «Билайн» 5G-ready, 5G! $48"
    assert tokens(text) == Counter({"kazakhtelecom": 1, "s": 1, "билайн": 1, "5g": 2, "ready": 1, "48": 1})


def test_tokens_normalise_nfkc_and_no_break_spaces() -> None:
    # U+00A0 (no-break space) and the "ﬁ" ligature become a space and "fi" under NFKC.
    assert tokens("1,2\u00a0млн ﬁbre") == Counter({"1": 1, "2": 1, "млн": 1, "fibre": 1})
    assert tokens("") == Counter()
    assert tokens(None) == Counter()


def test_extra_tokens_lower_precision_only() -> None:
    # 7 extracted tokens, 6 expected, all 6 found: P = 6/7, R = 1, F1 = 2·(6/7)/(6/7 + 1) = 12/13.
    counts = token_counts("The cat sat on the mat today.", "the cat sat on the mat")
    assert counts == TokenCounts(overlap=6, predicted=7, expected=6)
    assert counts.precision == pytest.approx(6 / 7)
    assert counts.recall == 1.0
    assert counts.f1 == pytest.approx(12 / 13)


def test_repeated_tokens_count_at_most_as_often_as_on_both_sides() -> None:
    # got {a:3, b:1}, want {a:1, b:2, c:1}: overlap = min(3,1) + min(1,2) = 2; P = 2/4, R = 2/4, F1 = 0.5.
    counts = token_counts("a a a b", "a b b c")
    assert counts == TokenCounts(overlap=2, predicted=4, expected=4)
    assert (counts.precision, counts.recall, counts.f1) == (0.5, 0.5, 0.5)


def test_empty_extraction_earns_nothing_and_empty_against_empty_is_perfect() -> None:
    nothing = token_counts("", "x y")
    assert (nothing.precision, nothing.recall, nothing.f1) == (0.0, 0.0, 0.0)
    both_empty = token_counts(None, "")
    assert (both_empty.precision, both_empty.recall, both_empty.f1) == (1.0, 1.0, 1.0)
    disjoint = token_counts("u v", "x y")
    assert disjoint.f1 == 0.0


def test_micro_pools_tokens_and_macro_averages_pages() -> None:
    page_a = TokenCounts(overlap=9, predicted=10, expected=10)  # P .9, R .9, F1 .9
    page_b = TokenCounts(overlap=1, predicted=2, expected=10)  # P .5, R .1, F1 2·.05/.6 = 1/6
    micro = micro_average([page_a, page_b])
    # pooled: overlap 10, predicted 12, expected 20 → P 10/12, R 1/2, F1 2·(5/12)/(4/3) = 0.625
    assert micro.precision == pytest.approx(10 / 12)
    assert micro.recall == pytest.approx(0.5)
    assert micro.f1 == pytest.approx(0.625)
    macro = macro_average([page_a, page_b])
    assert macro.precision == pytest.approx(0.7)
    assert macro.recall == pytest.approx(0.5)
    assert macro.f1 == pytest.approx((0.9 + 1 / 6) / 2)
    assert macro_average([]).f1 == 0.0


def test_date_is_the_day_as_written_in_its_own_offset() -> None:
    assert date_day("2026-11-17T01:30:00+06:00").isoformat() == "2026-11-17"  # the 16th in UTC
    assert date_correct("2026-11-17T01:30:00+06:00", "2026-11-17")
    assert date_correct("2026-11-17", "2026-11-17")
    assert date_correct("2026-11-17T10:30:00Z", "2026-11-17")
    assert date_correct("2026-11-17 09:30:00", "2026-11-17")
    assert not date_correct("2026-11-16T19:30:00+00:00", "2026-11-17")
    assert not date_correct("2026-11-18", "2026-11-17")
    assert not date_correct(None, "2026-11-17")
    assert not date_correct("17 ноября 2026", "2026-11-17")  # not ISO: the extractor must normalise it
    assert date_day("  ") is None


def test_title_match_is_exact_after_normalising_case_quotes_dashes_spaces() -> None:
    assert (
        normalize_title("  Kazakhtelecom  picks «Huawei» — again ") == 'kazakhtelecom picks "huawei" - again'
    )
    assert title_correct("KAZAKHTELECOM picks “Huawei” – again", "Kazakhtelecom picks «Huawei» — again")
    assert not title_correct("Headline | Steppe Signal", "Headline")
    assert not title_correct(None, "Headline")
    assert not title_correct("", "")


def test_language_compares_primary_subtags() -> None:
    assert language_code("ru-RU") == "ru"
    assert language_code("kk_KZ") == "kk"
    assert language_code(" EN ") == "en"
    assert language_code(None) is None
    assert language_correct("uz-Latn-UZ", "uz")
    assert not language_correct("ky", "kk")
    assert not language_correct(None, "ru")


def test_accuracy() -> None:
    assert accuracy([True, False, True, True]) == 0.75
    assert accuracy([]) == 0.0


def test_token_differences_name_missing_and_extra_tokens_most_frequent_first() -> None:
    missing, extra = token_differences("a b x x y", "a b c")
    assert missing == ["c"]
    assert extra == ["x", "y"]


def _expected(body: str) -> Expected:
    return Expected(title="Beeline launches 5G", published="2026-03-03", language="en", body=body)


def test_score_page_and_summary() -> None:
    good = score_page(
        "good",
        Extraction("Beeline launches 5G", "2026-03-03T12:00:00+05:00", "en", "one two three four"),
        _expected("one two three four"),
    )
    half = score_page(
        "half",
        Extraction("Beeline launches 5G | Site", "2026-03-04", "ru", "one two menu login"),
        _expected("one two three four"),
    )
    failed = score_page("failed", Extraction(None, None, None, "", error="no body"), _expected("one two"))
    assert (good.date_ok, good.title_ok, good.language_ok) == (True, True, True)
    assert (half.date_ok, half.title_ok, half.language_ok) == (False, False, False)
    assert half.counts == TokenCounts(overlap=2, predicted=4, expected=4)

    summary = summarize([good, half, failed])
    # micro: overlap 4+2+0 = 6, predicted 4+4+0 = 8, expected 4+4+2 = 10 → P .75, R .6, F1 .9/1.35 = 2/3
    assert summary.micro.precision == pytest.approx(0.75)
    assert summary.micro.recall == pytest.approx(0.6)
    assert summary.micro.f1 == pytest.approx(2 / 3)
    # macro F1: (1 + 0.5 + 0) / 3
    assert summary.macro.f1 == pytest.approx(0.5)
    assert summary.date_accuracy == pytest.approx(1 / 3)
    assert summary.failures == 1
    assert summary.to_dict()["per_page"][2]["error"] == "no body"
    assert [s.page for s in worst_pages(summary.scores, 2)] == ["failed", "half"]
