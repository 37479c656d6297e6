"""One run at a time per home, every run recorded, and one outlet's failure never stops the others."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines import stages
from pipelines.cli import app
from pipelines.clock import Clock
from pipelines.errors import RunError
from pipelines.report import print_status
from pipelines.run import run_all
from pipelines.runs import run_lock
from pipelines.settings import Settings
from pipelines.sources import Source
from warehouse.db import connect
from warehouse.runs import last_runs, start_run

REPO = Path(__file__).resolve().parents[2]
HOLD_LOCK = """
import sys
from pathlib import Path
from datetime import UTC, datetime
from pipelines.runs import run_lock
from pipelines.settings import Settings
with run_lock(Settings(home=Path(sys.argv[1])), started_at=datetime(2026, 11, 30, 6, 0, tzinfo=UTC)):
    print("held", flush=True)
    sys.stdin.read()
"""


STARTED = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def ticking() -> Clock:
    """A clock starting at STARTED that moves one second each time it is read."""
    readings = itertools.count()
    return lambda: STARTED + timedelta(seconds=next(readings))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", sources=tmp_path / "sources.yaml")


def test_a_second_run_is_refused_with_the_other_runs_pid_and_may_wait_for_it(settings: Settings) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.home)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(RunError, match=rf"another stanwire run is in progress .*PID {holder.pid}"),
            run_lock(settings, started_at=STARTED),
        ):
            pass
        assert holder.stdin is not None
        holder.stdin.close()  # the other run ends…
        with run_lock(settings, started_at=STARTED, wait=30):  # …and a run that waits gets its turn
            held = (settings.home / "run.lock").read_text(encoding="utf-8")
            assert held == f"stanwire run, PID {os.getpid()}, started 2026-11-30 07:00:00 UTC"
    finally:
        holder.kill()
        holder.wait()


def source(name: str) -> Source:
    return Source(name=name, title=name, language="en", feeds=(f"http://127.0.0.1:9/{name}.xml",))


def test_a_failing_source_is_recorded_and_the_others_go_on(settings: Settings) -> None:
    called: list[tuple[str, str]] = []

    def runner(stage: Any, *args: Any, **kwargs: Any) -> Any:
        names = [s.name for s in args[1]] if len(args) > 1 and isinstance(args[1], list) else []
        called.append((stage.__name__, ",".join(names)))
        if stage.__name__ == "crawl" and names == ["broken"]:
            raise RunError("the crawl of broken timed out after 3600 s")
        if stage.__name__ in {"poll", "enrich"}:
            return stages.PollReport() if stage.__name__ == "poll" else stages.EnrichReport()
        return stage(*args, **kwargs) if stage.__name__ == "load" else None

    report = run_all(
        settings, [source("good"), source("broken"), source("other")], clock=ticking(), runner=runner
    )
    assert ("crawl", "other") in called  # the source after the broken one was still crawled
    assert [(e.source, e.stage) for e in report.source_errors] == [("broken", "crawl")]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        [run] = last_runs(conn)
    finally:
        conn.close()
    assert (run["flow"], run["status"]) == ("run", "ok")
    assert run["errors"] == [
        {
            "source": "broken",
            "stage": "crawl",
            "message": "RunError: the crawl of broken timed out after 3600 s",
        }
    ]
    assert run["started_at"] == STARTED
    assert run["ended_at"] > run["started_at"]  # read from the clock again at the end


def test_a_run_that_stops_is_recorded_as_failed_with_its_reason(settings: Settings) -> None:
    def runner(stage: Any, *args: Any, **kwargs: Any) -> Any:
        if stage.__name__ == "load":
            raise RunError("warehouse is busy")
        return stages.PollReport() if stage.__name__ == "poll" else None

    with pytest.raises(RunError, match="busy"):
        run_all(settings, [source("good")], clock=ticking(), runner=runner)
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        [run] = last_runs(conn)
    finally:
        conn.close()
    assert run["status"] == "failed"
    assert run["message"] == "RunError: warehouse is busy"


def dead_pid() -> int:
    """The PID of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def status_text(settings: Settings) -> str:
    console = Console(record=True, width=250)
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        print_status(console, conn, settings, now=STARTED)
    finally:
        conn.close()
    return console.export_text()


def run_row(settings: Settings, run_id: int) -> dict[str, Any]:
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        [run] = [r for r in last_runs(conn, limit=50) if r["id"] == run_id]
    finally:
        conn.close()
    return run


