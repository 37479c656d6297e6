"""One run at a time per home: a lock file that a second run waits for (bounded) or reports clearly; and the
runs whose process died (killed, machine restarted) before they could record their end."""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb

import warehouse.runs
from pipelines.errors import RunError
from pipelines.settings import Settings

LOCK_NAME = "run.lock"


def open_lock_file(settings: Settings, command: str = "run") -> IO[str]:
    """Open `<home>/run.lock` for writing, creating the home; a home that cannot be written is one clear line."""
    path = Path(settings.home) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise RunError(
            f"cannot write to the home {settings.home} ({exc.strerror or exc}): stanwire {command} writes its "
            f"lock, landing files and warehouse there; use a writable --home (reading commands such as status, "
            f"sql and digest --out work on a read-only one)"
        ) from exc


@contextmanager
def run_lock(
    settings: Settings, *, started_at: datetime, wait: float | None = None, command: str = "run"
) -> Iterator[None]:
    """Hold `<home>/run.lock` for the duration of a run or of a command that writes (`command`: its name, which
    the lock file shows), started at `started_at`, as the lock file says.

    A run that finds another one in progress waits up to `wait` seconds (default: the `run_wait` setting), then
    stops with a message naming the other run. The operating system releases the lock if a run dies, so a crash
    never leaves a stale lock behind. A home that cannot be written stops it with one line.
    """
    wait = settings.run_wait if wait is None else wait
    with open_lock_file(settings, command) as handle:
        # A reader checking the lock (`lock_is_held`) holds it for an instant: try a few times even without a wait.
        deadline = time.monotonic() + max(0.3, wait)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise RunError(
                        f"another stanwire run is in progress in {settings.home} ({holder}); stanwire {command} "
                        f"left it alone: wait for it, or set run_wait (seconds) to queue behind it"
                    ) from None
                time.sleep(0.1 if wait <= 0 else 0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"stanwire {command}, PID {os.getpid()}, started {started_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        )
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def lock_is_held(home: Path) -> bool:
    """Whether some process holds `<home>/run.lock` now (a run, or a command that writes). Only reads the home."""
    path = Path(home) / LOCK_NAME
    try:
        handle = path.open("r", encoding="utf-8")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # unreadable: assume the worst, nothing is marked interrupted
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def process_is_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine (a zombie does not count: it has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True  # no /proc (not Linux): the signal test is all there is
    return stat.rsplit(")", 1)[-1].split()[:1] not in (["Z"], ["X"])


def this_host() -> str:
    """This machine's name, as `runs.host` records it."""
    return socket.gethostname()


def runs_of_this_home(runs: list[dict[str, Any]], home: Path) -> list[dict[str, Any]]:
    """The runs recorded by this machine in `home`: on a shared warehouse, the only ones it can judge."""
    return [r for r in runs if r.get("host") == this_host() and r.get("home") == str(home)]


def interrupted_runs(conn: duckdb.DuckDBPyConnection, home: Path, *, shared: bool = False) -> dict[int, str]:
    """The `running` runs of this warehouse that are not running any more, each with the reason it is known.

    A run holds `<home>/run.lock` while it runs, so when nobody holds the lock no run is going on; a run whose
    recorded process is gone is over whoever holds the lock now. On a `shared` warehouse (DuckLake) other
    machines and homes run too: only the runs this machine recorded in `home` are judged.
    """
    held = lock_is_held(home)
    found: dict[int, str] = {}
    runs = warehouse.runs.running_runs(conn)
    for run in runs_of_this_home(runs, home) if shared else runs:
        pid = run.get("pid")
        if pid is not None and not process_is_alive(int(pid)):
            found[int(run["id"])] = f"its process (PID {pid}) ended before the run did: killed or stopped"
        elif not held:
            found[int(run["id"])] = (
                f"{'its process (PID ' + str(pid) + ')' if pid else 'its process'} no longer holds the run lock "
                f"of {home}: killed or stopped before the run ended"
            )
    return found


def record_interrupted(conn: duckdb.DuckDBPyConnection, found: dict[int, Any]) -> int:
    """Mark the runs of `interrupted_runs` as `interrupted` in the warehouse, with their reason."""
    return sum(
        warehouse.runs.mark_interrupted(conn, [run_id], message=str(why)) for run_id, why in found.items()
    )
