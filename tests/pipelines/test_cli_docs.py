"""Docs stay honest: every command has help text and appears in the README."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

REPO = Path(__file__).resolve().parents[2]
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


def test_the_cli_has_the_commands_the_readme_promises() -> None:
    for name in ("demo", "run", "poll", "crawl", "load", "enrich", "digest", "sql", "status"):
        assert name in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert f"`stanwire {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_top_level_help_lists_global_options() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for option in ("--home", "--sources", "--config"):
        assert option in result.output


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_texts_keep_their_defaults_and_end_in_no_stray_period(command: str | None) -> None:
    # "[default: …]" in a help text is rich markup to typer: it vanished and left "… serve ." behind.
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert not re.search(r"\S \.(\s|$)", result.output), result.output
    for line in result.output.splitlines():
        if "(default:" in line:
            assert re.search(r"\(default: [^)]+\)", line), line
