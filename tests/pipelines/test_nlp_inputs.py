"""`stanwire extract`'s input reader on its own (no NLP): what it yields for each kind of input."""

from datetime import UTC, date, datetime
from pathlib import Path

from nlp import DocumentInput
from pipelines.nlp_inputs import InputError, read_documents

FETCHED_AT = datetime(2026, 11, 30, tzinfo=UTC)


def test_a_jsonl_line_ends_at_a_newline_only(tmp_path: Path) -> None:
    # Found by tests/fuzz: str.splitlines cut a record at U+0085 or U+2028, which JSON allows unescaped in a string.
    path = tmp_path / "docs.jsonl"
    path.write_text(
        '{"id": "a", "text": "one\u0085two\u2028three", "published": "2026-11-17"}\r\n'
        '{"id": "b", "text": "x"}\n\n{"id": 3}\n',
        encoding="utf-8",
    )
    assert list(read_documents(str(path), "jsonl", fetched_at=FETCHED_AT)) == [
        DocumentInput(id="a", title="", text="one\u0085two\u2028three", published=date(2026, 11, 17)),
        DocumentInput(id="b", title="", text="x"),
        InputError(f"{path}:4", "field 'id' must be a non-empty string"),
    ]
