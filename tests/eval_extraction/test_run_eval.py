"""The evaluation harness: page loading, both systems on the same pages, crash handling, report and --json."""

import json
from pathlib import Path

import pytest

from eval.extraction import run_eval
from eval.extraction.gold import GoldFormatError, GoldPage, load_pages
from eval.extraction.score import Extraction

BODY = (
    "Kazakhtelecom and Huawei signed an agreement on Tuesday to modernise the mobile core network in three "
    "regions of Kazakhstan, the operator said in a statement published in Astana."
)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Kazakhtelecom and Huawei sign core network deal | Test Wire</title>
<meta property="og:title" content="Kazakhtelecom and Huawei sign core network deal">
<meta property="article:published_time" content="2026-03-10T09:30:00+05:00"></head>
<body><nav><a href="/">Home</a> <a href="/tech">Tech</a></nav><article><h1>Kazakhtelecom and Huawei sign core network deal</h1>
<p>{BODY}</p><p>The contract covers Karaganda, Pavlodar and East Kazakhstan and is worth about 48 million dollars,
according to people familiar with the tender who asked not to be named.</p></article>
<footer>© 2026 Test Wire</footer></body></html>"""
EXPECTED = {
    "url": "https://testwire.kz/tech/kazakhtelecom-huawei-core",
    "title": "Kazakhtelecom and Huawei sign core network deal",
    "published": "2026-03-10",
    "language": "en",
    "body": BODY
    + "\n\nThe contract covers Karaganda, Pavlodar and East Kazakhstan and is worth about 48 million dollars, "
    "according to people familiar with the tender who asked not to be named.",
}


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "pages"
    directory.mkdir()
    for name in ("alpha", "beta"):
        (directory / f"{name}.html").write_text(PAGE, encoding="utf-8")
        (directory / f"{name}.json").write_text(json.dumps(EXPECTED), encoding="utf-8")
    return directory


def _perfect(page: GoldPage) -> Extraction:
    e = page.expected
    return Extraction(e.title, e.published, e.language, e.body)


def _crashing_on_beta(page: GoldPage) -> Extraction:
    if page.name == "beta":
        raise RuntimeError("boom")
    return _perfect(page)


def test_evaluate_scores_each_system_and_records_crashes(pages_dir: Path) -> None:
    evaluation = run_eval.evaluate(
        pages_dir,
        {"stanwire": _crashing_on_beta, "trafilatura": _perfect},
        {"stanwire": "x", "trafilatura": "y"},
    )
    stanwire, trafilatura = evaluation.summaries["stanwire"], evaluation.summaries["trafilatura"]
    assert trafilatura.micro.f1 == 1.0
    assert trafilatura.date_accuracy == 1.0
    assert stanwire.macro.f1 == pytest.approx(0.5)  # one perfect page, one crash scored as empty
    assert stanwire.failures == 1
    assert evaluation.crashes == {"stanwire": {"beta": "RuntimeError: boom"}}
    report = run_eval.format_report(evaluation, worst=1)
    assert "stanwire CRASHED on 1 pages" in report
    assert "beta" in report.split("worst pages")[1]
    assert "date accuracy" in report


def test_main_runs_stanwire_and_trafilatura_on_real_pages(pages_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "figures" / "eval.json"
    assert run_eval.main(["--pages", str(pages_dir), "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["pages"] == 2
    assert set(figures["systems"]) == {"stanwire", "trafilatura"}
    for system in figures["systems"].values():
        assert system["body_micro"]["recall"] > 0.9  # a plain article page: both find the text
        assert len(system["per_page"]) == 2
    assert figures["systems"]["trafilatura"]["date_accuracy"] == 1.0


def test_trafilatura_defaults_give_body_title_and_date(pages_dir: Path) -> None:
    extraction = run_eval.trafilatura_extract(load_pages(pages_dir)[0])
    assert "Huawei signed an agreement" in extraction.body
    assert extraction.published == "2026-03-10"
    assert extraction.title == "Kazakhtelecom and Huawei sign core network deal"


def test_stanwire_no_article_is_an_empty_extraction_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "stub.html").write_text("<html><body><p>Page not found</p></body></html>", encoding="utf-8")
    (tmp_path / "stub.json").write_text(json.dumps(EXPECTED), encoding="utf-8")
    extract, version = run_eval.stanwire_extractor()
    extraction = extract(load_pages(tmp_path)[0])
    assert extraction.body == ""
    assert extraction.error is not None
    assert extraction.error.startswith("ExtractionError")
    assert version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"published": "17.11.2026"}, "not YYYY-MM-DD"),
        ({"language": "russian"}, "language"),
        ({"url": "/relative"}, "absolute"),
        ({"title": ""}, "non-empty"),
        ({"extra": "x"}, "unknown keys"),
    ],
)
def test_bad_expectation_files_are_rejected_with_the_reason(
    pages_dir: Path, change: dict[str, str], message: str
) -> None:
    (pages_dir / "alpha.json").write_text(json.dumps({**EXPECTED, **change}), encoding="utf-8")
    with pytest.raises(GoldFormatError, match=message):
        load_pages(pages_dir)


def test_missing_key_and_orphan_page_are_rejected(pages_dir: Path) -> None:
    (pages_dir / "alpha.json").write_text(json.dumps({k: v for k, v in EXPECTED.items() if k != "body"}))
    with pytest.raises(GoldFormatError, match=r"missing keys \['body'\]"):
        load_pages(pages_dir)
    (pages_dir / "alpha.json").unlink()
    with pytest.raises(GoldFormatError, match=r"without their expected JSON: alpha\.html"):
        load_pages(pages_dir)


def test_main_exits_2_on_a_bad_page_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval.main(["--pages", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err
