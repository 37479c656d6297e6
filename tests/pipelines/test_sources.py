from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.errors import ConfigError
from pipelines.sources import load_sources

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_sources_file_lists_the_regions_outlets() -> None:
    sources = load_sources(REPO / "sources.yaml")
    names = {s.name for s in sources}
    for required in ("eurasianet", "24kg", "akipress", "times-ca", "gazeta-uz", "astana-times", "asia-plus"):
        assert required in names
    assert any(name.startswith("rferl-") for name in names)
    assert all(s.feeds or s.sections for s in sources)
    assert all(s.allowed_domains for s in sources)


def test_allowed_domains_default_to_the_hosts_of_feeds_and_sections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """sources:
  - name: outlet
    title: Outlet
    language: en
    feeds: [https://News.Example.com/rss]
    sections: [https://www.example.com/tech/]
""",
    )
    (source,) = load_sources(path)
    assert source.allowed_domains == ("news.example.com", "www.example.com")
    assert source.line == 2


def test_missing_required_key_names_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """sources:
  - name: good
    title: Good
    language: en
    feeds: [https://example.com/rss]
  - name: bad
    language: en
    feeds: [https://example.com/rss2]
""",
    )
    with pytest.raises(ConfigError, match=r"sources.yaml:6: source is missing the required key 'title'"):
        load_sources(path)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "    feeds: [ftp://example.com/rss]\n",
            r":5: key 'feeds': 'ftp://example.com/rss' is not an http\(s\) URL",
        ),
        ("    feeds: [https://example.com/rss]\n    colour: red\n", r":6: unknown key 'colour'"),
        (
            "    feeds: https://example.com/rss\n    max_pages: -1\n",
            r":6: key 'max_pages' must be a positive",
        ),
        ("    sitemap: '${NOT_SET_ANYWHERE_42}/sitemap.xml'\n", r"NOT_SET_ANYWHERE_42\} is not set"),
        ("    title2: x\n", r"unknown key 'title2'"),
    ],
)
def test_invalid_values_are_reported_with_their_line(tmp_path: Path, snippet: str, expected: str) -> None:
    path = write(tmp_path, "sources:\n  - name: a\n    title: A\n    language: en\n" + snippet)
    with pytest.raises(ConfigError, match=expected):
        load_sources(path)


def test_bad_language_and_duplicate_names(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - {name: a, title: A, language: fr, feeds: [https://e.com/rss]}\n")
    with pytest.raises(ConfigError, match=r":2: key 'language': 'fr' is not one of"):
        load_sources(path)
    path = write(
        tmp_path,
        "sources:\n  - {name: a, title: A, language: en, feeds: [https://e.com/rss]}\n"
        "  - {name: a, title: B, language: en, feeds: [https://e.com/rss2]}\n",
    )
    with pytest.raises(ConfigError, match=r":3: key 'name': 'a' is already used by the source on line 2"):
        load_sources(path)


def test_source_without_any_url_and_broken_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - {name: a, title: A, language: en}\n")
    with pytest.raises(ConfigError, match="needs at least one of feeds, sections, sitemap"):
        load_sources(path)
    path = write(tmp_path, "sources:\n  - name: a\n   title: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_sources(path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources(tmp_path / "missing.yaml")


def test_environment_expansion_and_only_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANWIRE_DEMO_BASE", "http://127.0.0.1:8123")
    path = write(
        tmp_path,
        "sources:\n  - {name: a, title: A, language: en, feeds: ['${STANWIRE_DEMO_BASE}/a/feed.xml']}\n"
        "  - {name: b, title: B, language: ru, feeds: ['${STANWIRE_DEMO_BASE}/b/feed.xml'], enabled: false}\n",
    )
    sources = load_sources(path)
    assert [s.name for s in sources] == ["a"]  # disabled sources are skipped by default
    assert sources[0].feeds == ("http://127.0.0.1:8123/a/feed.xml",)
    assert sources[0].allowed_domains == ("127.0.0.1",)
    assert [s.name for s in load_sources(path, only=["b"])] == ["b"]  # ...but can be named explicitly
    with pytest.raises(ConfigError, match="no source named zz"):
        load_sources(path, only=["zz"])


def test_a_yaml_error_is_one_line_and_its_brackets_reach_the_terminal_as_written(tmp_path: Path) -> None:
    path = write(
        tmp_path, "sources:\n  - name: a\n    feeds: [http://a.example/feed.xml\n    title: [bold]A\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        f"{path}:4:10: not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence on line 3, column 12)"
    )
    # Printed as text, not as rich markup: [bold] and the brackets stay as they are.
    (tmp_path / "bad.yaml").write_text(
        "sources:\n  - {name: a, title: A, language: '[bold]fr', feeds: [x]}\n"
    )
    result = CliRunner().invoke(
        app,
        ["--home", str(tmp_path / "h"), "--sources", str(tmp_path / "bad.yaml"), "poll"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 1
    assert "'[bold]fr'" in result.output
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "--sources", str(path), "poll"], env={"COLUMNS": "300"}
    )
    assert "expected ',' or ']', but got ':'" in result.output


def test_characters_yaml_refuses_and_odd_keys_are_reported_on_one_line_with_their_line(
    tmp_path: Path,
) -> None:
    # Found by tests/fuzz: a control character gave no line number, a key holding a newline a two-line error.
    path = write(tmp_path, "sources:\n  - name: a\n    title: A\x1f\n")
    with pytest.raises(
        ConfigError, match=r"sources\.yaml:3: not valid YAML: special characters are not allowed \(U\+001F\)"
    ):
        load_sources(path)
    path = write(tmp_path, 'sources:\n  - ? "a\\nb"\n    : 1\n')
    with pytest.raises(ConfigError) as raised:
        load_sources(path)
    assert "sources.yaml:2: unknown key 'a\\nb'" in str(raised.value)
    assert "\n" not in str(raised.value)
