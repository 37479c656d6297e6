import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The time every command of these tests takes as "now" (the `now` setting): the morning the demo corpus stands
# for, after every date its pages and fixtures give. Passed on purpose; the suite reads the same on any day.
NOW = "2026-11-30T06:00:00+06:00"
STANWIRE = Path(sys.executable).with_name("stanwire")

Cli = Callable[..., subprocess.CompletedProcess[str]]


def make_cli(home: Path) -> Cli:
    """A function running the `stanwire` console script with `--home home`."""

    def run(
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        cwd: Path = REPO,
        now: str = NOW,
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STANWIRE_", "PREFECT_"))}
        env["STANWIRE_NOW"] = now
        env["COLUMNS"] = "200"  # rich wraps tables to the terminal width; keep lines whole for assertions
        proc = subprocess.run(
            [str(STANWIRE), "--home", str(home), *args],
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"stanwire {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    run.home = home  # type: ignore[attr-defined]
    return run


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`stanwire` with a fresh, empty home."""
    return make_cli(tmp_path / "home")


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """`stanwire` with a home where `stanwire demo` has run once (shared by a module's tests: it is slow)."""
    run = make_cli(tmp_path_factory.mktemp("demo") / "home")
    run.first_run = run("demo")  # type: ignore[attr-defined]
    return run


def sql_json(cli: Cli, query: str) -> list[dict[str, object]]:
    return json.loads(cli("sql", query, "--format", "json").stdout)
