"""Start-up: `stanwire sql`, `status` and `--help` do not load the heavy libraries only some commands need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = (
    "spacy",
    "natasha",
    "datasketch",
    "matplotlib",
    "prefect",
    "scrapy",
    "trafilatura",
    "nlp",
    "pydantic",  # Typer 0.29 imports it at start-up (~0.2 s); 0.28 does not (issue 11)
)

PROBE = """
import json, sys
from typer.testing import CliRunner
{setup}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def loaded_after(setup: str) -> list[str]:
    code = PROBE.format(setup=setup, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert loaded_after("import pipelines.cli") == []


@pytest.mark.parametrize(
    "args",
    [["--help"], ["sql", "--help"], ["enrich", "--help"], ["status"], ["sql", "SELECT 1"]],
)
def test_light_commands_load_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    setup = (
        "from warehouse.db import connect\n"
        f"connect({str(home / 'warehouse.duckdb')!r}).close()\n"
        "from pipelines.cli import app\n"
        f"result = CliRunner().invoke(app, ['--home', {str(home)!r}, *{args!r}])\n"
        "assert result.exit_code == 0, result.output\n"
    )
    assert loaded_after(setup) == []


def test_a_command_that_needs_a_library_still_loads_it(tmp_path: Path) -> None:
    setup = (
        "from pipelines.cli import app\n"
        "result = CliRunner().invoke(app, ['extract'], input='')\n"  # the NLP command imports the NLP
    )
    assert "nlp" in loaded_after(setup)
