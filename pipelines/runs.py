"""One run at a time per home: a lock file that a second run waits for (bounded) or reports clearly."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipelines.errors import RunError
from pipelines.settings import Settings

LOCK_NAME = "run.lock"


@contextmanager
def run_lock(settings: Settings, *, started_at: datetime, wait: float | None = None) -> Iterator[None]:
    """Hold `<home>/run.lock` for the duration of a run (started at `started_at`, as the lock file says).

    A run that finds another one in progress waits up to `wait` seconds (default: the `run_wait` setting), then
    stops with a message naming the other run. The operating system releases the lock if a run dies, so a crash
    never leaves a stale lock behind.
    """
    wait = settings.run_wait if wait is None else wait
    path = Path(settings.home) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise RunError(
                        f"another stanwire run is in progress in {settings.home} ({holder}); it was left alone: "
                        f"wait for it, or set run_wait (seconds) to queue behind it"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}, started {started_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