def test_a_running_run_whose_process_is_gone_is_shown_and_recorded_as_interrupted(settings: Settings) -> None:
    conn = connect(settings.warehouse_path)
    try:
        killed = start_run(conn, "run", started_at=STARTED, pid=dead_pid())
        alive = start_run(conn, "ingest", started_at=STARTED + timedelta(minutes=1), pid=os.getpid())
    finally:
        conn.close()
    holder = subprocess.Popen(  # another run holds the home's lock: only the dead PID tells the killed run
        [sys.executable, "-c", HOLD_LOCK, str(settings.home)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        lines = {
            line.split("│")[1].strip(): line for line in status_text(settings).splitlines() if "│ " in line
        }
        assert "interrupted" in lines[str(killed)]
        assert "ended before the run did" in lines[str(killed)]
        assert "running…" in lines[str(alive)]  # its process lives and the lock is held: still running
        result = CliRunner().invoke(app, ["--home", str(settings.home), "status"], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        assert run_row(settings, killed)["status"] == "interrupted"  # status recorded it
        assert "ended before the run did" in run_row(settings, killed)["message"]
        assert run_row(settings, alive)["status"] == "running"
    finally:
        holder.kill()
        holder.wait()
    # Now nobody holds the lock: no run can be going on, whatever PID the row names.
    assert (
        "interrupted"
        in {line.split("│")[1].strip(): line for line in status_text(settings).splitlines() if "│ " in line}[
            str(alive)
        ]
    )


def test_the_next_run_records_a_killed_run_as_interrupted(settings: Settings) -> None:
    conn = connect(settings.warehouse_path)
    try:
        killed = start_run(conn, "run", started_at=STARTED - timedelta(hours=1), pid=dead_pid())
    finally:
        conn.close()

    def runner(stage: Any, *args: Any, **kwargs: Any) -> Any:
        return stages.PollReport() if stage.__name__ == "poll" else None

    report = run_all(settings, [source("good")], clock=ticking(), runner=runner, through="load")
    assert run_row(settings, killed)["status"] == "interrupted"
    assert f"found by run {report.run_id}" in run_row(settings, killed)["message"]
    assert run_row(settings, killed)["ended_at"] is None  # when it died is not known
    this = run_row(settings, report.run_id)
    assert (this["status"], this["pid"]) == ("ok", os.getpid())


SOURCES_YAML = (
    "sources:\n  - {name: good, title: Good, language: en, feeds: ['http://127.0.0.1:9/good.xml']}\n"
)


@pytest.mark.parametrize("command", ["poll", "crawl", "load", "enrich", "reextract"])
def test_a_writing_command_during_a_run_stops_with_the_runs_message(settings: Settings, command: str) -> None:
    settings.sources.write_text(SOURCES_YAML, encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.home)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(
            app,
            ["--home", str(settings.home), "--sources", str(settings.sources), command],
            env={"COLUMNS": "400"},
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith(
        f"error: another stanwire run is in progress in {settings.home} (stanwire run, PID {holder.pid}"
    )
    assert f"stanwire {command} left it alone" in line
    assert not settings.warehouse_path.exists()  # nothing was written beside the run


STANWIRE = Path(sys.executable).with_name("stanwire")
READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'


def on_read_only_home(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`stanwire --home HOME ARGS` with HOME read-only: a read-only bind mount in a private mount namespace (as
    root, which file modes do not stop), or the write bits taken away."""
    command = [str(STANWIRE), "--home", str(home), *args]
    env = {**os.environ, "COLUMNS": "300"}
    env.pop("STANWIRE_HOME", None)
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [home, *home.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
    probe = subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY, "sh", str(home), "true"], check=False)
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only home here (no unshare/mount)")
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", READ_ONLY, "sh", str(home), *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_reading_commands_work_on_a_read_only_home_and_writing_ones_fail_in_one_line(
    settings: Settings, tmp_path: Path
) -> None:
    settings.sources.write_text(SOURCES_YAML, encoding="utf-8")
    conn = connect(settings.warehouse_path)  # a home with a warehouse, as a finished run leaves it
    try:
        start_run(conn, "run", started_at=STARTED, pid=dead_pid())
    finally:
        conn.close()
    before = sorted(p.name for p in settings.home.iterdir())

    status = on_read_only_home(settings.home, "status")
    assert status.returncode == 0, status.stderr
    assert "interrupted" in status.stdout  # shown, though it cannot be recorded here
    digest = on_read_only_home(settings.home, "digest", "--week", "2026-W47", "--out", str(tmp_path / "d.md"))
    assert digest.returncode == 0, digest.stderr
    assert (tmp_path / "d.md").read_text(encoding="utf-8").startswith("#")

    for args in (["digest", "--week", "2026-W47"], ["run", "--no-prefect"], ["run"], ["load"]):
        result = on_read_only_home(settings.home, "--sources", str(settings.sources), *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert lines[0].startswith("error: cannot write"), lines[0]
    assert sorted(p.name for p in settings.home.iterdir()) == before  # nothing was written to the home
