"""`stanwire extract`: the NLP contract of issue 4 on text, HTML and JSONL input, without a warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

REPO = Path(__file__).resolve().parents[2]
DEMO_PAGE = REPO / "demo/site/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement/index.html"
RECORD_KEYS = {"id", "language", "organizations", "countries", "events", "topics"}
ORG_KEYS = {"name", "canonical", "id", "kind", "country"}
EVENT_KEYS = {
    "type",
    "subtype",
    "status",
    "parties",
    "date",
    "date_text",
    "subject",
    "sentence",
    "confidence",
}

MEMORANDUM = {
    "id": "a1",
    "title": "Kazakhtelecom and Huawei sign 5G memorandum",
    "text": "Kazakhtelecom and China's Huawei signed a memorandum of understanding on 5G base stations on Tuesday.",
    "published": "2026-03-12",
}
BLOCK_RU = {
    "id": "r1",
    "title": "",
    "text": "Министерство цифрового развития Кыргызстана заблокировало доступ к сайту Kloop.",
    "published": "2026-05-12",
    "language": "ru",
}


def run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(app, ["extract", *args], input=stdin)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def jsonl_result():
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in (MEMORANDUM, BLOCK_RU)) + "\n"
    return run([], stdin)


def test_jsonl_from_stdin_gives_one_record_per_document_in_the_documented_shape(jsonl_result) -> None:
    assert jsonl_result.exit_code == 0, jsonl_result.output
    english, russian = lines(jsonl_result.stdout)
    for record in (english, russian):
        assert set(record) == RECORD_KEYS
        assert all(set(org) >= ORG_KEYS for org in record["organizations"])
        assert all(set(c) == {"code", "name", "mentions"} for c in record["countries"])
        assert all(set(e) == EVENT_KEYS for e in record["events"])
    assert english["id"] == "a1"
    assert english["language"] == "en"
    assert {o["id"] for o in english["organizations"]} == {"kazakhtelecom", "huawei"}
    [deal] = english["events"]
    assert (deal["type"], deal["subtype"], deal["status"]) == ("agreement", "memorandum", "signed")
    assert {p["code"] for p in deal["parties"]} == {"kazakhtelecom", "huawei"}
    assert deal["date"] == "2026-03-10"  # "on Tuesday" before Thursday 12 March
    assert "telecom" in english["topics"]


def test_russian_documents_get_the_same_ids_and_event_types(jsonl_result) -> None:
    russian = lines(jsonl_result.stdout)[1]
    assert russian["language"] == "ru"
    assert "kyrgyzstan-digital-ministry" in {o["id"] for o in russian["organizations"]}
    [block] = russian["events"]
    assert (block["type"], block["subtype"], block["status"]) == ("censorship", "block", "reported")
    assert {p["code"] for p in block["parties"]} == {"kyrgyzstan-digital-ministry", "KG"}
    assert [c["code"] for c in russian["countries"]] == ["KG"]


def test_a_bad_line_is_reported_with_its_line_number_and_the_rest_is_analysed(tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text(
        json.dumps(MEMORANDUM)
        + "\nnot json\n"
        + json.dumps({"id": "x", "text": "t", "published": "May"})
        + "\n",
        encoding="utf-8",
    )
    result = run([str(source)])
    assert result.exit_code == 1
    assert [r["id"] for r in lines(result.stdout)] == ["a1"]
    assert f"{source}:2: not valid JSON" in result.stderr
    assert f"{source}:3: field 'published' must be an ISO date" in result.stderr


def test_text_and_html_files_are_whole_documents(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text(
        "Uztelecom and ZTE signed a contract to build fibre links in Fergana.\n", encoding="utf-8"
    )
    result = run([str(text), str(DEMO_PAGE)])
    assert result.exit_code == 0, result.output
    note, page = lines(result.stdout)
    assert note["id"] == "note"
    assert {o["id"] for o in note["organizations"]} >= {"uztelecom", "zte"}
    assert page["id"] == "index"
    assert "kazakhtelecom" in {o["id"] for o in page["organizations"]}
    assert any(e["type"] == "agreement" for e in page["events"])


def test_usage_errors_name_the_problem(tmp_path: Path) -> None:
    assert "no such file" in run([str(tmp_path / "missing.txt")]).stderr
    bad_format = run(["--input-format", "pdf", "-"], "")
    assert bad_format.exit_code == 1
    assert "expected one of txt, html, jsonl" in bad_format.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    result = run([str(empty)])
    assert result.exit_code == 1
    assert "the file is empty" in result.stderr
