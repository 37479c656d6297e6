"""Bad gazetteer data gets an error that names the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.countries import load_countries
from nlp.errors import GazetteerError
from nlp.gazetteer import load_gazetteer


def write_orgs(tmp_path: Path, *records: dict | str, folder: str = "data") -> Path:
    # A folder per file: loaded gazetteers are cached by path.
    path = tmp_path / folder / "organizations.jsonl"
    path.parent.mkdir(exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def org(org_id: str, name: str, **extra: object) -> dict:
    return {"id": org_id, "name": name, "kind": "operator", "country": "KG", "aliases": [], **extra}


def test_a_valid_small_file_loads(tmp_path: Path) -> None:
    path = write_orgs(tmp_path, org("alatoo-fiber", "Alatoo Fiber", aliases=["Алатоо Файбер"]))
    gazetteer = load_gazetteer(path)
    assert gazetteer.lookup("Алатоо Файбер").org.id == "alatoo-fiber"


@pytest.mark.parametrize(
    ("records", "line", "message"),
    [
        (
            [org("a-net", "A Net"), org("a-net", "Another Net")],
            2,
            "duplicate id 'a-net' (first defined on line 1)",
        ),
        ([org("a-net", "A Net", kind="telco")], 1, "unknown kind 'telco'"),
        ([org("a-net", "A Net", country="XX")], 1, "bad country code 'XX'"),
        ([org("a-net", "A Net", country="kg")], 1, "bad country code 'kg'"),
        (
            [org("a-net", "A Net"), org("b-net", "B Net", aliases=["A-Net"])],
            2,
            "alias 'A-Net' of 'b-net' also names 'a-net' (line 1)",
        ),
        ([org("a-net", "A Net", colour="red")], 1, "unknown field(s) ['colour']"),
        ([org("A Net", "A Net")], 1, "is not a slug"),
        ([org("a-net", "A Net"), "{not json"], 2, "invalid JSON"),
        ([{"id": "a-net", "name": "A Net"}], 1, "missing field(s): kind, country, aliases"),
    ],
)
def test_invalid_data_names_the_line(tmp_path: Path, records: list, line: int, message: str) -> None:
    path = write_orgs(tmp_path, *records)
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(path)
    assert caught.value.line == line
    assert f"organizations.jsonl:{line}:" in str(caught.value)
    assert message in str(caught.value)


def test_a_shared_name_is_allowed_only_when_both_organizations_mark_it(tmp_path: Path) -> None:
    path = write_orgs(
        tmp_path,
        org("osh-net", "Osh Net", ambiguous_aliases=["ON"]),
        org("ozon-net", "Ozon Net", ambiguous_aliases=["ON"]),
    )
    assert load_gazetteer(path).candidates("ON")[0] == ("osh-net", "ozon-net")
    half = write_orgs(
        tmp_path,
        org("osh-net", "Osh Net", ambiguous_aliases=["ON"]),
        org("ozon-net", "Ozon Net", aliases=["ON"]),
        folder="half",
    )
    with pytest.raises(GazetteerError, match="ambiguous_aliases"):
        load_gazetteer(half)


def test_bad_country_code_in_countries_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "countries.yaml"
    path.write_text(
        "countries:\n  KG:\n    names: [Kyrgyzstan]\n  XQ:\n    names: [Nowhere]\n", encoding="utf-8"
    )
    with pytest.raises(GazetteerError, match=r"countries.yaml:4: bad country code 'XQ'"):
        load_countries(path)


def test_unquoted_norway_code_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "countries.yaml"
    path.write_text("countries:\n  NO:\n    names: [Norway]\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="quote it"):
        load_countries(path)
